/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tceiommu: global options, parsed once, and the verb table (kmod tools/kmod.c,
 * systemd verbs.c): exact names, "did you mean" on a typo, help from the table.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tceiommu/cmd.h"
#include "tceiommu/examples.h"
#include "tceiommu/log.h"
#include "tceiommu/root.h"
#include "tceiommu/sandbox.h"

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv, const struct tce_global *g);
	const char *help;
	/* it confines itself once it knows what it writes (tceiommu/sandbox.h);
	 * the others are confined here, with no write allowed */
	bool own_sandbox;
};

static int cmd_help(int argc, char **argv, const struct tce_global *g);

static const struct verb verbs[] = {
	{ "list-groups", cmd_list_groups,
	  "IOMMU groups (PEs): devices, drivers, viability, VFIO state, TCE windows", false },
	{ "check-host", cmd_check_host,
	  "is this host ready for VFIO passthrough: modules, KVM capabilities, VFIO, memlock",
	  true },
	{ "list-vms", cmd_list_vms,
	  "running VMs: PHBs, LIOBNs, VFIO groups, and whether TCE hcalls stay in the kernel",
	  false },
	{ "show-vm", cmd_show_vm,
	  "one VM in depth: PHB -> LIOBN -> verdict -> VFIO group -> devices", false },
	{ "top", cmd_top, "live TCE hcall rates per VM and LIOBN: in the kernel versus to QEMU",
	  false },
	{ "record", cmd_record, "write a snapshot of what the tool reads, for --root", true },
	{ "examples", cmd_examples,
	  "built-in examples: real kernels recorded on emulated POWER machines (--root "
	  "example:NAME)",
	  false },
	{ "help", cmd_help, "show this help, or a command's (help COMMAND)", false },
};

static void usage(FILE *f)
{
	fputs("Usage: tceiommu [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\n"
	      "Inspect IOMMU groups, TCE windows and VFIO passthrough on POWER KVM hosts.\n\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-12s %s\n", verbs[i].name, verbs[i].help);
	fputs("\nGlobal options:\n"
	      "      --root DIR        read the host from a snapshot directory instead of /;\n"
	      "                        example:NAME for a built-in example (see 'examples')\n"
	      "  -c, --connect URI     libvirt URI (default qemu:///system)\n"
	      "      --color WHEN      colour: auto, always or never (NO_COLOR is honoured)\n"
	      "  -v, --verbose         more messages on stderr (twice: debug)\n"
	      "      --no-sandbox      do not confine the tool (Landlock) for debugging\n"
	      "  -h, --help            show this help\n"
	      "  -V, --version         show the version\n\n"
	      "Run 'tceiommu COMMAND --help' for a command's options; see tceiommu(8).\n",
	      f);
}

static int cmd_help(int argc, char **argv, const struct tce_global *g)
{
	if (argc > 1) {
		for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
			if (strcmp(verbs[i].name, argv[1]) == 0 && verbs[i].fn != cmd_help) {
				char *args[] = { argv[1], (char *)"--help", NULL };

				return verbs[i].fn(2, args, g);
			}
		}
		ERR("unknown command '%s'", argv[1]);
		return TCE_EXIT_USAGE;
	}
	usage(stdout);
	return TCE_EXIT_OK;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t d = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			cur[j] = d;
		}
		memcpy(prev, cur, sizeof(size_t) * (lb + 1));
	}
	return prev[lb];
}

int tce_global_open_root(const struct tce_global *g, struct tce_root **ret)
{
	int k = tce_root_new(g->root, ret);

	if (k < 0)
		ERR("%s: %s", g->root ? g->root : "/", strerror(-k));
	return k;
}

int tce_cmd_try_help(const char *cmd)
{
	fprintf(stderr, "Try 'tceiommu %s%s--help' for more information.\n", cmd ? cmd : "",
		cmd ? " " : "");
	return TCE_EXIT_USAGE;
}

int tce_cmd_no_operands(const char *cmd, char *const *rest)
{
	if (!*rest)
		return 0;
	ERR("%s: unexpected argument '%s'", cmd, *rest);
	return TCE_EXIT_USAGE;
}

int tce_exit_write_error = TCE_EXIT_FAILURE;

static void stdout_close(void)
{
	/* util-linux close_stdout(): a write error (full disk, closed pipe)
	 * becomes a failure, never a silent truncation. */
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno != EPIPE)
			ERR("write error: %s", strerror(errno ? errno : EIO));
		_exit(tce_exit_write_error);
	}
}

int main(int argc, char **argv)
{
	enum { OPT_ROOT = 256, OPT_COLOR, OPT_NO_SANDBOX };
	static const struct option opts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "connect", required_argument, NULL, 'c' },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct tce_global g = { .connect = NULL, .color = TCE_COLOR_AUTO };
	_cleanup_free_ char *example = NULL;
	const char *best = NULL;
	size_t best_d = 99;
	int c;

	setlocale(LC_ALL, "");
	atexit(stdout_close);
	tce_log_init_from_env();
	while ((c = getopt_long(argc, argv, "+c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			g.root = optarg;
			break;
		case 'c':
			g.connect = optarg;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				g.color = TCE_COLOR_AUTO;
			else if (strcmp(optarg, "always") == 0)
				g.color = TCE_COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				g.color = TCE_COLOR_NEVER;
			else {
				ERR("--color: '%s' is not auto, always or never", optarg);
				return TCE_EXIT_USAGE;
			}
			break;
		case OPT_NO_SANDBOX:
			tce_sandbox_disabled = true;
			break;
		case 'v':
			g.verbose++;
			tce_log_set_level(g.verbose > 1 ? TCE_LOG_DBG : TCE_LOG_INF);
			break;
		case 'h':
			usage(stdout);
			return TCE_EXIT_OK;
		case 'V':
			printf("tceiommu %s\n", TCEIOMMU_VERSION);
			return TCE_EXIT_OK;
		default:
			return tce_cmd_try_help(NULL);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return TCE_EXIT_USAGE;
	}
	/* --root example:NAME: a built-in example, for every command alike; a
	 * directory named so is ./example:NAME. An unknown name is a usage error. */
	if (g.root && strneq(g.root, TCE_EXAMPLE_PREFIX, strlen(TCE_EXAMPLE_PREFIX))) {
		if (tce_example_path(g.root + strlen(TCE_EXAMPLE_PREFIX), &example) < 0)
			return TCE_EXIT_USAGE;
		g.root = example;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		size_t d;

		if (strcmp(verbs[i].name, argv[optind]) == 0) {
			argv += optind;
			argc -= optind;
			optind = 0; /* each command parses its own options afresh */
			/* live, a command reads other processes through the broker */
			if (!verbs[i].own_sandbox &&
			    tce_sandbox_enter(NULL, 0,
					      !g.root && verbs[i].fn != cmd_examples &&
						  verbs[i].fn != cmd_help) < 0)
				return TCE_EXIT_FAILURE;
			return verbs[i].fn(argc, argv, &g);
		}
		d = edit_distance(verbs[i].name, argv[optind]);
		if (d < best_d)
			best_d = d, best = verbs[i].name;
	}
	if (best && best_d <= 3)
		ERR("unknown command '%s', did you mean '%s'?", argv[optind], best);
	else
		ERR("unknown command '%s'; 'tceiommu help' lists them", argv[optind]);
	return TCE_EXIT_USAGE;
}
