/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VM map's collectors and parsers (src/vm/): /proc/PID of a QEMU, its
 * command line, KVM's debugfs, QEMU over QMP, and the verdict. Parsers are
 * pure: no I/O, bounded, hostile input gives -EINVAL, never a crash.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tceiommu/qmp.h"
#include "tceiommu/root.h"
#include "tceiommu/vm.h"

struct tce_proc_status {
	char name[64];
	bool has_vmlck;
	uint64_t vmlck; /* bytes */
	enum tce_tristate cap_ipc_lock;
};
/* /proc/PID/status (fs/proc/array.c): Name, VmLck, CapEff. */
int tce_proc_parse_status(const char *buf, size_t len, struct tce_proc_status *ret);
/* /proc/PID/limits "Max locked memory": bytes, UINT64_MAX for unlimited. */
int tce_proc_parse_memlock(const char *buf, size_t len, uint64_t *ret_soft, uint64_t *ret_hard);
/* /proc/PID/maps: the length of every anon_inode:kvm-spapr-tce mapping. */
int tce_proc_parse_tce_maps(const char *buf, size_t len, uint64_t **ret, size_t *ret_n);
/* QEMU's size syntax; default_unit for a bare number (-m: MiB). */
int tce_qemu_parse_size(const char *s, uint64_t default_unit, uint64_t *ret);
/* QEMU's command line (NUL-separated) into vm: name, uuid, machine, accel,
 * RAM, mem-lock, PHBs and PCI devices. */
int tce_qemu_parse_cmdline(const char *args, size_t len, struct tce_vm *vm);
/* Each PHB's vfio from the devices placed on it. */
void tce_vm_mark_vfio_phbs(struct tce_vm *vm);
/* One /proc/PID/fd link target into vm's fd facts; 0 or -ENOMEM. */
int tce_proc_fd_target(struct tce_vm *vm, const char *target);
/* /proc/PID (vm->pid) through the root; vm->proc_err says what could not be read. */
int tce_vm_read_proc(struct tce_root *r, struct tce_vm *vm);

/*
 * Ask QEMU (through exec, a socket, libvirt's monitor or a snapshot) for its
 * PHBs (QOM: every child<spapr-pci-host-bridge> under /machine), their
 * properties (index, dma_win_addr, dma_win_size, dma64_win_addr, ddw, pgsz),
 * the tce-table-<liobn> children, each window's tce-iommu-<liobn>[0] addr and
 * size, and the run state. Not full: only what the verdict needs (index,
 * pgsz, each window's size; starts from info mtree -f), about half the
 * requests, for list-vms. 0, or the first exchange's -errno with
 * vm->qmp_error set.
 */
int tce_qmp_inspect(tce_qmp_exec_fn exec, void *ctx, struct tce_vm *vm, bool full);
/* The windows "info mtree -f" shows enabled: "tce-iommu-<liobn>" regions. */
int tce_mtree_parse(const char *text, struct tce_vm *vm);

/*
 * Decide every window's verdict and the VM's worst (pure): the KVM tables
 * matched to windows by mapped length, then the rules of tce_window_verdict.
 * page_size: the host's; cap: KVM_CAP_SPAPR_TCE_VFIO.
 */
void tce_vm_decide(struct tce_vm *vm, long page_size, enum tce_tristate cap_spapr_tce_vfio);

/* The facts one window's verdict rests on. */
struct tce_verdict_facts {
	bool proc_readable;		 /* the VM's fds and maps were read */
	bool no_process;		 /* no QEMU process is known (a libvirt domain) */
	enum tce_tristate kvm;		 /* QEMU runs with KVM (not TCG) */
	enum tce_tristate vfio;		 /* a VFIO device is behind the window's PHB */
	bool iommufd;			 /* that device uses iommufd: no sPAPR acceleration */
	enum tce_tristate created;	 /* the window exists (size > 0) */
	enum tce_table_match table;	 /* a KVM table backs it */
	enum tce_tristate holds_group;	 /* the VM holds the VFIO group open */
	bool kvm_vfio;			 /* the VM has the kvm-vfio device */
	enum tce_tristate cap_vfio;	 /* KVM_CAP_SPAPR_TCE_VFIO */
	enum tce_tristate memlock_short; /* limit below need, no CAP_IPC_LOCK */
	const char *qemu_error;		 /* a log line naming this LIOBN */
	bool is_ddw;			 /* the 64-bit window */
};
/* The verdict and, when not in-kernel, why (*reason allocated). Pure. */
enum tce_verdict tce_window_verdict(const struct tce_verdict_facts *f, char **reason);
