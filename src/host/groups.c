/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IOMMU groups and their devices.
 *
 * Kernel interfaces (FACTS.md §3): /sys/kernel/iommu_groups/<N>/{name,type,
 * reserved_regions,devices/} (drivers/iommu/iommu.c); per PCI device the
 * uevent (DRIVER=, PCI_CLASS=, PCI_ID=; drivers/pci/pci-driver.c pci_uevent),
 * driver_override, numa_node, physfn/virtfnN, of_node (drivers/pci/pci-sysfs.c,
 * drivers/pci/iov.c, drivers/of), and on powerpc the EEH files
 * (arch/powerpc/kernel/eeh_sysfs.c; eeh_pe_state is writable and only read).
 * powerpc names groups "domain%d-pe%lx" (arch/powerpc/kernel/iommu.c).
 * The PHB and the TCE windows come from the device tree, walking up from each
 * device's of_node (FACTS §2.3, §3.6, §3.6a).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/devtree.h"
#include "tceiommu/host.h"
#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/probe.h"
#include "tceiommu/util.h"
#include "tceiommu/vfio.h"

/* POWERNV_IOMMU_MAX_LEVELS (arch/powerpc/platforms/powernv/pci.h) and
 * IOMMU_TABLE_GROUP_MAX_TABLES (arch/powerpc/include/asm/iommu.h). */
#define PNV_MAX_LEVELS 5
#define PNV_MAX_WINDOWS 2

const char *tce_platform_name(enum tce_platform p)
{
	switch (p) {
	case TCE_PLATFORM_POWERNV:
		return "powernv";
	case TCE_PLATFORM_PSERIES:
		return "pseries";
	case TCE_PLATFORM_UNKNOWN:
		return "unknown";
	case TCE_PLATFORM_NONE:
	default:
		return "none";
	}
}

const char *tce_window_kind_name(enum tce_window_kind k)
{
	static const char *const names[] = {
		[TCE_WIN_VFIO_DMA32] = "vfio_dma32",
		[TCE_WIN_VFIO_DDW] = "vfio_ddw",
		[TCE_WIN_DMA32] = "dma32",
		[TCE_WIN_DMA32_SAVED] = "dma32_saved",
		[TCE_WIN_DDW] = "ddw",
	};
	return (size_t)k < ARRAY_SIZE(names) ? names[k] : "unknown";
}

static void device_done(struct tce_device *d)
{
	free(d->bdf);
	free(d->vendor_name);
	free(d->device_name);
	free(d->driver);
	free(d->driver_override);
	free(d->loc_code);
	free(d->physfn);
	strv_free(d->virtfns);
	free(d->eeh.mode);
	free(d->eeh.pe_state);
	free(d->of_node);
	free(d->phb_hint);
}

void tce_group_done(struct tce_group *g)
{
	free(g->name);
	free(g->type);
	free(g->reserved_regions);
	for (size_t i = 0; i < g->n_devices; i++)
		device_done(&g->devices[i]);
	free(g->devices);
	free(g->phb.node);
	free(g->phb.model);
	free(g->viability_rule);
	for (size_t i = 0; i < g->n_blockers; i++) {
		free(g->blockers[i].bdf);
		free(g->blockers[i].driver);
		free(g->blockers[i].reason);
		free(g->blockers[i].command);
		free(g->blockers[i].warning);
	}
	free(g->blockers);
	free(g->vfio_node);
	for (size_t i = 0; i < g->n_holders; i++) {
		free(g->holders[i].comm);
		free(g->holders[i].vm);
	}
	free(g->holders);
	for (size_t i = 0; i < g->n_windows; i++)
		free(g->windows[i].node);
	free(g->windows);
	strv_free(g->notes);
	free(g->probe_status);
	free(g->probe_detail);
}

void tce_host_free(struct tce_host *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_groups; i++)
		tce_group_done(&h->groups[i]);
	free(h->groups);
	free(h->kernel_release);
	free(h->machine);
	free(h->note);
	free(h);
}

