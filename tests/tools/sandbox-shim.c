// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD'ed into tceiommu by tests/scripts/sandbox.sh: when the tool
 * exits -- long after it confined itself -- try to open
 * $SANDBOX_SHIM_TARGET for writing (creating it), as a bug or an exploit
 * would, and say on stderr what the kernel answered: "ok" unconfined,
 * EACCES under the Landlock ruleset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void try_write(void)
{
	const char *t = getenv("SANDBOX_SHIM_TARGET");
	char msg[512];
	int fd, n;

	if (!t)
		return;
	fd = open(t, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	n = snprintf(msg, sizeof(msg), "sandbox-shim: open %s for writing: %s\n", t,
		     fd >= 0 ? "ok" : strerror(errno));
	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n);
	if (fd >= 0)
		close(fd);
}

__attribute__((constructor)) static void init(void)
{
	atexit(try_write);
}
