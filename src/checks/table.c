/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The check table and what the checks share. virt-host-validate prints from
 * inside its checks and cannot be tested or rendered twice; here a check only
 * fills a result (STYLE.md §4, §7.8).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/checks.h"
#include "tceiommu/devtree.h"
#include "tceiommu/host.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"

#define ALL TCE_APPLIES_ALL
#define PWR TCE_APPLIES_POWER
#define PNV TCE_APPLIES_POWERNV
#define LVT TCE_APPLIES_LIBVIRT

const struct tce_check tce_checks[] = {
	{ "platform", "platform", ALL, false, "INFO", tce_chk_platform },
	{ "cpu.generation", "CPU generation", PWR, false, "INFO", tce_chk_cpu },
	{ "cpu.mmu", "MMU mode", PWR, false, "INFO", tce_chk_mmu },
	{ "kernel.vfio", "kernel release for VFIO on POWER", PWR, false, "WARN", tce_chk_kernel },
	{ "kvm.device", PATH_DEV_KVM, ALL, true, "FAIL", tce_chk_kvm_device },
	{ "kvm.flavour", "KVM flavour (kvm_hv, kvm_pr)", PWR, false, "FAIL", tce_chk_kvm_flavour },
	{ "kvm.cap.spapr_tce", "KVM_CAP_SPAPR_TCE", ALL, true, "FAIL", tce_chk_cap },
	{ "kvm.cap.spapr_tce_64", "KVM_CAP_SPAPR_TCE_64", ALL, true, "WARN", tce_chk_cap },
	{ "kvm.cap.spapr_multitce", "KVM_CAP_SPAPR_MULTITCE", ALL, true, "WARN", tce_chk_cap },
	{ "kvm.cap.spapr_tce_vfio", "KVM_CAP_SPAPR_TCE_VFIO", ALL, true, "WARN",
	  tce_chk_cap_tce_vfio },
	{ "kvm.cap.ppc_enable_hcall", "KVM_CAP_PPC_ENABLE_HCALL", ALL, true, "WARN", tce_chk_cap },
	{ "kvm.cap.device_ctrl", "KVM_CAP_DEVICE_CTRL", ALL, true, "FAIL", tce_chk_cap },
	{ "kvm.vfio_device", "kvm-vfio device", ALL, true, "INFO", tce_chk_kvm_vfio_device },
	{ "iommu.groups", "IOMMU groups", ALL, false, "FAIL", tce_chk_iommu_groups },
	{ "vfio.modules", "VFIO modules", ALL, false, "FAIL", tce_chk_vfio_modules },
	{ "vfio.container", PATH_DEV_VFIO_CONTAINER, ALL, false, "FAIL", tce_chk_vfio_container },
	{ "vfio.backend.spapr_v2", "VFIO sPAPR TCE v2 backend", PWR, false, "FAIL",
	  tce_chk_vfio_spapr_v2 },
	{ "vfio.eeh", "VFIO EEH support", PWR, false, "WARN", tce_chk_vfio_eeh },
	{ "vfio.noiommu", "VFIO no-IOMMU mode", ALL, false, "WARN", tce_chk_vfio_noiommu },
	{ "vfio.viable", "viability of VFIO-bound groups", ALL, false, "FAIL",
	  tce_chk_vfio_viable },
	{ "memlock.self", "locked-memory limit of this process", ALL, false, "INFO",
	  tce_chk_memlock_self },
	{ "memlock.libvirt", "memlock limit of libvirt domains with VFIO", LVT, false, "WARN",
	  tce_chk_memlock_libvirt },
	{ "memlock.qemu", "locked memory of running QEMU processes with VFIO", ALL, false, "WARN",
	  tce_chk_memlock_qemu },
	{ "hugepages", "huge pages", ALL, false, "INFO", tce_chk_hugepages },
	{ "cpu.smt", "SMT for kvm_hv on POWER7/POWER8", PNV, false, "FAIL", tce_chk_smt },
	{ "libvirt.vfio", "libvirt with the VFIO hostdev backend", LVT, false, "WARN",
	  tce_chk_libvirt },
};
const size_t tce_n_checks = ARRAY_SIZE(tce_checks);

const char *tce_level_name(enum tce_level l)
{
	static const char *const n[] = { "PASS", "INFO", "SKIP", "UNKNOWN", "WARN", "FAIL" };

	return (size_t)l < ARRAY_SIZE(n) ? n[l] : "UNKNOWN";
}

void tce_check_ctx_init(struct tce_check_ctx *c, struct tce_root *r, const char *connect)
{
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->connect = connect;
	c->live = tce_root_is_live(r);
	c->platform = tce_dt_platform(r);
}

void tce_check_ctx_done(struct tce_check_ctx *c)
{
	tce_cpuinfo_done(&c->cpu);
	tce_host_free(c->groups);
	tce_libvirt_ctx_done(c);
	memset(c, 0, sizeof(*c));
}

void tce_check_result_done(struct tce_check_result *r)
{
	free(r->message);
	free(r->hint);
	for (size_t i = 0; i < r->n_evidence; i++) {
		free(r->evidence[i].source);
		free(r->evidence[i].value);
	}
	free(r->evidence);
	memset(r, 0, sizeof(*r));
}

void tce_result(struct tce_check_result *r, enum tce_level l, const char *hint, const char *fmt,
		...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	free(r->message);
	free(r->hint);
	r->level = l;
	r->message = s;
	r->hint = hint ? strdup(hint) : NULL;
}

