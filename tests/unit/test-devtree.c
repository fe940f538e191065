/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device-tree property parsers on real layouts and hostile input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tceiommu/devtree.h"

static size_t cells(unsigned char *buf, const uint32_t *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf[4 * i] = (unsigned char)(c[i] >> 24);
		buf[4 * i + 1] = (unsigned char)(c[i] >> 16);
		buf[4 * i + 2] = (unsigned char)(c[i] >> 8);
		buf[4 * i + 3] = (unsigned char)c[i];
	}
	return 4 * n;
}

static void test_number(void **state)
{
	unsigned char b[16];
	uint32_t c[] = { 0x12345678, 0x9abcdef0, 1 };
	size_t len = cells(b, c, 3);
	uint64_t v = 5;

	(void)state;
	assert_int_equal(tce_dt_number(b, len, 0, 2, &v), 0);
	assert_true(v == 0x123456789abcdef0ULL);
	assert_int_equal(tce_dt_number(b, len, 2, 1, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(tce_dt_number(b, len, 2, 2, &v), -EINVAL);
	assert_int_equal(tce_dt_number(b, 7, 1, 1, &v), -EINVAL);
	assert_int_equal(tce_dt_number(b, len, 0, 3, &v), 0); /* low 64 bits */
	assert_true(v == 0x9abcdef000000001ULL);
	assert_int_equal(tce_dt_number(b, len, 0, 5, &v), -EINVAL);
	assert_int_equal(tce_dt_number(b, 0, 0, 1, &v), -EINVAL);
	assert_int_equal(tce_dt_number(b, len, SIZE_MAX, 1, &v), -EINVAL);
}

static void test_strings(void **state)
{
	const char compat[] = "ibm,power9-pciex\0ibm,ioda3-phb";
	char *s = NULL;

	(void)state;
	assert_true(tce_dt_strlist_has(compat, sizeof(compat), "ibm,ioda3-phb"));
	assert_true(tce_dt_strlist_has(compat, sizeof(compat), "ibm,power9-pciex"));
	assert_false(tce_dt_strlist_has(compat, sizeof(compat), "ibm,power9"));
	/* last string without its NUL (a truncated property) still matches whole */
	assert_true(tce_dt_strlist_has(compat, sizeof(compat) - 1, "ibm,ioda3-phb"));
	assert_false(tce_dt_strlist_has(compat, 5, "ibm,power9-pciex"));
	assert_int_equal(tce_dt_string("U78D2-P1\0", 9, &s), 0);
	assert_string_equal(s, "U78D2-P1");
	free(s);
	assert_int_equal(tce_dt_string("abc", 3, &s), -EINVAL);	   /* no NUL */
	assert_int_equal(tce_dt_string("a\0b\0", 4, &s), -EINVAL); /* a list */
	assert_int_equal(tce_dt_string("", 0, &s), -EINVAL);
}

static void test_dma_window(void **state)
{
	unsigned char b[32];
	/* QEMU spapr_dma_dt: liobn, 2 address cells, 2 size cells */
	uint32_t c[] = { 0x80000100, 0, 0, 0, 0x40000000 };
	uint32_t liobn = 0;
	uint64_t start = 1, size = 0;
	size_t len = cells(b, c, 5);

	(void)state;
	assert_int_equal(tce_dt_parse_dma_window(b, len, 2, 2, &liobn, &start, &size), 0);
	assert_int_equal(liobn, 0x80000100);
	assert_int_equal(start, 0);
	assert_int_equal(size, 0x40000000);
	assert_int_equal(tce_dt_parse_dma_window(b, 7, 2, 2, &liobn, &start, &size), -EINVAL);
	assert_int_equal(tce_dt_parse_dma_window(b, 16, 2, 2, &liobn, &start, &size), -EINVAL);
	assert_int_equal(tce_dt_parse_dma_window(b, len, 1, 1, &liobn, &start, &size), 0);
	assert_int_equal(tce_dt_parse_dma_window(b, len, 3, 2, &liobn, &start, &size), -EINVAL);
}

static void test_ddw_info(void **state)
{
	unsigned char b[32];
	uint32_t c[] = { 0x80000001, 0, 0x08000000, 0, 16, 40 };
	uint32_t liobn, ts, ws;
	uint64_t base;
	size_t len = cells(b, c, 6);

	(void)state;
	assert_int_equal(tce_dt_parse_ddw_info(b, len, &liobn, &base, &ts, &ws), 0);
	assert_int_equal(liobn, 0x80000001);
	assert_true(base == 0x0800000000000000ULL);
	assert_int_equal(ts, 16);
	assert_int_equal(ws, 40);
	assert_int_equal(tce_dt_parse_ddw_info(b, 20, &liobn, &base, &ts, &ws), -EINVAL);
	c[4] = 70; /* tce shift out of range */
	cells(b, c, 6);
	assert_int_equal(tce_dt_parse_ddw_info(b, len, &liobn, &base, &ts, &ws), -EINVAL);
	c[4] = 16;
	c[5] = 12; /* window smaller than a page */
	cells(b, c, 6);
	assert_int_equal(tce_dt_parse_ddw_info(b, len, &liobn, &base, &ts, &ws), -EINVAL);
}

static void test_tce_sizes(void **state)
{
	unsigned char b[32];
	uint32_t c[] = { 12, 16, 21, 30, 64, 0xffffffff };
	uint64_t v = 0;

	(void)state;
	assert_int_equal(tce_dt_parse_tce_sizes(b, cells(b, c, 4), &v), 0);
	assert_true(v == 0x40211000ULL); /* E2E §4b: 4K|64K|2M|1G */
	assert_int_equal(tce_dt_parse_tce_sizes(b, cells(b, c, 6), &v), 0);
	assert_true(v == 0x40211000ULL); /* shifts that do not fit are skipped */
	assert_int_equal(tce_dt_parse_tce_sizes(b, 0, &v), -EINVAL);
	assert_int_equal(tce_dt_parse_tce_sizes(b, 6, &v), -EINVAL);
}

static void test_m32(void **state)
{
	unsigned char b[64];
	/* a 64-bit entry first, then the 32-bit one at PCI 0x80000000 */
	uint32_t c[] = { 0x43000000, 0x6000, 0,		 0x6000, 0,	     0x10, 0,
			 0x02000000, 0,	     0x80000000, 0x6000, 0xc0000000, 0,	   0x7fff0000 };
	uint64_t v = 0;
	size_t len = cells(b, c, 14);

	(void)state;
	assert_int_equal(tce_dt_parse_m32_pci_base(b, len, 2, 2, &v), 0);
	assert_int_equal(v, 0x80000000);
	assert_int_equal(tce_dt_parse_m32_pci_base(b, 28, 2, 2, &v), -ENOENT);
	assert_int_equal(tce_dt_parse_m32_pci_base(b, len - 4, 2, 2, &v), -ENOENT);
	assert_int_equal(tce_dt_parse_m32_pci_base(b, 30, 2, 2, &v), -EINVAL);
	assert_int_equal(tce_dt_parse_m32_pci_base(b, len, 0, 2, &v), -EINVAL);
}

static void test_phb_model(void **state)
{
	const char *m = NULL;
	int ioda = -1;

	(void)state;
	assert_true(tce_dt_phb_model("ibm,power9-pciex\0ibm,ioda3-phb", 31, &m, &ioda));
	assert_string_equal(m, "PHB4");
	assert_int_equal(ioda, 3);
	assert_true(tce_dt_phb_model("ibm,power8-pciex\0ibm,ioda2-phb", 31, &m, &ioda));
	assert_string_equal(m, "PHB3");
	assert_int_equal(ioda, 2);
	assert_true(tce_dt_phb_model("ibm,power10-pciex\0ibm,ioda3-phb", 32, &m, &ioda));
	assert_string_equal(m, "PHB5");
	assert_true(tce_dt_phb_model("ibm,p7ioc-pciex\0ibm,ioda-phb", 28, &m, &ioda));
	assert_string_equal(m, "P7IOC");
	assert_int_equal(ioda, 1);
	assert_true(tce_dt_phb_model("ibm,power9-npu-pciex\0ibm,ioda2-npu2-phb", 40, &m, &ioda));
	assert_string_equal(m, "NPU");
	assert_true(tce_dt_phb_model("vendor,new-pciex\0ibm,ioda3-phb", 31, &m, &ioda));
	assert_string_equal(m, "unknown");
	assert_false(tce_dt_phb_model("IBM,Logical_PHB", 16, &m, &ioda));
	assert_false(tce_dt_phb_model("", 0, &m, &ioda));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number),	   cmocka_unit_test(test_strings),
		cmocka_unit_test(test_dma_window), cmocka_unit_test(test_ddw_info),
		cmocka_unit_test(test_tce_sizes),  cmocka_unit_test(test_m32),
		cmocka_unit_test(test_phb_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
