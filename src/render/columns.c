/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "tceiommu/columns.h"
#include "tceiommu/host.h"

#define G TCE_COL_GROUP
#define D TCE_COL_DEVICE
#define S TCE_COL_STRING
#define N TCE_COL_NUMBER
#define Z TCE_COL_SIZE

/* name, width hint, right-aligned, level, type, POWER only, names, holders, help */
const struct tce_colinfo tce_columns[TCE_N_COLUMNS] = {
	[COL_GROUP] = { "GROUP", 5, false, G, N, false, false, false,
			"IOMMU group number; in the tree, its devices below it" },
	[COL_NAME] = { "NAME", 12, false, G, S, false, false, false,
		       "the kernel's group name (powerpc: domainD-peP)" },
	[COL_DOMAIN] = { "DOMAIN", 4, true, G, N, true, false, false,
			 "PCI domain from the group name" },
	[COL_PE] = { "PE", 5, true, G, S, true, false, false,
		     "partitionable endpoint number (PowerNV; pSeries groups have none)" },
	[COL_PHB] = { "PHB", 20, false, G, S, true, false, false,
		      "device-tree node of the PHB the group is on" },
	[COL_MODEL] = { "MODEL", 6, false, G, S, true, false, false,
			"PHB model: P7IOC, PHB3, PHB4, PHB5, NPU or pSeries" },
	[COL_IODA] = { "IODA", 2, true, G, N, true, false, false, "IODA generation of the PHB" },
	[COL_TYPE] = { "TYPE", 6, false, G, S, false, false, false,
		       "type of the group's default IOMMU domain" },
	[COL_VIABLE] = { "VIABLE", 3, false, G, S, false, false, false,
			 "can the group be given to VFIO: yes, no, or ? (unknown)" },
	[COL_BLOCKERS] = { "BLOCKERS", 16, false, G, S, false, false, false,
			   "devices that keep the group from VFIO, as BDF(driver)" },
	[COL_VFIO] = { "VFIO", 11, false, G, S, false, false, false,
		       "the group's VFIO node when a device is bound to a VFIO driver" },
	[COL_HOLDERS] = { "HOLDERS", 16, false, G, S, false, false, true,
			  "processes holding the VFIO node open, as PID(VM) or PID(COMMAND)" },
	[COL_LIOBN] = { "LIOBN", 10, false, G, S, true, false, false,
			"LIOBNs of the group's DMA windows (pSeries)" },
	[COL_DMA32] = { "DMA32", 6, true, G, Z, true, false, false,
			"size of the 32-bit DMA window (PowerNV: the one VFIO offers)" },
	[COL_DDW] = { "DDW", 12, false, G, S, true, false, false,
		      "IOMMU page sizes of dynamic DMA windows" },
	[COL_DDW_SIZE] = { "DDW-SIZE", 6, true, G, Z, true, false, false,
			   "size of the dynamic DMA window the kernel created (pSeries)" },
	[COL_DDW_MAX] = { "DDW-MAX", 2, true, G, N, true, false, false,
			  "how many DMA windows a group can have" },
	[COL_BDF] = { "BDF", 12, false, D, S, false, false, false, "PCI address of the device" },
	[COL_ID] = { "ID", 9, false, D, S, false, false, false, "vendor:device id" },
	[COL_CLASS] = { "CLASS", 6, false, D, S, false, false, false, "PCI class code" },
	[COL_VENDOR] = { "VENDOR", 16, false, D, S, false, true, false,
			 "vendor name from the udev hwdb" },
	[COL_PRODUCT] = { "PRODUCT", 24, false, D, S, false, true, false,
			  "device name from the udev hwdb" },
	[COL_DRIVER] = { "DRIVER", 8, false, D, S, false, false, false, "bound driver" },
	[COL_OVERRIDE] = { "OVERRIDE", 8, false, D, S, false, false, false,
			   "driver_override of the device" },
	[COL_NUMA] = { "NUMA", 2, true, D, N, false, false, false, "NUMA node" },
	[COL_LOC] = { "LOC", 12, false, D, S, true, false, false, "location code (ibm,loc-code)" },
	[COL_PHYSFN] = { "PHYSFN", 12, false, D, S, false, false, false, "the SR-IOV PF of a VF" },
	[COL_VFS] = { "VFS", 2, true, D, N, false, false, false, "number of SR-IOV VFs of a PF" },
	[COL_EEH] = { "EEH", 10, false, D, S, true, false, false,
		      "EEH PE state as the kernel prints it (read only)" },
};

unsigned tce_column_facts(int col)
{
	switch (col) {
	case COL_TYPE:
		return TCE_FACT_TYPE;
	case COL_OVERRIDE:
		return TCE_FACT_OVERRIDE;
	case COL_NUMA:
		return TCE_FACT_NUMA;
	case COL_PHYSFN:
	case COL_VFS:
		return TCE_FACT_SRIOV;
	case COL_LOC:
		return TCE_FACT_LOC;
	case COL_EEH:
		return TCE_FACT_EEH;
	default:
		return 0;
	}
}

int tce_column_by_name(const char *name, size_t len)
{
	for (int i = 0; i < TCE_N_COLUMNS; i++) {
		const char *c = tce_columns[i].name;
		size_t j;

		if (strlen(c) != len)
			continue;
		for (j = 0; j < len; j++) {
			char a = name[j], b = c[j];

			if (a >= 'a' && a <= 'z')
				a = (char)(a - 'a' + 'A');
			if (a == '_')
				a = '-';
			if (a != b)
				break;
		}
		if (j == len)
			return i;
	}
	return -1;
}

int tce_columns_parse_with(const char *list, int (*by_name)(const char *name, size_t len), int *ids,
			   size_t max, size_t *n)
{
	const char *p = list;

	if (*p == '+')
		p++;
	else
		*n = 0;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		int id = by_name(p, len);

		if (id < 0)
			return -EINVAL;
		if (*n >= max)
			return -E2BIG;
		ids[(*n)++] = id;
		p += len;
		if (*p == ',')
			p++;
	}
	return *n ? 0 : -EINVAL;
}

int tce_columns_parse(const char *list, int *ids, size_t max, size_t *n)
{
	return tce_columns_parse_with(list, tce_column_by_name, ids, max, n);
}
