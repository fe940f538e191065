/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The column table and -o parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tceiommu/columns.h"
#include "tceiommu/host.h"

static void test_names(void **state)
{
	(void)state;
	for (int i = 0; i < TCE_N_COLUMNS; i++) {
		assert_non_null(tce_columns[i].name);
		assert_non_null(tce_columns[i].help);
		assert_int_equal(
		    tce_column_by_name(tce_columns[i].name, strlen(tce_columns[i].name)), i);
		for (int j = 0; j < i; j++)
			assert_true(strcmp(tce_columns[i].name, tce_columns[j].name) != 0);
	}
	assert_int_equal(tce_column_by_name("ddw_max", 7), COL_DDW_MAX);
	assert_int_equal(tce_column_by_name("Driver", 6), COL_DRIVER);
	assert_int_equal(tce_column_by_name("DRIVERS", 7), -1);
	assert_int_equal(tce_column_by_name("", 0), -1);
}

static void test_parse(void **state)
{
	int ids[8] = { COL_GROUP, COL_VIABLE };
	size_t n = 2;

	(void)state;
	assert_int_equal(tce_columns_parse("+driver,loc", ids, 8, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(ids[2], COL_DRIVER);
	assert_int_equal(ids[3], COL_LOC);
	assert_int_equal(tce_columns_parse("BDF,DRIVER", ids, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], COL_BDF);
	assert_int_equal(tce_columns_parse("BDF,NOPE", ids, 8, &n), -EINVAL);
	assert_int_equal(tce_columns_parse("", ids, 8, &n), -EINVAL);
	assert_int_equal(tce_columns_parse("BDF,BDF,BDF", ids, 2, &n), -E2BIG);
}

/* FACTS §3.1a: the kernel's viability rule per driver and kernel range. */
static void test_viability_rule(void **state)
{
	(void)state;
	assert_false(tce_driver_claims_dma(NULL, false, true));
	assert_false(tce_driver_claims_dma("vfio-pci", false, true));
	assert_false(tce_driver_claims_dma("mlx5_vfio_pci", false, true));
	assert_false(tce_driver_claims_dma("nvgrace_gpu_vfio_pci", false, true));
	assert_false(tce_driver_claims_dma("pci-stub", false, true));
	assert_false(tce_driver_claims_dma("pcieport", true, true));
	assert_true(tce_driver_claims_dma("e1000e", false, true));
	assert_true(tce_driver_claims_dma("vfio_pci", false, true)); /* not a real name */
	/* before 5.19: a bridge header keeps the group viable whatever its driver */
	assert_false(tce_driver_claims_dma("shpchp", true, false));
	assert_true(tce_driver_claims_dma("shpchp", true, true));
	assert_true(tce_driver_claims_dma("pcieport", false, false));
	assert_true(tce_driver_claims_dma("nvme", false, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_viability_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
