/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A snapshot's probe sidecar (src/host/probe.c tce_probe_store_load), read
 * from a memfd into a root over an empty directory, then asked what
 * list-groups and check-host ask: module states (src/host/modules.c, the
 * tool's /proc/modules), KVM capabilities, the VFIO container, hwdb names,
 * the holders of a group.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "tceiommu/hostinfo.h"
#include "tceiommu/probe.h"
#include "tceiommu/root.h"
#include "tceiommu/util.h"

static void ask(struct tce_root *r, const char *kind, const char *key)
{
	char **v = NULL;

	if (tce_probe(r, kind, key, &v) == 0)
		strv_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const modules[] = { "kvm_hv", "kvm_pr", "vfio", "vfio_pci",
					       "vfio_iommu_spapr_tce" };
	/* what the snapshots in tests/data hold */
	static const unsigned caps[] = { 63, 89, 94, 104, 125, 142 };
	static const char *const vfio[] = { "api", "ext:2", "ext:3", "ext:5", "ext:7" };
	struct tce_root *r = NULL;
	const char *dir = fuzz_empty_dir();
	struct tce_module m;
	long v;
	int fd;

	if (!dir || tce_root_new(dir, &r) < 0)
		abort();
	fd = memfd_create("probes", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || lseek(fd, 0, SEEK_SET))
		abort();
	if (tce_probe_store_load(tce_root_probes(r), fd) == 0) { /* takes the fd */
		for (size_t i = 0; i < ARRAY_SIZE(modules); i++)
			(void)tce_module_state(r, modules[i], &m);
		(void)tce_kvm_open(r);
		for (size_t i = 0; i < ARRAY_SIZE(caps); i++)
			(void)tce_kvm_check_extension(r, caps[i], &v);
		for (size_t i = 0; i < ARRAY_SIZE(vfio); i++)
			(void)tce_vfio_container_ask(r, vfio[i], &v);
		ask(r, "hwdb", "pci:v00008086d000010FB");
		ask(r, "vfio-holders", "0");
		ask(r, "vfio-holders", "1");
		ask(r, "qmp-peer", "x");
	}
	tce_root_free(r);
	return 0;
}
