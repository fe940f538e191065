/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tceiommu/log.h"

static int log_level = TCE_LOG_WRN;

void tce_log_set_level(int level)
{
	log_level = level;
}

int tce_log_get_level(void)
{
	return log_level;
}

void tce_log_init_from_env(void)
{
	const char *e = secure_getenv("TCEIOMMU_DEBUG");

	if (e && *e && *e != '0')
		log_level = TCE_LOG_DBG;
}

void tce_log(enum tce_log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = { "", "warning: ", "", "debug: " };
	va_list ap;

	if ((int)level > log_level)
		return;
	fprintf(stderr, "tceiommu: %s", prefix[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
