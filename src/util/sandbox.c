/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Landlock, as the kernel documents it (Documentation/userspace-api/
 * landlock.rst, include/uapi/linux/landlock.h): ask the ABI version, handle
 * the access rights that version knows, add path-beneath rules, set
 * no_new_privs, restrict self. Only the rights that change the filesystem
 * are handled, so reading stays allowed everywhere; what a command writes
 * is allowed beneath its own directories. The headers of an older libc may
 * lack the newer constants: they are defined here from the uapi header.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/sandbox.h"
#include "tceiommu/util.h"

#ifndef __NR_landlock_create_ruleset /* the same numbers on every architecture */
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE /* ABI 3 */
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV /* ABI 5 */
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define TCE_LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#define TCE_LANDLOCK_SCOPE_SIGNAL (1ULL << 1)	     /* ABI 6 */

/* struct landlock_ruleset_attr as of ABI 6; a kernel that knows less takes
 * it as long as what it does not know is zero */
struct ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

bool tce_sandbox_disabled;

int tce_landlock_abi(void)
{
	long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? -errno : (int)v;
}

/* every right that changes the filesystem, as far as ABI knows them */
static uint64_t write_rights(int abi)
{
	uint64_t a = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
		     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
		     LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
		     LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
		     LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;

	if (abi >= 2)
		a |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		a |= LANDLOCK_ACCESS_FS_TRUNCATE;
	/* ioctl() on device files: only /dev/kvm and /dev/vfio get it */
	if (abi >= 5)
		a |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return a;
}

/* the rights that apply to a file (not a directory) rule */
static uint64_t file_rights(uint64_t a)
{
	return a & (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |
		    LANDLOCK_ACCESS_FS_IOCTL_DEV);
}

/* allow ACCESS beneath PATH; an absent PATH needs no rule (-ENOENT) */
static int allow(int ruleset, const char *path, uint64_t access)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = access };
	_cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access = file_rights(access);
	if (!pb.allowed_access)
		return 0;
	pb.parent_fd = fd;
	if (syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
		return -errno;
	DBG("sandbox: writes allowed beneath %s", path);
	return 0;
}

int tce_sandbox_enter(const char *const *write_dirs, size_t n, bool live)
{
	static bool entered;
	struct ruleset_attr attr = { 0 };
	_cleanup_close_ int ruleset = -1;
	const char *e = secure_getenv("TCEIOMMU_NO_SANDBOX");
	uint64_t dev;
	int abi, k;

	if (entered)
		return 0;
	entered = true;
	if (tce_sandbox_disabled || (e && *e && !streq(e, "0"))) {
		INF("sandbox: off (%s)",
		    tce_sandbox_disabled ? "--no-sandbox" : "TCEIOMMU_NO_SANDBOX");
		return 1;
	}
	abi = tce_landlock_abi();
	if (abi < 1) {
		if (abi == -EOPNOTSUPP)
			INF("sandbox: unconfined: Landlock is disabled at boot (lsm= lacks it)");
		else
			INF("sandbox: unconfined: no Landlock here (landlock_create_ruleset: %s)",
			    strerror(-abi));
		return 1;
	}
	if (live) {
		/* security/landlock/task.c: a domain may not read the ptrace-guarded
		 * /proc files of a process outside it, which holders and the VM map
		 * read: they are asked of an unconfined parent (src/host/broker.c) */
		k = tce_broker_start();
		if (k < 0) {
			INF("sandbox: unconfined: no broker for other processes' files (%s)",
			    strerror(-k));
			return 1;
		}
	}
	attr.handled_access_fs = write_rights(abi);
	if (abi >= 4) /* nothing here listens */
		attr.handled_access_net = TCE_LANDLOCK_ACCESS_NET_BIND_TCP;
	if (abi >= 6) /* nor signals another process */
		attr.scoped = TCE_LANDLOCK_SCOPE_SIGNAL;
	ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0) {
		INF("sandbox: unconfined: landlock_create_ruleset: %m");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		k = allow(ruleset, write_dirs[i], attr.handled_access_fs);
		if (k < 0) {
			ERR("sandbox: %s: %s", write_dirs[i], strerror(-k));
			return k;
		}
	}
	/* the ioctls of check-host and --probe: KVM's and VFIO's (they open
	 * them read-write, as the kernel requires) */
	dev = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_IOCTL_DEV;
	(void)allow(ruleset, PATH_DEV_KVM, dev & attr.handled_access_fs);
	(void)allow(ruleset, PATH_DEV_VFIO, dev & attr.handled_access_fs);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		INF("sandbox: unconfined: PR_SET_NO_NEW_PRIVS: %m");
		return 1;
	}
	if (syscall(__NR_landlock_restrict_self, ruleset, 0) < 0) {
		INF("sandbox: unconfined: landlock_restrict_self: %m");
		return 1;
	}
	INF("sandbox: Landlock ABI %d: writes only to " PATH_DEV_KVM ", " PATH_DEV_VFIO "%s%s%s",
	    abi, n ? " and beneath " : "", n ? write_dirs[0] : "",
	    live ? "; other processes' fds and maps through the broker" : "");
	return 0;
}
