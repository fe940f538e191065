/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A QMP client (QEMU docs/interop/qmp-spec.rst) that a hung or hostile peer
 * cannot hang or exhaust: a non-blocking unix stream socket, every wait a
 * poll() against one absolute CLOCK_MONOTONIC deadline (so a peer trickling
 * a byte now and then still times out), and every message bounded by
 * TCE_QMP_MAX_REPLY bytes, checked as the bytes arrive.
 *
 * QEMU ends each message with CRLF, but nothing promises that a read ends on
 * a message boundary or holds only one message, so the stream is cut into
 * messages by json-c's incremental tokener, not by lines: it says where each
 * object ends, and the bytes after it stay in the buffer for the next one.
 * Each message must start with '{' (after white space): anything else is not
 * QMP, and is refused at its first byte rather than buffered.
 *
 * After any failure the connection is in an unknown place in the stream, so
 * the error sticks: later calls return it at once.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "qmp-internal.h"
#include "tceiommu/macro.h"
#include "tceiommu/qmp.h"

/* What one read asks for; a message may span many. */
#define QMP_READ_CHUNK 65536
/* How often a connect() refused for a full backlog is tried again. */
#define QMP_CONNECT_RETRY_MS 10
/* QMP nests little; a deeper reply is hostile (json-c's default is 32). */
#define QMP_MAX_DEPTH 64

struct tce_qmp {
	int fd;
	int pid;
	struct json_tokener *tok;
	char buf[QMP_READ_CHUNK];
	size_t pos, len;  /* buf[pos..len) is read but not yet parsed */
	size_t msg_bytes; /* bytes of the message being parsed, from its '{' */
	bool in_msg;	  /* its '{' has been seen */
	int err;	  /* sticky: once set, the connection is unusable */
	char *err_msg;
};

struct deadline {
	struct timespec at;
	int timeout_ms;
};

static void deadline_init(struct deadline *d, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, &d->at);
	d->timeout_ms = timeout_ms;
	d->at.tv_sec += timeout_ms / 1000;
	d->at.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (d->at.tv_nsec >= 1000000000L) {
		d->at.tv_sec++;
		d->at.tv_nsec -= 1000000000L;
	}
}

/* Milliseconds left, rounded up so that poll() never wakes just short of it; 0 when past. */
static int deadline_left(const struct deadline *d)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(d->at.tv_sec - now.tv_sec) * 1000000000LL + (d->at.tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return 0;
	return (int)((ns + 999999) / 1000000);
}

/* "2.0 s", without printf's %f: the tool runs under the user's LC_NUMERIC. */
static void fmt_seconds(char *b, size_t n, int ms)
{
	snprintf(b, n, "%d.%d s", ms / 1000, (ms % 1000) / 100);
}

/* Record the failure r with its message (printf-style), make it sticky, return r. */
_printf_(3, 4) static int qmp_fail(struct tce_qmp *q, int r, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	if (q->err == 0) {
		free(q->err_msg);
		q->err = r;
		q->err_msg = m;
	} else {
		free(m);
	}
	return r;
}

static void qmp_set_error(const struct tce_qmp *q, char **ret_error)
{
	if (ret_error)
		*ret_error = strdup(q->err_msg ? q->err_msg : "out of memory");
}

/* Wait for events on the socket until the deadline: 1 ready, 0 timed out, -errno. */
static int qmp_wait(struct tce_qmp *q, short events, const struct deadline *d)
{
	for (;;) {
		struct pollfd p = { .fd = q->fd, .events = events };
		int left = deadline_left(d), r;

		if (left == 0)
			return 0;
		r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r > 0)
			return 1;
	}
}

