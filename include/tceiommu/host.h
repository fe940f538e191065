/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Collectors: read the host (through the root) into the model. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "tceiommu/model.h"
#include "tceiommu/root.h"
#include "tceiommu/util.h"

/* Facts a caller may leave unread: list-groups leaves out those of the
 * columns it does not show (issue 9). What viability, the PHB and the notes
 * need is read whatever the bits say. */
enum {
	TCE_FACT_TYPE = 1 << 0,	    /* the group's type */
	TCE_FACT_RESERVED = 1 << 1, /* the group's reserved_regions */
	TCE_FACT_OVERRIDE = 1 << 2, /* driver_override */
	TCE_FACT_NUMA = 1 << 3,	    /* numa_node */
	TCE_FACT_SRIOV = 1 << 4,    /* physfn, virtfnN (a VF's PF and a blocker's VFs are read) */
	TCE_FACT_LOC = 1 << 5,	    /* ibm,loc-code */
	TCE_FACT_EEH = 1 << 6,	    /* eeh_mode, eeh_pe_state (eeh_pe_config_addr is read) */
	TCE_FACT_ALL = (1 << 7) - 1,
};

struct tce_collect_opts {
	bool names;    /* ask the udev hwdb for vendor/device names */
	bool holders;  /* find the processes holding /dev/vfio/N */
	unsigned omit; /* TCE_FACT_* not to read; 0: everything */
	bool has_group;
	uint64_t group;
	bool has_bdf;
	struct tce_bdf bdf;
};

/*
 * Walks /sys/kernel/iommu_groups and the devices it names (not every PCI
 * device of the host). 0, or -errno for failures that leave nothing to show
 * (out of memory); an absent or unreadable groups directory is host->groups_err
 * with host->note saying why.
 */
int tce_host_collect_groups(struct tce_root *r, const struct tce_collect_opts *o,
			    struct tce_host **ret);

/*
 * The same, one group at a time (issue 9: bounded memory): each group, read
 * whole, is handed to fn and freed when fn returns (fn may take what it
 * points to and zero it). *ret gets the host without groups. fn's negative
 * return stops the walk and is returned.
 */
typedef int (*tce_group_fn)(struct tce_host *h, struct tce_group *g, void *userdata);
int tce_host_each_group(struct tce_root *r, const struct tce_collect_opts *o, struct tce_host **ret,
			tce_group_fn fn, void *userdata);

/*
 * --probe: ask VFIO for the exact windows of every idle, viable VFIO group
 * (live host, root; collected with holders). Adds windows with source "vfio"
 * and sets each group's probe_status.
 */
void tce_group_probe(struct tce_group *g);

/* The kernel's viability rule for a driver (FACTS §3.1a): does it claim DMA? */
bool tce_driver_claims_dma(const char *driver, bool is_bridge, bool kernel_ge_5_19);
