/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * list-groups renderers, fed one group at a time: a tree (one row a group,
 * its devices below it), raw and pairs (one row a device, the group's columns
 * repeated), printed by the project's table printer (tceiommu/table.h), and
 * JSON written as it goes, each group built with json-c from the model and
 * nested whatever the columns.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/out.h"
#include "tceiommu/table.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"

static const struct tce_window *find_window(const struct tce_group *g, enum tce_window_kind k)
{
	for (size_t i = 0; i < g->n_windows; i++)
		if (g->windows[i].kind == k)
			return &g->windows[i];
	return NULL;
}

/* A device-tree node as shown: relative to the device-tree base. */
static const char *dt_display(const char *canon)
{
	size_t n = strlen(PATH_DEVTREE_BASE);

	if (canon && strncmp(canon, PATH_DEVTREE_BASE, n) == 0 && canon[n] == '/')
		return canon + n;
	return canon;
}

static void fmt_size(uint64_t v, bool bytes, char *buf, size_t len)
{
	if (bytes)
		snprintf(buf, len, "%" PRIu64, v);
	else
		tce_format_size(v, buf, len);
}

static char *page_sizes_str(uint64_t bits)
{
	char *s = NULL;

	for (unsigned i = 0; i < 64; i++) {
		char one[16], *n;

		if (!(bits & (1ULL << i)))
			continue;
		tce_format_size(1ULL << i, one, sizeof(one));
		n = tce_strdup_printf("%s%s%s", s ? s : "", s ? "," : "", one);
		free(s);
		if (!(s = n))
			return NULL;
	}
	return s ? s : strdup("");
}

static const char *viable_str(enum tce_tristate v)
{
	return v == TCE_YES ? "yes" : v == TCE_NO ? "no" : "?";
}

static char *holders_str(const struct tce_group *g)
{
	char *s = NULL;

	switch (g->holders_state) {
	case TCE_HOLDERS_NONE_NEEDED:
		return NULL;
	case TCE_HOLDERS_NEEDS_ROOT:
		return strdup("(needs root)");
	case TCE_HOLDERS_HIDDEN:
		return strdup("(process list hidden)");
	case TCE_HOLDERS_NOT_RECORDED:
		return strdup("(not recorded)");
	case TCE_HOLDERS_ERROR:
		return strdup("(unknown)");
	case TCE_HOLDERS_KNOWN:
		break;
	}
	if (g->n_holders == 0)
		return strdup("-");
	for (size_t i = 0; i < g->n_holders; i++) {
		char *n =
		    tce_strdup_printf("%s%s%d(%s)", s ? s : "", s ? "," : "", g->holders[i].pid,
				      /* the VM's name where QEMU has one (-name) */
				      g->holders[i].vm	   ? g->holders[i].vm
				      : g->holders[i].comm ? g->holders[i].comm
							   : "?");
		free(s);
		if (!(s = n))
			return NULL;
	}
	return s;
}

