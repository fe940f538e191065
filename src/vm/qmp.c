/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A QMP client (QEMU docs/interop/qmp-spec.rst): greeting, capabilities
 * negotiation, then one command at a time; asynchronous events skipped.
 * The peer is hostile until proven otherwise: every wait is under an absolute
 * deadline (CLOCK_MONOTONIC, so a peer trickling a byte at a time still times
 * out), a message may not grow past TCE_QMP_MAX_REPLY, what is not a JSON
 * object is a protocol error, and a failed connection stays failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tceiommu/macro.h"
#include "tceiommu/qmp.h"
#include "tceiommu/util.h"

struct tce_qmp {
	int fd;
	int pid;
	int err; /* sticky: once broken, every call fails at once */
	char *err_msg;
	json_tokener *tok;
	size_t msg_bytes; /* bytes of the message being parsed */
	char buf[16384];  /* received, not yet parsed */
	size_t off, len;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(struct tce_qmp *q, int err, const char *fmt, ...) _printf_(3, 4);
static int fail(struct tce_qmp *q, int err, const char *fmt, ...)
{
	va_list ap;

	if (q->err)
		return q->err;
	q->err = err;
	va_start(ap, fmt);
	q->err_msg = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	return err;
}

static void give_error(struct tce_qmp *q, char **ret_error)
{
	if (ret_error)
		*ret_error = q->err_msg ? strdup(q->err_msg) : strdup(strerror(-q->err));
}

/* Wait for fd to be ready for events until the deadline: 0, or -ETIMEDOUT. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int64_t left = deadline - now_ms();
		int k;

		if (left <= 0)
			return -ETIMEDOUT;
		k = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (k > 0)
			return 0;
		if (k == 0)
			continue; /* the deadline decides */
		if (errno != EINTR)
			return -errno;
	}
}

/* The next complete JSON object from the stream, within the deadline. */
static int read_message(struct tce_qmp *q, int64_t deadline, int timeout_ms, json_object **ret)
{
	for (;;) {
		while (q->off < q->len) {
			const char *p = q->buf + q->off;
			size_t n = q->len - q->off, skip = 0;
			json_object *o;
			enum json_tokener_error e;

			/* blanks between messages (QMP ends each with CRLF) */
			if (q->msg_bytes == 0) {
				while (skip < n && (p[skip] == ' ' || p[skip] == '\r' ||
						    p[skip] == '\n' || p[skip] == '\t'))
					skip++;
				q->off += skip;
				if (skip == n)
					break;
				p += skip;
				n -= skip;
			}
			o = json_tokener_parse_ex(q->tok, p, (int)n);
			e = json_tokener_get_error(q->tok);
			if (e == json_tokener_continue) {
				q->msg_bytes += n;
				q->off = q->len;
				if (q->msg_bytes > TCE_QMP_MAX_REPLY)
					return fail(q, -EMSGSIZE, "a message larger than %u MiB",
						    TCE_QMP_MAX_REPLY >> 20);
				break;
			}
			if (e != json_tokener_success || !o) {
				json_object_put(o);
				return fail(q, -EPROTO, "the peer sent something that is not QMP");
			}
			{
				size_t used = (size_t)json_tokener_get_parse_end(q->tok);

				q->msg_bytes += used;
				q->off += used;
			}
			json_tokener_reset(q->tok);
			if (q->msg_bytes > TCE_QMP_MAX_REPLY) {
				json_object_put(o);
				return fail(q, -EMSGSIZE, "a message larger than %u MiB",
					    TCE_QMP_MAX_REPLY >> 20);
			}
			q->msg_bytes = 0;
			if (!json_object_is_type(o, json_type_object)) {
				json_object_put(o);
				return fail(q, -EPROTO, "the peer sent something that is not QMP");
			}
			*ret = o;
			return 0;
		}
		/* need more bytes */
		{
			ssize_t r;
			int k;

			q->off = q->len = 0;
			k = wait_fd(q->fd, POLLIN, deadline);
			if (k == -ETIMEDOUT)
				return fail(q, k, "no answer within %.1f s", timeout_ms / 1000.0);
			if (k < 0)
				return fail(q, k, "waiting for the peer: %s", strerror(-k));
			r = recv(q->fd, q->buf, sizeof(q->buf), 0);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r < 0)
				return fail(q, -errno, "reading from the peer: %m");
			if (r == 0)
				return fail(q, -ECONNRESET,
					    q->msg_bytes ? "the peer closed the connection "
							   "mid-reply"
							 : "the peer closed the connection");
			q->len = (size_t)r;
		}
	}
}

static int send_all(struct tce_qmp *q, const char *s, int64_t deadline, int timeout_ms)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = send(q->fd, s, n, MSG_NOSIGNAL);
		int k;

		if (w >= 0) {
			s += w;
			n -= (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return fail(q, errno == EPIPE ? -ECONNRESET : -errno,
				    "writing to the peer: %m");
		k = wait_fd(q->fd, POLLOUT, deadline);
		if (k == -ETIMEDOUT)
			return fail(q, k, "the peer takes no request within %.1f s",
				    timeout_ms / 1000.0);
		if (k < 0)
			return fail(q, k, "waiting for the peer: %s", strerror(-k));
	}
	return 0;
}

