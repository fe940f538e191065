/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the rooms of the group collector share (not an API): groups.c walks
 * the groups; pcidev.c reads a PCI function; phb.c finds a PHB and its TCE
 * windows in the device tree; viability.c applies the kernel's rule;
 * vfiogroup.c finds holders and probes.
 */
#pragma once

#include <stdbool.h>
#include <string.h>

#include "tceiommu/host.h"
#include "tceiommu/macro.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"

void tce_group_note(struct tce_group *g, const char *fmt, ...) _printf_(2, 3);

static inline const char *tce_basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The device-tree path a renderer shows: relative to the device-tree base. */
static inline const char *tce_dt_display(const char *canon)
{
	size_t n = strlen(PATH_DEVTREE_BASE);

	if (strncmp(canon, PATH_DEVTREE_BASE, n) == 0 && (canon[n] == '/' || !canon[n]))
		return canon[n] ? canon + n : "/";
	return canon;
}

/* pcidev.c */
bool tce_pcidev_is_bridge(const struct tce_device *d);
/* A device's uevent (DRIVER, PCI_CLASS, PCI_ID) into d; what is malformed
 * (or cannot be allocated) is left unknown. */
void tce_pcidev_parse_uevent(const char *uevent, size_t len, struct tce_device *d);
/* Read the function gdir/bdf (gdir: a group's devices directory) into d.
 * ge_5_19: the kernel's viability rule, to know a blocker (its VFs are read). */
int tce_pcidev_read(struct tce_root *r, enum tce_platform platform, bool ge_5_19, const char *gdir,
		    const char *bdf, struct tce_device *d, const struct tce_collect_opts *o);

/* phb.c: what one collection has learnt of the device tree */
struct tce_phb_cache {
	struct tce_strmap nodes;    /* each node visited: is it a PHB, which */
	enum tce_platform platform; /* which properties make a PHB */
	struct tce_group *phbs;	    /* has_phb, phb, windows and notes only */
	size_t n_phbs;
};
void tce_phb_cache_done(struct tce_phb_cache *c);
/* Walk up from devnode to its PHB; its model, windows and notes go into g. */
int tce_phb_find(struct tce_phb_cache *c, struct tce_root *r, struct tce_group *g,
		 const char *devnode);
struct tce_window *tce_group_add_window(struct tce_group *g, enum tce_window_kind kind,
					const char *node, const char *source);

/* viability.c */
bool tce_viability_ge_5_19(const char *release, bool *known);
int tce_group_decide_viability(struct tce_group *g, const char *release);

/* vfiogroup.c */
void tce_group_read_holders(struct tce_root *r, struct tce_group *g);
