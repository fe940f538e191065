/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VM map as a whole: find, merge, read, ask, decide (src/vm/collect.c). */
#pragma once

#include <stdbool.h>

#include "tceiommu/root.h"
#include "tceiommu/vm.h"

struct tce_vms_opts {
	const char *uri;	      /* libvirt URI; NULL: do not ask libvirt */
	bool monitor;		      /* ask libvirt domains' QEMU through libvirt (taints) */
	const char *const *qmp_paths; /* --qmp SOCKET, each */
	size_t n_qmp;
	int timeout_ms; /* per QMP exchange and for libvirt */
	bool full;	/* every QEMU property (show-vm, record), not only the verdict's */
};

int tce_vms_collect(struct tce_root *r, const struct tce_vms_opts *o, struct tce_vms **ret);

/*
 * A libvirt domain that is not running: the lines of its QEMU log
 * (PATH_LIBVIRT_QEMU_LOG/NAME.log, the tail) that say why a start failed
 * (E2E.md §5c: with VFIO, a memlock shortage kills QEMU at start). 0 with
 * the path and the lines (maybe none), or -errno (-ENOENT: no such log).
 */
int tce_vm_stopped_log(struct tce_root *r, const char *name, char **ret_path, char ***ret_lines);
