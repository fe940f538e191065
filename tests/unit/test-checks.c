/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check-host's pure parts: cpuinfo, the PVR, libvirt's memlock figure, exit
 * status, Prometheus escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tceiommu/checks.h"
#include "tceiommu/out.h"

static const char lpar[] = "processor\t: 0\ncpu\t\t: POWER9 (architected), altivec supported\n"
			   "clock\t\t: 3450.000000MHz\nrevision\t: 2.0 (pvr 0080 0200)\n\n"
			   "processor\t: 1\ncpu\t\t: POWER9 (architected), altivec supported\n"
			   "revision\t: 2.0 (pvr 0080 0200)\n\ntimebase\t: 512000000\n"
			   "platform\t: pSeries\nmodel\t\t: IBM,9080-HEX\n"
			   "machine\t\t: CHRP IBM,9080-HEX\nMMU\t\t: Radix\n";

static void test_cpuinfo(void **state)
{
	static const char x86[] = "processor\t: 0\nmodel name\t: AMD\nmodel\t\t: 49\n";
	struct tce_cpuinfo c;

	(void)state;
	assert_int_equal(tce_cpuinfo_parse(lpar, strlen(lpar), &c), 0);
	assert_int_equal(c.processors, 2);
	assert_true(c.has_pvr);
	assert_int_equal(c.pvr, 0x00800200);
	assert_string_equal(tce_pvr_generation(c.pvr), "POWER10");
	assert_string_equal(c.cpu, "POWER9 (architected), altivec supported");
	assert_string_equal(c.platform, "pSeries");
	assert_string_equal(c.model, "IBM,9080-HEX");
	assert_string_equal(c.mmu, "Radix");
	tce_cpuinfo_done(&c);

	/* truncated in the middle of the revision line: no PVR, no crash */
	assert_int_equal(tce_cpuinfo_parse(lpar, 95, &c), 0);
	assert_false(c.has_pvr);
	assert_null(c.platform);
	tce_cpuinfo_done(&c);
	assert_int_equal(tce_cpuinfo_parse("", 0, &c), 0);
	assert_int_equal(c.processors, 0);
	tce_cpuinfo_done(&c);
	/* x86: no platform, no PVR; "model name" is not "model" */
	assert_int_equal(tce_cpuinfo_parse(x86, strlen(x86), &c), 0);
	assert_false(c.has_pvr);
	assert_string_equal(c.model, "49");
	tce_cpuinfo_done(&c);
	assert_int_equal(tce_cpuinfo_parse("revision\t: 2.2 (pvr zzzz 1202)\n", 31, &c), 0);
	assert_false(c.has_pvr);
	tce_cpuinfo_done(&c);
}

static void test_pvr(void **state)
{
	(void)state;
	assert_string_equal(tce_pvr_generation(0x004e1202), "POWER9");
	assert_string_equal(tce_pvr_generation(0x004b0201), "POWER8E");
	assert_string_equal(tce_pvr_generation(0x004d0200), "POWER8");
	assert_string_equal(tce_pvr_generation(0x003f0201), "POWER7");
	assert_string_equal(tce_pvr_generation(0x00820200), "POWER11");
	assert_null(tce_pvr_generation(0x12345678));
}

/* libvirt's own expectations (tests/qemumemlocktest.c, qemumemlockdata/
 * pseries-*.xml: 1 GiB of memory): pseries-kvm 20971520 bytes with one PHB and
 * no hostdev; pseries-hostdev 2168455168 with one PHB (older libvirt) and
 * 4320133120 with two (newer libvirt puts the hostdev on its own PHB). */
static void test_libvirt_memlock(void **state)
{
	unsigned long long gib = 1ULL << 30;

	(void)state;
	assert_true(tce_libvirt_ppc64_memlock(gib, 0, 1, false) == 20971520ULL);
	assert_true(tce_libvirt_ppc64_memlock(gib, 0, 1, true) == 2168455168ULL);
	assert_true(tce_libvirt_ppc64_memlock(gib, 0, 2, true) == 4320133120ULL);
	/* maxMemory feeds the hash-table part only */
	assert_true(tce_libvirt_ppc64_memlock(gib, 4 * gib, 1, false) ==
		    (4 * gib / 1024 / 128 + 4096 + 8192) * 1024);
	/* big guests: memory + memory/512 per PHB + 8 MiB wins over 2 GiB per PHB */
	assert_true(tce_libvirt_ppc64_memlock(64 * gib, 0, 1, true) ==
		    ((64 * gib >> 10) / 128 + 4096 + 8192 + (64 * gib >> 10) +
		     (64 * gib >> 10) / 512 + 8192)
			<< 10);
}

static void test_exit_status(void **state)
{
	struct tce_check_result r[3] = { 0 };

	(void)state;
	r[0].level = TCE_LVL_SKIP;
	r[1].level = TCE_LVL_SKIP;
	r[2].level = TCE_LVL_SKIP;
	assert_int_equal(tce_checks_exit_status(r, 3), 3); /* nothing evaluated */
	r[0].level = TCE_LVL_PASS;
	r[1].level = TCE_LVL_INFO;
	assert_int_equal(tce_checks_exit_status(r, 3), 0);
	r[2].level = TCE_LVL_UNKNOWN;
	assert_int_equal(tce_checks_exit_status(r, 3), 3);
	r[1].level = TCE_LVL_WARN;
	assert_int_equal(tce_checks_exit_status(r, 3), 1);
	r[0].level = TCE_LVL_FAIL;
	assert_int_equal(tce_checks_exit_status(r, 3), 2);
	assert_int_equal(tce_checks_exit_status(r, 0), 3);
}

static void test_prometheus_escape(void **state)
{
	char *s = tce_escape_prometheus("a\"b\\c\nd");

	(void)state;
	assert_string_equal(s, "a\\\"b\\\\c\\nd");
	free(s);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < tce_n_checks; i++) {
		assert_non_null(tce_checks[i].fn);
		assert_non_null(strchr("PWFUIS", tce_checks[i].when_bad[0]));
		for (size_t j = 0; j < i; j++)
			assert_true(strcmp(tce_checks[i].id, tce_checks[j].id) != 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuinfo),		  cmocka_unit_test(test_pvr),
		cmocka_unit_test(test_libvirt_memlock),	  cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_prometheus_escape), cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
