/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Viability: can the group be given to VFIO? The kernel's rule (FACTS
 * §3.1a): every device bound to a driver that does not claim DMA (vfio-pci
 * and its variants, pci-stub; since 5.19 pcieport too, before it a bridge
 * unbound or on any driver). Each blocker is named, with what releases it.
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

/* Which viability rule the kernel follows: 5.19 changed it; unknown: the new. */
bool tce_viability_ge_5_19(const char *release, bool *known)
{
	int maj, min;

	*known = release && tce_parse_kernel_version(release, &maj, &min) == 0;
	return !*known || maj > 5 || (maj == 5 && min >= 19);
}

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
	else if (tce_pcidev_is_bridge(d))
		b->warning = strdup("a bridge: leave it unbound (or on pcieport); vfio-pci "
				    "refuses bridges");
	if (!b->bdf || !b->driver || !b->reason)
		return -ENOMEM;
	return 0;
}

int tce_group_decide_viability(struct tce_group *g, const char *release)
{
	bool known, ge = tce_viability_ge_5_19(release, &known), unknown = g->devices_unread;
	int k;

	g->viability_rule = strdup(!known ? ">=5.19 (kernel release unknown)"
				   : ge	  ? ">=5.19"
					  : "<5.19");
	/* a group whose devices could not be listed is not an empty group:
	 * its viability is unknown, never "yes" */
	for (size_t i = 0; i < g->n_devices; i++) {
		const struct tce_device *d = &g->devices[i];

		if (d->vanished || !d->driver_known) {
			unknown = true;
			continue;
		}
		if (tce_driver_claims_dma(d->driver, tce_pcidev_is_bridge(d), ge) &&
		    (k = add_blocker(g, d)) < 0)
			return k;
	}
	if (g->n_blockers)
		g->viable = TCE_NO;
	else
		g->viable = unknown ? TCE_UNKNOWN : TCE_YES;
	return 0;
}
