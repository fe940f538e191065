/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tceiommu list-vms / show-vm: the LIOBN map of running VMs and the verdict
 * per window. Exit status in check-host's scheme: a window in userspace is
 * a warning (1), undecidable is 3, otherwise 0; usage errors 64.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tceiommu/cmd.h"
#include "tceiommu/log.h"
#include "tceiommu/out.h"
#include "tceiommu/root.h"
#include "tceiommu/top.h"
#include "tceiommu/util.h"
#include "tceiommu/vmcollect.h"
#include "tceiommu/vmout.h"

#define TCE_EXIT_WARN 1
#define TCE_EXIT_UNKNOWN 3
#define DEFAULT_URI "qemu:///system"
#define DEFAULT_TIMEOUT_MS 5000

static const int default_columns[] = { VCOL_NAME,    VCOL_PID,	   VCOL_SOURCE, VCOL_PHBS,
				       VCOL_LIOBNS,  VCOL_TABLES,  VCOL_GROUPS, VCOL_VMLCK,
				       VCOL_MEMLOCK, VCOL_VERDICT, -1 };

static const char common_help[] =
    "      --qmp SOCKET      also ask the QEMU whose QMP socket this is\n"
    "      --monitor         ask libvirt domains' QEMU through libvirt's monitor\n"
    "                        passthrough (libvirt then marks the domain tainted\n"
    "                        \"custom-monitor\")\n"
    "      --no-libvirt      do not ask libvirt (-c URI names it; default\n"
    "                        " DEFAULT_URI ")\n"
    "      --timeout SEC     per QEMU or libvirt exchange (default 5)\n"
    "  -J, --json            JSON output\n"
    "  -b, --bytes           sizes in bytes\n"
    "  -h, --help            show this help\n";

static void usage_list(FILE *f)
{
	fputs("Usage: tceiommu [GLOBAL OPTIONS] list-vms [OPTIONS]\n\n"
	      "Running QEMU VMs (found in /proc, KVM's debugfs, libvirt, or named by --qmp):\n"
	      "per VM its PHBs, the DMA windows (LIOBNs) whose TCE hypercalls the kernel\n"
	      "handles, the VFIO groups it holds, its locked memory, and the worst verdict.\n\n"
	      "Options:\n"
	      "  -o, --output LIST     columns to show; +LIST adds to the default\n"
	      "  -O, --output-all      show every column\n"
	      "  -n, --noheadings      do not print the headings\n"
	      "  -r, --raw             raw output\n"
	      "  -P, --pairs           KEY=\"VALUE\" output\n"
	      "      --list-columns    list the columns and exit\n",
	      f);
	fputs(common_help, f);
	fputs("\nColumns:\n", f);
	for (int i = 0; i < TCE_N_VM_COLUMNS; i++)
		fprintf(f, "  %-9s %s\n", tce_vm_columns[i].name, tce_vm_columns[i].help);
	fputs("\nExit status: 0 fine, 1 a window whose TCE hcalls exit to QEMU (or an\n"
	      "error), 3 a verdict that could not be decided, 64 usage.\n"
	      "See tceiommu(8).\n",
	      f);
}

static void usage_show(FILE *f)
{
	fputs("Usage: tceiommu [GLOBAL OPTIONS] show-vm [OPTIONS] VM\n"
	      "       tceiommu [GLOBAL OPTIONS] show-vm [OPTIONS] --qmp SOCKET\n\n"
	      "One VM in depth: VM -> PHB -> LIOBN (window, page size, verdict, why,\n"
	      "evidence) -> VFIO group -> host devices. VM is a libvirt domain name or\n"
	      "UUID, a QEMU -name, or pid:N.\n\n"
	      "Options:\n",
	      f);
	fputs(common_help, f);
	fputs("      --rates SEC       also measure the TCE hcalls of SEC seconds per LIOBN,\n"
	      "                        in the kernel versus to QEMU (as top; root, KVM-HV)\n"
	      "\nExit status as list-vms; 1 too when a measurement disagrees with a\n"
	      "verdict. See tceiommu(8).\n",
	      f);
}

