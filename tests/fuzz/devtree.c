/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device-tree properties (src/host/devtree.c): the first two bytes are the
 * #address-cells and #size-cells (0..7, so invalid counts are tried too),
 * the rest is one property's raw bytes, given to every parser.
 */
#include "fuzz.h"
#include "tceiommu/devtree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned ac = fuzz_byte(&in) & 7, sc = fuzz_byte(&in) & 7;
	char *buf = fuzz_dup(in.p, in.n), *s = NULL;
	uint64_t a, b, v;
	uint32_t liobn, ts, ws;
	const char *model;
	int ioda;

	for (size_t at = 0; at <= in.n / 4 + 1; at++)
		(void)tce_dt_number(buf, in.n, at, ac, &v);
	(void)tce_dt_parse_dma_window(buf, in.n, ac, sc, &liobn, &a, &b);
	(void)tce_dt_parse_ddw_info(buf, in.n, &liobn, &a, &ts, &ws);
	(void)tce_dt_parse_tce_sizes(buf, in.n, &v);
	(void)tce_dt_parse_m32_pci_base(buf, in.n, ac, sc, &v);
	(void)tce_dt_phb_model(buf, in.n, &model, &ioda);
	(void)tce_dt_strlist_has(buf, in.n, "ibm,ioda2-phb");
	(void)tce_dt_strlist_has(buf, in.n, "");
	if (tce_dt_string(buf, in.n, &s) == 0)
		free(s);
	free(buf);
	return 0;
}
