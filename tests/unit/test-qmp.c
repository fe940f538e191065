/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The QMP client against fake peers: each test binds a real unix socket in a
 * temporary directory and serves one connection from a thread, well or
 * badly. Every bad peer must give its error within the timeout.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tceiommu/macro.h"
#include "tceiommu/qmp.h"

#define GREETING                                                                                   \
	"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "          \
	"\"package\": \"\"}, \"capabilities\": [\"oob\"]}}\r\n"
#define CAPS_REPLY "{\"return\": {}}\r\n"
#define EVENT                                                                                      \
	"{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\", "             \
	"\"data\": {}}\r\n"

enum mode {
	M_GOOD,	   /* answers like QEMU, with events, split writes and errors */
	M_SILENT,  /* reads, never writes */
	M_SEND,	   /* sends reply, then reads (or closes, with close_after) */
	M_ENDLESS, /* sends reply, then 'a' forever */
	M_TRICKLE, /* sends reply, then a space every 100 ms forever */
	M_SIZED,   /* sends a {"return": "aaa..."} of exactly size bytes */
};

struct peer {
	char dir[64];
	char path[128];
	int lfd;
	bool at_greeting;	/* the mode acts instead of the greeting */
	const char *greeting;	/* instead of GREETING */
	const char *caps_reply; /* instead of CAPS_REPLY; "" sends nothing */
	enum mode mode;
	const char *reply;
	bool close_after;
	bool hangup; /* close right after the capabilities */
	size_t size;
	size_t written; /* by M_ENDLESS and M_SIZED, until the client went away */
	pthread_t thread;
	bool running;
};

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int send_str(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int say(int fd, const char *s)
{
	return send_str(fd, s, strlen(s));
}

/* One request, up to its newline; 0 at the end of the stream. */
static ssize_t read_request(int fd, char *b, size_t n)
{
	size_t l = 0;

	while (l + 1 < n) {
		ssize_t r = read(fd, b + l, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		if (b[l++] == '\n')
			break;
	}
	b[l] = '\0';
	return (ssize_t)l;
}

static void good_answer(int fd, const char *req)
{
	if (strstr(req, "query-status")) {
		/* events first; one write holds two messages and the start of the reply */
		say(fd, EVENT);
		say(fd, EVENT EVENT "{\"return\": {\"status\": \"prel");
		usleep(20000);
		say(fd, "aunch\", \"running\": false}}\r\n");
	} else if (strstr(req, "bytewise")) {
		const char *s = "{\"return\": [1, \"a}\\r\\n{\", {\"k\": null}]}\r\n";

		for (; *s; s++) {
			send_str(fd, s, 1);
			usleep(1000);
		}
	} else if (strstr(req, "raw")) {
		say(fd, "{\"return\": \"\\u001b[31mred\\u0007\"}\r\n");
	} else if (strstr(req, "null")) {
		say(fd, "{\"return\": null}\r\n");
	} else if (strstr(req, "nodesc")) {
		say(fd, "{\"error\": {\"class\": \"GenericError\"}}\r\n");
	} else {
		say(fd, "{\"error\": {\"class\": \"CommandNotFound\", "
			"\"desc\": \"The command nope has not been found\"}}\r\n");
	}
}

/* Act by mode; false when the connection is done with. */
static bool act(struct peer *p, int fd, const char *req)
{
	static char fill[65536];

	switch (p->mode) {
	case M_GOOD:
		good_answer(fd, req);
		return true;
	case M_SILENT:
		return true;
	case M_SEND:
		say(fd, p->reply);
		return !p->close_after;
	case M_ENDLESS:
		memset(fill, 'a', sizeof(fill));
		if (say(fd, p->reply) < 0)
			return false;
		while (send_str(fd, fill, sizeof(fill)) == 0)
			p->written += sizeof(fill);
		return false;
	case M_TRICKLE:
		if (say(fd, p->reply) < 0)
			return false;
		while (say(fd, " ") == 0)
			usleep(100000);
		return false;
	case M_SIZED: {
		const char *pre = "{\"return\": \"", *post = "\"}\r\n";
		size_t n = p->size - strlen(pre) - 2;

		memset(fill, 'a', sizeof(fill));
		if (say(fd, pre) < 0)
			return false;
		p->written = strlen(pre);
		while (n > 0) {
			size_t k = n < sizeof(fill) ? n : sizeof(fill);

			if (send_str(fd, fill, k) < 0)
				return false;
			n -= k;
			p->written += k;
		}
		if (say(fd, post) == 0)
			p->written += 2;
		return true;
	}
	}
	return false;
}

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	char req[4096];
	int fd = accept4(p->lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (p->at_greeting) {
		if (!act(p, fd, ""))
			goto out;
	} else {
		say(fd, p->greeting ? p->greeting : GREETING);
		if (read_request(fd, req, sizeof(req)) <= 0)
			goto out;
		say(fd, p->caps_reply ? p->caps_reply : CAPS_REPLY);
		if (p->hangup) {
			close(fd);
			return NULL;
		}
	}
	while (read_request(fd, req, sizeof(req)) > 0)
		if (!act(p, fd, req))
			goto out;
out:
	if (!p->close_after)
		while (read(fd, req, sizeof(req)) > 0)
			;
	close(fd);
	return NULL;
}

/* Bind and listen (or only bind) at a fresh path; serve one connection if asked to. */
static void peer_start(struct peer *p, bool listening, int backlog, bool serve)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(p->dir, "/tmp/test-qmp-XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	snprintf(p->path, sizeof(p->path), "%s/qmp.sock", p->dir);
	strcpy(sa.sun_path, p->path);
	p->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(p->lfd >= 0);
	assert_int_equal(bind(p->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (listening)
		assert_int_equal(listen(p->lfd, backlog), 0);
	if (serve) {
		assert_int_equal(pthread_create(&p->thread, NULL, peer_main, p), 0);
		p->running = true;
	}
}

static void peer_stop(struct peer *p)
{
	if (p->running)
		pthread_join(p->thread, NULL);
	close(p->lfd);
	unlink(p->path);
	rmdir(p->dir);
}

/* Open against p and expect failure r with a message that contains words. */
static void expect_open_fails(struct peer *p, int timeout_ms, int r, const char *words)
{
	struct tce_qmp *q = (struct tce_qmp *)0x1;
	_cleanup_free_ char *err = NULL;
	int64_t t0 = now_ms();

	assert_int_equal(tce_qmp_open(p->path, timeout_ms, &q, &err), r);
	assert_true(now_ms() - t0 < 2000);
	assert_true(q == (struct tce_qmp *)0x1); /* untouched */
	assert_non_null(err);
	if (!strstr(err, words))
		fail_msg("error \"%s\" does not say \"%s\"", err, words);
}

static struct tce_qmp *open_ok(struct peer *p)
{
	struct tce_qmp *q = NULL;
	_cleanup_free_ char *err = NULL;

	assert_int_equal(tce_qmp_open(p->path, 2000, &q, &err), 0);
	assert_null(err);
	assert_non_null(q);
	return q;
}

/* A call on an open connection that must fail with r, saying words, and keep failing so. */
static void expect_call_fails(struct tce_qmp *q, int timeout_ms, int r, const char *words)
{
	_cleanup_free_ char *err = NULL, *err2 = NULL, *out = NULL;
	int64_t t0 = now_ms();

	assert_int_equal(tce_qmp_call(q, "{\"execute\": \"query-status\"}", timeout_ms, &out, &err),
			 r);
	assert_true(now_ms() - t0 < 2000);
	assert_null(out);
	assert_non_null(err);
	if (!strstr(err, words))
		fail_msg("error \"%s\" does not say \"%s\"", err, words);
	/* the connection is unusable now, and says so at once */
	t0 = now_ms();
	assert_int_equal(tce_qmp_call(q, "{\"execute\": \"query-status\"}", 5000, &out, &err2), r);
	assert_true(now_ms() - t0 < 100);
	assert_string_equal(err, err2);
}

static void test_good(void **state)
{
	struct peer p = { .mode = M_GOOD };
	struct tce_qmp *q;
	char *out = NULL, *err = NULL;

	(void)state;
	/* the capabilities' answer comes in the greeting's write, ahead of the request */
	p.greeting = GREETING CAPS_REPLY;
	p.caps_reply = "";
	peer_start(&p, true, 8, true);
	q = open_ok(&p);
	assert_int_equal(tce_qmp_peer_pid(q), getpid());

	assert_int_equal(tce_qmp_call(q, "{\"execute\": \"query-status\"}", 2000, &out, &err), 0);
	assert_string_equal(out, "{\"status\":\"prelaunch\",\"running\":false}");
	assert_null(err);
	free(out);

	assert_int_equal(tce_qmp_call(q, "{\"execute\": \"bytewise\"}", 2000, &out, &err), 0);
	assert_string_equal(out, "[1,\"a}\\r\\n{\",{\"k\":null}]");
	free(out);

	/* the peer's string comes back raw, control characters and all, for the renderers */
	assert_int_equal(tce_qmp_call(q, "{\"execute\": \"raw\"}", 2000, &out, &err), 0);
	assert_string_equal(out, "\"\\u001b[31mred\\u0007\"");
	free(out);

	assert_int_equal(tce_qmp_call(q, "{\"execute\": \"null\"}", 2000, &out, &err), 0);
	assert_string_equal(out, "null");
	free(out);
	out = NULL;

	/* an error reply is an answer: the connection stays usable */
	assert_int_equal(tce_qmp_call(q, "{\"execute\": \"nope\"}", 2000, &out, &err), -EREMOTEIO);
	assert_null(out);
	assert_string_equal(err, "The command nope has not been found");
	free(err);
	err = NULL;
	assert_int_equal(tce_qmp_call(q, "{\"execute\": \"nodesc\"}", 2000, &out, &err),
			 -EREMOTEIO);
	assert_string_equal(err, "an error without a description");
	free(err);
	err = NULL;
	assert_int_equal(tce_qmp_call(q, "{\"execute\": \"query-status\"}", 2000, &out, NULL), 0);
	assert_string_equal(out, "{\"status\":\"prelaunch\",\"running\":false}");
	free(out);

	assert_int_equal(tce_qmp_call(q, "", 2000, &out, &err), -EINVAL);
	assert_string_equal(err, "invalid arguments");
	free(err);
	assert_int_equal(tce_qmp_call(q, "{}", 0, &out, NULL), -EINVAL);
	tce_qmp_close(q);
	tce_qmp_close(NULL);
	assert_int_equal(tce_qmp_peer_pid(NULL), 0);
	peer_stop(&p);
}

static void test_silent(void **state)
{
	struct peer p = { .mode = M_SILENT, .at_greeting = true };

	(void)state;
	peer_start(&p, true, 8, true);
	expect_open_fails(&p, 300, -ETIMEDOUT, "no greeting within 0.3 s");
	peer_stop(&p);

	/* a greeting, then nothing: the capabilities go unanswered */
	memset(&p, 0, sizeof(p));
	p.mode = M_SILENT;
	p.caps_reply = "";
	peer_start(&p, true, 8, true);
	expect_open_fails(&p, 300, -ETIMEDOUT, "no reply within 0.3 s");
	peer_stop(&p);

	memset(&p, 0, sizeof(p));
	p.mode = M_SILENT;
	peer_start(&p, true, 8, true);
	{
		struct tce_qmp *q = open_ok(&p);
		int64_t t0 = now_ms();

		expect_call_fails(q, 300, -ETIMEDOUT, "no reply within 0.3 s");
		assert_true(now_ms() - t0 >= 290);
		tce_qmp_close(q);
	}
	peer_stop(&p);
}

static void test_trickle(void **state)
{
	struct peer p = { .mode = M_TRICKLE, .reply = "{\"return\": " };
	struct tce_qmp *q;

	(void)state;
	peer_start(&p, true, 8, true);
	q = open_ok(&p);
	expect_call_fails(q, 300, -ETIMEDOUT, "no reply within 0.3 s");
	tce_qmp_close(q);
	peer_stop(&p);

	memset(&p, 0, sizeof(p));
	p.mode = M_TRICKLE;
	p.at_greeting = true;
	p.reply = "{\"QMP\": ";
	peer_start(&p, true, 8, true);
	expect_open_fails(&p, 300, -ETIMEDOUT, "no greeting within 0.3 s");
	peer_stop(&p);
}

static void garbage_greeting(const char *greeting, int r, const char *words)
{
	struct peer p = { .mode = M_SEND, .at_greeting = true, .reply = greeting };

	peer_start(&p, true, 8, true);
	expect_open_fails(&p, 1000, r, words);
	peer_stop(&p);
}

static void garbage_reply(const char *reply, int r, const char *words)
{
	struct peer p = { .mode = M_SEND, .reply = reply };
	struct tce_qmp *q;

	peer_start(&p, true, 8, true);
	q = open_ok(&p);
	expect_call_fails(q, 1000, r, words);
	tce_qmp_close(q);
	peer_stop(&p);
}

static void test_garbage(void **state)
{
	(void)state;
	garbage_greeting("SSH-2.0-OpenSSH_9.2p1\r\n", -EPROTO,
			 "the peer sent something that is not QMP (not JSON)");
	garbage_greeting("[\"QMP\"]\r\n", -EPROTO, "not an object");
	garbage_greeting("{\"QEMU\": {}}\r\n", -EPROTO, "a greeting without \"QMP\"");
	garbage_greeting("{\"QMP\" {}}\r\n", -EPROTO, "not JSON");
	garbage_reply("{\"return\": nope}\r\n", -EPROTO, "not QMP (not JSON)");
	garbage_reply("\r\n\r\n42\r\n", -EPROTO, "not an object");
	garbage_reply("{\"something\": 1}\r\n", -EPROTO, "neither");
	garbage_reply("\xff\xfe\r\n", -EPROTO, "not JSON");
	/* deeper than any QMP reply */
	{
		static char deep[1200];
		int i;

		for (i = 0; i < 200; i++)
			strcat(deep, "{\"a\":");
		garbage_reply(deep, -EPROTO, "nested too deeply");
	}
	/* capabilities refused */
	{
		struct peer p = { .mode = M_SEND,
				  .caps_reply = "{\"error\": {\"class\": \"GenericError\", "
						"\"desc\": \"no\"}}\r\n" };

		peer_start(&p, true, 8, true);
		expect_open_fails(&p, 1000, -EPROTO, "qmp_capabilities failed: no");
		peer_stop(&p);
	}
}

static void test_endless(void **state)
{
	struct peer p = { .mode = M_ENDLESS, .reply = "{\"return\": \"" };
	struct tce_qmp *q;

	(void)state;
	peer_start(&p, true, 8, true);
	q = open_ok(&p);
	expect_call_fails(q, 5000, -EMSGSIZE, "reply larger than 4 MiB");
	tce_qmp_close(q);
	peer_stop(&p);
	/* what the peer got rid of: what we read (the bound) plus the socket's buffers */
	assert_true(p.written + 65536 > TCE_QMP_MAX_REPLY);
	if (p.written > TCE_QMP_MAX_REPLY + (1u << 20))
		fail_msg("read %zu bytes of an endless reply", p.written);

	memset(&p, 0, sizeof(p));
	p.mode = M_ENDLESS;
	p.at_greeting = true;
	p.reply = "{\"QMP\": \"";
	peer_start(&p, true, 8, true);
	expect_open_fails(&p, 5000, -EMSGSIZE, "greeting larger than 4 MiB");
	peer_stop(&p);
	assert_true(p.written <= TCE_QMP_MAX_REPLY + (1u << 20));
}

static void test_sized(void **state)
{
	struct peer p = { .mode = M_SIZED, .size = TCE_QMP_MAX_REPLY };
	struct tce_qmp *q;
	char *out = NULL, *err = NULL;

	(void)state;
	/* exactly the bound: accepted */
	peer_start(&p, true, 8, true);
	q = open_ok(&p);
	assert_int_equal(tce_qmp_call(q, "{\"execute\": \"x\"}", 5000, &out, &err), 0);
	assert_int_equal(strlen(out), TCE_QMP_MAX_REPLY - strlen("{\"return\": }"));
	free(out);
	tce_qmp_close(q);
	peer_stop(&p);

	/* one byte more: refused */
	memset(&p, 0, sizeof(p));
	p.mode = M_SIZED;
	p.size = TCE_QMP_MAX_REPLY + 1;
	peer_start(&p, true, 8, true);
	q = open_ok(&p);
	expect_call_fails(q, 5000, -EMSGSIZE, "reply larger than 4 MiB");
	tce_qmp_close(q);
	peer_stop(&p);
}

static void test_closed(void **state)
{
	struct peer p = { .mode = M_SEND, .close_after = true, .reply = "{\"return\": {\"sta" };
	struct tce_qmp *q;

	(void)state;
	peer_start(&p, true, 8, true);
	q = open_ok(&p);
	expect_call_fails(q, 2000, -ECONNRESET, "the peer closed the connection mid-reply");
	tce_qmp_close(q);
	peer_stop(&p);

	/* closed between messages */
	memset(&p, 0, sizeof(p));
	p.mode = M_SEND;
	p.close_after = true;
	p.reply = EVENT;
	peer_start(&p, true, 8, true);
	q = open_ok(&p);
	expect_call_fails(q, 2000, -ECONNRESET, "the peer closed the connection before replying");
	tce_qmp_close(q);
	peer_stop(&p);

	/* closed before the request is sent: no SIGPIPE, an error */
	memset(&p, 0, sizeof(p));
	p.hangup = true;
	peer_start(&p, true, 8, true);
	q = open_ok(&p);
	pthread_join(p.thread, NULL);
	p.running = false;
	usleep(10000);
	expect_call_fails(q, 2000, -ECONNRESET, "the peer closed the connection");
	tce_qmp_close(q);
	peer_stop(&p);

	memset(&p, 0, sizeof(p));
	p.mode = M_SEND;
	p.close_after = true;
	p.at_greeting = true;
	p.reply = "";
	peer_start(&p, true, 8, true);
	expect_open_fails(&p, 2000, -ECONNRESET,
			  "the peer closed the connection before its greeting");
	peer_stop(&p);
}

static void test_connect(void **state)
{
	struct peer p = { 0 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fill[8], n = 0, i;
	char longpath[200];

	(void)state;
	/* bound, not listening */
	peer_start(&p, false, 0, false);
	expect_open_fails(&p, 1000, -ECONNREFUSED, "cannot connect: Connection refused");
	/* nothing at the path */
	unlink(p.path);
	expect_open_fails(&p, 1000, -ENOENT, "cannot connect: No such file or directory");
	peer_stop(&p);

	/* listening, never accepting */
	peer_start(&p, true, 8, false);
	expect_open_fails(&p, 300, -ETIMEDOUT, "no greeting within 0.3 s");
	peer_stop(&p);

	/* listening, never accepting, backlog full: connect() itself must not hang */
	peer_start(&p, true, 0, false);
	strcpy(sa.sun_path, p.path);
	for (i = 0; i < (int)ARRAY_SIZE(fill); i++) {
		fill[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		n++;
		if (connect(fill[i], (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			assert_int_equal(errno, EAGAIN);
			break;
		}
	}
	assert_true(i < (int)ARRAY_SIZE(fill));
	expect_open_fails(&p, 300, -ETIMEDOUT, "accepted no connection within 0.3 s");
	for (i = 0; i < n; i++)
		close(fill[i]);
	peer_stop(&p);

	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	{
		struct tce_qmp *q = NULL;
		_cleanup_free_ char *err = NULL;

		assert_int_equal(tce_qmp_open(longpath, 100, &q, &err), -ENAMETOOLONG);
		assert_non_null(err);
		assert_int_equal(tce_qmp_open(longpath, 0, &q, NULL), -EINVAL);
		assert_null(q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),	cmocka_unit_test(test_silent),
		cmocka_unit_test(test_trickle), cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_endless), cmocka_unit_test(test_sized),
		cmocka_unit_test(test_closed),	cmocka_unit_test(test_connect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
