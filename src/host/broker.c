/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The broker: what a confined live command may not read itself. Landlock
 * lets a domain ptrace (and read the ptrace-guarded /proc files of) only a
 * process inside it (security/landlock/task.c, hook_ptrace_access_check),
 * and holders and the VM map read other processes' /proc/PID/fd, fd/N and
 * maps. So a live command forks before it confines itself: the parent
 * stays unconfined and does nothing but answer the child's requests for
 * exactly those files, the same syscalls the root's live readers make
 * (OpenSSH's privilege separation, the other way round: here the
 * privileged side is the smaller), then ends as the child ended.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "root-internal.h"
#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/probe.h"
#include "tceiommu/sandbox.h"
#include "tceiommu/util.h"

enum { BR_READ = 1, BR_READLINK, BR_LIST, BR_HOLDERS };
#define BR_MAX (64u << 20) /* the largest answer; maps are asked with 16 MiB */

struct br_req {
	uint32_t op;
	uint32_t arg; /* BR_READ: the caller's max; BR_HOLDERS: privileged */
	uint32_t len; /* of the path that follows */
};

struct br_rsp {
	int32_t err; /* 0 or an errno */
	uint32_t len;
};

static int broker_fd = -1;
static pthread_mutex_t broker_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile pid_t broker_child;

