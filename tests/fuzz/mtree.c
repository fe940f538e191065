/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's "info mtree -f" text (src/vm/qom.c tce_mtree_parse): the enabled
 * tce-iommu-<liobn> regions, matched to a VM's windows. The VM has the
 * default PHB's two windows, as list-vms knows them before asking QEMU.
 */
#include "fuzz.h"
#include "tceiommu/vm.h"
#include "tceiommu/vmproc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	struct tce_vm vm = { 0 };
	struct tce_vm_phb *p = tce_vm_phb_get(&vm, 0);

	if (p) {
		(void)tce_vm_window_get(p, tce_spapr_pci_liobn(0, 0));
		(void)tce_vm_window_get(p, tce_spapr_pci_liobn(0, 1));
	}
	(void)tce_mtree_parse(text, &vm);
	tce_vm_done(&vm);
	free(text);
	return 0;
}
