/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hcall tracepoints (src/top/hcall.c): the input is the enter event's
 * tracefs format file, a NUL, the exit event's, a NUL, then raw samples,
 * each a flag byte (bit 0: exit), a length byte and that many bytes. Both
 * formats are parsed, the layout checked, every sample decoded and paired.
 */
#include "fuzz.h"
#include "tceiommu/hcall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *z1, *z2;
	struct tce_tp_format enter, exit_;
	struct tce_hcall_layout l;
	struct tce_hcall_pairer *p;
	const uint8_t *s;
	size_t n;

	if (!(z1 = memchr(data, '\0', size)) ||
	    !(z2 = memchr(z1 + 1, '\0', (size_t)(end - z1 - 1))))
		return tce_tp_format_parse((const char *)data, size, &enter), 0;
	if (tce_tp_format_parse((const char *)data, (size_t)(z1 - data), &enter) < 0 ||
	    tce_tp_format_parse((const char *)z1 + 1, (size_t)(z2 - z1 - 1), &exit_) < 0 ||
	    tce_hcall_layout(&enter, &exit_, &l) < 0)
		return 0;
	if (tce_hcall_pairer_new(&p) < 0)
		return 0;
	for (s = z2 + 1; end - s >= 2; s += 2 + n) {
		bool is_exit = s[0] & 1;
		struct tce_hcall_event ev = { 0 };
		uint8_t *raw;

		n = s[1];
		if ((size_t)(end - s - 2) < n)
			n = (size_t)(end - s - 2);
		raw = (uint8_t *)fuzz_dup(s + 2, n);
		if (tce_hcall_decode(&l, is_exit, raw, n, &ev) == 0) {
			ev.pid = 1;
			ev.tid = ev.vcpu;
			(void)tce_hcall_name(ev.req);
			(void)tce_hcall_pairer_feed(p, &ev);
		}
		free(raw);
		if (s[0] & 2)
			tce_hcall_pairer_reset(p);
	}
	(void)tce_hcall_pairer_counts(p, &n);
	(void)tce_hcall_pairer_pending(p);
	tce_hcall_pairer_free(p);
	return 0;
}
