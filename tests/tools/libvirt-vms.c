/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A test driver for the libvirt collector: the running domains at URI, each
 * parsed, sorted by name, one line per domain "NAME PHB,PHB,..." (target indexes, sorted);
 * with -d also one line per PCI device "  NAME vfio|emulated BDF|DRIVER phb
 * N|-"; with -m REQUEST, the domain's QMP reply through libvirt's monitor
 * passthrough, "  NAME monitor JSON". With -t, how long the listing took
 * goes to stderr. A listing error prints "error ENAME: note" and exits 2.
 *
 * Usage: libvirt-vms [-d] [-t] [-m REQUEST] [-T TIMEOUT_MS] URI
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tceiommu/util.h"
#include "tceiommu/vm.h"

static int by_name(const void *a, const void *b)
{
	const struct tce_libvirt_domain *x = a, *y = b;

	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct tce_libvirt_domain *doms = NULL;
	size_t n = 0;
	char *note = NULL;
	const char *request = NULL;
	bool devices = false, timing = false;
	int timeout = 10000, c, r, rc = 0;
	double t0;

	while ((c = getopt(argc, argv, "dtm:T:")) != -1) {
		switch (c) {
		case 'd':
			devices = true;
			break;
		case 't':
			timing = true;
			break;
		case 'm':
			request = optarg;
			break;
		case 'T':
			timeout = atoi(optarg);
			break;
		default:
			return 64;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: %s [-d] [-t] [-m REQUEST] [-T MS] URI\n", argv[0]);
		return 64;
	}
	t0 = now_ms();
	r = tce_libvirt_list_running(argv[optind], timeout, &doms, &n, &note);
	if (timing)
		fprintf(stderr, "listed in %.1f ms\n", now_ms() - t0);
	if (r < 0) {
		printf("error %s: %s\n", tce_errno_name(-r), note ? note : "");
		free(note);
		return 2;
	}
	free(note);
	/* libvirt lists in no particular order */
	if (n)
		qsort(doms, n, sizeof(*doms), by_name);
	for (size_t i = 0; i < n; i++) {
		struct tce_vm vm = { .kvm = TCE_UNKNOWN };

		r = doms[i].xml
			? tce_libvirt_parse_domain_xml(doms[i].xml, strlen(doms[i].xml), &vm)
			: -ENODATA;
		if (r < 0) {
			printf("%s error %s\n", doms[i].name, tce_errno_name(-r));
			rc = 1;
			tce_vm_done(&vm);
			continue;
		}
		printf("%s ", doms[i].name);
		for (size_t k = 0; k < vm.n_phbs; k++)
			printf("%s%u", k ? "," : "", vm.phbs[k].index);
		printf("\n");
		for (size_t k = 0; devices && k < vm.n_devices; k++) {
			const struct tce_vm_device *d = &vm.devices[k];

			printf("  %s %s %s phb ", doms[i].name, d->vfio ? "vfio" : "emulated",
			       d->vfio ? (d->host_bdf ? d->host_bdf : "?") : d->driver);
			if (d->has_phb)
				printf("%u\n", d->phb_index);
			else
				printf("-\n");
		}
		if (request) {
			struct tce_libvirt_monitor *m = NULL;
			char *out = NULL, *err = NULL;

			r = tce_libvirt_monitor_open(argv[optind], doms[i].name, timeout, &m, &err);
			if (r == 0)
				r = tce_libvirt_monitor_exec(m, request, &out, &err);
			if (r == 0)
				printf("  %s monitor %s\n", doms[i].name, out);
			else {
				printf("  %s monitor error %s: %s\n", doms[i].name,
				       tce_errno_name(-r), err ? err : "");
				rc = 1;
			}
			free(out);
			free(err);
			tce_libvirt_monitor_close(m);
		}
		tce_vm_done(&vm);
	}
	tce_libvirt_domains_free(doms, n);
	return rc;
}
