/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tool confines itself before it reads a snapshot (issue 11): a Landlock
 * ruleset that leaves reading alone and refuses every way of changing the
 * filesystem, except beneath the directories a command writes (record's
 * DIR, check-host's --textfile-dir) and on the device nodes whose ioctls it
 * needs (/dev/kvm, /dev/vfio); and PR_SET_NO_NEW_PRIVS. Best effort, as
 * xz-utils and OpenSSH do it: a kernel without Landlock runs the tool
 * unconfined, and -v says so.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The broker's exit status when it lost its child without a status. */
#define TCE_SANDBOX_EXIT_LOST 1

/* Set by the caller before tce_sandbox_enter: --no-sandbox, or
 * TCEIOMMU_NO_SANDBOX=1 in the environment. */
extern bool tce_sandbox_disabled;

/*
 * Confine the process: writes are allowed only beneath WRITE_DIRS (N of
 * them; each must exist: a directory the command made or was given).
 * LIVE: the command reads other processes of the live host (holders, the
 * VM map). A Landlock domain may not read the ptrace-guarded files of a
 * process outside it (security/landlock/task.c: /proc/PID/fd, fd/N, maps),
 * so the process forks first, OpenSSH's privilege separation turned
 * around: the parent stays unconfined and does nothing but answer the
 * confined child's requests for exactly those files (and the holder scan,
 * made of them), then exits with the child's status; the child confines
 * itself and runs the command.
 * Once per process; a second call is a no-op. 0 when confined, 1 when the
 * kernel (or --no-sandbox) left the process unconfined, -errno when the
 * ruleset could not be built for a reason that should stop the command
 * (a WRITE_DIRS entry that cannot be opened).
 */
int tce_sandbox_enter(const char *const *write_dirs, size_t n, bool live);

/* The broker (the parent of a confined live command): whether PATH is one
 * it answers for, and its answers, as the root's readers give them
 * (-ENOSYS: no broker, read it here). */
bool tce_broker_serves(const char *path);
int tce_broker_read(const char *path, size_t max, char **ret, size_t *ret_len);
int tce_broker_readlink(const char *path, char **ret);
int tce_broker_list(const char *path, char ***ret);
/* tce_vfio_holders_scan(PATH_PROC, ...) done by the broker */
int tce_broker_holders(bool privileged, char ***ret);
/* Fork: the parent serves and never returns; the child goes on (0). */
int tce_broker_start(void);

/* The Landlock ABI version this kernel answers, or -errno (ENOSYS:
 * not built in, EOPNOTSUPP: disabled at boot). */
int tce_landlock_abi(void);
