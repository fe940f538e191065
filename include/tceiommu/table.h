/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table printer of list-groups and list-vms (src/render/table.c).
 *
 * Why not libsmartcols: it keeps every line as objects (a line, a cell per
 * column, a malloc'd string per cell) until it prints, and list-groups must
 * print a 16k-function host in 16 MiB. A tree of 20000 rows of 10 columns
 * (bench/table-rss.c) peaks at about 14.2 MiB with libsmartcols and 3.4 MiB
 * with this printer, 1.8 MiB of either being the program. This printer keeps
 * only what the widths need: in the tree mode the cells' bytes, end to end in
 * one growing arena, and 4 bytes a row (its depth and whether it is its
 * parent's last child); the raw and pairs modes need no widths, so each row
 * is written as it is added.
 *
 * Its output is byte for byte what libsmartcols 2.38.1 writes when it does
 * not write to a terminal (tests/unit/test-table.c renders thousands of
 * generated tables with both and compares): cells safe-encoded (\xHH for
 * control characters, invalid or unprintable multibyte sequences and a
 * backslash before 'x'), column width the widest cell or the header, widened
 * to the width hint; raw cells with blanks, backslashes and unprintable bytes
 * as \xHH; pairs as NAME="VALUE" with shell-variable names. Tree symbols are
 * UTF-8 when the locale's codeset is, else ASCII.
 *
 * One difference, on purpose: on a terminal libsmartcols narrows columns to
 * the terminal's width and truncates or wraps cells; this printer writes the
 * same bytes to a terminal as to a pipe (no width reduction, no wrapping).
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "tceiommu/out.h"

#define TCE_TABLE_MAX_COLUMNS 64

struct tce_table;

/* A table written to f: TCE_OUT_TREE (aligned columns, a tree), TCE_OUT_RAW
 * or TCE_OUT_PAIRS; NULL with errno set (EINVAL for another mode, ENOMEM). */
struct tce_table *tce_table_new(FILE *f, enum tce_out_mode mode, bool noheadings);

/* Columns come before the first row. whint is libsmartcols' width hint (a
 * value >= 1 is a minimum width when the header is narrower; below 1 it is
 * relative to a terminal, so nothing here). Returns the column's index, or
 * -EINVAL (no name, rows already added), -E2BIG (too many), -ENOMEM. */
int tce_table_add_column(struct tce_table *t, const char *name, double whint, bool right);

/* The column that draws the tree (libsmartcols' SCOLS_FL_TREE); the tree
 * mode only. 0 or -EINVAL. */
int tce_table_set_tree_column(struct tce_table *t, int col);

/*
 * A row of cells[0 .. number of columns - 1], each a string of raw bytes
 * (encoded here) or NULL for an empty cell; cells itself may be NULL. The
 * strings are copied (tree) or written (raw, pairs) before this returns, so
 * the caller may free them at once.
 *
 * parent is -1 for a top-level row, else the id of a row returned earlier.
 * Rows come in the order they print (depth first): a row's parent must be
 * the last row added or one of its ancestors -- a group, then its devices,
 * then the next group. Raw and pairs rows are flat (the parent is checked,
 * then ignored), as libsmartcols prints them without a tree column.
 *
 * Returns the row's id (>= 0), or -EINVAL (bad parent), -ENOMEM, -EIO (a
 * raw or pairs row could not be written).
 */
int tce_table_add_row(struct tce_table *t, int parent, const char *const *cells);

/* Write the tree (header and rows; nothing when there is no row): raw and
 * pairs rows have been written already. -EIO when f's error indicator is
 * set (f is not flushed: what stays buffered is the caller's to check, as
 * the tool does for stdout at exit); else 0 or -ENOMEM. */
int tce_table_print(struct tce_table *t);

/* NULL is fine; returns NULL. */
struct tce_table *tce_table_free(struct tce_table *t);