/* Send a request and wait for its reply, skipping events. */
static int exchange(struct tce_qmp *q, const char *request, int timeout_ms, json_object **ret)
{
	int64_t deadline = now_ms() + timeout_ms;
	int k;

	if (q->err)
		return q->err;
	if ((k = send_all(q, request, deadline, timeout_ms)) < 0 ||
	    (k = send_all(q, "\r\n", deadline, timeout_ms)) < 0)
		return k;
	for (;;) {
		json_object *o = NULL, *v;

		if ((k = read_message(q, deadline, timeout_ms, &o)) < 0)
			return k;
		if (json_object_object_get_ex(o, "return", &v) ||
		    json_object_object_get_ex(o, "error", &v)) {
			*ret = o;
			return 0;
		}
		if (!json_object_object_get_ex(o, "event", &v)) {
			json_object_put(o);
			return fail(q, -EPROTO, "the peer sent something that is not QMP");
		}
		json_object_put(o); /* an event */
	}
}

/* 0 and the "return" value as JSON text, or -EREMOTEIO and error.desc. */
static int reply(json_object *o, char **ret, char **ret_error)
{
	json_object *v, *d;

	if (json_object_object_get_ex(o, "return", &v)) {
		*ret =
		    strdup(v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "null");
		return *ret ? 0 : -ENOMEM;
	}
	if (ret_error) {
		json_object_object_get_ex(o, "error", &v);
		*ret_error = strdup(v && json_object_object_get_ex(v, "desc", &d) &&
					    json_object_is_type(d, json_type_string)
					? json_object_get_string(d)
					: "QEMU answered with an error");
	}
	return -EREMOTEIO;
}

int tce_qmp_open(const char *path, int timeout_ms, struct tce_qmp **ret, char **ret_error)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t deadline = now_ms() + timeout_ms;
	struct tce_qmp *q;
	json_object *o = NULL, *v;
	struct ucred cr;
	socklen_t crl = sizeof(cr);
	int k;

	if (ret_error)
		*ret_error = NULL;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		if (ret_error)
			*ret_error = strdup("socket path too long");
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	q->tok = json_tokener_new_ex(64);
	if (q->fd < 0 || !q->tok) {
		k = q->fd < 0 ? -errno : -ENOMEM;
		tce_qmp_close(q);
		return k;
	}
	if (connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EAGAIN || errno == EINPROGRESS) {
			/* a listener whose backlog is full: wait, bounded */
			k = wait_fd(q->fd, POLLOUT, deadline);
			if (k == 0) {
				int soerr = 0;
				socklen_t sl = sizeof(soerr);

				getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
				k = -soerr;
			}
		} else {
			k = -errno;
		}
		if (k < 0) {
			fail(q, k, "%s",
			     k == -ETIMEDOUT ? "the connection was not accepted in time"
					     : strerror(-k));
			give_error(q, ret_error);
			tce_qmp_close(q);
			return k;
		}
	}
	if (getsockopt(q->fd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) == 0)
		q->pid = cr.pid;
	k = read_message(q, deadline, timeout_ms, &o);
	if (k == 0 && (!json_object_object_get_ex(o, "QMP", &v) || !v))
		k = fail(q, -EPROTO, "the peer sent something that is not QMP");
	json_object_put(o);
	o = NULL;
	if (k == 0) {
		int left = (int)(deadline - now_ms());

		k = exchange(q, "{\"execute\":\"qmp_capabilities\"}", left > 0 ? left : 1, &o);
		if (k == 0 && !json_object_object_get_ex(o, "return", &v))
			k = fail(q, -EPROTO, "QEMU refused capabilities negotiation");
		json_object_put(o);
	}
	if (k < 0) {
		if (q->err == -ETIMEDOUT) {
			free(q->err_msg);
			q->err_msg =
			    tce_strdup_printf("no greeting within %.1f s", timeout_ms / 1000.0);
		}
		give_error(q, ret_error);
		tce_qmp_close(q);
		return k;
	}
	*ret = q;
	return 0;
}

int tce_qmp_peer_pid(const struct tce_qmp *q)
{
	return q ? q->pid : 0;
}

int tce_qmp_call(struct tce_qmp *q, const char *request, int timeout_ms, char **ret,
		 char **ret_error)
{
	json_object *o = NULL;
	int k;

	if (ret_error)
		*ret_error = NULL;
	k = exchange(q, request, timeout_ms, &o);
	if (k < 0) {
		give_error(q, ret_error);
		return k;
	}
	k = reply(o, ret, ret_error);
	json_object_put(o);
	return k;
}

void tce_qmp_close(struct tce_qmp *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	if (q->tok)
		json_tokener_free(q->tok);
	free(q->err_msg);
	free(q);
}
