/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the rooms of the root share (not an API): root.c opens and reads
 * inside the root; root-resolve.c is the userspace resolver; root-record.c
 * the recorder; root-replay.c the snapshot's manifest and sidecars;
 * root-dir.c directories opened once.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

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
	struct tce_strmap made; /* output directories made */
	char *last_out_dir;	/* the output directory written to last, and its fd */
	int last_out_fd;
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
	/* the userspace resolver's directories: path as asked -> canonical */
	struct tce_strmap rdirs;
	struct tce_strmap mids; /* directories and links within paths (root-resolve.c) */
};

static inline const char *root_rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* root.c */
int root_read_fd_whole(int fd, size_t max, bool one_read, char **ret, size_t *ret_len);
int root_read_fd_all(int fd, size_t max, char **ret, size_t *ret_len);
int root_openat2_in_root(struct tce_root *r, const char *path, int flags);
int root_fast_open(struct tce_root *r, const char *path, int flags);
int root_list_fd(struct tce_root *r, const char *path, int fd, char ***ret);
/* A text value from a read (k its result, buf taken): no NUL inside, no
 * trailing newline. */
int root_as_string(int k, char *buf, size_t len, char **ret);
/* The canonical path of an fd inside the root; -ENOSYS: ask the resolver. */
int root_fd_canon(struct tce_root *r, int fd, char **ret);

/* root-resolve.c */
int root_resolve(struct tce_root *r, const char *path, bool follow_last, char **ret);

/* root-record.c */
void root_recorder_free(struct recorder *rec);
void root_record_result_kind(struct tce_root *r, const char *path, int err, bool dir);
void root_record_result(struct tce_root *r, const char *path, int err);
void root_record_link(struct tce_root *r, const char *canon, const char *target);
void root_record_file(struct tce_root *r, const char *canon, const char *buf, size_t len);
void root_record_dir(struct tce_root *r, const char *canon);

/* root-replay.c */
void root_entries_free(struct manifest_entry *e, size_t n);
int root_entry_cmp(const void *a, const void *b); /* by path */
int root_load_snapshot_files(struct tce_root *r);
/* The manifest's text (len bytes, NUL-terminated after them; cut in place) into r. */
int root_parse_manifest(struct tce_root *r, char *buf, size_t len);
bool root_replay_empty_dir(const struct tce_root *r, const char *path, int err);
int root_replay_error(struct tce_root *r, const char *path, int err);
int root_name_cmp(const void *a, const void *b); /* of two char *, by strcmp */
/* names sorted, with the empty directories a recording lists under path */
int root_add_manifest_dirs(struct tce_root *r, const char *path, struct strv_buf *names);
