/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Directories of the root opened once, their files read by name (issue 9). */
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
#include "tceiommu/util.h"

/* ---- directories opened once ------------------------------------------------ */

struct tce_dir {
	struct tce_root *r;
	int fd; /* O_PATH; -1: every call goes through the path (no openat2) */
	char *path;
	char *canon; /* recording: where its files go in the snapshot */
};

static char *dir_join(const struct tce_dir *d, const char *name)
{
	return tce_strdup_printf("%s/%s", streq(d->path, "/") ? "" : d->path, name);
}

/*
 * Recording: the directory resolved once by the userspace resolver, which
 * records every link on the way, and opened by its canonical path, which
 * crosses none; the directory recorded as tce_root_exists() records it. Its
 * files are then opened by name and recorded under the canonical path
 * (issue 9: record read every file by its whole path, a resolution and an
 * fstatat each). -ENOSYS: anything unusual, for the path-based readers.
 */
static int record_opendir(struct tce_root *r, const char *path, char **ret_canon)
{
	_cleanup_free_ char *canon = NULL;
	int fd;

	if (root_resolve(r, path, true, &canon) < 0)
		return -ENOSYS;
	fd = openat(r->dirfd, root_rel(canon), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -ENOSYS;
	root_record_result_kind(r, path, 0, true);
	root_record_dir(r, canon);
	/* what is asked below it by path resolves from here */
	(void)tce_strmap_put(&r->rdirs, path, canon);
	*ret_canon = TAKE_PTR(canon);
	return fd;
}

int tce_root_opendir(struct tce_root *r, const char *path, struct tce_dir **ret)
{
	_cleanup_free_ struct tce_dir *d = calloc(1, sizeof(*d));
	int k;

	if (!d || !(d->path = strdup(path)))
		return -ENOMEM;
	d->r = r;
	d->fd = r->rec ? record_opendir(r, path, &d->canon)
		       : root_fast_open(r, path, O_PATH | O_DIRECTORY);
	if (d->fd == -ENOSYS || (d->fd < 0 && root_replay_empty_dir(r, path, d->fd))) {
		/* the path-based readers decide, and record what they cross */
		d->fd = -1;
		k = tce_root_exists(r, path);
		if (k == 0 && !root_replay_empty_dir(r, path, -ENOENT)) {
			_cleanup_free_ char *canon = NULL;
			struct stat st;

			if (root_resolve(r, path, true, &canon) == 0 &&
			    fstatat(r->dirfd, root_rel(canon), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    !S_ISDIR(st.st_mode))
				k = -ENOTDIR;
		}
	} else if (d->fd < 0) {
		k = d->fd == -ENOENT || d->fd == -ENOTDIR ? root_replay_error(r, path, -d->fd)
							  : d->fd;
	} else {
		k = 0;
	}
	if (k < 0) {
		if (d->fd >= 0)
			close(d->fd);
		free(d->path);
		free(d->canon);
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
		free(d->canon);
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
/*
 * A file opened by name is not fstat()ed first (issue 9: a syscall per
 * attribute): O_NONBLOCK keeps a FIFO or a terminal from blocking, read()
 * fails on a directory, and reads are bounded. When a read gives nothing or
 * fails, the type decides as open_regular() does: a regular file is empty (or
 * k stands), a directory is EISDIR, anything else EINVAL.
 */
static int regular_or(int fd, int k)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return k;
}

/* NAME is absent from the directory: what replay says of it, recorded */
static int dir_absent(struct tce_dir *d, const char *name, int err)
{
	_cleanup_free_ char *p = dir_join(d, name);
	int k;

	if (!p)
		return -ENOMEM;
	k = root_replay_error(d->r, p, err);
	root_record_result(d->r, p, -k);
	return k;
}

/* recording: where NAME of the directory goes in the snapshot */
static char *dir_canon_join(const struct tce_dir *d, const char *name)
{
	return tce_strdup_printf("%s/%s", streq(d->canon, "/") ? "" : d->canon, name);
}

static int dir_open_file(struct tce_dir *d, const char *name)
{
	int fd;

	if (d->fd < 0 || (d->r->rec && (!d->canon || strchr(name, '/'))))
		return -ENOSYS;
	fd = openat(d->fd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	/* a link, or (recording) anything odd: the path-based reader decides */
	if (errno == ELOOP || (d->r->rec && errno != ENOENT && errno != ENOTDIR))
		return -ENOSYS;
	if (errno != ENOENT && errno != ENOTDIR)
		return -errno;
	return dir_absent(d, name, errno);
}

/* recording: what a file opened by name gave, as tce_root_read() records it */
static void dir_record(struct tce_dir *d, const char *name, int k, const char *buf, size_t len)
{
	_cleanup_free_ char *p = NULL, *c = NULL;

	if (!d->r->rec || !(p = dir_join(d, name)))
		return;
	root_record_result(d->r, p, -k);
	if (k == 0 && (c = dir_canon_join(d, name)))
		root_record_file(d->r, c, buf, len);
}

int tce_dir_read(struct tce_dir *d, const char *name, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *p = NULL;
	size_t len;
	int fd = dir_open_file(d, name), k;

	if (fd >= 0) {
		k = root_read_fd_whole(fd, max, true, ret, &len);
		if (k < 0 || len == 0) {
			/* nothing read: a regular file is empty, anything else is
			 * refused as open_regular() refuses it */
			int e = regular_or(fd, k);

			if (e < 0 && k == 0) {
				free(*ret);
				*ret = NULL;
			}
			k = e;
		}
		close(fd);
		dir_record(d, name, k, k == 0 ? *ret : NULL, k == 0 ? len : 0);
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
		int k;

		do
			m = read(fd, buf, n);
		while (m < 0 && errno == EINTR);
		k = m < 0 ? -errno : 0;
		if (m <= 0)
			k = regular_or(fd, k);
		close(fd);
		dir_record(d, name, k, buf, k == 0 ? (size_t)m : 0);
		if (k < 0)
			return k;
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
	char *buf = NULL;
	size_t len = 0;
	int k = tce_dir_read(d, name, MAX_STRING, &buf, &len);

	return root_as_string(k, buf, len, ret);
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

	if (d->fd >= 0 && d->r->rec && d->canon && !strchr(name, '/')) {
		/* recording: the link copied under the directory's canonical path */
		n = readlinkat(d->fd, name, target, sizeof(target) - 1);
		if (n > 0) {
			_cleanup_free_ char *c = dir_canon_join(d, name);

			if (!(p = dir_join(d, name)) || !c)
				return -ENOMEM;
			target[n] = '\0';
			root_record_result(d->r, p, 0);
			root_record_link(d->r, c, target);
			*ret = strdup(target);
			return *ret ? 0 : -ENOMEM;
		}
		if (n < 0 && (errno == ENOENT || errno == ENOTDIR))
			return dir_absent(d, name, errno);
		/* anything else: as the path-based reader says and records */
	} else if (d->fd >= 0 && !d->r->rec) {
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
			return p ? root_replay_error(d->r, p, errno) : -ENOMEM;
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
			return root_replay_empty_dir(d->r, p, -e) ? 0
								  : root_replay_error(d->r, p, e);
		}
	}
	p = dir_join(d, name);
	return p ? tce_root_exists(d->r, p) : -ENOMEM;
}

int tce_dir_list(struct tce_dir *d, const char *name, char ***ret)
{
	_cleanup_free_ char *p = dir_join(d, name);
	int fd;

	if (!p)
		return -ENOMEM;
	if (d->fd >= 0 && !d->r->rec) {
		fd = openat(d->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			return root_list_fd(d->r, p, fd, ret);
		/* a link, or absent (replay says what it was): by the path */
	}
	return tce_root_list(d->r, p, ret);
}

int tce_dir_opendir(struct tce_dir *d, const char *name, struct tce_dir **ret)
{
	_cleanup_free_ char *p = dir_join(d, name);
	struct tce_dir *n;
	int fd;

	if (!p)
		return -ENOMEM;
	if (d->fd < 0 || d->r->rec || strchr(name, '/') || streq(name, ".."))
		return tce_root_opendir(d->r, p, ret);
	/* one name below an opened directory: no path walked again */
	fd = openat(d->fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		/* a link (ELOOP, or ENOTDIR for O_PATH of a link) resolves in the
		 * root; what is absent is what replay says */
		if (errno == ELOOP || errno == ENOTDIR || errno == ENOENT)
			return tce_root_opendir(d->r, p, ret);
		return -errno;
	}
	if (!(n = calloc(1, sizeof(*n)))) {
		close(fd);
		return -ENOMEM;
	}
	n->r = d->r;
	n->fd = fd;
	n->path = TAKE_PTR(p);
	*ret = n;
	return 0;
}

int tce_dir_realdir(struct tce_dir *d, const char *name, struct tce_dir **ret_dir, char **ret_canon)
{
	_cleanup_free_ char *p = dir_join(d, name), *canon = NULL;
	struct tce_dir *n;
	int fd, k;

	if (!p)
		return -ENOMEM;
	fd = root_fast_open(d->r, p, O_PATH | O_DIRECTORY);
	if (fd >= 0) {
		/* the kernel resolved it once: the same fd names and opens it */
		k = root_fd_canon(d->r, fd, &canon);
		if (k == 0) {
			if (!(n = calloc(1, sizeof(*n)))) {
				close(fd);
				return -ENOMEM;
			}
			n->r = d->r;
			n->fd = fd;
			if (!(n->path = strdup(canon))) {
				tce_dir_free(n);
				return -ENOMEM;
			}
			*ret_dir = n;
			*ret_canon = TAKE_PTR(canon);
			return 0;
		}
		close(fd);
		if (k != -ENOSYS)
			return k;
	} else if (fd != -ENOSYS && !root_replay_empty_dir(d->r, p, fd)) {
		return fd == -ENOENT || fd == -ENOTDIR ? root_replay_error(d->r, p, -fd) : fd;
	}
	k = tce_root_realpath(d->r, p, &canon);
	if (k == 0)
		k = tce_root_opendir(d->r, canon, ret_dir);
	if (k < 0)
		return k;
	*ret_canon = TAKE_PTR(canon);
	return 0;
}
