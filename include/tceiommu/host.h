/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Collectors: read the host (through the root) into the model. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "tceiommu/model.h"
#include "tceiommu/root.h"
#include "tceiommu/util.h"

struct tce_collect_opts {
	bool names;   /* ask the udev hwdb for vendor/device names */
	bool holders; /* find the processes holding /dev/vfio/N */
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
 * --probe: ask VFIO for the exact windows of every idle, viable VFIO group
 * (live host, root; collected with holders). Adds windows with source "vfio"
 * and sets each group's probe_status.
 */
void tce_host_probe_groups(struct tce_host *h);

/* The kernel's viability rule for a driver (FACTS §3.1a): does it claim DMA? */
bool tce_driver_claims_dma(const char *driver, bool is_bridge, bool kernel_ge_5_19);
