/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The root: every host read goes through it (util-linux lib/path.c).
 *
 * A root is "/" (live) or a snapshot directory given by --root (replay).
 * Every path — symbolic links included — resolves inside it: openat2() with
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS (Linux >= 5.6), or a userspace
 * resolver with the same semantics on older kernels. /proc/device-tree is an
 * absolute link on real hosts; inside a snapshot it lands inside the snapshot.
 *
 * A root can also record: `tceiommu record DIR` wraps the source root and
 * copies every file, link and directory the collectors touch into DIR, and
 * writes DIR/.tceiommu/manifest with every path attempted and its result, so
 * that a replay tells "absent" (ENOENT) from "unreadable" (the recorded
 * errno) from "not recorded" (-ENODATA).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tceiommu/macro.h"

struct tce_root;
struct tce_probe_store;

/* Snapshot bookkeeping lives in this directory of a snapshot. */
#define TCE_SNAPSHOT_DIR ".tceiommu"
#define TCE_SNAPSHOT_MANIFEST ".tceiommu/manifest"
#define TCE_SNAPSHOT_PROBES ".tceiommu/probes"
/* top's hcall events, recorded with record --top */
#define TCE_SNAPSHOT_HCALLS ".tceiommu/hcalls"
#define TCE_SNAPSHOT_FORMAT 1

/* dir == NULL: the live host. */
int tce_root_new(const char *dir, struct tce_root **ret);
/* Record everything read through r into outdir (which must be new or empty). */
int tce_root_start_recording(struct tce_root *r, const char *outdir);
int tce_root_finish_recording(struct tce_root *r);
struct tce_root *tce_root_free(struct tce_root *r);
static inline void tce_root_freep(struct tce_root **r)
{
	tce_root_free(*r);
}
#define _cleanup_root_ _cleanup_(tce_root_freep)

/* Answers come from the running host (live, or live being recorded). */
bool tce_root_is_live(const struct tce_root *r);
bool tce_root_is_recording(const struct tce_root *r);
const char *tce_root_path(const struct tce_root *r);

/* From uname()/sysconf()/geteuid() live, from the manifest in a snapshot;
 * NULL / 0 / -1 when a snapshot does not say. */
const char *tce_root_kernel_release(const struct tce_root *r);
const char *tce_root_machine(const struct tce_root *r);
long tce_root_page_size(const struct tce_root *r);
long tce_root_euid(const struct tce_root *r);

struct tce_probe_store *tce_root_probes(struct tce_root *r);

/* Readers. 0 or -errno; -ENODATA means "not recorded" in a recorded snapshot. */
int tce_root_open(struct tce_root *r, const char *path, int flags);
int tce_root_read(struct tce_root *r, const char *path, size_t max, char **ret, size_t *ret_len);
/* At most n bytes from the start of a file (PCI config space: the first 64). */
int tce_root_read_head(struct tce_root *r, const char *path, size_t n, void *buf, size_t *ret_len);
/* A sysfs text value: at most 4 KiB, trailing newline removed, no NUL inside. */
int tce_root_read_string(struct tce_root *r, const char *path, char **ret);
int tce_root_read_u64(struct tce_root *r, const char *path, int base, uint64_t *ret);
int tce_root_read_s64(struct tce_root *r, const char *path, int base, int64_t *ret);
int tce_root_readlink(struct tce_root *r, const char *path, char **ret);
/* The canonical path inside the root, links resolved. */
int tce_root_realpath(struct tce_root *r, const char *path, char **ret);
/* Entry names of a directory, sorted, without "." and "..". */
int tce_root_list(struct tce_root *r, const char *path, char ***ret);
int tce_root_exists(struct tce_root *r, const char *path);

/*
 * A directory opened once (issue 9): its files are then opened by name with
 * openat(dirfd, NAME, O_NOFOLLOW), so the path to it, links and all, is
 * walked once by the kernel (openat2 RESOLVE_IN_ROOT) instead of once per
 * file. Same answers, confinement, replay and recording as the path-based
 * readers, which it falls back to for a name that is a link, while
 * recording, and without openat2. -ENOENT (or what replay says) when the
 * directory is absent.
 */
struct tce_dir;
int tce_root_opendir(struct tce_root *r, const char *path, struct tce_dir **ret);
struct tce_dir *tce_dir_free(struct tce_dir *d);
static inline void tce_dir_freep(struct tce_dir **d)
{
	tce_dir_free(*d);
}
#define _cleanup_dir_ _cleanup_(tce_dir_freep)
const char *tce_dir_path(const struct tce_dir *d);
int tce_dir_read(struct tce_dir *d, const char *name, size_t max, char **ret, size_t *ret_len);
int tce_dir_read_head(struct tce_dir *d, const char *name, size_t n, void *buf, size_t *ret_len);
int tce_dir_read_string(struct tce_dir *d, const char *name, char **ret);
int tce_dir_read_u64(struct tce_dir *d, const char *name, int base, uint64_t *ret);
int tce_dir_read_s64(struct tce_dir *d, const char *name, int base, int64_t *ret);
int tce_dir_readlink(struct tce_dir *d, const char *name, char **ret);
int tce_dir_realpath(struct tce_dir *d, const char *name, char **ret);
int tce_dir_exists(struct tce_dir *d, const char *name);
int tce_dir_list(struct tce_dir *d, const char *name, char ***ret);
/* A directory below an opened one (name: one component); a link is resolved
 * in the root as tce_root_opendir() does. */
int tce_dir_opendir(struct tce_dir *d, const char *name, struct tce_dir **ret);
/* A directory reached through name (a link, as of_node), opened, and its
 * canonical path in the root: one lookup for both. */
int tce_dir_realdir(struct tce_dir *d, const char *name, struct tce_dir **ret_dir,
		    char **ret_canon);

/* The last max bytes of a file (a log); a recording keeps that tail. */
int tce_root_read_tail(struct tce_root *r, const char *path, size_t max, char **ret,
		       size_t *ret_len);
/* Reads between pause and resume are not copied into a recording: what only
 * decides whether to look closer (another process's comm). */
void *tce_root_pause_recording(struct tce_root *r);
void tce_root_resume_recording(struct tce_root *r, void *token);

/* A file of the snapshot's own directory (TCE_SNAPSHOT_*): read under --root
 * (never through a link), written while recording (a no-op otherwise). */
int tce_root_read_sidecar(struct tce_root *r, const char *relpath, size_t max, char **ret,
			  size_t *ret_len);
int tce_root_write_sidecar(struct tce_root *r, const char *relpath, const char *buf, size_t len);

/* Testing hook: TCEIOMMU_NO_OPENAT2=1 forces the userspace resolver. */
bool tce_root_uses_openat2(const struct tce_root *r);
