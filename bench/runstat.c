/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runstat OUT CMD [ARG...]: run CMD (its stdin, stdout and stderr are ours)
 * and write "WALL_MS PEAK_KIB STATUS" to the file OUT.
 *
 * WALL_MS: CLOCK_MONOTONIC from just before fork() to wait4()'s return, in
 * milliseconds with microseconds; PEAK_KIB: the child's ru_maxrss from
 * wait4(), the number GNU time's %M prints; STATUS: the exit status, or 128 +
 * the signal. A helper of bench/run: GNU time's %e has 10 ms steps, and
 * running GNU time inside the measurement would add its own fork and exec to
 * commands that take a few milliseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status, code;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fputs("Usage: runstat OUT CMD [ARG...]\n", stderr);
		return 64;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("runstat: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("runstat: wait4");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	fprintf(out, "%.3f %ld %d\n",
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
		ru.ru_maxrss, code);
	return fclose(out) == 0 ? 0 : 1;
}
