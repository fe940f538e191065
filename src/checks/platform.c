/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Platform, CPU, MMU, kernel release and SMT checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/checks.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"

static void cpuinfo_unreadable(struct tce_check_ctx *c, struct tce_check_result *r)
{
	tce_evidence(r, PATH_PROC_CPUINFO, "%s", strerror(-c->cpuinfo_err));
	tce_result(r, TCE_LVL_UNKNOWN, NULL, "cannot read " PATH_PROC_CPUINFO ": %s",
		   c->cpuinfo_err == -ENODATA ? "not recorded" : strerror(-c->cpuinfo_err));
}

void tce_chk_platform(struct tce_check_ctx *c, struct tce_check_result *r)
{
	const struct tce_cpuinfo *ci = tce_ctx_cpuinfo(c);
	const char *machine = tce_root_machine(c->r);

	tce_evidence(r, PATH_PROC_DEVTREE, "%s",
		     c->platform == TCE_PLATFORM_NONE ? "absent" : tce_platform_name(c->platform));
	if (ci && ci->platform)
		tce_evidence(r, PATH_PROC_CPUINFO " platform", "%s", ci->platform);
	if (ci && ci->model)
		tce_evidence(r, PATH_PROC_CPUINFO " model", "%s", ci->model);
	if (!tce_ctx_is_power(c)) {
		tce_result(r, TCE_LVL_INFO, NULL, "not POWER (%s): the sPAPR checks do not apply",
			   machine ? machine : "unknown machine");
		return;
	}
	if (c->platform == TCE_PLATFORM_POWERNV ||
	    (ci && ci->platform && streq(ci->platform, "PowerNV")))
		tce_result(r, TCE_LVL_INFO, NULL, "PowerNV: a bare-metal OPAL host");
	else if (ci && ci->model && strstr(ci->model, "emulated by qemu"))
		tce_result(r, TCE_LVL_INFO, NULL, "a KVM pSeries guest (nested virtualization)");
	else if (ci && ci->platform && streq(ci->platform, "pSeries"))
		tce_result(r, TCE_LVL_INFO, NULL, "a PowerVM LPAR (pSeries)");
	else
		tce_result(r, TCE_LVL_INFO, NULL, "POWER, platform %s",
			   ci && ci->platform ? ci->platform : "unknown");
}

void tce_chk_cpu(struct tce_check_ctx *c, struct tce_check_result *r)
{
	const struct tce_cpuinfo *ci = tce_ctx_cpuinfo(c);
	const char *gen;
	char mode[64] = "";

	if (!ci) {
		cpuinfo_unreadable(c, r);
		return;
	}
	if (ci->revision)
		tce_evidence(r, PATH_PROC_CPUINFO " revision", "%s", ci->revision);
	if (ci->cpu)
		tce_evidence(r, PATH_PROC_CPUINFO " cpu", "%s", ci->cpu);
	if (!ci->has_pvr) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "no PVR in " PATH_PROC_CPUINFO);
		return;
	}
	gen = tce_pvr_generation(ci->pvr);
	/* "POWER9 (architected)": the mode an LPAR runs in (FACTS §7 4.6) */
	if (ci->cpu && strstr(ci->cpu, "(architected)")) {
		size_t n = strcspn(ci->cpu, " ,");

		snprintf(mode, sizeof(mode), "%.*s", (int)(n < 40 ? n : 40), ci->cpu);
	}
	if (mode[0] && gen && !streq(mode, gen))
		tce_result(r, TCE_LVL_INFO, NULL,
			   "%s (PVR 0x%08x), running in %s compatibility mode", gen, ci->pvr, mode);
	else
		tce_result(r, TCE_LVL_INFO, NULL, "%s (PVR 0x%08x)%s", gen ? gen : "unknown POWER",
			   ci->pvr, mode[0] ? ", architected mode" : "");
}

void tce_chk_mmu(struct tce_check_ctx *c, struct tce_check_result *r)
{
	const struct tce_cpuinfo *ci = tce_ctx_cpuinfo(c);

	if (!ci) {
		cpuinfo_unreadable(c, r);
		return;
	}
	if (!ci->mmu) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "no MMU line in " PATH_PROC_CPUINFO);
		return;
	}
	tce_evidence(r, PATH_PROC_CPUINFO " MMU", "%s", ci->mmu);
	tce_result(r, TCE_LVL_INFO, NULL, "%s", ci->mmu);
}

/*
 * Known broken ranges for VFIO on POWER (FACTS §1.8): 5.19 to 6.3 (no
 * iommu_ops after the DMA-ownership rework; fixed in 6.4), bind/unbind in 6.7
 * (fixed in 6.8), and VFIO inside an LPAR only from 6.11.
 */
