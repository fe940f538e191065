/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VM map's libvirt collector: the running domains (read-only
 * connection), what each one's live XML says about its PHBs and PCI devices
 * (pure: tce_libvirt_parse_domain_xml), and libvirt's QMP passthrough for
 * --monitor.
 *
 * Every exchange with libvirt runs on a thread of its own under a deadline,
 * as check-host's libvirt checks do (src/checks/libvirt.c): a libvirtd that
 * accepts and never answers must not hang the tool. When the deadline
 * passes, the job is abandoned to its thread, which frees it when libvirt
 * finally returns; the caller never touches it again.
 *
 * libvirt, libvirt-qemu and libxml2 are loaded on first need
 * (tceiommu/dlopen.h), and libvirt not at all when the URI's daemon has no
 * socket.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"
#include "tceiommu/vm.h"

void tce_libvirt_domains_free(struct tce_libvirt_domain *d, size_t n)
{
	if (!d)
		return;
	for (size_t i = 0; i < n; i++) {
		free(d[i].name);
		free(d[i].uuid);
		free(d[i].xml);
		free(d[i].state);
	}
	free(d);
}

/*
 * Is the daemon behind uri there at all? For the local qemu:///system and
 * qemu:///session URIs, a socket must exist: without one, libvirt would try
 * to start a daemon (session) or fail after trying. 0, or -ENOENT and a note.
 */
int tce_libvirt_daemon_present(const char *uri, char **ret_note)
{
	static const char *const names[] = { LIBVIRT_SOCK_NAMES };
	_cleanup_free_ char *dir = NULL;
	struct stat st;

	if (streq(uri, "qemu:///system")) {
		dir = strdup(PATH_LIBVIRT_RUN);
	} else if (streq(uri, "qemu:///session")) {
		const char *rt = secure_getenv("XDG_RUNTIME_DIR");
		const char *home = secure_getenv("HOME");

		if (rt && rt[0] == '/')
			dir = tce_strdup_printf("%s/libvirt", rt);
		else if (home && home[0] == '/')
			dir = tce_strdup_printf("%s/.cache/libvirt", home);
		else
			return 0;
	} else {
		return 0;
	}
	if (!dir)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *p = tce_strdup_printf("%s/%s", dir, names[i]);

		if (!p)
			return -ENOMEM;
		if (stat(p, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
	}
	if (ret_note)
		*ret_note = tce_strdup_printf("libvirt is not running (no socket at %s/%s or "
					      "%s/%s)",
					      dir, names[0], dir, names[2]);
	return -ENOENT;
}

#ifdef WITH_LIBVIRT
#include <pthread.h>
#include <time.h>
#include <json-c/json.h>

#include "tceiommu/dlopen.h"
#include "tceiommu/qmp.h"

/* ---- the domain XML ------------------------------------------------------ */

/* libvirt's own XML of a big domain is tens of KiB; anything near this is not one. */
#define DOMAIN_XML_MAX (16u << 20)
/* a controller chain (pci-bridge behind pci-bridge ...) is never this deep */
#define BUS_HOPS_MAX 32

static bool is_elem(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && streq((const char *)n->name, name);
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (is_elem(c, name))
			return c;
	return NULL;
}

/* An attribute, malloc'd (not xmlMalloc'd); NULL when absent or empty. */
static char *attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = n ? sym_xmlGetNoNsProp(n, (const xmlChar *)name) : NULL;
	char *s = v && v[0] ? strdup((const char *)v) : NULL;

	(*sym_xmlFree)(v);
	return s;
}

static bool attr_is(xmlNodePtr n, const char *name, const char *want)
{
	_cleanup_free_ char *v = attr(n, name);

	return v && streq(v, want);
}

/* An unsigned attribute, "0x1f" or "31" as libvirt writes them; -ENOENT when absent. */
static int attr_u64(xmlNodePtr n, const char *name, uint64_t *ret)
{
	_cleanup_free_ char *v = attr(n, name);

	if (!v)
		return -ENOENT;
	return tce_parse_u64(v, 0, ret);
}

