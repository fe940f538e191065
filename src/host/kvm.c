/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KVM_CHECK_EXTENSION on /dev/kvm (include/uapi/linux/kvm.h; FACTS §1.5):
 * asked of the system fd, no VM is created. Callers open /dev/kvm only when
 * KVM is loaded or built in: the first open of a static node autoloads
 * kvm_hv/kvm_pr (MODULE_ALIAS_MISCDEV, FACTS §7 3.7a).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tceiommu/hostinfo.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/probe.h"
#include "tceiommu/util.h"

static int answer(long v, char ***ret)
{
	char **a = calloc(1, sizeof(char *));

	if (!a || strv_push(&a, tce_strdup_printf("%ld", v)) < 0) {
		strv_free(a);
		return -ENOMEM;
	}
	*ret = a;
	return 0;
}

/* key "open", or "cap:N" */
int tce_live_kvm(const char *key, char ***ret)
{
	_cleanup_close_ int fd = open(PATH_DEV_KVM, O_RDWR | O_CLOEXEC);
	uint64_t cap;
	int v;

	if (fd < 0)
		return -errno;
	if (streq(key, "open"))
		return answer(0, ret);
	if (!strneq(key, "cap:", 4) || tce_parse_u64(key + 4, 10, &cap) < 0 || cap > 1024)
		return -EINVAL;
	v = ioctl(fd, KVM_CHECK_EXTENSION, (unsigned long)cap);
	if (v < 0)
		return -errno;
	return answer(v, ret);
}

static int ask(struct tce_root *r, const char *kind, const char *key, long *ret)
{
	_cleanup_strv_free_ char **v = NULL;
	int64_t n;
	int k = tce_probe(r, kind, key, &v);

	if (k < 0)
		return k;
	if (!v[0] || tce_parse_s64(v[0], 10, &n) < 0)
		return -EINVAL;
	*ret = (long)n;
	return 0;
}

int tce_kvm_open(struct tce_root *r)
{
	long dummy;

	return ask(r, "kvm", "open", &dummy);
}

int tce_kvm_check_extension(struct tce_root *r, unsigned cap, long *ret)
{
	char key[32];
	long dummy;
	int k = ask(r, "kvm", "open", &dummy);

	if (k < 0)
		return k;
	snprintf(key, sizeof(key), "cap:%u", cap);
	return ask(r, "kvm", key, ret);
}

/*
 * An empty container (drivers/vfio/container.c): VFIO_GET_API_VERSION and
 * VFIO_CHECK_EXTENSION are answered by every registered IOMMU backend, with
 * no group attached and nothing changed (FACTS §2.2). key "open", "api" or
 * "ext:N".
 */
int tce_live_vfio(const char *key, char ***ret)
{
	_cleanup_close_ int fd = open(PATH_DEV_VFIO_CONTAINER, O_RDWR | O_CLOEXEC);
	uint64_t ext;
	int v;

	if (fd < 0)
		return -errno;
	if (streq(key, "open"))
		return answer(0, ret);
	if (streq(key, "api")) {
		v = ioctl(fd, VFIO_GET_API_VERSION);
	} else {
		if (!strneq(key, "ext:", 4) || tce_parse_u64(key + 4, 10, &ext) < 0 || ext > 64)
			return -EINVAL;
		v = ioctl(fd, VFIO_CHECK_EXTENSION, (unsigned long)ext);
	}
	if (v < 0)
		return -errno;
	return answer(v, ret);
}

int tce_vfio_container_ask(struct tce_root *r, const char *what, long *ret)
{
	long dummy;
	int k = ask(r, "vfio", "open", &dummy);

	return k < 0 ? k : ask(r, "vfio", what, ret);
}
