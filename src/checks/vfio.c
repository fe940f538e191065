/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VFIO checks: modules, the container node, the sPAPR TCE v2 backend and EEH
 * asked on an empty container (drivers/vfio/vfio_iommu_spapr_tce.c answers
 * VFIO_CHECK_EXTENSION without a group; FACTS §2.2), no-IOMMU mode, and the
 * viability of groups holding VFIO-bound devices (the list-groups collector).
 * /dev/vfio/vfio is opened only when vfio is loaded or built in.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/checks.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"

/* include/uapi/linux/vfio.h */
#define VFIO_EXT_SPAPR_TCE 2
#define VFIO_EXT_TYPE1V2 3
#define VFIO_EXT_EEH 5
#define VFIO_EXT_SPAPR_TCE_V2 7

void tce_chk_vfio_modules(struct tce_check_ctx *c, struct tce_check_result *r)
{
	const char *mods[] = { "vfio", "vfio_pci",
			       tce_ctx_is_power(c) ? "vfio_iommu_spapr_tce" : "vfio_iommu_type1" };
	char missing[128] = "", unloaded[128] = "";

	for (size_t i = 0; i < ARRAY_SIZE(mods); i++) {
		const struct tce_module *m = tce_ctx_module(c, mods[i]);
		char src[64];

		snprintf(src, sizeof(src), "libkmod %s", mods[i]);
		if (m->state == TCE_MOD_UNKNOWN) {
			tce_evidence(r, src, "unknown (%s)",
				     m->err == -ENODATA ? "not recorded" : strerror(-m->err));
			tce_result(r, TCE_LVL_UNKNOWN, NULL, "module state unknown");
			return;
		}
		tce_evidence(r, src, "%s, module file %s", tce_mod_state_name(m->state),
			     m->available == 1	 ? "available"
			     : m->available == 0 ? "absent"
						 : "unknown");
		if (tce_module_present(m))
			continue;
		if (m->available == 1)
			snprintf(unloaded + strlen(unloaded), sizeof(unloaded) - strlen(unloaded),
				 "%s%s", unloaded[0] ? ", " : "", mods[i]);
		else
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				 "%s%s", missing[0] ? ", " : "", mods[i]);
	}
	if (missing[0])
		tce_result(r, TCE_LVL_FAIL,
			   "use a kernel with CONFIG_VFIO, CONFIG_VFIO_PCI and "
			   "CONFIG_VFIO_IOMMU_SPAPR_TCE (POWER)",
			   "not in this kernel: %s", missing);
	else if (unloaded[0])
		tce_result(r, TCE_LVL_WARN,
			   "modprobe vfio-pci (libvirt loads it when it detaches a "
			   "device)",
			   "not loaded: %s", unloaded);
	else
		tce_result(r, TCE_LVL_PASS, NULL, "loaded");
}

/* Ask the empty container; false when the result is already decided. */
static bool container(struct tce_check_ctx *c, struct tce_check_result *r, const char *what,
		      long *ret)
{
	int k;

	if (!tce_ctx_vfio_present(c)) {
		const struct tce_module *m = tce_ctx_module(c, "vfio");

		if (m->state == TCE_MOD_UNKNOWN)
			tce_result(r, TCE_LVL_UNKNOWN, NULL, "module state unknown");
		else if (m->available != 1)
			tce_result(r, TCE_LVL_SKIP, NULL,
				   "no VFIO in this kernel (see vfio.modules)");
		else
			tce_result(r, TCE_LVL_UNKNOWN, "modprobe vfio-pci, then run again",
				   "vfio is not loaded; it would autoload on first use "
				   "of " PATH_DEV_VFIO_CONTAINER
				   " (not opened, to leave the host as it is)");
		return false;
	}
	k = tce_vfio_container_ask(c->r, what, ret);
	if (k == 0) {
		char src[80];

		if (streq(what, "open"))
			snprintf(src, sizeof(src), "open(" PATH_DEV_VFIO_CONTAINER ")");
		else if (streq(what, "api"))
			snprintf(src, sizeof(src), "VFIO_GET_API_VERSION");
		else
			snprintf(src, sizeof(src), "VFIO_CHECK_EXTENSION(%s) on an empty container",
				 what + 4);
		tce_evidence(r, src, "%ld", *ret);
		return true;
	}
	tce_evidence(r, PATH_DEV_VFIO_CONTAINER, "%s", strerror(-k));
	if (k == -ENODATA)
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "not recorded");
	else if (k == -EACCES || k == -EPERM)
		tce_result(r, TCE_LVL_UNKNOWN, "run as root",
			   "needs root: " PATH_DEV_VFIO_CONTAINER
			   " is not accessible to this user");
	else if (k == -ENOENT || k == -ENODEV)
		tce_result(r, TCE_LVL_FAIL,
			   "the kernel may lack CONFIG_VFIO_CONTAINER (iommufd only)",
			   "no " PATH_DEV_VFIO_CONTAINER ": %s", strerror(-k));
	else
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "%s", strerror(-k));
	return false;
}

