/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A libvirt domain's XML (src/vm/libvirt.c tce_libvirt_parse_domain_xml,
 * through the dlopen()ed libxml2): name, uuid, machine, accel, RAM, PHBs,
 * hostdevs, memlock settings; then the VM is decided as list-vms would.
 */
#include "fuzz.h"
#include "tceiommu/vm.h"
#include "tceiommu/vmproc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *xml = fuzz_dup(data, size);
	struct tce_vm vm = { 0 };

	if (tce_libvirt_parse_domain_xml(xml, size, &vm) == 0) {
		tce_vm_mark_vfio_phbs(&vm);
		tce_vm_decide(&vm, 65536, TCE_YES);
	}
	tce_vm_done(&vm);
	free(xml);
	return 0;
}
