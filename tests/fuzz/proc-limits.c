/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/PID/limits (src/vm/proc.c): "Max locked memory". */
#include "fuzz.h"
#include "tceiommu/vmproc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	uint64_t soft, hard;

	(void)tce_proc_parse_memlock(buf, size, &soft, &hard);
	free(buf);
	return 0;
}
