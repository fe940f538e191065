/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A QMP client (QEMU docs/interop/qmp-spec.rst): a unix stream socket, the
 * greeting, capabilities negotiation, then one command at a time. Events
 * ({"event": ...}) are skipped. Every read is under a deadline and every
 * reply bounded: a peer that never answers, sends garbage, an endless line,
 * a reply larger than the bound, or closes mid-reply is a clear error within
 * the timeout, never a hang or a crash.
 */
#pragma once

#include <stddef.h>

/* The largest reply accepted (an "info mtree" of a big VM is ~100 KiB). */
#define TCE_QMP_MAX_REPLY (4u << 20)

struct tce_qmp;

/*
 * Errors, each with its words in *ret_error (which is only set on failure;
 * the caller frees it):
 *   -ENOENT, -ECONNREFUSED, -EACCES, ...  "cannot connect: <strerror>"
 *   -ENAMETOOLONG   "the socket path is longer than 107 bytes"
 *   -ETIMEDOUT      "no greeting within 2.0 s", "no reply within 2.0 s",
 *                   "the socket accepted no connection within 2.0 s (its backlog is full)"
 *   -EPROTO         "the peer sent something that is not QMP (<why>)", or
 *                   "qmp_capabilities failed: <desc>"
 *   -EMSGSIZE       "greeting larger than 4 MiB", "reply larger than 4 MiB"
 *   -ECONNRESET     "the peer closed the connection mid-reply" (or "before
 *                   replying", "before its greeting", or on sending)
 *   -EREMOTEIO      the reply's error.desc, raw (renderers escape it)
 *   -EINVAL         "invalid arguments" (NULL, empty request, timeout <= 0)
 * All but -EREMOTEIO (an answer like any other) and -EINVAL leave the
 * connection unusable: later calls fail at once with the same error.
 */

/*
 * Connect to the QMP socket at path, read the greeting and negotiate
 * capabilities, all within timeout_ms. 0, or -errno with *ret_error (may be
 * NULL) saying what went wrong in words ("no greeting within 2 s", ...):
 * -ENOENT/-ECONNREFUSED/-EACCES from connect, -ETIMEDOUT, -EPROTO (not QMP),
 * -EMSGSIZE (a line over the bound), -ECONNRESET (closed by the peer).
 */
int tce_qmp_open(const char *path, int timeout_ms, struct tce_qmp **ret, char **ret_error);

/* The peer's pid (SO_PEERCRED), 0 when not known. */
int tce_qmp_peer_pid(const struct tce_qmp *q);

/*
 * Send request (one JSON object, "{\"execute\": ...}") and wait for its reply
 * within timeout_ms, skipping events. 0 and *ret = the JSON text of the
 * reply's "return" value; -EREMOTEIO with *ret_error = the reply's
 * error.desc; or the errors of tce_qmp_open.
 */
int tce_qmp_call(struct tce_qmp *q, const char *request, int timeout_ms, char **ret,
		 char **ret_error);

void tce_qmp_close(struct tce_qmp *q);

/*
 * Anything that answers QMP requests: a socket (tce_qmp_call), libvirt's
 * monitor passthrough, or a snapshot's recorded answers. Same contract as
 * tce_qmp_call.
 */
typedef int (*tce_qmp_exec_fn)(void *ctx, const char *request, char **ret, char **ret_error);
