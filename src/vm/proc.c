/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a QEMU process's /proc entries say about its TCE tables and VFIO
 * (FACTS §3.7): the fds it holds (anon_inode:kvm-spapr-tce per KVM TCE
 * table, anon_inode:kvm-vfio, /dev/vfio/vfio, /dev/vfio/N), the length of
 * each kvm-spapr-tce mapping in maps (QEMU target/ppc/kvm.c mmaps
 * nb_table * 8 bytes), VmLck and CapEff in status, the memlock limit in
 * limits, and its command line. Read through the root, so `record` copies
 * them and `--root` replays them. The parsers are pure (unit-tested and
 * fuzzed); everything from the host is hostile.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"
#include "tceiommu/vm.h"
#include "tceiommu/vmproc.h"

#define MAX_STATUS (64u << 10)
#define MAX_MAPS (16u << 20)
#define MAX_CMDLINE (1u << 20)
/* include/uapi/linux/capability.h */
#define CAP_IPC_LOCK_BIT 14

/* A line of buf starting at *pos, without its newline; false at the end. */
static bool next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *llen)
{
	const char *nl;

	if (*pos >= len)
		return false;
	*line = buf + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*llen = nl ? (size_t)(nl - *line) : len - *pos;
	*pos += *llen + (nl ? 1 : 0);
	return true;
}

/* "Key:<blanks>value" of a status line into a NUL-terminated copy. */
static bool status_field(const char *line, size_t llen, const char *key, char *out, size_t olen)
{
	size_t kl = strlen(key), n;

	if (llen <= kl || memcmp(line, key, kl) != 0 || line[kl] != ':')
		return false;
	line += kl + 1;
	llen -= kl + 1;
	while (llen && (*line == ' ' || *line == '\t'))
		line++, llen--;
	n = llen < olen - 1 ? llen : olen - 1;
	memcpy(out, line, n);
	out[n] = '\0';
	return true;
}

int tce_proc_parse_status(const char *buf, size_t len, struct tce_proc_status *ret)
{
	struct tce_proc_status st = { .cap_ipc_lock = TCE_UNKNOWN };
	const char *line;
	size_t llen, pos = 0;
	char v[64];

	while (next_line(buf, len, &pos, &line, &llen)) {
		if (status_field(line, llen, "VmLck", v, sizeof(v))) {
			char *end;
			uint64_t kb;

			errno = 0;
			kb = strtoull(v, &end, 10);
			if (errno || end == v || strcmp(end, " kB") != 0 || kb > UINT64_MAX / 1024)
				return -EINVAL;
			st.has_vmlck = true;
			st.vmlck = kb * 1024;
		} else if (status_field(line, llen, "CapEff", v, sizeof(v))) {
			uint64_t caps;

			if (strlen(v) != 16 || tce_parse_u64(v, 16, &caps) < 0)
				return -EINVAL;
			st.cap_ipc_lock = (caps >> CAP_IPC_LOCK_BIT) & 1 ? TCE_YES : TCE_NO;
		} else if (status_field(line, llen, "Name", v, sizeof(v))) {
			snprintf(st.name, sizeof(st.name), "%s", v);
		}
	}
	*ret = st;
	return 0;
}

static int limit_value(const char *s, size_t n, uint64_t *ret)
{
	char tmp[32];

	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (streq(tmp, "unlimited")) {
		*ret = UINT64_MAX;
		return 0;
	}
	return tce_parse_u64(tmp, 10, ret);
}

