/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plain data collected from the host; no I/O happens through these structs.
 * Renderers (src/render/) read only this. "has_*" flags and NULL pointers mean
 * unknown (rendered as JSON null); group 0 is a real group.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tce_platform {
	TCE_PLATFORM_NONE,    /* no device tree: not a POWER host */
	TCE_PLATFORM_POWERNV, /* bare-metal OPAL host */
	TCE_PLATFORM_PSERIES, /* PAPR: PowerVM LPAR or KVM guest */
	TCE_PLATFORM_UNKNOWN, /* a device tree of another kind */
};
const char *tce_platform_name(enum tce_platform p);

enum tce_tristate { TCE_UNKNOWN = -1, TCE_NO = 0, TCE_YES = 1 };

struct tce_eeh {
	char *mode; /* eeh_mode as printed, "0x..." */
	bool has_pe_config_addr;
	uint64_t pe_config_addr;
	char *pe_state; /* eeh_pe_state as printed (read only, never written) */
};

struct tce_device {
	char *bdf;
	bool has_ids;
	uint16_t vendor_id, device_id;
	bool has_class;
	uint32_t class_code;
	int header_type; /* PCI header type (0 normal, 1 bridge, 2 CardBus), -1 unknown */
	char *vendor_name, *device_name; /* udev hwdb, NULL unknown */
	int names_err;			 /* why unknown: -ENODATA not recorded, ... */
	const char *names_source; /* "snapshot", "local hwdb" (this machine's), NULL: no names */
	char *driver;		  /* NULL: no driver bound */
	bool driver_known;	  /* false: uevent unreadable */
	char *driver_override;	  /* NULL: none */
	bool has_numa_node;
	int numa_node;
	char *loc_code;
	char *physfn;	/* bdf of the PF for an SR-IOV VF */
	char **virtfns; /* bdfs of the VFs of a PF */
	bool has_eeh;
	struct tce_eeh eeh;
	char *of_node;	/* canonical device-tree node path inside the root */
	char *phb_hint; /* a VF's: its PF's node, to find the PHB by */
	bool vanished;	/* listed in the group, gone from sysfs */
	int read_err;	/* the first error reading the device, 0 if none */
};

struct tce_phb {
	char *node;  /* device-tree path relative to the device-tree base, "/pciex@..." */
	char *model; /* P7IOC, PHB3, PHB4, PHB5, NPU, pSeries, or the compatible */
	int ioda;    /* 1, 2, 3; 0 unknown / not IODA */
	bool has_opal_phbid;
	uint64_t opal_phbid;
};

enum tce_window_kind {
	TCE_WIN_VFIO_DMA32,  /* PowerNV: the 32-bit window VFIO offers a group */
	TCE_WIN_VFIO_DDW,    /* PowerNV: what dynamic windows VFIO offers */
	TCE_WIN_DMA32,	     /* pSeries ibm,dma-window: the default window */
	TCE_WIN_DMA32_SAVED, /* pSeries ibm,dma-window-saved: default window removed */
	TCE_WIN_DDW,	     /* pSeries linux,dma64-ddr-window-info: the kernel's DDW */
};
const char *tce_window_kind_name(enum tce_window_kind k);

struct tce_window {
	enum tce_window_kind kind;
	bool has_liobn, has_start, has_size, has_page_sizes, has_max_windows, has_levels;
	uint32_t liobn;
	uint64_t start, size;
	uint64_t page_sizes; /* bitmap of page sizes in bytes (1 << shift) */
	uint32_t max_windows, levels;
	const char *source; /* "devicetree", "devicetree+kernel-constant", "vfio" */
	char *node;	    /* device-tree node the property came from */
};

struct tce_blocker {
	char *bdf;
	char *driver;
	char *reason;
	char *command;
	char *warning; /* e.g. unbinding an SR-IOV PF destroys its VFs */
};

struct tce_holder {
	int pid;
	char *comm;
	char *vm;
};

enum tce_holders_state {
	TCE_HOLDERS_NONE_NEEDED, /* no /dev/vfio/N: nobody can hold it */
	TCE_HOLDERS_KNOWN,
	TCE_HOLDERS_NEEDS_ROOT,
	TCE_HOLDERS_HIDDEN, /* /proc mounted with hidepid */
	TCE_HOLDERS_NOT_RECORDED,
	TCE_HOLDERS_ERROR,
};

struct tce_group {
	uint64_t number;
	char *name;
	bool has_domain_pe; /* the name parsed as domainD-peP */
	uint32_t domain;
	uint64_t name_pe;
	bool has_pe; /* PowerNV only: the PE of this group */
	uint64_t pe;
	char *type;
	char *reserved_regions; /* as printed, lines */
	struct tce_device *devices;
	size_t n_devices;
	bool devices_unread; /* devices/ could not be listed: which are in it is unknown */
	bool has_phb;
	struct tce_phb phb;
	enum tce_tristate viable;
	char *viability_rule; /* which kernel rule decided */
	struct tce_blocker *blockers;
	size_t n_blockers;
	bool vfio_node_exists;
	char *vfio_node;
	enum tce_holders_state holders_state;
	struct tce_holder *holders;
	size_t n_holders;
	bool windows_applicable;
	struct tce_window *windows;
	size_t n_windows;
	char **notes; /* facts worth saying: mismatches, unreadable files */
	/* list-groups --probe: NULL when not asked; "ok", or why not / where it failed */
	char *probe_status;
	char *probe_detail;
};

struct tce_host {
	char *kernel_release;
	char *machine;
	enum tce_platform platform;
	struct tce_group *groups;
	size_t n_groups;
	int groups_err; /* reading the groups directory: 0 or -errno */
	char *note;	/* why there are no groups */
};

void tce_group_done(struct tce_group *g);
void tce_host_free(struct tce_host *h);
static inline void tce_host_freep(struct tce_host **h)
{
	tce_host_free(*h);
}
#define _cleanup_host_ __attribute__((cleanup(tce_host_freep)))