static void note(struct tce_group *g, const char *fmt, ...) _printf_(2, 3);
static void note(struct tce_group *g, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	if (s)
		(void)strv_push(&g->notes, s);
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* ---- devices -------------------------------------------------------------- */

static bool is_bridge(const struct tce_device *d)
{
	/* The header type decides (vfio-pci's probe refuses a non-normal one;
	 * the pre-5.19 viability rule allows one); the class when config space
	 * could not be read: PCI-to-PCI 0x0604, CardBus 0x0607, 0x0609. */
	if (d->header_type >= 0)
		return d->header_type == 1 || d->header_type == 2;
	return d->has_class && ((d->class_code >> 8) == 0x0604 || (d->class_code >> 8) == 0x0607 ||
				(d->class_code >> 8) == 0x0609);
}

/* Byte 0x0e of config space, inside the 64 bytes anyone may read; asked only
 * of bridge-class devices. */
static void read_header_type(struct tce_dir *dir, struct tce_device *d)
{
	unsigned char cfg[64];
	size_t len;

	if (tce_dir_read_head(dir, "config", sizeof(cfg), cfg, &len) == 0 && len > 0x0e)
		d->header_type = cfg[0x0e] & 0x7f;
}

static void read_names(struct tce_root *r, struct tce_device *d)
{
	char key[32];
	_cleanup_strv_free_ char **v = NULL;

	if (!d->has_ids)
		return;
	snprintf(key, sizeof(key), "pci:v%08Xd%08X", d->vendor_id, d->device_id);
	d->names_err = tce_probe(r, "hwdb", key, &v);
	for (char **p = v; p && *p; p++) {
		if (strneq(*p, "ID_VENDOR_FROM_DATABASE=", 24) && !d->vendor_name)
			d->vendor_name = strdup(*p + 24);
		else if (strneq(*p, "ID_MODEL_FROM_DATABASE=", 23) && !d->device_name)
			d->device_name = strdup(*p + 23);
	}
}

static void read_eeh(struct tce_dir *dir, struct tce_device *d, bool all)
{
	_cleanup_free_ char *addr = NULL;

	/* eeh_sysfs.c: eeh_mode "0x%x", eeh_pe_config_addr "0x%x",
	 * eeh_pe_state "0x%08x 0x%08x" (state, PE config address). The
	 * address is always read: the PE checks need it. */
	if (all)
		(void)tce_dir_read_string(dir, "eeh_mode", &d->eeh.mode);
	if (tce_dir_read_string(dir, "eeh_pe_config_addr", &addr) == 0 &&
	    tce_parse_u64(addr, 16, &d->eeh.pe_config_addr) == 0)
		d->eeh.has_pe_config_addr = true;
	if (all)
		(void)tce_dir_read_string(dir, "eeh_pe_state", &d->eeh.pe_state);
	d->has_eeh = d->eeh.mode || d->eeh.has_pe_config_addr || d->eeh.pe_state;
}

/*
 * When uevent is unreadable or incomplete: the driver link and the vendor,
 * device and class files (drivers/pci/pci-sysfs.c, "0x%04x" / "0x%06x").
 */
static void read_device_fallback(struct tce_dir *dir, struct tce_device *d)
{
	_cleanup_free_ char *t = NULL;
	uint64_t ven, dev, cls;
	int k;

	if (!d->driver_known) {
		k = tce_dir_readlink(dir, "driver", &t);
		if (k == 0) {
			d->driver = strdup(basename_of(t));
			d->driver_known = d->driver != NULL;
		} else if (k == -ENOENT) {
			d->driver_known = true; /* no driver link: unbound */
		}
	}
	if (!d->has_ids && tce_dir_read_u64(dir, "vendor", 16, &ven) == 0 && ven <= 0xffff &&
	    tce_dir_read_u64(dir, "device", 16, &dev) == 0 && dev <= 0xffff) {
		d->has_ids = true;
		d->vendor_id = (uint16_t)ven;
		d->device_id = (uint16_t)dev;
	}
	if (!d->has_class && tce_dir_read_u64(dir, "class", 16, &cls) == 0 && cls <= 0xffffff) {
		d->has_class = true;
		d->class_code = (uint32_t)cls;
	}
}

/* physfn: the PF of a VF (drivers/pci/iov.c) */
static void read_physfn(struct tce_dir *dir, struct tce_device *d)
{
	_cleanup_free_ char *s = NULL;

	if (!d->physfn && tce_dir_readlink(dir, "physfn", &s) == 0)
		d->physfn = strdup(basename_of(s));
}

/* The VFs of a PF: only a PF has sriov_numvfs (drivers/pci/iov.c). */
static int read_virtfns(struct tce_dir *dir, struct tce_device *d)
{
	uint64_t n;

	/* A bounded count: the kernel allows 65535 VFs at most (TotalVFs is
	 * 16 bits). */
	if (d->virtfns || tce_dir_read_u64(dir, "sriov_numvfs", 10, &n) < 0 || n > 65535)
		return 0;
	if (!(d->virtfns = calloc(1, sizeof(char *))))
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++) {
		char name[32];
		_cleanup_free_ char *t = NULL;

		snprintf(name, sizeof(name), "virtfn%" PRIu64, i);
		if (tce_dir_readlink(dir, name, &t) == 0 &&
		    strv_extend(&d->virtfns, basename_of(t)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Which viability rule the kernel follows: 5.19 changed it; unknown: the new. */
static bool rule_ge_5_19(const char *release, bool *known)
{
	int maj, min;

	*known = release && tce_parse_kernel_version(release, &maj, &min) == 0;
	return !*known || maj > 5 || (maj == 5 && min >= 19);
}

static int read_device(struct tce_root *r, enum tce_platform platform, bool ge_5_19,
		       const char *gdir, const char *bdf, struct tce_device *d,
		       const struct tce_collect_opts *o)
{
	_cleanup_free_ char *path = tce_strdup_printf("%s/%s", gdir, bdf);
	_cleanup_dir_ struct tce_dir *dir = NULL;
	_cleanup_free_ char *uevent = NULL, *pci_id = NULL, *cls = NULL, *drv = NULL;
	_cleanup_free_ char *s = NULL;
	size_t len;
	int k;

	d->header_type = -1;
	if (!path || !(d->bdf = strdup(bdf)))
		return -ENOMEM;

	/* The group still lists it, the device directory is gone: removed (hot
	 * unplug, VF teardown) while we looked, or a dangling link. */
	k = tce_root_opendir(r, path, &dir);
	if (k == -ENOENT) {
		d->vanished = true;
		return 0;
	}
	if (k < 0) {
		/* unreadable as a directory: each read below says why */
		d->read_err = k;
		return k == -ENOMEM ? k : 0;
	}
	k = tce_dir_read(dir, "uevent", 16384, &uevent, &len);
	if (k < 0) {
		d->read_err = k;
		read_device_fallback(dir, d);
	} else {
		uint64_t v;

		d->driver_known = true;
		if (tce_uevent_get(uevent, len, "DRIVER", &drv) == 0 && *drv)
			d->driver = TAKE_PTR(drv);
		if (tce_uevent_get(uevent, len, "PCI_CLASS", &cls) == 0 &&
		    tce_parse_u64(cls, 16, &v) == 0 && v <= 0xffffff) {
			d->has_class = true;
			d->class_code = (uint32_t)v;
		}
		if (tce_uevent_get(uevent, len, "PCI_ID", &pci_id) == 0) {
			char *colon = strchr(pci_id, ':');
			uint64_t ven, dev;

			if (colon) {
				*colon = '\0';
				if (tce_parse_u64(pci_id, 16, &ven) == 0 && ven <= 0xffff &&
				    tce_parse_u64(colon + 1, 16, &dev) == 0 && dev <= 0xffff) {
					d->has_ids = true;
					d->vendor_id = (uint16_t)ven;
					d->device_id = (uint16_t)dev;
				}
			}
		}
		if (!d->has_ids || !d->has_class)
			read_device_fallback(dir, d);
	}

	if (d->has_class && (d->class_code >> 16) == 0x06)
		read_header_type(dir, d);

	if (!(o->omit & TCE_FACT_OVERRIDE) &&
	    tce_dir_read_string(dir, "driver_override", &s) == 0) {
		if (*s && !streq(s, "(null)"))
			d->driver_override = TAKE_PTR(s);
	}
	if (!(o->omit & TCE_FACT_NUMA)) {
		int64_t v;

		if (tce_dir_read_s64(dir, "numa_node", 10, &v) == 0 && v >= 0 && v < INT32_MAX) {
			d->has_numa_node = true;
			d->numa_node = (int)v;
		}
	}
	/* a blocker's warning counts its VFs: read them for a blocker at least */
	if (!(o->omit & TCE_FACT_SRIOV) ||
	    tce_driver_claims_dma(d->driver_known ? d->driver : NULL, is_bridge(d), ge_5_19)) {
		if (!(o->omit & TCE_FACT_SRIOV))
			read_physfn(dir, d);
		if ((k = read_virtfns(dir, d)) < 0)
			return k;
	}

	if (platform != TCE_PLATFORM_NONE) {
		(void)tce_dir_realpath(dir, "of_node", &d->of_node);
		/* VFs have no device-tree node; the PF's is on the same PHB. */
		if (!d->of_node) {
			read_physfn(dir, d);
			if (d->physfn && tce_dir_realpath(dir, "physfn/of_node", &d->phb_hint) < 0)
				d->phb_hint = NULL;
		}
		if (d->of_node && !(o->omit & TCE_FACT_LOC)) {
			_cleanup_free_ char *lc = NULL;

			if (tce_dt_read_prop(r, d->of_node, "ibm,loc-code", &lc, &len) == 0)
				(void)tce_dt_string(lc, len, &d->loc_code);
		}
		read_eeh(dir, d, !(o->omit & TCE_FACT_EEH));
	}

	if (o->names)
		read_names(r, d);
	return 0;
}

/* ---- PHB and windows -------------------------------------------------------- */

static struct tce_window *add_window(struct tce_group *g, enum tce_window_kind kind,
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

/* The device-tree path a renderer shows: relative to the device-tree base. */
static const char *dt_display(const char *canon)
{
	size_t n = strlen(PATH_DEVTREE_BASE);

	if (strncmp(canon, PATH_DEVTREE_BASE, n) == 0 && (canon[n] == '/' || !canon[n]))
		return canon[n] ? canon + n : "/";
	return canon;
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
		w = add_window(g, TCE_WIN_VFIO_DMA32, node, "devicetree");
		if (w) {
			w->has_start = w->has_size = true;
			w->start = 0;
			w->size = base;
		}
	} else {
		note(g, "no 32-bit memory range in %s/ranges: the 32-bit window is unknown",
		     dt_display(node));
	}

	/* pnv_ioda_parse_tce_sizes: ibm,supported-tce-sizes, else 4K|64K plus
	 * 16M|256M on POWER8 — the fallback needs the CPU, so it stays unknown. */
	w = add_window(g, TCE_WIN_VFIO_DDW, node, "devicetree+kernel-constant");
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
		note(g, "%s/%s is malformed (%zu bytes)", dt_display(node), prop, len);
		return;
	}
	w = add_window(g, kind, node, "devicetree");
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
		note(g, "%s/%s is malformed (%zu bytes)", dt_display(node), prop, len);
		return true;
	}
	w = add_window(g, TCE_WIN_DDW, node, "devicetree");
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
static void phb_compute(struct tce_root *r, struct tce_group *p, const char *cur)
{
	_cleanup_free_ char *compat = NULL;
	_cleanup_dir_ struct tce_dir *nd = NULL;
	size_t clen = 0;

	/* most nodes on the way up are no PHB: three lookups in one directory */
	if (tce_root_opendir(r, cur, &nd) < 0)
		return;
	if (tce_dir_exists(nd, "ibm,opal-phbid") == 0) {
		_cleanup_free_ char *id = NULL;
		size_t ilen;
		uint64_t v;

		p->has_phb = true;
		p->phb.node = strdup(dt_display(cur));
		if (tce_dt_read_prop(r, cur, "ibm,opal-phbid", &id, &ilen) == 0 &&
		    tce_dt_number(id, ilen, 0, ilen == 8 ? 2 : 1, &v) == 0) {
			p->phb.has_opal_phbid = true;
			p->phb.opal_phbid = v;
		}
		(void)tce_dt_read_prop(r, cur, "compatible", &compat, &clen);
		phb_powernv(r, p, cur, compat, clen);
		return;
	}
	if (tce_dir_exists(nd, "ibm,dma-window") == 0 ||
	    tce_dir_exists(nd, "ibm,dma-window-saved") == 0) {
		p->has_phb = true;
		p->phb.node = strdup(dt_display(cur));
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
struct node_entry {
	char *node;
	int phb; /* index into phbs, -1: not a PHB */
};

struct collect_ctx {
	struct tce_root *r;
	const struct tce_collect_opts *o;
	struct tce_host *h;
	struct node_entry *slots; /* open addressing, a power of two */
	size_t n_slots, n_used;
	struct tce_group *phbs; /* has_phb, phb, windows and notes only */
	size_t n_phbs;
	bool ge_5_19; /* the kernel's viability rule */
};

static void ctx_done(struct collect_ctx *c)
{
	for (size_t i = 0; i < c->n_slots; i++)
		free(c->slots[i].node);
	free(c->slots);
	for (size_t i = 0; i < c->n_phbs; i++)
		tce_group_done(&c->phbs[i]);
	free(c->phbs);
}

static size_t str_hash(const char *s)
{
	size_t h = 14695981039346656037ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct node_entry *node_slot(struct collect_ctx *c, const char *node)
{
	size_t i = str_hash(node) & (c->n_slots - 1);

	while (c->slots[i].node && !streq(c->slots[i].node, node))
		i = (i + 1) & (c->n_slots - 1);
	return &c->slots[i];
}

static int node_put(struct collect_ctx *c, const char *node, int phb)
{
	struct node_entry *e;

	if (2 * (c->n_used + 1) > c->n_slots) {
		size_t n = c->n_slots ? 2 * c->n_slots : 256;
		struct node_entry *old = c->slots;
		size_t n_old = c->n_slots;

		if (!(c->slots = calloc(n, sizeof(*c->slots)))) {
			c->slots = old;
			return -ENOMEM;
		}
		c->n_slots = n;
		for (size_t i = 0; i < n_old; i++)
			if (old[i].node)
				*node_slot(c, old[i].node) = old[i];
		free(old);
	}
	e = node_slot(c, node);
	if (!e->node) {
		if (!(e->node = strdup(node)))
			return -ENOMEM;
		c->n_used++;
	}
	e->phb = phb;
	return 0;
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
static int find_phb(struct collect_ctx *c, struct tce_group *g, const char *devnode)
{
	_cleanup_free_ char *cur = strdup(devnode);
	int k;

	while (cur) {
		struct node_entry *e = c->n_slots ? node_slot(c, cur) : NULL;
		char *up;

		if (!e || !e->node) {
			struct tce_group p = { 0 };
			struct tce_group *np;

			phb_compute(c->r, &p, cur);
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
			e = node_slot(c, cur);
		}
		if (e->phb >= 0)
			return phb_apply(g, &c->phbs[e->phb]);
		up = dt_parent(cur);
		free(cur);
		cur = up;
	}
	return 0;
}

/* ---- viability ---------------------------------------------------------------- */

bool tce_driver_claims_dma(const char *driver, bool bridge, bool ge_5_19)
{
	size_t n;
	bool vfio;

	if (!driver)
		return false; /* unbound */
	n = strlen(driver);
	/* vfio-pci and its variant drivers (mlx5_vfio_pci, hisi_acc_vfio_pci,
	 * nvgrace_gpu_vfio_pci, ...: KBUILD_MODNAME ends in _vfio_pci) set
	 * driver_managed_dma. */
	vfio = streq(driver, "vfio-pci") || (n > 9 && streq(driver + n - 9, "_vfio_pci"));
	if (vfio || streq(driver, "pci-stub"))
		return false;
	if (ge_5_19)
		return !streq(driver, "pcieport"); /* portdrv: driver_managed_dma */
	return !bridge;
}

static bool shell_safe(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.' || *s == ':'))
			return false;
	return true;
}

static int add_blocker(struct tce_group *g, const struct tce_device *d)
{
	struct tce_blocker *b = realloc(g->blockers, (g->n_blockers + 1) * sizeof(*b));
	size_t nvf = strv_length(d->virtfns);

	if (!b)
		return -ENOMEM;
	g->blockers = b;
	b = &g->blockers[g->n_blockers++];
	*b = (struct tce_blocker){ 0 };
	b->bdf = strdup(d->bdf);
	b->driver = strdup(d->driver);
	b->reason =
	    tce_strdup_printf("bound to %s, which claims DMA for the host kernel", d->driver);
	/* A command is offered only for names a shell takes literally: a
	 * snapshot's strings must not become a command someone pastes. */
	if (shell_safe(d->bdf) && shell_safe(d->driver))
		b->command = tce_strdup_printf("echo %s > " PATH_PCI_DRIVERS "/%s/unbind", d->bdf,
					       d->driver);
	if (nvf > 0)
		b->warning = tce_strdup_printf(
		    "SR-IOV PF with %zu VFs: unbinding its driver destroys the VFs", nvf);
	else if (is_bridge(d))
		b->warning = strdup("a bridge: leave it unbound (or on pcieport); vfio-pci "
				    "refuses bridges");
	if (!b->bdf || !b->driver || !b->reason)
		return -ENOMEM;
	return 0;
}

static int decide_viability(struct tce_group *g, const char *release)
{
	bool known, ge = rule_ge_5_19(release, &known), unknown = false;
	int k;

	g->viability_rule = strdup(!known ? ">=5.19 (kernel release unknown)"
				   : ge	  ? ">=5.19"
					  : "<5.19");
	for (size_t i = 0; i < g->n_devices; i++) {
		const struct tce_device *d = &g->devices[i];

		if (d->vanished || !d->driver_known) {
			unknown = true;
			continue;
		}
		if (tce_driver_claims_dma(d->driver, is_bridge(d), ge) &&
		    (k = add_blocker(g, d)) < 0)
			return k;
	}
	if (g->n_blockers)
		g->viable = TCE_NO;
	else
		g->viable = unknown ? TCE_UNKNOWN : TCE_YES;
	return 0;
}

/* ---- holders ---------------------------------------------------------------- */

static void read_holders(struct tce_root *r, struct tce_group *g)
{
	_cleanup_strv_free_ char **v = NULL;
	char key[32];
	int k;

	snprintf(key, sizeof(key), "%" PRIu64, g->number);
	k = tce_probe(r, "vfio-holders", key, &v);
	switch (k) {
	case 0:
		break;
	case -EACCES:
		g->holders_state = TCE_HOLDERS_NEEDS_ROOT;
		return;
	case -EPERM:
		g->holders_state = TCE_HOLDERS_HIDDEN;
		return;
	case -ENODATA:
		g->holders_state = TCE_HOLDERS_NOT_RECORDED;
		return;
	default:
		g->holders_state = TCE_HOLDERS_ERROR;
		return;
	}
	g->holders_state = TCE_HOLDERS_KNOWN;
	g->holders = calloc(strv_length(v) + 1, sizeof(*g->holders));
	if (!g->holders)
		return;
	for (char **p = v; *p; p++) {
		/* "PID<TAB>COMM[<TAB>VM]" (a blank is accepted for the first TAB) */
		char *end, *comm, *vm;
		long pid = strtol(*p, &end, 10);
		struct tce_holder *h;

		if (end == *p || (*end != '\t' && *end != ' ') || pid <= 0 || pid > INT32_MAX)
			continue;
		comm = end + 1;
		vm = strchr(comm, '\t');
		if (vm)
			*vm++ = '\0';
		h = &g->holders[g->n_holders++];
		h->pid = (int)pid;
		h->comm = strdup(comm);
		h->vm = vm && *vm ? strdup(vm) : NULL;
	}
}

/* ---- groups ------------------------------------------------------------------ */

static int read_group(struct collect_ctx *c, struct tce_group *g)
{
	struct tce_root *r = c->r;
	const struct tce_collect_opts *o = c->o;
	struct tce_host *h = c->h;
	_cleanup_free_ char *gpath = tce_strdup_printf(PATH_IOMMU_GROUPS "/%" PRIu64, g->number);
	_cleanup_dir_ struct tce_dir *gdir = NULL;
	_cleanup_free_ char *p = NULL, *ddir = NULL;
	_cleanup_strv_free_ char **names = NULL;
	const char *devnode = NULL, *hint = NULL;
	_cleanup_free_ char *busnode = NULL;
	int k;

	if (!gpath || !(ddir = tce_strdup_printf("%s/devices", gpath)))
		return -ENOMEM;
	k = tce_root_opendir(r, gpath, &gdir);
	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		note(g, "%s", k == -ENODATA ? "not recorded" : strerror(-k));
	} else {
		if ((k = tce_dir_read_string(gdir, "name", &g->name)) < 0 && k != -ENOENT)
			note(g, "name: %s", strerror(-k));
		if (!(o->omit & TCE_FACT_TYPE))
			(void)tce_dir_read_string(gdir, "type", &g->type);
		if (!(o->omit & TCE_FACT_RESERVED))
			(void)tce_dir_read_string(gdir, "reserved_regions", &g->reserved_regions);
	}
	if (g->name && tce_parse_group_name(g->name, &g->domain, &g->name_pe) == 0)
		g->has_domain_pe = true;

	k = gdir ? tce_dir_list(gdir, "devices", &names) : -ENOENT;
	if (k < 0) {
		note(g, "devices: %s", k == -ENODATA ? "not recorded" : strerror(-k));
	} else {
		g->devices = calloc(strv_length(names) + 1, sizeof(*g->devices));
		if (!g->devices)
			return -ENOMEM;
		for (char **n = names; *n; n++) {
			struct tce_device *d = &g->devices[g->n_devices];
			struct tce_bdf b;

			if (tce_parse_bdf(*n, false, &b) < 0) {
				/* Not a PCI function (a platform device on other
				 * architectures): list it by name, nothing more. */
				DBG("group %" PRIu64 ": %s is not a PCI address", g->number, *n);
			}
			g->n_devices++;
			if ((k = read_device(r, h->platform, c->ge_5_19, ddir, *n, d, o)) < 0)
				return k;
			if (d->vanished)
				note(g, "%s is listed in the group but has vanished from sysfs",
				     d->bdf);
			else if (d->read_err)
				note(g, "%s: uevent: %s", d->bdf,
				     d->read_err == -ENODATA ? "not recorded"
							     : strerror(-d->read_err));
			if (!devnode && d->of_node)
				devnode = d->of_node;
			if (!hint && d->phb_hint)
				hint = d->phb_hint;
		}
	}
	/* Walk up from each device's node until one leads to the PHB; a VF
	 * has none of its own and uses its PF's. */
	for (size_t i = 0; i < g->n_devices && !g->has_phb; i++)
		if (g->devices[i].of_node && (k = find_phb(c, g, g->devices[i].of_node)) < 0)
			return k;
	for (size_t i = 0; i < g->n_devices && !g->has_phb; i++)
		if (g->devices[i].phb_hint && (k = find_phb(c, g, g->devices[i].phb_hint)) < 0)
			return k;
	if (!devnode)
		devnode = hint;
	/* No device with a node (an empty pSeries group: E2E §4 shows PHBs
	 * without devices keep their group): the PHB's root bus has one. */
	if (!devnode && g->has_domain_pe && h->platform != TCE_PLATFORM_NONE) {
		_cleanup_free_ char *bp =
		    tce_strdup_printf(PATH_PCI_BUS_CLASS "/%04" PRIx32 ":00/of_node", g->domain);

		if (bp && tce_root_realpath(r, bp, &busnode) == 0) {
			devnode = busnode;
			if ((k = find_phb(c, g, busnode)) < 0)
				return k;
		}
	}

	g->windows_applicable = h->platform != TCE_PLATFORM_NONE;
	if (devnode) {
		for (size_t i = 0; i < g->n_devices; i++) {
			const char *o2 =
			    g->devices[i].of_node ? dt_display(g->devices[i].of_node) : NULL;
			size_t pl = g->phb.node ? strlen(g->phb.node) : 0;

			if (o2 && g->phb.node &&
			    !(strncmp(o2, g->phb.node, pl) == 0 &&
			      (o2[pl] == '/' || o2[pl] == '\0')))
				note(g, "%s is not below the group's PHB %s", g->devices[i].bdf,
				     g->phb.node);
		}
	}
	/* PowerNV: the PE is the name's; EEH must agree (eeh-powernv.c sets
	 * pe_config_addr to the PE number). pSeries names are always pe0. */
	if (g->has_domain_pe && (h->platform == TCE_PLATFORM_POWERNV || g->phb.has_opal_phbid)) {
		g->has_pe = true;
		g->pe = g->name_pe;
		for (size_t i = 0; i < g->n_devices; i++) {
			const struct tce_device *d = &g->devices[i];

			if (d->eeh.has_pe_config_addr && d->eeh.pe_config_addr != g->pe)
				note(g,
				     "%s: eeh_pe_config_addr 0x%" PRIx64
				     " differs from PE 0x%" PRIx64 " of the group name",
				     d->bdf, d->eeh.pe_config_addr, g->pe);
		}
	} else if (!g->has_domain_pe && g->phb.has_opal_phbid) {
		/* name unreadable: on PowerNV EEH's PE config address is the PE */
		for (size_t i = 0; i < g->n_devices && !g->has_pe; i++) {
			if (g->devices[i].eeh.has_pe_config_addr) {
				g->has_pe = true;
				g->pe = g->devices[i].eeh.pe_config_addr;
				note(g,
				     "PE 0x%" PRIx64 " from %s eeh_pe_config_addr (no group name)",
				     g->pe, g->devices[i].bdf);
			}
		}
	}

	if ((k = decide_viability(g, h->kernel_release)) < 0)
		return k;

	p = tce_strdup_printf(PATH_DEV_VFIO "/%" PRIu64, g->number);
	if (!p)
		return -ENOMEM;
	g->vfio_node_exists = tce_root_exists(r, p) == 0;
	if (g->vfio_node_exists) {
		g->vfio_node = TAKE_PTR(p);
		if (o->holders)
			read_holders(r, g);
	}
	return 0;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool group_wanted(const struct tce_collect_opts *o, const struct tce_group *g)
{
	if (o->has_group && g->number != o->group)
		return false;
	if (o->has_bdf) {
		for (size_t i = 0; i < g->n_devices; i++) {
			struct tce_bdf b;

			if (tce_parse_bdf(g->devices[i].bdf, false, &b) == 0 &&
			    tce_bdf_match(&o->bdf, &b))
				return true;
		}
		return false;
	}
	return true;
}

static char *explain_no_groups(const struct tce_host *h, int err)
{
	if (err == -ENOENT)
		return strdup("no IOMMU groups: " PATH_IOMMU_GROUPS " does not exist (kernel "
			      "without IOMMU support, or sysfs not mounted)");
	if (err == -ENODATA)
		return strdup("no IOMMU groups: " PATH_IOMMU_GROUPS " was not recorded");
	if (err < 0)
		return tce_strdup_printf("cannot read " PATH_IOMMU_GROUPS ": %s", strerror(-err));
	if (h->platform == TCE_PLATFORM_NONE)
		return strdup("no IOMMU groups: the IOMMU is off or absent (enable VT-d/AMD-Vi "
			      "in firmware and boot with intel_iommu=on or amd_iommu=on), or "
			      "this is a container or a VM without a virtual IOMMU");
	return strdup("no IOMMU groups: no PCI device is in a PE, or the kernel was built "
		      "without CONFIG_SPAPR_TCE_IOMMU");
}

int tce_host_each_group(struct tce_root *r, const struct tce_collect_opts *o, struct tce_host **ret,
			tce_group_fn fn, void *userdata)
{
	_cleanup_host_ struct tce_host *h = calloc(1, sizeof(*h));
	_cleanup_strv_free_ char **entries = NULL;
	_cleanup_free_ uint64_t *nums = NULL;
	struct collect_ctx c = { .r = r, .o = o };
	size_t n = 0;
	int k = 0;

	if (!h)
		return -ENOMEM;
	if (tce_root_kernel_release(r) && !(h->kernel_release = strdup(tce_root_kernel_release(r))))
		return -ENOMEM;
	if (tce_root_machine(r) && !(h->machine = strdup(tce_root_machine(r))))
		return -ENOMEM;
	h->platform = tce_dt_platform(r);
	c.h = h;
	{
		bool known;

		c.ge_5_19 = rule_ge_5_19(h->kernel_release, &known);
	}

	k = tce_root_list(r, PATH_IOMMU_GROUPS, &entries);
	if (k < 0) {
		h->groups_err = k;
		h->note = explain_no_groups(h, k);
		*ret = TAKE_PTR(h);
		return 0;
	}
	if (!(nums = calloc(strv_length(entries) + 1, sizeof(*nums))))
		return -ENOMEM;
	for (char **e = entries; *e; e++) {
		uint64_t num;

		if (!tce_all_digits(*e) || tce_parse_u64(*e, 10, &num) < 0)
			continue; /* not a group */
		if (o->has_group && num != o->group)
			continue;
		nums[n++] = num;
	}
	strv_free(TAKE_PTR(entries));
	qsort(nums, n, sizeof(*nums), u64_cmp);
	if (n == 0)
		h->note = explain_no_groups(h, 0);
	/* one group at a time: read, handed over, freed */
	for (size_t i = 0; i < n && k >= 0; i++) {
		struct tce_group g = { .number = nums[i], .viable = TCE_UNKNOWN };

		k = read_group(&c, &g);
		/* selection by device happens after reading: a group is shown whole */
		if (k >= 0 && group_wanted(o, &g))
			k = fn(h, &g, userdata);
		tce_group_done(&g);
	}
	ctx_done(&c);
	if (k < 0)
		return k;
	*ret = TAKE_PTR(h);
	return 0;
}

static int keep_group(struct tce_host *h, struct tce_group *g, void *userdata)
{
	struct tce_group *ng = realloc(h->groups, (h->n_groups + 1) * sizeof(*ng));

	(void)userdata;
	if (!ng)
		return -ENOMEM;
	h->groups = ng;
	h->groups[h->n_groups++] = *g;
	*g = (struct tce_group){ 0 }; /* taken */
	return 0;
}

int tce_host_collect_groups(struct tce_root *r, const struct tce_collect_opts *o,
			    struct tce_host **ret)
{
	return tce_host_each_group(r, o, ret, keep_group, NULL);
}

/* ---- --probe --------------------------------------------------------------- */

static void probe_set(struct tce_group *g, const char *status, const char *fmt, ...) _printf_(3, 4);
static void probe_set(struct tce_group *g, const char *status, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	free(g->probe_status);
	free(g->probe_detail);
	g->probe_status = strdup(status);
	g->probe_detail = s;
}

static bool held_now(uint64_t group)
{
	_cleanup_strv_free_ char **lines = NULL;
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "%" PRIu64 "\t", group);
	if (tce_vfio_holders_scan(PATH_PROC, true, &lines) < 0)
		return true; /* cannot tell: do not touch it */
	for (char **l = lines; *l; l++)
		if (strneq(*l, prefix, strlen(prefix)))
			return true;
	return false;
}

void tce_group_probe(struct tce_group *g)
{
	struct tce_vfio_probe p;
	struct tce_window *w;
	int k;

	if (!g->vfio_node_exists) {
		probe_set(g, "skipped", "no device of the group is bound to a VFIO driver");
		return;
	}
	if (g->viable != TCE_YES) {
		probe_set(g, "skipped", "not viable: only idle, viable groups are probed");
		return;
	}
	if (g->holders_state != TCE_HOLDERS_KNOWN) {
		probe_set(g, "skipped", "its holders are unknown: only idle groups are probed");
		return;
	}
	if (g->n_holders) {
		probe_set(g, "skipped", "in use by pid %d (%s): never probed", g->holders[0].pid,
			  g->holders[0].comm ? g->holders[0].comm : "?");
		return;
	}
	/* the holders were scanned before the first probe: a VM may have
	 * taken the group since; look again right before opening it */
	if (held_now(g->number)) {
		probe_set(g, "skipped", "in use since the holders were read: never probed");
		return;
	}
	k = tce_vfio_probe_group(g->number, &p);
	if (k == -EBUSY) {
		probe_set(g, "busy", "%s: in use (EBUSY); not forced", p.step);
		return;
	}
	if (k < 0) {
		probe_set(g, "failed", "%s: %s", p.step ? p.step : "probe", strerror(-k));
		return;
	}
	probe_set(g, "ok", "VFIO_IOMMU_SPAPR_TCE_GET_INFO%s",
		  p.has_ddw ? "" : " (no DDW: the kernel did not set VFIO_IOMMU_SPAPR_INFO_DDW)");
	w = add_window(g, TCE_WIN_VFIO_DMA32, "", "vfio");
	if (w) {
		w->has_start = w->has_size = true;
		w->start = p.dma32_start;
		w->size = p.dma32_size;
	}
	if (p.has_ddw && (w = add_window(g, TCE_WIN_VFIO_DDW, "", "vfio"))) {
		w->has_page_sizes = w->has_max_windows = w->has_levels = true;
		w->page_sizes = p.pgsizes;
		w->max_windows = p.max_windows;
		w->levels = p.levels;
	}
}