/* fs/proc/base.c proc_pid_limits: "%-25s %-20s %-20s %-10s" per limit. */
int tce_proc_parse_memlock(const char *buf, size_t len, uint64_t *ret_soft, uint64_t *ret_hard)
{
	static const char key[] = "Max locked memory";
	const char *line;
	size_t llen, pos = 0;

	while (next_line(buf, len, &pos, &line, &llen)) {
		const char *p, *e, *end = line + llen;
		uint64_t soft, hard;

		if (llen < sizeof(key) || memcmp(line, key, sizeof(key) - 1) != 0)
			continue;
		p = line + sizeof(key) - 1;
		while (p < end && *p == ' ')
			p++;
		for (e = p; e < end && *e != ' '; e++)
			;
		if (limit_value(p, (size_t)(e - p), &soft) < 0)
			return -EINVAL;
		for (p = e; p < end && *p == ' '; p++)
			;
		for (e = p; e < end && *e != ' '; e++)
			;
		if (limit_value(p, (size_t)(e - p), &hard) < 0)
			return -EINVAL;
		*ret_soft = soft;
		*ret_hard = hard;
		return 0;
	}
	return -ENOENT;
}

/* "start-end perms offset dev inode   path" (fs/proc/task_mmu.c). */
int tce_proc_parse_tce_maps(const char *buf, size_t len, uint64_t **ret, size_t *ret_n)
{
	static const char name[] = "anon_inode:kvm-spapr-tce";
	_cleanup_free_ uint64_t *lens = NULL;
	size_t n = 0, pos = 0, llen;
	const char *line;

	while (next_line(buf, len, &pos, &line, &llen)) {
		char range[64], *dash, *end;
		const char *sp;
		uint64_t a, b;
		size_t rl;

		if (llen < sizeof(name) - 1 ||
		    memcmp(line + llen - (sizeof(name) - 1), name, sizeof(name) - 1) != 0)
			continue;
		sp = memchr(line, ' ', llen);
		rl = sp ? (size_t)(sp - line) : 0;
		if (!rl || rl >= sizeof(range))
			return -EINVAL;
		memcpy(range, line, rl);
		range[rl] = '\0';
		dash = strchr(range, '-');
		if (!dash)
			return -EINVAL;
		*dash = '\0';
		errno = 0;
		a = strtoull(range, &end, 16);
		if (errno || *end || end == range)
			return -EINVAL;
		b = strtoull(dash + 1, &end, 16);
		if (errno || *end || end == dash + 1 || b <= a)
			return -EINVAL;
		if (n % 16 == 0) {
			uint64_t *nl = realloc(lens, (n + 16) * sizeof(*nl));

			if (!nl)
				return -ENOMEM;
			lens = nl;
		}
		lens[n++] = b - a;
	}
	*ret = TAKE_PTR(lens);
	*ret_n = n;
	return 0;
}

/* QEMU sizes: "256" (MiB), "512M", "4G", "1T", "0x..."; 0 or -EINVAL. */
int tce_qemu_parse_size(const char *s, uint64_t default_unit, uint64_t *ret)
{
	char *end;
	uint64_t v, mul = default_unit;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'B':
			mul = 1;
			break;
		case 'K':
			mul = 1ULL << 10;
			break;
		case 'M':
			mul = 1ULL << 20;
			break;
		case 'G':
			mul = 1ULL << 30;
			break;
		case 'T':
			mul = 1ULL << 40;
			break;
		default:
			return -EINVAL;
		}
		if (end[1] && !(toupper((unsigned char)end[1]) == 'B' && !end[2]))
			return -EINVAL;
	}
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*ret = v * mul;
	return 0;
}

/* The value of key in "a=1,key=v,..." (QEMU's option syntax; ",," escapes a
 * comma). The first element may be an implied key ("pseries,x=1"). */
static char *opt_get(const char *opts, const char *key, const char *implied)
{
	size_t kl = strlen(key);
	const char *p = opts;
	bool first = true;

	while (*p) {
		const char *e = p;
		char *v, *w;

		while (*e && !(*e == ',' && e[1] != ',')) {
			if (*e == ',' && e[1] == ',')
				e++;
			e++;
		}
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			p += kl + 1;
		} else if (first && implied && streq(key, implied) &&
			   !memchr(p, '=', (size_t)(e - p))) {
			/* the implied key: "pseries" of -M pseries,... */
		} else {
			p = *e ? e + 1 : e;
			first = false;
			continue;
		}
		v = strndup(p, (size_t)(e - p));
		if (!v)
			return NULL;
		for (w = v; (w = strstr(w, ",,")); w++)
			memmove(w, w + 1, strlen(w + 1) + 1);
		return v;
	}
	return NULL;
}