/* what follows PATH_PROC/PID/, or NULL */
static const char *proc_pid_rest(const char *path)
{
	const char *p;

	if (!strneq(path, PATH_PROC "/", sizeof(PATH_PROC)))
		return NULL;
	p = path + sizeof(PATH_PROC);
	if (*p < '1' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '/' ? p + 1 : NULL;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* the ptrace-guarded files the tool reads, each in the one way it is read */
static bool serves(const char *path, uint32_t op)
{
	const char *rest = proc_pid_rest(path);

	if (!rest)
		return false;
	switch (op) {
	case BR_READ:
		return streq(rest, "maps");
	case BR_LIST:
		return streq(rest, "fd");
	case BR_READLINK:
		return strneq(rest, "fd/", 3) && all_digits(rest + 3);
	default:
		return false;
	}
}

bool tce_broker_serves(const char *path)
{
	return broker_fd >= 0 &&
	       (serves(path, BR_READ) || serves(path, BR_LIST) || serves(path, BR_READLINK));
}

/* all of LEN bytes written (or read), or -errno (-EPIPE: the other end is gone) */
static int xfer(int fd, void *buf, size_t len, bool writing)
{
	char *p = buf;

	while (len) {
		ssize_t n = writing ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	return xfer(fd, (void *)buf, len, true);
}

static int read_all(int fd, void *buf, size_t len)
{
	return xfer(fd, buf, len, false);
}

/* strings as one buffer, each ended by its NUL */
static int join_strv(char **v, char **ret, size_t *ret_len)
{
	size_t len = 0;
	char *buf, *p;

	for (char **s = v; s && *s; s++)
		len += strlen(*s) + 1;
	if (!(buf = malloc(len + 1)))
		return -ENOMEM;
	p = buf;
	for (char **s = v; s && *s; s++)
		p = stpcpy(p, *s) + 1;
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int answer_read(const char *path, uint32_t arg, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd =
	    open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* bounded as the root's own readers are (/proc: never one read) */
	return root_read_fd_all(fd, arg < BR_MAX ? arg : BR_MAX, ret, ret_len);
}

/* the parent's answer to one request */
static int answer(const struct br_req *q, const char *path, char **ret, size_t *ret_len)
{
	_cleanup_strv_free_ char **v = NULL;
	_cleanup_strv_buf_ struct strv_buf list = { 0 };
	char target[4096];
	ssize_t n;
	DIR *d;
	struct dirent *de;
	int k = 0;

	if (q->op == BR_HOLDERS) {
		k = tce_vfio_holders_scan(PATH_PROC, q->arg != 0, &v);
		return k < 0 ? k : join_strv(v, ret, ret_len);
	}
	if (!serves(path, q->op))
		return -EPERM;
	switch (q->op) {
	case BR_READLINK:
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		if (!(*ret = strndup(target, (size_t)n)))
			return -ENOMEM;
		*ret_len = (size_t)n;
		return 0;
	case BR_LIST:
		if (!(d = opendir(path)))
			return -errno;
		while (k == 0 && (errno = 0, de = readdir(d)))
			if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
				k = strv_buf_extend(&list, de->d_name);
		if (k == 0 && errno)
			k = -errno;
		closedir(d);
		return k < 0 ? k : join_strv(list.v, ret, ret_len);
	default:
		return answer_read(path, q->arg, ret, ret_len);
	}
}

static void forward(int sig)
{
	if (broker_child > 0)
		kill(broker_child, sig);
}

/* The parent: answer until the child closes its end, then end as it did. */
static _Noreturn void serve(int s, pid_t child)
{
	struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
	int status;

	broker_child = child;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		struct br_req q;
		struct br_rsp a = { 0 };
		_cleanup_free_ char *path = NULL, *buf = NULL;
		size_t len = 0;
		int k;

		if (read_all(s, &q, sizeof(q)) < 0 || q.len > 4096 || !(path = malloc(q.len + 1)) ||
		    read_all(s, path, q.len) < 0)
			break;
		path[q.len] = '\0';
		k = strlen(path) == q.len ? answer(&q, path, &buf, &len) : -EINVAL;
		a.err = k < 0 ? -k : 0;
		a.len = k < 0 ? 0 : (uint32_t)len;
		if (write_all(s, &a, sizeof(a)) < 0 || (a.len && write_all(s, buf, a.len) < 0))
			break;
	}
	close(s);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			_exit(TCE_SANDBOX_EXIT_LOST);
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		_exit(128 + WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : TCE_SANDBOX_EXIT_LOST);
}

static int call(uint32_t op, uint32_t arg, const char *path, char **ret, size_t *ret_len)
{
	struct br_req q = { .op = op, .arg = arg, .len = path ? (uint32_t)strlen(path) : 0 };
	struct br_rsp a = { 0 };
	char *buf = NULL;
	int k;

	pthread_mutex_lock(&broker_lock);
	if (broker_fd < 0) {
		pthread_mutex_unlock(&broker_lock);
		return -ENOSYS;
	}
	k = write_all(broker_fd, &q, sizeof(q));
	if (k == 0 && q.len)
		k = write_all(broker_fd, path, q.len);
	if (k == 0)
		k = read_all(broker_fd, &a, sizeof(a));
	if (k == 0 && a.len > BR_MAX)
		k = -EPROTO;
	if (k == 0 && !(buf = malloc((size_t)a.len + 1)))
		k = -ENOMEM;
	if (k == 0)
		k = read_all(broker_fd, buf, a.len);
	if (k < 0) {
		/* a stream broken mid-answer is never read again */
		close(broker_fd);
		broker_fd = -1;
		pthread_mutex_unlock(&broker_lock);
		free(buf);
		WRN("sandbox: the broker is gone (%s)", strerror(-k));
		return -EIO;
	}
	pthread_mutex_unlock(&broker_lock);
	if (a.err) {
		free(buf);
		return -a.err;
	}
	buf[a.len] = '\0';
	*ret = buf;
	*ret_len = a.len;
	return 0;
}

int tce_broker_read(const char *path, size_t max, char **ret, size_t *ret_len)
{
	return call(BR_READ, max > BR_MAX ? BR_MAX : (uint32_t)max, path, ret, ret_len);
}

int tce_broker_readlink(const char *path, char **ret)
{
	size_t len;

	return call(BR_READLINK, 0, path, ret, &len);
}

/* NUL-ended strings into a strv */
static int split(const char *buf, size_t len, char ***ret)
{
	_cleanup_strv_buf_ struct strv_buf v = { 0 };

	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		if (strv_buf_extend(&v, buf + i) < 0)
			return -ENOMEM;
	return (*ret = strv_buf_steal(&v)) ? 0 : -ENOMEM;
}

int tce_broker_list(const char *path, char ***ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int k = call(BR_LIST, 0, path, &buf, &len);

	return k < 0 ? k : split(buf, len, ret);
}

int tce_broker_holders(bool privileged, char ***ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int k = call(BR_HOLDERS, privileged, NULL, &buf, &len);

	return k < 0 ? k : split(buf, len, ret);
}

int tce_broker_start(void)
{
	int sv[2];
	pid_t pid, parent = getpid();

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (pid > 0) {
		close(sv[1]);
		serve(sv[0], pid);
	}
	close(sv[0]);
	broker_fd = sv[1];
	/* the broker gone, the command goes too */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(TCE_SANDBOX_EXIT_LOST);
	return 0;
}