/* The text of one cell; NULL for an empty cell. */
static char *group_cell(const struct tce_group *g, int col, bool bytes)
{
	char buf[64];
	const struct tce_window *w;

	switch (col) {
	case COL_GROUP:
		return tce_strdup_printf("%" PRIu64, g->number);
	case COL_NAME:
		return g->name ? strdup(g->name) : NULL;
	case COL_DOMAIN:
		return g->has_domain_pe ? tce_strdup_printf("%" PRIu32, g->domain) : NULL;
	case COL_PE:
		return g->has_pe ? tce_strdup_printf("0x%" PRIx64, g->pe) : NULL;
	case COL_PHB:
		return g->phb.node ? strdup(g->phb.node) : NULL;
	case COL_MODEL:
		return g->phb.model ? strdup(g->phb.model) : NULL;
	case COL_IODA:
		return g->phb.ioda ? tce_strdup_printf("%d", g->phb.ioda) : NULL;
	case COL_TYPE:
		return g->type ? strdup(g->type) : NULL;
	case COL_VIABLE:
		return strdup(viable_str(g->viable));
	case COL_BLOCKERS: {
		char *s = NULL;

		for (size_t i = 0; i < g->n_blockers; i++) {
			char *n = tce_strdup_printf("%s%s%s(%s)", s ? s : "", s ? "," : "",
						    g->blockers[i].bdf, g->blockers[i].driver);
			free(s);
			if (!(s = n))
				return NULL;
		}
		return s;
	}
	case COL_VFIO:
		return g->vfio_node ? strdup(g->vfio_node) : NULL;
	case COL_HOLDERS:
		return holders_str(g);
	case COL_LIOBN: {
		char *s = NULL;

		for (size_t i = 0; i < g->n_windows; i++) {
			char *n;

			if (!g->windows[i].has_liobn)
				continue;
			n = tce_strdup_printf("%s%s0x%08" PRIx32, s ? s : "", s ? "," : "",
					      g->windows[i].liobn);
			free(s);
			if (!(s = n))
				return NULL;
		}
		return s;
	}
	case COL_DMA32:
		w = find_window(g, TCE_WIN_VFIO_DMA32);
		if (!w)
			w = find_window(g, TCE_WIN_DMA32);
		if (!w)
			w = find_window(g, TCE_WIN_DMA32_SAVED);
		if (!w || !w->has_size)
			return NULL;
		fmt_size(w->size, bytes, buf, sizeof(buf));
		return strdup(buf);
	case COL_DDW:
		w = find_window(g, TCE_WIN_VFIO_DDW);
		if (!w)
			w = find_window(g, TCE_WIN_DDW);
		return w && w->has_page_sizes ? page_sizes_str(w->page_sizes) : NULL;
	case COL_DDW_SIZE:
		w = find_window(g, TCE_WIN_DDW);
		if (!w || !w->has_size)
			return NULL;
		fmt_size(w->size, bytes, buf, sizeof(buf));
		return strdup(buf);
	case COL_DDW_MAX:
		w = find_window(g, TCE_WIN_VFIO_DDW);
		return w && w->has_max_windows ? tce_strdup_printf("%" PRIu32, w->max_windows)
					       : NULL;
	default:
		return NULL;
	}
}

static char *device_cell(const struct tce_device *d, int col)
{
	switch (col) {
	case COL_GROUP:
	case COL_BDF:
		return strdup(d->bdf);
	case COL_ID:
		return d->has_ids ? tce_strdup_printf("%04x:%04x", d->vendor_id, d->device_id)
				  : NULL;
	case COL_CLASS:
		return d->has_class ? tce_strdup_printf("%06" PRIx32, d->class_code) : NULL;
	case COL_VENDOR:
		return d->vendor_name ? strdup(d->vendor_name) : NULL;
	case COL_PRODUCT:
		return d->device_name ? strdup(d->device_name) : NULL;
	case COL_DRIVER:
		if (d->vanished)
			return strdup("(vanished)");
		return d->driver ? strdup(d->driver) : d->driver_known ? strdup("-") : strdup("?");
	case COL_OVERRIDE:
		return d->driver_override ? strdup(d->driver_override) : NULL;
	case COL_NUMA:
		return d->has_numa_node ? tce_strdup_printf("%d", d->numa_node) : NULL;
	case COL_LOC:
		return d->loc_code ? strdup(d->loc_code) : NULL;
	case COL_PHYSFN:
		return d->physfn ? strdup(d->physfn) : NULL;
	case COL_VFS:
		return d->virtfns ? tce_strdup_printf("%zu", strv_length(d->virtfns)) : NULL;
	case COL_EEH:
		return d->eeh.pe_state ? strdup(d->eeh.pe_state) : NULL;
	default:
		return NULL;
	}
}

static int table_columns(struct tce_table *tb, const struct tce_out_opts *o)
{
	for (size_t i = 0; i < o->n_columns; i++) {
		const struct tce_colinfo *ci = &tce_columns[o->columns[i]];
		int k = tce_table_add_column(tb, ci->name, ci->whint, ci->right);

		if (k < 0)
			return k;
		if (o->mode == TCE_OUT_TREE && o->columns[i] == COL_GROUP &&
		    (k = tce_table_set_tree_column(tb, k)) < 0)
			return k;
	}
	return 0;
}

