/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A group's VFIO side: the processes holding /dev/vfio/N (a probe answer,
 * recorded), and --probe, which asks VFIO itself for the windows of an idle,
 * viable group on the live host.
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
#include "tceiommu/vfio.h"

void tce_group_read_holders(struct tce_root *r, struct tce_group *g)
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
	w = tce_group_add_window(g, TCE_WIN_VFIO_DMA32, "", "vfio");
	if (w) {
		w->has_start = w->has_size = true;
		w->start = p.dma32_start;
		w->size = p.dma32_size;
	}
	if (p.has_ddw && (w = tce_group_add_window(g, TCE_WIN_VFIO_DDW, "", "vfio"))) {
		w->has_page_sizes = w->has_max_windows = w->has_levels = true;
		w->page_sizes = p.pgsizes;
		w->max_windows = p.max_windows;
		w->levels = p.levels;
	}
}
