/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tceiommu check-host: run the check table, render, exit by the worst level. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tceiommu/checks.h"
#include "tceiommu/cmd.h"
#include "tceiommu/log.h"
#include "tceiommu/sandbox.h"
#include "tceiommu/out.h"
#include "tceiommu/util.h"

/* check-host's own exit status for a run that produced no verdict: the
 * monitoring "UNKNOWN" (SPEC.md: a run that evaluates nothing is not green). */
#define EXIT_NO_VERDICT 3

enum fmt { FMT_TEXT, FMT_JSON, FMT_NAGIOS, FMT_PROMETHEUS };

static void usage(FILE *f)
{
	fputs("Usage: tceiommu [GLOBAL OPTIONS] check-host [OPTIONS]\n\n"
	      "Is this host ready for VFIO passthrough on POWER: modules, KVM capabilities,\n"
	      "the VFIO sPAPR backend, groups, memlock, huge pages. Reads only: loads no\n"
	      "module and opens /dev/kvm or /dev/vfio/vfio only when their module is there.\n\n"
	      "Options:\n"
	      "      --format FMT      text (default), json, nagios or prometheus\n"
	      "  -J, --json            the same as --format=json\n"
	      "  -q, --quiet           only WARN, FAIL and UNKNOWN (text)\n"
	      "      --check IDS       only these checks (comma-separated, globs: 'kvm.*')\n"
	      "      --skip IDS        not these checks\n"
	      "      --textfile-dir DIR  write DIR/tceiommu.prom for node_exporter's textfile\n"
	      "                        collector (atomically; implies --format=prometheus)\n"
	      "      --list-checks     list the checks and exit\n"
	      "  -h, --help            show this help\n\n"
	      "Exit status: 2 if a check FAILs, else 1 if one WARNs, else 3 if one is\n"
	      "UNKNOWN or nothing was evaluated, else 0; 64 on a usage error.\n"
	      "-v shows each check's evidence. libvirt is asked with a deadline\n"
	      "(TCEIOMMU_LIBVIRT_TIMEOUT, 15 s).\n"
	      "See tceiommu(8).\n",
	      f);
}

static void list_checks(void)
{
	static const char *const applies[] = { "all", "POWER", "PowerNV", "libvirt" };

	printf("%-26s %-8s %-7s %-5s %s\n", "ID", "APPLIES", "IF-BAD", "ROOT", "TITLE");
	for (size_t i = 0; i < tce_n_checks; i++)
		printf("%-26s %-8s %-7s %-5s %s\n", tce_checks[i].id,
		       applies[tce_checks[i].applies], tce_checks[i].when_bad,
		       tce_checks[i].needs_root ? "yes" : "no", tce_checks[i].title);
}

static bool matches(char *const *globs, const char *id)
{
	for (; globs && *globs; globs++)
		if (fnmatch(*globs, id, 0) == 0)
			return true;
	return false;
}

static int add_globs(char ***v, const char *list)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		bool any = false;

		for (size_t i = 0; i < tce_n_checks; i++)
			any |= fnmatch(t, tce_checks[i].id, 0) == 0;
		if (!any) {
			ERR("no check matches '%s' (see --list-checks)", t);
			return -EINVAL;
		}
		if (strv_extend(v, t) < 0)
			return -ENOMEM;
	}
	return 0;
}

static bool want_color(const struct tce_global *g)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (g->color == TCE_COLOR_NEVER)
		return false;
	if (g->color == TCE_COLOR_ALWAYS)
		return true;
	if (nc && *nc)
		return false;
	if (term && streq(term, "dumb"))
		return false;
	return isatty(STDOUT_FILENO);
}

/* node_exporter's textfile collector reads *.prom: write a temporary file in
 * the same directory and rename it, so it never sees half a file. */
static int write_textfile(const char *dir, const struct tce_checks_doc *d)
{
	_cleanup_free_ char *tmp = tce_strdup_printf("%s/.tceiommu.prom.XXXXXX", dir);
	_cleanup_free_ char *dst = tce_strdup_printf("%s/tceiommu.prom", dir);
	FILE *f;
	int fd, k;

	if (!tmp || !dst)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		k = -errno;
		close(fd);
		unlink(tmp);
		return k;
	}
	k = tce_render_checks_prometheus(d, f, (double)time(NULL));
	if (k == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		k = -errno;
	if (k == 0 && fchmod(fileno(f), 0644) != 0)
		k = -errno;
	if (fclose(f) != 0 && k == 0)
		k = -errno;
	if (k == 0 && rename(tmp, dst) != 0)
		k = -errno;
	if (k < 0)
		unlink(tmp);
	return k;
}

