/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device-tree parsing. Sources for each layout are named at each parser.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/devtree.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"

#define MAX_PROP (64 * 1024)

static uint32_t be32_at(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int tce_dt_number(const void *buf, size_t len, size_t at, unsigned cells, uint64_t *ret)
{
	const unsigned char *p = buf;
	uint64_t v = 0;

	/* of_read_number(): any count, the low 64 bits kept */
	if (cells == 0 || cells > 4 || at > len / 4 || len / 4 - at < cells)
		return -EINVAL;
	for (unsigned i = 0; i < cells; i++)
		v = v << 32 | be32_at(p + 4 * (at + i));
	*ret = v;
	return 0;
}

bool tce_dt_strlist_has(const char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < len;) {
		const char *e = memchr(buf + i, '\0', len - i);
		size_t l = e ? (size_t)(e - (buf + i)) : len - i;

		if (l == n && memcmp(buf + i, s, n) == 0)
			return true;
		i += l + 1;
	}
	return false;
}

int tce_dt_string(const char *buf, size_t len, char **ret)
{
	if (len == 0 || buf[len - 1] != '\0' || strlen(buf) != len - 1)
		return -EINVAL;
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

int tce_dt_parse_dma_window(const void *buf, size_t len, unsigned addr_cells, unsigned size_cells,
			    uint32_t *liobn, uint64_t *start, uint64_t *size)
{
	uint64_t l, a, s;

	if (tce_dt_number(buf, len, 0, 1, &l) < 0 ||
	    tce_dt_number(buf, len, 1, addr_cells, &a) < 0 ||
	    tce_dt_number(buf, len, 1 + addr_cells, size_cells, &s) < 0)
		return -EINVAL;
	*liobn = (uint32_t)l;
	*start = a;
	*size = s;
	return 0;
}

int tce_dt_parse_ddw_info(const void *buf, size_t len, uint32_t *liobn, uint64_t *base,
			  uint32_t *tce_shift, uint32_t *window_shift)
{
	uint64_t l, b, t, w;

	/* { __be32 liobn; __be64 dma_base; __be32 tce_shift; __be32 window_shift; }
	 * without __packed: dma_base at offset 8, 24 bytes in all. */
	if (len < 24 || tce_dt_number(buf, len, 0, 1, &l) < 0 ||
	    tce_dt_number(buf, len, 2, 2, &b) < 0 || tce_dt_number(buf, len, 4, 1, &t) < 0 ||
	    tce_dt_number(buf, len, 5, 1, &w) < 0)
		return -EINVAL;
	if (t < 12 || t > 63 || w > 63 || w < t)
		return -EINVAL;
	*liobn = (uint32_t)l;
	*base = b;
	*tce_shift = (uint32_t)t;
	*window_shift = (uint32_t)w;
	return 0;
}

int tce_dt_parse_tce_sizes(const void *buf, size_t len, uint64_t *ret)
{
	uint64_t bits = 0, shift;

	if (len == 0 || len % 4)
		return -EINVAL;
	for (size_t i = 0; i < len / 4; i++) {
		(void)tce_dt_number(buf, len, i, 1, &shift);
		/* a shift that does not fit a 64-bit bitmap is ignored */
		if (shift < 64)
			bits |= 1ULL << shift;
	}
	*ret = bits;
	return 0;
}

int tce_dt_parse_m32_pci_base(const void *buf, size_t len, unsigned parent_cells,
			      unsigned size_cells, uint64_t *ret)
{
	size_t entry = 3 + parent_cells + size_cells;

	if (parent_cells == 0 || parent_cells > 2 || size_cells == 0 || size_cells > 2 || len % 4)
		return -EINVAL;
	for (size_t at = 0; at + entry <= len / 4; at += entry) {
		uint64_t hi, addr;

		(void)tce_dt_number(buf, len, at, 1, &hi);
		if (((hi >> 24) & 3) != 2) /* 32-bit memory space */
			continue;
		(void)tce_dt_number(buf, len, at + 1, 2, &addr);
		*ret = addr;
		return 0;
	}
	return -ENOENT;
}

bool tce_dt_phb_model(const char *c, size_t len, const char **ret_model, int *ret_ioda)
{
	/* skiboot hw/p7ioc-phb.c, hw/phb3.c, hw/phb4.c, hw/npu*.c; QEMU
	 * hw/pci-host/pnv_phb3.c, pnv_phb4.c; the kernel picks its PHB code by the
	 * "ibm,iodaN-phb" entry (arch/powerpc/platforms/powernv/pci.c). */
	static const struct {
		const char *compat, *model;
	} models[] = {
		{ "ibm,p7ioc-pciex", "P7IOC" },	   { "ibm,power8-npu-pciex", "NPU" },
		{ "ibm,power9-npu-pciex", "NPU" }, { "ibm,power8-pciex", "PHB3" },
		{ "ibm,power9-pciex", "PHB4" },	   { "ibm,power10-pciex", "PHB5" },
	};
	static const struct {
		const char *compat;
		int ioda;
	} iodas[] = {
		{ "ibm,ioda-phb", 1 },	    { "ibm,ioda2-phb", 2 },	 { "ibm,ioda3-phb", 3 },
		{ "ibm,ioda2-npu-phb", 2 }, { "ibm,ioda2-npu2-phb", 2 },
	};
	const char *model = NULL;
	int ioda = 0;

	for (size_t i = 0; i < ARRAY_SIZE(models) && !model; i++)
		if (tce_dt_strlist_has(c, len, models[i].compat))
			model = models[i].model;
	for (size_t i = 0; i < ARRAY_SIZE(iodas) && !ioda; i++)
		if (tce_dt_strlist_has(c, len, iodas[i].compat))
			ioda = iodas[i].ioda;
	if (!model && !ioda)
		return false;
	if (!model) /* an IODA PHB of a kind we do not know by name */
		model = "unknown";
	if (!ioda && streq(model, "P7IOC"))
		ioda = 1;
	*ret_model = model;
	*ret_ioda = ioda;
	return true;
}

int tce_dt_read_prop(struct tce_root *r, const char *node, const char *name, char **ret,
		     size_t *ret_len)
{
	_cleanup_free_ char *p = tce_strdup_printf("%s/%s", node, name);

	if (!p)
		return -ENOMEM;
	return tce_root_read(r, p, MAX_PROP, ret, ret_len);
}

int tce_dt_read_u32(struct tce_root *r, const char *node, const char *name, uint32_t *ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	uint64_t v;
	int k = tce_dt_read_prop(r, node, name, &buf, &len);

	if (k < 0)
		return k;
	if (len != 4 || tce_dt_number(buf, len, 0, 1, &v) < 0)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

enum tce_platform tce_dt_platform(struct tce_root *r)
{
	/* OPAL firmware puts an ibm,opal node at the root of a PowerNV tree;
	 * PAPR platforms (PowerVM, KVM pseries) have an rtas node. */
	if (tce_root_exists(r, PATH_PROC_DEVTREE) < 0)
		return TCE_PLATFORM_NONE;
	if (tce_root_exists(r, PATH_PROC_DEVTREE "/ibm,opal") == 0)
		return TCE_PLATFORM_POWERNV;
	if (tce_root_exists(r, PATH_PROC_DEVTREE "/rtas") == 0)
		return TCE_PLATFORM_PSERIES;
	return TCE_PLATFORM_UNKNOWN;
}
