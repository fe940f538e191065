/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The userspace resolver: a path walked one component at a time with
 * fstatat/readlinkat on the root's directory fd, with openat2's
 * RESOLVE_IN_ROOT rules -- ".." stops at the root, an absolute target
 * restarts at it, 40 links at most (ELOOP). For kernels without openat2, and
 * for the recorder, which must copy every link it crosses.
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
#include "tceiommu/util.h"

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
/*
 * Directories and links in the middle of the paths walked, by canonical
 * path: each is asked of the filesystem (and a link recorded) once a
 * command, not once per path that crosses it.
 */
static int mid_put(struct tce_root *r, const char *cand, char kind, const char *target)
{
	_cleanup_free_ char *v = tce_strdup_printf("%c%s", kind, target);

	return v ? tce_strmap_put(&r->mids, cand, v) : -ENOMEM;
}

static int resolve_walk(struct tce_root *r, const char *path, bool follow_last, char **ret)
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
		const struct tce_strmap_slot *mid;
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

			mid = !last ? tce_strmap_get(&r->mids, cand) : NULL;
			if (mid && mid->value[0] == 'd') {
				/* a directory on the way, seen before */
				k = sbuf_set(&canon, cand, strlen(cand));
				if (k == 0)
					k = sbuf_set(&todo, p, strlen(p));
				if (k < 0)
					goto out;
				continue;
			}
			if (mid && mid->value[0] == 'l') {
				/* a link on the way, seen (and recorded) before */
				_cleanup_free_ char *rest = NULL;

				if (++links > MAX_LINKS) {
					k = -ELOOP;
					goto out;
				}
				rest = tce_strdup_printf("%s/%s", mid->value + 1, p);
				if (!rest) {
					k = -ENOMEM;
					goto out;
				}
				if (mid->value[1] == '/')
					canon.len = 0, canon.s[0] = '\0';
				k = sbuf_set(&todo, rest, strlen(rest));
				if (k < 0)
					goto out;
				continue;
			}
			if (fstatat(r->dirfd, root_rel(cand), &st, AT_SYMLINK_NOFOLLOW) < 0) {
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
				n = readlinkat(r->dirfd, root_rel(cand), target,
					       sizeof(target) - 1);
				if (n < 0) {
					k = -errno;
					goto out;
				}
				if (n == 0) {
					k = -ENOENT;
					goto out;
				}
				target[n] = '\0';
				root_record_link(r, cand, target);
				if (!last && (k = mid_put(r, cand, 'l', target)) < 0)
					goto out;
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
				if (!last && (k = mid_put(r, cand, 'd', "")) < 0)
					goto out;
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

		if (fstatat(r->dirfd, root_rel(canon.s), &st, 0) == 0 && !S_ISDIR(st.st_mode)) {
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

/*
 * Paths asked share their directories (a device's files, a node's
 * properties): each directory's resolution is kept for the command, and only
 * the last component is walked (issue 9: record was 24x list-groups, most of
 * it fstatat of every prefix of every path). The links in a directory's path
 * were recorded when it was walked. A last component that is a link to
 * follow, "." or "..", or a trailing slash take the full walk.
 */
int root_resolve(struct tce_root *r, const char *path, bool follow_last, char **ret)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : NULL;
	const struct tce_strmap_slot *known;
	_cleanup_free_ char *dir = NULL, *cand = NULL;
	struct stat st;

	if (!slash || slash == path || !*base || streq(base, ".") || streq(base, ".."))
		return resolve_walk(r, path, follow_last, ret);
	if (!(dir = strndup(path, (size_t)(slash - path))))
		return -ENOMEM;
	known = tce_strmap_get(&r->rdirs, dir);
	if (!known) {
		_cleanup_free_ char *canon = NULL;

		/* only an existing directory is kept: anything else takes the
		 * full walk, which says what is wrong with the path */
		if (resolve_walk(r, dir, true, &canon) < 0 ||
		    fstatat(r->dirfd, root_rel(canon), &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || tce_strmap_put(&r->rdirs, dir, canon) < 0)
			return resolve_walk(r, path, follow_last, ret);
		known = tce_strmap_get(&r->rdirs, dir);
	}
	cand = tce_strdup_printf("%s/%s", streq(known->value, "/") ? "" : known->value, base);
	if (!cand)
		return -ENOMEM;
	if (fstatat(r->dirfd, root_rel(cand), &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return resolve_walk(r, path, follow_last, ret);
	} else if (S_ISLNK(st.st_mode) && follow_last) {
		return resolve_walk(r, path, follow_last, ret);
	}
	*ret = TAKE_PTR(cand);
	return 0;
}
