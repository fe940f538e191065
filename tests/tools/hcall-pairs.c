/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pairing of tce_hcall_pairer over a real trace: tracefs text lines of
 * kvm_hv:kvm_hcall_enter (filtered to the TCE hcalls) and every
 * kvm_hv:kvm_hcall_exit, from a running guest (tests/data/hcall-trace), on
 * standard input; prints "LIOBN HCALL IN_KERNEL TO_QEMU" per pair and the
 * enters left waiting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/hcall.h"

int main(void)
{
	static const struct {
		const char *name;
		uint64_t req;
	} names[] = { { "H_PUT_TCE", TCE_H_PUT_TCE },
		      { "H_STUFF_TCE", TCE_H_STUFF_TCE },
		      { "H_PUT_TCE_INDIRECT", TCE_H_PUT_TCE_INDIRECT } };
	struct tce_hcall_pairer *p;
	const struct tce_hcall_count *c;
	char line[1024];
	size_t n;

	if (tce_hcall_pairer_new(&p) < 0)
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		struct tce_hcall_event ev = { .pid = 1 };
		char *dash = strchr(line, '['), *k;

		/* "       CPU 0/KVM-169     [000] ..... 12.4: kvm_hcall_exit: ..." */
		if (!dash)
			continue;
		*dash = '\0';
		k = strrchr(line, '-');
		if (!k)
			continue;
		ev.tid = atoi(k + 1);
		*dash = '[';
		if ((k = strstr(dash, "kvm_hcall_exit: "))) {
			ev.exit = true;
			ev.ret = strstr(k, "ret=RESUME_HOST") ? TCE_RESUME_FLAG_HOST : 0;
		} else if ((k = strstr(dash, "kvm_hcall_enter: "))) {
			char *h = strstr(k, "hcall="), *g = strstr(k, "GPR4-7=");

			if (!h || !g)
				continue;
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (strncmp(h + 6, names[i].name, strlen(names[i].name)) == 0 &&
				    h[6 + strlen(names[i].name)] == ' ')
					ev.req = names[i].req;
			ev.liobn = strtoull(g + 7, NULL, 16);
		} else {
			continue;
		}
		if (tce_hcall_pairer_feed(p, &ev) < 0)
			return 1;
	}
	c = tce_hcall_pairer_counts(p, &n);
	for (size_t i = 0; i < n; i++)
		printf("0x%08x %s %llu %llu\n", c[i].liobn, tce_hcall_name(c[i].hcall),
		       (unsigned long long)c[i].in_kernel, (unsigned long long)c[i].to_qemu);
	printf("pending %zu\n", tce_hcall_pairer_pending(p));
	tce_hcall_pairer_free(p);
	return 0;
}