void tce_evidence(struct tce_check_result *r, const char *source, const char *fmt, ...)
{
	va_list ap;
	char *v;
	struct tce_evidence *e;

	va_start(ap, fmt);
	v = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	e = realloc(r->evidence, (r->n_evidence + 1) * sizeof(*e));
	if (!e || !v) {
		free(v);
		if (e)
			r->evidence = e;
		return;
	}
	r->evidence = e;
	e[r->n_evidence].source = strdup(source);
	e[r->n_evidence].value = v;
	r->n_evidence++;
}

const struct tce_cpuinfo *tce_ctx_cpuinfo(struct tce_check_ctx *c)
{
	if (!c->cpuinfo_read) {
		_cleanup_free_ char *buf = NULL;
		size_t len;

		c->cpuinfo_read = true;
		c->cpuinfo_err = tce_root_read(c->r, PATH_PROC_CPUINFO, 4 << 20, &buf, &len);
		if (c->cpuinfo_err == 0)
			(void)tce_cpuinfo_parse(buf, len, &c->cpu);
	}
	return c->cpuinfo_err == 0 ? &c->cpu : NULL;
}

const struct tce_module *tce_ctx_module(struct tce_check_ctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c->mods) && c->mods[i].name; i++)
		if (streq(c->mods[i].name, name))
			return &c->mods[i].m;
	if (i == ARRAY_SIZE(c->mods))
		i = ARRAY_SIZE(c->mods) - 1; /* never reached with the modules we ask */
	c->mods[i].name = name;
	(void)tce_module_state(c->r, name, &c->mods[i].m);
	return &c->mods[i].m;
}

const struct tce_host *tce_ctx_groups(struct tce_check_ctx *c)
{
	if (!c->groups_read) {
		struct tce_collect_opts o = { 0 };

		c->groups_read = true;
		c->groups_err = tce_host_collect_groups(c->r, &o, &c->groups);
	}
	return c->groups;
}

bool tce_ctx_is_power(struct tce_check_ctx *c)
{
	const struct tce_cpuinfo *ci;

	if (c->platform != TCE_PLATFORM_NONE)
		return true;
	ci = tce_ctx_cpuinfo(c);
	return ci && ci->platform &&
	       (streq(ci->platform, "PowerNV") || streq(ci->platform, "pSeries"));
}

bool tce_ctx_kvm_present(struct tce_check_ctx *c)
{
	/* kvm.ko registers /dev/kvm itself, on Book3S too (book3s.c
	 * kvmppc_book3s_init -> kvm_init): seen in a plain pSeries guest of
	 * Debian's 6.1 and 6.12, where kvm_hv cannot load and kvm_pr is not
	 * built, yet /dev/kvm answers KVM_CHECK_EXTENSION. With kvm.ko loaded,
	 * opening it loads nothing; only creating a VM would ask for kvm-hv. */
	return tce_module_present(tce_ctx_module(c, "kvm"));
}

bool tce_ctx_vfio_present(struct tce_check_ctx *c)
{
	return tce_module_present(tce_ctx_module(c, "vfio"));
}

static bool applies(struct tce_check_ctx *c, const struct tce_check *chk, const char **why)
{
	switch (chk->applies) {
	case TCE_APPLIES_POWER:
		*why = "not a POWER host";
		return tce_ctx_is_power(c);
	case TCE_APPLIES_POWERNV:
		*why = "not a bare-metal PowerNV host";
		if (c->platform == TCE_PLATFORM_POWERNV)
			return true;
		{
			const struct tce_cpuinfo *ci = tce_ctx_cpuinfo(c);

			return ci && ci->platform && streq(ci->platform, "PowerNV");
		}
	case TCE_APPLIES_LIBVIRT:
#ifndef WITH_LIBVIRT
		*why = "built without libvirt";
		return false;
#else
		*why = "libvirt is asked only on the live host, not under --root";
		return c->live;
#endif
	case TCE_APPLIES_ALL:
	default:
		return true;
	}
}

void tce_checks_start(struct tce_check_ctx *c, const bool *selected)
{
	tce_check_fn *lv[ARRAY_SIZE(tce_checks)];
	const char *why;
	size_t n = 0;

	for (size_t i = 0; i < tce_n_checks; i++)
		if (selected[i] && tce_checks[i].applies == TCE_APPLIES_LIBVIRT &&
		    applies(c, &tce_checks[i], &why))
			lv[n++] = tce_checks[i].fn;
	if (n)
		tce_libvirt_start(c, lv, n);
}

void tce_check_run(struct tce_check_ctx *c, const struct tce_check *chk, struct tce_check_result *r)
{
	const char *why = NULL;

	memset(r, 0, sizeof(*r));
	r->check = chk;
	if (!applies(c, chk, &why)) {
		tce_result(r, TCE_LVL_SKIP, NULL, "not applicable: %s", why);
		return;
	}
	chk->fn(c, r);
	if (!r->message)
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "no result");
}

int tce_checks_exit_status(const struct tce_check_result *res, size_t n)
{
	bool warn = false, unknown = false, evaluated = false;

	for (size_t i = 0; i < n; i++) {
		if (res[i].level == TCE_LVL_FAIL)
			return 2;
		warn |= res[i].level == TCE_LVL_WARN;
		unknown |= res[i].level == TCE_LVL_UNKNOWN;
		evaluated |= res[i].level != TCE_LVL_SKIP;
	}
	/* a run that evaluated nothing (only SKIPs) never reads as healthy */
	return warn ? 1 : unknown || !evaluated ? 3 : 0;
}
