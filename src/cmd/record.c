/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tceiommu record DIR: run every non-intrusive collector of this build with
 * a recording root, so that DIR holds every file, link and directory they
 * read, the live-only answers as sidecars, and a manifest. Never --probe;
 * a QEMU monitor only when named (--qmp SOCKET, or --monitor for libvirt's
 * domains), so that --root replays show-vm with QEMU's answers.
 */
#include <errno.h>
#include <sys/stat.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tceiommu/checks.h"
#include "tceiommu/cmd.h"
#include "tceiommu/host.h"
#include "tceiommu/log.h"
#include "tceiommu/sandbox.h"
#include "tceiommu/root.h"
#include "tceiommu/util.h"
#include "tceiommu/top.h"
#include "tceiommu/vmcollect.h"

static void usage(FILE *f)
{
	fputs("Usage: tceiommu [GLOBAL OPTIONS] record [OPTIONS] DIR\n\n"
	      "Write a snapshot of what tceiommu reads into DIR (new or empty), for bug\n"
	      "reports and tests; 'tceiommu --root DIR COMMAND' replays it.\n\n"
	      "Options:\n"
	      "      --qmp SOCKET      also record the answers of the QEMU at SOCKET\n"
	      "                        (repeatable)\n"
	      "      --monitor         also record libvirt domains' QEMU answers through\n"
	      "                        libvirt's monitor passthrough (taints the domains\n"
	      "                        \"custom-monitor\")\n"
	      "      --no-libvirt      do not ask libvirt for its running domains\n"
	      "      --top SEC         also record SEC seconds of KVM's TCE hcall events, for\n"
	      "                        'tceiommu --root DIR top' to replay (root, KVM-HV)\n"
	      "  -h, --help            show this help\n\n"
	      "See tceiommu(8).\n",
	      f);
}

int cmd_record(int argc, char **argv, const struct tce_global *gl)
{
	static const struct option opts[] = {
		{ "qmp", required_argument, NULL, 256 },  { "monitor", no_argument, NULL, 257 },
		{ "no-libvirt", no_argument, NULL, 258 }, { "top", required_argument, NULL, 259 },
		{ "help", no_argument, NULL, 'h' },	  {},
	};
	_cleanup_root_ struct tce_root *r = NULL;
	_cleanup_host_ struct tce_host *h = NULL;
	struct tce_collect_opts co = { .names = true, .holders = true };
	_cleanup_vms_ struct tce_vms *vms = NULL;
	_cleanup_strv_free_ char **qmp = NULL;
	double top_seconds = 0;
	struct tce_vms_opts vo = { .uri = gl->connect ? gl->connect : "qemu:///system",
				   .timeout_ms = 5000,
				   .full = true };
	struct tce_check_ctx ctx;
	const char *dir;
	int c, k;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 256:
			if (strv_extend(&qmp, optarg) < 0)
				return TCE_EXIT_FAILURE;
			vo.qmp_paths = (const char *const *)qmp;
			vo.n_qmp = strv_length(qmp);
			break;
		case 257:
			vo.monitor = true;
			break;
		case 258:
			vo.uri = NULL;
			break;
		case 259: {
			char *e;

			top_seconds = strtod(optarg, &e);
			if (*e || !(top_seconds > 0 && top_seconds <= 3600)) {
				ERR("--top: '%s' is not a number of seconds (0-3600)", optarg);
				return TCE_EXIT_USAGE;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return TCE_EXIT_OK;
		default:
			return tce_cmd_try_help("record");
		}
	}
	if (argc - optind != 1) {
		ERR("record: expected one directory");
		return TCE_EXIT_USAGE;
	}
	dir = argv[optind];
	if (vo.monitor && !vo.uri) {
		ERR("record: --monitor asks QEMU through libvirt: not with --no-libvirt");
		return TCE_EXIT_USAGE;
	}
	/* confined before the host is read: writes only beneath DIR, made
	 * first (tce_root_start_recording wants it empty) */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		ERR("%s: %m", dir);
		return TCE_EXIT_FAILURE;
	}
	if (tce_sandbox_enter(&dir, 1, !gl->root) < 0)
		return TCE_EXIT_FAILURE;
	if (tce_global_open_root(gl, &r) < 0)
		return TCE_EXIT_FAILURE;
	k = tce_root_start_recording(r, dir);
	if (k < 0) {
		ERR("%s: %s", dir, k == -ENOTEMPTY ? "not empty" : strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	k = tce_host_collect_groups(r, &co, &h);
	if (k < 0) {
		ERR("reading IOMMU groups: %s", strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	/* check-host's reads and live answers too (libvirt is never recorded).
	 * Its groups are the ones just read: they were read with every fact
	 * (omit 0), as check-host reads them, so walking them again would read
	 * and record the same files a second time. */
	tce_check_ctx_init(&ctx, r, NULL);
	ctx.live = false;
	ctx.groups_read = true;
	ctx.groups = h;
	for (size_t i = 0; i < tce_n_checks; i++) {
		struct tce_check_result res;

		tce_check_run(&ctx, &tce_checks[i], &res);
		tce_check_result_done(&res);
	}
	ctx.groups = NULL; /* record's */
	tce_check_ctx_done(&ctx);
	/* the VM map: /proc/PID, debugfs, libvirt's XML, QEMU's answers */
	k = tce_vms_collect(r, &vo, &vms);
	if (k < 0) {
		ERR("reading the VM map: %s", strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	if (top_seconds > 0) {
		/* KVM's hcall events for top to replay, and the format files */
		struct tce_hcall_pairer *p = NULL;
		_cleanup_free_ char *why = NULL;
		double el;

		k = tce_top_measure(r, top_seconds, &p, &el, &why);
		if (k < 0)
			WRN("record: no hcall events: %s", why ? why : strerror(-k));
		tce_hcall_pairer_free(p);
	}
	k = tce_root_finish_recording(r);
	if (k < 0) {
		ERR("%s: writing the manifest: %s", dir, strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	INF("recorded %zu IOMMU groups into %s", h->n_groups, dir);
	return TCE_EXIT_OK;
}