void tce_chk_vfio_container(struct tce_check_ctx *c, struct tce_check_result *r)
{
	long v;

	if (!container(c, r, "open", &v))
		return;
	if (container(c, r, "api", &v))
		tce_result(r, TCE_LVL_PASS, NULL, PATH_DEV_VFIO_CONTAINER " opens, API version %ld",
			   v);
}

/* The empty container answers 1 for v1 and v2 alike whenever the module is
 * loaded (FACTS §2.2); the PHB decides what a group can take: v2 needs the
 * IODA2 ownership ops that P7IOC lacks. */
static bool p7ioc_groups(struct tce_check_ctx *c)
{
	const struct tce_host *h = tce_ctx_groups(c);

	for (size_t i = 0; h && i < h->n_groups; i++)
		if (h->groups[i].phb.model && streq(h->groups[i].phb.model, "P7IOC"))
			return true;
	return false;
}

void tce_chk_vfio_spapr_v2(struct tce_check_ctx *c, struct tce_check_result *r)
{
	long v2, v1 = 0;

	if (!container(c, r, "ext:7", &v2))
		return;
	(void)container(c, r, "ext:2", &v1);
	if (v2 > 0 && p7ioc_groups(c))
		tce_result(r, TCE_LVL_WARN,
			   "P7IOC (IODA1) PHBs take only the v1 backend: no preregistration, no "
			   "dynamic windows, no in-kernel TCE for VFIO; use a POWER8 or later host",
			   "the v2 backend is loaded, but groups on P7IOC PHBs can use only v1");
	else if (v2 > 0)
		tce_result(r, TCE_LVL_PASS, NULL,
			   "the VFIO_SPAPR_TCE_v2_IOMMU backend is loaded (what the PHBs take is "
			   "decided when a group is attached)");
	else if (v1 > 0)
		tce_result(
		    r, TCE_LVL_FAIL,
		    "the PHB supports only the v1 backend (P7IOC): no in-kernel TCE for VFIO",
		    "only VFIO_SPAPR_TCE_IOMMU (v1)");
	else
		tce_result(r, TCE_LVL_FAIL,
			   "modprobe vfio_iommu_spapr_tce; if " PATH_DEV_VFIO_CONTAINER
			   " comes from iommufd (CONFIG_IOMMUFD_VFIO_CONTAINER), it answers 0 for "
			   "sPAPR: use the legacy VFIO container",
			   "no sPAPR TCE backend answers on an empty container");
}

void tce_chk_vfio_eeh(struct tce_check_ctx *c, struct tce_check_result *r)
{
	long v;

	if (!container(c, r, "ext:5", &v))
		return;
	if (v > 0)
		tce_result(r, TCE_LVL_PASS, NULL, "EEH recovery is available to guests");
	else
		tce_result(r, TCE_LVL_WARN, "check that EEH is enabled (eeh=on; not eeh=off)",
			   "no VFIO_EEH: a frozen PE cannot be recovered by the guest");
}

