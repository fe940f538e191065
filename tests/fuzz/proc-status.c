/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/PID/status (src/vm/proc.c): Name, VmLck, CapEff. */
#include "fuzz.h"
#include "tceiommu/vmproc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	struct tce_proc_status st;

	(void)tce_proc_parse_status(buf, size, &st);
	free(buf);
	return 0;
}
