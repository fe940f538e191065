/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PHB of a group and its TCE windows, from the device tree, walking up
 * from a device's of_node (FACTS §2.3, §3.6, §3.6a). A collection keeps
 * what it learnt per node, so a PHB is read once, not once per group.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups-internal.h"
#include "tceiommu/devtree.h"
#include "tceiommu/host.h"
#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/probe.h"
#include "tceiommu/util.h"

/* POWERNV_IOMMU_MAX_LEVELS (arch/powerpc/platforms/powernv/pci.h) and
 * IOMMU_TABLE_GROUP_MAX_TABLES (arch/powerpc/include/asm/iommu.h). */
#define PNV_MAX_LEVELS 5
#define PNV_MAX_WINDOWS 2

struct tce_window *tce_group_add_window(struct tce_group *g, enum tce_window_kind kind,
					const char *node, const char *source)
{
	struct tce_window *w = realloc(g->windows, (g->n_windows + 1) * sizeof(*w));

	if (!w)
		return NULL;
	g->windows = w;
	w = &g->windows[g->n_windows++];
	*w = (struct tce_window){ .kind = kind, .source = source, .node = strdup(node) };
	return w;
}

/* Parent node path, or NULL at (or above) the device-tree base. */
static char *dt_parent(const char *node)
{
	const char *slash = strrchr(node, '/');
	size_t n = strlen(PATH_DEVTREE_BASE);

	if (!slash || (size_t)(slash - node) < n)
		return NULL;
	return strndup(node, (size_t)(slash - node));
}

/* of_n_addr_cells()/of_n_size_cells(): the first ancestor's #*-cells. */
static unsigned dt_parent_cells(struct tce_root *r, const char *node, const char *name,
				unsigned dflt)
{
	_cleanup_free_ char *cur = dt_parent(node);
	uint32_t v;

	while (cur) {
		char *up;

		if (tce_dt_read_u32(r, cur, name, &v) == 0)
			return v >= 1 && v <= 4 ? v : dflt;
		up = dt_parent(cur);
		free(cur);
		cur = up;
	}
	return dflt;
}

/* arch/powerpc/kernel/prom_parse.c of_parse_dma_window(): the address takes
 * ibm,#dma-address-cells, else the node's #address-cells, else the parents';
 * the size takes ibm,#dma-size-cells, else the parents' #size-cells. */
static unsigned dma_addr_cells(struct tce_root *r, const char *node)
{
	uint32_t v;

	if (tce_dt_read_u32(r, node, "ibm,#dma-address-cells", &v) == 0 ||
	    tce_dt_read_u32(r, node, "#address-cells", &v) == 0)
		return v >= 1 && v <= 4 ? v : 2;
	return dt_parent_cells(r, node, "#address-cells", 2);
}

static unsigned dma_size_cells(struct tce_root *r, const char *node)
{
	uint32_t v;

	if (tce_dt_read_u32(r, node, "ibm,#dma-size-cells", &v) == 0)
		return v >= 1 && v <= 4 ? v : 2;
	return dt_parent_cells(r, node, "#size-cells", 1);
}

static unsigned node_cells(struct tce_root *r, const char *node, const char *name, unsigned dflt)
{
	uint32_t v;

	if (tce_dt_read_u32(r, node, name, &v) == 0 && v >= 1 && v <= 4)
		return v;
	return dflt;
}

