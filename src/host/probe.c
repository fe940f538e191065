/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The probe interface: live answers, recorded into and replayed from the
 * snapshot's sidecar file. See include/tceiommu/probe.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tceiommu/hostinfo.h"
#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/probe.h"
#include "tceiommu/sandbox.h"
#include "tceiommu/util.h"

struct answer {
	char *kind, *key;
	int err;
	char **values;
};

struct tce_probe_store {
	struct answer *a;
	size_t n, alloc;
	bool sorted;
	/* live caches */
	bool holders_scanned;
	int holders_err;
	struct answer *holders; /* kind "vfio-holders", one per group found */
	size_t n_holders;
	struct udev *udev;
	struct udev_hwdb *hwdb;
	bool hwdb_tried;
	bool local_hwdb_said; /* tce_probe_local_hwdb()'s message, once */
	struct kmod_ctx *kmod;
};

int tce_probe_store_new(struct tce_probe_store **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

static void answer_clear(struct answer *a)
{
	free(a->kind);
	free(a->key);
	strv_free(a->values);
}

void tce_probe_store_free(struct tce_probe_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		answer_clear(&s->a[i]);
	for (size_t i = 0; i < s->n_holders; i++)
		answer_clear(&s->holders[i]);
	free(s->a);
	free(s->holders);
	if (s->hwdb)
		udev_hwdb_unref(s->hwdb);
	if (s->udev)
		udev_unref(s->udev);
	if (s->kmod)
		kmod_unref(s->kmod);
	free(s);
}

static int answer_cmp(const void *x, const void *y)
{
	const struct answer *a = x, *b = y;
	int c = strcmp(a->kind, b->kind);

	return c ? c : strcmp(a->key, b->key);
}

static struct answer *store_find(struct tce_probe_store *s, const char *kind, const char *key)
{
	struct answer k = { (char *)kind, (char *)key, 0, NULL };

	if (!s->sorted && s->n) {
		qsort(s->a, s->n, sizeof(*s->a), answer_cmp);
		s->sorted = true;
	}
	return s->n ? bsearch(&k, s->a, s->n, sizeof(*s->a), answer_cmp) : NULL;
}

static struct answer *store_add(struct tce_probe_store *s, const char *kind, const char *key)
{
	struct answer *a;

	if (s->n == s->alloc) {
		size_t na = s->alloc ? s->alloc * 2 : 64;
		struct answer *nx = realloc(s->a, na * sizeof(*nx));

		if (!nx)
			return NULL;
		s->a = nx;
		s->alloc = na;
	}
	a = &s->a[s->n];
	*a = (struct answer){ strdup(kind), strdup(key), 0, NULL };
	if (!a->kind || !a->key) {
		answer_clear(a);
		return NULL;
	}
	s->n++;
	s->sorted = false;
	return a;
}

static struct answer *store_add(struct tce_probe_store *s, const char *kind, const char *key);

/* One answer per (kind, key), its values in file order; O(n log n). */
static int store_merge(struct tce_probe_store *s)
{
	size_t w = 0, a_n, a_cap;

	if (!s->n)
		return 0;
	qsort(s->a, s->n, sizeof(*s->a), answer_cmp);
	a_n = strv_length(s->a[0].values);
	a_cap = a_n + 1;
	for (size_t i = 1; i < s->n; i++) {
		struct answer *a = &s->a[w], *b = &s->a[i];
		size_t b_n;

		if (answer_cmp(a, b) != 0) {
			s->a[++w] = *b;
			a_n = strv_length(b->values);
			a_cap = a_n + 1;
			continue;
		}
		/* b's values taken onto a's, a's vector grown by doubling: the
		 * lines of one answer scattered over the file are linear too */
		b_n = strv_length(b->values);
		if (b_n && a_n + b_n + 1 > a_cap) {
			size_t nc = a_cap * 2 > a_n + b_n + 1 ? a_cap * 2 : a_n + b_n + 1;
			char **nv = realloc(a->values, nc * sizeof(char *));

			if (!nv)
				return -ENOMEM;
			a->values = nv;
			a_cap = nc;
		}
		for (size_t j = 0; j < b_n; j++) {
			a->values[a_n++] = b->values[j];
			b->values[j] = NULL;
		}
		if (b_n)
			a->values[a_n] = NULL;
		if (b->err && !a->err)
			a->err = b->err;
		answer_clear(b);
	}
	s->n = w + 1;
	s->sorted = true;
	return 0;
}

/* As large as the manifest may be (root-replay.c): a snapshot's sidecar is not bigger. */
#define PROBES_MAX (64u << 20)

int tce_probe_store_load(struct tce_probe_store *s, int fd)
{
	_cleanup_free_ char *buf = NULL;
	FILE *f = fdopen(fd, "r");
	size_t cap = 0, total = 0, n_values = 0, cap_values = 0;
	ssize_t len;
	struct answer *last = NULL;

	if (!f) {
		close(fd);
		return -errno;
	}
	while ((len = getline(&buf, &cap, f)) >= 0) {
		char *kind = buf, *key, *ans;

		total += (size_t)len;
		if (total > PROBES_MAX) {
			fclose(f);
			return -EFBIG;
		}
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		if ((size_t)len != strlen(buf) || !(key = strchr(kind, '\t')))
			continue;
		*key++ = '\0';
		if (!(ans = strchr(key, '\t')))
			continue;
		*ans++ = '\0';
		/* lines of one answer follow each other: extend the last one */
		if (!last || !streq(last->kind, kind) || !streq(last->key, key)) {
			last = store_add(s, kind, key);
			if (!last) {
				fclose(f);
				return -ENOMEM;
			}
			n_values = cap_values = 0;
		}
		if (!last->values && !(last->values = calloc(1, sizeof(char *)))) {
			fclose(f);
			return -ENOMEM;
		}
		if (ans[0] == '=') {
			char *v;

			if (tce_percent_unescape(ans + 1, &v) < 0)
				continue;
			/* appended in place, the vector grown by doubling: an answer
			 * of many lines is linear, not a strv_push (a count) each */
			if (n_values + 2 > cap_values) {
				size_t nc = cap_values ? cap_values * 2 : 8;
				char **nv = realloc(last->values, nc * sizeof(char *));

				if (!nv) {
					free(v);
					fclose(f);
					return -ENOMEM;
				}
				last->values = nv;
				cap_values = nc;
			}
			last->values[n_values++] = v;
			last->values[n_values] = NULL;
		} else if (ans[0] == '!') {
			last->err = tce_errno_from_name(ans + 1);
			if (!last->err)
				last->err = EIO;
		}
	}
	fclose(f);
	return store_merge(s);
}

int tce_probe_store_save(struct tce_probe_store *s, int dirfd, const char *relpath)
{
	FILE *f;
	int fd;

	fd = openat(dirfd, relpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -errno;
	}
	if (s->n) {
		qsort(s->a, s->n, sizeof(*s->a), answer_cmp);
		s->sorted = true;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct answer *a = &s->a[i];

		if (i > 0 && answer_cmp(a, &s->a[i - 1]) == 0)
			continue;
		if (a->err) {
			fprintf(f, "%s\t%s\t!%s\n", a->kind, a->key, tce_errno_name(a->err));
		} else if (!a->values || !a->values[0]) {
			fprintf(f, "%s\t%s\t-\n", a->kind, a->key);
		} else {
			for (char **v = a->values; *v; v++) {
				_cleanup_free_ char *e = tce_percent_escape(*v);

				fprintf(f, "%s\t%s\t=%s\n", a->kind, a->key, e ? e : "");
			}
		}
	}
	if (fflush(f) != 0 || ferror(f)) {
		int k = -errno;

		fclose(f);
		return k ? k : -EIO;
	}
	return fclose(f) == 0 ? 0 : -errno;
}

/* ---- live answers -------------------------------------------------------- */

/*
 * udev hwdb (systemd hwdb/20-pci-vendor-model.hwdb): "pci:v<vendor>d<device>"
 * gives ID_VENDOR_FROM_DATABASE and ID_MODEL_FROM_DATABASE, what lspci shows.
 * libudev reads the compiled hwdb.bin (/etc/udev, /usr/lib/udev, ...), which
 * systemd-hwdb writes from the udev package's hwdb.d: a minimal system has
 * none, and then no names.
 */
static struct udev_hwdb *hwdb_open(struct tce_probe_store *s)
{
	if (!s->hwdb_tried) {
		s->hwdb_tried = true;
		s->udev = udev_new();
		if (s->udev)
			s->hwdb = udev_hwdb_new(s->udev);
		if (!s->hwdb)
			INF("no udev hwdb on this machine (hwdb.bin: the udev package makes it): "
			    "vendor and product names are unknown");
	}
	return s->hwdb;
}

static int live_hwdb(struct tce_probe_store *s, const char *key, char ***ret)
{
	_cleanup_strv_free_ char **v = NULL;
	struct udev_list_entry *e;

	if (!hwdb_open(s))
		return -ENOENT;
	if (!(v = calloc(1, sizeof(char *))))
		return -ENOMEM;
	udev_list_entry_foreach (e, udev_hwdb_get_properties_list_entry(s->hwdb, key, 0)) {
		const char *name = udev_list_entry_get_name(e);

		if (streq(name, "ID_VENDOR_FROM_DATABASE") ||
		    streq(name, "ID_MODEL_FROM_DATABASE")) {
			char *kv = tce_strdup_printf("%s=%s", name, udev_list_entry_get_value(e));

			if (strv_push(&v, kv) < 0)
				return -ENOMEM;
		}
	}
	*ret = TAKE_PTR(v);
	return 0;
}

int tce_probe_local_hwdb(struct tce_root *r, const char *key, char ***ret_values)
{
	struct tce_probe_store *s = tce_root_probes(r);
	const char *off = getenv("TCEIOMMU_NO_LOCAL_HWDB");

	if (off && *off && !streq(off, "0")) {
		if (!s->local_hwdb_said) {
			s->local_hwdb_said = true;
			DBG("names the snapshot lacks: not asked of this machine's hwdb "
			    "(TCEIOMMU_NO_LOCAL_HWDB)");
		}
		return -EOPNOTSUPP;
	}
	if (!s->local_hwdb_said) {
		s->local_hwdb_said = true;
		INF("names the snapshot lacks are asked of this machine's udev hwdb");
	}
	return live_hwdb(s, key, ret_values);
}

/* QEMU's "-name guest=NAME,..." or "-name NAME" (libvirt passes guest=). */
static char *qemu_vm_name(int piddirfd)
{
	char buf[65536];
	ssize_t n;
	int fd = openat(piddirfd, "cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	for (char *p = buf; p < buf + n; p += strlen(p) + 1) {
		char *arg = p + strlen(p) + 1, *name, *comma;

		if (!streq(p, "-name") || arg >= buf + n)
			continue;
		name = strneq(arg, "guest=", 6) ? arg + 6 : arg;
		comma = strchr(name, ',');
		return comma ? strndup(name, (size_t)(comma - name)) : strdup(name);
	}
	return NULL;
}

static struct answer *holders_get(struct tce_probe_store *s, const char *group)
{
	struct answer *a;

	for (size_t i = 0; i < s->n_holders; i++)
		if (streq(s->holders[i].key, group))
			return &s->holders[i];
	a = realloc(s->holders, (s->n_holders + 1) * sizeof(*a));
	if (!a)
		return NULL;
	s->holders = a;
	a = &s->holders[s->n_holders];
	*a = (struct answer){ strdup("vfio-holders"), strdup(group), 0, NULL };
	if (!a->kind || !a->key) {
		answer_clear(a);
		return NULL;
	}
	s->n_holders++;
	return a;
}

static void read_comm(int piddirfd, char *comm, size_t len)
{
	int cfd = openat(piddirfd, "comm", O_RDONLY | O_CLOEXEC);
	ssize_t n = cfd >= 0 ? read(cfd, comm, len - 1) : -1;

	if (cfd >= 0)
		close(cfd);
	comm[n > 0 ? n : 0] = '\0';
	if (n > 0 && comm[n - 1] == '\n')
		comm[n - 1] = '\0';
}

/* Is proc mounted with hidepid (fs/proc/root.c: "hidepid=" in its options)? */
static bool proc_hidepid(const char *proc)
{
	_cleanup_free_ char *p = tce_strdup_printf("%s/self/mountinfo", proc);
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	bool hidden = false;
	FILE *f = p ? fopen(p, "re") : NULL;

	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0) {
		/* "... MOUNTPOINT OPTS ... - proc proc SUPEROPTS" */
		char *sep = strstr(line, " - proc ");
		char mnt[256];

		if (!sep || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 || !streq(mnt, proc))
			continue;
		if (strstr(sep, "hidepid=") && !strstr(sep, "hidepid=0") &&
		    !strstr(sep, "hidepid=off"))
			hidden = true;
	}
	fclose(f);
	return hidden;
}

