/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysfs values (src/util/util.c): numbers in every base, PCI addresses,
 * kernel releases, the snapshot's percent-escaping (and its round trip),
 * errno names. The first byte picks the base; the rest is the value.
 */
#include "fuzz.h"
#include "tceiommu/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static const int bases[] = { 0, 10, 16, 8 };
	int base = bases[fuzz_byte(&in) & 3];
	char *s = fuzz_strndup(in.p, in.n), *u = NULL, *e;
	uint64_t v;
	int64_t sv;
	struct tce_bdf bdf, pat;
	int maj, min;
	char sz[32];

	if (tce_parse_u64(s, base, &v) == 0)
		tce_format_size(v, sz, sizeof(sz));
	(void)tce_parse_s64(s, base, &sv);
	if (tce_parse_bdf(s, true, &pat) == 0 && tce_parse_bdf(s, false, &bdf) == 0 &&
	    !tce_bdf_match(&pat, &bdf))
		abort();
	(void)tce_parse_kernel_version(s, &maj, &min);
	(void)tce_all_digits(s);
	(void)tce_errno_from_name(s);
	if (tce_percent_unescape(s, &u) == 0)
		free(u);
	/* what is escaped unescapes to itself */
	e = tce_percent_escape(s);
	if (e) {
		if (tce_percent_unescape(e, &u) < 0 || strcmp(u, s) != 0)
			abort();
		free(u);
		free(e);
	}
	free(s);
	return 0;
}