static bool opt_bool(const char *v, bool *ret)
{
	if (!v)
		return false;
	if (streq(v, "on") || streq(v, "true") || streq(v, "yes")) {
		*ret = true;
		return true;
	}
	if (streq(v, "off") || streq(v, "false") || streq(v, "no")) {
		*ret = false;
		return true;
	}
	return false;
}

/* A -device as key=value pairs, whether given as "drv,k=v" or as JSON. */
struct devopt {
	char *driver, *id, *bus, *host, *sysfsdev, *index;
	char *dma_win_addr, *dma_win_size, *dma64_win_addr, *ddw, *pgsz;
};

static void devopt_done(struct devopt *d)
{
	free(d->driver), free(d->id), free(d->bus), free(d->host), free(d->sysfsdev);
	free(d->index), free(d->dma_win_addr), free(d->dma_win_size), free(d->dma64_win_addr);
	free(d->ddw), free(d->pgsz);
}

static char *json_field(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	if (json_object_is_type(v, json_type_boolean))
		return strdup(json_object_get_boolean(v) ? "on" : "off");
	return strdup(json_object_get_string(v));
}

static int devopt_parse(const char *arg, struct devopt *d)
{
	static const char *const keys[] = {
		"id",		"bus",		"host",		  "sysfsdev", "index",
		"dma_win_addr", "dma_win_size", "dma64_win_addr", "ddw",      "pgsz"
	};
	char **fields[] = { &d->id,    &d->bus,		 &d->host,	   &d->sysfsdev,
			    &d->index, &d->dma_win_addr, &d->dma_win_size, &d->dma64_win_addr,
			    &d->ddw,   &d->pgsz };

	memset(d, 0, sizeof(*d));
	if (arg[0] == '{') {
		/* libvirt >= 7.x: -device {"driver":"vfio-pci","host":...} */
		json_object *o = json_tokener_parse(arg);

		if (!o || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			return -EINVAL;
		}
		d->driver = json_field(o, "driver");
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			*fields[i] = json_field(o, keys[i]);
		json_object_put(o);
	} else {
		d->driver = opt_get(arg, "driver", "driver");
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			*fields[i] = opt_get(arg, keys[i], NULL);
	}
	if (!d->driver) {
		/* the callers skip it: what was found beside is theirs to lose */
		devopt_done(d);
		memset(d, 0, sizeof(*d));
		return -EINVAL;
	}
	return 0;
}

/* Which PHB a bus name is on: "pci.0" is the default PHB; "ID.0" (or "ID"
 * for a PHB without an id-derived bus name) is the PHB of that id. */
static bool bus_phb(struct tce_vm *vm, const char *bus, uint32_t *ret)
{
	size_t bl;

	if (!bus || streq(bus, "pci.0") || streq(bus, "pci")) {
		*ret = 0;
		return true;
	}
	bl = strlen(bus);
	for (size_t i = 0; i < vm->n_phbs; i++) {
		const char *id = vm->phbs[i].id;
		size_t il = id ? strlen(id) : 0;

		if (id && strncmp(bus, id, il) == 0 && (bus[il] == '\0' || streq(bus + il, ".0"))) {
			*ret = vm->phbs[i].index;
			return true;
		}
	}
	/* "pci.K" / "pci.K.0": QEMU's name for PHB K's bus when it has no id */
	if (bl > 4 && strneq(bus, "pci.", 4)) {
		uint64_t k;
		_cleanup_free_ char *n = strdup(bus + 4);
		char *dot = n ? strchr(n, '.') : NULL;

		if (dot)
			*dot = '\0';
		if (n && tce_parse_u64(n, 10, &k) == 0 && k <= UINT32_MAX) {
			*ret = (uint32_t)k;
			return true;
		}
	}
	return false;
}

