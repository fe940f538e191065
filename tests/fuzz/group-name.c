/* SPDX-License-Identifier: GPL-2.0-or-later */
/* powerpc's IOMMU group names "domainD-peP" (src/util/util.c), as sysfs reads them. */
#include "fuzz.h"
#include "tceiommu/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	uint32_t dom;
	uint64_t pe;

	(void)tce_parse_group_name(s, &dom, &pe);
	free(s);
	return 0;
}