/* One group's rows: in the tree, the group and its devices below it; raw
 * and pairs, a row a device with the group's columns repeated. The printer
 * copies the cells: they are freed as soon as the row is added. */
static int table_add_group(struct tce_table *tb, const struct tce_out_opts *o,
			   const struct tce_group *g)
{
	bool tree = o->mode == TCE_OUT_TREE;
	char *cells[TCE_TABLE_MAX_COLUMNS] = { 0 };
	size_t n = o->n_columns < TCE_TABLE_MAX_COLUMNS ? o->n_columns : TCE_TABLE_MAX_COLUMNS;
	int gid = -1, k = 0;

	if (tree || g->n_devices == 0) {
		for (size_t i = 0; i < n; i++)
			cells[i] = tce_columns[o->columns[i]].level == TCE_COL_GROUP
				       ? group_cell(g, o->columns[i], o->bytes)
				       : NULL;
		k = gid = tce_table_add_row(tb, -1, (const char *const *)cells);
		for (size_t i = 0; i < n; i++)
			free(cells[i]);
	}
	for (size_t di = 0; di < g->n_devices && k >= 0; di++) {
		const struct tce_device *d = &g->devices[di];

		for (size_t i = 0; i < n; i++) {
			int c = o->columns[i];

			if (tce_columns[c].level == TCE_COL_DEVICE || (tree && c == COL_GROUP))
				cells[i] = device_cell(d, c);
			else
				cells[i] = tree ? NULL : group_cell(g, c, o->bytes);
		}
		k = tce_table_add_row(tb, tree ? gid : -1, (const char *const *)cells);
		for (size_t i = 0; i < n; i++)
			free(cells[i]);
	}
	return k < 0 ? k : 0;
}

/* ---- JSON ------------------------------------------------------------------- */

/* Host strings are raw bytes; JSON must be UTF-8. */
#define jstr tce_json_str

#define add_u64 tce_json_add_u64

static json_object *device_json(const struct tce_device *d)
{
	json_object *o = json_object_new_object(), *names = NULL, *vfs = NULL, *eeh = NULL;
	char buf[16];

	json_object_object_add(o, "bdf", jstr(d->bdf));
	if (d->has_ids) {
		snprintf(buf, sizeof(buf), "%04x", d->vendor_id);
		json_object_object_add(o, "vendor_id", json_object_new_string(buf));
		snprintf(buf, sizeof(buf), "%04x", d->device_id);
		json_object_object_add(o, "device_id", json_object_new_string(buf));
	} else {
		json_object_object_add(o, "vendor_id", NULL);
		json_object_object_add(o, "device_id", NULL);
	}
	if (d->has_class) {
		snprintf(buf, sizeof(buf), "%06" PRIx32, d->class_code);
		json_object_object_add(o, "class", json_object_new_string(buf));
	} else {
		json_object_object_add(o, "class", NULL);
	}
	if (d->vendor_name || d->device_name) {
		names = json_object_new_object();
		json_object_object_add(names, "vendor", jstr(d->vendor_name));
		json_object_object_add(names, "device", jstr(d->device_name));
	}
	json_object_object_add(o, "names", names);
	json_object_object_add(o, "names_source", names ? jstr(d->names_source) : NULL);
	json_object_object_add(o, "driver", jstr(d->driver));
	json_object_object_add(o, "driver_known", json_object_new_boolean(d->driver_known));
	json_object_object_add(o, "driver_override", jstr(d->driver_override));
	json_object_object_add(o, "numa_node",
			       d->has_numa_node ? json_object_new_int(d->numa_node) : NULL);
	json_object_object_add(o, "loc_code", jstr(d->loc_code));
	json_object_object_add(o, "physfn", jstr(d->physfn));
	if (d->virtfns) {
		vfs = json_object_new_array();
		for (char **v = d->virtfns; *v; v++)
			json_object_array_add(vfs, jstr(*v));
	}
	json_object_object_add(o, "virtfns", vfs);
	if (d->has_eeh) {
		eeh = json_object_new_object();
		json_object_object_add(eeh, "mode", jstr(d->eeh.mode));
		add_u64(eeh, "pe_config_addr", d->eeh.has_pe_config_addr, d->eeh.pe_config_addr,
			false);
		json_object_object_add(eeh, "pe_state", jstr(d->eeh.pe_state));
	}
	json_object_object_add(o, "eeh", eeh);
	json_object_object_add(o, "of_node", jstr(dt_display(d->of_node)));
	json_object_object_add(o, "vanished", json_object_new_boolean(d->vanished));
	return o;
}

