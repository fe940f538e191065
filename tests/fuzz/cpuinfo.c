/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/cpuinfo (src/host/cpuinfo.c), and the PVR's generation. */
#include "fuzz.h"
#include "tceiommu/hostinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	struct tce_cpuinfo c = { 0 };

	if (tce_cpuinfo_parse(buf, size, &c) == 0) {
		if (c.has_pvr)
			(void)tce_pvr_generation(c.pvr);
		tce_cpuinfo_done(&c);
	}
	free(buf);
	return 0;
}
