/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live-only answers (DESIGN.md, lscpu's is_live()): what only the running
 * host can tell — udev hwdb names, the processes holding /dev/vfio/N, and
 * later KVM/VFIO ioctl answers and libkmod module states — go through
 * tce_probe(). Live, it asks the kernel or the library; while recording, the
 * answer is also written to the snapshot's sidecar file .tceiommu/probes;
 * under --root the sidecar answers, and a question it does not hold is
 * "not recorded" (-ENODATA). Nothing else in the code knows the difference.
 *
 * Sidecar lines: KIND <TAB> KEY <TAB> ANSWER, where ANSWER is "=VALUE"
 * (percent-escaped; one line per value), "-" (no value), or "!ERRNAME".
 */
#pragma once

#include "tceiommu/root.h"

struct tce_probe_store;

int tce_probe_store_new(struct tce_probe_store **ret);
void tce_probe_store_free(struct tce_probe_store *s);
/* Reads the sidecar from fd, and closes it. */
int tce_probe_store_load(struct tce_probe_store *s, int fd);
int tce_probe_store_save(struct tce_probe_store *s, int dirfd, const char *relpath);

/*
 * 0 and *ret_values (a strv, possibly empty) or the answer's -errno.
 * Kinds: "hwdb" (key "pci:v0000VVVVd0000DDDD"; values "ID_VENDOR_FROM_DATABASE=...",
 * "ID_MODEL_FROM_DATABASE=..."), "vfio-holders" (key: group number; values
 * "PID<TAB>COMM[<TAB>VM]"; -EACCES needs root, -EPERM process list hidden),
 * "kvm" (key "open" or "cap:N": KVM_CHECK_EXTENSION's answer), "vfio" (key
 * "open", "api" or "ext:N" on an empty container), "module" (key: module
 * name; values "state=live|builtin|coming|going|absent", "available=yes|no").
 */
int tce_probe(struct tce_root *r, const char *kind, const char *key, char ***ret_values);

/*
 * Vendor and product names from this machine's udev hwdb, whatever the root:
 * for a snapshot that carries no hwdb answer (names are reference data, not
 * host state). Never recorded. Values as tce_probe()'s "hwdb"; -ENOENT when
 * this machine has no hwdb (-v says so), -EOPNOTSUPP when
 * TCEIOMMU_NO_LOCAL_HWDB is set (output that must not depend on the machine:
 * the golden tests).
 */
int tce_probe_local_hwdb(struct tce_root *r, const char *key, char ***ret_values);

/*
 * While recording, keep an answer the caller got itself (QMP replies, libvirt
 * domain XML) in the sidecar, for tce_probe() to replay; a no-op otherwise.
 * err: a positive errno, or 0 with values.
 */
int tce_probe_put(struct tce_root *r, const char *kind, const char *key, int err,
		  char *const *values);

/*
 * The processes holding /dev/vfio/N open, from a /proc directory: lines
 * "GROUP<TAB>PID<TAB>COMM[<TAB>VM]" (VM from QEMU's -name). Unprivileged:
 * -EACCES (needs root), or -EPERM when /proc hides other users' processes.
 */
int tce_vfio_holders_scan(const char *proc, bool privileged, char ***ret);
