/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages go to stderr as "tceiommu: <what>: <why>" (kmod tools/log.c).
 * ERR and WRN always print; INF with -v; DBG with -vv or TCEIOMMU_DEBUG=1.
 */
#pragma once

#include "tceiommu/macro.h"

enum tce_log_level { TCE_LOG_ERR, TCE_LOG_WRN, TCE_LOG_INF, TCE_LOG_DBG };

void tce_log_set_level(int level);
int tce_log_get_level(void);
void tce_log_init_from_env(void);
void tce_log(enum tce_log_level level, const char *fmt, ...) _printf_(2, 3);

#define ERR(...) tce_log(TCE_LOG_ERR, __VA_ARGS__)
#define WRN(...) tce_log(TCE_LOG_WRN, __VA_ARGS__)
#define INF(...) tce_log(TCE_LOG_INF, __VA_ARGS__)
#define DBG(...) tce_log(TCE_LOG_DBG, __VA_ARGS__)