void tce_chk_vfio_noiommu(struct tce_check_ctx *c, struct tce_check_result *r)
{
	_cleanup_free_ char *v = NULL;
	int k = tce_root_read_string(c->r, PATH_VFIO_NOIOMMU, &v);

	if (k == -ENOENT) {
		tce_evidence(r, PATH_VFIO_NOIOMMU, "absent");
		tce_result(r, TCE_LVL_PASS, NULL, "off (vfio not loaded or built without it)");
	} else if (k < 0) {
		tce_evidence(r, PATH_VFIO_NOIOMMU, "%s", strerror(-k));
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "%s",
			   k == -ENODATA ? "not recorded" : strerror(-k));
	} else {
		tce_evidence(r, PATH_VFIO_NOIOMMU, "%s", v);
		if (streq(v, "Y") || streq(v, "1"))
			tce_result(
			    r, TCE_LVL_WARN,
			    "echo N > " PATH_VFIO_NOIOMMU " (no-IOMMU devices have no DMA "
			    "isolation and taint the kernel)",
			    "no-IOMMU mode is on: devices can be used without DMA isolation");
		else
			tce_result(r, TCE_LVL_PASS, NULL, "off");
	}
}

static bool vfio_driver(const char *d)
{
	size_t n = d ? strlen(d) : 0;

	return d && (streq(d, "vfio-pci") || (n > 9 && streq(d + n - 9, "_vfio_pci")));
}

void tce_chk_vfio_viable(struct tce_check_ctx *c, struct tce_check_result *r)
{
	const struct tce_host *h = tce_ctx_groups(c);
	size_t n = 0, bad = 0, unknown = 0;
	char list[512] = "";

	if (!h) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "cannot read the IOMMU groups");
		return;
	}
	for (size_t i = 0; i < h->n_groups; i++) {
		const struct tce_group *g = &h->groups[i];
		bool has_vfio = false;

		for (size_t d = 0; d < g->n_devices; d++)
			has_vfio |= vfio_driver(g->devices[d].driver);
		if (!has_vfio)
			continue;
		n++;
		if (g->viable == TCE_NO) {
			bad++;
			for (size_t b = 0; b < g->n_blockers; b++) {
				tce_evidence(r, "group blocker",
					     "group %" PRIu64 ": %s bound to %s", g->number,
					     g->blockers[b].bdf, g->blockers[b].driver);
				if (strlen(list) < sizeof(list) - 64)
					snprintf(list + strlen(list), sizeof(list) - strlen(list),
						 "%sgroup %" PRIu64 " (%s on %s)",
						 list[0] ? ", " : "", g->number, g->blockers[b].bdf,
						 g->blockers[b].driver);
			}
		} else if (g->viable == TCE_UNKNOWN) {
			unknown++;
		}
	}
	if (n == 0)
		tce_result(r, TCE_LVL_SKIP, NULL, "no device is bound to a VFIO driver");
	else if (bad)
		tce_result(r, TCE_LVL_FAIL,
			   "unbind the other devices of each group from their host drivers "
			   "(tceiommu list-groups shows the commands)",
			   "%zu of %zu VFIO groups not viable: %s", bad, n, list);
	else if (unknown)
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "%zu of %zu VFIO groups of unknown viability",
			   unknown, n);
	else
		tce_result(r, TCE_LVL_PASS, NULL, "%zu VFIO group%s, all viable", n,
			   n == 1 ? "" : "s");
}

void tce_chk_iommu_groups(struct tce_check_ctx *c, struct tce_check_result *r)
{
	const struct tce_host *h = tce_ctx_groups(c);

	if (!h) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "cannot read the IOMMU groups: %s",
			   strerror(-c->groups_err));
		return;
	}
	tce_evidence(r, PATH_IOMMU_GROUPS, "%zu groups", h->n_groups);
	if (h->groups_err == -ENODATA)
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "not recorded");
	else if (h->n_groups == 0)
		tce_result(r, TCE_LVL_FAIL,
			   tce_ctx_is_power(c)
			       ? "use a kernel with CONFIG_SPAPR_TCE_IOMMU; PCI devices "
				 "must be in a PE"
			       : "enable the IOMMU (VT-d/AMD-Vi in firmware, "
				 "intel_iommu=on or amd_iommu=on)",
			   "%s", h->note ? h->note : "no IOMMU groups");
	else
		tce_result(r, TCE_LVL_PASS, NULL, "%zu IOMMU group%s", h->n_groups,
			   h->n_groups == 1 ? "" : "s");
}