static int set_u64(const char *v, bool *has, uint64_t *out)
{
	if (!v)
		return 0;
	if (tce_qemu_parse_size(v, 1, out) < 0)
		return -EINVAL;
	*has = true;
	return 0;
}

static int add_phb(struct tce_vm *vm, struct devopt *d)
{
	uint64_t index;
	struct tce_vm_phb *p;

	if (!d->index || tce_parse_u64(d->index, 0, &index) < 0 || index > 255)
		return -EINVAL; /* QEMU refuses a PHB without index since 2.x */
	p = tce_vm_phb_get(vm, (uint32_t)index);
	if (!p)
		return -ENOMEM;
	if (d->id && !p->id && !(p->id = strdup(d->id)))
		return -ENOMEM;
	if (set_u64(d->dma_win_addr, &p->has_dma_win_addr, &p->dma_win_addr) < 0 ||
	    set_u64(d->dma_win_size, &p->has_dma_win_size, &p->dma_win_size) < 0 ||
	    set_u64(d->dma64_win_addr, &p->has_dma64_win_addr, &p->dma64_win_addr) < 0 ||
	    set_u64(d->pgsz, &p->has_pgsz, &p->pgsz) < 0)
		return -EINVAL;
	if (opt_bool(d->ddw, &p->ddw))
		p->has_ddw = true;
	return 0;
}

static bool is_pci_host_device(const char *driver)
{
	return streq(driver, "vfio-pci") || streq(driver, "vfio-pci-nohotplug");
}

/*
 * What QEMU's command line says (qemu-options.hx): -name, -uuid, -M/-machine,
 * -accel/-enable-kvm, -m, -overcommit mem-lock=on, -realtime mlock=on, and
 * -device spapr-pci-host-bridge / vfio-pci / others with a bus=.
 * args: NUL-separated as in /proc/PID/cmdline.
 */
