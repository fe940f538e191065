/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"

static char empty_dir[64];

static void empty_dir_remove(void)
{
	if (empty_dir[0])
		rmdir(empty_dir);
}

const char *fuzz_empty_dir(void)
{
	if (!empty_dir[0]) {
		const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

		snprintf(empty_dir, sizeof(empty_dir), "%s/tce-fuzz-XXXXXX", base);
		if (!mkdtemp(empty_dir)) {
			empty_dir[0] = '\0';
			return NULL;
		}
		atexit(empty_dir_remove);
	}
	return empty_dir;
}
