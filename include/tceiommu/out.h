/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renderers: they read the model only, never the host. Strings from the host
 * are kept raw in the model and escaped here for each medium.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "tceiommu/columns.h"
#include "tceiommu/model.h"

#define TCE_JSON_SCHEMA_VERSION 1

enum tce_out_mode { TCE_OUT_TREE, TCE_OUT_RAW, TCE_OUT_PAIRS, TCE_OUT_JSON };

struct tce_out_opts {
	enum tce_out_mode mode;
	bool noheadings;
	bool bytes;
	int columns[TCE_N_COLUMNS * 2];
	size_t n_columns;
};

/* Copy of s safe for a terminal: C0/C1 controls, DEL and invalid UTF-8 as \xHH. */
char *tce_escape_terminal(const char *s);
/* Copy of s that is valid UTF-8 (what JSON needs): bad bytes become U+FFFD. */
char *tce_utf8_sanitize(const char *s);
/* A JSON string of a host string (sanitized), or JSON null for NULL. */
json_object *tce_json_str(const char *s);
/* KEY: V (null without HAS), and KEY_hex "0x..." when HEX or V is past 2^53 */
void tce_json_add_u64(json_object *o, const char *key, bool has, uint64_t v, bool hex);
/* Write a document pretty-printed with a newline, and release it; 0 or -EIO. */
int tce_json_write(json_object *doc, FILE *f);

/*
 * list-groups' output, fed one group at a time (issue 9): JSON is written as
 * it comes; the tree keeps its rows (widths need them all) and prints them,
 * then the notes, at finish; with no group, finish writes the host's note
 * (or JSON with an empty list).
 */
struct tce_groups_out;
int tce_groups_out_new(const struct tce_out_opts *o, FILE *f, struct tce_groups_out **ret);
int tce_groups_out_group(struct tce_groups_out *s, const struct tce_host *h,
			 const struct tce_group *g);
int tce_groups_out_finish(struct tce_groups_out *s, const struct tce_host *h);
void tce_groups_out_free(struct tce_groups_out *s);
/* After the tree: why a group is not viable, what would release it. */
void tce_render_group_notes(const struct tce_group *g, FILE *f);

/* check-host renderers */
struct tce_check_result;
struct tce_checks_doc {
	const struct tce_check_result *res;
	size_t n;
	const char *kernel_release;
	const char *platform;
	int exit_status;
};
int tce_render_checks_text(const struct tce_checks_doc *d, FILE *f, bool color, bool quiet,
			   bool verbose);
int tce_render_checks_json(const struct tce_checks_doc *d, FILE *f);
int tce_render_checks_nagios(const struct tce_checks_doc *d, FILE *f);
int tce_render_checks_prometheus(const struct tce_checks_doc *d, FILE *f, double now);
/* Prometheus label value escaping: backslash, double quote, newline. */
char *tce_escape_prometheus(const char *s);
