/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KVM checks: the device, its flavour and the capabilities that decide
 * whether TCE hypercalls are handled in the kernel (FACTS §1.1, §1.5).
 * /dev/kvm is opened only when KVM is loaded or built in: opening a static
 * node would load kvm_hv or kvm_pr (FACTS §7 3.7a), and reading must not
 * change the host.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tceiommu/checks.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"

/* include/uapi/linux/kvm.h; stable ABI, spelled out so the numbers are the
 * same on every architecture this is built for. */
#define CAP_SPAPR_TCE 63
#define CAP_DEVICE_CTRL 89
#define CAP_SPAPR_MULTITCE 94
#define CAP_PPC_ENABLE_HCALL 104
#define CAP_SPAPR_TCE_64 125
#define CAP_SPAPR_TCE_VFIO 142

static void module_evidence(struct tce_check_ctx *c, struct tce_check_result *r, const char *name)
{
	const struct tce_module *m = tce_ctx_module(c, name);
	char src[64];

	snprintf(src, sizeof(src), "libkmod %s", name);
	if (m->state == TCE_MOD_UNKNOWN)
		tce_evidence(r, src, "unknown (%s)",
			     m->err == -ENODATA ? "not recorded" : strerror(-m->err));
	else
		tce_evidence(r, src, "%s, module file %s", tce_mod_state_name(m->state),
			     m->available == 1	 ? "available"
			     : m->available == 0 ? "absent"
						 : "unknown");
}

static bool modules_unknown(struct tce_check_ctx *c)
{
	return tce_ctx_module(c, "kvm")->state == TCE_MOD_UNKNOWN;
}

void tce_chk_kvm_device(struct tce_check_ctx *c, struct tce_check_result *r)
{
	int k;

	module_evidence(c, r, "kvm");
	if (tce_ctx_is_power(c)) {
		module_evidence(c, r, "kvm_hv");
		module_evidence(c, r, "kvm_pr");
	}
	if (!tce_ctx_kvm_present(c)) {
		const struct tce_module *m = tce_ctx_module(c, "kvm");

		if (modules_unknown(c))
			tce_result(r, TCE_LVL_UNKNOWN, NULL, "module state unknown");
		else if (m->available == 1 || tce_module_present(m))
			tce_result(
			    r, TCE_LVL_WARN,
			    tce_ctx_is_power(c) ? "modprobe kvm_hv (or kvm_pr)" : "modprobe kvm",
			    "KVM is not loaded; it would autoload on first use of " PATH_DEV_KVM);
		else
			tce_result(r, TCE_LVL_FAIL, "install a kernel with KVM (CONFIG_KVM)",
				   "no KVM: neither loaded, built in nor installed as a module");
		return;
	}
	k = tce_kvm_open(c->r);
	if (k == 0) {
		tce_evidence(r, "open(" PATH_DEV_KVM ")", "ok");
		tce_result(r, TCE_LVL_PASS, NULL, PATH_DEV_KVM " opens");
	} else if (k == -EACCES || k == -EPERM) {
		tce_evidence(r, "open(" PATH_DEV_KVM ")", "%s", strerror(-k));
		tce_result(r, TCE_LVL_UNKNOWN, "run as root, or as a member of the kvm group",
			   "needs root: " PATH_DEV_KVM " is not accessible to this user");
	} else if (k == -ENODATA) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "not recorded");
	} else {
		tce_evidence(r, "open(" PATH_DEV_KVM ")", "%s", strerror(-k));
		tce_result(r, TCE_LVL_FAIL,
			   "check that the kvm device node exists (udev, devtmpfs)",
			   PATH_DEV_KVM ": %s", strerror(-k));
	}
}

void tce_chk_kvm_flavour(struct tce_check_ctx *c, struct tce_check_result *r)
{
	const struct tce_module *hv = tce_ctx_module(c, "kvm_hv");
	const struct tce_module *pr = tce_ctx_module(c, "kvm_pr");
	const char *hint_hv = "kvm_hv needs HV mode: a bare-metal PowerNV host, or a KVM guest "
			      "started with cap-nested-hv=on; then modprobe kvm_hv";

	module_evidence(c, r, "kvm_hv");
	module_evidence(c, r, "kvm_pr");
	if (hv->state == TCE_MOD_UNKNOWN && pr->state == TCE_MOD_UNKNOWN) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "module state unknown");
		return;
	}
	if (tce_module_present(hv)) {
		tce_result(r, TCE_LVL_PASS, NULL, "kvm_hv %s",
			   hv->state == TCE_MOD_BUILTIN ? "built in" : "loaded");
		return;
	}
	if (tce_module_present(pr)) {
		tce_result(r, TCE_LVL_WARN, hint_hv,
			   "only kvm_pr %s: guests run, much slower than with kvm_hv",
			   pr->state == TCE_MOD_BUILTIN ? "built in" : "loaded");
		return;
	}
	if (hv->available == 1 || pr->available == 1)
		tce_result(r, TCE_LVL_WARN, hint_hv,
			   "kvm_hv and kvm_pr are not loaded (%s available)",
			   hv->available == 1 ? "kvm_hv" : "kvm_pr");
	else
		tce_result(r, TCE_LVL_FAIL, hint_hv,
			   "neither kvm_hv nor kvm_pr is loaded or built in: no VM can be created");
}

