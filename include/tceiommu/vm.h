/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VM map (list-vms, show-vm): plain data about running QEMU pseries VMs,
 * their PHBs, the LIOBN of each DMA window, the VFIO groups they hold, and a
 * verdict per LIOBN: are its H_PUT_TCE / H_PUT_TCE_INDIRECT / H_STUFF_TCE
 * handled in the host kernel, or do they exit to QEMU?
 *
 * Sources, least intrusive first (SPEC "list-vms / show-vm"): /proc/PID of
 * each QEMU (fds, maps, status, limits, cmdline), KVM's debugfs (one
 * kvm/PID-FD directory per VM, root only), libvirt (domain XML, QEMU's log),
 * and QEMU itself over QMP (--qmp SOCKET, or libvirt's monitor passthrough
 * with --monitor). Collectors fill these structs; the verdict is one pure
 * function of them; renderers read them only.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tceiommu/model.h"
#include "tceiommu/root.h"

#define TCE_VM_SRC_PROC (1u << 0)    /* a /proc scan found the QEMU process */
#define TCE_VM_SRC_DEBUGFS (1u << 1) /* /sys/kernel/debug/kvm/PID-FD */
#define TCE_VM_SRC_LIBVIRT (1u << 2) /* a running libvirt domain */
#define TCE_VM_SRC_QMP (1u << 3)     /* named with --qmp SOCKET */

/* Ordered by how bad they are for a VM row: the worst one is shown. */
enum tce_verdict {
	TCE_VERDICT_NONE = 0,  /* nothing decided (no window) */
	TCE_VERDICT_EMULATED,  /* no VFIO device behind the PHB: nothing to accelerate */
	TCE_VERDICT_IN_KERNEL, /* KVM handles the TCE hcalls, linked to the VFIO group */
	TCE_VERDICT_UNKNOWN,   /* undecidable from what could be read; reason says what decides */
	TCE_VERDICT_USERSPACE, /* every map/unmap exits to QEMU */
};
const char *tce_verdict_name(enum tce_verdict v);

/* How a window was matched to one of the VM's kvm-spapr-tce tables. */
enum tce_table_match {
	TCE_TABLE_UNKNOWN = 0, /* the VM's fds/maps could not be read */
	TCE_TABLE_NONE,	       /* no KVM table of the window's mapped length */
	TCE_TABLE_MATCHED,     /* a table of exactly the expected length */
	TCE_TABLE_BY_COUNT,    /* lengths alike, but as many tables as windows need them */
	TCE_TABLE_AMBIGUOUS,   /* page shift unknown, or fewer tables than candidates */
};

/* One DMA window of a PHB, named by its LIOBN (QEMU include/hw/ppc/spapr.h
 * SPAPR_PCI_LIOBN: 0x80000000 | index << 8 | window number). */
struct tce_vm_window {
	uint32_t liobn;
	uint32_t phb_index;
	unsigned window_num; /* 0: the 32-bit default window, 1: the 64-bit DDW */
	/* TCE_YES: enabled (size > 0); TCE_NO: the guest has not created it */
	enum tce_tristate created;
	bool has_start, has_size, has_page_shift;
	uint64_t start, size;
	unsigned page_shift;
	const char *source; /* where the geometry came from: "qmp", "cmdline", "default" */
	enum tce_table_match table;
	uint64_t table_len; /* bytes of /proc/PID/maps backing the matched table */
	char *qemu_error;   /* a line of QEMU's log naming this LIOBN */
	enum tce_verdict verdict;
	char *reason; /* why not in-kernel, or what would decide it */
	/* show-vm --rates: the TCE hcalls measured on this LIOBN */
	bool measured;
	uint64_t hcalls_kernel, hcalls_qemu;
	double measured_seconds;
	const char *measure_flag; /* the measurement disagrees with the verdict */
	char **evidence;	  /* facts the verdict rests on, "what: answer" */
};

struct tce_vm_phb {
	uint32_t index;
	char *id;	/* qdev id ("pci.1" from libvirt, -device ...,id=X); NULL: default PHB */
	char *qom_path; /* from QMP */
	bool has_dma_win_addr, has_dma_win_size, has_dma64_win_addr, has_ddw, has_pgsz;
	uint64_t dma_win_addr, dma_win_size, dma64_win_addr, pgsz;
	bool ddw;
	enum tce_tristate vfio; /* a VFIO device is behind it */
	struct tce_vm_window *windows;
	size_t n_windows;
};

/* A PCI device of the guest. */
struct tce_vm_device {
	char *id;     /* qdev id or libvirt alias; may be NULL */
	char *driver; /* "vfio-pci", "e1000", ... ("hostdev" from libvirt XML) */
	bool vfio;
	bool iommufd;	     /* libvirt <driver iommufd='yes'/>: no sPAPR acceleration */
	char *host_bdf;	     /* VFIO: the host device ("0001:01:00.0") */
	char *host_sysfsdev; /* VFIO by sysfsdev= */
	bool has_phb;
	uint32_t phb_index;
	bool has_group; /* the host IOMMU group, through the list-groups collector */
	uint64_t group;
	char **group_devices; /* "BDF ID DRIVER" of every device of that group */
};

struct tce_vm {
	char *name;
	char *uuid;
	int pid;	    /* 0: not known */
	unsigned sources;   /* TCE_VM_SRC_* */
	char *debugfs_name; /* "PID-FD" of kvm/ in debugfs */
	char *libvirt_state;
	char *machine; /* -M / <os><type machine=> */
	char *accel;   /* "kvm", "tcg", NULL when not known */
	enum tce_tristate kvm;
	bool has_ram;
	uint64_t ram; /* bytes */

	/* /proc/PID */
	int proc_err; /* 0, -EACCES (needs root), -EPERM (hidden), -ESRCH (gone) */
	bool fds_read;
	unsigned n_tce_fds; /* anon_inode:kvm-spapr-tce */
	bool kvm_vm_fd, kvm_vfio, vfio_container;
	uint64_t *vfio_groups; /* /dev/vfio/N held open */
	size_t n_vfio_groups;
	bool maps_read;
	uint64_t *table_lens; /* each kvm-spapr-tce mapping's length */
	size_t n_table_lens;
	bool has_vmlck;
	uint64_t vmlck; /* bytes */
	bool has_memlock;
	uint64_t memlock_soft, memlock_hard; /* bytes; UINT64_MAX unlimited */
	enum tce_tristate cap_ipc_lock;
	bool mem_lock_on; /* -overcommit mem-lock=on / -realtime mlock=on */
	char *cmdline;	  /* arguments joined by spaces, for show-vm */

	/* QEMU over QMP */
	bool qmp_asked;
	char *qmp_via; /* "socket PATH", "libvirt monitor", "snapshot" */
	int qmp_err;
	char *qmp_error;
	char *run_state; /* query-status: "running", "prelaunch", "paused", ... */

	/* libvirt */
	char *log_path;
	char **log_lines; /* QEMU log lines that name a LIOBN or a TCE/VFIO failure */

	struct tce_vm_phb *phbs;
	size_t n_phbs;
	struct tce_vm_device *devices;
	size_t n_devices;

	enum tce_verdict worst;
	unsigned n_windows, n_in_kernel;
	char **notes;
};

struct tce_vms {
	struct tce_vm *vms;
	size_t n;
	long page_size;			      /* the host kernel's */
	enum tce_tristate cap_spapr_tce_vfio; /* KVM_CAP_SPAPR_TCE_VFIO of the host */
	enum tce_tristate cap_spapr_tce_64;
	char *cap_note;	   /* why the capability is unknown */
	bool proc_hidden;  /* /proc mounted with hidepid: other users' processes unseen */
	bool proc_partial; /* some QEMU processes could not be read: needs root */
	int debugfs_err;   /* 0, -EACCES: needs root, -ENOENT: not mounted */
	int libvirt_err;
	char *libvirt_note;
	char **notes;
};

void tce_vm_window_done(struct tce_vm_window *w);
void tce_vm_phb_done(struct tce_vm_phb *p);
void tce_vm_device_done(struct tce_vm_device *d);
void tce_vm_done(struct tce_vm *vm);
void tce_vms_free(struct tce_vms *v);
static inline void tce_vms_freep(struct tce_vms **v)
{
	tce_vms_free(*v);
}
#define _cleanup_vms_ __attribute__((cleanup(tce_vms_freep)))

/* A PHB of the VM by index, added (with no window) when absent; NULL: ENOMEM. */
struct tce_vm_phb *tce_vm_phb_get(struct tce_vm *vm, uint32_t index);
/* A window of a PHB by LIOBN, added when absent; NULL: ENOMEM. */
struct tce_vm_window *tce_vm_window_get(struct tce_vm_phb *p, uint32_t liobn);
/* A new device appended to the VM; NULL: ENOMEM. */
struct tce_vm_device *tce_vm_device_add(struct tce_vm *vm);

/* QEMU's LIOBN formula (include/hw/ppc/spapr.h SPAPR_PCI_LIOBN). */
static inline uint32_t tce_spapr_pci_liobn(uint32_t index, unsigned window)
{
	return 0x80000000u | (index << 8) | (window & 0xff);
}

/* ---- libvirt (src/vm/libvirt.c; WITH_LIBVIRT) ---------------------------- */

struct tce_libvirt_domain {
	char *name, *uuid;
	char *xml;   /* virDomainGetXMLDesc of the running domain (live XML) */
	char *state; /* "running", "paused", ... */
};
void tce_libvirt_domains_free(struct tce_libvirt_domain *d, size_t n);

/*
 * Has the daemon behind uri a socket? For qemu:///system and
 * qemu:///session, -ENOENT and *ret_note when none of its sockets exists;
 * 0 for those with one and for every other URI. Neither loads nor calls
 * libvirt: without a socket, nothing that asks libvirt gets that far.
 */
int tce_libvirt_daemon_present(const char *uri, char **ret_note);

/*
 * The running domains at uri (read-only connection), within timeout_ms for
 * the whole exchange. A libvirt that is not running is -ECONNREFUSED/-ENOENT
 * with *ret_note saying so, costing no more than a failed connect: for
 * qemu:///system and qemu:///session, no daemon socket means -ENOENT before
 * libvirt is called at all (it would try to start a daemon). A refusal by
 * polkit/ACL is -EACCES; no answer in time -ETIMEDOUT (the work is left to
 * its thread); other failures -EIO with libvirt's message in *ret_note.
 * libvirt.so.0 not installed: -EOPNOTSUPP, *ret_note "libvirt not installed
 * (DLERROR)"; builds without libvirt: -EOPNOTSUPP, "built without libvirt".
 */
int tce_libvirt_list_running(const char *uri, int timeout_ms, struct tce_libvirt_domain **ret,
			     size_t *ret_n, char **ret_note);

/*
 * What a domain's XML says, into vm (pure: no I/O; fuzzable): name, uuid,
 * machine, accel (domain type kvm -> "kvm", qemu -> "tcg"), RAM, the PHBs
 * (<controller type='pci' model='pci-root'> with <model
 * name='spapr-pci-host-bridge'/> and <target index=K/>; libvirt's implicit
 * index-0 root is PHB 0), and the PCI hostdevs (and <interface
 * type='hostdev'>): host BDF, iommufd, and the PHB their guest address's
 * bus= names through that controller's target index. Also the memlock
 * settings (<memtune><hard_limit>, <memoryBacking><locked/>) as notes.
 * Hostile input: over 16 MiB is -EFBIG; not well-formed, not a <domain>,
 * or with a DTD or entity declaration (never written by libvirt) -EINVAL.
 * libxml2.so.2 not installed (or a build without libvirt): -EOPNOTSUPP.
 * On error vm may hold part of the domain: the caller frees it as always.
 */
int tce_libvirt_parse_domain_xml(const char *xml, size_t len, struct tce_vm *vm);

/*
 * libvirt's QMP passthrough (virDomainQemuMonitorCommand) for one domain:
 * a tce_qmp_exec_fn. Using it taints the domain "custom-monitor".
 */
struct tce_libvirt_monitor;
int tce_libvirt_monitor_open(const char *uri, const char *name, int timeout_ms,
			     struct tce_libvirt_monitor **ret, char **ret_error);
int tce_libvirt_monitor_exec(void *monitor, const char *request, char **ret, char **ret_error);
void tce_libvirt_monitor_close(struct tce_libvirt_monitor *m);

/*
 * QEMU's log (libvirt: /var/log/libvirt/qemu/NAME.log, its tail): the lines
 * that say why a TCE table is not in KVM or VFIO failed (FACTS §2.6, §4.4):
 * "KVM: Failed to create TCE table for liobn 0x...", "...TCE64 table...",
 * "Failed to create SPAPR window", "vfio: DMA mapping failed",
 * "vfio: failed GROUP_SET_SPAPR_TCE ...", "Memory registering failed"...
 * Returns the matching lines (a strv, maybe empty); pure, fuzzable.
 */
char **tce_qemu_log_scan(const char *buf, size_t len);
/* The LIOBN a log line names ("liobn 0x80000300"), 0 and *ret, or -ENOENT. */
int tce_qemu_log_liobn(const char *line, uint32_t *ret);
