/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The root object: see include/tceiommu/root.h for what it promises.
 *
 * openat2(2) with RESOLVE_IN_ROOT treats absolute link targets and ".." as
 * relative to the directory fd (Linux >= 5.6, fs/namei.c). Where it is
 * missing (ENOSYS, or refused by a seccomp filter) the userspace resolver
 * (root-resolve.c) walks the path one component at a time with fstatat/readlinkat on the
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

#include "root-internal.h"
#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/probe.h"
#include "tceiommu/root.h"
#include "tceiommu/sandbox.h"
#include "tceiommu/util.h"

/*
 * Read a whole file of at most max bytes. The first read() goes to a stack
 * buffer and what it got is copied out at its size. With one_read, a short
 * first read is the whole file: a sysfs attribute (or device-tree property)
 * hands over all of it in one read() (kernfs: seq_file show() or a bin
 * attribute up to PAGE_SIZE a call), and so does a regular file on a local
 * filesystem, so the read that would only see EOF is skipped (issue 9).
 * /proc files are seq_files that return a record at a time: never one_read.
 */
int root_read_fd_whole(int fd, size_t max, bool one_read, char **ret, size_t *ret_len)
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
	/* the buffer never grows past max + 2 (reads fill it to alloc - 1): a
	 * byte past max tells that the file is larger, so a 100 MiB value
	 * costs max, not the next power of two filled by the last read */
	alloc = 2 * sizeof(first) < max + 2 ? 2 * sizeof(first) : max + 2;
	if (!(buf = malloc(alloc + 1)))
		return -ENOMEM;
	memcpy(buf, first, len);
	for (;;) {
		if (len + 1 >= alloc) {
			size_t na = alloc * 2 < max + 2 ? alloc * 2 : max + 2;
			char *nb;

			if (alloc >= max + 2)
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

int root_read_fd_all(int fd, size_t max, char **ret, size_t *ret_len)
{
	return root_read_fd_whole(fd, max, false, ret, ret_len);
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
		k = root_load_snapshot_files(r);
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

struct tce_root *tce_root_free(struct tce_root *r)
{
	if (!r)
		return NULL;
	if (r->dirfd >= 0)
		close(r->dirfd);
	root_entries_free(r->manifest, r->n_manifest);
	root_recorder_free(r->rec);
	tce_probe_store_free(r->probes);
	free(r->kernel_release);
	free(r->machine);
	free(r->path);
	free(r->real);
	tce_strmap_done(&r->rdirs);
	tce_strmap_done(&r->mids);
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

/* openat2 in the root, links resolved by the kernel and kept inside it; a
 * busy lookup (EAGAIN) is tried again. The fd, or -errno. */
int root_openat2_in_root(struct tce_root *r, const char *path, int flags)
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
		fd = (int)syscall(SYS_openat2, r->dirfd, root_rel(path), &how, sizeof(how));
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
		fd = root_openat2_in_root(r, path, flags);
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
			int t = root_openat2_in_root(r, ".", O_PATH);

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
	k = root_resolve(r, path, true, &canon);
	if (k < 0)
		return k;
	fd = openat(r->dirfd, root_rel(canon), flags | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (ret_canon)
		*ret_canon = TAKE_PTR(canon);
	return fd;
}

int tce_root_open(struct tce_root *r, const char *path, int flags)
{
	int fd = open_resolved(r, path, flags, NULL);

	return fd < 0 ? root_replay_error(r, path, -fd) : fd;
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
		k = root_replay_error(r, path, -fd);
		root_record_result(r, path, -k);
		return k;
	}
	if (fstat(fd, &st) < 0)
		k = -errno;
	else if (!S_ISREG(st.st_mode))
		k = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	else
		return fd;
	close(fd);
	root_record_result(r, path, -k);
	return k;
}

/* sysfs and the device tree in it: a value comes whole in one read() */
static bool is_kernfs(const char *path)
{
	return strneq(path, PATH_SYSFS "/", sizeof(PATH_SYSFS "/") - 1) ||
	       strneq(path, PATH_PROC_DEVTREE "/", sizeof(PATH_PROC_DEVTREE "/") - 1);
}

/*
 * Another process's ptrace-guarded files, live and confined: asked of the
 * broker (src/host/broker.c), and recorded as a read here would record
 * them (the paths it serves hold no link before their last name).
 */
static int broker_read(struct tce_root *r, const char *path, size_t max, char **ret,
		       size_t *ret_len)
{
	size_t len = 0;
	int k = tce_broker_read(path, max, ret, &len);

	root_record_result(r, path, -k);
	if (k == 0) {
		root_record_file(r, path, *ret, len);
		if (ret_len)
			*ret_len = len;
	}
	return k;
}

int tce_root_read(struct tce_root *r, const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *canon = NULL, *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	int k;

	if (r->live && tce_broker_serves(path))
		return broker_read(r, path, max, ret, ret_len);
	fd = open_regular(r, path, &canon);
	if (fd < 0)
		return fd;
	k = root_read_fd_whole(fd, max, is_kernfs(path), &buf, &len);
	if (k < 0) {
		root_record_result(r, path, -k);
		return k;
	}
	root_record_result(r, path, 0);
	if (canon)
		root_record_file(r, canon, buf, len);
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
			root_record_result(r, path, -k);
			return k;
		}
		if (m == 0)
			break;
		len += (size_t)m;
	}
	root_record_result(r, path, 0);
	if (canon)
		root_record_file(r, canon, buf, len);
	*ret_len = len;
	return 0;
}

int root_as_string(int k, char *buf, size_t len, char **ret)
{
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

int tce_root_read_string(struct tce_root *r, const char *path, char **ret)
{
	char *buf = NULL;
	size_t len = 0;
	int k = tce_root_read(r, path, MAX_STRING, &buf, &len);

	return root_as_string(k, buf, len, ret);
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
int root_fast_open(struct tce_root *r, const char *path, int flags)
{
	int fd;

	if (!r->openat2_ok || r->rec)
		return -ENOSYS;
	fd = root_openat2_in_root(r, path, flags);
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
	dfd = root_fast_open(r, *dir ? dir : "/", O_PATH | O_DIRECTORY);
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

	if (r->live && tce_broker_serves(path)) {
		k = tce_broker_readlink(path, ret);
		root_record_result(r, path, -k);
		if (k == 0)
			root_record_link(r, path, *ret);
		return k;
	}
	k = fast_readlink(r, path, target, sizeof(target));
	if (k != -ENOSYS) {
		if (k == -ENOENT || k == -ENOTDIR)
			k = root_replay_error(r, path, -k);
		if (k < 0)
			return k;
		*ret = strdup(target);
		return *ret ? 0 : -ENOMEM;
	}
	k = root_resolve(r, path, false, &canon);
	if (k == 0) {
		n = readlinkat(r->dirfd, root_rel(canon), target, sizeof(target) - 1);
		k = n < 0 ? -errno : 0;
	}
	if (k < 0) {
		if (k == -ENOENT || k == -ENOTDIR)
			k = root_replay_error(r, path, -k);
		root_record_result(r, path, -k);
		return k;
	}
	target[n] = '\0';
	root_record_result(r, path, 0);
	root_record_link(r, canon, target);
	*ret = strdup(target);
	return *ret ? 0 : -ENOMEM;
}

/* The canonical path of an O_PATH fd inside the root, from the kernel. */
int root_fd_canon(struct tce_root *r, int fd, char **ret)
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
	int k = root_fast_open(r, path, O_PATH);

	if (k >= 0) {
		int fd = k;

		k = root_fd_canon(r, fd, ret);
		close(fd);
		if (k != -ENOSYS)
			return k;
	} else if (k != -ENOSYS) {
		if (root_replay_empty_dir(r, path, k)) {
			/* an empty directory of a recording: the slow path names it */
		} else {
			return k == -ENOENT || k == -ENOTDIR ? root_replay_error(r, path, -k) : k;
		}
	}
	k = root_resolve(r, path, true, &canon);

	if (k == 0 && fstatat(r->dirfd, root_rel(canon), &st, AT_SYMLINK_NOFOLLOW) < 0)
		k = -errno;
	if (k < 0) {
		if (canon && root_replay_empty_dir(r, path, k)) {
			root_record_result_kind(r, path, 0, true);
			root_record_dir(r, canon);
			*ret = TAKE_PTR(canon);
			return 0;
		}
		if (k == -ENOENT || k == -ENOTDIR)
			k = root_replay_error(r, path, -k);
		root_record_result(r, path, -k);
		return k;
	}
	root_record_result_kind(r, path, 0, S_ISDIR(st.st_mode));
	if (S_ISDIR(st.st_mode))
		root_record_dir(r, canon);
	*ret = TAKE_PTR(canon);
	return 0;
}

int tce_root_list(struct tce_root *r, const char *path, char ***ret)
{
	_cleanup_free_ char *canon = NULL;
	_cleanup_strv_free_ char **names = NULL;
	int fd, k = 0;

	if (r->live && tce_broker_serves(path)) {
		k = tce_broker_list(path, &names);
		root_record_result_kind(r, path, -k, k == 0);
		if (k < 0)
			return k;
		root_record_dir(r, path);
		qsort(names, strv_length(names), sizeof(char *), root_name_cmp);
		*ret = TAKE_PTR(names);
		return 0;
	}
	fd = open_resolved(r, path, O_RDONLY | O_DIRECTORY, r->rec ? &canon : NULL);
	if (fd < 0) {
		/* git keeps no empty directory: one listed as "dir" is empty */
		if (root_replay_empty_dir(r, path, fd)) {
			_cleanup_strv_buf_ struct strv_buf empty = { 0 };

			root_record_result_kind(r, path, 0, true);
			if (root_add_manifest_dirs(r, path, &empty) < 0 ||
			    !(*ret = strv_buf_steal(&empty)))
				return -ENOMEM;
			return 0;
		}
		k = root_replay_error(r, path, -fd);
		root_record_result(r, path, -k);
		return k;
	}
	k = root_list_fd(r, path, fd, &names);
	if (k < 0)
		return k;
	root_record_result_kind(r, path, 0, true);
	if (canon)
		root_record_dir(r, canon);
	*ret = TAKE_PTR(names);
	return 0;
}

/* The sorted entries of an opened directory (fd taken), with the empty
 * directories a recording's manifest lists there. */
int root_list_fd(struct tce_root *r, const char *path, int fd, char ***ret)
{
	_cleanup_strv_buf_ struct strv_buf names = { 0 };
	struct dirent *de;
	DIR *d;
	int k = 0;

	d = fdopendir(fd);
	if (!d) {
		k = -errno;
		close(fd);
		return k;
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if ((k = strv_buf_extend(&names, de->d_name)) < 0)
			break;
	}
	closedir(d);
	if (k < 0 || (k = root_add_manifest_dirs(r, path, &names)) < 0)
		return k;
	if (!(*ret = strv_buf_steal(&names)))
		return -ENOMEM;
	return 0;
}

int tce_root_exists(struct tce_root *r, const char *path)
{
	_cleanup_free_ char *canon = NULL;
	struct stat st;
	int k = root_fast_open(r, path, O_PATH);

	if (k != -ENOSYS) {
		if (k >= 0) {
			close(k);
			return 0;
		}
		if (root_replay_empty_dir(r, path, k))
			return 0;
		return k == -ENOENT || k == -ENOTDIR ? root_replay_error(r, path, -k) : k;
	}
	k = root_resolve(r, path, true, &canon);

	if (k == 0 && fstatat(r->dirfd, root_rel(canon), &st, AT_SYMLINK_NOFOLLOW) < 0)
		k = -errno;
	if (k < 0) {
		if (root_replay_empty_dir(r, path, k)) {
			root_record_result_kind(r, path, 0, true);
			if (canon)
				root_record_dir(r, canon);
			return 0;
		}
		if (k == -ENOENT || k == -ENOTDIR)
			k = root_replay_error(r, path, -k);
		root_record_result(r, path, -k);
		return k;
	}
	root_record_result_kind(r, path, 0, S_ISDIR(st.st_mode));
	if (r->rec) {
		if (S_ISDIR(st.st_mode))
			root_record_dir(r, canon);
		else /* a device node is recorded as an empty regular file */
			root_record_file(r, canon, "", 0);
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
		root_record_result(r, path, -k);
		return k;
	}
	/* a log may grow meanwhile: read a little more, keep the tail */
	k = root_read_fd_all(fd, max + (64u << 10), &buf, &len);
	if (k < 0) {
		root_record_result(r, path, -k);
		return k;
	}
	if (len > max) {
		memmove(buf, buf + len - max, max);
		len = max;
		buf[len] = '\0';
	}
	root_record_result(r, path, 0);
	if (canon)
		root_record_file(r, canon, buf, len);
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}