static int qmp_send(struct tce_qmp *q, const char *data, size_t n, const struct deadline *d)
{
	char t[32];

	while (n > 0) {
		ssize_t w = send(q->fd, data, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w > 0) {
			data += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int r = qmp_wait(q, POLLOUT, d);

			if (r < 0)
				return qmp_fail(q, r, "waiting to send: %s", strerror(-r));
			if (r == 0) {
				fmt_seconds(t, sizeof(t), d->timeout_ms);
				return qmp_fail(q, -ETIMEDOUT,
						"the peer did not take the request within %s", t);
			}
			continue;
		}
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
			return qmp_fail(q, -ECONNRESET, "the peer closed the connection");
		return qmp_fail(q, w < 0 ? -errno : -EIO, "cannot send: %s",
				w < 0 ? strerror(errno) : "nothing sent");
	}
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Parse what the buffer holds: 1 and *ret when a whole message is there, 0
 * when more bytes are needed (the buffer is then empty), -errno on a bad one.
 */
static int qmp_parse_buffered(struct tce_qmp *q, const char *what, json_object **ret)
{
	while (q->pos < q->len) {
		enum json_tokener_error e;
		json_object *o;
		size_t n, used;

		if (!q->in_msg) {
			char c = q->buf[q->pos];

			/* white space between messages is dropped as it comes, not counted */
			if (is_space(c)) {
				q->pos++;
				continue;
			}
			if (c != '{')
				return qmp_fail(
				    q, -EPROTO, "the peer sent something that is not QMP (%s)",
				    c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') ||
					    c == 't' || c == 'f' || c == 'n'
					? "a JSON value that is not an object"
					: "not JSON");
			q->in_msg = true;
		}
		n = q->len - q->pos;
		o = json_tokener_parse_ex(q->tok, q->buf + q->pos, (int)n);
		e = json_tokener_get_error(q->tok);
		used = json_tokener_get_parse_end(q->tok);
		if (used > n)
			used = n;
		q->pos += used;
		q->msg_bytes += used;
		/* json-c eats the white space after a whole object: it is not the message's */
		if (o)
			while (used > 0 && is_space(q->buf[q->pos - 1])) {
				q->pos--;
				q->msg_bytes--;
				used--;
			}
		if (q->msg_bytes > TCE_QMP_MAX_REPLY) {
			json_object_put(o);
			return qmp_fail(q, -EMSGSIZE, "%s larger than %u MiB", what,
					TCE_QMP_MAX_REPLY >> 20);
		}
		if (o) {
			json_tokener_reset(q->tok);
			q->in_msg = false;
			q->msg_bytes = 0;
			if (!json_object_is_type(o, json_type_object)) {
				json_object_put(o);
				return qmp_fail(q, -EPROTO,
						"the peer sent something that is not QMP (%s)",
						"a JSON value that is not an object");
			}
			*ret = o;
			return 1;
		}
		if (e == json_tokener_continue && used == n)
			continue;
		return qmp_fail(q, -EPROTO, "the peer sent something that is not QMP (%s)",
				e == json_tokener_error_depth ? "JSON nested too deeply"
							      : "not JSON");
	}
	q->pos = q->len = 0;
	return 0;
}

/* The next message, whatever it is, within the deadline. what names it in errors. */
static int qmp_read_message(struct tce_qmp *q, const char *what, const struct deadline *d,
			    json_object **ret)
{
	char t[32];

	for (;;) {
		size_t want;
		ssize_t n;
		int r;

		r = qmp_parse_buffered(q, what, ret);
		if (r != 0)
			return r < 0 ? r : 0;

		/* never ask for more than one byte past the bound */
		want = TCE_QMP_MAX_REPLY + 1 - q->msg_bytes;
		if (want > sizeof(q->buf))
			want = sizeof(q->buf);
		n = recv(q->fd, q->buf, want, MSG_DONTWAIT);
		if (n > 0) {
			q->len = (size_t)n;
			continue;
		}
		/* a peer that closes with our bytes unread resets the connection: the same end */
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return qmp_fail(
			    q, -ECONNRESET, "the peer closed the connection %s",
			    q->in_msg ? (streq(what, "greeting") ? "mid-greeting" : "mid-reply")
				      : (streq(what, "greeting") ? "before its greeting"
								 : "before replying"));
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return qmp_fail(q, -errno, "cannot read: %s", strerror(errno));
		r = qmp_wait(q, POLLIN, d);
		if (r < 0)
			return qmp_fail(q, r, "waiting to read: %s", strerror(-r));
		if (r == 0) {
			fmt_seconds(t, sizeof(t), d->timeout_ms);
			return qmp_fail(q, -ETIMEDOUT, "no %s within %s", what, t);
		}
	}
}

/*
 * The reply to the command just sent: events are skipped; 0 and *ret = its
 * "return" value, or -EREMOTEIO with the error's description as the message.
 */
static int qmp_read_reply(struct tce_qmp *q, const struct deadline *d, json_object **ret_msg,
			  json_object **ret_value)
{
	for (;;) {
		json_object *m = NULL, *v, *desc;
		int r;

		r = qmp_read_message(q, "reply", d, &m);
		if (r < 0)
			return r;
		if (json_object_object_get_ex(m, "return", &v)) {
			*ret_msg = m;
			*ret_value = v;
			return 0;
		}
		if (json_object_object_get_ex(m, "error", &v)) {
			/* the peer's words, raw: whoever prints them escapes them */
			if (json_object_object_get_ex(v, "desc", &desc) &&
			    json_object_is_type(desc, json_type_string))
				r = qmp_fail(q, -EREMOTEIO, "%s", json_object_get_string(desc));
			else
				r = qmp_fail(q, -EREMOTEIO, "an error without a description");
			/* the connection itself is still in step: this error does not stick */
			q->err = 0;
			json_object_put(m);
			return r;
		}
		if (json_object_object_get_ex(m, "event", NULL)) {
			json_object_put(m);
			continue;
		}
		json_object_put(m);
		return qmp_fail(q, -EPROTO, "the peer sent something that is not QMP (%s)",
				"a message with neither \"return\", \"error\" nor \"event\"");
	}
}

/* connect() bounded by the deadline: a full backlog says EAGAIN, and is tried again. */
static int qmp_connect(struct tce_qmp *q, const char *path, const struct deadline *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char t[32];
	size_t l = strlen(path);

	if (l == 0)
		return qmp_fail(q, -EINVAL, "an empty socket path");
	if (l >= sizeof(sa.sun_path))
		return qmp_fail(q, -ENAMETOOLONG, "the socket path is longer than %zu bytes",
				sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, l);

	for (;;) {
		int r = connect(q->fd, (struct sockaddr *)&sa, sizeof(sa));

		if (r == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			int left = deadline_left(d);

			if (left == 0) {
				fmt_seconds(t, sizeof(t), d->timeout_ms);
				return qmp_fail(q, -ETIMEDOUT,
						"the socket accepted no connection within %s (its "
						"backlog is full)",
						t);
			}
			poll(NULL, 0, left < QMP_CONNECT_RETRY_MS ? left : QMP_CONNECT_RETRY_MS);
			continue;
		}
		if (errno == EINPROGRESS) {
			int e = 0;
			socklen_t el = sizeof(e);

			r = qmp_wait(q, POLLOUT, d);
			if (r < 0)
				return qmp_fail(q, r, "cannot connect: %s", strerror(-r));
			if (r == 0) {
				fmt_seconds(t, sizeof(t), d->timeout_ms);
				return qmp_fail(q, -ETIMEDOUT, "could not connect within %s", t);
			}
			if (getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
				e = errno;
			if (e == 0)
				return 0;
			return qmp_fail(q, -e, "cannot connect: %s", strerror(e));
		}
		return qmp_fail(q, -errno, "cannot connect: %s", strerror(errno));
	}
}

static int qmp_handshake(struct tce_qmp *q, const struct deadline *d)
{
	static const char caps[] = "{\"execute\":\"qmp_capabilities\"}\r\n";
	json_object *m = NULL, *v;
	int r;

	r = qmp_read_message(q, "greeting", d, &m);
	if (r < 0)
		return r;
	r = json_object_object_get_ex(m, "QMP", NULL);
	json_object_put(m);
	if (!r)
		return qmp_fail(q, -EPROTO, "the peer sent something that is not QMP (%s)",
				"a greeting without \"QMP\"");

	r = qmp_send(q, caps, sizeof(caps) - 1, d);
	if (r < 0)
		return r;
	m = NULL;
	r = qmp_read_reply(q, d, &m, &v);
	if (r == -EREMOTEIO) {
		_cleanup_free_ char *desc = TAKE_PTR(q->err_msg);

		return qmp_fail(q, -EPROTO, "qmp_capabilities failed: %s",
				desc ? desc : "out of memory");
	}
	json_object_put(m);
	return r;
}

/*
 * The handshake on q->fd (connected, non-blocking) when path is NULL, or a
 * connect to path first; q is freed on failure.
 */
static int qmp_start(struct tce_qmp *q, const char *path, int timeout_ms, struct tce_qmp **ret,
		     char **ret_error)
{
	struct deadline d;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int r;

	deadline_init(&d, timeout_ms);
	q->tok = json_tokener_new_ex(QMP_MAX_DEPTH);
	if (!q->tok) {
		r = -ENOMEM;
		goto fail;
	}
	if (path) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (q->fd < 0) {
			r = qmp_fail(q, -errno, "cannot make a socket: %s", strerror(errno));
			goto fail;
		}
		r = qmp_connect(q, path, &d);
		if (r < 0)
			goto fail;
	}
	if (getsockopt(q->fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 && cred.pid > 0)
		q->pid = cred.pid;
	r = qmp_handshake(q, &d);
	if (r < 0)
		goto fail;
	*ret = q;
	return 0;

fail:
	if (ret_error) {
		if (q->err_msg)
			qmp_set_error(q, ret_error);
		else
			*ret_error = strdup(strerror(-r));
	}
	tce_qmp_close(q);
	return r;
}

int tce_qmp_open(const char *path, int timeout_ms, struct tce_qmp **ret, char **ret_error)
{
	struct tce_qmp *q;

	if (!path || !ret || timeout_ms <= 0) {
		if (ret_error)
			*ret_error = strdup("invalid arguments");
		return -EINVAL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->fd = -1;
	return qmp_start(q, path, timeout_ms, ret, ret_error);
}

int tce_qmp_open_fd(int fd, int timeout_ms, struct tce_qmp **ret, char **ret_error)
{
	struct tce_qmp *q;

	if (fd < 0 || !ret || timeout_ms <= 0) {
		if (ret_error)
			*ret_error = strdup("invalid arguments");
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		close(fd);
		return -ENOMEM;
	}
	q->fd = fd;
	return qmp_start(q, NULL, timeout_ms, ret, ret_error);
}

int tce_qmp_peer_pid(const struct tce_qmp *q)
{
	return q ? q->pid : 0;
}

int tce_qmp_call(struct tce_qmp *q, const char *request, int timeout_ms, char **ret,
		 char **ret_error)
{
	struct deadline d;
	json_object *m = NULL, *v = NULL;
	_cleanup_free_ char *line = NULL;
	const char *s;
	char *text;
	int r;

	if (!q || !request || !*request || timeout_ms <= 0) {
		if (ret_error)
			*ret_error = strdup("invalid arguments");
		return -EINVAL;
	}
	if (q->err) {
		qmp_set_error(q, ret_error);
		return q->err;
	}
	deadline_init(&d, timeout_ms);

	/* one send: a peer that acts on the object before its CRLF arrives must not see it torn */
	if (asprintf(&line, "%s\r\n", request) < 0) {
		if (ret_error)
			*ret_error = strdup("out of memory");
		return -ENOMEM;
	}
	r = qmp_send(q, line, strlen(line), &d);
	if (r >= 0)
		r = qmp_read_reply(q, &d, &m, &v);
	if (r < 0) {
		qmp_set_error(q, ret_error);
		if (!q->err) { /* an error reply: the next call may still succeed */
			free(q->err_msg);
			q->err_msg = NULL;
		}
		return r;
	}
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	text = strdup(s ? s : "null");
	json_object_put(m);
	if (!text)
		return -ENOMEM;
	if (ret)
		*ret = text;
	else
		free(text);
	return 0;
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
