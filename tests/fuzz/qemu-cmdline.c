/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A QEMU's /proc/PID/cmdline (src/vm/proc.c): NUL-separated arguments into
 * the VM (name, machine, accel, RAM, PHBs, devices), then the PHBs' VFIO
 * marks; and QEMU's size syntax on the whole input as one string.
 */
#include "fuzz.h"
#include "tceiommu/vm.h"
#include "tceiommu/vmproc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size), *s = fuzz_strndup(data, size);
	struct tce_vm vm = { 0 };
	uint64_t v;

	if (tce_qemu_parse_cmdline(buf, size, &vm) == 0)
		tce_vm_mark_vfio_phbs(&vm);
	tce_vm_done(&vm);
	(void)tce_qemu_parse_size(s, 1, &v);
	(void)tce_qemu_parse_size(s, 1u << 20, &v);
	free(s);
	free(buf);
	return 0;
}