static int exit_for(const struct tce_vm *vm)
{
	if (vm->worst == TCE_VERDICT_USERSPACE)
		return TCE_EXIT_WARN;
	if (vm->worst == TCE_VERDICT_UNKNOWN)
		return TCE_EXIT_UNKNOWN;
	if ((vm->sources & TCE_VM_SRC_QMP) && vm->qmp_err)
		return TCE_EXIT_FAILURE;
	return TCE_EXIT_OK;
}

static int combine(int a, int b)
{
	/* FAIL 2 > WARN 1 > UNKNOWN 3 > OK 0 (check-host's order) */
	static const int rank[] = { 0, 3, 4, 2 };

	return rank[b] > rank[a] ? b : a;
}

struct common {
	struct tce_vms_opts vo;
	char **qmp; /* --qmp, each */
	bool json, bytes, no_libvirt;
};

static void common_done(struct common *cm)
{
	strv_free(cm->qmp);
}

static bool parse_common(int c, const char *arg, struct common *cm, int *rc)
{
	switch (c) {
	case 'J':
		cm->json = true;
		return true;
	case 'b':
		cm->bytes = true;
		return true;
	case 256: /* --qmp, as often as wanted */
		if (strv_extend(&cm->qmp, arg) < 0)
			*rc = TCE_EXIT_FAILURE;
		cm->vo.qmp_paths = (const char *const *)cm->qmp;
		cm->vo.n_qmp = strv_length(cm->qmp);
		return true;
	case 257: /* --monitor */
		cm->vo.monitor = true;
		return true;
	case 258: /* --no-libvirt */
		cm->no_libvirt = true;
		return true;
	case 259: { /* --timeout */
		uint64_t s;

		if (tce_parse_u64(arg, 10, &s) < 0 || s == 0 || s > 3600) {
			ERR("--timeout: '%s' is not a number of seconds (1-3600)", arg);
			*rc = TCE_EXIT_USAGE;
		} else {
			cm->vo.timeout_ms = (int)s * 1000;
		}
		return true;
	}
	}
	return false;
}

static int collect(const struct tce_global *gl, struct common *cm, struct tce_root **r,
		   struct tce_vms **v)
{
	int k;

