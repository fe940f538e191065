/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tceiommu list-groups: parse options, collect, render. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tceiommu/cmd.h"
#include "tceiommu/columns.h"
#include "tceiommu/devtree.h"
#include "tceiommu/host.h"
#include "tceiommu/log.h"
#include "tceiommu/out.h"

/* Default columns per platform: what is never empty there. */
static const int default_powernv[] = { COL_GROUP,  COL_PE,	COL_MODEL, COL_DMA32,
				       COL_DDW,	   COL_VIABLE,	COL_VFIO,  COL_ID,
				       COL_DRIVER, COL_PRODUCT, -1 };
static const int default_pseries[] = { COL_GROUP,    COL_LIOBN,	  COL_DMA32, COL_DDW,
				       COL_DDW_SIZE, COL_VIABLE,  COL_VFIO,  COL_ID,
				       COL_DRIVER,   COL_PRODUCT, -1 };
static const int default_other[] = { COL_GROUP, COL_TYPE,   COL_VIABLE,	 COL_VFIO,
				     COL_ID,	COL_DRIVER, COL_PRODUCT, -1 };

static void usage(FILE *f)
{
	fputs("Usage: tceiommu [GLOBAL OPTIONS] list-groups [OPTIONS]\n\n"
	      "List IOMMU groups (PEs) with their devices, drivers, viability, VFIO state\n"
	      "and TCE window sizes.\n\n"
	      "Options:\n"
	      "  -o, --output LIST     columns to show; +LIST adds to the default\n"
	      "  -O, --output-all      show every column\n"
	      "  -n, --noheadings      do not print the headings\n"
	      "  -r, --raw             raw output, one line a device\n"
	      "  -P, --pairs           KEY=\"VALUE\" output, one line a device\n"
	      "  -J, --json            JSON output: every field, nested (-o does not apply)\n"
	      "  -b, --bytes           sizes in bytes\n"
	      "  -g, --group N         only group N\n"
	      "  -d, --device BDF      only the group holding BDF ([DDDD:]BB:DD.F)\n"
	      "      --probe           ask VFIO for the exact windows of idle, viable VFIO\n"
	      "                        groups (root, live host; a group in use is never\n"
	      "                        touched)\n"
	      "      --list-columns    list the columns and exit\n"
	      "  -h, --help            show this help\n\n"
	      "Columns:\n",
	      f);
	for (int i = 0; i < TCE_N_COLUMNS; i++)
		fprintf(f, "  %-9s %s\n", tce_columns[i].name, tce_columns[i].help);
	fputs("\nSee tceiommu(8).\n", f);
}

static int list_columns(bool json)
{
	static const char *const types[] = { "string", "number", "size", "boolean" };

	if (json) {
		printf("{\n  \"columns\": [\n");
		for (int i = 0; i < TCE_N_COLUMNS; i++)
			printf("    {\"name\": \"%s\", \"level\": \"%s\", \"type\": \"%s\", "
			       "\"help\": \"%s\"}%s\n",
			       tce_columns[i].name,
			       tce_columns[i].level == TCE_COL_GROUP ? "group" : "device",
			       types[tce_columns[i].type], tce_columns[i].help,
			       i + 1 < TCE_N_COLUMNS ? "," : "");
		printf("  ]\n}\n");
		return TCE_EXIT_OK;
	}
	for (int i = 0; i < TCE_N_COLUMNS; i++)
		printf("%-9s %-6s %-7s %s\n", tce_columns[i].name,
		       tce_columns[i].level == TCE_COL_GROUP ? "group" : "device",
		       types[tce_columns[i].type], tce_columns[i].help);
	return TCE_EXIT_OK;
}

struct emitter {
	struct tce_groups_out *out;
	bool probe;
	size_t n;
};

static int emit(struct tce_host *h, struct tce_group *g, void *userdata)
{
	struct emitter *em = userdata;

	if (em->probe)
		tce_group_probe(g);
	em->n++;
	return tce_groups_out_group(em->out, h, g);
}

static void groups_out_freep(struct tce_groups_out **s)
{
	tce_groups_out_free(*s);
}

