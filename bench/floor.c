/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor: the yardstick for `tceiommu --root T list-groups` (issue 9).
 *
 *   floor [--json] T
 *
 * prints what `tceiommu --root T list-groups` prints (the default PowerNV
 * tree and its notes) and, with --json, what `tceiommu --root T list-groups
 * --json` prints, byte for byte, doing as little as that allows: no project
 * code, no libsmartcols, no json-c. It reads exactly the facts each output
 * shows, each sysfs attribute with one read() into a stack buffer, with the
 * tool's confinement (SPEC.md, "Snapshots"):
 *
 * - every directory reached through a link (a group's device, its of_node) is
 *   opened once, openat2(rootfd, PATH, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT |
 *   RESOLVE_NO_MAGICLINKS); the files in it with openat(dfd, NAME, O_RDONLY |
 *   O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC); a group's directory, which is no
 *   link, in the groups' directory without following one;
 * - the PHB (the node with ibm,opal-phbid above a device's of_node) is read
 *   once, whatever the number of groups below it; walking up, each node is
 *   asked once (a memo of node -> PHB), an ancestor as "../ibm,opal-phbid" of
 *   the open of_node (the walk stops at the device-tree base, so ".." never
 *   leaves the root);
 * - the text: column widths need every row, so the rows are kept in a compact
 *   model (numbers, flags, and the device strings in one arena) and printed at
 *   the end, laid out as libsmartcols 2.38 lays out a non-terminal tree;
 *   the notes are made again from the model, not kept as text;
 * - the JSON is written group by group (json-c's pretty, spaced layout), so
 *   its memory is one group's;
 * - it confines itself before it reads, as the tool does (its
 *   src/util/sandbox.c): a Landlock ruleset that handles every right that
 *   changes the filesystem (as far as the kernel's ABI knows them) and allows
 *   none, and no_new_privs. Landlock walks each opened file's path for the
 *   rights checked at open (truncate, device ioctls): a cost of the
 *   confinement, which both pay. FLOOR_NO_SANDBOX=1 runs it unconfined.
 *
 * The default text reads, per function: uevent (DRIVER, PCI_CLASS, PCI_ID),
 * the of_node link (the PHB and the "not below the PHB" note),
 * eeh_pe_config_addr (the "differs from PE" note), byte 0x0e of config for
 * bridge-class functions, sriov_numvfs and virtfnN of the functions that block
 * their group (the SR-IOV warning); per group: name, devices/, /dev/vfio/N;
 * names from the snapshot's .tceiommu/probes (hwdb), the kernel release from
 * .tceiommu/manifest. --json also reads what only JSON shows: type,
 * reserved_regions, driver_override, numa_node, physfn, sriov_numvfs and
 * virtfnN of every function, ibm,loc-code, eeh_mode, eeh_pe_state, and the
 * recorded holders of /dev/vfio/N.
 *
 * Byte-identical to tceiommu 0.1.0 before the collector rewrite (cmp, default
 * text and --json, in C.UTF-8 and C; bench/run checks it each time): the
 * hosts bench/gen-host.py makes (1k and 16k functions, and small ones with
 * hostile drivers, a vanished device, SR-IOV links, an unnamed group, a bridge
 * and recorded holders) and every PowerNV tree in tests/data: the recordings
 * powernv9-6.12 (and its l2 variants), powernv8-6.12, powernv10-6.12, and the
 * hand-built powernv8, powernv9 and edge-unreadable.
 *
 * Limits, on purpose: PowerNV only (another platform exits 2: pSeries walks
 * up to DMA-window properties, which no PowerNV tree has, so they are not
 * asked for); --root only; text in a UTF-8 or the C locale (libsmartcols'
 * cell encoding, its tree characters); a hostile tree may differ from the tool
 * where the tool checks more (a FIFO or a directory where an attribute should
 * be: the tool refuses it with fstat, floor reads it as it is; an of_node
 * link to a recorded empty directory).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <langinfo.h>
#include <limits.h>
#include <linux/openat2.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#define BASE "/sys/firmware/devicetree/base"
#define BASE_LEN (sizeof(BASE) - 1)
#define GROUPS "sys/kernel/iommu_groups"
#define DRIVERS "/sys/bus/pci/drivers"
/* the tool's read limits (src/host/root.c, devtree.c, groups.c) */
#define MAX_UEVENT 16384
#define MAX_STRING 4096
#define MAX_PROP 65536
#define NONE UINT32_MAX
#define SAFE_MAX (1ULL << 53) /* JSON numbers above get a *_hex string */

static void die(const char *what)
{
	fprintf(stderr, "floor: %s\n", what);
	exit(1);
}

/* ---- one arena of strings, addressed by offset ----------------------------- */

struct arena {
	char *p;
	size_t len, cap;
};

static uint32_t arena_add(struct arena *a, const char *s, size_t n)
{
	size_t off = a->len;

	if (a->len + n + 1 > a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 4096;

		while (nc < a->len + n + 1)
			nc *= 2;
		if (!(a->p = realloc(a->p, nc)))
			die("out of memory");
		a->cap = nc;
	}
	memcpy(a->p + off, s, n);
	a->p[off + n] = '\0';
	a->len += n + 1;
	if (off >= NONE)
		die("arena full");
	return (uint32_t)off;
}

#define AS(a, off) ((off) == NONE ? NULL : (a)->p + (off))
#define AT(a, off) ((a)->p + (off)) /* an offset known to be set */

static void *grow(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	if (!(p = realloc(p, *cap * size)))
		die("out of memory");
	return p;
}

/* ---- the root ------------------------------------------------------------- */

static int rootfd = -1;
static char rootreal[PATH_MAX];
static size_t rootreal_len;

static const char *rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* openat2 in the root: links resolved by the kernel and kept inside it. */
static int in_root(const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = -1;

	for (int tries = 0; tries < 3; tries++) {
		fd = syscall(SYS_openat2, rootfd, rel(path), &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd >= 0 ? (int)fd : -errno;
}

/* One attribute: one read() into buf (size - 1 bytes at most, NUL added).
 * The length, or -errno. */
static ssize_t read_at(int dfd, const char *name, char *buf, size_t size)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* tce_root_read(max): longer than max is EFBIG. buf holds max + 2 bytes. */
static ssize_t read_max(int dfd, const char *name, char *buf, size_t max)
{
	ssize_t n = read_at(dfd, name, buf, max + 2);

	return n > (ssize_t)max ? -EFBIG : n;
}

/* tce_root_read_string: no NUL inside, trailing newlines dropped. buf holds
 * MAX_STRING + 2 bytes. */
static ssize_t read_string(int dfd, const char *name, char *buf)
{
	ssize_t n = read_max(dfd, name, buf, MAX_STRING);

	if (n < 0)
		return n;
	if (memchr(buf, '\0', (size_t)n))
		return -EINVAL;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

/* The canonical path of a directory fd inside the root, from the kernel. */
static bool fd_canon(int fd, char *out, size_t size)
{
	char link[64], target[PATH_MAX];
	ssize_t n;
	size_t rl = rootreal_len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	if (strncmp(target, rootreal, rl) != 0 || (target[rl] != '/' && target[rl] != '\0'))
		return false;
	snprintf(out, size, "%s", target[rl] ? target + rl : "/");
	return true;
}

/* ---- parsing, as the tool parses (src/util/util.c) --------------------------- */

static int parse_u64(const char *s, size_t n, int base, uint64_t *ret)
{
	char buf[64], *end;
	unsigned long long v;

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	if (n == 0 || n >= sizeof(buf) || memchr(s, '\0', n))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '-' || buf[0] == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, base);
	if (errno || end == buf || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_s64(const char *s, size_t n, int base, int64_t *ret)
{
	char buf[64], *end;
	long long v;

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	if (n == 0 || n >= sizeof(buf) || memchr(s, '\0', n))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtoll(buf, &end, base);
	if (errno || end == buf || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* "KEY=value" in a uevent: the value and its length, or NULL. */
static const char *uevent_get(const char *buf, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if ((size_t)(eol - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
			*vlen = (size_t)(eol - p) - klen - 1;
			/* an embedded NUL makes it unreadable */
			return memchr(p + klen + 1, '\0', *vlen) ? NULL : p + klen + 1;
		}
		p = eol + 1;
	}
	return NULL;
}

/* "domainD-peP" (arch/powerpc/kernel/iommu.c) */
static bool parse_group_name(const char *s, uint32_t *dom, uint64_t *pe)
{
	const char *p, *dash;
	uint64_t d;

	if (strncmp(s, "domain", 6) != 0)
		return false;
	p = s + 6;
	dash = strstr(p, "-pe");
	if (!dash || dash == p || dash - p >= 32)
		return false;
	for (const char *c = p; c < dash; c++)
		if (!isdigit((unsigned char)*c))
			return false;
	if (parse_u64(p, (size_t)(dash - p), 10, &d) < 0 || d > UINT32_MAX)
		return false;
	for (const char *c = dash + 3; *c && *c != '\n'; c++)
		if (!isxdigit((unsigned char)*c))
			return false;
	if (parse_u64(dash + 3, strlen(dash + 3), 16, pe) < 0)
		return false;
	*dom = (uint32_t)d;
	return true;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* The manifest's and the sidecars' %XX escapes; false when malformed. */
static bool percent_unescape(char *s)
{
	size_t n = strlen(s);
	char *o = s;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
		    !isxdigit((unsigned char)s[i + 2]))
			return false;
		int v = hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]);

		if (v == 0)
			return false;
		*o++ = (char)v;
		i += 2;
	}
	*o = '\0';
	return true;
}

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },	    { ENOENT, "ENOENT" },   { EIO, "EIO" },
	{ ENXIO, "ENXIO" },	    { EACCES, "EACCES" },   { EBUSY, "EBUSY" },
	{ ENODEV, "ENODEV" },	    { ENOTDIR, "ENOTDIR" }, { EINVAL, "EINVAL" },
	{ ENOTTY, "ENOTTY" },	    { ELOOP, "ELOOP" },	    { ENODATA, "ENODATA" },
	{ EISDIR, "EISDIR" },	    { ENOSYS, "ENOSYS" },   { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { ERANGE, "ERANGE" },   { ESRCH, "ESRCH" },
	{ EFBIG, "EFBIG" },	    { EXDEV, "EXDEV" },	    { ENOMEM, "ENOMEM" },
};

static int errno_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (strcmp(errno_names[i].name, name) == 0)
			return errno_names[i].err;
	return 0;
}

/* tce_format_size */
static void format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	unsigned u = 0;
	uint64_t div = 1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64, bytes);
		return;
	}
	while (u < 5 && bytes / div >= 1024 * 1024) {
		div *= 1024;
		u++;
	}
	div *= 1024;
	if (bytes % div == 0)
		snprintf(buf, len, "%" PRIu64 "%c", bytes / div, units[u]);
	else
		snprintf(buf, len, "%.1f%c", (double)bytes / (double)div, units[u]);
}

/* ---- the snapshot's own files: manifest (release, replay), probes ------------- */

struct mentry {
	char *path;
	int err;
	bool dir;
};

static struct {
	char *buf; /* the manifest as read */
	size_t len;
	bool recorded;
	char *release, *machine;
	struct mentry *e;
	size_t n;
	bool indexed;
} man;

static char *read_snapshot_file(int sdfd, const char *name, size_t *ret_len)
{
	int fd = openat(sdfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t len = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			return NULL;
		die("cannot open the snapshot's own files");
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (64 << 20))
		die("a snapshot file is not a regular file");
	if (!(buf = malloc((size_t)st.st_size + 1)))
		die("out of memory");
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

static int mentry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mentry *)a)->path, ((const struct mentry *)b)->path);
}

