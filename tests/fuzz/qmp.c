/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The QMP client's framing and replies (src/vm/qmp.c): the input is all the
 * peer ever sends -- greeting, replies, events, garbage -- written into one
 * end of a socketpair that is then shut for writing; the client negotiates
 * on the other end and makes calls until one fails. The peer's end is at
 * EOF, so nothing waits: every path ends at once, deterministically.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "qmp-internal.h"
#include "tceiommu/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const reqs[] = {
		"{\"execute\":\"query-status\"}",
		"{\"execute\":\"qom-list\",\"arguments\":{\"path\":\"/machine/peripheral\"}}",
		("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":"
		 "\"info mtree -f\"}}"),
		"{\"execute\":\"query-status\"}",
	};
	struct tce_qmp *q = NULL;
	char *err = NULL, *ret = NULL;
	size_t off = 0;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	/* what the socket takes at once (-max_len keeps inputs well below it) */
	while (off < size) {
		ssize_t w = send(sv[1], data + off, size - off, MSG_NOSIGNAL);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	shutdown(sv[1], SHUT_WR);
	if (tce_qmp_open_fd(sv[0], 1000, &q, &err) == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(reqs); i++) {
			int k = tce_qmp_call(q, reqs[i], 1000, &ret, &err);

			free(ret);
			free(err);
			ret = err = NULL;
			if (k < 0 && k != -EREMOTEIO)
				break;
		}
		(void)tce_qmp_peer_pid(q);
		tce_qmp_close(q);
	}
	free(err);
	close(sv[1]);
	return 0;
}