void tce_chk_kernel(struct tce_check_ctx *c, struct tce_check_result *r)
{
	const char *rel = tce_root_kernel_release(c->r);
	const struct tce_cpuinfo *ci = tce_ctx_cpuinfo(c);
	bool pseries = c->platform == TCE_PLATFORM_PSERIES ||
		       (ci && ci->platform && streq(ci->platform, "pSeries"));
	int maj, min;
	long v;

	if (!rel || tce_parse_kernel_version(rel, &maj, &min) < 0) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "kernel release unknown");
		return;
	}
	tce_evidence(r, "uname release", "%s", rel);
	v = maj * 1000L + min;
	if (v >= 5019 && v < 6004)
		tce_result(r, TCE_LVL_WARN,
			   "use 6.4 or later, or a distribution kernel with the fix backported",
			   "%s: VFIO on POWER is broken from 5.19 to 6.3 (fixed in 6.4)", rel);
	else if (v == 6007)
		tce_result(
		    r, TCE_LVL_WARN,
		    "use 6.8 or later, or a 6.7 kernel with \"powerpc: iommu: Bring back table "
		    "group release_ownership() call\"",
		    "%s: binding and unbinding vfio-pci is broken in 6.7 (fixed in 6.8)", rel);
	else if (pseries && v < 6011)
		tce_result(
		    r, TCE_LVL_WARN, "use 6.11 or later to pass devices through from an LPAR",
		    "%s: VFIO on a pSeries host (an LPAR or a KVM guest) works from 6.11", rel);
	else
		tce_result(r, TCE_LVL_PASS, NULL, "%s: no known VFIO regression on POWER", rel);
}

/* "0-7,16,24-31" -> is cpu n in it? */
static bool in_ranges(const char *s, unsigned long n)
{
	while (s && *s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s)
			return false;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (n >= a && n <= b)
			return true;
		s = *end == ',' ? end + 1 : NULL;
	}
	return false;
}

static unsigned long ranges_count(const char *s)
{
	unsigned long cnt = 0;

	while (s && *s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s)
			break;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (b >= a && b - a < 65536)
			cnt += b - a + 1;
		s = *end == ',' ? end + 1 : NULL;
	}
	return cnt;
}

/*
 * kvm_hv on POWER7/POWER8 runs guests only with the host's secondary threads
 * offline (arch/powerpc/kvm/book3s_hv.c: "KVM: CPU %d seems to be stuck"
 * otherwise; the usual setup is ppc64_cpu --smt=off). POWER9 and later do not
 * need it.
 */
void tce_chk_smt(struct tce_check_ctx *c, struct tce_check_result *r)
{
	const struct tce_cpuinfo *ci = tce_ctx_cpuinfo(c);
	_cleanup_free_ char *online = NULL, *sib = NULL;
	const char *gen;
	unsigned long tpc, n, bad = 0, first = 0;

	if (!tce_module_present(tce_ctx_module(c, "kvm_hv"))) {
		tce_result(r, TCE_LVL_SKIP, NULL, "kvm_hv is not loaded");
		return;
	}
	if (!ci || !ci->has_pvr) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "CPU generation unknown");
		return;
	}
	gen = tce_pvr_generation(ci->pvr);
	if (!gen || !(strneq(gen, "POWER7", 6) || strneq(gen, "POWER8", 6))) {
		tce_result(r, TCE_LVL_SKIP, NULL, "%s runs KVM guests with SMT on",
			   gen ? gen : "this CPU");
		return;
	}
	if (tce_root_read_string(c->r, PATH_CPUS "/online", &online) < 0 ||
	    tce_root_read_string(c->r, PATH_CPUS "/cpu0/topology/thread_siblings_list", &sib) < 0) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "cannot read the online CPUs");
		return;
	}
	tce_evidence(r, PATH_CPUS "/online", "%s", online);
	tce_evidence(r, PATH_CPUS "/cpu0/topology/thread_siblings_list", "%s", sib);
	tpc = ranges_count(sib);
	if (tpc < 1 || tpc > 8) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "unexpected thread siblings '%s'", sib);
		return;
	}
	for (n = 0; n < 65536; n++) {
		if (n % tpc && in_ranges(online, n)) {
			if (!bad++)
				first = n;
		}
	}
	if (bad)
		tce_result(r, TCE_LVL_FAIL, "ppc64_cpu --smt=off (kvm_hv on POWER7/8 needs it)",
			   "%lu secondary threads online (first: cpu%lu); kvm_hv cannot run guests",
			   bad, first);
	else
		tce_result(r, TCE_LVL_PASS, NULL,
			   "secondary threads offline (%lu threads per core)", tpc);
}
