/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/PID/maps (src/vm/proc.c): every anon_inode:kvm-spapr-tce mapping's length. */
#include "fuzz.h"
#include "tceiommu/vmproc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	uint64_t *lens = NULL;
	size_t n = 0;

	if (tce_proc_parse_tce_maps(buf, size, &lens, &n) == 0)
		free(lens);
	free(buf);
	return 0;
}