static void phb_powernv(struct tce_root *r, struct tce_group *g, const char *node,
			const char *compat, size_t clen)
{
	_cleanup_free_ char *ranges = NULL, *sizes = NULL, *parent = NULL;
	size_t len;
	uint64_t base, bits;
	const char *model;
	int ioda = 0;
	struct tce_window *w;

	if (compat && tce_dt_phb_model(compat, clen, &model, &ioda))
		g->phb.model = strdup(model);
	g->phb.ioda = ioda;

	/* VFIO_IOMMU_SPAPR_TCE_GET_INFO's 32-bit window: tce32_start 0,
	 * tce32_size = phb->ioda.m32_pci_base, the PCI address of the PHB's
	 * 32-bit MMIO range (pnv_pci_ioda2_setup_dma_pe, pci-ioda.c). */
	parent = dt_parent(node);
	if (tce_dt_read_prop(r, node, "ranges", &ranges, &len) == 0 &&
	    tce_dt_parse_m32_pci_base(ranges, len,
				      parent ? node_cells(r, parent, "#address-cells", 2) : 2,
				      node_cells(r, node, "#size-cells", 2), &base) == 0) {
		w = tce_group_add_window(g, TCE_WIN_VFIO_DMA32, node, "devicetree");
		if (w) {
			w->has_start = w->has_size = true;
			w->start = 0;
			w->size = base;
		}
	} else {
		tce_group_note(g,
			       "no 32-bit memory range in %s/ranges: the 32-bit window is unknown",
			       tce_dt_display(node));
	}

	/* pnv_ioda_parse_tce_sizes: ibm,supported-tce-sizes, else 4K|64K plus
	 * 16M|256M on POWER8 — the fallback needs the CPU, so it stays unknown. */
	w = tce_group_add_window(g, TCE_WIN_VFIO_DDW, node, "devicetree+kernel-constant");
	if (!w)
		return;
	w->has_max_windows = w->has_levels = true;
	w->max_windows = PNV_MAX_WINDOWS;
	w->levels = PNV_MAX_LEVELS;
	if (tce_dt_read_prop(r, node, "ibm,supported-tce-sizes", &sizes, &len) == 0 &&
	    tce_dt_parse_tce_sizes(sizes, len, &bits) == 0) {
		w->has_page_sizes = true;
		w->page_sizes = bits;
	} else if (g->phb.model && (streq(g->phb.model, "PHB3") || streq(g->phb.model, "PHB4") ||
				    streq(g->phb.model, "PHB5"))) {
		/* The kernel's fallback: 4K|64K, plus 16M|256M on POWER8 — the CPU
		 * of a PHB3 (ISA 2.07S). */
		w->has_page_sizes = true;
		w->page_sizes = 1ULL << 12 | 1ULL << 16;
		if (streq(g->phb.model, "PHB3"))
			w->page_sizes |= 1ULL << 24 | 1ULL << 28;
		w->source = "kernel-constant";
	}
}

static void dma_window_prop(struct tce_root *r, struct tce_group *g, const char *node,
			    const char *prop, enum tce_window_kind kind)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	uint32_t liobn;
	uint64_t start, size;
	struct tce_window *w;

	if (tce_dt_read_prop(r, node, prop, &buf, &len) < 0)
		return;
	if (tce_dt_parse_dma_window(buf, len, dma_addr_cells(r, node), dma_size_cells(r, node),
				    &liobn, &start, &size) < 0) {
		tce_group_note(g, "%s/%s is malformed (%zu bytes)", tce_dt_display(node), prop,
			       len);
		return;
	}
	w = tce_group_add_window(g, kind, node, "devicetree");
	if (!w)
		return;
	w->has_liobn = w->has_start = w->has_size = true;
	w->liobn = liobn;
	w->start = start;
	w->size = size;
}

static bool ddw_prop(struct tce_root *r, struct tce_group *g, const char *node, const char *prop)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	uint32_t liobn, ts, ws;
	uint64_t base;
	struct tce_window *w;

	if (tce_dt_read_prop(r, node, prop, &buf, &len) < 0)
		return false;
	if (tce_dt_parse_ddw_info(buf, len, &liobn, &base, &ts, &ws) < 0) {
		tce_group_note(g, "%s/%s is malformed (%zu bytes)", tce_dt_display(node), prop,
			       len);
		return true;
	}
	w = tce_group_add_window(g, TCE_WIN_DDW, node, "devicetree");
	if (!w)
		return true;
	w->has_liobn = w->has_start = w->has_size = w->has_page_sizes = true;
	w->liobn = liobn;
	w->start = base;
	w->size = ws < 64 ? 1ULL << ws : 0;
	w->page_sizes = 1ULL << ts;
	return true;
}

/*
 * Is node a PHB, and if so what are its model and windows? PowerNV: the PHB
 * is the node with ibm,opal-phbid. pSeries: the PHB is the node carrying the
 * DMA window property; the kernel walks up from the device until a node has
 * a window (arch/powerpc/platforms/pseries/iommu.c pci_dma_find:
 * ibm,dma-window, or the DDW properties, which it records on that node:
 * linux,direct64-ddr-window-info for a direct-mapped DDW,
 * linux,dma64-ddr-window-info for a dynamic one). The answer goes into p
 * (has_phb, phb, windows, notes).
 */
