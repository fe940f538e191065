/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A snapshot's manifest (src/host/root-replay.c): parsed into a root over
 * an empty directory, then asked what the replay asks of it -- each path it
 * lists (read, listed: its recorded errno, or an empty directory git did
 * not keep) and their parents (the directories it adds to listings).
 */
#include "fuzz.h"
#include "root-internal.h"
#include "tceiommu/root.h"
#include "tceiommu/util.h"

static void ask(struct tce_root *r, const char *path)
{
	char *buf = NULL, **names = NULL;
	size_t len;

	if (tce_root_read(r, path, 4096, &buf, &len) == 0)
		free(buf);
	if (tce_root_list(r, path, &names) == 0)
		strv_free(names);
	(void)tce_root_exists(r, path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_strndup(data, size);
	struct tce_root *r = NULL;
	const char *dir = fuzz_empty_dir();

	if (!dir || tce_root_new(dir, &r) < 0)
		abort();
	if (root_parse_manifest(r, buf, size) == 0) {
		(void)tce_root_kernel_release(r);
		(void)tce_root_machine(r);
		for (size_t i = 0; i < r->n_manifest && i < 16; i++) {
			char *p = strdup(r->manifest[i].path), *slash;

			if (!p)
				abort();
			ask(r, p);
			if ((slash = strrchr(p, '/'))) {
				*slash = '\0';
				ask(r, *p ? p : "/");
			}
			free(p);
		}
		ask(r, "/sys/kernel/iommu_groups");
	}
	tce_root_free(r);
	free(buf);
	return 0;
}