int tce_qemu_parse_cmdline(const char *args, size_t len, struct tce_vm *vm)
{
	_cleanup_strv_free_ char **av = NULL;
	_cleanup_strv_free_ char **devs = NULL;
	_cleanup_free_ char *joined = NULL;
	size_t n = 0, n_devs = 0;
	char *j;
	int k;

	/* linear in len: a hostile command line of 1 MiB of NULs is a million
	 * arguments (no strv_push, no strcat, each of which rescans) */
	for (size_t p = 0; p < len; n++)
		p += strnlen(args + p, len - p) + 1;
	if (!(av = calloc(n + 1, sizeof(char *))) || !(devs = calloc(n / 2 + 1, sizeof(char *))))
		return -ENOMEM;
	for (size_t p = 0, i = 0; i < n; i++) {
		size_t al = strnlen(args + p, len - p);

		if (!(av[i] = strndup(args + p, al)))
			return -ENOMEM;
		p += al + 1;
	}
	if (!(joined = malloc(len + 1)))
		return -ENOMEM;
	j = joined;
	for (size_t i = 0; i < n; i++) {
		size_t al = strlen(av[i]);

		memcpy(j, av[i], al);
		j += al;
		if (i + 1 < n)
			*j++ = ' ';
	}
	*j = '\0';
	free(vm->cmdline);
	vm->cmdline = TAKE_PTR(joined);

	for (size_t i = 0; i < n; i++) {
		/* QEMU accepts "-opt" and "--opt" alike */
		const char *o = av[i][0] == '-' && av[i][1] == '-' ? av[i] + 1 : av[i];
		const char *v = i + 1 < n ? av[i + 1] : NULL;

		if (streq(o, "-enable-kvm")) {
			free(vm->accel);
			vm->accel = strdup("kvm");
			continue;
		}
		if (!v || o[0] != '-')
			continue;
		if (streq(o, "-name")) {
			_cleanup_free_ char *g = opt_get(v, "guest", "guest");

			if (g && !vm->name)
				vm->name = TAKE_PTR(g);
			i++;
		} else if (streq(o, "-uuid")) {
			if (!vm->uuid && !(vm->uuid = strdup(v)))
				return -ENOMEM;
			i++;
		} else if (streq(o, "-M") || streq(o, "-machine")) {
			_cleanup_free_ char *t = opt_get(v, "type", "type");
			_cleanup_free_ char *a = opt_get(v, "accel", NULL);
			_cleanup_free_ char *ml = opt_get(v, "mem-lock", NULL);
			bool b;

			if (t && !streq(t, "help")) {
				free(vm->machine);
				vm->machine = TAKE_PTR(t);
			}
			if (a) {
				char *colon =
				    strchr(a, ':'); /* accel=kvm:tcg: the first that works */

				if (colon)
					*colon = '\0';
				free(vm->accel);
				vm->accel = TAKE_PTR(a);
			}
			if (opt_bool(ml, &b) && b)
				vm->mem_lock_on = true;
			i++;
		} else if (streq(o, "-accel")) {
			char *a = opt_get(v, "accel", "accel");

			if (a) {
				free(vm->accel);
				vm->accel = a;
			}
			i++;
		} else if (streq(o, "-m")) {
			_cleanup_free_ char *s = opt_get(v, "size", "size");
			uint64_t b;

			if (s && tce_qemu_parse_size(s, 1ULL << 20, &b) == 0) {
				vm->ram = b;
				vm->has_ram = true;
			}
			i++;
		} else if (streq(o, "-overcommit") || streq(o, "-realtime")) {
			_cleanup_free_ char *ml =
			    opt_get(v, streq(o, "-overcommit") ? "mem-lock" : "mlock", NULL);
			bool b;

			if (opt_bool(ml, &b) && b)
				vm->mem_lock_on = true;
			i++;
		} else if (streq(o, "-device")) {
			/* one -device per two arguments at most: devs has room */
			if (!(devs[n_devs++] = strdup(v)))
				return -ENOMEM;
			i++;
		}
	}
	if (vm->accel)
		vm->kvm = streq(vm->accel, "kvm") ? TCE_YES : TCE_NO;
	else /* QEMU's default accelerator is TCG (accel/accel-softmmu.c) */
		vm->kvm = TCE_NO;

	/* PHBs first: a device's bus= names a PHB's id. The default PHB is
	 * always there on pseries (hw/ppc/spapr.c), qemu-system-ppc64's default
	 * machine. */
	if (vm->machine ? strneq(vm->machine, "pseries", 7)
			: n > 0 && strstr(av[0], "qemu-system-ppc64") != NULL) {
		if (!tce_vm_phb_get(vm, 0)) /* the default PHB (hw/ppc/spapr.c) */
			return -ENOMEM;
	}
	for (char **d = devs; *d; d++) {
		struct devopt o;

		if (devopt_parse(*d, &o) < 0)
			continue;
		if (streq(o.driver, "spapr-pci-host-bridge") && (k = add_phb(vm, &o)) == -ENOMEM) {
			devopt_done(&o);
			return k;
		}
		devopt_done(&o);
	}
	for (char **d = devs; *d; d++) {
		struct devopt o;
		struct tce_vm_device *dev;
		uint32_t phb;
		bool vfio;

		if (devopt_parse(*d, &o) < 0)
			continue;
		if (streq(o.driver, "spapr-pci-host-bridge")) {
			devopt_done(&o);
			continue;
		}
		vfio = is_pci_host_device(o.driver);
		/* an emulated device without bus= may not be PCI at all (spapr-vty) */
		if (!vfio && !o.bus) {
			devopt_done(&o);
			continue;
		}
		if (!(dev = tce_vm_device_add(vm))) {
			devopt_done(&o);
			return -ENOMEM;
		}
		dev->driver = TAKE_PTR(o.driver);
		dev->id = TAKE_PTR(o.id);
		dev->vfio = vfio;
		dev->host_bdf = TAKE_PTR(o.host);
		dev->host_sysfsdev = TAKE_PTR(o.sysfsdev);
		if (bus_phb(vm, o.bus, &phb)) {
			dev->has_phb = true;
			dev->phb_index = phb;
		}
		devopt_done(&o);
	}
	return 0;
}