static json_object *window_json(const struct tce_window *w)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(tce_window_kind_name(w->kind)));
	add_u64(o, "liobn", w->has_liobn, w->liobn, true);
	add_u64(o, "start", w->has_start, w->start, true);
	add_u64(o, "size", w->has_size, w->size, true);
	add_u64(o, "page_sizes", w->has_page_sizes, w->page_sizes, true);
	add_u64(o, "max_windows", w->has_max_windows, w->max_windows, false);
	add_u64(o, "levels", w->has_levels, w->levels, false);
	json_object_object_add(o, "source", jstr(w->source));
	return o;
}

static json_object *reserved_json(const char *s)
{
	json_object *a = json_object_new_array();
	_cleanup_free_ char *copy = s ? strdup(s) : NULL;
	char *save = NULL;

	for (char *ln = copy ? strtok_r(copy, "\n", &save) : NULL; ln;
	     ln = strtok_r(NULL, "\n", &save)) {
		/* drivers/iommu/iommu.c: "0x%016llx 0x%016llx %s\n" */
		char a1[32], a2[32], type[32];
		uint64_t st, en;
		json_object *r;

		if (sscanf(ln, "%31s %31s %31s", a1, a2, type) != 3 ||
		    tce_parse_u64(a1, 16, &st) < 0 || tce_parse_u64(a2, 16, &en) < 0)
			continue;
		r = json_object_new_object();
		add_u64(r, "start", true, st, true);
		add_u64(r, "end", true, en, true);
		json_object_object_add(r, "type", jstr(type));
		json_object_array_add(a, r);
	}
	return a;
}

static const char *holders_note(enum tce_holders_state s)
{
	switch (s) {
	case TCE_HOLDERS_NEEDS_ROOT:
		return "needs root";
	case TCE_HOLDERS_HIDDEN:
		return "process list hidden";
	case TCE_HOLDERS_NOT_RECORDED:
		return "not recorded";
	case TCE_HOLDERS_ERROR:
		return "unknown";
	default:
		return NULL;
	}
}

