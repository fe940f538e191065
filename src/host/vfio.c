/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * list-groups --probe: the exact TCE window figures of an idle, viable VFIO
 * group from the kernel (FACTS §2.4): open the group (one opener at a time:
 * EBUSY means a VM holds it, and it is reported, never forced), check that it
 * is viable, attach it to a new container, VFIO_SET_IOMMU(sPAPR TCE v2), and
 * ask VFIO_IOMMU_SPAPR_TCE_GET_INFO with the full argsz, trusting the DDW
 * fields only when the DDW flag is set (older kernels fill only the 32-bit
 * window). Nothing is mapped, registered or locked; closing the container
 * and the group hands the PE back to the kernel (release_ownership). Every
 * path closes what it opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"
#include "tceiommu/vfio.h"

int tce_vfio_probe_group(uint64_t group, struct tce_vfio_probe *p)
{
	char path[64];
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_iommu_spapr_tce_info info;
	_cleanup_close_ int gfd = -1, cfd = -1;
	bool attached = false;
	int k = 0;

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), PATH_DEV_VFIO "/%" PRIu64, group);
	gfd = open(path, O_RDWR | O_CLOEXEC);
	if (gfd < 0) {
		p->step = "open group";
		return -errno; /* EBUSY: held by a VM; ENODEV: no VFIO driver */
	}
	if (ioctl(gfd, VFIO_GROUP_GET_STATUS, &status) < 0) {
		p->step = "VFIO_GROUP_GET_STATUS";
		return -errno;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		p->step = "VFIO_GROUP_GET_STATUS";
		return -EPERM; /* a device of the group is on a host driver */
	}
	if (status.flags & VFIO_GROUP_FLAGS_CONTAINER_SET) {
		p->step = "VFIO_GROUP_GET_STATUS";
		return -EBUSY; /* someone else's container */
	}
	cfd = open(PATH_DEV_VFIO_CONTAINER, O_RDWR | O_CLOEXEC);
	if (cfd < 0) {
		p->step = "open container";
		return -errno;
	}
	if (ioctl(cfd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		p->step = "VFIO_GET_API_VERSION";
		return -EPROTO;
	}
	if (ioctl(cfd, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_v2_IOMMU) != 1) {
		p->step = "VFIO_CHECK_EXTENSION(VFIO_SPAPR_TCE_v2_IOMMU)";
		return -EOPNOTSUPP;
	}
	if (ioctl(gfd, VFIO_GROUP_SET_CONTAINER, &cfd) < 0) {
		p->step = "VFIO_GROUP_SET_CONTAINER";
		return -errno;
	}
	attached = true;
	if (ioctl(cfd, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU) < 0) {
		p->step = "VFIO_SET_IOMMU(VFIO_SPAPR_TCE_v2_IOMMU)";
		k = -errno;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	if (ioctl(cfd, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info) < 0) {
		p->step = "VFIO_IOMMU_SPAPR_TCE_GET_INFO";
		k = -errno;
		goto out;
	}
	p->ok = true;
	p->dma32_start = info.dma32_window_start;
	p->dma32_size = info.dma32_window_size;
	if (info.flags & VFIO_IOMMU_SPAPR_INFO_DDW) {
		p->has_ddw = true;
		p->pgsizes = info.ddw.pgsizes;
		p->max_windows = info.ddw.max_dynamic_windows_supported;
		p->levels = info.ddw.levels;
	}
out:
	if (attached)
		(void)ioctl(gfd, VFIO_GROUP_UNSET_CONTAINER);
	return k;
}
