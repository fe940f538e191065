/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tceiommu top: live TCE hcall rates per VM and LIOBN, handled in the kernel
 * versus sent to QEMU, beside list-vms' verdict for each window; a
 * disagreement is flagged. Reads KVM's kvm_hv tracepoints through perf
 * (src/top/source.c), writes nothing to tracefs, leaves nothing behind.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tceiommu/cmd.h"
#include "tceiommu/hcallsrc.h"
#include "tceiommu/log.h"
#include "tceiommu/top.h"
#include "tceiommu/util.h"
#include "tceiommu/vmcollect.h"

#define TCE_EXIT_WARN 1
#define TCE_EXIT_UNKNOWN 3

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(FILE *f)
{
	fputs("Usage: tceiommu [GLOBAL OPTIONS] top [OPTIONS] [VM...]\n\n"
	      "TCE hypercalls (H_PUT_TCE, H_PUT_TCE_INDIRECT, H_STUFF_TCE) per second, per VM\n"
	      "and LIOBN: handled in the kernel, or sent to QEMU; beside each window's\n"
	      "list-vms verdict, flagged when the two disagree. VM is a name, UUID or pid:N.\n"
	      "Reads KVM's kvm_hv:kvm_hcall_enter/exit tracepoints through perf_event_open:\n"
	      "needs root (or CAP_PERFMON) and a KVM-HV host; writes nothing to tracefs.\n"
	      "With --root, replays the events a snapshot recorded (record --top SEC).\n\n"
	      "Options:\n"
	      "  -d, --delay SEC       seconds per interval (default 2)\n"
	      "  -n, --iterations N    stop after N intervals\n"
	      "  -b, --batch           one line per VM and LIOBN per interval, for logs\n"
	      "  -J, --json            one JSON object per interval\n"
	      "      --no-libvirt      do not ask libvirt for VM names\n"
	      "  -h, --help            show this help\n\n"
	      "Exit status: 0; 1 when a measurement disagreed with a verdict; 3 when the\n"
	      "hcalls cannot be read here (not root, no kvm_hv); 64 usage. See tceiommu(8).\n",
	      f);
}

/* One interval of counts into rows and out. */
static int show(struct tce_hcall_pairer *p, const struct tce_vms *vms, char *const *only,
		double seconds, uint64_t seq, uint64_t lost, int mode, const char *host,
		bool *flagged)
{
	struct tce_top_interval t = { .seq = seq, .lost = lost };
	const struct tce_hcall_count *c;
	size_t n;
	int k;

	c = tce_hcall_pairer_counts(p, &n);
	if ((k = tce_top_rows(c, n, vms, seconds, only, &t)) < 0)
		return k;
	t.pending = tce_hcall_pairer_pending(p);
	for (size_t i = 0; i < t.n; i++)
		*flagged |= t.rows[i].flag != NULL;
	if (mode == 'J')
		k = tce_render_top_json(&t, stdout);
	else if (mode == 'b')
		tce_render_top_batch(&t, stdout);
	else
		tce_render_top_screen(&t, host, isatty(STDOUT_FILENO), stdout);
	tce_top_interval_done(&t);
	tce_hcall_pairer_reset(p);
	return k;
}

/* Measure one interval for show-vm --rates / record --top: the events. */
int tce_top_measure(struct tce_root *r, double seconds, struct tce_hcall_pairer **ret_pairer,
		    double *ret_seconds, char **why)
{
	struct tce_hcall_source *s = NULL;
	struct tce_hcall_pairer *p = NULL;
	struct tce_hcall_event *ev = NULL;
	size_t n = 0;
	uint64_t el = 0;
	int k;

	if ((k = tce_hcall_source_open(r, &s, why)) < 0)
		return k;
	k = tce_hcall_pairer_new(&p);
	if (k == 0)
		k = tce_hcall_source_next(s, (uint64_t)(seconds * 1e9), &ev, &n, &el);
	if (k == 0 && tce_root_is_recording(r))
		k = tce_hcall_events_save(r, ev, n);
	for (size_t i = 0; k == 0 && i < n; i++)
		k = tce_hcall_pairer_feed(p, &ev[i]);
	free(ev);
	tce_hcall_source_free(s);
	if (k < 0) {
		tce_hcall_pairer_free(p);
		if (!*why)
			*why = strdup(strerror(-k));
		return k;
	}
	*ret_pairer = p;
	*ret_seconds = (double)el / 1e9;
	return 0;
}