/* The "path RESULT PATH" lines, indexed the first time a missing file needs
 * them: a recording tells "absent" from "not recorded". */
static void man_index(void)
{
	size_t cap = 0;

	man.indexed = true;
	for (char *p = man.buf; p && p < man.buf + man.len;) {
		char *eol = memchr(p, '\n', (size_t)(man.buf + man.len - p));
		char *line, *res, *path;
		int err = 0;
		bool dir = false;

		if (!eol)
			eol = man.buf + man.len;
		if (strncmp(p, "path ", 5) != 0 || !(line = strndup(p, (size_t)(eol - p))))
			goto next;
		res = line + 5;
		path = strchr(res, ' ');
		if (!path) {
			free(line);
			goto next;
		}
		*path++ = '\0';
		if (strcmp(res, "dir") == 0)
			dir = true;
		else if (strcmp(res, "absent") == 0)
			err = ENOENT;
		else if (strcmp(res, "read") != 0 && strcmp(res, "exists") != 0 &&
			 !(err = errno_from_name(res)))
			path = NULL;
		if (!path || !percent_unescape(path)) {
			free(line);
			goto next;
		}
		man.e = grow(man.e, man.n, &cap, sizeof(*man.e));
		memmove(line, path, strlen(path) + 1);
		man.e[man.n++] = (struct mentry){ line, err, dir };
	next:
		p = eol + 1;
	}
	if (man.n)
		qsort(man.e, man.n, sizeof(*man.e), mentry_cmp);
}

static const struct mentry *man_find(const char *path)
{
	char key[PATH_MAX];
	struct mentry k = { key, 0, false };

	if (!man.indexed)
		man_index();
	if (!man.n)
		return NULL;
	snprintf(key, sizeof(key), "/%s", rel(path));
	return bsearch(&k, man.e, man.n, sizeof(*man.e), mentry_cmp);
}

/* The tool's replay_error: what a missing file of a recording means. */
static int replay(const char *path, int err)
{
	const struct mentry *e;

	if (err != ENOENT && err != ENOTDIR)
		return err;
	e = man_find(path);
	if (!e)
		return man.recorded ? ENODATA : err;
	return e->err ? e->err : err;
}

/* git keeps no empty directory: one the manifest lists as "dir" was empty. */
static bool replay_empty_dir(const char *path, int err)
{
	const struct mentry *e;

	if (err != ENOENT)
		return false;
	e = man_find(path);
	return e && e->dir && !e->err;
}

/* hwdb answers (ID_VENDOR/ID_MODEL_FROM_DATABASE) by vendor << 16 | device */
struct hwdb {
	uint32_t key, seq;
	bool err;
	uint32_t vendor, model; /* in names */
	uint32_t enc;		/* model, as libsmartcols prints it */
	size_t encw;
};

/* recorded holders of /dev/vfio/N */
struct holders {
	uint64_t group;
	uint32_t seq;
	int err;      /* 0, or errno */
	uint32_t val; /* one value line, in names, NONE for "-" */
};

static struct arena names;
static struct hwdb *hw;
static size_t n_hw;
static struct holders *hold;
static size_t n_hold;