/* The text of an element, malloc'd and trimmed by tce_parse_*; NULL if none. */
static char *text(xmlNodePtr n)
{
	xmlChar *v = n ? sym_xmlNodeGetContent(n) : NULL;
	char *s = v && v[0] ? strdup((const char *)v) : NULL;

	(*sym_xmlFree)(v);
	return s;
}

/* A libvirt scaled integer (<memory unit='KiB'>N</memory>) in bytes: 0 or -errno. */
static int scaled(xmlNodePtr n, uint64_t *ret)
{
	/* docs/formatdomain.rst "Memory Allocation": KiB when no unit is given */
	static const struct {
		const char *u;
		uint64_t m;
	} units[] = {
		{ "b", 1 },	     { "bytes", 1 },	    { "KB", 1000 },
		{ "k", 1024 },	     { "KiB", 1024 },	    { "MB", 1000000 },
		{ "M", 1ULL << 20 }, { "MiB", 1ULL << 20 }, { "GB", 1000000000 },
		{ "G", 1ULL << 30 }, { "GiB", 1ULL << 30 }, { "TB", 1000000000000ULL },
		{ "T", 1ULL << 40 }, { "TiB", 1ULL << 40 }, { "PB", 1000000000000000ULL },
		{ "P", 1ULL << 50 }, { "PiB", 1ULL << 50 }, { "EB", 1000000000000000000ULL },
		{ "E", 1ULL << 60 }, { "EiB", 1ULL << 60 },
	};
	_cleanup_free_ char *v = text(n), *unit = attr(n, "unit");
	uint64_t num, mul = 1024;
	int r;

	if (!v)
		return -ENOENT;
	r = tce_parse_u64(v, 10, &num);
	if (r < 0)
		return r;
	if (unit) {
		mul = 0;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++)
			if (streq(unit, units[i].u))
				mul = units[i].m;
		if (!mul)
			return -EINVAL;
	}
	if (num > UINT64_MAX / mul)
		return -ERANGE;
	*ret = num * mul;
	return 0;
}

struct ctrl {
	uint64_t index;
	bool phb; /* a pci-root that is an sPAPR PHB */
	bool has_target;
	uint64_t target;
	xmlNodePtr node;
};

/* The PHB a guest PCI address's bus= lands on, through the controllers. */
static bool bus_to_phb(const struct ctrl *c, size_t nc, uint64_t bus, uint32_t *ret)
{
	for (int hop = 0; hop < BUS_HOPS_MAX; hop++) {
		const struct ctrl *k = NULL;
		xmlNodePtr a;

		for (size_t i = 0; i < nc; i++)
			if (c[i].index == bus)
				k = &c[i];
		if (!k)
			return false;
		if (k->phb) {
			if (!k->has_target || k->target > UINT32_MAX)
				return false;
			*ret = (uint32_t)k->target;
			return true;
		}
		/* a pci-bridge (or other) sits on a bus of its own parent */
		a = child(k->node, "address");
		if (!a || !attr_is(a, "type", "pci") || attr_u64(a, "bus", &bus) < 0)
			return false;
	}
	return false;
}

static int note(struct tce_vm *vm, const char *fmt, ...) _printf_(2, 3);
static int note(struct tce_vm *vm, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	return s ? strv_push(&vm->notes, s) : -ENOMEM;
}

static int set_str(char **dst, char *v)
{
	free(*dst);
	*dst = v;
	return 0;
}

/* <source><address domain= bus= slot= function=/></source> -> "dddd:bb:dd.f" */
static char *host_bdf(xmlNodePtr dev)
{
	xmlNodePtr a = child(child(dev, "source"), "address");
	uint64_t d = 0, b, s, f;

	if (!a || attr_u64(a, "bus", &b) < 0 || attr_u64(a, "slot", &s) < 0 ||
	    attr_u64(a, "function", &f) < 0)
		return NULL;
	if (attr_u64(a, "domain", &d) == -EINVAL)
		return NULL;
	if (d > 0xffff || b > 0xff || s > 0x1f || f > 7)
		return NULL;
	return tce_strdup_printf("%04x:%02x:%02x.%x", (unsigned)d, (unsigned)b, (unsigned)s,
				 (unsigned)f);
}

