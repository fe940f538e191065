/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device-tree properties as the kernel exposes them under
 * /sys/firmware/devicetree/base (drivers/of/kobj.c): raw big-endian cells,
 * NUL-terminated strings, NUL-separated string lists. The parsers take a
 * buffer and its length and never read past it (unit-tested on truncated and
 * hostile input); the readers fetch a node's property through the root.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tceiommu/model.h"
#include "tceiommu/root.h"

/* A number of `cells` (1 to 4) 32-bit big-endian cells at cell index `at`, its
 * low 64 bits as of_read_number() keeps them. */
int tce_dt_number(const void *buf, size_t len, size_t at, unsigned cells, uint64_t *ret);
/* Is `s` one of the strings of a NUL-separated list (compatible)? */
bool tce_dt_strlist_has(const char *buf, size_t len, const char *s);
/* A single string property; -EINVAL unless NUL-terminated and printable-ish. */
int tce_dt_string(const char *buf, size_t len, char **ret);

/* ibm,dma-window / ibm,dma-window-saved: liobn, then address and size cells
 * (arch/powerpc/kernel/prom_parse.c of_parse_dma_window). */
int tce_dt_parse_dma_window(const void *buf, size_t len, unsigned addr_cells, unsigned size_cells,
			    uint32_t *liobn, uint64_t *start, uint64_t *size);
/* linux,dma64-ddr-window-info: struct dynamic_dma_window_prop
 * (arch/powerpc/platforms/pseries/iommu.c), 24 bytes with natural alignment. */
int tce_dt_parse_ddw_info(const void *buf, size_t len, uint32_t *liobn, uint64_t *base,
			  uint32_t *tce_shift, uint32_t *window_shift);
/* ibm,supported-tce-sizes: one cell per page shift -> bitmap of sizes. */
int tce_dt_parse_tce_sizes(const void *buf, size_t len, uint64_t *ret);
/* The PCI address of the first 32-bit memory entry of a PHB's ranges
 * (phys.hi space code 0b10); child 3 cells, parent parent_cells, size 2. */
int tce_dt_parse_m32_pci_base(const void *buf, size_t len, unsigned parent_cells,
			      unsigned size_cells, uint64_t *ret);
/* PHB model and IODA generation from its compatible list; false if not a PHB. */
bool tce_dt_phb_model(const char *compat, size_t len, const char **ret_model, int *ret_ioda);

/* Read property `name` of node `node` (canonical path inside the root). */
int tce_dt_read_prop(struct tce_root *r, const char *node, const char *name, char **ret,
		     size_t *ret_len);
int tce_dt_read_u32(struct tce_root *r, const char *node, const char *name, uint32_t *ret);

/* The platform of the host from /proc/device-tree. */
enum tce_platform tce_dt_platform(struct tce_root *r);
