/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replay: a snapshot's manifest (.tceiommu/manifest) says what each path was
 * when it was recorded -- read, a directory, absent, or an errno -- so that a
 * file missing from the tree replays as what it was, and a path it does not
 * list as "not recorded"; and its sidecars, read without following links.
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

int root_entry_cmp(const void *a, const void *b)
{
	const struct manifest_entry *x = a, *y = b;

	return strcmp(x->path, y->path);
}

void root_entries_free(struct manifest_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].path);
	free(e);
}

int root_parse_manifest(struct tce_root *r, char *buf, size_t len)
{
	size_t alloc = 0;
	char *save = NULL, *line;
	bool first = true;

	if (memchr(buf, '\0', len))
		return -EINVAL;
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
		qsort(r->manifest, r->n_manifest, sizeof(*r->manifest), root_entry_cmp);
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

int root_load_snapshot_files(struct tce_root *r)
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
	k = root_read_fd_all(fd, 64 << 20, &buf, &len);
	close(fd);
	if (k < 0)
		return k;
	k = root_parse_manifest(r, buf, len);
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

static const struct manifest_entry *manifest_find(const struct tce_root *r, const char *path)
{
	struct manifest_entry key = { (char *)path, 0, false };

	if (!r->n_manifest)
		return NULL;
	return bsearch(&key, r->manifest, r->n_manifest, sizeof(*r->manifest), root_entry_cmp);
}

/*
 * git keeps no empty directory: a directory the manifest lists as "dir" but
 * that is missing from the tree was an empty one.
 */
bool root_replay_empty_dir(const struct tce_root *r, const char *path, int err)
{
	const struct manifest_entry *e;

	if (r->live || err != -ENOENT)
		return false;
	e = manifest_find(r, path);
	return e && e->dir && !e->err;
}

/* Replay: turn a missing file into what the snapshot's manifest says of it. */
int root_replay_error(struct tce_root *r, const char *path, int err)
{
	const struct manifest_entry *e;

	if (r->live || (err != ENOENT && err != ENOTDIR))
		return -err;
	e = manifest_find(r, path);
	if (!e)
		return r->recorded ? -ENODATA : -err;
	return e->err ? -e->err : -err;
}

int root_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* a's order against the prefix path[0, pl) + "/", as strcmp orders them */
static int prefix_cmp(const char *a, const char *path, size_t pl)
{
	int c = strncmp(a, path, pl);

	return c ? c : (unsigned char)a[pl] - '/';
}

/*
 * A listing, sorted, with the directories the manifest lists right under path
 * added in replay: git keeps no empty directory, so a recorded empty one
 * (KVM's debugfs kvm/PID-FD) is in the manifest only. The manifest is sorted,
 * so path's descendants are one run of it, found by bisection, and each child
 * is looked up among the sorted names by bisection: linear in the listing and
 * the run, where 100k groups would make a scan of both quadratic.
 */
int root_add_manifest_dirs(struct tce_root *r, const char *path, struct strv_buf *names)
{
	size_t pl = strlen(path), lo = 0, hi = r->n_manifest, n0 = names->n;
	const char *last = NULL; /* a path listed twice is next to itself */

	if (names->n > 1)
		qsort(names->v, names->n, sizeof(char *), root_name_cmp);
	if (r->live || !r->n_manifest)
		return 0;
	while (pl > 1 && path[pl - 1] == '/')
		pl--;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (prefix_cmp(r->manifest[mid].path, path, pl) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < r->n_manifest; i++) {
		const struct manifest_entry *e = &r->manifest[i];
		const char *child = e->path + pl + 1;

		if (prefix_cmp(e->path, path, pl) != 0)
			break;
		if (!e->dir || e->err || !*child || strchr(child, '/') ||
		    (last && streq(last, child)) ||
		    (n0 && bsearch(&child, names->v, n0, sizeof(char *), root_name_cmp)))
			continue;
		if (strv_buf_extend(names, child) < 0)
			return -ENOMEM;
		last = child;
	}
	if (names->n > n0)
		qsort(names->v, names->n, sizeof(char *), root_name_cmp);
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
	k = root_read_fd_all(fd, max, ret, ret_len);
	close(fd);
	return k;
}
