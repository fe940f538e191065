/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list-groups --probe: VFIO_IOMMU_SPAPR_TCE_GET_INFO on an idle, viable group. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct tce_vfio_probe {
	bool ok;
	const char *step; /* the step that failed */
	uint32_t dma32_start, dma32_size;
	bool has_ddw; /* VFIO_IOMMU_SPAPR_INFO_DDW was set */
	uint64_t pgsizes;
	uint32_t max_windows, levels;
};

/* 0 and the answer, or -errno with p->step naming where it stopped: -EBUSY in
 * use (never forced), -EPERM not viable, -ENODEV no VFIO driver bound. */
int tce_vfio_probe_group(uint64_t group, struct tce_vfio_probe *p);