int cmd_list_groups(int argc, char **argv, const struct tce_global *gl)
{
	enum { OPT_LIST_COLUMNS = 256, OPT_PROBE };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "output-all", no_argument, NULL, 'O' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'r' },
		{ "pairs", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'J' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "group", required_argument, NULL, 'g' },
		{ "device", required_argument, NULL, 'd' },
		{ "list-columns", no_argument, NULL, OPT_LIST_COLUMNS },
		{ "probe", no_argument, NULL, OPT_PROBE },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_root_ struct tce_root *r = NULL;
	_cleanup_host_ struct tce_host *h = NULL;
	_cleanup_(groups_out_freep) struct tce_groups_out *out = NULL;
	struct emitter em = { 0 };
	struct tce_out_opts o = { .mode = TCE_OUT_TREE };
	struct tce_collect_opts co = { 0 };
	const char *outlist = NULL, *devarg = NULL;
	bool all = false, want_list = false, probe = false;
	int c, k, modes = 0;

	while ((c = getopt_long(argc, argv, "o:OnrPJbg:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outlist = optarg;
			break;
		case 'O':
			all = true;
			break;
		case 'n':
			o.noheadings = true;
			break;
		case 'r':
			o.mode = TCE_OUT_RAW;
			modes++;
			break;
		case 'P':
			o.mode = TCE_OUT_PAIRS;
			modes++;
			break;
		case 'J':
			o.mode = TCE_OUT_JSON;
			modes++;
			break;
		case 'b':
			o.bytes = true;
			break;
		case 'g':
			if (tce_parse_u64(optarg, 10, &co.group) < 0) {
				ERR("--group: '%s' is not a group number", optarg);
				return TCE_EXIT_USAGE;
			}
			co.has_group = true;
			break;
		case 'd':
			if (tce_parse_bdf(optarg, true, &co.bdf) < 0) {
				ERR("--device: '%s' is not a PCI address ([DDDD:]BB:DD.F)", optarg);
				return TCE_EXIT_USAGE;
			}
			co.has_bdf = true;
			devarg = optarg;
			break;
		case OPT_LIST_COLUMNS:
			want_list = true;
			break;
		case OPT_PROBE:
			probe = true;
			break;
		case 'h':
			usage(stdout);
			return TCE_EXIT_OK;
		default:
			return tce_cmd_try_help("list-groups");
		}
	}
	if (tce_cmd_no_operands("list-groups", argv + optind))
		return TCE_EXIT_USAGE;
	if (modes > 1) {
		ERR("list-groups: --raw, --pairs and --json are mutually exclusive");
		return TCE_EXIT_USAGE;
	}
	if (want_list)
		return list_columns(o.mode == TCE_OUT_JSON);
	if (probe && gl->root) {
		ERR("--probe asks the running kernel; it cannot be used with --root");
		return TCE_EXIT_USAGE;
	}
	if (probe && geteuid() != 0) {
		ERR("--probe needs root (it opens /dev/vfio/N and a VFIO container)");
		return TCE_EXIT_FAILURE;
	}

	if (tce_global_open_root(gl, &r) < 0)
		return TCE_EXIT_FAILURE;

	/* Column choice before collecting: names and holders cost lookups. */
	if (all) {
		for (int i = 0; i < TCE_N_COLUMNS; i++)
			o.columns[o.n_columns++] = i;
	} else {
		enum tce_platform p = tce_dt_platform(r);
		const int *def = p == TCE_PLATFORM_POWERNV   ? default_powernv
				 : p == TCE_PLATFORM_PSERIES ? default_pseries
							     : default_other;

		for (size_t i = 0; def[i] >= 0; i++)
			o.columns[o.n_columns++] = def[i];
	}
	if (outlist &&
	    (k = tce_columns_parse(outlist, o.columns, ARRAY_SIZE(o.columns), &o.n_columns)) < 0) {
		ERR("--output: unknown column in '%s' (see --list-columns)", outlist);
		return TCE_EXIT_USAGE;
	}
	/* Only what the columns show is read (and what viability, the PHB and
	 * the notes need, which the collector reads anyway). */
	co.omit = TCE_FACT_ALL;
	for (size_t i = 0; i < o.n_columns; i++) {
		co.names |= tce_columns[o.columns[i]].needs_names;
		co.holders |= tce_columns[o.columns[i]].needs_holders;
		co.omit &= ~tce_column_facts(o.columns[i]);
	}
	if (o.mode == TCE_OUT_JSON || probe)
		co.names = co.holders = true;
	if (o.mode == TCE_OUT_JSON)
		co.omit = 0; /* every field */

	/* one group at a time: read, written (or kept as a compact row), freed;
	 * written in 64 KiB blocks rather than stdio's 4 KiB */
	(void)setvbuf(stdout, NULL, _IOFBF, 64 << 10);
	k = tce_groups_out_new(&o, stdout, &out);
	if (k < 0) {
		ERR("%s", strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	em.out = out;
	em.probe = probe;
	k = tce_host_each_group(r, &co, &h, emit, &em);
	if (k < 0) {
		ERR("%s IOMMU groups: %s", em.n ? "writing" : "reading", strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	if (h->groups_err && h->groups_err != -ENOENT && h->groups_err != -ENODATA) {
		/* unreadable, not absent: a runtime error, not "no groups" */
		ERR("%s", h->note ? h->note : strerror(-h->groups_err));
		return TCE_EXIT_FAILURE;
	}
	if ((co.has_group || co.has_bdf) && em.n == 0 && !h->groups_err) {
		if (co.has_group)
			ERR("group %" PRIu64 " does not exist", co.group);
		else
			ERR("no IOMMU group holds device %s", devarg);
		return TCE_EXIT_FAILURE;
	}
	k = tce_groups_out_finish(out, h);
	if (k < 0) {
		ERR("writing output: %s", strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	return TCE_EXIT_OK;
}