int tce_vfio_holders_scan(const char *proc, bool privileged, char ***ret)
{
	_cleanup_strv_free_ char **lines = NULL;
	_cleanup_free_ char *pid1 = NULL;
	int k;

	/* confined: the unconfined parent scans (src/host/broker.c) */
	if (streq(proc, PATH_PROC) && (k = tce_broker_holders(privileged, ret)) != -ENOSYS)
		return k;
	lines = calloc(1, sizeof(char *));
	pid1 = tce_strdup_printf("%s/1", proc);
	size_t plen = strlen(PATH_DEV_VFIO "/");
	DIR *pd;
	struct dirent *de;

	if (!lines || !pid1)
		return -ENOMEM;
	if (!privileged) {
		/* Another user's fd directory needs ptrace access (root). With
		 * hidepid=2 /proc does not even list them (pid 1 is never ours);
		 * hidepid=1 lists them but hides their contents: the mount says. */
		return access(pid1, F_OK) < 0 || proc_hidepid(proc) ? -EPERM : -EACCES;
	}
	pd = opendir(proc);
	if (!pd)
		return -errno;
	while ((de = readdir(pd))) {
		int pfd, fdfd;
		DIR *fds;
		struct dirent *fe;
		char comm[64] = "";
		_cleanup_free_ char *vm = NULL;
		bool first = true;

		if (!tce_all_digits(de->d_name))
			continue;
		pfd = openat(dirfd(pd), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0)
			continue; /* vanished */
		fdfd = openat(pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		fds = fdfd >= 0 ? fdopendir(fdfd) : NULL;
		if (!fds) {
			if (fdfd >= 0)
				close(fdfd);
			close(pfd);
			continue;
		}
		while ((fe = readdir(fds))) {
			char target[256];
			ssize_t n = readlinkat(dirfd(fds), fe->d_name, target, sizeof(target) - 1);
			const char *grp;
			char *line;

			if (n <= 0)
				continue;
			target[n] = '\0';
			if (strncmp(target, PATH_DEV_VFIO "/", plen) != 0)
				continue;
			grp = target + plen;
			if (!tce_all_digits(grp))
				continue; /* the container /dev/vfio/vfio, or devices/ */
			if (first) {
				first = false;
				read_comm(pfd, comm, sizeof(comm));
				vm = qemu_vm_name(pfd);
			}
			line = vm ? tce_strdup_printf("%s\t%s\t%s\t%s", grp, de->d_name, comm, vm)
				  : tce_strdup_printf("%s\t%s\t%s", grp, de->d_name, comm);
			if (line && strv_contains(lines, line))
				free(line); /* the same group open twice */
			else if (strv_push(&lines, line) < 0) {
				closedir(fds);
				close(pfd);
				closedir(pd);
				return -ENOMEM;
			}
		}
		closedir(fds);
		close(pfd);
	}
	closedir(pd);
	*ret = TAKE_PTR(lines);
	return 0;
}

/* One pass over /proc, done once a run and only when a holder is asked for. */
static int holders_scan(struct tce_probe_store *s)
{
	_cleanup_strv_free_ char **lines = NULL;
	int k = tce_vfio_holders_scan(PATH_PROC, geteuid() == 0, &lines);

	if (k < 0)
		return k;
	for (char **l = lines; *l; l++) {
		char *tab = strchr(*l, '\t');
		struct answer *a;

		*tab = '\0';
		a = holders_get(s, *l);
		if (!a || strv_extend(&a->values, tab + 1) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int live_holders(struct tce_probe_store *s, const char *key, char ***ret)
{
	_cleanup_strv_free_ char **v = NULL;

	if (!s->holders_scanned) {
		s->holders_scanned = true;
		s->holders_err = holders_scan(s);
	}
	if (s->holders_err < 0)
		return s->holders_err;
	if (!(v = calloc(1, sizeof(char *))))
		return -ENOMEM;
	for (size_t i = 0; i < s->n_holders; i++) {
		if (!streq(s->holders[i].key, key))
			continue;
		for (char **p = s->holders[i].values; p && *p; p++)
			if (strv_extend(&v, *p) < 0)
				return -ENOMEM;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

static int live_kvm(struct tce_probe_store *s, const char *key, char ***ret)
{
	return tce_live_kvm(key, ret);
}

static int live_vfio(struct tce_probe_store *s, const char *key, char ***ret)
{
	return tce_live_vfio(key, ret);
}

static int live_module(struct tce_probe_store *s, const char *key, char ***ret)
{
	return tce_live_module(&s->kmod, key, ret);
}

static const struct {
	const char *kind;
	int (*fn)(struct tce_probe_store *s, const char *key, char ***ret);
} live_kinds[] = {
	{ "hwdb", live_hwdb }, { "vfio-holders", live_holders }, { "kvm", live_kvm },
	{ "vfio", live_vfio }, { "module", live_module },
};

static char **strv_copy(char *const *v)
{
	size_t n = strv_length(v);
	char **c = calloc(n + 1, sizeof(char *));

	for (size_t i = 0; c && i < n; i++)
		if (!(c[i] = strdup(v[i])))
			return strv_free(c);
	return c;
}

int tce_probe_put(struct tce_root *r, const char *kind, const char *key, int err,
		  char *const *values)
{
	struct answer *a;

	if (!tce_root_is_recording(r))
		return 0;
	a = store_add(tce_root_probes(r), kind, key);
	if (!a)
		return -ENOMEM;
	a->err = err;
	a->values = err ? NULL : strv_copy(values);
	return 0;
}

int tce_probe(struct tce_root *r, const char *kind, const char *key, char ***ret_values)
{
	struct tce_probe_store *s = tce_root_probes(r);
	struct answer *a;

	if (tce_root_is_live(r)) {
		for (size_t i = 0; i < ARRAY_SIZE(live_kinds); i++) {
			_cleanup_strv_free_ char **v = NULL;
			int k;

			if (!streq(live_kinds[i].kind, kind))
				continue;
			k = live_kinds[i].fn(s, key, &v);
			if (tce_root_is_recording(r) && (a = store_add(s, kind, key))) {
				a->err = k < 0 ? -k : 0;
				a->values = k < 0 ? NULL : strv_copy(v);
			}
			if (k < 0)
				return k;
			*ret_values = TAKE_PTR(v);
			return 0;
		}
		return -EOPNOTSUPP;
	}

	a = store_find(s, kind, key);
	if (!a)
		return -ENODATA;
	/* Recording a snapshot from a snapshot: the store saved at the end is
	 * the one loaded, so every answer is carried over as it was. */
	if (a->err)
		return -a->err;
	*ret_values = strv_copy(a->values);
	return *ret_values ? 0 : -ENOMEM;
}
