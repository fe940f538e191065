/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tceiommu examples, and `--root example:NAME`: the real-kernel recordings
 * shipped with the tool (include/tceiommu/examples.h). Each line of the list
 * comes from the recording itself, not from a table here: the kernel from its
 * manifest, the machine and what it shows from the "- Machine:" and
 * "- Shows:" lines at the top of its README.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tceiommu/cmd.h"
#include "tceiommu/examples.h"
#include "tceiommu/log.h"
#include "tceiommu/out.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/root.h"
#include "tceiommu/util.h"

/* Set by CMakeLists.txt for this file: where `cmake --install` puts the
 * examples, absolute and relative to the executable's directory. */
#ifndef TCEIOMMU_EXAMPLES_INSTALLDIR
#define TCEIOMMU_EXAMPLES_INSTALLDIR "/usr/local/share/tceiommu/examples"
#endif
#ifndef TCEIOMMU_EXAMPLES_RELDIR
#define TCEIOMMU_EXAMPLES_RELDIR "../share/tceiommu/examples"
#endif
/* In a build tree, CMake links each example here, beside the executable. */
#define EXAMPLES_BUILDDIR "tceiommu-examples"

/* The directory of this executable, NULL when /proc is not there. */
static char *exe_dir(void)
{
	char buf[4096];
	ssize_t n = readlink(PATH_PROC_SELF_EXE, buf, sizeof(buf) - 1);
	char *slash;

	if (n <= 0 || buf[0] != '/')
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	*slash = '\0';
	return strdup(buf[0] ? buf : "/");
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int tce_examples_dir(char **ret_dir, char ***ret_tried)
{
	_cleanup_strv_free_ char **cand = calloc(1, sizeof(char *));
	const char *env = getenv("TCEIOMMU_EXAMPLES_DIR");
	_cleanup_free_ char *exe = NULL;

	if (!cand)
		return -ENOMEM;
	if (env && *env) {
		if (strv_extend(&cand, env) < 0)
			return -ENOMEM;
	} else {
		exe = exe_dir();
		if (exe &&
		    (strv_push(&cand, tce_strdup_printf("%s/%s", exe, EXAMPLES_BUILDDIR)) < 0 ||
		     strv_push(&cand, tce_strdup_printf("%s/%s", exe, TCEIOMMU_EXAMPLES_RELDIR)) <
			 0))
			return -ENOMEM;
		if (strv_extend(&cand, TCEIOMMU_EXAMPLES_INSTALLDIR) < 0)
			return -ENOMEM;
	}
	for (char **c = cand; *c; c++) {
		if (!is_dir(*c))
			continue;
		DBG("examples: %s", *c);
		/* canonical, for the messages: not "sbin/../share" */
		if (ret_dir && !(*ret_dir = realpath(*c, NULL)) && !(*ret_dir = strdup(*c)))
			return -ENOMEM;
		return 0;
	}
	if (ret_tried)
		*ret_tried = TAKE_PTR(cand);
	return -ENOENT;
}

/* A name that stays one directory below the examples' directory. */
static bool example_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128 || s[0] == '.' || s[0] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") == n;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tce_examples_list(const char *dir, char ***ret_names)
{
	_cleanup_strv_free_ char **names = calloc(1, sizeof(char *));
	DIR *d;
	struct dirent *de;

	if (!names)
		return -ENOMEM;
	if (!(d = opendir(dir)))
		return negative_errno();
	while ((de = readdir(d))) {
		_cleanup_free_ char *m = NULL;

		if (!example_name_ok(de->d_name))
			continue;
		m = tce_strdup_printf("%s/%s/%s", dir, de->d_name, TCE_SNAPSHOT_MANIFEST);
		if (!m || access(m, R_OK) < 0)
			continue;
		if (strv_extend(&names, de->d_name) < 0) {
			closedir(d);
			return -ENOMEM;
		}
	}
	closedir(d);
	qsort(names, strv_length(names), sizeof(char *), name_cmp);
	*ret_names = TAKE_PTR(names);
	return 0;
}

static char *strv_join(char *const *v, const char *sep)
{
	size_t len = 1;
	char *s;

	for (char *const *p = v; p && *p; p++)
		len += strlen(*p) + strlen(sep);
	if (!(s = calloc(1, len)))
		return NULL;
	for (char *const *p = v; p && *p; p++) {
		if (p != v)
			strcat(s, sep);
		strcat(s, *p);
	}
	return s;
}

int tce_example_path(const char *name, char **ret_path)
{
	_cleanup_free_ char *dir = NULL, *list = NULL, *tried_s = NULL;
	_cleanup_strv_free_ char **names = NULL, **tried = NULL;
	int k = tce_examples_dir(&dir, &tried);

	if (k == -ENOENT) {
		tried_s = strv_join(tried, ", ");
		ERR("--root " TCE_EXAMPLE_PREFIX "%s: no examples are installed (looked in %s)",
		    name, tried_s ? tried_s : "?");
		return k;
	}
	if (k < 0 || (k = tce_examples_list(dir, &names)) < 0) {
		ERR("--root " TCE_EXAMPLE_PREFIX "%s: %s", name, strerror(-k));
		return k;
	}
	if (example_name_ok(name) && strv_contains(names, name)) {
		*ret_path = tce_strdup_printf("%s/%s", dir, name);
		if (!*ret_path)
			return -ENOMEM;
		INF("example %s: %s", name, *ret_path);
		return 0;
	}
	list = strv_join(names, ", ");
	ERR("--root " TCE_EXAMPLE_PREFIX "%s: no such example; there are: %s ('tceiommu examples' "
	    "says what each shows)",
	    name, list && *list ? list : "none");
	return -ENOENT;
}

/* ---- tceiommu examples -------------------------------------------------- */

struct example {
	char *name, *machine, *kernel, *shows;
};

/* "- Machine: ..." and "- Shows: ..." among the first lines of README.md. */
static void read_readme(const char *dir, struct example *e)
{
	_cleanup_free_ char *p = tce_strdup_printf("%s/README.md", dir), *line = NULL;
	size_t cap = 0;
	FILE *f = p ? fopen(p, "re") : NULL;
	ssize_t n;

	for (int i = 0; f && i < 40 && (n = getline(&line, &cap, f)) > 0; i++) {
		char **to = NULL;
		const char *v = NULL;

		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (strneq(line, "- Machine: ", 11))
			to = &e->machine, v = line + 11;
		else if (strneq(line, "- Shows: ", 9))
			to = &e->shows, v = line + 9;
		if (to && !*to)
			*to = strdup(v);
	}
	if (f)
		fclose(f);
}

/* Columns as wide as the widest cell, counted in characters (UTF-8). */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void usage(FILE *f)
{
	fputs("Usage: tceiommu examples [OPTIONS]\n\n"
	      "List the built-in examples: Debian's real ppc64el kernels recorded on POWER\n"
	      "machines emulated by QEMU, one line each (name, machine, kernel, what it\n"
	      "shows). Replay one with 'tceiommu --root example:NAME COMMAND'.\n\n"
	      "Options:\n"
	      "  -n, --noheadings      do not print the heading line\n"
	      "  -h, --help            show this help\n\n"
	      "See tceiommu(8).\n",
	      f);
}

int cmd_examples(int argc, char **argv, const struct tce_global *gl)
{
	static const struct option opts[] = {
		{ "noheadings", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_free_ char *dir = NULL, *tried_s = NULL;
	_cleanup_strv_free_ char **names = NULL, **tried = NULL;
	_cleanup_free_ struct example *ex = NULL;
	size_t n = 0, w[3] = { 4, 7, 6 }; /* NAME, MACHINE, KERNEL */
	bool noheadings = false;
	int c, k;

	while ((c = getopt_long(argc, argv, "nh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			noheadings = true;
			break;
		case 'h':
			usage(stdout);
			return TCE_EXIT_OK;
		default:
			return tce_cmd_try_help("examples");
		}
	}
	if (tce_cmd_no_operands("examples", argv + optind))
		return TCE_EXIT_USAGE;
	k = tce_examples_dir(&dir, &tried);
	if (k == -ENOENT) {
		tried_s = strv_join(tried, ", ");
		ERR("examples: none installed (looked in %s)", tried_s ? tried_s : "?");
		return TCE_EXIT_FAILURE;
	}
	if (k < 0 || (k = tce_examples_list(dir, &names)) < 0) {
		ERR("examples: %s: %s", dir ? dir : "?", strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	INF("examples in %s", dir);
	n = strv_length(names);
	if (n && !(ex = calloc(n, sizeof(*ex))))
		return TCE_EXIT_FAILURE;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = tce_strdup_printf("%s/%s", dir, names[i]);
		_cleanup_root_ struct tce_root *r = NULL;
		struct example raw = { .name = names[i] };
		const char *rel;

		if (!p)
			return TCE_EXIT_FAILURE;
		read_readme(p, &raw);
		if (tce_root_new(p, &r) == 0 && (rel = tce_root_kernel_release(r)))
			raw.kernel = strdup(rel);
		ex[i].name = tce_escape_terminal(raw.name);
		ex[i].machine = tce_escape_terminal(raw.machine ? raw.machine : "-");
		ex[i].kernel = tce_escape_terminal(raw.kernel ? raw.kernel : "-");
		ex[i].shows = tce_escape_terminal(raw.shows ? raw.shows : "-");
		free(raw.machine);
		free(raw.kernel);
		free(raw.shows);
		if (!ex[i].name || !ex[i].machine || !ex[i].kernel || !ex[i].shows)
			k = -ENOMEM;
		else {
			size_t cw[3] = { text_width(ex[i].name), text_width(ex[i].machine),
					 text_width(ex[i].kernel) };

			for (int j = 0; j < 3; j++)
				if (cw[j] > w[j])
					w[j] = cw[j];
		}
	}
	if (k == 0 && !noheadings)
		printf("%-*s %-*s %-*s %s\n", (int)w[0], "NAME", (int)w[1], "MACHINE", (int)w[2],
		       "KERNEL", "SHOWS");
	for (size_t i = 0; k == 0 && i < n; i++) {
		/* pad by characters, not bytes */
		printf("%s%*s %s%*s %s%*s %s\n", ex[i].name, (int)(w[0] - text_width(ex[i].name)),
		       "", ex[i].machine, (int)(w[1] - text_width(ex[i].machine)), "", ex[i].kernel,
		       (int)(w[2] - text_width(ex[i].kernel)), "", ex[i].shows);
	}
	for (size_t i = 0; i < n; i++) {
		free(ex[i].name);
		free(ex[i].machine);
		free(ex[i].kernel);
		free(ex[i].shows);
	}
	if (k < 0) {
		ERR("examples: %s", strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	return TCE_EXIT_OK;
}