/*
 * Ask one capability. On a host where it does not apply (not POWER) the
 * answer is still asked and shown, and the level is SKIP: x86 answers 0.
 * Returns true with *ret when the level is for the caller to decide.
 */
static bool ask_cap(struct tce_check_ctx *c, struct tce_check_result *r, unsigned cap,
		    const char *name, long *ret)
{
	char src[96];
	int k;

	snprintf(src, sizeof(src), "KVM_CHECK_EXTENSION(%s=%u) on " PATH_DEV_KVM, name, cap);
	if (!tce_ctx_kvm_present(c)) {
		const struct tce_module *m = tce_ctx_module(c, "kvm");

		if (modules_unknown(c))
			tce_result(r, TCE_LVL_UNKNOWN, NULL, "module state unknown");
		else if (!tce_ctx_is_power(c) && cap != CAP_DEVICE_CTRL)
			tce_result(r, TCE_LVL_SKIP, NULL, "not a POWER host");
		else if (m->available != 1 && !tce_module_present(m))
			tce_result(r, TCE_LVL_SKIP, NULL, "no KVM in this kernel (see kvm.device)");
		else
			tce_result(
			    r, TCE_LVL_UNKNOWN, "load kvm_hv (or kvm_pr), then run again",
			    "KVM is not loaded; it would autoload on first use of " PATH_DEV_KVM
			    " (not opened, to leave the host as it is)");
		return false;
	}
	k = tce_kvm_check_extension(c->r, cap, ret);
	if (k == -ENODATA) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "not recorded");
		return false;
	}
	if (k == -EACCES || k == -EPERM) {
		tce_evidence(r, src, "%s", strerror(-k));
		tce_result(r, TCE_LVL_UNKNOWN, "run as root, or as a member of the kvm group",
			   "needs root: " PATH_DEV_KVM " is not accessible to this user");
		return false;
	}
	if (k < 0) {
		tce_evidence(r, src, "%s", strerror(-k));
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "%s", strerror(-k));
		return false;
	}
	tce_evidence(r, src, "%ld", *ret);
	if (!tce_ctx_is_power(c) && cap != CAP_DEVICE_CTRL) {
		tce_result(r, TCE_LVL_SKIP, NULL, "not a POWER host (the kernel answers %ld)",
			   *ret);
		return false;
	}
	return true;
}

/*
 * The capabilities that read plainly: 1 is PASS, 0 is the level when bad
 * with its hint. KVM_CAP_SPAPR_TCE_VFIO, which needs its history, is apart.
 */
static const struct cap_check {
	const char *id;
	unsigned cap;
	const char *name;
	const char *pass;
	enum tce_level bad;
	const char *hint;
	const char *fail;
} cap_checks[] = {
	{ "kvm.cap.spapr_tce", CAP_SPAPR_TCE, "KVM_CAP_SPAPR_TCE",
	  "KVM can hold TCE tables (in-kernel H_PUT_TCE)", TCE_LVL_FAIL,
	  "use a Book3S-64 KVM kernel",
	  "KVM cannot hold TCE tables: every H_PUT_TCE exits to QEMU" },
	{ "kvm.cap.spapr_tce_64", CAP_SPAPR_TCE_64, "KVM_CAP_SPAPR_TCE_64",
	  "64-bit TCE windows (DDW) can be in the kernel", TCE_LVL_WARN, "use Linux 4.6 or later",
	  "no 64-bit TCE tables in KVM: dynamic DMA windows are handled by QEMU" },
	{ "kvm.cap.spapr_multitce", CAP_SPAPR_MULTITCE, "KVM_CAP_SPAPR_MULTITCE",
	  "H_PUT_TCE_INDIRECT and H_STUFF_TCE can be handled in the kernel", TCE_LVL_WARN,
	  "use Linux 4.6 or later", "H_PUT_TCE_INDIRECT and H_STUFF_TCE exit to QEMU" },
	{ "kvm.cap.ppc_enable_hcall", CAP_PPC_ENABLE_HCALL, "KVM_CAP_PPC_ENABLE_HCALL",
	  "QEMU can turn on in-kernel H_PUT_TCE_INDIRECT and H_STUFF_TCE", TCE_LVL_WARN,
	  "use Linux 3.17 or later",
	  "QEMU cannot enable H_PUT_TCE_INDIRECT/H_STUFF_TCE in the kernel" },
	{ "kvm.cap.device_ctrl", CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL",
	  "KVM devices (kvm-vfio among them) can be created", TCE_LVL_FAIL, NULL,
	  "no KVM device API: the kvm-vfio device cannot exist" },
};

