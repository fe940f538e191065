/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-call SOCKET REQUEST...: open the QMP socket (5 s), send each request in
 * turn and print the JSON of each reply's "return" on its own line. On the
 * first failure: the error on stderr, exit 1. For tests against real QEMU
 * and the fake peers. QMP_CALL_TIMEOUT_MS, when set, replaces both 5 s
 * timeouts (tests of peers that never answer need not wait that long).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/macro.h"
#include "tceiommu/qmp.h"

#define OPEN_TIMEOUT_MS 5000
#define CALL_TIMEOUT_MS 5000

int main(int argc, char **argv)
{
	struct tce_qmp *q = NULL;
	_cleanup_free_ char *err = NULL;
	const char *env = getenv("QMP_CALL_TIMEOUT_MS");
	int open_ms = OPEN_TIMEOUT_MS, call_ms = CALL_TIMEOUT_MS, r, i;

	if (env && atoi(env) > 0)
		open_ms = call_ms = atoi(env);
	if (argc < 2) {
		fprintf(stderr, "usage: qmp-call SOCKET REQUEST...\n");
		return 2;
	}
	r = tce_qmp_open(argv[1], open_ms, &q, &err);
	if (r < 0) {
		fprintf(stderr, "qmp-call: %s: %s (%s)\n", argv[1], err ? err : "?",
			strerrorname_np(-r) ? strerrorname_np(-r) : "?");
		return 1;
	}
	for (i = 2; i < argc; i++) {
		_cleanup_free_ char *out = NULL, *cerr = NULL;

		r = tce_qmp_call(q, argv[i], call_ms, &out, &cerr);
		if (r < 0) {
			fprintf(stderr, "qmp-call: %s: %s (%s)\n", argv[i], cerr ? cerr : "?",
				strerrorname_np(-r) ? strerrorname_np(-r) : "?");
			tce_qmp_close(q);
			return 1;
		}
		printf("%s\n", out);
	}
	tce_qmp_close(q);
	return fflush(stdout) == 0 ? 0 : 1;
}
