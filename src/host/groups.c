/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IOMMU groups: /sys/kernel/iommu_groups/<N>/{name,type,reserved_regions,
 * devices/} (drivers/iommu/iommu.c, FACTS.md §3); powerpc names groups
 * "domain%d-pe%lx" (arch/powerpc/kernel/iommu.c). Each group is read whole
 * -- its functions (pcidev.c), its PHB and windows (phb.c), its viability
 * (viability.c), its VFIO node and holders (vfiogroup.c) -- and handed over
 * before the next is read.
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

void tce_group_note(struct tce_group *g, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	if (s)
		(void)strv_push(&g->notes, s);
}

/* One collection: what it reads with, and what it learnt of the device tree. */
struct collect_ctx {
	struct tce_root *r;
	const struct tce_collect_opts *o;
	struct tce_host *h;
	struct tce_phb_cache phbs;
	bool ge_5_19; /* the kernel's viability rule */
	/* opened once: the groups' directory and /dev/vfio (NULL: absent) */
	struct tce_dir *groups_dir, *vfio_dir;
};

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
	{
		char num[32];

		snprintf(num, sizeof(num), "%" PRIu64, g->number);
		k = c->groups_dir ? tce_dir_opendir(c->groups_dir, num, &gdir)
				  : tce_root_opendir(r, gpath, &gdir);
	}
	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		tce_group_note(g, "%s", k == -ENODATA ? "not recorded" : strerror(-k));
	} else {
		if ((k = tce_dir_read_string(gdir, "name", &g->name)) < 0 && k != -ENOENT)
			tce_group_note(g, "name: %s", strerror(-k));
		if (!(o->omit & TCE_FACT_TYPE))
			(void)tce_dir_read_string(gdir, "type", &g->type);
		if (!(o->omit & TCE_FACT_RESERVED))
			(void)tce_dir_read_string(gdir, "reserved_regions", &g->reserved_regions);
	}
	if (g->name && tce_parse_group_name(g->name, &g->domain, &g->name_pe) == 0)
		g->has_domain_pe = true;

	k = gdir ? tce_dir_list(gdir, "devices", &names) : -ENOENT;
	if (k < 0) {
		g->devices_unread = true;
		tce_group_note(g, "devices: %s", k == -ENODATA ? "not recorded" : strerror(-k));
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
			if ((k = tce_pcidev_read(r, h->platform, c->ge_5_19, ddir, *n, d, o)) < 0)
				return k;
			if (d->vanished)
				tce_group_note(
				    g, "%s is listed in the group but has vanished from sysfs",
				    d->bdf);
			else if (d->read_err)
				tce_group_note(g, "%s: uevent: %s", d->bdf,
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
		if (g->devices[i].of_node &&
		    (k = tce_phb_find(&c->phbs, c->r, g, g->devices[i].of_node)) < 0)
			return k;
	for (size_t i = 0; i < g->n_devices && !g->has_phb; i++)
		if (g->devices[i].phb_hint &&
		    (k = tce_phb_find(&c->phbs, c->r, g, g->devices[i].phb_hint)) < 0)
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
			if ((k = tce_phb_find(&c->phbs, c->r, g, busnode)) < 0)
				return k;
		}
	}

	g->windows_applicable = h->platform != TCE_PLATFORM_NONE;
	if (devnode) {
		for (size_t i = 0; i < g->n_devices; i++) {
			const char *o2 =
			    g->devices[i].of_node ? tce_dt_display(g->devices[i].of_node) : NULL;
			size_t pl = g->phb.node ? strlen(g->phb.node) : 0;

			if (o2 && g->phb.node &&
			    !(strncmp(o2, g->phb.node, pl) == 0 &&
			      (o2[pl] == '/' || o2[pl] == '\0')))
				tce_group_note(g, "%s is not below the group's PHB %s",
					       g->devices[i].bdf, g->phb.node);
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
				tce_group_note(g,
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
				tce_group_note(g,
					       "PE 0x%" PRIx64
					       " from %s eeh_pe_config_addr (no group name)",
					       g->pe, g->devices[i].bdf);
			}
		}
	}

	if ((k = tce_group_decide_viability(g, h->kernel_release)) < 0)
		return k;

	p = tce_strdup_printf(PATH_DEV_VFIO "/%" PRIu64, g->number);
	if (!p)
		return -ENOMEM;
	g->vfio_node_exists = c->vfio_dir
				  ? tce_dir_exists(c->vfio_dir, p + sizeof(PATH_DEV_VFIO)) == 0
				  : tce_root_exists(r, p) == 0;
	if (g->vfio_node_exists) {
		g->vfio_node = TAKE_PTR(p);
		if (o->holders)
			tce_group_read_holders(r, g);
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

		c.ge_5_19 = tce_viability_ge_5_19(h->kernel_release, &known);
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
	(void)tce_root_opendir(r, PATH_IOMMU_GROUPS, &c.groups_dir);
	if (tce_root_opendir(r, PATH_DEV_VFIO, &c.vfio_dir) < 0)
		c.vfio_dir = NULL; /* each group asks, and gets the reason */
	c.phbs.platform = h->platform;
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
	tce_phb_cache_done(&c.phbs);
	tce_dir_free(c.groups_dir);
	tce_dir_free(c.vfio_dir);
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
