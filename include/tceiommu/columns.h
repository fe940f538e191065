/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The list-groups columns are data (util-linux lsblk infos[]): one table
 * drives -o, -O, --list-columns, the table/raw/pairs outputs, --help, and is
 * checked against the man page and the bash completion by tests.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum tce_col_level { TCE_COL_GROUP, TCE_COL_DEVICE };
enum tce_col_type { TCE_COL_STRING, TCE_COL_NUMBER, TCE_COL_SIZE, TCE_COL_BOOL };

enum {
	COL_GROUP,
	COL_NAME,
	COL_DOMAIN,
	COL_PE,
	COL_PHB,
	COL_MODEL,
	COL_IODA,
	COL_TYPE,
	COL_VIABLE,
	COL_BLOCKERS,
	COL_VFIO,
	COL_HOLDERS,
	COL_LIOBN,
	COL_DMA32,
	COL_DDW,
	COL_DDW_SIZE,
	COL_DDW_MAX,
	COL_BDF,
	COL_ID,
	COL_CLASS,
	COL_VENDOR,
	COL_PRODUCT,
	COL_DRIVER,
	COL_OVERRIDE,
	COL_NUMA,
	COL_LOC,
	COL_PHYSFN,
	COL_VFS,
	COL_EEH,
	TCE_N_COLUMNS
};

struct tce_colinfo {
	const char *name;
	double whint;
	bool right;
	enum tce_col_level level;
	enum tce_col_type type;
	bool power_only; /* meaningless without a device tree */
	bool needs_names, needs_holders;
	const char *help;
};

extern const struct tce_colinfo tce_columns[TCE_N_COLUMNS];

/* Column id by name (case-insensitive; "DDW_MAX" matches "DDW-MAX"), or -1. */
/* The TCE_FACT_* bits (host.h) a column shows: what list-groups must read for it. */
unsigned tce_column_facts(int col);
int tce_column_by_name(const char *name, size_t len);

/* Parse "-o LIST" into ids; "+LIST" appends to *n existing ones. */
int tce_columns_parse(const char *list, int *ids, size_t max, size_t *n);
/* The same over another column table (list-vms'), named by by_name. */
int tce_columns_parse_with(const char *list, int (*by_name)(const char *name, size_t len), int *ids,
			   size_t max, size_t *n);