int cmd_check_host(int argc, char **argv, const struct tce_global *gl)
{
	enum { OPT_FORMAT = 256, OPT_CHECK, OPT_SKIP, OPT_LIST, OPT_TEXTFILE };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "json", no_argument, NULL, 'J' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "check", required_argument, NULL, OPT_CHECK },
		{ "skip", required_argument, NULL, OPT_SKIP },
		{ "textfile-dir", required_argument, NULL, OPT_TEXTFILE },
		{ "list-checks", no_argument, NULL, OPT_LIST },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_root_ struct tce_root *r = NULL;
	_cleanup_strv_free_ char **only = NULL, **skip = NULL;
	struct tce_check_result *res = NULL;
	_cleanup_free_ bool *sel = NULL;
	struct tce_check_ctx ctx;
	struct tce_checks_doc doc = { 0 };
	enum fmt fmt = FMT_TEXT;
	const char *textfile = NULL;
	bool quiet = false;
	size_t n = 0;
	int c, k;

	while ((c = getopt_long(argc, argv, "Jqh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (streq(optarg, "text"))
				fmt = FMT_TEXT;
			else if (streq(optarg, "json"))
				fmt = FMT_JSON;
			else if (streq(optarg, "nagios"))
				fmt = FMT_NAGIOS;
			else if (streq(optarg, "prometheus"))
				fmt = FMT_PROMETHEUS;
			else {
				ERR("--format: '%s' is not text, json, nagios or prometheus",
				    optarg);
				return TCE_EXIT_USAGE;
			}
			break;
		case 'J':
			fmt = FMT_JSON;
			break;
		case 'q':
			quiet = true;
			break;
		case OPT_CHECK:
			if (add_globs(&only, optarg) < 0)
				return TCE_EXIT_USAGE;
			break;
		case OPT_SKIP:
			if (add_globs(&skip, optarg) < 0)
				return TCE_EXIT_USAGE;
			break;
		case OPT_TEXTFILE:
			textfile = optarg;
			fmt = FMT_PROMETHEUS;
			break;
		case OPT_LIST:
			list_checks();
			return TCE_EXIT_OK;
		case 'h':
			usage(stdout);
			return TCE_EXIT_OK;
		default:
			return tce_cmd_try_help("check-host");
		}
	}
	if (tce_cmd_no_operands("check-host", argv + optind))
		return TCE_EXIT_USAGE;
	if (textfile) {
		struct stat st;

		if (stat(textfile, &st) < 0 || !S_ISDIR(st.st_mode)) {
			ERR("--textfile-dir %s: %s", textfile,
			    errno ? strerror(errno) : "not a directory");
			return EXIT_NO_VERDICT;
		}
	}
	/* confined before the host is read: writes only into --textfile-dir */
	if (tce_sandbox_enter(&textfile, textfile ? 1 : 0, !gl->root) < 0)
		return EXIT_NO_VERDICT;
	if (tce_global_open_root(gl, &r) < 0)
		return EXIT_NO_VERDICT;

	{
		size_t selected = 0;

		for (size_t i = 0; i < tce_n_checks; i++)
			selected += (!only || matches(only, tce_checks[i].id)) &&
				    !matches(skip, tce_checks[i].id);
		if (!selected) {
			ERR("--check and --skip leave no check to run");
			return TCE_EXIT_USAGE;
		}
	}
	/* output lost is no verdict either (main's close of stdout) */
	tce_exit_write_error = EXIT_NO_VERDICT;
	res = calloc(tce_n_checks, sizeof(*res));
	sel = calloc(tce_n_checks, sizeof(*sel));
	if (!res || !sel) {
		free(res);
		return EXIT_NO_VERDICT;
	}
	tce_check_ctx_init(&ctx, r, gl->connect);
	for (size_t i = 0; i < tce_n_checks; i++)
		sel[i] =
		    (!only || matches(only, tce_checks[i].id)) && !matches(skip, tce_checks[i].id);
	tce_checks_start(&ctx, sel);
	for (size_t i = 0; i < tce_n_checks; i++)
		if (sel[i])
			tce_check_run(&ctx, &tce_checks[i], &res[n++]);
	doc.res = res;
	doc.n = n;
	doc.kernel_release = tce_root_kernel_release(r);
	doc.platform = tce_ctx_is_power(&ctx) ? tce_platform_name(ctx.platform) : "none";
	doc.exit_status = tce_checks_exit_status(res, n);

	switch (fmt) {
	case FMT_JSON:
		k = tce_render_checks_json(&doc, stdout);
		break;
	case FMT_NAGIOS:
		k = tce_render_checks_nagios(&doc, stdout);
		break;
	case FMT_PROMETHEUS:
		k = textfile ? write_textfile(textfile, &doc)
			     : tce_render_checks_prometheus(&doc, stdout, (double)time(NULL));
		break;
	case FMT_TEXT:
	default:
		k = tce_render_checks_text(&doc, stdout, want_color(gl), quiet, gl->verbose > 0);
		break;
	}
	for (size_t i = 0; i < n; i++)
		tce_check_result_done(&res[i]);
	free(res);
	tce_check_ctx_done(&ctx);
	if (k < 0) {
		ERR("%s: %s", textfile ? textfile : "writing output", strerror(-k));
		return EXIT_NO_VERDICT;
	}
	return doc.exit_status;
}
