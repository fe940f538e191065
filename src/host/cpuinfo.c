/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /proc/cpuinfo on powerpc (arch/powerpc/kernel/setup-common.c
 * show_cpuinfo): per CPU "processor", "cpu" (the name of the mode the CPU
 * runs in: "POWER9 (architected)" in an LPAR in compatibility mode) and
 * "revision" ending in "(pvr VVVV RRRR)"; then "platform", "model",
 * "machine", "MMU". The real generation is the PVR's, not the cpu line's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/hostinfo.h"
#include "tceiommu/util.h"

void tce_cpuinfo_done(struct tce_cpuinfo *c)
{
	free(c->cpu);
	free(c->revision);
	free(c->platform);
	free(c->model);
	free(c->machine);
	free(c->mmu);
	memset(c, 0, sizeof(*c));
}

static char *field(const char *line, size_t len, const char *key)
{
	size_t klen = strlen(key);
	const char *p, *end = line + len;

	if (len <= klen || memcmp(line, key, klen) != 0)
		return NULL;
	p = line + klen;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != ':')
		return NULL;
	p++;
	while (p < end && *p == ' ')
		p++;
	return strndup(p, (size_t)(end - p));
}

int tce_cpuinfo_parse(const char *buf, size_t len, struct tce_cpuinfo *ret)
{
	struct tce_cpuinfo c = { 0 };
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)((nl ? nl : end) - p);
		char *v;

		if ((v = field(p, l, "processor"))) {
			c.processors++;
			free(v);
		} else if (!c.cpu && (v = field(p, l, "cpu"))) {
			c.cpu = v;
		} else if (!c.revision && (v = field(p, l, "revision"))) {
			const char *pv = strstr(v, "(pvr ");
			unsigned hi, lo;

			c.revision = v;
			if (pv && sscanf(pv, "(pvr %4x %4x)", &hi, &lo) == 2) {
				c.has_pvr = true;
				c.pvr = hi << 16 | lo;
			}
		} else if (!c.platform && (v = field(p, l, "platform"))) {
			c.platform = v;
		} else if (!c.model && (v = field(p, l, "model"))) {
			c.model = v;
		} else if (!c.machine && (v = field(p, l, "machine"))) {
			c.machine = v;
		} else if (!c.mmu && (v = field(p, l, "MMU"))) {
			c.mmu = v;
		}
		p += l + 1;
	}
	*ret = c;
	return 0;
}

const char *tce_pvr_generation(uint32_t pvr)
{
	/* PVR_* in arch/powerpc/include/asm/reg.h */
	switch (pvr >> 16) {
	case 0x003f:
		return "POWER7";
	case 0x004a:
		return "POWER7+";
	case 0x004b:
		return "POWER8E";
	case 0x004c:
		return "POWER8NVL";
	case 0x004d:
		return "POWER8";
	case 0x004e:
		return "POWER9";
	case 0x0080:
		return "POWER10";
	case 0x0082:
		return "POWER11";
	default:
		return NULL;
	}
}