	if (cm->vo.monitor && cm->no_libvirt) {
		ERR("--monitor asks QEMU through libvirt: it cannot go with --no-libvirt");
		return TCE_EXIT_USAGE;
	}
	if (cm->vo.monitor && gl->root) {
		ERR("--monitor asks running VMs; with --root the snapshot's answers are replayed");
		return TCE_EXIT_USAGE;
	}
	cm->vo.uri = cm->no_libvirt ? NULL : gl->connect ? gl->connect : DEFAULT_URI;
	if (!cm->vo.timeout_ms)
		cm->vo.timeout_ms = DEFAULT_TIMEOUT_MS;
	if (tce_global_open_root(gl, r) < 0)
		return TCE_EXIT_FAILURE;
	k = tce_vms_collect(*r, &cm->vo, v);
	if (k < 0) {
		ERR("reading the VM map: %s", strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	return TCE_EXIT_OK;
}

/* What could not be seen, said instead of a false "no VMs". */
static void say_limits(const struct tce_vms *v, FILE *f)
{
	if (v->proc_hidden)
		fputs("note: process list hidden (/proc mounted with hidepid): other users' VMs "
		      "are not seen\n",
		      f);
	if (v->proc_partial)
		fputs("note: some QEMU processes' fds and maps need root\n", f);
	if (v->debugfs_err == -EACCES)
		fputs("note: KVM's debugfs needs root: VMs of other programs than QEMU are not "
		      "seen\n",
		      f);
	if (v->libvirt_note) {
		_cleanup_free_ char *e = tce_escape_terminal(v->libvirt_note);

		fprintf(f, "note: libvirt: %s\n", e ? e : "");
	}
}

int cmd_list_vms(int argc, char **argv, const struct tce_global *gl)
{
	enum { OPT_LIST_COLUMNS = 300 };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "output-all", no_argument, NULL, 'O' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'r' },
		{ "pairs", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'J' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "qmp", required_argument, NULL, 256 },
		{ "monitor", no_argument, NULL, 257 },
		{ "no-libvirt", no_argument, NULL, 258 },
		{ "timeout", required_argument, NULL, 259 },
		{ "list-columns", no_argument, NULL, OPT_LIST_COLUMNS },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_root_ struct tce_root *r = NULL;
	_cleanup_vms_ struct tce_vms *v = NULL;
	struct tce_vm_out_opts o = { .mode = TCE_OUT_TREE };
	_cleanup_(common_done) struct common cm = { 0 };
	const char *outlist = NULL;
	bool all = false;
	int c, rc = TCE_EXIT_OK, modes = 0, k;

	while ((c = getopt_long(argc, argv, "o:OnrPJbh", opts, NULL)) != -1) {
		if (parse_common(c, optarg, &cm, &rc)) {
			if (c == 'J')
				modes++;
			if (rc)
				return rc;
			continue;
		}
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
		case OPT_LIST_COLUMNS:
			for (int i = 0; i < TCE_N_VM_COLUMNS; i++)
				printf("%-9s %s\n", tce_vm_columns[i].name, tce_vm_columns[i].help);
			return TCE_EXIT_OK;
		case 'h':
			usage_list(stdout);
			return TCE_EXIT_OK;
		default:
			return tce_cmd_try_help("list-vms");
		}
	}
	if (tce_cmd_no_operands("list-vms", argv + optind))
		return TCE_EXIT_USAGE;
	if (modes > 1) {
		ERR("list-vms: --raw, --pairs and --json are mutually exclusive");
		return TCE_EXIT_USAGE;
	}
	if (all)
		for (int i = 0; i < TCE_N_VM_COLUMNS; i++)
			o.columns[o.n_columns++] = i;
	else
		for (size_t i = 0; default_columns[i] >= 0; i++)
			o.columns[o.n_columns++] = default_columns[i];
	if (outlist &&
	    tce_vm_columns_parse(outlist, o.columns, ARRAY_SIZE(o.columns), &o.n_columns) < 0) {
		ERR("--output: unknown column in '%s' (see --list-columns)", outlist);
		return TCE_EXIT_USAGE;
	}
	o.bytes = cm.bytes;
	if ((rc = collect(gl, &cm, &r, &v)) != TCE_EXIT_OK)
		return rc;
	for (size_t i = 0; i < v->n; i++)
		rc = combine(rc, exit_for(&v->vms[i]));
	if (v->n == 0 && (v->proc_hidden || v->proc_partial))
		rc = combine(rc, TCE_EXIT_UNKNOWN);
	tce_exit_write_error = TCE_EXIT_FAILURE;
	if (cm.json) {
		k = tce_render_vms_json(v, NULL, stdout);
	} else {
		if (v->n == 0 && o.mode == TCE_OUT_TREE)
			printf("no running QEMU VMs%s\n",
			       v->proc_hidden || v->proc_partial ? " that this user can see" : "");
		k = v->n ? tce_render_vms_table(v, &o, stdout) : 0;
		say_limits(v, o.mode == TCE_OUT_TREE ? stdout : stderr);
	}
	if (k < 0) {
		ERR("writing output: %s", strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	return rc;
}

/* show-vm --rates: the counts of this VM's pid onto its windows; true when
 * a measurement disagrees with a verdict. */
static bool tce_vm_attach_rates(struct tce_vm *vm, struct tce_hcall_pairer *p, double secs)
{
	const struct tce_hcall_count *c;
	bool flagged = false;
	size_t n;

	c = tce_hcall_pairer_counts(p, &n);
	for (size_t i = 0; i < vm->n_phbs; i++)
		for (size_t j = 0; j < vm->phbs[i].n_windows; j++) {
			struct tce_vm_window *w = &vm->phbs[i].windows[j];

			w->measured = true;
			w->measured_seconds = secs;
			for (size_t x = 0; x < n; x++)
				if (c[x].pid == vm->pid && c[x].liobn == w->liobn) {
					w->hcalls_kernel += c[x].in_kernel;
					w->hcalls_qemu += c[x].to_qemu;
				}
			w->measure_flag = tce_top_flag(w, w->hcalls_kernel, w->hcalls_qemu);
			flagged |= w->measure_flag != NULL;
		}
	return flagged;
}

static bool vm_matches(const struct tce_vm *vm, const char *sel)
{
	if (strneq(sel, "pid:", 4)) {
		int64_t pid;

		return tce_parse_s64(sel + 4, 10, &pid) == 0 && pid == vm->pid;
	}
	return (vm->name && streq(vm->name, sel)) || (vm->uuid && strcasecmp(vm->uuid, sel) == 0);
}

int cmd_show_vm(int argc, char **argv, const struct tce_global *gl)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "qmp", required_argument, NULL, 256 },
		{ "monitor", no_argument, NULL, 257 },
		{ "no-libvirt", no_argument, NULL, 258 },
		{ "timeout", required_argument, NULL, 259 },
		{ "rates", required_argument, NULL, 260 },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_root_ struct tce_root *r = NULL;
	_cleanup_vms_ struct tce_vms *v = NULL;
	_cleanup_(common_done) struct common cm = { 0 };
	struct tce_vm *vm = NULL;
	double rates = 0;
	const char *sel = NULL;
	int c, rc = TCE_EXIT_OK, k;

