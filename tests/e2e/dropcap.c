// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dropcap BYTES PROGRAM [ARG...]: run PROGRAM without CAP_IPC_LOCK and with
 * RLIMIT_MEMLOCK (soft and hard) set to BYTES, so that a root QEMU inside the
 * e2e guest is held to a memlock limit the way an unprivileged one is
 * (E2E.md §5c; busybox setpriv cannot drop a capability from the bounding
 * set). Built static for ppc64le by tests/e2e/ppc64el-boot.sh.
 *
 * CAP_IPC_LOCK goes from the bounding set (so that exec of a root program
 * does not give it back) and from the effective, permitted and inheritable
 * sets; the ambient set is cleared.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned long long bytes;
	struct rlimit rl;
	char *end;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: dropcap BYTES PROGRAM [ARG...]\n");
		return 2;
	}
	errno = 0;
	bytes = strtoull(argv[1], &end, 0);
	if (errno || *end || end == argv[1]) {
		fprintf(stderr, "dropcap: bad byte count %s\n", argv[1]);
		return 2;
	}
	if (prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0)) {
		perror("dropcap: PR_CAPBSET_DROP");
		return 1;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL) {
		perror("dropcap: PR_CAP_AMBIENT_CLEAR_ALL");
		return 1;
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data)) {
		perror("dropcap: capget");
		return 1;
	}
	i = CAP_TO_INDEX(CAP_IPC_LOCK);
	data[i].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	data[i].permitted &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	data[i].inheritable &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	if (syscall(SYS_capset, &hdr, data)) {
		perror("dropcap: capset");
		return 1;
	}
	rl.rlim_cur = rl.rlim_max = (rlim_t)bytes;
	if (setrlimit(RLIMIT_MEMLOCK, &rl)) {
		perror("dropcap: setrlimit(RLIMIT_MEMLOCK)");
		return 1;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "dropcap: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
