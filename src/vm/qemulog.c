/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's log (libvirt keeps one per domain): the lines that say why a TCE
 * table is not in KVM or why VFIO gave up. Pure, no libvirt: built always.
 *
 * The messages, as QEMU prints them (checked against qemu/qemu):
 *   target/ppc/kvm.c       "KVM: Failed to create TCE%s table for liobn 0x%x"
 *                          ("" or "64"), "KVM: Failed to map TCE table for liobn 0x%x"
 *   hw/vfio/spapr.c        "Failed to create SPAPR window" (error_setg_errno, so
 *                          ": Cannot allocate memory" follows), "Memory registering
 *                          failed", "vfio: failed GROUP_SET_SPAPR_TCE for KVM VFIO
 *                          device %d and group fd %d"
 *   hw/vfio/common.c       "vfio: DMA mapping failed, unable to continue" (hw_error);
 *                          older QEMU: "vfio: failed to setup fd %d for a group with
 *                          fd %d: %s" (the GROUP_SET_SPAPR_TCE failure before 2023)
 *   hw/ppc/spapr_iommu.c   "Attempted to create TCE table with duplicate LIOBN 0x%x"
 *
 * The log is host data: NUL bytes, no trailing newline, CRs, and megabytes
 * without a newline are all expected and bounded here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tceiommu/util.h"
#include "tceiommu/vm.h"

#define LINE_MAX_BYTES 1024
#define LINES_MAX 64

static const char *const patterns[] = {
	"Failed to create TCE table",
	"Failed to create TCE64 table",
	"Failed to map TCE table",
	"Failed to create SPAPR window",
	"DMA mapping failed",
	"failed GROUP_SET_SPAPR_TCE",
	"failed to setup fd",
	"Memory registering failed",
	"Attempted to create TCE table with duplicate LIOBN",
};

/* The earliest match of any pattern in [s, s+n), or NULL. */
static const char *match(const char *s, size_t n)
{
	const char *best = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(patterns); i++) {
		const char *m = memmem(s, n, patterns[i], strlen(patterns[i]));

		if (m && (!best || m < best))
			best = m;
	}
	return best;
}

/* A copy of the line, trimmed, at most LINE_MAX_BYTES, NULs as '?'. */
static char *line_copy(const char *s, size_t n, const char *m)
{
	char *c;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n > LINE_MAX_BYTES) {
		/* keep the start (timestamp, program) unless the match is beyond it */
		if (m >= s + LINE_MAX_BYTES - 64) {
			n -= (size_t)(m - s);
			s = m;
		}
		if (n > LINE_MAX_BYTES)
			n = LINE_MAX_BYTES;
	}
	c = malloc(n + 1);
	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++)
		c[i] = s[i] ? s[i] : '?';
	c[n] = 0;
	return c;
}

char **tce_qemu_log_scan(const char *buf, size_t len)
{
	char *ring[LINES_MAX];
	size_t n = 0; /* lines matched in all */
	const char *p = buf, *end = buf + (buf ? len : 0);
	char **v;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *m = match(p, (size_t)(le - p));

		if (m) {
			char *c = line_copy(p, (size_t)(le - p), m);

			if (!c)
				goto oom;
			if (n >= LINES_MAX)
				free(ring[n % LINES_MAX]);
			ring[n % LINES_MAX] = c;
			n++;
		}
		p = nl ? nl + 1 : end;
	}
	v = calloc((n < LINES_MAX ? n : LINES_MAX) + 1, sizeof(*v));
	if (!v)
		goto oom;
	for (size_t i = n > LINES_MAX ? n - LINES_MAX : 0, k = 0; i < n; i++)
		v[k++] = ring[i % LINES_MAX];
	return v;
oom:
	for (size_t i = n > LINES_MAX ? n - LINES_MAX : 0; i < n; i++)
		free(ring[i % LINES_MAX]);
	return NULL;
}

int tce_qemu_log_liobn(const char *line, uint32_t *ret)
{
	const char *p = line;

	if (!line || !ret)
		return -EINVAL;
	while ((p = strcasestr(p, "liobn"))) {
		const char *h = p + 5;
		uint32_t v = 0;
		size_t digits = 0;

		p = h;
		while (*h == ' ' || *h == '=' || *h == ':')
			h++;
		if (h[0] != '0' || (h[1] != 'x' && h[1] != 'X'))
			continue;
		for (h += 2; isxdigit((unsigned char)*h) && digits < 9; h++, digits++)
			v = (v << 4) | (uint32_t)(isdigit((unsigned char)*h)
						      ? *h - '0'
						      : (tolower((unsigned char)*h) - 'a' + 10));
		/* a LIOBN is 32 bits: more than 8 digits is not one */
		if (digits == 0 || digits > 8)
			continue;
		*ret = v;
		return 0;
	}
	return -ENOENT;
}