/* The PHBs' vfio state from the devices: complete only when the devices are
 * (the command line misses hotplugged ones: callers say so). */
void tce_vm_mark_vfio_phbs(struct tce_vm *vm)
{
	for (size_t i = 0; i < vm->n_phbs; i++) {
		struct tce_vm_phb *p = &vm->phbs[i];
		bool any = false, unplaced = false;

		for (size_t j = 0; j < vm->n_devices; j++) {
			const struct tce_vm_device *d = &vm->devices[j];

			if (!d->vfio)
				continue;
			if (!d->has_phb)
				unplaced = true;
			else if (d->phb_index == p->index)
				any = true;
		}
		p->vfio = any ? TCE_YES : unplaced ? TCE_UNKNOWN : TCE_NO;
	}
}

/* ---- reading one process --------------------------------------------------- */

static int push_u64(uint64_t **arr, size_t *n, uint64_t v)
{
	uint64_t *a;

	for (size_t i = 0; i < *n; i++)
		if ((*arr)[i] == v)
			return 0;
	a = realloc(*arr, (*n + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	a[(*n)++] = v;
	*arr = a;
	return 0;
}

/* Classify one fd target; 0, or -ENOMEM. */
int tce_proc_fd_target(struct tce_vm *vm, const char *target)
{
	static const char vfio[] = PATH_DEV_VFIO "/";

	if (streq(target, "anon_inode:kvm-spapr-tce"))
		vm->n_tce_fds++;
	else if (streq(target, "anon_inode:kvm-vfio"))
		vm->kvm_vfio = true;
	else if (streq(target, "anon_inode:kvm-vm"))
		vm->kvm_vm_fd = true;
	else if (streq(target, PATH_DEV_VFIO_CONTAINER))
		vm->vfio_container = true;
	else if (strneq(target, vfio, sizeof(vfio) - 1)) {
		uint64_t g;

		if (tce_parse_u64(target + sizeof(vfio) - 1, 10, &g) == 0)
			return push_u64(&vm->vfio_groups, &vm->n_vfio_groups, g);
	}
	return 0;
}

/*
 * The command line into vm. A libvirt domain's XML is complete for PHBs and
 * devices (hotplugged ones too): then only what the XML lacks is taken from
 * the command line (accelerator, RAM, mem-lock, the PHBs' window options).
 */
static int merge_cmdline(struct tce_vm *vm, const char *buf, size_t len)
{
	struct tce_vm c = { .kvm = TCE_UNKNOWN, .cap_ipc_lock = TCE_UNKNOWN };
	int k;

	if (!(vm->sources & TCE_VM_SRC_LIBVIRT))
		return tce_qemu_parse_cmdline(buf, len, vm);
	k = tce_qemu_parse_cmdline(buf, len, &c);
	if (k == 0) {
		free(vm->cmdline);
		vm->cmdline = TAKE_PTR(c.cmdline);
		if (c.accel) {
			free(vm->accel);
			vm->accel = TAKE_PTR(c.accel);
			vm->kvm = c.kvm;
		}
		if (!vm->machine)
			vm->machine = TAKE_PTR(c.machine);
		if (!vm->uuid)
			vm->uuid = TAKE_PTR(c.uuid);
		if (c.has_ram)
			vm->has_ram = true, vm->ram = c.ram;
		vm->mem_lock_on |= c.mem_lock_on;
		for (size_t i = 0; i < c.n_phbs; i++) {
			const struct tce_vm_phb *cp = &c.phbs[i];
			struct tce_vm_phb *p = NULL;

			for (size_t j = 0; j < vm->n_phbs && !p; j++)
				if (vm->phbs[j].index == cp->index)
					p = &vm->phbs[j];
			if (!p)
				continue; /* the XML has all PHBs */
			if (cp->has_dma_win_addr)
				p->has_dma_win_addr = true, p->dma_win_addr = cp->dma_win_addr;
			if (cp->has_dma_win_size)
				p->has_dma_win_size = true, p->dma_win_size = cp->dma_win_size;
			if (cp->has_dma64_win_addr)
				p->has_dma64_win_addr = true,
				p->dma64_win_addr = cp->dma64_win_addr;
			if (cp->has_pgsz)
				p->has_pgsz = true, p->pgsz = cp->pgsz;
			if (cp->has_ddw)
				p->has_ddw = true, p->ddw = cp->ddw;
		}
	}
	tce_vm_done(&c);
	return k;
}

int tce_vm_read_proc(struct tce_root *r, struct tce_vm *vm)
{
	_cleanup_free_ char *dir = tce_strdup_printf(PATH_PROC "/%d", vm->pid);
	_cleanup_free_ char *p = NULL, *buf = NULL;
	_cleanup_strv_free_ char **fds = NULL;
	size_t len;
	int k;

	if (!dir)
		return -ENOMEM;
	/* status: VmLck, CapEff */
	p = tce_strdup_printf("%s/status", dir);
	k = p ? tce_root_read(r, p, MAX_STATUS, &buf, &len) : -ENOMEM;
	if (k == -ENOENT || k == -ESRCH) {
		vm->proc_err = -ESRCH;
		return 0;
	}
	if (k == 0) {
		struct tce_proc_status st;

		if (tce_proc_parse_status(buf, len, &st) == 0) {
			vm->has_vmlck = st.has_vmlck;
			vm->vmlck = st.vmlck;
			vm->cap_ipc_lock = st.cap_ipc_lock;
		}
		free(TAKE_PTR(buf));
	}
	free(p);
	p = tce_strdup_printf("%s/limits", dir);
	if (p && tce_root_read(r, p, MAX_STATUS, &buf, &len) == 0) {
		if (tce_proc_parse_memlock(buf, len, &vm->memlock_soft, &vm->memlock_hard) == 0)
			vm->has_memlock = true;
		free(TAKE_PTR(buf));
	}
	free(p);
	p = tce_strdup_printf("%s/cmdline", dir);
	if (p && tce_root_read(r, p, MAX_CMDLINE, &buf, &len) == 0) {
		if ((k = merge_cmdline(vm, buf, len)) == -ENOMEM)
			return k;
		free(TAKE_PTR(buf));
	}
	/* fds and maps need ptrace access to the process: root for another user's */
	free(p);
	p = tce_strdup_printf("%s/fd", dir);
	k = p ? tce_root_list(r, p, &fds) : -ENOMEM;
	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		vm->proc_err = k == -ENOENT ? -ESRCH : k;
		return 0;
	}
	vm->fds_read = true;
	for (char **f = fds; *f; f++) {
		_cleanup_free_ char *lp = tce_strdup_printf("%s/%s", p, *f);
		_cleanup_free_ char *t = NULL;

		if (lp && tce_root_readlink(r, lp, &t) == 0 && tce_proc_fd_target(vm, t) < 0)
			return -ENOMEM;
	}
	free(p);
	p = tce_strdup_printf("%s/maps", dir);
	k = p ? tce_root_read(r, p, MAX_MAPS, &buf, &len) : -ENOMEM;
	if (k == 0) {
		free(vm->table_lens);
		vm->table_lens = NULL;
		if (tce_proc_parse_tce_maps(buf, len, &vm->table_lens, &vm->n_table_lens) == 0)
			vm->maps_read = true;
	} else if (k != -ENOMEM && !vm->proc_err) {
		vm->proc_err = k;
	}
	return k == -ENOMEM ? k : 0;
}
