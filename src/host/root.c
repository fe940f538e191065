/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The root object: see include/tceiommu/root.h for what it promises.
 *
 * openat2(2) with RESOLVE_IN_ROOT treats absolute link targets and ".." as
 * relative to the directory fd (Linux >= 5.6, fs/namei.c). Where it is
 * missing (ENOSYS, or refused by a seccomp filter) the userspace resolver
 * below walks the path one component at a time with fstatat/readlinkat on the
 * same directory fd and applies the same rules: ".." stops at the root, an
 * absolute target restarts at the root, 40 links at most (ELOOP), and the
 * result is opened with O_NOFOLLOW. The recorder always walks with the
 * userspace resolver, because it must copy every link it crosses.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/probe.h"
#include "tceiommu/root.h"
#include "tceiommu/util.h"

#define MAX_LINKS 40
#define MAX_STRING 4096

struct manifest_entry {
	char *path;
	int err;  /* 0 read/dir/exists, else errno (ENOENT = absent) */
	bool dir; /* a directory that was listed ("dir"): it may be empty */
};

struct recorder {
	int outfd;
	char *outdir;
	struct manifest_entry *entries;
	size_t n, alloc;
};

struct tce_root {
	int dirfd;
	char *path;
	bool live;
	bool openat2_ok;
	char *real; /* the root directory's path on this machine, for realpath's fast path */
	/* replay: the snapshot's manifest */
	char *kernel_release, *machine;
	long page_size, euid;
	struct manifest_entry *manifest; /* sorted by path */
	size_t n_manifest;
	bool recorded; /* "source record": a path it does not list was not recorded */
	struct recorder *rec;
	struct tce_probe_store *probes;
};

static const char *rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

static int entry_cmp(const void *a, const void *b)
{
	const struct manifest_entry *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static void entries_free(struct manifest_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].path);
	free(e);
}

static int parse_manifest(struct tce_root *r, char *buf)
{
	size_t alloc = 0;
	char *save = NULL, *line;
	bool first = true;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		char *key = line, *val = sp ? sp + 1 : (char *)"";

		if (sp)
			*sp = '\0';
		if (first) {
			uint64_t v;

			first = false;
			if (!streq(key, "tceiommu-snapshot") || tce_parse_u64(val, 10, &v) < 0) {
				ERR("%s: not a tceiommu snapshot manifest", TCE_SNAPSHOT_MANIFEST);
				return -EINVAL;
			}
			if (v > TCE_SNAPSHOT_FORMAT) {
				ERR("%s: snapshot format %llu is newer than this tool reads (%d)",
				    TCE_SNAPSHOT_MANIFEST, (unsigned long long)v,
				    TCE_SNAPSHOT_FORMAT);
				return -EINVAL;
			}
			continue;
		}
		if (streq(key, "source")) {
			r->recorded = streq(val, "record");
		} else if (streq(key, "kernel_release")) {
			free(r->kernel_release);
			r->kernel_release = strdup(val);
		} else if (streq(key, "machine")) {
			free(r->machine);
			r->machine = strdup(val);
		} else if (streq(key, "page_size")) {
			int64_t v;

			if (tce_parse_s64(val, 10, &v) == 0 && v > 0 && v <= (1 << 30))
				r->page_size = (long)v;
		} else if (streq(key, "euid")) {
			int64_t v;

			if (tce_parse_s64(val, 10, &v) == 0 && v >= 0 && v <= UINT32_MAX)
				r->euid = (long)v;
		} else if (streq(key, "path")) {
			/* "path RESULT ESCAPED-PATH" */
			char *sp2 = strchr(val, ' ');
			char *p = NULL;
			int err;
			bool dir = false;

			if (!sp2)
				continue;
			*sp2 = '\0';
			if (streq(val, "dir"))
				err = 0, dir = true;
			else if (streq(val, "read") || streq(val, "exists"))
				err = 0;
			else if (streq(val, "absent"))
				err = ENOENT;
			else if (!(err = tce_errno_from_name(val)))
				continue;
			if (tce_percent_unescape(sp2 + 1, &p) < 0)
				continue;
			if (r->n_manifest == alloc) {
				size_t na = alloc ? alloc * 2 : 256;
				struct manifest_entry *ne = realloc(r->manifest, na * sizeof(*ne));

				if (!ne) {
					free(p);
					return -ENOMEM;
				}
				r->manifest = ne;
				alloc = na;
			}
			r->manifest[r->n_manifest++] = (struct manifest_entry){ p, err, dir };
		}
	}
	if (r->n_manifest)
		qsort(r->manifest, r->n_manifest, sizeof(*r->manifest), entry_cmp);
	return 0;
}

/*
 * A file of the snapshot's own directory (.tceiommu/NAME): opened without
 * following any link (a crafted snapshot's .tceiommu -> /elsewhere must not
 * be read) and only if it is a regular file (a FIFO must not hang us).
 * -ENOENT when the snapshot has none.
 */