static void phb_compute(struct tce_root *r, enum tce_platform platform, struct tce_group *p,
			const char *cur)
{
	_cleanup_free_ char *compat = NULL;
	_cleanup_dir_ struct tce_dir *nd = NULL;
	size_t clen = 0;

	/* most nodes on the way up are no PHB: three lookups in one directory */
	if (tce_root_opendir(r, cur, &nd) < 0)
		return;
	/* Each platform's kernel code knows its own PHBs only: PowerNV's by
	 * ibm,opal-phbid (pci-ioda.c), pSeries' by the DMA window
	 * (pseries/iommu.c); an unknown platform is asked both. */
	if (platform != TCE_PLATFORM_PSERIES && tce_dir_exists(nd, "ibm,opal-phbid") == 0) {
		_cleanup_free_ char *id = NULL;
		size_t ilen;
		uint64_t v;

		p->has_phb = true;
		p->phb.node = strdup(tce_dt_display(cur));
		if (tce_dt_read_prop(r, cur, "ibm,opal-phbid", &id, &ilen) == 0 &&
		    tce_dt_number(id, ilen, 0, ilen == 8 ? 2 : 1, &v) == 0) {
			p->phb.has_opal_phbid = true;
			p->phb.opal_phbid = v;
		}
		(void)tce_dt_read_prop(r, cur, "compatible", &compat, &clen);
		phb_powernv(r, p, cur, compat, clen);
		return;
	}
	if (platform != TCE_PLATFORM_POWERNV && (tce_dir_exists(nd, "ibm,dma-window") == 0 ||
						 tce_dir_exists(nd, "ibm,dma-window-saved") == 0)) {
		p->has_phb = true;
		p->phb.node = strdup(tce_dt_display(cur));
		p->phb.model = strdup("pSeries");
		dma_window_prop(r, p, cur, "ibm,dma-window", TCE_WIN_DMA32);
		dma_window_prop(r, p, cur, "ibm,dma-window-saved", TCE_WIN_DMA32_SAVED);
		if (!ddw_prop(r, p, cur, "linux,dma64-ddr-window-info"))
			(void)ddw_prop(r, p, cur, "linux,direct64-ddr-window-info");
	}
}

/*
 * What one collection has learnt of the device tree: per node visited,
 * whether it is a PHB and which; per PHB its computed model, windows and
 * notes. A PHB is read once, not once per group (issue 9).
 */
void tce_phb_cache_done(struct tce_phb_cache *c)
{
	tce_strmap_done(&c->nodes);
	for (size_t i = 0; i < c->n_phbs; i++)
		tce_group_done(&c->phbs[i]);
	free(c->phbs);
	*c = (struct tce_phb_cache){ 0 };
}

/* node -> "-1" (not a PHB) or the index of its PHB in phbs */
static int node_put(struct tce_phb_cache *c, const char *node, int phb)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", phb);
	return tce_strmap_put(&c->nodes, node, v);
}

static int phb_apply(struct tce_group *g, const struct tce_group *p)
{
	g->has_phb = true;
	g->phb = p->phb;
	g->phb.node = p->phb.node ? strdup(p->phb.node) : NULL;
	g->phb.model = p->phb.model ? strdup(p->phb.model) : NULL;
	if (p->n_windows) {
		struct tce_window *w =
		    realloc(g->windows, (g->n_windows + p->n_windows) * sizeof(*w));

		if (!w)
			return -ENOMEM;
		g->windows = w;
		for (size_t i = 0; i < p->n_windows; i++) {
			w = &g->windows[g->n_windows++];
			*w = p->windows[i];
			w->node = p->windows[i].node ? strdup(p->windows[i].node) : NULL;
		}
	}
	for (char **n = p->notes; n && *n; n++)
		if (strv_extend(&g->notes, *n) < 0)
			return -ENOMEM;
	return 0;
}

/* Walk up from a device's node to its PHB, through what is known already. */
int tce_phb_find(struct tce_phb_cache *c, struct tce_root *r, struct tce_group *g,
		 const char *devnode)
{
	_cleanup_free_ char *cur = strdup(devnode);
	int k;

	while (cur) {
		const struct tce_strmap_slot *e = tce_strmap_get(&c->nodes, cur);
		char *up;
		int phb;

		if (!e) {
			struct tce_group p = { 0 };
			struct tce_group *np;

			phb_compute(r, c->platform, &p, cur);
			if (!p.has_phb) {
				tce_group_done(&p);
				if ((k = node_put(c, cur, -1)) < 0)
					return k;
			} else {
				np = realloc(c->phbs, (c->n_phbs + 1) * sizeof(*np));
				if (!np) {
					tce_group_done(&p);
					return -ENOMEM;
				}
				c->phbs = np;
				c->phbs[c->n_phbs] = p;
				if ((k = node_put(c, cur, (int)c->n_phbs++)) < 0)
					return k;
			}
			e = tce_strmap_get(&c->nodes, cur);
		}
		phb = e ? atoi(e->value) : -1;
		if (phb >= 0 && (size_t)phb < c->n_phbs)
			return phb_apply(g, &c->phbs[phb]);
		up = dt_parent(cur);
		free(cur);
		cur = up;
	}
	return 0;
}
