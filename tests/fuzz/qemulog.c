/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU's log: the TCE/VFIO failure lines and the LIOBN each names (src/vm/qemulog.c). */
#include "fuzz.h"
#include "tceiommu/util.h"
#include "tceiommu/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	char **lines = tce_qemu_log_scan(buf, size);
	uint32_t liobn;

	for (char **l = lines; l && *l; l++)
		(void)tce_qemu_log_liobn(*l, &liobn);
	strv_free(lines);
	free(buf);
	return 0;
}