/* The driver name an emulated device shows: its model, else the disk's bus. */
static char *emulated_driver(xmlNodePtr dev)
{
	char *m = attr(child(dev, "model"), "type");

	if (!m)
		m = attr(child(dev, "model"), "name");
	if (!m) /* <memballoon model='virtio'>, <rng model='virtio'> */
		m = attr(dev, "model");
	if (!m && is_elem(dev, "disk"))
		m = attr(child(dev, "target"), "bus");
	return m ? m : strdup((const char *)dev->name);
}

static int add_device(struct tce_vm *vm, xmlNodePtr dev, bool vfio, const struct ctrl *c, size_t nc)
{
	xmlNodePtr a = child(dev, "address");
	struct tce_vm_device *d;
	uint64_t bus;
	uint32_t phb;

	d = tce_vm_device_add(vm);
	if (!d)
		return -ENOMEM;
	d->vfio = vfio;
	d->id = attr(child(dev, "alias"), "name");
	if (vfio) {
		d->driver = strdup("vfio-pci");
		d->host_bdf = host_bdf(dev);
		d->iommufd = attr_is(child(dev, "driver"), "iommufd", "yes");
	} else {
		d->driver = emulated_driver(dev);
	}
	if (!d->driver)
		return -ENOMEM;
	if (a && attr_is(a, "type", "pci") && attr_u64(a, "bus", &bus) == 0 &&
	    bus_to_phb(c, nc, bus, &phb)) {
		d->has_phb = true;
		d->phb_index = phb;
	}
	return 0;
}

static int parse_devices(struct tce_vm *vm, xmlNodePtr devs, bool pseries)
{
	_cleanup_free_ struct ctrl *c = NULL;
	size_t nc = 0;
	int r;

	/* the PCI controllers first: devices name them by index */
	for (xmlNodePtr n = devs ? devs->children : NULL; n; n = n->next) {
		struct ctrl k = { .node = n };
		struct ctrl *g;
		_cleanup_free_ char *model = NULL, *mname = NULL;

		if (!is_elem(n, "controller") || !attr_is(n, "type", "pci") ||
		    attr_u64(n, "index", &k.index) < 0)
			continue;
		model = attr(n, "model");
		mname = attr(child(n, "model"), "name");
		k.has_target = attr_u64(child(n, "target"), "index", &k.target) == 0;
		if (model && streq(model, "pci-root")) {
			if (mname)
				k.phb = streq(mname, "spapr-pci-host-bridge");
			else /* libvirt's implicit PHB 0 of a pseries machine */
				k.phb = k.index == 0 && pseries;
			if (k.phb && !k.has_target && k.index == 0) {
				k.has_target = true;
				k.target = 0;
			}
		}
		g = realloc(c, (nc + 1) * sizeof(*c));
		if (!g)
			return -ENOMEM;
		c = g;
		c[nc++] = k;
	}
	for (size_t i = 0; i < nc; i++) {
		struct tce_vm_phb *p;
		char *alias;

		if (!c[i].phb)
			continue;
		if (!c[i].has_target || c[i].target > UINT32_MAX) {
			r = note(vm,
				 "libvirt: PHB controller index %llu has no <target index>: its "
				 "LIOBNs are not known",
				 (unsigned long long)c[i].index);
			if (r < 0)
				return r;
			continue;
		}
		p = tce_vm_phb_get(vm, (uint32_t)c[i].target);
		if (!p)
			return -ENOMEM;
		alias = attr(child(c[i].node, "alias"), "name");
		if (alias)
			set_str(&p->id, alias);
	}
	for (xmlNodePtr n = devs ? devs->children : NULL; n; n = n->next) {
		xmlNodePtr a;

		if (n->type != XML_ELEMENT_NODE || is_elem(n, "controller"))
			continue;
		if (is_elem(n, "hostdev")) {
			if (!attr_is(n, "mode", "subsystem") || !attr_is(n, "type", "pci"))
				continue;
			r = add_device(vm, n, true, c, nc);
		} else if (is_elem(n, "interface") && attr_is(n, "type", "hostdev")) {
			r = add_device(vm, n, true, c, nc);
		} else {
			/* an emulated device on a PCI bus */
			a = child(n, "address");
			if (!a || !attr_is(a, "type", "pci"))
				continue;
			r = add_device(vm, n, false, c, nc);
		}
		if (r < 0)
			return r;
	}
	/* the live XML is the whole domain: a PHB without a VFIO device has none */
	for (size_t i = 0; i < vm->n_phbs; i++) {
		vm->phbs[i].vfio = TCE_NO;
		for (size_t k = 0; k < vm->n_devices; k++)
			if (vm->devices[k].vfio && vm->devices[k].has_phb &&
			    vm->devices[k].phb_index == vm->phbs[i].index)
				vm->phbs[i].vfio = TCE_YES;
	}
	return 0;
}