static int hw_cmp(const void *a, const void *b)
{
	const struct hwdb *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int hold_cmp(const void *a, const void *b)
{
	const struct holders *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* "pci:v%08Xd%08X", exactly as the tool asks */
static bool hwdb_key(const char *k, uint32_t *ret)
{
	unsigned v, d;
	char again[32];

	if (strlen(k) != 22 || sscanf(k, "pci:v%8Xd%8X", &v, &d) != 2 || v > 0xffff || d > 0xffff)
		return false;
	snprintf(again, sizeof(again), "pci:v%08Xd%08X", v, d);
	if (strcmp(again, k) != 0)
		return false;
	*ret = v << 16 | d;
	return true;
}

/* .tceiommu/probes: "KIND<TAB>KEY<TAB>=VALUE | !ERRNO | -" (src/host/probe.c);
 * only the kinds list-groups asks: hwdb, and vfio-holders for --json. */
static void load_probes(char *buf, size_t len, bool want_holders)
{
	size_t cap_hw = 0, cap_hold = 0;
	uint32_t seq = 0;

	for (char *p = buf; p < buf + len;) {
		char *eol = memchr(p, '\n', (size_t)(buf + len - p));
		char *key, *ans;

		if (!eol)
			eol = buf + len;
		*eol = '\0';
		if (strlen(p) != (size_t)(eol - p) || !(key = strchr(p, '\t')))
			goto next;
		*key++ = '\0';
		if (!(ans = strchr(key, '\t')))
			goto next;
		*ans++ = '\0';
		if (strcmp(p, "hwdb") == 0) {
			struct hwdb h = {
				.seq = seq++, .vendor = NONE, .model = NONE, .enc = NONE
			};

			if (!hwdb_key(key, &h.key))
				goto next;
			if (ans[0] == '!') {
				h.err = true;
			} else if (ans[0] == '=' && percent_unescape(ans + 1)) {
				if (strncmp(ans + 1, "ID_VENDOR_FROM_DATABASE=", 24) == 0)
					h.vendor = arena_add(&names, ans + 25, strlen(ans + 25));
				else if (strncmp(ans + 1, "ID_MODEL_FROM_DATABASE=", 23) == 0)
					h.model = arena_add(&names, ans + 24, strlen(ans + 24));
			}
			hw = grow(hw, n_hw, &cap_hw, sizeof(*hw));
			hw[n_hw++] = h;
		} else if (want_holders && strcmp(p, "vfio-holders") == 0) {
			struct holders h = { .seq = seq++, .val = NONE };

			if (!isdigit((unsigned char)key[0]) ||
			    parse_u64(key, strlen(key), 10, &h.group))
				goto next;
			if (ans[0] == '!') {
				h.err = errno_from_name(ans + 1);
				if (!h.err)
					h.err = EIO;
			} else if (ans[0] == '=' && percent_unescape(ans + 1)) {
				h.val = arena_add(&names, ans + 1, strlen(ans + 1));
			}
			hold = grow(hold, n_hold, &cap_hold, sizeof(*hold));
			hold[n_hold++] = h;
		}
	next:
		p = eol + 1;
	}
	/* one answer a key: an error wins, the first vendor and model in file order */
	if (n_hw) {
		size_t w = 0;

		qsort(hw, n_hw, sizeof(*hw), hw_cmp);
		for (size_t i = 1; i < n_hw; i++) {
			if (hw[i].key != hw[w].key) {
				hw[++w] = hw[i];
				continue;
			}
			hw[w].err |= hw[i].err;
			if (hw[w].vendor == NONE)
				hw[w].vendor = hw[i].vendor;
			if (hw[w].model == NONE)
				hw[w].model = hw[i].model;
		}
		n_hw = w + 1;
	}
	if (n_hold)
		qsort(hold, n_hold, sizeof(*hold), hold_cmp);
}

static int32_t hwdb_find(uint16_t vendor, uint16_t device)
{
	uint32_t key = (uint32_t)vendor << 16 | device;
	size_t lo = 0, hi = n_hw;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (hw[mid].key == key)
			return hw[mid].err ? -1 : (int32_t)mid;
		if (hw[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The manifest (format, kernel release, machine) and, when there is one, the
 * probes: a tree without a manifest has neither (src/host/root.c). */
static void load_snapshot(bool want_holders)
{
	int sdfd = openat(rootfd, ".tceiommu", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char *probes;
	size_t len;
	bool first = true;

	if (sdfd < 0) {
		if (errno == ENOENT)
			return;
		die(".tceiommu: not a directory (a link is not followed)");
	}
	man.buf = read_snapshot_file(sdfd, "manifest", &man.len);
	if (!man.buf) {
		close(sdfd);
		return;
	}
	if (memchr(man.buf, '\0', man.len))
		die(".tceiommu/manifest: not text");
	for (char *p = man.buf; p < man.buf + man.len;) {
		char *eol = memchr(p, '\n', (size_t)(man.buf + man.len - p));
		size_t n;
		char *sp;

		if (!eol)
			eol = man.buf + man.len;
		n = (size_t)(eol - p);
		if (n == 0)
			goto next;
		sp = memchr(p, ' ', n);
		if (first) {
			uint64_t v;

			first = false;
			if (!sp || (size_t)(sp - p) != 17 || strncmp(p, "tceiommu-snapshot", 17) ||
			    parse_u64(sp + 1, (size_t)(eol - sp - 1), 10, &v) < 0 || v > 1)
				die(".tceiommu/manifest: not a snapshot this floor reads");
		} else if (sp && (size_t)(sp - p) == 6 && strncmp(p, "source", 6) == 0) {
			man.recorded =
			    (size_t)(eol - sp - 1) == 6 && strncmp(sp + 1, "record", 6) == 0;
		} else if (sp && (size_t)(sp - p) == 14 && strncmp(p, "kernel_release", 14) == 0) {
			free(man.release);
			man.release = strndup(sp + 1, (size_t)(eol - sp - 1));
		} else if (sp && (size_t)(sp - p) == 7 && strncmp(p, "machine", 7) == 0) {
			free(man.machine);
			man.machine = strndup(sp + 1, (size_t)(eol - sp - 1));
		}
	next:
		p = eol + 1;
	}
	probes = read_snapshot_file(sdfd, "probes", &len);
	if (probes) {
		load_probes(probes, len, want_holders);
		free(probes);
	}
	close(sdfd);
}

/* ---- the PHBs --------------------------------------------------------------- */

struct phb {
	uint32_t node; /* as shown (relative to the device-tree base), in phbs_s */
	const char *model;
	int ioda;
	bool has_id, has_m32, has_pgs;
	uint64_t id, m32, pgs;
	const char *pgs_src;
	char dma32[24];
	uint32_t ddw; /* the DDW cell, in phbs_s */
};

static struct phb *phbs;
static size_t n_phbs, cap_phbs;
static struct arena phbs_s;

static uint64_t be_cells(const unsigned char *p, unsigned cells)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < cells; i++, p += 4)
		v = v << 32 | (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
		    p[3];
	return v;
}

/* tce_dt_number: `cells` cells at cell `at` */
static bool dt_number(const char *buf, size_t len, size_t at, unsigned cells, uint64_t *ret)
{
	if (cells == 0 || cells > 4 || at > len / 4 || len / 4 - at < cells)
		return false;
	*ret = be_cells((const unsigned char *)buf + 4 * at, cells);
	return true;
}

static bool strlist_has(const char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < len;) {
		const char *e = memchr(buf + i, '\0', len - i);
		size_t l = e ? (size_t)(e - (buf + i)) : len - i;

		if (l == n && memcmp(buf + i, s, n) == 0)
			return true;
		i += l + 1;
	}
	return false;
}

/* tce_dt_phb_model */
static void phb_model(const char *c, size_t len, struct phb *p)
{
	static const char *const models[][2] = {
		{ "ibm,p7ioc-pciex", "P7IOC" },	   { "ibm,power8-npu-pciex", "NPU" },
		{ "ibm,power9-npu-pciex", "NPU" }, { "ibm,power8-pciex", "PHB3" },
		{ "ibm,power9-pciex", "PHB4" },	   { "ibm,power10-pciex", "PHB5" },
	};
	static const struct {
		const char *compat;
		int ioda;
	} iodas[] = {
		{ "ibm,ioda-phb", 1 },	    { "ibm,ioda2-phb", 2 },	 { "ibm,ioda3-phb", 3 },
		{ "ibm,ioda2-npu-phb", 2 }, { "ibm,ioda2-npu2-phb", 2 },
	};
	const char *model = NULL;
	int ioda = 0;

	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]) && !model; i++)
		if (strlist_has(c, len, models[i][0]))
			model = models[i][1];
	for (size_t i = 0; i < sizeof(iodas) / sizeof(iodas[0]) && !ioda; i++)
		if (strlist_has(c, len, iodas[i].compat))
			ioda = iodas[i].ioda;
	if (!model && !ioda)
		return;
	if (!model)
		model = "unknown";
	if (!ioda && strcmp(model, "P7IOC") == 0)
		ioda = 1;
	p->model = model;
	p->ioda = ioda;
}

/* #address-cells / #size-cells of a node: 1..4, else dflt */
static unsigned node_cells(int dfd, const char *name, unsigned dflt)
{
	char buf[8]; /* 4 bytes exactly, or not a cell count (tce_dt_read_u32) */
	ssize_t n = dfd >= 0 ? read_at(dfd, name, buf, sizeof(buf)) : -EBADF;
	uint64_t v;

	if (n == 4 && dt_number(buf, 4, 0, 1, &v) && v >= 1 && v <= 4)
		return (unsigned)v;
	return dflt;
}

/* groups.c dt_display: relative to the device-tree base */
static const char *dt_display(const char *canon)
{
	if (strncmp(canon, BASE, BASE_LEN) == 0 && (canon[BASE_LEN] == '/' || !canon[BASE_LEN]))
		return canon[BASE_LEN] ? canon + BASE_LEN : "/";
	return canon;
}

/* Parent node path, or false at (or above) the device-tree base. */
static bool dt_parent(char *node)
{
	char *slash = strrchr(node, '/');

	if (!slash || (size_t)(slash - node) < BASE_LEN)
		return false;
	*slash = '\0';
	return true;
}

/* Everything list-groups shows of a PowerNV PHB, read once (phb_powernv);
 * fd: the node's, or -1. */
static int32_t phb_add(const char *node, int fd)
{
	char buf[MAX_PROP + 2], ranges[MAX_PROP + 2], parent[PATH_MAX];
	struct phb *p;
	ssize_t n, rn;
	int dfd = fd >= 0 ? fd : in_root(node, O_PATH | O_DIRECTORY);

	phbs = grow(phbs, n_phbs, &cap_phbs, sizeof(*phbs));
	p = &phbs[n_phbs];
	*p = (struct phb){ .ddw = NONE, .pgs_src = "devicetree+kernel-constant" };
	p->node = arena_add(&phbs_s, dt_display(node), strlen(dt_display(node)));
	if (dfd >= 0 && (n = read_max(dfd, "ibm,opal-phbid", buf, MAX_PROP)) >= 0)
		p->has_id = dt_number(buf, (size_t)n, 0, n == 8 ? 2 : 1, &p->id);
	if (dfd >= 0 && (n = read_max(dfd, "compatible", buf, MAX_PROP)) >= 0)
		phb_model(buf, (size_t)n, p);

	/* VFIO's 32-bit window: start 0, size = the PCI address of the PHB's
	 * 32-bit MMIO range (tce_dt_parse_m32_pci_base) */
	rn = dfd >= 0 ? read_max(dfd, "ranges", ranges, MAX_PROP) : -EBADF;
	if (rn >= 0) {
		unsigned pc = 2, sc = node_cells(dfd, "#size-cells", 2);

		snprintf(parent, sizeof(parent), "%s", node);
		if (dt_parent(parent)) {
			int pfd = in_root(parent, O_PATH | O_DIRECTORY);

			pc = node_cells(pfd, "#address-cells", 2);
			if (pfd >= 0)
				close(pfd);
		}
		if (pc <= 2 && sc <= 2 && rn % 4 == 0) {
			size_t entry = 3 + pc + sc;

			for (size_t at = 0; at + entry <= (size_t)rn / 4; at += entry) {
				uint64_t hi = be_cells((unsigned char *)ranges + 4 * at, 1);

				if (((hi >> 24) & 3) != 2)
					continue;
				p->m32 = be_cells((unsigned char *)ranges + 4 * (at + 1), 2);
				p->has_m32 = true;
				break;
			}
		}
	}
	if (p->has_m32)
		format_size(p->m32, p->dma32, sizeof(p->dma32));

	/* DDW page sizes: ibm,supported-tce-sizes, else the kernel's fallback */
	if (dfd >= 0 && (n = read_max(dfd, "ibm,supported-tce-sizes", buf, MAX_PROP)) > 0 &&
	    n % 4 == 0) {
		p->has_pgs = true;
		for (ssize_t i = 0; i < n / 4; i++) {
			uint64_t shift = be_cells((unsigned char *)buf + 4 * i, 1);

			if (shift < 64)
				p->pgs |= 1ULL << shift;
		}
	} else if (p->model && (!strcmp(p->model, "PHB3") || !strcmp(p->model, "PHB4") ||
				!strcmp(p->model, "PHB5"))) {
		p->has_pgs = true;
		p->pgs = 1ULL << 12 | 1ULL << 16;
		if (!strcmp(p->model, "PHB3"))
			p->pgs |= 1ULL << 24 | 1ULL << 28;
		p->pgs_src = "kernel-constant";
	}
	if (p->has_pgs) {
		char cell[64 * 8] = "", one[16];
		size_t len = 0;

		for (unsigned i = 0; i < 64; i++) {
			if (!(p->pgs & (1ULL << i)))
				continue;
			format_size(1ULL << i, one, sizeof(one));
			len += (size_t)snprintf(cell + len, sizeof(cell) - len, "%s%s",
						len ? "," : "", one);
		}
		p->ddw = arena_add(&phbs_s, cell, len);
	}
	if (dfd >= 0 && dfd != fd)
		close(dfd);
	return (int32_t)n_phbs++;
}

/* node path -> PHB index (-1: none above it), each node asked once */
static struct {
	uint32_t *key; /* offsets + 1 in memo_s; 0 empty */
	int32_t *val;
	size_t cap, n;
} memo;
static struct arena memo_s;

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int32_t *memo_slot(const char *node, bool add)
{
	size_t i;

	if (add && (memo.n + 1) * 2 > memo.cap) {
		size_t oc = memo.cap, nc = oc ? oc * 2 : 1024;
		uint32_t *ok = memo.key;
		int32_t *ov = memo.val;

		memo.key = calloc(nc, sizeof(*memo.key));
		memo.val = calloc(nc, sizeof(*memo.val));
		if (!memo.key || !memo.val)
			die("out of memory");
		memo.cap = nc;
		for (size_t j = 0; j < oc; j++) {
			if (!ok[j])
				continue;
			for (i = hash(memo_s.p + ok[j] - 1) & (nc - 1); memo.key[i];
			     i = (i + 1) & (nc - 1))
				;
			memo.key[i] = ok[j];
			memo.val[i] = ov[j];
		}
		free(ok);
		free(ov);
	}
	if (!memo.cap)
		return NULL;
	for (i = hash(node) & (memo.cap - 1); memo.key[i]; i = (i + 1) & (memo.cap - 1))
		if (strcmp(memo_s.p + memo.key[i] - 1, node) == 0)
			return &memo.val[i];
	if (!add)
		return NULL;
	memo.key[i] = arena_add(&memo_s, node, strlen(node)) + 1;
	memo.n++;
	return &memo.val[i];
}

/* Does node have prop? Asked at path (relative to fd), or in the root when
 * fd < 0; a link is followed as the tool follows it, inside the root. */
static bool node_has(int fd, const char *path, const char *node, const char *prop)
{
	char p[PATH_MAX + 32];
	struct stat st;
	int k;

	if (fd >= 0) {
		if (fstatat(fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return false;
		if (!S_ISLNK(st.st_mode))
			return true;
	}
	snprintf(p, sizeof(p), "%s/%s", node, prop);
	k = in_root(p, O_PATH);
	if (k < 0)
		return false;
	close(k);
	return true;
}

/*
 * Walk up from a device's node to the node with ibm,opal-phbid (find_phb).
 * With the node's open fd, an ancestor's property is asked as
 * "../../ibm,opal-phbid" of it, one fstatat: the walk stops at the
 * device-tree base, so ".." never leaves the root.
 */
static int32_t phb_of(const char *devnode, int devfd)
{
	char cur[PATH_MAX], up[3 * 64 + 16];
	int32_t res = -1, *m;
	size_t n_seen = 0, seen[64];

	snprintf(cur, sizeof(cur), "%s", devnode);
	for (size_t ups = 0;; ups++) {
		int fd = ups < 64 ? devfd : -1;

		if ((m = memo_slot(cur, false))) {
			res = *m;
			break;
		}
		up[0] = '\0';
		for (size_t i = 0; i < ups && fd >= 0; i++)
			strcat(up, "../");
		strcat(up, "ibm,opal-phbid");
		if (node_has(fd, up, cur, "ibm,opal-phbid")) {
			int nfd = -1;

			if (fd >= 0) {
				up[strlen(up) - strlen("ibm,opal-phbid")] = '\0';
				nfd = openat(fd, *up ? up : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
			}
			res = phb_add(cur, nfd);
			if (nfd >= 0)
				close(nfd);
			*memo_slot(cur, true) = res;
			break;
		}
		if (n_seen < 64)
			seen[n_seen++] = strlen(cur);
		if (!dt_parent(cur))
			break;
	}
	/* every node passed on the way leads to the same PHB */
	for (size_t i = 0; i < n_seen; i++) {
		char node[PATH_MAX];

		snprintf(node, sizeof(node), "%.*s", (int)seen[i], devnode);
		*memo_slot(node, true) = res;
	}
	return res;
}

/* ---- groups and devices ----------------------------------------------------------- */

enum {
	D_IDS = 1 << 0,
	D_CLASS = 1 << 1,
	D_KNOWN = 1 << 2, /* driver known (bound or not) */
	D_VANISHED = 1 << 3,
	D_EEH_PE = 1 << 4,
	D_BLOCKER = 1 << 5,
	D_OFFPHB = 1 << 6, /* its of_node is not below the group's PHB */
	D_HINT = 1 << 7,   /* no of_node; the PF's node in `of` */
};

struct dev {
	uint64_t eeh_pe;
	uint32_t bdf, drv; /* in S */
	uint32_t of;	   /* canonical of_node (or the PF's), in X */
	uint32_t class_code;
	uint32_t nvf; /* virtfnN links read */
	int32_t hw;   /* hwdb answer, or -1 */
	uint16_t vendor, device;
	int16_t err; /* uevent: errno */
	int8_t ht;   /* header type, -1 unknown */
	uint8_t f;
};

/* what only JSON shows, per device; in X */
struct jdev {
	uint32_t ovr, loc, physfn, mode, state, vfs;
	uint32_t n_vfs;
	int32_t numa;
	bool has_numa, has_vfs, has_eeh;
};

enum { G_DOMAIN_PE = 1, G_PE = 2, G_VFIO = 4, G_PE_FROM_EEH = 8 };

struct grp {
	uint64_t num, pe;
	uint32_t domain;
	uint32_t first, n; /* devices */
	int32_t phb;
	int16_t name_err, devs_err;
	uint8_t viable; /* 0 no, 1 yes, 2 unknown */
	uint8_t f;
	uint32_t pe_dev; /* the device the PE was taken from */
	/* JSON only, in X */
	uint32_t name, type, rr;
};

static bool want_json;
static bool ge_5_19 = true;
static const char *rule = ">=5.19 (kernel release unknown)";
static int vfiofd = -1, groupsfd = -1;
static struct arena S, X; /* S: device strings (kept for the text); X: one group's */
static struct dev *devs;
static size_t n_devs, cap_devs;
static struct jdev *jdevs;
static size_t cap_jdevs;

static bool is_bridge(const struct dev *d)
{
	if (d->ht >= 0)
		return d->ht == 1 || d->ht == 2;
	return (d->f & D_CLASS) &&
	       ((d->class_code >> 8) == 0x0604 || (d->class_code >> 8) == 0x0607 ||
		(d->class_code >> 8) == 0x0609);
}

/* tce_driver_claims_dma */
static bool claims_dma(const char *drv, bool bridge)
{
	size_t n;

	if (!drv)
		return false;
	n = strlen(drv);
	if (!strcmp(drv, "vfio-pci") || (n > 9 && !strcmp(drv + n - 9, "_vfio_pci")) ||
	    !strcmp(drv, "pci-stub"))
		return false;
	if (ge_5_19)
		return strcmp(drv, "pcieport") != 0;
	return !bridge;
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static ssize_t link_at(int dfd, const char *name, char *buf, size_t size)
{
	ssize_t n = readlinkat(dfd, name, buf, size - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/* SR-IOV: sriov_numvfs, then the virtfnN links (only a PF has them) */
static void read_vfs(int dfd, struct dev *d, struct jdev *j)
{
	char buf[MAX_STRING + 2], t[PATH_MAX], name[32];
	ssize_t n = read_string(dfd, "sriov_numvfs", buf);
	uint64_t nvf;

	if (n < 0 || parse_u64(buf, (size_t)n, 10, &nvf) < 0 || nvf > 65535)
		return;
	if (j)
		j->has_vfs = true;
	for (uint64_t i = 0; i < nvf; i++) {
		snprintf(name, sizeof(name), "virtfn%" PRIu64, i);
		if (link_at(dfd, name, t, sizeof(t)) < 0)
			continue;
		if (j && !j->n_vfs++)
			j->vfs = arena_add(&X, basename_of(t), strlen(basename_of(t)));
		else if (j)
			arena_add(&X, basename_of(t), strlen(basename_of(t)));
		d->nvf++;
	}
}

/* of_node (or physfn/of_node): open it, name it as the kernel does */
static int open_node(const char *path, uint32_t *ret)
{
	char canon[PATH_MAX];
	int fd = in_root(path, O_PATH | O_DIRECTORY);

	if (fd < 0)
		return fd;
	if (!fd_canon(fd, canon, sizeof(canon))) {
		close(fd);
		return -ENOENT;
	}
	*ret = arena_add(&X, canon, strlen(canon));
	return fd;
}

/* One function of a group; *phb: the group's PHB so far, found from the
 * first function whose node leads to one. */
static void read_device(const char *ddir, const char *bdf, struct dev *d, struct jdev *j,
			int32_t *phb)
{
	char path[PATH_MAX], buf[MAX_UEVENT + 2], s[MAX_STRING + 2];
	const char *v;
	size_t vl;
	ssize_t n;
	uint64_t x;
	int dfd, ofd;

	*d = (struct dev){ .drv = NONE, .of = NONE, .hw = -1, .ht = -1 };
	if (j)
		*j = (struct jdev){ .ovr = NONE,
				    .loc = NONE,
				    .physfn = NONE,
				    .mode = NONE,
				    .state = NONE,
				    .vfs = NONE };
	d->bdf = arena_add(&S, bdf, strlen(bdf));
	snprintf(path, sizeof(path), "%s/%s", ddir, bdf);
	dfd = in_root(path, O_PATH | O_DIRECTORY);
	if (dfd < 0) {
		int e = replay(path, -dfd);

		if (e == ENOENT) {
			d->f |= D_VANISHED;
			return;
		}
		d->err = (int16_t)e;
		return;
	}

	/* uevent: DRIVER=, PCI_CLASS=, PCI_ID= (pci_uevent) */
	n = read_max(dfd, "uevent", buf, MAX_UEVENT);
	if (n < 0) {
		char up[PATH_MAX + 8];

		snprintf(up, sizeof(up), "%s/uevent", path);
		d->err = (int16_t)replay(up, (int)-n);
	} else {
		d->f |= D_KNOWN;
		if ((v = uevent_get(buf, (size_t)n, "DRIVER", &vl)) && vl)
			d->drv = arena_add(&S, v, vl);
		if ((v = uevent_get(buf, (size_t)n, "PCI_CLASS", &vl)) &&
		    parse_u64(v, vl, 16, &x) == 0 && x <= 0xffffff) {
			d->f |= D_CLASS;
			d->class_code = (uint32_t)x;
		}
		if ((v = uevent_get(buf, (size_t)n, "PCI_ID", &vl))) {
			const char *colon = memchr(v, ':', vl);
			uint64_t ven, dev;

			if (colon && parse_u64(v, (size_t)(colon - v), 16, &ven) == 0 &&
			    ven <= 0xffff &&
			    parse_u64(colon + 1, vl - (size_t)(colon - v) - 1, 16, &dev) == 0 &&
			    dev <= 0xffff) {
				d->f |= D_IDS;
				d->vendor = (uint16_t)ven;
				d->device = (uint16_t)dev;
			}
		}
	}
	if (n < 0 || !(d->f & D_IDS) || !(d->f & D_CLASS)) {
		/* the driver link and the vendor, device and class files */
		if (!(d->f & D_KNOWN)) {
			char t[PATH_MAX], lp[PATH_MAX + 8];
			ssize_t k = link_at(dfd, "driver", t, sizeof(t));

			snprintf(lp, sizeof(lp), "%s/driver", path);
			if (k >= 0) {
				d->drv = arena_add(&S, basename_of(t), strlen(basename_of(t)));
				d->f |= D_KNOWN;
			} else if (replay(lp, (int)-k) == ENOENT) {
				d->f |= D_KNOWN;
			}
		}
		if (!(d->f & D_IDS)) {
			uint64_t ven, dev;
			ssize_t a = read_string(dfd, "vendor", s);

			if (a >= 0 && parse_u64(s, (size_t)a, 16, &ven) == 0 && ven <= 0xffff &&
			    (a = read_string(dfd, "device", s)) >= 0 &&
			    parse_u64(s, (size_t)a, 16, &dev) == 0 && dev <= 0xffff) {
				d->f |= D_IDS;
				d->vendor = (uint16_t)ven;
				d->device = (uint16_t)dev;
			}
		}
		if (!(d->f & D_CLASS)) {
			ssize_t a = read_string(dfd, "class", s);

			if (a >= 0 && parse_u64(s, (size_t)a, 16, &x) == 0 && x <= 0xffffff) {
				d->f |= D_CLASS;
				d->class_code = (uint32_t)x;
			}
		}
	}
	/* byte 0x0e of config, of bridge-class functions only */
	if ((d->f & D_CLASS) && (d->class_code >> 16) == 0x06) {
		unsigned char cfg[64 + 1];

		n = read_at(dfd, "config", (char *)cfg, sizeof(cfg));
		if (n > 0x0e)
			d->ht = (int8_t)(cfg[0x0e] & 0x7f);
	}

	if (j) {
		char t[PATH_MAX];

		n = read_string(dfd, "driver_override", s);
		if (n > 0 && strcmp(s, "(null)") != 0)
			j->ovr = arena_add(&X, s, (size_t)n);
		n = read_string(dfd, "numa_node", s);
		if (n >= 0) {
			int64_t nn;

			if (parse_s64(s, (size_t)n, 10, &nn) == 0 && nn >= 0 && nn < INT32_MAX) {
				j->has_numa = true;
				j->numa = (int32_t)nn;
			}
		}
		if (link_at(dfd, "physfn", t, sizeof(t)) >= 0)
			j->physfn = arena_add(&X, basename_of(t), strlen(basename_of(t)));
		read_vfs(dfd, d, j);
	}

	/* of_node: the PHB above it; a VF has none, its PF's is on the same PHB */
	snprintf(buf, sizeof(buf), "%s/of_node", path);
	ofd = open_node(buf, &d->of);
	if (ofd < 0 && (!j || j->physfn != NONE)) {
		int hfd;

		snprintf(buf, sizeof(buf), "%s/physfn/of_node", path);
		hfd = open_node(buf, &d->of);
		if (hfd >= 0) {
			d->f |= D_HINT;
			close(hfd);
		}
	}
	if (ofd >= 0) {
		if (*phb < 0)
			*phb = phb_of(AT(&X, d->of), ofd);
		if (j) {
			n = read_max(ofd, "ibm,loc-code", buf, MAX_PROP);
			if (n > 0 && buf[n - 1] == '\0' && strlen(buf) == (size_t)n - 1)
				j->loc = arena_add(&X, buf, (size_t)n - 1);
		}
		close(ofd);
	}

	/* EEH (eeh_sysfs.c): the PE config address is the PE on PowerNV */
	if (j) {
		n = read_string(dfd, "eeh_mode", s);
		if (n >= 0)
			j->mode = arena_add(&X, s, (size_t)n);
	}
	n = read_string(dfd, "eeh_pe_config_addr", s);
	if (n >= 0 && parse_u64(s, (size_t)n, 16, &d->eeh_pe) == 0)
		d->f |= D_EEH_PE;
	if (j) {
		n = read_string(dfd, "eeh_pe_state", s);
		if (n >= 0)
			j->state = arena_add(&X, s, (size_t)n);
		j->has_eeh = j->mode != NONE || (d->f & D_EEH_PE) || j->state != NONE;
	}

	if (d->f & D_IDS)
		d->hw = hwdb_find(d->vendor, d->device);
	if ((d->f & D_KNOWN) && claims_dma(AS(&S, d->drv), is_bridge(d))) {
		d->f |= D_BLOCKER;
		if (!j)
			read_vfs(dfd, d, NULL); /* the SR-IOV warning of the note */
	}
	close(dfd);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's names, sorted, in X; -errno. */
static int list_dir(int fd, char ***ret, size_t *ret_n)
{
	char buf[32768];
	size_t n = 0, cap = 0;
	uint32_t *offs = NULL;
	char **v;
	long k;

	while ((k = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (long at = 0; at < k;) {
			struct dirent64 *de = (struct dirent64 *)(buf + at);

			at += de->d_reclen;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			offs = grow(offs, n, &cap, sizeof(*offs));
			offs[n++] = arena_add(&X, de->d_name, strlen(de->d_name));
		}
	}
	if (k < 0) {
		free(offs);
		return -errno;
	}
	if (!(v = malloc((n + 1) * sizeof(*v))))
		die("out of memory");
	for (size_t i = 0; i < n; i++)
		v[i] = X.p + offs[i];
	free(offs);
	qsort(v, n, sizeof(*v), name_cmp);
	*ret = v;
	*ret_n = n;
	return 0;
}

static bool vfio_exists(uint64_t num)
{
	char name[32], path[64];
	struct stat st;
	int fd;

	snprintf(name, sizeof(name), "%" PRIu64, num);
	if (vfiofd < 0 || fstatat(vfiofd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	if (!S_ISLNK(st.st_mode))
		return true;
	/* a link: followed as the tool follows it, inside the root */
	snprintf(path, sizeof(path), "dev/vfio/%s", name);
	fd = in_root(path, O_PATH);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void read_group(struct grp *g)
{
	char gpath[64], ddir[96], s[MAX_STRING + 2], p[PATH_MAX];
	char **names_v = NULL;
	size_t n_names = 0;
	ssize_t n;
	int gfd, fd;
	bool devnode = false, unknown = false;
	size_t nb = 0;

	snprintf(gpath, sizeof(gpath), GROUPS "/%" PRIu64, g->num);
	snprintf(ddir, sizeof(ddir), "%s/devices", gpath);
	g->phb = -1;
	g->name = g->type = g->rr = NONE;
	g->first = (uint32_t)n_devs;
	/* a group is a directory, not a link: opened in the groups' directory */
	snprintf(p, sizeof(p), "%" PRIu64, g->num);
	gfd =
	    groupsfd >= 0 ? openat(groupsfd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (gfd < 0)
		gfd = in_root(gpath, O_PATH | O_DIRECTORY);

	n = gfd >= 0 ? read_string(gfd, "name", s) : gfd;
	if (n < 0) {
		snprintf(p, sizeof(p), "%s/name", gpath);
		n = -replay(p, (int)-n);
		if (n != -ENOENT)
			g->name_err = (int16_t)-n;
	} else {
		if (want_json)
			g->name = arena_add(&X, s, (size_t)n);
		if (parse_group_name(s, &g->domain, &g->pe))
			g->f |= G_DOMAIN_PE;
	}
	if (want_json && gfd >= 0) {
		if ((n = read_string(gfd, "type", s)) >= 0)
			g->type = arena_add(&X, s, (size_t)n);
		if ((n = read_string(gfd, "reserved_regions", s)) >= 0)
			g->rr = arena_add(&X, s, (size_t)n);
	}

	fd = gfd >= 0 ? openat(gfd, "devices", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
		      : gfd;
	if (fd < 0 && gfd >= 0)
		fd = -errno;
	if (fd >= 0) {
		int k = list_dir(fd, &names_v, &n_names);

		close(fd);
		if (k < 0)
			g->devs_err = (int16_t)-k;
	} else if (!replay_empty_dir(ddir, -fd)) {
		g->devs_err = (int16_t)replay(ddir, -fd);
	}
	if (gfd >= 0)
		close(gfd);

	for (size_t i = 0; i < n_names; i++) {
		struct dev *d;
		struct jdev *j = NULL;

		devs = grow(devs, n_devs, &cap_devs, sizeof(*devs));
		if (want_json) {
			jdevs = grow(jdevs, n_devs, &cap_jdevs, sizeof(*jdevs));
			j = &jdevs[n_devs];
		}
		d = &devs[n_devs++];
		read_device(ddir, names_v[i], d, j, &g->phb);
		if (d->f & D_VANISHED || !(d->f & D_KNOWN))
			unknown = true;
		if (d->f & D_BLOCKER)
			nb++;
	}
	free(names_v);
	g->n = (uint32_t)(n_devs - g->first);

	/* no function's own node led to a PHB: a VF's PF's */
	for (uint32_t i = 0; i < g->n; i++)
		if (devs[g->first + i].of != NONE)
			devnode = true;
	for (uint32_t i = 0; i < g->n && g->phb < 0; i++) {
		struct dev *d = &devs[g->first + i];

		if (d->of != NONE && (d->f & D_HINT))
			g->phb = phb_of(AT(&X, d->of), -1);
	}
	if (!devnode && (g->f & G_DOMAIN_PE)) {
		/* no device with a node: the PHB's root bus has one */
		uint32_t bus;

		snprintf(p, sizeof(p), "sys/class/pci_bus/%04" PRIx32 ":00/of_node", g->domain);
		fd = open_node(p, &bus);
		if (fd >= 0) {
			devnode = true;
			g->phb = phb_of(AT(&X, bus), fd);
			close(fd);
		}
	}
	if (devnode && g->phb >= 0) {
		const char *pn = AS(&phbs_s, phbs[g->phb].node);
		size_t pl = strlen(pn);

		for (uint32_t i = 0; i < g->n; i++) {
			struct dev *d = &devs[g->first + i];
			const char *o;

			if (d->of == NONE || (d->f & D_HINT))
				continue;
			o = dt_display(AS(&X, d->of));
			if (!(strncmp(o, pn, pl) == 0 && (o[pl] == '/' || o[pl] == '\0')))
				d->f |= D_OFFPHB;
		}
	}
	/* PowerNV: the PE is the name's (EEH must agree); without a name, EEH's */
	if (g->f & G_DOMAIN_PE) {
		g->f |= G_PE;
	} else if (g->phb >= 0 && phbs[g->phb].has_id) {
		for (uint32_t i = 0; i < g->n; i++) {
			if (devs[g->first + i].f & D_EEH_PE) {
				g->f |= G_PE | G_PE_FROM_EEH;
				g->pe = devs[g->first + i].eeh_pe;
				g->pe_dev = i;
				break;
			}
		}
	}
	g->viable = nb ? 0 : unknown ? 2 : 1;
	if (vfio_exists(g->num))
		g->f |= G_VFIO;
}

/* ---- output ---------------------------------------------------------------------- */

static void put(const char *s)
{
	fputs_unlocked(s, stdout);
}

static void putn(const char *s, size_t n)
{
	fwrite_unlocked(s, 1, n, stdout);
}

static void pad(size_t n)
{
	static const char sp[] = "                                ";

	for (; n > 32; n -= 32)
		putn(sp, 32);
	putn(sp, n);
}

/* Length of the valid UTF-8 sequence at p, 0 if invalid or a C1 control
 * (src/render/escape.c). */
static size_t utf8_len(const unsigned char *p)
{
	unsigned cp;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return n;
}

/* tce_escape_terminal, written out */
static void put_term(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char hex[8];

	while (*p) {
		size_t n = utf8_len(p);

		if (n == 1 && (*p < 0x20 || *p == 0x7f || *p == '\\')) {
			if (*p == '\\')
				put("\\\\");
			else
				snprintf(hex, sizeof(hex), "\\x%02x", *p), put(hex);
			p++;
		} else if (n == 0) {
			size_t m = (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) ? 2 : 1;

			for (size_t i = 0; i < m; i++)
				snprintf(hex, sizeof(hex), "\\x%02x", p[i]), put(hex);
			p += m;
		} else {
			putn((const char *)p, n);
			p += n;
		}
	}
}

/* libsmartcols' cell encoding (mbs_safe_encode_to_buffer): control
 * characters and "\x" as \xHH, unprintable or invalid multibyte sequences
 * byte by byte; out (4 x strlen + 1 bytes) may be NULL. The width in cells. */
static size_t scols_encode(const char *s, char *out)
{
	const char *p = s;
	char *r = out;
	size_t w = 0;
	mbstate_t st;

	for (p = s; *p >= 0x20 && *p < 0x7f && !(*p == '\\' && p[1] == 'x'); p++)
		;
	if (!*p) { /* printable ASCII: as it is */
		if (out)
			memcpy(out, s, (size_t)(p - s) + 1);
		return (size_t)(p - s);
	}
	memset(&st, 0, sizeof(st));
	for (p = s; *p;) {
		wchar_t wc;
		size_t len;

		if ((*p == '\\' && p[1] == 'x') || iscntrl((unsigned char)*p)) {
			if (r)
				r += sprintf(r, "\\x%02x", (unsigned char)*p);
			w += 4;
			p++;
			continue;
		}
		len = mbrtowc(&wc, p, MB_CUR_MAX, &st);
		if (len == 0)
			break;
		if (len == (size_t)-1 || len == (size_t)-2) {
			len = 1;
			if (!isprint((unsigned char)*p)) {
				if (r)
					r += sprintf(r, "\\x%02x", (unsigned char)*p);
				w += 4;
			} else {
				if (r)
					*r++ = *p;
				w++;
			}
		} else if (!iswprint((wint_t)wc)) {
			for (size_t i = 0; i < len; i++)
				if (r)
					r += sprintf(r, "\\x%02x", (unsigned char)p[i]);
			w += len * 4;
		} else {
			if (r) {
				memcpy(r, p, len);
				r += len;
			}
			w += (size_t)wcwidth(wc);
		}
		p += len;
	}
	if (r)
		*r = '\0';
	return w;
}

/* the default PowerNV columns (src/cmd/list-groups.c, src/render/columns.c) */
enum { C_GROUP, C_PE, C_MODEL, C_DMA32, C_DDW, C_VIABLE, C_VFIO, C_ID, C_DRIVER, C_PRODUCT, NCOL };
static const struct {
	const char *name;
	size_t whint;
	bool right;
} cols[NCOL] = {
	{ "GROUP", 5, false },	  { "PE", 5, true },	{ "MODEL", 6, false },
	{ "DMA32", 6, true },	  { "DDW", 12, false }, { "VIABLE", 3, false },
	{ "VFIO", 11, false },	  { "ID", 9, false },	{ "DRIVER", 8, false },
	{ "PRODUCT", 24, false },
};
static size_t colw[NCOL];
static const char *branch = "\xe2\x94\x9c\xe2\x94\x80", *right = "\xe2\x94\x94\xe2\x94\x80";

static void widen(int c, size_t w)
{
	if (w > colw[c])
		colw[c] = w;
}

static const char *viable_str(uint8_t v)
{
	return v == 1 ? "yes" : v == 0 ? "no" : "?";
}

static const char *driver_cell(const struct dev *d)
{
	if (d->f & D_VANISHED)
		return "(vanished)";
	return d->drv != NONE ? AS(&S, d->drv) : (d->f & D_KNOWN) ? "-" : "?";
}

static const char *product(const struct dev *d)
{
	struct hwdb *h = d->hw >= 0 ? &hw[d->hw] : NULL;

	if (!h || h->model == NONE)
		return "";
	if (h->enc == NONE) {
		const char *m = AS(&names, h->model);
		char *e = malloc(strlen(m) * 4 + 1);

		if (!e)
			die("out of memory");
		h->encw = scols_encode(m, e);
		h->enc = arena_add(&names, e, strlen(e));
		free(e);
	}
	return AS(&names, h->enc);
}

/* the widths every row needs, as each group is read */
static void widen_group(const struct grp *g)
{
	char buf[32];

	widen(C_GROUP, (size_t)snprintf(buf, sizeof(buf), "%" PRIu64, g->num));
	if (g->f & G_PE)
		widen(C_PE, (size_t)snprintf(buf, sizeof(buf), "0x%" PRIx64, g->pe));
	if (g->phb >= 0) {
		const struct phb *p = &phbs[g->phb];

		widen(C_MODEL, p->model ? strlen(p->model) : 0);
		widen(C_DMA32, strlen(p->dma32));
		widen(C_DDW, p->ddw != NONE ? strlen(AT(&phbs_s, p->ddw)) : 0);
	}
	widen(C_VIABLE, strlen(viable_str(g->viable)));
	if (g->f & G_VFIO)
		widen(C_VFIO, (size_t)snprintf(buf, sizeof(buf), "/dev/vfio/%" PRIu64, g->num));
	for (uint32_t i = 0; i < g->n; i++) {
		const struct dev *d = &devs[g->first + i];

		widen(C_GROUP, 2 + scols_encode(AS(&S, d->bdf), NULL));
		if (d->f & D_IDS)
			widen(C_ID, 9);
		widen(C_DRIVER, scols_encode(driver_cell(d), NULL));
		product(d);
		if (d->hw >= 0 && hw[d->hw].enc != NONE)
			widen(C_PRODUCT, hw[d->hw].encw);
	}
}

/* One row: cells padded to their column, one blank between; the last column
 * unpadded (libsmartcols print_data). w: each cell's width. */
static void put_row(const char *const cell[NCOL], const size_t w[NCOL])
{
	for (int c = 0; c < NCOL; c++) {
		if (c == NCOL - 1) {
			put(cell[c]);
		} else if (cols[c].right) {
			pad(colw[c] - w[c]);
			put(cell[c]);
			put(" ");
		} else {
			put(cell[c]);
			pad(colw[c] - w[c]);
			put(" ");
		}
	}
	put("\n");
}

/* A row of plain ASCII cells (the header, a group's row). */
static void put_plain(const char *const cell[NCOL])
{
	size_t w[NCOL];

	for (int c = 0; c < NCOL; c++)
		w[c] = strlen(cell[c]);
	put_row(cell, w);
}

/* A buffer of at least n bytes, kept for the next row. */
static char *scratch(char **buf, size_t *cap, size_t n)
{
	if (n > *cap) {
		*cap = n;
		if (!(*buf = realloc(*buf, n)))
			die("out of memory");
	}
	return *buf;
}

static void note_printf(struct arena *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note_printf(struct arena *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("vsnprintf");
	if ((size_t)n + 1 > t->cap) {
		t->cap = (size_t)n + 1;
		if (!(t->p = realloc(t->p, t->cap)))
			die("out of memory");
	}
	va_start(ap, fmt);
	vsnprintf(t->p, t->cap, fmt, ap);
	va_end(ap);
}

/* The notes of a group, as list-groups prints them after the table or puts
 * them in "notes": blockers first (text only), then the notes in the order
 * read_group adds them. */
typedef void (*note_fn)(const struct grp *g, const char *note);

static void make_notes(const struct grp *g, note_fn fn)
{
	struct arena t = { 0 };
	const char *pn = g->phb >= 0 ? AS(&phbs_s, phbs[g->phb].node) : NULL;
	char num[96];

#define NOTE(...)                                                                                  \
	do {                                                                                       \
		note_printf(&t, __VA_ARGS__);                                                      \
		fn(g, t.p);                                                                        \
	} while (0)
	if (g->name_err)
		NOTE("name: %s", strerror(g->name_err));
	if (g->devs_err)
		NOTE("devices: %s",
		     g->devs_err == ENODATA ? "not recorded" : strerror(g->devs_err));
	for (uint32_t i = 0; i < g->n; i++) {
		const struct dev *d = &devs[g->first + i];

		if (d->f & D_VANISHED)
			NOTE("%s is listed in the group but has vanished from sysfs",
			     AS(&S, d->bdf));
		else if (d->err)
			NOTE("%s: uevent: %s", AS(&S, d->bdf),
			     d->err == ENODATA ? "not recorded" : strerror(d->err));
	}
	if (pn && !phbs[g->phb].has_m32)
		NOTE("no 32-bit memory range in %s/ranges: the 32-bit window is unknown", pn);
	for (uint32_t i = 0; i < g->n; i++) {
		const struct dev *d = &devs[g->first + i];

		if (d->f & D_OFFPHB)
			NOTE("%s is not below the group's PHB %s", AS(&S, d->bdf), pn);
	}
	if ((g->f & G_PE) && !(g->f & G_PE_FROM_EEH)) {
		for (uint32_t i = 0; i < g->n; i++) {
			const struct dev *d = &devs[g->first + i];

			if ((d->f & D_EEH_PE) && d->eeh_pe != g->pe) {
				snprintf(num, sizeof(num),
					 "0x%" PRIx64 " differs from PE 0x%" PRIx64, d->eeh_pe,
					 g->pe);
				NOTE("%s: eeh_pe_config_addr %s of the group name", AS(&S, d->bdf),
				     num);
			}
		}
	} else if (g->f & G_PE_FROM_EEH) {
		NOTE("PE 0x%" PRIx64 " from %s eeh_pe_config_addr (no group name)", g->pe,
		     AS(&S, devs[g->first + g->pe_dev].bdf));
	}
#undef NOTE
	free(t.p);
}

static bool shell_safe(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.' || *s == ':'))
			return false;
	return true;
}

static void text_note(const struct grp *g, const char *note)
{
	printf("group %" PRIu64 ": ", g->num);
	put_term(note);
	put("\n");
}

static void print_text(const struct grp *gs, size_t n_groups)
{
	const char *raw[NCOL];
	char group[32], pe[32], vfio[48], id[16];
	char *bdfb = NULL, *drvb = NULL;
	size_t bdfc = 0, drvc = 0;

	for (int c = 0; c < NCOL; c++) {
		size_t min = strlen(cols[c].name);

		/* count_column_width: at least the header; the hint when wider */
		if (colw[c] < min)
			colw[c] = min;
		else if (colw[c] < cols[c].whint && min < cols[c].whint)
			colw[c] = cols[c].whint;
		raw[c] = cols[c].name;
	}
	put_plain(raw);
	for (size_t gi = 0; gi < n_groups; gi++) {
		const struct grp *g = &gs[gi];
		const struct phb *p = g->phb >= 0 ? &phbs[g->phb] : NULL;

		for (int c = 0; c < NCOL; c++)
			raw[c] = "";
		snprintf(group, sizeof(group), "%" PRIu64, g->num);
		raw[C_GROUP] = group;
		if (g->f & G_PE) {
			snprintf(pe, sizeof(pe), "0x%" PRIx64, g->pe);
			raw[C_PE] = pe;
		}
		if (p) {
			raw[C_MODEL] = p->model ? p->model : "";
			raw[C_DMA32] = p->dma32;
			raw[C_DDW] = p->ddw != NONE ? AS(&phbs_s, p->ddw) : "";
		}
		raw[C_VIABLE] = viable_str(g->viable);
		if (g->f & G_VFIO) {
			snprintf(vfio, sizeof(vfio), "/dev/vfio/%" PRIu64, g->num);
			raw[C_VFIO] = vfio;
		}
		put_plain(raw);
		for (uint32_t i = 0; i < g->n; i++) {
			const struct dev *d = &devs[g->first + i];
			const char *cell[NCOL];
			size_t w[NCOL];
			char *bdf = scratch(&bdfb, &bdfc, strlen(AT(&S, d->bdf)) * 4 + 8);
			char *drv = scratch(&drvb, &drvc, strlen(driver_cell(d)) * 4 + 1);

			for (int c = 0; c < NCOL; c++)
				cell[c] = "", w[c] = 0;
			strcpy(bdf, i + 1 == g->n ? right : branch);
			w[C_GROUP] = 2 + scols_encode(AS(&S, d->bdf), bdf + strlen(bdf));
			cell[C_GROUP] = bdf;
			if (d->f & D_IDS) {
				snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
				cell[C_ID] = id;
				w[C_ID] = 9;
			}
			w[C_DRIVER] = scols_encode(driver_cell(d), drv);
			cell[C_DRIVER] = drv;
			cell[C_PRODUCT] = product(d);
			w[C_PRODUCT] = d->hw >= 0 && hw[d->hw].enc != NONE ? hw[d->hw].encw : 0;
			put_row(cell, w);
		}
	}
	free(bdfb);
	free(drvb);
	for (size_t gi = 0; gi < n_groups; gi++) {
		const struct grp *g = &gs[gi];

		for (uint32_t i = 0; i < g->n; i++) {
			const struct dev *d = &devs[g->first + i];
			const char *bdf = AS(&S, d->bdf), *drv = AS(&S, d->drv);

			if (!(d->f & D_BLOCKER))
				continue;
			printf("group %" PRIu64 ": not viable: ", g->num);
			put_term(bdf);
			put(" is bound to ");
			put_term(drv);
			put(", which claims DMA for the host kernel\n");
			if (shell_safe(bdf) && shell_safe(drv))
				printf("  release: echo %s > " DRIVERS "/%s/unbind\n", bdf, drv);
			if (d->nvf)
				printf("  warning: SR-IOV PF with %" PRIu32
				       " VFs: unbinding its driver destroys the VFs\n",
				       d->nvf);
			else if (is_bridge(d))
				put("  warning: a bridge: leave it unbound (or on pcieport); "
				    "vfio-pci "
				    "refuses bridges\n");
		}
		make_notes(g, text_note);
	}
}

/* ---- JSON, as json-c prints it (PRETTY | SPACED | NOSLASHESCAPE) ----------------- */

static struct {
	int depth;
	bool had[16];
	bool arr[16];
} jw;

static void indent(int level)
{
	pad((size_t)level * 2);
}

/* before a member (key) or an array element (key NULL) */
static void jw_pre(const char *key)
{
	int d = jw.depth;

	if (jw.arr[d]) {
		if (jw.had[d])
			put(",\n");
	} else {
		put(jw.had[d] ? ",\n" : "\n");
	}
	jw.had[d] = true;
	indent(d);
	if (key) {
		put("\"");
		put(key);
		put("\": ");
	}
}

/* json-c's json_escape_str of a host string made UTF-8 (tce_json_str) */
static void jw_raw_str(const char *s, bool sanitize)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];

	put("\"");
	while (*p) {
		size_t n = sanitize ? utf8_len(p) : 1;

		if (sanitize && n == 0 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			n = 2;
		if (n == 0) {
			put("\xef\xbf\xbd");
			p++;
			continue;
		}
		if (n > 1) {
			putn((const char *)p, n);
			p += n;
			continue;
		}
		switch (*p) {
		case '\b':
			put("\\b");
			break;
		case '\n':
			put("\\n");
			break;
		case '\r':
			put("\\r");
			break;
		case '\t':
			put("\\t");
			break;
		case '\f':
			put("\\f");
			break;
		case '"':
			put("\\\"");
			break;
		case '\\':
			put("\\\\");
			break;
		default:
			if (*p < ' ') {
				snprintf(esc, sizeof(esc), "\\u00%02x", *p);
				put(esc);
			} else {
				putn((const char *)p, 1);
			}
		}
		p++;
	}
	put("\"");
}

static void jw_str(const char *key, const char *s)
{
	jw_pre(key);
	if (s)
		jw_raw_str(s, true);
	else
		put("null");
}

static void jw_lit(const char *key, const char *lit)
{
	jw_pre(key);
	put(lit);
}

static void jw_int(const char *key, int64_t v)
{
	jw_pre(key);
	printf("%" PRId64, v);
}

/* add_u64: the number, and a "*_hex" string when asked or above 2^53 */
static void jw_u64(const char *key, bool has, uint64_t v, bool always_hex)
{
	char hkey[64];

	jw_pre(key);
	if (!has) {
		put("null");
		return;
	}
	printf("%" PRIu64, v);
	if (always_hex || v >= SAFE_MAX) {
		snprintf(hkey, sizeof(hkey), "%s_hex", key);
		jw_pre(hkey);
		printf("\"0x%" PRIx64 "\"", v);
	}
}

static void jw_open(const char *key, bool arr)
{
	if (jw.depth >= 15)
		die("JSON too deep");
	if (jw.depth > 0)
		jw_pre(key);
	put(arr ? "[\n" : "{");
	jw.depth++;
	jw.had[jw.depth] = false;
	jw.arr[jw.depth] = arr;
}

static void jw_close(void)
{
	bool arr = jw.arr[jw.depth];

	if (jw.had[jw.depth])
		put("\n");
	jw.depth--;
	indent(jw.depth);
	put(arr ? "]" : "}");
}

static void json_note(const struct grp *g, const char *note)
{
	(void)g;
	jw_pre(NULL);
	jw_raw_str(note, false);
}

static void json_group(const struct grp *g)
{
	const struct phb *p = g->phb >= 0 ? &phbs[g->phb] : NULL;

	jw_open(NULL, false);
	jw_u64("group", true, g->num, false);
	jw_str("name", AS(&X, g->name));
	jw_u64("domain", g->f & G_DOMAIN_PE, g->domain, false);
	jw_u64("pe", g->f & G_PE, g->pe, false);
	if (p) {
		jw_open("phb", false);
		jw_str("node", AS(&phbs_s, p->node));
		jw_str("model", p->model);
		if (p->ioda)
			jw_int("ioda", p->ioda);
		else
			jw_lit("ioda", "null");
		jw_u64("opal_phbid", p->has_id, p->id, false);
		jw_close();
	} else {
		jw_lit("phb", "null");
	}
	jw_str("type", AS(&X, g->type));
	jw_open("reserved_regions", true);
	if (g->rr != NONE) {
		/* "0x%016llx 0x%016llx %s\n" (drivers/iommu/iommu.c) */
		char *copy = strdup(AT(&X, g->rr)), *save = NULL;

		for (char *ln = copy ? strtok_r(copy, "\n", &save) : NULL; ln;
		     ln = strtok_r(NULL, "\n", &save)) {
			char a1[32], a2[32], type[32];
			uint64_t st, en;

			if (sscanf(ln, "%31s %31s %31s", a1, a2, type) != 3 ||
			    parse_u64(a1, strlen(a1), 16, &st) < 0 ||
			    parse_u64(a2, strlen(a2), 16, &en) < 0)
				continue;
			jw_open(NULL, false);
			jw_u64("start", true, st, true);
			jw_u64("end", true, en, true);
			jw_pre("type");
			jw_raw_str(type, false);
			jw_close();
		}
		free(copy);
	}
	jw_close();

	jw_open("devices", true);
	for (uint32_t i = 0; i < g->n; i++) {
		const struct dev *d = &devs[g->first + i];
		const struct jdev *j = &jdevs[g->first + i];
		const struct hwdb *h = d->hw >= 0 ? &hw[d->hw] : NULL;
		char buf[16];

		jw_open(NULL, false);
		jw_str("bdf", AS(&S, d->bdf));
		if (d->f & D_IDS) {
			snprintf(buf, sizeof(buf), "%04x", d->vendor);
			jw_str("vendor_id", buf);
			snprintf(buf, sizeof(buf), "%04x", d->device);
			jw_str("device_id", buf);
		} else {
			jw_lit("vendor_id", "null");
			jw_lit("device_id", "null");
		}
		if (d->f & D_CLASS) {
			snprintf(buf, sizeof(buf), "%06" PRIx32, d->class_code);
			jw_str("class", buf);
		} else {
			jw_lit("class", "null");
		}
		if (h && (h->vendor != NONE || h->model != NONE)) {
			jw_open("names", false);
			jw_str("vendor", AS(&names, h->vendor));
			jw_str("device", AS(&names, h->model));
			jw_close();
			/* the snapshot's hwdb answers: bench/run turns the tool's
			 * fallback to this machine's hwdb off */
			jw_str("names_source", "snapshot");
		} else {
			jw_lit("names", "null");
			jw_lit("names_source", "null");
		}
		jw_str("driver", AS(&S, d->drv));
		jw_lit("driver_known", d->f & D_KNOWN ? "true" : "false");
		jw_str("driver_override", AS(&X, j->ovr));
		if (j->has_numa)
			jw_int("numa_node", j->numa);
		else
			jw_lit("numa_node", "null");
		jw_str("loc_code", AS(&X, j->loc));
		jw_str("physfn", AS(&X, j->physfn));
		if (j->has_vfs) {
			const char *v = AS(&X, j->vfs);

			jw_open("virtfns", true);
			for (uint32_t k = 0; k < j->n_vfs; k++, v += strlen(v) + 1) {
				jw_pre(NULL);
				jw_raw_str(v, false);
			}
			jw_close();
		} else {
			jw_lit("virtfns", "null");
		}
		if (j->has_eeh) {
			jw_open("eeh", false);
			jw_str("mode", AS(&X, j->mode));
			jw_u64("pe_config_addr", d->f & D_EEH_PE, d->eeh_pe, false);
			jw_str("pe_state", AS(&X, j->state));
			jw_close();
		} else {
			jw_lit("eeh", "null");
		}
		if (d->of != NONE && !(d->f & D_HINT)) {
			const char *o = AS(&X, d->of);

			/* out/groups.c dt_display: the base itself stays as it is */
			jw_str("of_node", strncmp(o, BASE, BASE_LEN) == 0 && o[BASE_LEN] == '/'
					      ? o + BASE_LEN
					      : o);
		} else {
			jw_lit("of_node", "null");
		}
		jw_lit("vanished", d->f & D_VANISHED ? "true" : "false");
		jw_close();
	}
	jw_close();

	jw_lit("viable", g->viable == 2 ? "null" : g->viable ? "true" : "false");
	jw_str("viability_rule", rule);
	jw_open("blockers", true);
	for (uint32_t i = 0; i < g->n; i++) {
		const struct dev *d = &devs[g->first + i];
		const char *bdf = AS(&S, d->bdf), *drv = AS(&S, d->drv);
		struct arena t = { 0 };

		if (!(d->f & D_BLOCKER))
			continue;
		jw_open(NULL, false);
		jw_str("bdf", bdf);
		jw_str("driver", drv);
		note_printf(&t, "bound to %s, which claims DMA for the host kernel", drv);
		jw_str("reason", t.p);
		if (shell_safe(bdf) && shell_safe(drv)) {
			note_printf(&t, "echo %s > " DRIVERS "/%s/unbind", bdf, drv);
			jw_str("command", t.p);
		} else {
			jw_lit("command", "null");
		}
		if (d->nvf) {
			note_printf(&t,
				    "SR-IOV PF with %" PRIu32
				    " VFs: unbinding its driver destroys the VFs",
				    d->nvf);
			jw_str("warning", t.p);
		} else if (is_bridge(d)) {
			jw_str("warning", "a bridge: leave it unbound (or on pcieport); vfio-pci "
					  "refuses bridges");
		} else {
			jw_lit("warning", "null");
		}
		free(t.p);
		jw_close();
	}
	jw_close();

	if (g->f & G_VFIO) {
		/* the recorded holders (probe "vfio-holders"), by group number */
		size_t lo = 0, hi = n_hold;
		int err = 0;
		bool found = false;
		char node[48];

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (hold[mid].group < g->num)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* one answer: an error in any of its lines wins */
		for (size_t i = lo; i < n_hold && hold[i].group == g->num; i++) {
			found = true;
			if (hold[i].err && !err)
				err = hold[i].err;
		}
		if (!found)
			err = ENODATA;
		jw_open("vfio", false);
		snprintf(node, sizeof(node), "/dev/vfio/%" PRIu64, g->num);
		jw_str("node", node);
		if (!err) {
			jw_open("holders", true);
			for (size_t i = lo; i < n_hold && hold[i].group == g->num; i++) {
				/* "PID<TAB>COMM[<TAB>VM]" */
				char *v =
				    hold[i].val != NONE ? strdup(AT(&names, hold[i].val)) : NULL;
				char *end, *comm, *vm;
				long pid;

				if (!v)
					continue;
				pid = strtol(v, &end, 10);
				if (end == v || (*end != '\t' && *end != ' ') || pid <= 0 ||
				    pid > INT32_MAX) {
					free(v);
					continue;
				}
				comm = end + 1;
				vm = strchr(comm, '\t');
				if (vm)
					*vm++ = '\0';
				jw_open(NULL, false);
				jw_int("pid", pid);
				jw_str("comm", comm);
				jw_str("vm", vm && *vm ? vm : NULL);
				jw_close();
				free(v);
			}
			jw_close();
			jw_lit("holders_note", "null");
		} else {
			jw_lit("holders", "null");
			jw_str("holders_note", err == EACCES	? "needs root"
					       : err == EPERM	? "process list hidden"
					       : err == ENODATA ? "not recorded"
								: "unknown");
		}
		jw_close();
	} else {
		jw_lit("vfio", "null");
	}

	jw_open("windows", true);
	if (p) {
		if (p->has_m32) {
			jw_open(NULL, false);
			jw_str("kind", "vfio_dma32");
			jw_lit("liobn", "null");
			jw_u64("start", true, 0, true);
			jw_u64("size", true, p->m32, true);
			jw_lit("page_sizes", "null");
			jw_lit("max_windows", "null");
			jw_lit("levels", "null");
			jw_str("source", "devicetree");
			jw_close();
		}
		jw_open(NULL, false);
		jw_str("kind", "vfio_ddw");
		jw_lit("liobn", "null");
		jw_lit("start", "null");
		jw_lit("size", "null");
		jw_u64("page_sizes", p->has_pgs, p->pgs, true);
		jw_u64("max_windows", true, 2, false); /* IOMMU_TABLE_GROUP_MAX_TABLES */
		jw_u64("levels", true, 5, false);      /* POWERNV_IOMMU_MAX_LEVELS */
		jw_str("source", p->pgs_src);
		jw_close();
	}
	jw_close();
	jw_open("notes", true);
	make_notes(g, json_note);
	jw_close();
	jw_close();
}

/* ---- main ------------------------------------------------------------------------ */

static const char *no_groups(int err)
{
	if (err == ENOENT)
		return "no IOMMU groups: /sys/kernel/iommu_groups does not exist (kernel "
		       "without IOMMU support, or sysfs not mounted)";
	if (err == ENODATA)
		return "no IOMMU groups: /sys/kernel/iommu_groups was not recorded";
	return "no IOMMU groups: no PCI device is in a PE, or the kernel was built "
	       "without CONFIG_SPAPR_TCE_IOMMU";
}

static int num_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the tool's ruleset (src/util/sandbox.c), no write allowed anywhere */
static void confine(void)
{
	struct {
		uint64_t fs, net, scoped;
	} attr = { 0 };
	const char *e = getenv("FLOOR_NO_SANDBOX");
	long abi = syscall(444 /* landlock_create_ruleset */, NULL, 0, 1 /* VERSION */);
	int fd;

	if ((e && *e && strcmp(e, "0") != 0) || abi < 1)
		return;
	/* write, remove dir/file, make char/dir/reg/sock/fifo/block/sym */
	attr.fs = (1ULL << 1) | (0x1ffULL << 4);
	if (abi >= 2)
		attr.fs |= 1ULL << 13; /* refer */
	if (abi >= 3)
		attr.fs |= 1ULL << 14; /* truncate */
	if (abi >= 5)
		attr.fs |= 1ULL << 15; /* ioctl_dev */
	if (abi >= 4)
		attr.net = 1; /* bind_tcp */
	if (abi >= 6)
		attr.scoped = 2; /* signal */
	fd = (int)syscall(444, &attr, sizeof(attr), 0);
	if (fd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(446 /* landlock_restrict_self */, fd, 0) < 0) {
		perror("floor: landlock");
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	const char *root;
	char **entries = NULL;
	size_t n_entries = 0, n_groups = 0, cap_groups = 0;
	uint64_t *nums = NULL;
	struct grp *gs = NULL;
	int groups_err = 0, fd;
	static char obuf[1 << 16];
	ssize_t n;

	if (argc == 3 && strcmp(argv[1], "--json") == 0) {
		want_json = true;
		root = argv[2];
	} else if (argc == 2 && argv[1][0] != '-') {
		root = argv[1];
	} else {
		fputs("Usage: floor [--json] ROOT\n", stderr);
		return 64;
	}
	confine();
	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		branch = "|-", right = "`-";
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		perror(root);
		return 1;
	}
	{
		char link[64];

		snprintf(link, sizeof(link), "/proc/self/fd/%d", rootfd);
		n = readlink(link, rootreal, sizeof(rootreal) - 1);
		if (n <= 0)
			die("cannot name the root");
		rootreal[n] = '\0';
		rootreal_len = strcmp(rootreal, "/") == 0 ? 0 : (size_t)n;
	}
	load_snapshot(want_json);

	/* PowerNV: OPAL puts an ibm,opal node at the root of the device tree */
	fd = in_root("proc/device-tree/ibm,opal", O_PATH);
	if (fd >= 0) {
		close(fd);
	} else if (!replay_empty_dir("proc/device-tree/ibm,opal", -fd) ||
		   (fd = in_root("proc/device-tree", O_PATH)) < 0) {
		fputs("floor: not a PowerNV tree (floor reads PowerNV only)\n", stderr);
		return 2;
	} else {
		close(fd);
	}
	if (man.release && isdigit((unsigned char)man.release[0])) {
		char *end;
		long maj, min = -1;

		errno = 0;
		maj = strtol(man.release, &end, 10);
		if (!errno && *end == '.' && maj >= 0 && maj <= 1000 &&
		    isdigit((unsigned char)end[1])) {
			min = strtol(end + 1, &end, 10);
			if (!errno && min >= 0 && min <= 1000) {
				ge_5_19 = maj > 5 || (maj == 5 && min >= 19);
				rule = ge_5_19 ? ">=5.19" : "<5.19";
			}
		}
	}
	vfiofd = in_root("dev/vfio", O_PATH | O_DIRECTORY);

	fd = in_root(GROUPS, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		groups_err = -list_dir(fd, &entries, &n_entries);
		groupsfd = fd;
	} else if (!replay_empty_dir(GROUPS, -fd)) {
		groups_err = replay(GROUPS, -fd);
	}
	if (groups_err && groups_err != ENOENT && groups_err != ENODATA) {
		fprintf(stderr, "floor: cannot read /" GROUPS ": %s\n", strerror(groups_err));
		return 1;
	}
	if (!(nums = malloc((n_entries + 1) * sizeof(*nums))))
		die("out of memory");
	for (size_t i = 0; i < n_entries; i++) {
		const char *c;
		uint64_t v;

		for (c = entries[i]; *c >= '0' && *c <= '9'; c++)
			;
		if (!*c && parse_u64(entries[i], strlen(entries[i]), 10, &v) == 0)
			nums[n_groups++] = v;
	}
	free(entries);
	X.len = 0;
	qsort(nums, n_groups, sizeof(*nums), num_cmp);

	if (want_json) {
		jw_open(NULL, false);
		jw_int("schema_version", 1);
		jw_str("kernel_release", man.release);
		jw_str("machine", man.machine);
		jw_str("platform", "powernv");
		jw_open("groups", true);
		for (size_t i = 0; i < n_groups; i++) {
			struct grp g = { .num = nums[i] };

			/* one group at a time: its devices and strings are dropped */
			n_devs = 0;
			S.len = X.len = 0;
			read_group(&g);
			json_group(&g);
		}
		jw_close();
		if (groups_err || !n_groups)
			jw_str("note", no_groups(groups_err));
		else
			jw_lit("note", "null");
		jw_close();
		put("\n");
	} else {
		for (size_t i = 0; i < n_groups; i++) {
			gs = grow(gs, i, &cap_groups, sizeof(*gs));
			gs[i] = (struct grp){ .num = nums[i] };
			X.len = 0;
			read_group(&gs[i]);
			widen_group(&gs[i]);
			/* of_node paths were for this group only */
			for (uint32_t k = 0; k < gs[i].n; k++)
				devs[gs[i].first + k].of = NONE;
		}
		if (!n_groups)
			printf("%s\n", no_groups(groups_err));
		else
			print_text(gs, n_groups);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("floor: writing output");
		return 1;
	}
	return 0;
}
