/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The regression runner of a fuzz target in the normal build (gcc, and the
 * ASan build): each argument, a file or a directory of files, is fed to
 * LLVMFuzzerTestOneInput as libFuzzer would; no argument feeds one empty
 * input. A crash is the test's failure; each input's name is printed first.
 * Each input has a deadline, as libFuzzer's -timeout: FUZZ_DEADLINE seconds
 * (30 by default), after which SIGALRM ends the run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static unsigned deadline = 30;

static int run_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		abort();
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	fprintf(stderr, "input %s (%zu bytes)\n", path, n);
	alarm(deadline);
	LLVMFuzzerTestOneInput(buf, n);
	alarm(0);
	free(buf);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
	struct stat st;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	DIR *d;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	d = opendir(path);
	if (!d)
		return 1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || asprintf(&names[n], "%s/%s", path, e->d_name) < 0)
			abort();
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		rc |= run_path(names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	const char *d = getenv("FUZZ_DEADLINE");
	int rc = 0;

	if (d && atoi(d) > 0)
		deadline = (unsigned)atoi(d);
	LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2) {
		LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
		return 0;
	}
	for (int i = 1; i < argc; i++)
		rc |= run_path(argv[i]);
	return rc;
}