static int parse_memlock(struct tce_vm *vm, xmlNodePtr root)
{
	xmlNodePtr hard = child(child(root, "memtune"), "hard_limit");
	uint64_t v;
	int r = 0;

	if (hard) {
		char s[32];

		if (scaled(hard, &v) == 0) {
			tce_format_size(v, s, sizeof(s));
			r = note(vm, "libvirt: <memtune><hard_limit> %s: the memlock limit", s);
		} else {
			r = note(vm, "libvirt: <memtune><hard_limit> unreadable");
		}
		if (r < 0)
			return r;
	}
	if (child(child(root, "memoryBacking"), "locked")) {
		vm->mem_lock_on = true;
		r = note(vm, "libvirt: <memoryBacking><locked/>: memlock unlimited%s",
			 hard ? " (but <hard_limit> comes first)" : "");
	}
	return r;
}

int tce_libvirt_parse_domain_xml(const char *xml, size_t len, struct tce_vm *vm)
{
	xmlDocPtr doc;
	xmlNodePtr root, os_type, mem;
	_cleanup_free_ char *type = NULL;
	uint64_t v;
	int r;

	if (!xml || !vm)
		return -EINVAL;
	if (len > DOMAIN_XML_MAX)
		return -EFBIG;
	r = tce_dlopen_libxml2(NULL);
	if (r < 0)
		return r;
	/*
	 * Hostile XML: libvirt never writes a DTD, so one (and any entity
	 * declaration, the "billion laughs") is refused before libxml2 sees
	 * it. No XML_PARSE_NOENT (no substitution), no DTD loading, no network.
	 */
	if (memmem(xml, len, "<!DOCTYPE", 9) || memmem(xml, len, "<!ENTITY", 8))
		return -EINVAL;
	doc = sym_xmlReadMemory(xml, (int)len, "domain.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return -EINVAL;
	root = sym_xmlDocGetRootElement(doc);
	if (!is_elem(root, "domain") || doc->intSubset || doc->extSubset) {
		sym_xmlFreeDoc(doc);
		return -EINVAL;
	}

	vm->sources |= TCE_VM_SRC_LIBVIRT;
	if (child(root, "name")) {
		char *s = text(child(root, "name"));

		if (s)
			set_str(&vm->name, s);
	}
	if (child(root, "uuid")) {
		char *s = text(child(root, "uuid"));

		if (s)
			set_str(&vm->uuid, s);
	}
	os_type = child(child(root, "os"), "type");
	if (os_type) {
		char *m = attr(os_type, "machine");

		if (m)
			set_str(&vm->machine, m);
	}
	type = attr(root, "type");
	if (type && streq(type, "kvm")) {
		set_str(&vm->accel, strdup("kvm"));
		vm->kvm = TCE_YES;
	} else if (type && streq(type, "qemu")) {
		set_str(&vm->accel, strdup("tcg"));
		vm->kvm = TCE_NO;
	}
	mem = child(root, "currentMemory");
	if (!mem || scaled(mem, &v) < 0) {
		mem = child(root, "memory");
		if (mem && scaled(mem, &v) < 0)
			mem = NULL;
	}
	if (mem) {
		vm->has_ram = true;
		vm->ram = v;
	}
	r = parse_memlock(vm, root);
	if (r >= 0)
		r = parse_devices(vm, child(root, "devices"),
				  vm->machine && strneq(vm->machine, "pseries", 7));
	sym_xmlFreeDoc(doc);
	return r < 0 ? r : 0;
}

/* ---- jobs under a deadline ----------------------------------------------- */

struct job {
	pthread_mutex_t m;
	pthread_cond_t cv;
	bool done, abandoned;
	void (*run)(struct job *j);
	void (*free)(struct job *j); /* frees the whole job (it is the first member) */
	int err;
	char *msg;
};

static void silent(void *data, virErrorPtr e)
{
	DBG("libvirt: %s", e && e->message ? e->message : "error");
}

static void *job_thread(void *p)
{
	struct job *j = p;
	bool abandoned;

	sym_virSetErrorFunc(NULL, silent);
	j->run(j);
	pthread_mutex_lock(&j->m);
	j->done = true;
	abandoned = j->abandoned;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->m);
	if (abandoned)
		j->free(j);
	return NULL;
}