static json_object *group_json(const struct tce_group *g)
{
	json_object *o = json_object_new_object(), *a, *phb = NULL, *vfio = NULL;

	add_u64(o, "group", true, g->number, false);
	json_object_object_add(o, "name", jstr(g->name));
	add_u64(o, "domain", g->has_domain_pe, g->domain, false);
	add_u64(o, "pe", g->has_pe, g->pe, false);
	if (g->has_phb) {
		phb = json_object_new_object();
		json_object_object_add(phb, "node", jstr(g->phb.node));
		json_object_object_add(phb, "model", jstr(g->phb.model));
		json_object_object_add(phb, "ioda",
				       g->phb.ioda ? json_object_new_int(g->phb.ioda) : NULL);
		add_u64(phb, "opal_phbid", g->phb.has_opal_phbid, g->phb.opal_phbid, false);
	}
	json_object_object_add(o, "phb", phb);
	json_object_object_add(o, "type", jstr(g->type));
	json_object_object_add(o, "reserved_regions", reserved_json(g->reserved_regions));

	a = json_object_new_array();
	for (size_t i = 0; i < g->n_devices; i++)
		json_object_array_add(a, device_json(&g->devices[i]));
	json_object_object_add(o, "devices", a);

	json_object_object_add(
	    o, "viable",
	    g->viable == TCE_UNKNOWN ? NULL : json_object_new_boolean(g->viable == TCE_YES));
	json_object_object_add(o, "viability_rule", jstr(g->viability_rule));
	a = json_object_new_array();
	for (size_t i = 0; i < g->n_blockers; i++) {
		const struct tce_blocker *b = &g->blockers[i];
		json_object *bo = json_object_new_object();

		json_object_object_add(bo, "bdf", jstr(b->bdf));
		json_object_object_add(bo, "driver", jstr(b->driver));
		json_object_object_add(bo, "reason", jstr(b->reason));
		json_object_object_add(bo, "command", jstr(b->command));
		json_object_object_add(bo, "warning", jstr(b->warning));
		json_object_array_add(a, bo);
	}
	json_object_object_add(o, "blockers", a);

	if (g->vfio_node_exists) {
		json_object *ha = NULL;

		vfio = json_object_new_object();
		json_object_object_add(vfio, "node", jstr(g->vfio_node));
		if (g->holders_state == TCE_HOLDERS_KNOWN) {
			ha = json_object_new_array();
			for (size_t i = 0; i < g->n_holders; i++) {
				json_object *ho = json_object_new_object();

				json_object_object_add(ho, "pid",
						       json_object_new_int(g->holders[i].pid));
				json_object_object_add(ho, "comm", jstr(g->holders[i].comm));
				json_object_object_add(ho, "vm", jstr(g->holders[i].vm));
				json_object_array_add(ha, ho);
			}
		}
		json_object_object_add(vfio, "holders", ha);
		json_object_object_add(vfio, "holders_note", jstr(holders_note(g->holders_state)));
	}
	json_object_object_add(o, "vfio", vfio);

	if (g->windows_applicable) {
		a = json_object_new_array();
		for (size_t i = 0; i < g->n_windows; i++)
			json_object_array_add(a, window_json(&g->windows[i]));
	} else {
		a = NULL;
	}
	json_object_object_add(o, "windows", a);
	if (g->probe_status) {
		json_object *po = json_object_new_object();

		json_object_object_add(po, "status", jstr(g->probe_status));
		json_object_object_add(po, "detail", jstr(g->probe_detail));
		json_object_object_add(o, "probe", po);
	}
	a = json_object_new_array();
	for (char **n = g->notes; n && *n; n++)
		json_object_array_add(a, jstr(*n));
	json_object_object_add(o, "notes", a);
	return o;
}

#define JSON_FLAGS                                                                                 \
	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

/* A value as json-c writes it inside the document; consumes v. */
static int json_put_value(FILE *f, json_object *v)
{
	int k = fputs(v ? json_object_to_json_string_ext(v, JSON_FLAGS) : "null", f);

	json_object_put(v);
	return k < 0 ? -EIO : 0;
}

/*
 * The document is written as it goes, one group at a time, byte for byte
 * what json-c writes for the whole tree (tce_json_write): the head, then each
 * group object serialized alone and indented to its depth (json-c escapes
 * newlines inside strings, so every newline is structure), then the tail.
 */
static int json_head(const struct tce_host *h, FILE *f)
{
	int k = 0;

	fprintf(f, "{\n  \"schema_version\": %d,\n  \"kernel_release\": ", TCE_JSON_SCHEMA_VERSION);
	k |= json_put_value(f, jstr(h->kernel_release));
	fputs(",\n  \"machine\": ", f);
	k |= json_put_value(f, jstr(h->machine));
	fputs(",\n  \"platform\": ", f);
	k |= json_put_value(f, json_object_new_string(tce_platform_name(h->platform)));
	fputs(",\n  \"groups\": [", f);
	return k;
}

static int json_group(const struct tce_group *g, bool first, FILE *f)
{
	json_object *o = group_json(g);
	const char *s = json_object_to_json_string_ext(o, JSON_FLAGS);

	fputs(first ? "\n    " : ",\n    ", f);
	for (const char *p = s, *nl; *p; p = nl + 1) {
		if (!(nl = strchr(p, '\n'))) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(nl - p) + 1, f);
		fputs("    ", f);
	}
	json_object_put(o);
	return ferror(f) ? -EIO : 0;
}

