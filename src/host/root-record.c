/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The recorder: every path read through a recording root is copied into the
 * output directory (files, links crossed, directories listed) and listed in
 * its manifest with the result, so that --root replays what was read.
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

void root_recorder_free(struct recorder *rec)
{
	if (!rec)
		return;
	tce_strmap_done(&rec->made);
	if (rec->last_out_fd >= 0)
		close(rec->last_out_fd);
	free(rec->last_out_dir);
	if (rec->outfd >= 0)
		close(rec->outfd);
	root_entries_free(rec->entries, rec->n);
	free(rec->outdir);
	free(rec);
}

/* ---- recording ---------------------------------------------------------- */

void root_record_result_kind(struct tce_root *r, const char *path, int err, bool dir)
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

void root_record_result(struct tce_root *r, const char *path, int err)
{
	root_record_result_kind(r, path, err, false);
}

/* mkdir -p of the parent directories of path inside the output directory. */
static int out_mkparents(struct recorder *rec, const char *path, bool include_last)
{
	_cleanup_free_ char *copy = strdup(root_rel(path));
	char *p, *end;

	if (!copy)
		return -ENOMEM;
	/* the directory to make, and its parents, each once a recording */
	end = include_last ? copy + strlen(copy) : strrchr(copy, '/');
	if (!end)
		return 0;
	*end = '\0';
	if (tce_strmap_get(&rec->made, copy))
		return 0;
	for (p = copy; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (!tce_strmap_get(&rec->made, copy)) {
			if (mkdirat(rec->outfd, copy, 0755) < 0 && errno != EEXIST)
				return -errno;
			if (tce_strmap_put(&rec->made, copy, NULL) < 0)
				return -ENOMEM;
		}
		*p = '/';
	}
	if (mkdirat(rec->outfd, copy, 0755) < 0 && errno != EEXIST)
		return -errno;
	return tce_strmap_put(&rec->made, copy, NULL);
}

void root_record_link(struct tce_root *r, const char *canon, const char *target)
{
	if (!r->rec || out_mkparents(r->rec, canon, false) < 0)
		return;
	if (symlinkat(target, r->rec->outfd, root_rel(canon)) < 0 && errno != EEXIST)
		DBG("record: link %s: %m", canon);
}

/* The output directory a file goes to: the last one's fd is kept, since a
 * device's or a node's files come one after another. */
static int out_dirfd(struct recorder *rec, const char *canon, const char **ret_base)
{
	const char *slash = strrchr(canon, '/');
	_cleanup_free_ char *dir = NULL;
	int fd;

	*ret_base = slash ? slash + 1 : canon;
	if (!slash || slash == canon)
		return rec->outfd;
	if (!(dir = strndup(canon, (size_t)(slash - canon))))
		return -ENOMEM;
	if (rec->last_out_dir && streq(rec->last_out_dir, dir))
		return rec->last_out_fd;
	if (out_mkparents(rec, canon, false) < 0)
		return -EIO;
	fd = openat(rec->outfd, root_rel(dir), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (rec->last_out_fd >= 0)
		close(rec->last_out_fd);
	free(rec->last_out_dir);
	rec->last_out_fd = fd;
	rec->last_out_dir = TAKE_PTR(dir);
	return fd;
}

void root_record_file(struct tce_root *r, const char *canon, const char *buf, size_t len)
{
	_cleanup_close_ int fd = -1;
	const char *base;
	int dfd;

	if (!r->rec)
		return;
	dfd = out_dirfd(r->rec, canon, &base);
	if (dfd >= 0)
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		WRN("record: cannot write %s", canon);
}

void root_record_dir(struct tce_root *r, const char *canon)
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
	rec->last_out_fd = -1;
	r->rec = rec;
	return 0;
}

/* The manifest goes out through stdio: a line a path, not a write() a line. */
static int write_all(FILE *f, const char *s)
{
	return fputs(s, f) < 0 ? -EIO : 0;
}

static void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

int tce_root_finish_recording(struct tce_root *r)
{
	struct recorder *rec = r->rec;
	_cleanup_(fclosep) FILE *fd = NULL;
	char line[512];
	int ofd;
	time_t now = time(NULL);
	struct tm tm;
	int k;

	if (!rec)
		return -EINVAL;
	if (mkdirat(rec->outfd, TCE_SNAPSHOT_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	ofd = openat(rec->outfd, TCE_SNAPSHOT_MANIFEST,
		     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (ofd < 0)
		return -errno;
	if (!(fd = fdopen(ofd, "w"))) {
		close(ofd);
		return -ENOMEM;
	}
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
		qsort(rec->entries, rec->n, sizeof(*rec->entries), root_entry_cmp);
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
	if (fflush(fd) != 0 || ferror(fd))
		return -EIO;
	if (fsync(fileno(fd)) < 0 && errno != EINVAL)
		return -errno;
	return tce_probe_store_save(r->probes, rec->outfd, TCE_SNAPSHOT_PROBES);
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