static void job_init(struct job *j, void (*run)(struct job *), void (*fr)(struct job *))
{
	pthread_condattr_t a;

	pthread_mutex_init(&j->m, NULL);
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &a);
	pthread_condattr_destroy(&a);
	j->run = run;
	j->free = fr;
}

static void job_destroy(struct job *j)
{
	pthread_mutex_destroy(&j->m);
	pthread_cond_destroy(&j->cv);
	free(j->msg);
}

/*
 * Run j on a thread and wait up to timeout_ms. 0: done, the caller owns j
 * and reads j->err. -ETIMEDOUT: abandoned, the thread frees j. Other
 * -errno: no thread, the caller owns j.
 */
static int job_run(struct job *j, int timeout_ms)
{
	pthread_t t;
	struct timespec ts;
	bool done;

	if (pthread_create(&t, NULL, job_thread, j) != 0)
		return -EAGAIN;
	pthread_detach(t);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->m);
	while (!j->done)
		if (pthread_cond_timedwait(&j->cv, &j->m, &ts) == ETIMEDOUT)
			break;
	done = j->done;
	if (!done)
		j->abandoned = true;
	pthread_mutex_unlock(&j->m);
	return done ? 0 : -ETIMEDOUT;
}

static bool denied(int code)
{
	return code == VIR_ERR_AUTH_FAILED || code == VIR_ERR_AUTH_CANCELLED ||
	       code == VIR_ERR_ACCESS_DENIED || code == VIR_ERR_OPERATION_DENIED ||
	       code == VIR_ERR_AUTH_UNAVAILABLE;
}

/* libvirt's last error as -errno and words, into j. */
static void job_fail(struct job *j, const char *what)
{
	virErrorPtr e = sym_virGetLastError();
	const char *m = e && e->message ? e->message : "error";

	if (e && denied(e->code))
		j->err = -EACCES;
	else if (e && e->code == VIR_ERR_SYSTEM_ERROR &&
		 (e->int1 == ECONNREFUSED || e->int1 == ENOENT))
		j->err = -e->int1;
	else if (e && e->code == VIR_ERR_NO_DOMAIN)
		j->err = -ESRCH;
	else
		j->err = -EIO;
	free(j->msg);
	if (j->err == -EACCES)
		j->msg = tce_strdup_printf("libvirt refused %s (run as root, or allow this user "
					   "in polkit): %s",
					   what, m);
	else if (j->err == -ECONNREFUSED || j->err == -ENOENT)
		j->msg = tce_strdup_printf("libvirt is not running: %s", m);
	else
		j->msg = tce_strdup_printf("%s: %s", what, m);
}

/* ---- the running domains ------------------------------------------------- */

static const char *state_word(int s)
{
	switch (s) {
	case VIR_DOMAIN_RUNNING:
		return "running";
	case VIR_DOMAIN_BLOCKED:
		return "blocked";
	case VIR_DOMAIN_PAUSED:
		return "paused";
	case VIR_DOMAIN_SHUTDOWN:
		return "shutting-down";
	case VIR_DOMAIN_SHUTOFF:
		return "shut-off";
	case VIR_DOMAIN_CRASHED:
		return "crashed";
	case VIR_DOMAIN_PMSUSPENDED:
		return "pm-suspended";
	default:
		return "unknown";
	}
}

struct list_job {
	struct job j; /* first */
	char *uri;
	struct tce_libvirt_domain *doms;
	size_t n;
};