static int json_tail(const struct tce_host *h, FILE *f)
{
	int k;

	fputs("\n  ],\n  \"note\": ", f);
	k = json_put_value(f, jstr(h->note));
	fputs("\n}\n", f);
	return k < 0 || ferror(f) ? -EIO : 0;
}

/* ---- the list-groups output, fed a group at a time ------------------------- */

struct tce_groups_out {
	struct tce_out_opts o;
	FILE *f;
	size_t n; /* groups written */
	struct tce_table *tb;
	/* the tree's notes, printed after it */
	char *notes;
	size_t notes_len;
	FILE *notes_f;
};

int tce_groups_out_new(const struct tce_out_opts *o, FILE *f, struct tce_groups_out **ret)
{
	struct tce_groups_out *s = calloc(1, sizeof(*s));
	int k = 0;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->f = f;
	if (o->mode != TCE_OUT_JSON) {
		s->tb = tce_table_new(f, o->mode, o->noheadings);
		if (!s->tb || (k = table_columns(s->tb, o)) < 0) {
			tce_groups_out_free(s);
			return k < 0 ? k : -ENOMEM;
		}
	}
	if (o->mode == TCE_OUT_TREE && !(s->notes_f = open_memstream(&s->notes, &s->notes_len))) {
		tce_groups_out_free(s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

void tce_groups_out_free(struct tce_groups_out *s)
{
	if (!s)
		return;
	tce_table_free(s->tb);
	if (s->notes_f)
		fclose(s->notes_f);
	free(s->notes);
	free(s);
}

int tce_groups_out_group(struct tce_groups_out *s, const struct tce_host *h,
			 const struct tce_group *g)
{
	int k;

	if (s->o.mode == TCE_OUT_JSON) {
		if (s->n == 0 && (k = json_head(h, s->f)) < 0)
			return k;
		k = json_group(g, s->n == 0, s->f);
	} else {
		k = table_add_group(s->tb, &s->o, g);
		if (k == 0 && s->notes_f)
			tce_render_group_notes(g, s->notes_f);
	}
	s->n++;
	return k;
}

int tce_groups_out_finish(struct tce_groups_out *s, const struct tce_host *h)
{
	int k;

	if (s->o.mode == TCE_OUT_JSON) {
		if (s->n == 0 && (k = json_head(h, s->f)) < 0)
			return k;
		return json_tail(h, s->f);
	}
	if (s->n == 0) {
		fprintf(s->f, "%s\n", h->note ? h->note : "no IOMMU groups");
		return ferror(s->f) ? -EIO : 0;
	}
	k = tce_table_print(s->tb);
	if (k < 0)
		return k;
	if (s->notes_f) {
		if (fflush(s->notes_f) != 0)
			return -ENOMEM;
		fwrite(s->notes, 1, s->notes_len, s->f);
	}
	return ferror(s->f) ? -EIO : 0;
}

void tce_render_group_notes(const struct tce_group *g, FILE *f)
{
	for (size_t b = 0; b < g->n_blockers; b++) {
		_cleanup_free_ char *bdf = tce_escape_terminal(g->blockers[b].bdf);
		_cleanup_free_ char *reason = tce_escape_terminal(g->blockers[b].reason);
		_cleanup_free_ char *cmd =
		    g->blockers[b].command ? tce_escape_terminal(g->blockers[b].command) : NULL;

		if (!bdf || !reason)
			continue;
		fprintf(f, "group %" PRIu64 ": not viable: %s is %s\n", g->number, bdf, reason);
		if (cmd)
			fprintf(f, "  release: %s\n", cmd);
		if (g->blockers[b].warning) {
			_cleanup_free_ char *w = tce_escape_terminal(g->blockers[b].warning);

			fprintf(f, "  warning: %s\n", w ? w : "");
		}
	}
	for (char **n = g->notes; n && *n; n++) {
		_cleanup_free_ char *e = tce_escape_terminal(*n);

		fprintf(f, "group %" PRIu64 ": %s\n", g->number, e ? e : "");
	}
	if (g->probe_status)
		fprintf(f, "group %" PRIu64 ": probe %s: %s\n", g->number, g->probe_status,
			g->probe_detail ? g->probe_detail : "");
}