	while ((c = getopt_long(argc, argv, "Jbh", opts, NULL)) != -1) {
		if (parse_common(c, optarg, &cm, &rc)) {
			if (rc)
				return rc;
			continue;
		}
		if (c == 'h') {
			usage_show(stdout);
			return TCE_EXIT_OK;
		}
		if (c == 260) {
			char *e;

			rates = strtod(optarg, &e);
			if (*e || !(rates >= 0.1 && rates <= 3600)) {
				ERR("--rates: '%s' is not a number of seconds (0.1-3600)", optarg);
				return TCE_EXIT_USAGE;
			}
			continue;
		}
		return tce_cmd_try_help("show-vm");
	}
	if (argc - optind > 1 || (argc - optind == 0 && cm.vo.n_qmp != 1)) {
		ERR("show-vm: expected one VM (name, UUID or pid:N), or one --qmp SOCKET");
		return TCE_EXIT_USAGE;
	}
	sel = optind < argc ? argv[optind] : NULL;
	cm.vo.full = true;
	if ((rc = collect(gl, &cm, &r, &v)) != TCE_EXIT_OK)
		return rc;
	for (size_t i = 0; i < v->n && !vm; i++) {
		if (sel ? vm_matches(&v->vms[i], sel) : (v->vms[i].sources & TCE_VM_SRC_QMP) != 0)
			vm = &v->vms[i];
	}
	if (!vm && sel && !strneq(sel, "pid:", 4)) {
		_cleanup_free_ char *path = NULL;
		_cleanup_strv_free_ char **lines = NULL;

		/* a domain that died at start: its log says why */
		if (tce_vm_stopped_log(r, sel, &path, &lines) == 0 && lines && lines[0]) {
			ERR("%s is not running; its QEMU log (%s) says:", sel, path);
			for (char **l = lines; *l; l++) {
				_cleanup_free_ char *e = tce_escape_terminal(*l);

				fprintf(stderr, "  %s\n", e ? e : "");
			}
			return TCE_EXIT_FAILURE;
		}
	}
	if (!vm) {
		ERR("no running VM %s%s", sel ? sel : "at ", sel ? "" : cm.vo.qmp_paths[0]);
		say_limits(v, stderr);
		return v->proc_hidden || v->proc_partial ? TCE_EXIT_UNKNOWN : TCE_EXIT_FAILURE;
	}
	if ((vm->sources & TCE_VM_SRC_QMP) && vm->qmp_err) {
		ERR("%s: %s", cm.vo.qmp_paths[0],
		    vm->qmp_error ? vm->qmp_error : strerror(-vm->qmp_err));
		if (!vm->pid) /* nothing but a socket that did not answer */
			return TCE_EXIT_FAILURE;
	}
	rc = exit_for(vm);
	if (rates > 0) {
		struct tce_hcall_pairer *p = NULL;
		_cleanup_free_ char *why = NULL;
		double secs = 0;

		k = tce_top_measure(r, rates, &p, &secs, &why);
		if (k < 0) {
			ERR("--rates: %s", why ? why : strerror(-k));
			return TCE_EXIT_UNKNOWN;
		}
		if (tce_vm_attach_rates(vm, p, secs))
			rc = combine(rc, TCE_EXIT_WARN);
		tce_hcall_pairer_free(p);
	}
	k = cm.json ? tce_render_vms_json(v, vm, stdout)
		    : tce_render_vm_tree(v, vm, cm.bytes, stdout);
	if (k < 0) {
		ERR("writing output: %s", strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	return rc;
}