void tce_chk_cap(struct tce_check_ctx *c, struct tce_check_result *r)
{
	const struct cap_check *cc = NULL;
	long v;

	for (size_t i = 0; i < ARRAY_SIZE(cap_checks) && !cc; i++)
		if (streq(cap_checks[i].id, r->check->id))
			cc = &cap_checks[i];
	if (!cc) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "no such capability check");
		return;
	}
	if (!ask_cap(c, r, cc->cap, cc->name, &v))
		return;
	if (v > 0)
		tce_result(r, TCE_LVL_PASS, NULL, "%s", cc->pass);
	else
		tce_result(r, cc->bad, cc->hint, "%s", cc->fail);
}

/*
 * KVM_CAP_SPAPR_TCE_VFIO: 1 only in HV mode (PowerNV) from late 2018 until
 * 6.15, where it became 1 on every Book3S-64 kernel (backported to 6.12.y).
 * It is necessary for the in-kernel VFIO path, not proof that a VM uses it,
 * and 0 never means "kvm_hv missing" (FACTS §1.5, §7 1.5a).
 */
void tce_chk_cap_tce_vfio(struct tce_check_ctx *c, struct tce_check_result *r)
{
	long v;
	bool pnv = c->platform == TCE_PLATFORM_POWERNV;

	if (!ask_cap(c, r, CAP_SPAPR_TCE_VFIO, "KVM_CAP_SPAPR_TCE_VFIO", &v))
		return;
	if (v > 0) {
		tce_result(r, TCE_LVL_PASS, NULL,
			   "TCE tables can be linked to VFIO groups (necessary for the in-kernel "
			   "path; list-vms tells whether a VM uses it)");
		return;
	}
	if (!pnv)
		tce_result(
		    r, TCE_LVL_WARN,
		    "use Linux 6.15 or later (6.12.y has the change too) for in-kernel TCE "
		    "handling of VFIO devices in guests of this host",
		    "TCE tables cannot be linked to VFIO here: before 6.15 only a bare-metal "
		    "(HV mode) host offers it, so every DMA map of a passed-through device "
		    "exits to QEMU");
	else
		tce_result(
		    r, TCE_LVL_WARN,
		    "check that the kernel has CONFIG_SPAPR_TCE_IOMMU and CONFIG_VFIO",
		    "TCE tables cannot be linked to VFIO: DMA maps of passed-through devices "
		    "exit to QEMU");
}

/*
 * The kvm-vfio device is not created to find out (that needs a VM: an LPID
 * and an HPT on Book3S-HV). powerpc's KVM selects KVM_VFIO whenever VFIO is
 * built, so KVM + VFIO + DEVICE_CTRL say it is there (FACTS §7 3.7a).
 */
void tce_chk_kvm_vfio_device(struct tce_check_ctx *c, struct tce_check_result *r)
{
	long v = 0;
	bool kvm = tce_ctx_kvm_present(c), vfio = tce_ctx_vfio_present(c);
	int k = kvm ? tce_kvm_check_extension(c->r, CAP_DEVICE_CTRL, &v) : -ENXIO;

	tce_evidence(r, "KVM loaded", "%s", kvm ? "yes" : "no");
	tce_evidence(r, "VFIO loaded", "%s", vfio ? "yes" : "no");
	if (k == 0)
		tce_evidence(r, "KVM_CHECK_EXTENSION(KVM_CAP_DEVICE_CTRL=89)", "%ld", v);
	if (k == -EACCES || k == -EPERM) {
		tce_result(r, TCE_LVL_UNKNOWN, "run as root", "needs root");
		return;
	}
	if (kvm && vfio && k == 0 && v > 0)
		tce_result(
		    r, TCE_LVL_INFO, NULL,
		    "available: KVM, VFIO and the device API are there (not created to test)");
	else
		tce_result(r, TCE_LVL_INFO, NULL,
			   "not available now: needs KVM, VFIO and "
			   "KVM_CAP_DEVICE_CTRL");
}