static void list_free(struct job *j)
{
	struct list_job *l = (struct list_job *)j;

	tce_libvirt_domains_free(l->doms, l->n);
	free(l->uri);
	job_destroy(j);
	free(l);
}

static void list_run(struct job *j)
{
	struct list_job *l = (struct list_job *)j;
	virConnectPtr conn = sym_virConnectOpenReadOnly(l->uri);
	virDomainPtr *d = NULL;
	int n;

	if (!conn) {
		job_fail(j, "virConnectOpenReadOnly");
		return;
	}
	n = sym_virConnectListAllDomains(conn, &d, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (n < 0) {
		job_fail(j, "virConnectListAllDomains");
		sym_virConnectClose(conn);
		return;
	}
	l->doms = calloc((size_t)n + 1, sizeof(*l->doms));
	for (int i = 0; i < n; i++) {
		struct tce_libvirt_domain *o = l->doms ? &l->doms[l->n] : NULL;
		char uuid[VIR_UUID_STRING_BUFLEN];
		const char *name = sym_virDomainGetName(d[i]);
		int st = -1, reason;
		char *xml;

		if (!o) {
			sym_virDomainFree(d[i]);
			continue;
		}
		xml = sym_virDomainGetXMLDesc(d[i], 0);
		if (!xml) { /* gone since the list, or refused: skip it */
			DBG("libvirt: no XML for %s: %s", name ? name : "?",
			    sym_virGetLastErrorMessage());
			sym_virDomainFree(d[i]);
			continue;
		}
		o->xml = xml;
		o->name = name ? strdup(name) : NULL;
		if (sym_virDomainGetUUIDString(d[i], uuid) == 0)
			o->uuid = strdup(uuid);
		if (sym_virDomainGetState(d[i], &st, &reason, 0) < 0)
			st = -1;
		o->state = strdup(state_word(st));
		l->n++;
		sym_virDomainFree(d[i]);
	}
	free(d);
	sym_virConnectClose(conn);
	if (!l->doms)
		j->err = -ENOMEM;
}

int tce_libvirt_list_running(const char *uri, int timeout_ms, struct tce_libvirt_domain **ret,
			     size_t *ret_n, char **ret_note)
{
	struct list_job *l;
	const char *dlerr;
	int r;

	if (!ret || !ret_n || timeout_ms <= 0)
		return -EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if (ret_note)
		*ret_note = NULL;
	if (!uri)
		uri = "qemu:///system";
	r = tce_libvirt_daemon_present(uri, ret_note);
	if (r < 0)
		return r;
	r = tce_dlopen_libvirt(&dlerr);
	if (r < 0) {
		if (ret_note)
			*ret_note = tce_strdup_printf("libvirt not installed (%s)", dlerr);
		return r;
	}
	l = calloc(1, sizeof(*l));
	if (!l || !(l->uri = strdup(uri))) {
		free(l);
		return -ENOMEM;
	}
	job_init(&l->j, list_run, list_free);
	r = job_run(&l->j, timeout_ms);
	if (r == -ETIMEDOUT) {
		if (ret_note)
			*ret_note = tce_strdup_printf("libvirt did not answer within %d ms at %s",
						      timeout_ms, uri);
		return r; /* l is the thread's now */
	}
	if (r == 0)
		r = l->j.err;
	if (r == 0) {
		*ret = TAKE_PTR(l->doms);
		*ret_n = l->n;
		l->n = 0;
	} else if (ret_note) {
		*ret_note = TAKE_PTR(l->j.msg);
	}
	list_free(&l->j);
	return r;
}

/* ---- QMP passthrough ----------------------------------------------------- */

/*
 * virDomainQemuMonitorCommand (libvirt-qemu.h). libvirt marks every domain
 * it is used on as tainted "custom-monitor" (VIR_DOMAIN_TAINT_CUSTOM_MONITOR,
 * FACTS §5): it shows in the domain's log and in support requests. Only
 * --monitor uses it, and the man page and --help say so.
 *
 * The monitor is shared by the caller and by any exec still running on a
 * thread after its deadline: the last one out closes the connection.
 */
struct tce_libvirt_monitor {
	pthread_mutex_t m;
	int refs;
	bool wedged; /* an exec timed out: libvirt (or QEMU) is not answering */
	int timeout_ms;
	virConnectPtr conn;
	virDomainPtr dom;
};

static void mon_unref(struct tce_libvirt_monitor *mon)
{
	bool last;

	pthread_mutex_lock(&mon->m);
	last = --mon->refs == 0;
	pthread_mutex_unlock(&mon->m);
	if (!last)
		return;
	if (mon->dom)
		sym_virDomainFree(mon->dom);
	if (mon->conn)
		sym_virConnectClose(mon->conn);
	pthread_mutex_destroy(&mon->m);
	free(mon);
}

struct open_job {
	struct job j;
	char *uri, *name;
	virConnectPtr conn;
	virDomainPtr dom;
};

static void open_free(struct job *j)
{
	struct open_job *o = (struct open_job *)j;

	if (o->dom)
		sym_virDomainFree(o->dom);
	if (o->conn)
		sym_virConnectClose(o->conn);
	free(o->uri);
	free(o->name);
	job_destroy(j);
	free(o);
}

static void open_run(struct job *j)
{
	struct open_job *o = (struct open_job *)j;

	/* the passthrough needs a read-write connection */
	o->conn = sym_virConnectOpen(o->uri);
	if (!o->conn) {
		job_fail(j, "virConnectOpen");
		return;
	}
	if (strlen(o->name) == VIR_UUID_STRING_BUFLEN - 1)
		o->dom = sym_virDomainLookupByUUIDString(o->conn, o->name);
	if (!o->dom)
		o->dom = sym_virDomainLookupByName(o->conn, o->name);
	if (!o->dom)
		job_fail(j, "virDomainLookupByName");
}

int tce_libvirt_monitor_open(const char *uri, const char *name, int timeout_ms,
			     struct tce_libvirt_monitor **ret, char **ret_error)
{
	struct open_job *o;
	struct tce_libvirt_monitor *mon;
	const char *dlerr;
	int r;

	if (!name || !ret || timeout_ms <= 0)
		return -EINVAL;
	*ret = NULL;
	if (ret_error)
		*ret_error = NULL;
	if (!uri)
		uri = "qemu:///system";
	r = tce_libvirt_daemon_present(uri, ret_error);
	if (r < 0)
		return r;
	r = tce_dlopen_libvirt_qemu(&dlerr);
	if (r < 0) {
		if (ret_error)
			*ret_error = tce_strdup_printf("libvirt not installed (%s)", dlerr);
		return r;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	job_init(&o->j, open_run, open_free);
	o->uri = strdup(uri);
	o->name = strdup(name);
	if (!o->uri || !o->name) {
		open_free(&o->j);
		return -ENOMEM;
	}
	r = job_run(&o->j, timeout_ms);
	if (r == -ETIMEDOUT) {
		if (ret_error)
			*ret_error = tce_strdup_printf("libvirt did not answer within %d ms at %s",
						       timeout_ms, uri);
		return r;
	}
	if (r == 0)
		r = o->j.err;
	if (r < 0) {
		if (ret_error)
			*ret_error = TAKE_PTR(o->j.msg);
		open_free(&o->j);
		return r;
	}
	mon = calloc(1, sizeof(*mon));
	if (!mon) {
		open_free(&o->j);
		return -ENOMEM;
	}
	pthread_mutex_init(&mon->m, NULL);
	mon->refs = 1;
	mon->timeout_ms = timeout_ms;
	mon->conn = TAKE_PTR(o->conn);
	mon->dom = TAKE_PTR(o->dom);
	open_free(&o->j);
	*ret = mon;
	return 0;
}

struct exec_job {
	struct job j;
	struct tce_libvirt_monitor *mon; /* a reference */
	char *request;
	char *result;
};

static void exec_free(struct job *j)
{
	struct exec_job *e = (struct exec_job *)j;

	mon_unref(e->mon);
	free(e->request);
	free(e->result);
	job_destroy(j);
	free(e);
}

static void exec_run(struct job *j)
{
	struct exec_job *e = (struct exec_job *)j;

	if (sym_virDomainQemuMonitorCommand(e->mon->dom, e->request, &e->result, 0) < 0)
		job_fail(j, "virDomainQemuMonitorCommand");
}

/* QEMU's reply: "return" -> 0 and its JSON text; "error" -> -EREMOTEIO and desc. */
static int qmp_reply(const char *reply, char **ret, char **ret_error)
{
	struct json_tokener *tok;
	json_object *o, *v, *desc;
	size_t len = strlen(reply);
	int r = -EPROTO;

	if (len > TCE_QMP_MAX_REPLY) {
		if (ret_error)
			*ret_error = strdup("the monitor's reply is too large");
		return -EMSGSIZE;
	}
	tok = json_tokener_new_ex(64);
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, reply, (int)len);
	json_tokener_free(tok);
	if (o && json_object_is_type(o, json_type_object)) {
		if (json_object_object_get_ex(o, "return", &v)) {
			*ret = strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
			r = *ret ? 0 : -ENOMEM;
		} else if (json_object_object_get_ex(o, "error", &v)) {
			r = -EREMOTEIO;
			if (ret_error)
				*ret_error =
				    strdup(json_object_object_get_ex(v, "desc", &desc) &&
						   json_object_is_type(desc, json_type_string)
					       ? json_object_get_string(desc)
					       : "error");
		}
	}
	if (r == -EPROTO && ret_error)
		*ret_error = strdup("the monitor's reply is not a QMP reply");
	json_object_put(o);
	return r;
}

int tce_libvirt_monitor_exec(void *monitor, const char *request, char **ret, char **ret_error)
{
	struct tce_libvirt_monitor *mon = monitor;
	struct exec_job *e;
	bool wedged;
	int r;

	if (!mon || !request || !ret)
		return -EINVAL;
	*ret = NULL;
	if (ret_error)
		*ret_error = NULL;
	pthread_mutex_lock(&mon->m);
	wedged = mon->wedged;
	if (!wedged)
		mon->refs++;
	pthread_mutex_unlock(&mon->m);
	if (wedged) {
		if (ret_error)
			*ret_error = strdup("an earlier monitor command got no answer");
		return -ETIMEDOUT;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->request = strdup(request))) {
		free(e);
		mon_unref(mon);
		return -ENOMEM;
	}
	e->mon = mon;
	job_init(&e->j, exec_run, exec_free);
	r = job_run(&e->j, mon->timeout_ms);
	if (r == -ETIMEDOUT) {
		pthread_mutex_lock(&mon->m);
		mon->wedged = true;
		pthread_mutex_unlock(&mon->m);
		if (ret_error)
			*ret_error = tce_strdup_printf("no answer from the monitor within %d ms",
						       mon->timeout_ms);
		return r;
	}
	if (r == 0)
		r = e->j.err;
	if (r == 0)
		r = e->result ? qmp_reply(e->result, ret, ret_error) : -EPROTO;
	else if (ret_error)
		*ret_error = TAKE_PTR(e->j.msg);
	exec_free(&e->j);
	return r;
}

void tce_libvirt_monitor_close(struct tce_libvirt_monitor *m)
{
	if (m)
		mon_unref(m);
}

#else /* !WITH_LIBVIRT */

int tce_libvirt_parse_domain_xml(const char *xml, size_t len, struct tce_vm *vm)
{
	return -EOPNOTSUPP;
}

int tce_libvirt_list_running(const char *uri, int timeout_ms, struct tce_libvirt_domain **ret,
			     size_t *ret_n, char **ret_note)
{
	if (ret)
		*ret = NULL;
	if (ret_n)
		*ret_n = 0;
	if (ret_note)
		*ret_note = strdup("built without libvirt");
	return -EOPNOTSUPP;
}

int tce_libvirt_monitor_open(const char *uri, const char *name, int timeout_ms,
			     struct tce_libvirt_monitor **ret, char **ret_error)
{
	if (ret)
		*ret = NULL;
	if (ret_error)
		*ret_error = strdup("built without libvirt");
	return -EOPNOTSUPP;
}

int tce_libvirt_monitor_exec(void *monitor, const char *request, char **ret, char **ret_error)
{
	return -EOPNOTSUPP;
}

void tce_libvirt_monitor_close(struct tce_libvirt_monitor *m)
{
}
#endif
