/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tceiommu/log.h"
#include "tceiommu/out.h"

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
	char *msg = NULL, *esc = NULL;
	int n;

	if ((int)level > log_level)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	/* messages quote names and values from the host (a VM's name, a
	 * device directory, a driver): escaped as the tables escape them */
	if (n >= 0)
		esc = tce_escape_terminal(msg);
	fprintf(stderr, "tceiommu: %s%s\n", prefix[level], esc ? esc : "(out of memory)");
	free(esc);
	free(msg);
}