int cmd_top(int argc, char **argv, const struct tce_global *gl)
{
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "batch", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'J' },
		{ "no-libvirt", no_argument, NULL, 256 },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_root_ struct tce_root *r = NULL;
	_cleanup_vms_ struct tce_vms *vms = NULL;
	struct tce_vms_opts vo = { .uri = gl->connect ? gl->connect : "qemu:///system",
				   .timeout_ms = 2000 };
	struct tce_hcall_source *s = NULL;
	struct tce_hcall_pairer *p = NULL;
	_cleanup_free_ char *why = NULL;
	struct utsname u;
	double delay = 2;
	uint64_t count = 0, seq = 0;
	int c, mode = 's', k = 0;
	bool flagged = false;
	char **only;

	while ((c = getopt_long(argc, argv, "d:n:bJh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': {
			char *e;

			delay = strtod(optarg, &e);
			if (*e || !(delay >= 0.1 && delay <= 3600)) {
				ERR("--delay: '%s' is not a number of seconds (0.1-3600)", optarg);
				return TCE_EXIT_USAGE;
			}
			break;
		}
		case 'n':
			if (tce_parse_u64(optarg, 10, &count) < 0 || count == 0) {
				ERR("--iterations: '%s' is not a positive number", optarg);
				return TCE_EXIT_USAGE;
			}
			break;
		case 'b':
		case 'J':
			if (mode != 's') {
				ERR("top: --batch and --json are mutually exclusive");
				return TCE_EXIT_USAGE;
			}
			mode = c;
			break;
		case 256:
			vo.uri = NULL;
			break;
		case 'h':
			usage(stdout);
			return TCE_EXIT_OK;
		default:
			return tce_cmd_try_help("top");
		}
	}
	only = argv + optind;
	if (tce_global_open_root(gl, &r) < 0)
		return TCE_EXIT_FAILURE;
	if ((k = tce_hcall_source_open(r, &s, &why)) < 0) {
		ERR("top: %s", why ? why : strerror(-k));
		return k == -ENOMEM ? TCE_EXIT_FAILURE : TCE_EXIT_UNKNOWN;
	}
	/* the map the rows are joined with: from /proc and libvirt, QEMU not asked */
	if ((k = tce_vms_collect(r, &vo, &vms)) < 0 || (k = tce_hcall_pairer_new(&p)) < 0) {
		ERR("top: %s", strerror(-k));
		tce_hcall_source_free(s);
		return TCE_EXIT_FAILURE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (uname(&u) < 0)
		snprintf(u.nodename, sizeof(u.nodename), "?");
	while (!stop && (!count || seq < count)) {
		struct tce_hcall_event *ev = NULL;
		size_t n = 0;
		uint64_t el = 0;

		k = tce_hcall_source_next(s, (uint64_t)(delay * 1e9 + 0.5), &ev, &n, &el);
		if (k == -ENODATA) { /* the end of a recording */
			k = 0;
			break;
		}
		if (k < 0)
			break;
		for (size_t i = 0; k == 0 && i < n; i++)
			k = tce_hcall_pairer_feed(p, &ev[i]);
		free(ev);
		if (k < 0)
			break;
		k = show(p, vms, only, (double)el / 1e9, ++seq, tce_hcall_source_lost(s), mode,
			 tce_hcall_source_replayed(s) ? "snapshot" : u.nodename, &flagged);
		if (k < 0)
			break;
	}
	tce_hcall_pairer_free(p);
	tce_hcall_source_free(s);
	if (k < 0) {
		ERR("top: %s", strerror(-k));
		return TCE_EXIT_FAILURE;
	}
	return flagged ? TCE_EXIT_WARN : TCE_EXIT_OK;
}