static int snapshot_open(struct tce_root *r, const char *name)
{
	_cleanup_close_ int dfd = -1;
	struct stat st;
	int fd;

	if (fstatat(r->dirfd, TCE_SNAPSHOT_DIR, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	dfd = openat(r->dirfd, TCE_SNAPSHOT_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/*
 * Read a whole file of at most max bytes. The first read() goes to a stack
 * buffer and what it got is copied out at its size. With one_read, a short
 * first read is the whole file: a sysfs attribute (or device-tree property)
 * hands over all of it in one read() (kernfs: seq_file show() or a bin
 * attribute up to PAGE_SIZE a call), and so does a regular file on a local
 * filesystem, so the read that would only see EOF is skipped (issue 9).
 * /proc files are seq_files that return a record at a time: never one_read.
 */
static int read_fd_whole(int fd, size_t max, bool one_read, char **ret, size_t *ret_len)
{
	char first[4096];
	_cleanup_free_ char *buf = NULL;
	size_t len, alloc;
	ssize_t n;

	do
		n = read(fd, first, sizeof(first));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	len = (size_t)n;
	if (len > max)
		return -EFBIG;
	if (n == 0 || (one_read && len < sizeof(first))) {
		if (!(buf = malloc(len + 1)))
			return -ENOMEM;
		memcpy(buf, first, len);
		buf[len] = '\0';
		*ret = TAKE_PTR(buf);
		*ret_len = len;
		return 0;
	}
	alloc = 2 * sizeof(first);
	if (!(buf = malloc(alloc + 1)))
		return -ENOMEM;
	memcpy(buf, first, len);
	for (;;) {
		if (len + 1 >= alloc) {
			size_t na = alloc * 2;
			char *nb;

			if (alloc > max + 1)
				return -EFBIG;
			nb = realloc(buf, na + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
			alloc = na;
		}
		n = read(fd, buf + len, alloc - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	buf[len] = '\0';
	if (alloc > len + 1 + 64) {
		/* keep what was read, not the buffer it was read into */
		char *nb = realloc(buf, len + 1);

		if (nb)
			buf = nb;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

static int read_fd_all(int fd, size_t max, char **ret, size_t *ret_len)
{
	return read_fd_whole(fd, max, false, ret, ret_len);
}

static int load_snapshot_files(struct tce_root *r)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int fd, k;

	fd = snapshot_open(r, "manifest");
	if (fd == -ENOENT)
		return 0; /* a hand-built tree without bookkeeping */
	if (fd < 0) {
		ERR("%s: %s", TCE_SNAPSHOT_MANIFEST,
		    fd == -ELOOP ? "a symbolic link; refusing to follow it" : strerror(-fd));
		return fd;
	}
	k = read_fd_all(fd, 64 << 20, &buf, &len);
	close(fd);
	if (k < 0)
		return k;
	if (memchr(buf, '\0', len))
		return -EINVAL;
	k = parse_manifest(r, buf);
	if (k < 0)
		return k;
	fd = snapshot_open(r, "probes");
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		ERR("%s: %s", TCE_SNAPSHOT_PROBES, strerror(-fd));
		return fd;
	}
	k = tce_probe_store_load(r->probes, fd); /* takes the fd */
	return k;
}

int tce_root_new(const char *dir, struct tce_root **ret)
{
	struct tce_root *r = calloc(1, sizeof(*r));
	const char *e = secure_getenv("TCEIOMMU_NO_OPENAT2");
	int k;

	if (!r)
		return -ENOMEM;
	r->live = !dir;
	r->path = strdup(dir ? dir : "/");
	r->openat2_ok = !(e && *e && *e != '0');
	r->page_size = -1;
	r->euid = -1;
	r->dirfd = open(r->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!r->path || r->dirfd < 0) {
		k = r->path ? -errno : -ENOMEM;
		tce_root_free(r);
		return k;
	}
	{
		/* the root's own path as the kernel names it, for realpath's fast path */
		char link[64], target[4096];
		ssize_t n;

		snprintf(link, sizeof(link), PATH_PROC_SELF_FD "/%d", r->dirfd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0 && target[0] == '/') {
			target[n] = '\0';
			r->real = strdup(target);
		}
	}
	k = tce_probe_store_new(&r->probes);
	if (k == 0 && !r->live)
		k = load_snapshot_files(r);
	if (k < 0) {
		tce_root_free(r);
		return k;
	}
	if (r->live) {
		struct utsname u;

		if (uname(&u) == 0) {
			r->kernel_release = strdup(u.release);
			r->machine = strdup(u.machine);
		}
		r->page_size = sysconf(_SC_PAGESIZE);
		r->euid = (long)geteuid();
	}
	*ret = r;
	return 0;
}

static void recorder_free(struct recorder *rec)
{
	if (!rec)
		return;
	if (rec->outfd >= 0)
		close(rec->outfd);
	entries_free(rec->entries, rec->n);
	free(rec->outdir);
	free(rec);
}

struct tce_root *tce_root_free(struct tce_root *r)
{
	if (!r)
		return NULL;
	if (r->dirfd >= 0)
		close(r->dirfd);
	entries_free(r->manifest, r->n_manifest);
	recorder_free(r->rec);
	tce_probe_store_free(r->probes);
	free(r->kernel_release);
	free(r->machine);
	free(r->path);
	free(r->real);
	free(r);
	return NULL;
}

bool tce_root_is_live(const struct tce_root *r)
{
	return r->live;
}

bool tce_root_is_recording(const struct tce_root *r)
{
	return r->rec != NULL;
}

const char *tce_root_path(const struct tce_root *r)
{
	return r->path;
}

const char *tce_root_kernel_release(const struct tce_root *r)
{
	return r->kernel_release;
}

const char *tce_root_machine(const struct tce_root *r)
{
	return r->machine;
}

long tce_root_page_size(const struct tce_root *r)
{
	return r->page_size;
}

long tce_root_euid(const struct tce_root *r)
{
	return r->euid;
}

struct tce_probe_store *tce_root_probes(struct tce_root *r)
{
	return r->probes;
}

bool tce_root_uses_openat2(const struct tce_root *r)
{
	return r->openat2_ok;
}

/* ---- recording ---------------------------------------------------------- */

static void record_result_kind(struct tce_root *r, const char *path, int err, bool dir)
{
	struct recorder *rec = r->rec;
	char *p;

	if (!rec || err == ENODATA) /* "not recorded" in the source stays unrecorded */
		return;
	if (rec->n == rec->alloc) {
		size_t na = rec->alloc ? rec->alloc * 2 : 256;
		struct manifest_entry *ne = realloc(rec->entries, na * sizeof(*ne));

		if (!ne)
			return;
		rec->entries = ne;
		rec->alloc = na;
	}
	p = strdup(path);
	if (!p)
		return;
	rec->entries[rec->n++] = (struct manifest_entry){ p, err, dir };
}

static void record_result(struct tce_root *r, const char *path, int err)
{
	record_result_kind(r, path, err, false);
}

/* mkdir -p of the parent directories of path inside the output directory. */
static int out_mkparents(struct recorder *rec, const char *path, bool include_last)
{
	_cleanup_free_ char *copy = strdup(rel(path));
	char *p;

	if (!copy)
		return -ENOMEM;
	for (p = copy; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdirat(rec->outfd, copy, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (include_last && mkdirat(rec->outfd, copy, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void record_link(struct tce_root *r, const char *canon, const char *target)
{
	if (!r->rec || out_mkparents(r->rec, canon, false) < 0)
		return;
	if (symlinkat(target, r->rec->outfd, rel(canon)) < 0 && errno != EEXIST)
		DBG("record: link %s: %m", canon);
}

static void record_file(struct tce_root *r, const char *canon, const char *buf, size_t len)
{
	_cleanup_close_ int fd = -1;

	if (!r->rec || out_mkparents(r->rec, canon, false) < 0)
		return;
	fd = openat(r->rec->outfd, rel(canon),
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		WRN("record: cannot write %s", canon);
}

static void record_dir(struct tce_root *r, const char *canon)
{
	if (r->rec)
		(void)out_mkparents(r->rec, canon, true);
}

int tce_root_start_recording(struct tce_root *r, const char *outdir)
{
	struct recorder *rec;
	DIR *d;
	struct dirent *de;
	int fd;

	if (mkdir(outdir, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(dup(fd));
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
			closedir(d);
			close(fd);
			return -ENOTEMPTY;
		}
	}
	closedir(d);
	rec = calloc(1, sizeof(*rec));
	if (!rec || !(rec->outdir = strdup(outdir))) {
		free(rec);
		close(fd);
		return -ENOMEM;
	}
	rec->outfd = fd;
	r->rec = rec;
	return 0;
}

static int write_all(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int tce_root_finish_recording(struct tce_root *r)
{
	struct recorder *rec = r->rec;
	_cleanup_close_ int fd = -1;
	char line[512];
	time_t now = time(NULL);
	struct tm tm;
	int k;

	if (!rec)
		return -EINVAL;
	if (mkdirat(rec->outfd, TCE_SNAPSHOT_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(rec->outfd, TCE_SNAPSHOT_MANIFEST,
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	gmtime_r(&now, &tm);
	snprintf(line, sizeof(line),
		 "tceiommu-snapshot %d\nsource record\ntool tceiommu %s\n"
		 "recorded %04d-%02d-%02dT%02d:%02d:%02dZ\nfrom %s\n",
		 TCE_SNAPSHOT_FORMAT, TCEIOMMU_VERSION, tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, r->live ? "live" : "snapshot");
	if ((k = write_all(fd, line)) < 0)
		return k;
	if (r->kernel_release) {
		_cleanup_free_ char *s =
		    tce_strdup_printf("kernel_release %s\n", r->kernel_release);

		if (!s || (k = write_all(fd, s)) < 0)
			return k < 0 ? k : -ENOMEM;
	}
	if (r->machine) {
		_cleanup_free_ char *s = tce_strdup_printf("machine %s\n", r->machine);

		if (!s || (k = write_all(fd, s)) < 0)
			return k < 0 ? k : -ENOMEM;
	}
	if (r->page_size > 0) {
		snprintf(line, sizeof(line), "page_size %ld\n", r->page_size);
		if ((k = write_all(fd, line)) < 0)
			return k;
	}
	if (r->euid >= 0) {
		snprintf(line, sizeof(line), "euid %ld\n", r->euid);
		if ((k = write_all(fd, line)) < 0)
			return k;
	}
	if (rec->n)
		qsort(rec->entries, rec->n, sizeof(*rec->entries), entry_cmp);
	for (size_t i = 0; i < rec->n; i++) {
		_cleanup_free_ char *esc = NULL, *s = NULL;
		const char *res;
		int err = rec->entries[i].err;

		if (i > 0 && streq(rec->entries[i].path, rec->entries[i - 1].path))
			continue;
		res = rec->entries[i].dir ? "dir"
		      : err == 0	  ? "read"
		      : err == ENOENT	  ? "absent"
					  : tce_errno_name(err);
		esc = tce_percent_escape(rec->entries[i].path);
		s = esc ? tce_strdup_printf("path %s %s\n", res, esc) : NULL;
		if (!s)
			return -ENOMEM;
		if ((k = write_all(fd, s)) < 0)
			return k;
	}
	if (fsync(fd) < 0 && errno != EINVAL)
		return -errno;
	return tce_probe_store_save(r->probes, rec->outfd, TCE_SNAPSHOT_PROBES);
}

/* ---- resolution ----------------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, alloc;
};

static int sbuf_set(struct sbuf *b, const char *s, size_t n)
{
	if (n + 1 > b->alloc) {
		size_t na = n + 1 + 64;
		char *ns = realloc(b->s, na);

		if (!ns)
			return -ENOMEM;
		b->s = ns;
		b->alloc = na;
	}
	memmove(b->s, s, n);
	b->s[n] = '\0';
	b->len = n;
	return 0;
}

/*
 * Resolve path inside the root; *ret gets the canonical path ("/a/b", or "/"),
 * which contains no symbolic link except possibly the last component when
 * follow_last is false. A missing last component is not an error: the caller's
 * open reports it. Links crossed are recorded when recording.
 */
static int resolve(struct tce_root *r, const char *path, bool follow_last, char **ret)
{
	struct sbuf canon = { 0 }, todo = { 0 };
	size_t plen = strlen(path);
	/* "dir/" names a directory, as the kernel's lookup requires */
	bool want_dir = plen > 1 && path[plen - 1] == '/';
	int links = 0, k;

	if ((k = sbuf_set(&canon, "", 0)) < 0 || (k = sbuf_set(&todo, path, plen)) < 0)
		goto out;

	for (;;) {
		char *p = todo.s, *comp, *next_sep;
		size_t clen;
		bool last;
		struct stat st;
		_cleanup_free_ char *cand = NULL;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		comp = p;
		next_sep = strchr(comp, '/');
		clen = next_sep ? (size_t)(next_sep - comp) : strlen(comp);
		p = comp + clen;
		while (*p == '/')
			p++;
		last = !*p;

		if (clen == 1 && comp[0] == '.') {
			k = sbuf_set(&todo, p, strlen(p));
		} else if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			char *slash = strrchr(canon.s, '/');

			if (slash)
				canon.len = (size_t)(slash - canon.s), canon.s[canon.len] = '\0';
			k = sbuf_set(&todo, p, strlen(p));
		} else {
			cand = malloc(canon.len + clen + 2);
			if (!cand) {
				k = -ENOMEM;
				goto out;
			}
			memcpy(cand, canon.s, canon.len);
			cand[canon.len] = '/';
			memcpy(cand + canon.len + 1, comp, clen);
			cand[canon.len + 1 + clen] = '\0';

			if (fstatat(r->dirfd, rel(cand), &st, AT_SYMLINK_NOFOLLOW) < 0) {
				if (errno == ENOENT && last) {
					k = sbuf_set(&canon, cand, strlen(cand));
					if (k == 0)
						k = sbuf_set(&todo, "", 0);
					if (k < 0)
						goto out;
					continue;
				}
				k = -errno;
				goto out;
			}
			if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
				char target[4096];
				ssize_t n;
				_cleanup_free_ char *rest = NULL;

				if (++links > MAX_LINKS) {
					k = -ELOOP;
					goto out;
				}
				n = readlinkat(r->dirfd, rel(cand), target, sizeof(target) - 1);
				if (n < 0) {
					k = -errno;
					goto out;
				}
				if (n == 0) {
					k = -ENOENT;
					goto out;
				}
				target[n] = '\0';
				record_link(r, cand, target);
				rest = tce_strdup_printf("%s/%s", target, p);
				if (!rest) {
					k = -ENOMEM;
					goto out;
				}
				if (target[0] == '/')
					canon.len = 0, canon.s[0] = '\0';
				k = sbuf_set(&todo, rest, strlen(rest));
			} else {
				if (!last && !S_ISDIR(st.st_mode)) {
					k = -ENOTDIR;
					goto out;
				}
				k = sbuf_set(&canon, cand, strlen(cand));
				if (k == 0)
					k = sbuf_set(&todo, p, strlen(p));
			}
		}
		if (k < 0)
			goto out;
	}
	if (canon.len == 0 && (k = sbuf_set(&canon, "/", 1)) < 0)
		goto out;
	if (want_dir) {
		struct stat st;

		if (fstatat(r->dirfd, rel(canon.s), &st, 0) == 0 && !S_ISDIR(st.st_mode)) {
			k = -ENOTDIR;
			goto out;
		}
	}
	*ret = canon.s;
	canon.s = NULL;
	k = 0;
out:
	free(canon.s);
	free(todo.s);
	return k;
}

static const struct manifest_entry *manifest_find(const struct tce_root *r, const char *path)
{
	struct manifest_entry key = { (char *)path, 0, false };

	if (!r->n_manifest)
		return NULL;
	return bsearch(&key, r->manifest, r->n_manifest, sizeof(*r->manifest), entry_cmp);
}

/*
 * git keeps no empty directory: a directory the manifest lists as "dir" but
 * that is missing from the tree was an empty one.
 */
static bool replay_empty_dir(const struct tce_root *r, const char *path, int err)
{
	const struct manifest_entry *e;

	if (r->live || err != -ENOENT)
		return false;
	e = manifest_find(r, path);
	return e && e->dir && !e->err;
}

/* Replay: turn a missing file into what the snapshot's manifest says of it. */
static int replay_error(struct tce_root *r, const char *path, int err)
{
	const struct manifest_entry *e;

	if (r->live || (err != ENOENT && err != ENOTDIR))
		return -err;
	e = manifest_find(r, path);
	if (!e)
		return r->recorded ? -ENODATA : -err;
	return e->err ? -e->err : -err;
}

/* openat2 in the root, links resolved by the kernel and kept inside it; a
 * busy lookup (EAGAIN) is tried again. The fd, or -errno. */
static int openat2_in_root(struct tce_root *r, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = -1;

	/* RESOLVE_IN_ROOT gives EAGAIN when a rename or mount anywhere raced
	 * with its ".." handling (fs/namei.c): a busy machine sees it. Callers
	 * take the userspace resolver when it persists. */
	for (int tries = 0; tries < 8; tries++) {
		fd = (int)syscall(SYS_openat2, r->dirfd, rel(path), &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd >= 0 ? fd : -errno;
}

static int open_resolved(struct tce_root *r, const char *path, int flags, char **ret_canon)
{
	_cleanup_free_ char *canon = NULL;
	int fd, k;

	if (r->openat2_ok && !ret_canon) {
		fd = openat2_in_root(r, path, flags);
		if (fd >= 0)
			return fd;
		if (fd == -EAGAIN)
			goto slow; /* a race that persisted: this lookup only */
		if (fd != -ENOSYS && fd != -EPERM)
			return fd;
		if (fd == -EPERM) {
			/* EPERM is also what a file of mode 000 gives; only a seccomp
			 * refusal of the syscall itself should switch resolvers. Ask
			 * once with a path that must succeed. */
			int t = openat2_in_root(r, ".", O_PATH);

			if (t >= 0) {
				close(t);
				return -EPERM;
			}
		}
		errno = -fd;
		DBG("openat2 unavailable (%m); resolving in userspace");
		r->openat2_ok = false;
	}
slow:
	k = resolve(r, path, true, &canon);
	if (k < 0)
		return k;
	fd = openat(r->dirfd, rel(canon), flags | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (ret_canon)
		*ret_canon = TAKE_PTR(canon);
	return fd;
}

int tce_root_open(struct tce_root *r, const char *path, int flags)
{
	int fd = open_resolved(r, path, flags, NULL);

	return fd < 0 ? replay_error(r, path, -fd) : fd;
}

/*
 * Open a file to read it: resolved in the root, never blocking on a FIFO
 * (O_NONBLOCK), and only a regular file; the result is recorded. In
 * recording mode *ret_canon gets the canonical path to copy it to.
 */
static int open_regular(struct tce_root *r, const char *path, char **ret_canon)
{
	struct stat st;
	int fd, k;

	fd = open_resolved(r, path, O_RDONLY | O_NONBLOCK, r->rec ? ret_canon : NULL);
	if (fd < 0) {
		k = replay_error(r, path, -fd);
		record_result(r, path, -k);
		return k;
	}
	if (fstat(fd, &st) < 0)
		k = -errno;
	else if (!S_ISREG(st.st_mode))
		k = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	else
		return fd;
	close(fd);
	record_result(r, path, -k);
	return k;
}

/* sysfs and the device tree in it: a value comes whole in one read() */
static bool is_kernfs(const char *path)
{
	return strneq(path, PATH_SYSFS "/", sizeof(PATH_SYSFS "/") - 1) ||
	       strneq(path, PATH_PROC_DEVTREE "/", sizeof(PATH_PROC_DEVTREE "/") - 1);
}

int tce_root_read(struct tce_root *r, const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *canon = NULL, *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	int k;

	fd = open_regular(r, path, &canon);
	if (fd < 0)
		return fd;
	k = read_fd_whole(fd, max, is_kernfs(path), &buf, &len);
	if (k < 0) {
		record_result(r, path, -k);
		return k;
	}
	record_result(r, path, 0);
	if (canon)
		record_file(r, canon, buf, len);
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int tce_root_read_head(struct tce_root *r, const char *path, size_t n, void *buf, size_t *ret_len)
{
	_cleanup_free_ char *canon = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	int k;

	fd = open_regular(r, path, &canon);
	if (fd < 0)
		return fd;
	while (len < n) {
		ssize_t m = read(fd, (char *)buf + len, n - len);

		if (m < 0 && errno == EINTR)
			continue;
		if (m < 0) {
			k = -errno;
			record_result(r, path, -k);
			return k;
		}
		if (m == 0)
			break;
		len += (size_t)m;
	}
	record_result(r, path, 0);
	if (canon)
		record_file(r, canon, buf, len);
	*ret_len = len;
	return 0;
}

int tce_root_read_string(struct tce_root *r, const char *path, char **ret)
{
	char *buf;
	size_t len;
	int k = tce_root_read(r, path, MAX_STRING, &buf, &len);

	if (k < 0)
		return k;
	if (memchr(buf, '\0', len)) {
		free(buf);
		return -EINVAL;
	}
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	*ret = buf;
	return 0;
}

int tce_root_read_u64(struct tce_root *r, const char *path, int base, uint64_t *ret)
{
	_cleanup_free_ char *s = NULL;
	int k = tce_root_read_string(r, path, &s);

	return k < 0 ? k : tce_parse_u64(s, base, ret);
}

int tce_root_read_s64(struct tce_root *r, const char *path, int base, int64_t *ret)
{
	_cleanup_free_ char *s = NULL;
	int k = tce_root_read_string(r, path, &s);

	return k < 0 ? k : tce_parse_s64(s, base, ret);
}

/*
 * The kernel resolves (issue 9): with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) a lookup is one syscall instead of the userspace
 * resolver's fstatat per component. Not while recording, which must see and
 * copy every link crossed. -ENOSYS: take the userspace path.
 */
static int fast_open(struct tce_root *r, const char *path, int flags)
{
	int fd;

	if (!r->openat2_ok || r->rec)
		return -ENOSYS;
	fd = openat2_in_root(r, path, flags);
	/* EPERM can be a seccomp refusal, EAGAIN a race that persisted: let
	 * the slow path decide */
	return fd == -ENOSYS || fd == -EPERM || fd == -EAGAIN ? -ENOSYS : fd;
}

/* readlink of a path, its parent resolved by the kernel. */
static int fast_readlink(struct tce_root *r, const char *path, char *buf, size_t len)
{
	_cleanup_free_ char *dir = strdup(path);
	_cleanup_close_ int dfd = -1;
	char *slash, *base;
	ssize_t n;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash)
		return -ENOSYS;
	base = slash + 1;
	if (!*base || streq(base, ".") || streq(base, ".."))
		return -ENOSYS;
	*slash = '\0';
	dfd = fast_open(r, *dir ? dir : "/", O_PATH | O_DIRECTORY);
	if (dfd < 0)
		return dfd;
	n = readlinkat(dfd, base, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int tce_root_readlink(struct tce_root *r, const char *path, char **ret)
{
	_cleanup_free_ char *canon = NULL;
	char target[4096];
	ssize_t n = 0;
	int k;

	k = fast_readlink(r, path, target, sizeof(target));
	if (k != -ENOSYS) {
		if (k == -ENOENT || k == -ENOTDIR)
			k = replay_error(r, path, -k);
		if (k < 0)
			return k;
		*ret = strdup(target);
		return *ret ? 0 : -ENOMEM;
	}
	k = resolve(r, path, false, &canon);
	if (k == 0) {
		n = readlinkat(r->dirfd, rel(canon), target, sizeof(target) - 1);
		k = n < 0 ? -errno : 0;
	}
	if (k < 0) {
		if (k == -ENOENT || k == -ENOTDIR)
			k = replay_error(r, path, -k);
		record_result(r, path, -k);
		return k;
	}
	target[n] = '\0';
	record_result(r, path, 0);
	record_link(r, canon, target);
	*ret = strdup(target);
	return *ret ? 0 : -ENOMEM;
}

/* The canonical path of an O_PATH fd inside the root, from the kernel. */
static int fd_canon(struct tce_root *r, int fd, char **ret)
{
	char link[64], target[4096];
	size_t rl;
	ssize_t n;

	if (!r->real)
		return -ENOSYS;
	snprintf(link, sizeof(link), PATH_PROC_SELF_FD "/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -ENOSYS;
	target[n] = '\0';
	rl = strlen(r->real);
	if (streq(r->real, "/"))
		rl = 0;
	else if (strncmp(target, r->real, rl) != 0 || (target[rl] != '/' && target[rl] != '\0'))
		return -ENOSYS; /* outside the root's path as this machine names it */
	*ret = strdup(target[rl] ? target + rl : "/");
	return *ret ? 0 : -ENOMEM;
}

int tce_root_realpath(struct tce_root *r, const char *path, char **ret)
{
	_cleanup_free_ char *canon = NULL;
	struct stat st;
	int k = fast_open(r, path, O_PATH);

	if (k >= 0) {
		int fd = k;

		k = fd_canon(r, fd, ret);
		close(fd);
		if (k != -ENOSYS)
			return k;
	} else if (k != -ENOSYS) {
		if (replay_empty_dir(r, path, k)) {
			/* an empty directory of a recording: the slow path names it */
		} else {
			return k == -ENOENT || k == -ENOTDIR ? replay_error(r, path, -k) : k;
		}
	}
	k = resolve(r, path, true, &canon);

	if (k == 0 && fstatat(r->dirfd, rel(canon), &st, AT_SYMLINK_NOFOLLOW) < 0)
		k = -errno;
	if (k < 0) {
		if (canon && replay_empty_dir(r, path, k)) {
			record_result_kind(r, path, 0, true);
			record_dir(r, canon);
			*ret = TAKE_PTR(canon);
			return 0;
		}
		if (k == -ENOENT || k == -ENOTDIR)
			k = replay_error(r, path, -k);
		record_result(r, path, -k);
		return k;
	}
	record_result_kind(r, path, 0, S_ISDIR(st.st_mode));
	if (S_ISDIR(st.st_mode))
		record_dir(r, canon);
	*ret = TAKE_PTR(canon);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Replay: the directories the manifest lists right under path, added to a
 * listing: git keeps no empty directory, so a recorded empty one (KVM's
 * debugfs kvm/PID-FD) is in the manifest only.
 */
static int add_manifest_dirs(struct tce_root *r, const char *path, char ***names)
{
	size_t pl = strlen(path);

	if (r->live || !r->n_manifest)
		return 0;
	while (pl > 1 && path[pl - 1] == '/')
		pl--;
	for (size_t i = 0; i < r->n_manifest; i++) {
		const struct manifest_entry *e = &r->manifest[i];
		const char *child;

		if (!e->dir || e->err || strncmp(e->path, path, pl) != 0 || e->path[pl] != '/')
			continue;
		child = e->path + pl + 1;
		if (!*child || strchr(child, '/') || strv_contains(*names, child))
			continue;
		if (strv_extend(names, child) < 0)
			return -ENOMEM;
	}
	return 0;
}

int tce_root_list(struct tce_root *r, const char *path, char ***ret)
{
	_cleanup_free_ char *canon = NULL;
	_cleanup_strv_free_ char **names = NULL;
	DIR *d;
	struct dirent *de;
	int fd, k = 0;

	fd = open_resolved(r, path, O_RDONLY | O_DIRECTORY, r->rec ? &canon : NULL);
	if (fd < 0) {
		/* git keeps no empty directory: one listed as "dir" is empty */
		if (replay_empty_dir(r, path, fd)) {
			record_result_kind(r, path, 0, true);
			if (!(names = calloc(1, sizeof(char *))) ||
			    add_manifest_dirs(r, path, &names) < 0)
				return -ENOMEM;
			qsort(names, strv_length(names), sizeof(char *), name_cmp);
			*ret = TAKE_PTR(names);
			return 0;
		}
		k = replay_error(r, path, -fd);
		record_result(r, path, -k);
		return k;
	}
	d = fdopendir(fd);
	if (!d) {
		k = -errno;
		close(fd);
		return k;
	}
	if (!(names = calloc(1, sizeof(char *)))) {
		closedir(d);
		return -ENOMEM;
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if ((k = strv_extend(&names, de->d_name)) < 0)
			break;
	}
	closedir(d);
	if (k < 0 || (k = add_manifest_dirs(r, path, &names)) < 0)
		return k;
	qsort(names, strv_length(names), sizeof(char *), name_cmp);
	record_result_kind(r, path, 0, true);
	if (canon)
		record_dir(r, canon);
	*ret = TAKE_PTR(names);
	return 0;
}

int tce_root_exists(struct tce_root *r, const char *path)
{
	_cleanup_free_ char *canon = NULL;
	struct stat st;
	int k = fast_open(r, path, O_PATH);

	if (k != -ENOSYS) {
		if (k >= 0) {
			close(k);
			return 0;
		}
		if (replay_empty_dir(r, path, k))
			return 0;
		return k == -ENOENT || k == -ENOTDIR ? replay_error(r, path, -k) : k;
	}
	k = resolve(r, path, true, &canon);

	if (k == 0 && fstatat(r->dirfd, rel(canon), &st, AT_SYMLINK_NOFOLLOW) < 0)
		k = -errno;
	if (k < 0) {
		if (replay_empty_dir(r, path, k)) {
			record_result_kind(r, path, 0, true);
			if (canon)
				record_dir(r, canon);
			return 0;
		}
		if (k == -ENOENT || k == -ENOTDIR)
			k = replay_error(r, path, -k);
		record_result(r, path, -k);
		return k;
	}
	record_result_kind(r, path, 0, S_ISDIR(st.st_mode));
	if (r->rec) {
		if (S_ISDIR(st.st_mode))
			record_dir(r, canon);
		else /* a device node is recorded as an empty regular file */
			record_file(r, canon, "", 0);
	}
	return 0;
}

void *tce_root_pause_recording(struct tce_root *r)
{
	struct recorder *rec = r->rec;

	r->rec = NULL;
	return rec;
}

void tce_root_resume_recording(struct tce_root *r, void *token)
{
	r->rec = token;
}

int tce_root_read_tail(struct tce_root *r, const char *path, size_t max, char **ret,
		       size_t *ret_len)
{
	_cleanup_free_ char *canon = NULL, *buf = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t len = 0;
	int k;

	fd = open_regular(r, path, &canon);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) == 0 && (uint64_t)st.st_size > max &&
	    lseek(fd, st.st_size - (off_t)max, SEEK_SET) < 0) {
		k = -errno;
		record_result(r, path, -k);
		return k;
	}
	/* a log may grow meanwhile: read a little more, keep the tail */
	k = read_fd_all(fd, max + (64u << 10), &buf, &len);
	if (k < 0) {
		record_result(r, path, -k);
		return k;
	}
	if (len > max) {
		memmove(buf, buf + len - max, max);
		len = max;
		buf[len] = '\0';
	}
	record_result(r, path, 0);
	if (canon)
		record_file(r, canon, buf, len);
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int tce_root_read_sidecar(struct tce_root *r, const char *relpath, size_t max, char **ret,
			  size_t *ret_len)
{
	const char *name = strrchr(relpath, '/');
	int fd, k;

	if (r->live)
		return -ENOENT;
	fd = snapshot_open(r, name ? name + 1 : relpath);
	if (fd < 0)
		return fd;
	k = read_fd_all(fd, max, ret, ret_len);
	close(fd);
	return k;
}

int tce_root_write_sidecar(struct tce_root *r, const char *relpath, const char *buf, size_t len)
{
	_cleanup_close_ int fd = -1;

	if (!r->rec)
		return 0;
	if (mkdirat(r->rec->outfd, TCE_SNAPSHOT_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(r->rec->outfd, relpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		    0644);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* ---- directories opened once ------------------------------------------------ */

struct tce_dir {
	struct tce_root *r;
	int fd; /* O_PATH; -1: every call goes through the path (recording, no openat2) */
	char *path;
};

static char *dir_join(const struct tce_dir *d, const char *name)
{
	return tce_strdup_printf("%s/%s", streq(d->path, "/") ? "" : d->path, name);
}

int tce_root_opendir(struct tce_root *r, const char *path, struct tce_dir **ret)
{
	_cleanup_free_ struct tce_dir *d = calloc(1, sizeof(*d));
	int k;

	if (!d || !(d->path = strdup(path)))
		return -ENOMEM;
	d->r = r;
	d->fd = fast_open(r, path, O_PATH | O_DIRECTORY);
	if (d->fd == -ENOSYS || (d->fd < 0 && replay_empty_dir(r, path, d->fd))) {
		/* the path-based readers decide, and record what they cross */
		d->fd = -1;
		k = tce_root_exists(r, path);
		if (k == 0 && !replay_empty_dir(r, path, -ENOENT)) {
			_cleanup_free_ char *canon = NULL;
			struct stat st;

			if (resolve(r, path, true, &canon) == 0 &&
			    fstatat(r->dirfd, rel(canon), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    !S_ISDIR(st.st_mode))
				k = -ENOTDIR;
		}
	} else if (d->fd < 0) {
		k = d->fd == -ENOENT || d->fd == -ENOTDIR ? replay_error(r, path, -d->fd) : d->fd;
	} else {
		k = 0;
	}
	if (k < 0) {
		if (d->fd >= 0)
			close(d->fd);
		free(d->path);
		return k;
	}
	*ret = TAKE_PTR(d);
	return 0;
}

struct tce_dir *tce_dir_free(struct tce_dir *d)
{
	if (d) {
		if (d->fd >= 0)
			close(d->fd);
		free(d->path);
		free(d);
	}
	return NULL;
}

const char *tce_dir_path(const struct tce_dir *d)
{
	return d->path;
}

/*
 * A file of the directory: one openat() of one name, never following a link
 * (a link is resolved in the root by the path-based reader), never blocking
 * on a FIFO (O_NONBLOCK); a directory fails read() with EISDIR. The fd, or
 * -errno with "not recorded" sorted out; -ENOSYS: use the path.
 */
static int dir_open_file(struct tce_dir *d, const char *name)
{
	_cleanup_free_ char *p = NULL;
	int fd;

	if (d->fd < 0 || d->r->rec)
		return -ENOSYS;
	fd = openat(d->fd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		struct stat st;
		int k = 0;

		/* only a regular file is read, as open_regular() has it */
		if (fstat(fd, &st) < 0)
			k = -errno;
		else if (!S_ISREG(st.st_mode))
			k = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		if (k == 0)
			return fd;
		close(fd);
		return k;
	}
	if (errno == ELOOP)
		return -ENOSYS;
	if (errno != ENOENT && errno != ENOTDIR)
		return -errno;
	p = dir_join(d, name);
	return p ? replay_error(d->r, p, errno) : -ENOMEM;
}

int tce_dir_read(struct tce_dir *d, const char *name, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *p = NULL;
	size_t len;
	int fd = dir_open_file(d, name), k;

	if (fd >= 0) {
		k = read_fd_whole(fd, max, true, ret, &len);
		close(fd);
		if (k == 0 && ret_len)
			*ret_len = len;
		return k;
	}
	if (fd != -ENOSYS)
		return fd;
	p = dir_join(d, name);
	return p ? tce_root_read(d->r, p, max, ret, ret_len) : -ENOMEM;
}

int tce_dir_read_head(struct tce_dir *d, const char *name, size_t n, void *buf, size_t *ret_len)
{
	_cleanup_free_ char *p = NULL;
	int fd = dir_open_file(d, name);
	ssize_t m;

	if (fd >= 0) {
		do
			m = read(fd, buf, n);
		while (m < 0 && errno == EINTR);
		close(fd);
		if (m < 0)
			return -errno;
		*ret_len = (size_t)m;
		return 0;
	}
	if (fd != -ENOSYS)
		return fd;
	p = dir_join(d, name);
	return p ? tce_root_read_head(d->r, p, n, buf, ret_len) : -ENOMEM;
}

int tce_dir_read_string(struct tce_dir *d, const char *name, char **ret)
{
	char *buf;
	size_t len;
	int k = tce_dir_read(d, name, MAX_STRING, &buf, &len);

	if (k < 0)
		return k;
	if (memchr(buf, '\0', len)) {
		free(buf);
		return -EINVAL;
	}
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	*ret = buf;
	return 0;
}

int tce_dir_read_u64(struct tce_dir *d, const char *name, int base, uint64_t *ret)
{
	_cleanup_free_ char *s = NULL;
	int k = tce_dir_read_string(d, name, &s);

	return k < 0 ? k : tce_parse_u64(s, base, ret);
}

int tce_dir_read_s64(struct tce_dir *d, const char *name, int base, int64_t *ret)
{
	_cleanup_free_ char *s = NULL;
	int k = tce_dir_read_string(d, name, &s);

	return k < 0 ? k : tce_parse_s64(s, base, ret);
}

int tce_dir_readlink(struct tce_dir *d, const char *name, char **ret)
{
	_cleanup_free_ char *p = NULL;
	char target[4096];
	ssize_t n;

	if (d->fd >= 0 && !d->r->rec) {
		n = readlinkat(d->fd, name, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			*ret = strdup(target);
			return *ret ? 0 : -ENOMEM;
		}
		if (n < 0 && errno != ENOENT && errno != ENOTDIR)
			return -errno;
		if (n < 0) {
			p = dir_join(d, name);
			return p ? replay_error(d->r, p, errno) : -ENOMEM;
		}
		/* an empty target: as the path-based reader says */
	}
	p = dir_join(d, name);
	return p ? tce_root_readlink(d->r, p, ret) : -ENOMEM;
}

int tce_dir_realpath(struct tce_dir *d, const char *name, char **ret)
{
	_cleanup_free_ char *p = dir_join(d, name);

	return p ? tce_root_realpath(d->r, p, ret) : -ENOMEM;
}

int tce_dir_exists(struct tce_dir *d, const char *name)
{
	_cleanup_free_ char *p = NULL;
	struct stat st;

	if (d->fd >= 0 && !d->r->rec) {
		if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (!S_ISLNK(st.st_mode))
				return 0;
			/* a link: followed in the root by the path-based reader */
		} else if (errno != ENOENT && errno != ENOTDIR) {
			return -errno;
		} else {
			int e = errno;

			if (!(p = dir_join(d, name)))
				return -ENOMEM;
			return replay_empty_dir(d->r, p, -e) ? 0 : replay_error(d->r, p, e);
		}
	}
	p = dir_join(d, name);
	return p ? tce_root_exists(d->r, p) : -ENOMEM;
}

int tce_dir_list(struct tce_dir *d, const char *name, char ***ret)
{
	_cleanup_free_ char *p = dir_join(d, name);

	return p ? tce_root_list(d->r, p, ret) : -ENOMEM;
}
