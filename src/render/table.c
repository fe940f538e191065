/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table printer (include/tceiommu/table.h): libsmartcols' non-terminal
 * output, without keeping a line object per row.
 *
 * What libsmartcols 2.38.1 does, and what is done here the same way:
 * - calculate.c count_column_width(): a column is as wide as its widest cell
 *   (tree art and data, in safe encoding), at least its header (at least 1),
 *   and when that is narrower than an absolute width hint that the header
 *   also is narrower than, as wide as the hint. Not on a terminal, that is
 *   all (__scols_calculate: "if (!tb->is_term) goto done").
 * - print.c print_data(): a cell is encoded (buffer.c ul_buffer_get_safe_data:
 *   nothing when its width is 0), right-aligned ones padded on the left, every
 *   column but the last padded to its width and followed by a space; the
 *   last one is not padded unless right-aligned.
 * - print.c __cell_to_buffer(): the tree column's cell is the tree art (a
 *   vertical bar or blanks per ancestor below the top, then a branch or the
 *   last branch) followed by the data, encoded and measured as one string.
 * - raw: carefulputc.h fputs_nonblank() per cell, a space between; pairs:
 *   NAME= and fputs_quoted(), with column.c's shell-variable names; a row a
 *   line, the header line first (raw, unless noheadings; never in pairs).
 * - print-api.c: nothing at all, not even the header, for a table with no
 *   row; every line ends with a newline.
 * Cells are kept raw and encoded when printed, as libsmartcols does, so the
 * locale that counts is the one at tce_table_print().
 */
#include <ctype.h>
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "tceiommu/table.h"

struct column {
	char *name;
	char *shellvar; /* the pairs mode's NAME */
	double whint;
	bool right;
};

struct tce_table {
	FILE *f;
	enum tce_out_mode mode;
	bool noheadings;
	bool header_done; /* raw */
	int tree_col;	  /* -1: none */
	size_t ncols;
	struct column cols[TCE_TABLE_MAX_COLUMNS];
	size_t nrows;

	/* The tree mode's model: the cells of every row, each NUL-terminated,
	 * end to end in print order; a row's depth << 1 | "last child". */
	char *arena;
	size_t arena_len, arena_cap;
	uint32_t *meta;
	size_t meta_cap;
	/* the row last added at each depth, down to the last row added */
	uint32_t *path;
	size_t path_len, path_cap;
	size_t max_depth;
};

#define META_LAST 1u

/* p with room for need elements (cap of them now), or NULL (p untouched) */
static void *grow_to(void *p, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t n = *cap ? *cap : first;
	void *q;

	if (need <= *cap)
		return p;
	while (n < need) {
		if (n > SIZE_MAX / 2 / elem)
			return NULL;
		n *= 2;
	}
	q = realloc(p, n * elem);
	if (q)
		*cap = n;
	return q;
}

/* 0, or -ENOMEM with p as it was */
#define GROW(p, cap, need, first)                                                                  \
	({                                                                                         \
		void *_q = grow_to((p), &(cap), (need), sizeof(*(p)), (first));                    \
		if (_q)                                                                            \
			(p) = _q;                                                                  \
		_q ? 0 : -ENOMEM;                                                                  \
	})

/*
 * Width in cells of s in safe encoding, and the encoding into out when out
 * is not NULL (4 * strlen(s) + 1 bytes); util-linux lib/mbsalign.c
 * mbs_safe_nwidth() and mbs_safe_encode_to_buffer(), which walk a string
 * alike. The sum is a size_t as there: a cell whose width overflows it is
 * treated as libsmartcols treats it.
 */
static size_t safe_encode(const char *s, char *out)
{
	const char *p = s;
	size_t width = 0;
	mbstate_t st;

	memset(&st, 0, sizeof(st));
	while (*p) {
		if ((*p == '\\' && p[1] == 'x') || iscntrl((unsigned char)*p)) {
			if (out)
				out += sprintf(out, "\\x%02x", (unsigned char)*p);
			width += 4;
			p++;
			continue;
		}
		/* printable ASCII in the initial shift state: what mbrtowc,
		 * iswprint and wcwidth would say, without asking them (issue 9:
		 * they were a fifth of list-groups' own time) */
		if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f && mbsinit(&st)) {
			if (out)
				*out++ = *p;
			width++;
			p++;
			continue;
		}
		wchar_t wc;
		size_t len = mbrtowc(&wc, p, MB_CUR_MAX, &st);

		if (len == 0)
			break;
		if (len == (size_t)-1 || len == (size_t)-2) {
			len = 1;
			if (!isprint((unsigned char)*p)) {
				if (out)
					out += sprintf(out, "\\x%02x", (unsigned char)*p);
				width += 4;
			} else {
				if (out)
					*out++ = *p;
				width++;
			}
		} else if (!iswprint(wc)) {
			for (size_t i = 0; i < len; i++) {
				if (out)
					out += sprintf(out, "\\x%02x", (unsigned char)p[i]);
				width += 4;
			}
		} else {
			if (out) {
				memcpy(out, p, len);
				out += len;
			}
			width += wcwidth(wc);
		}
		p += len;
	}
	if (out)
		*out = '\0';
	return width;
}

static void put_spaces(FILE *f, size_t n)
{
	static const char sp[] = "                                ";

	while (n > 0) {
		size_t k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;

		fwrite(sp, 1, k, f);
		n -= k;
	}
}

/* carefulputc.h fputs_nonblank() */
static void put_nonblank(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (isblank(*p) || *p == '\\' || !isprint(*p) || iscntrl(*p))
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

/* carefulputc.h fputs_quoted() */
static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '`' || *p == '$' || !isprint(*p) ||
		    iscntrl(*p))
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* column.c scols_column_get_name_as_shellvar(): "1FOO%" is "_1FOO_PCT" */
static char *shellvar_name(const char *name)
{
	size_t n = strlen(name);
	char *v = calloc(1, n + 5), *p = v;

	if (!v)
		return NULL;
	if (!isalpha((unsigned char)name[0]))
		*p++ = '_';
	for (const char *s = name; *s; s++)
		*p++ = isalnum((unsigned char)*s) ? *s : '_';
	if (name[n - 1] == '%')
		memcpy(p, "PCT", 3);
	return v;
}

struct tce_table *tce_table_new(FILE *f, enum tce_out_mode mode, bool noheadings)
{
	struct tce_table *t;

	if (!f || (mode != TCE_OUT_TREE && mode != TCE_OUT_RAW && mode != TCE_OUT_PAIRS)) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->f = f;
	t->mode = mode;
	t->noheadings = noheadings;
	t->tree_col = -1;
	return t;
}

struct tce_table *tce_table_free(struct tce_table *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].shellvar);
	}
	free(t->arena);
	free(t->meta);
	free(t->path);
	free(t);
	return NULL;
}

int tce_table_add_column(struct tce_table *t, const char *name, double whint, bool right)
{
	struct column *c;

	if (!name || !*name || t->nrows > 0)
		return -EINVAL;
	if (t->ncols == TCE_TABLE_MAX_COLUMNS)
		return -E2BIG;
	c = &t->cols[t->ncols];
	c->name = strdup(name);
	c->shellvar = shellvar_name(name);
	if (!c->name || !c->shellvar) {
		free(c->name);
		free(c->shellvar);
		return -ENOMEM;
	}
	c->whint = whint;
	c->right = right;
	return (int)t->ncols++;
}

int tce_table_set_tree_column(struct tce_table *t, int col)
{
	if (t->mode != TCE_OUT_TREE || col < 0 || (size_t)col >= t->ncols)
		return -EINVAL;
	t->tree_col = col;
	return 0;
}

static int write_flat_row(struct tce_table *t, const char *const *cells, bool header)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const char *s = header ? t->cols[i].name : cells ? cells[i] : NULL;

		if (t->mode == TCE_OUT_RAW) {
			put_nonblank(t->f, s);
		} else {
			fputs(t->cols[i].shellvar, t->f);
			fputc('=', t->f);
			put_quoted(t->f, s);
		}
		fputc(i + 1 < t->ncols ? ' ' : '\n', t->f);
	}
	return ferror(t->f) ? -EIO : 0;
}

static int add_tree_row(struct tce_table *t, int parent, const char *const *cells)
{
	size_t depth = 0, need = 0, id = t->nrows;
	int k;

	if (parent >= 0) {
		size_t pd = t->meta[parent] >> 1;

		/* depth first: the parent is on the path to the last row */
		if (pd >= t->path_len || t->path[pd] != (uint32_t)parent)
			return -EINVAL;
		depth = pd + 1;
	}
	if (depth > UINT32_MAX >> 1 || id >= INT_MAX)
		return -ENOMEM;
	for (size_t i = 0; i < t->ncols; i++)
		need += (cells && cells[i] ? strlen(cells[i]) : 0) + 1;
	if ((k = GROW(t->arena, t->arena_cap, t->arena_len + need, 4096)) < 0 ||
	    (k = GROW(t->meta, t->meta_cap, id + 1, 256)) < 0 ||
	    (k = GROW(t->path, t->path_cap, depth + 1, 8)) < 0)
		return k;
	for (size_t i = 0; i < t->ncols; i++) {
		const char *s = cells && cells[i] ? cells[i] : "";
		size_t n = strlen(s) + 1;

		memcpy(t->arena + t->arena_len, s, n);
		t->arena_len += n;
	}
	/* a row at this depth since the parent: the previous sibling */
	if (t->path_len > depth)
		t->meta[t->path[depth]] &= ~META_LAST;
	t->path[depth] = (uint32_t)id;
	t->path_len = depth + 1;
	t->meta[id] = (uint32_t)depth << 1 | META_LAST;
	if (depth > t->max_depth)
		t->max_depth = depth;
	t->nrows++;
	return (int)id;
}

int tce_table_add_row(struct tce_table *t, int parent, const char *const *cells)
{
	int k;

	if (parent < -1 || (parent >= 0 && (size_t)parent >= t->nrows) || t->ncols == 0)
		return -EINVAL;
	if (t->mode == TCE_OUT_TREE)
		return add_tree_row(t, parent, cells);
	if (t->nrows >= INT_MAX)
		return -ENOMEM;
	if (t->mode == TCE_OUT_RAW && !t->noheadings && !t->header_done) {
		t->header_done = true;
		if ((k = write_flat_row(t, NULL, true)) < 0)
			return k;
	}
	if ((k = write_flat_row(t, cells, false)) < 0)
		return k;
	return (int)t->nrows++;
}

/* ---- the tree mode ---------------------------------------------------------- */

struct printer {
	struct tce_table *t;
	const char *branch, *vert, *right; /* table.c scols_table_set_default_symbols() */
	uint8_t *last;			   /* per depth: the row there was a last child */
	char *cell;			   /* art and data, as __cell_to_buffer() */
	size_t cell_cap;
	char *enc;
	size_t enc_cap;
	size_t width[TCE_TABLE_MAX_COLUMNS];
};

/* A cell's text in p->cell, as libsmartcols measures and prints it: in the
 * tree column of a row below the top, the tree art first. */
static int cell_text(struct printer *p, const char *data, size_t c, size_t depth)
{
	size_t dl = strlen(data), al = 0, need;
	char *o;
	int k;

	if ((int)c == p->t->tree_col && depth > 0)
		al = (depth - 1) * strlen(p->vert) + strlen(p->branch) + strlen(p->right);
	need = al + dl + 1;
	if ((k = GROW(p->cell, p->cell_cap, need, 256)) < 0)
		return k;
	o = p->cell;
	if ((int)c == p->t->tree_col && depth > 0) {
		for (size_t d = 1; d < depth; d++)
			o = stpcpy(o, p->last[d] ? "  " : p->vert);
		o = stpcpy(o, p->last[depth] ? p->right : p->branch);
	}
	memcpy(o, data, dl + 1);
	return 0;
}

/* print.c print_data() for a human-readable cell whose text is s */
static int print_cell(struct printer *p, size_t c, const char *s)
{
	struct tce_table *t = p->t;
	bool is_last = c + 1 == t->ncols, right = t->cols[c].right;
	size_t width = p->width[c], len = 0;
	const char *data = NULL;
	int k;

	if (*s) {
		if ((k = GROW(p->enc, p->enc_cap, strlen(s) * 4 + 1, 256)) < 0)
			return k;
		len = safe_encode(s, p->enc);
		data = p->enc;
		/* ul_buffer_get_safe_data(): nothing of no width */
		if (len == 0 || len == (size_t)-1) {
			len = 0;
			data = NULL;
		}
	}
	if (is_last && len < width && !right)
		width = len;
	if (data && *data) {
		if (right) {
			if (len < width)
				put_spaces(t->f, width - len);
			len = width;
		}
		fputs(data, t->f);
	}
	if (is_last)
		return 0;
	/* len > width needs a narrowed column: a terminal's, never here */
	if (len < width)
		put_spaces(t->f, width - len);
	fputc(' ', t->f);
	return 0;
}

static size_t cell_width(const char *s)
{
	size_t w = *s ? safe_encode(s, NULL) : 0;

	return w == (size_t)-1 ? 0 : w; /* count_cell_width(): broken strings count 0 */
}

/* Each row in order, its depth and whether it is its parent's last child
 * kept in p->last for the art of the rows below it. */
static int walk(struct printer *p, bool print)
{
	struct tce_table *t = p->t;
	const char *s = t->arena;
	int k;

	for (size_t r = 0; r < t->nrows; r++) {
		size_t depth = t->meta[r] >> 1;

		p->last[depth] = t->meta[r] & META_LAST;
		for (size_t c = 0; c < t->ncols; c++) {
			if ((k = cell_text(p, s, c, depth)) < 0)
				return k;
			if (print) {
				if ((k = print_cell(p, c, p->cell)) < 0)
					return k;
			} else {
				size_t w = cell_width(p->cell);

				if (w > p->width[c])
					p->width[c] = w;
			}
			s += strlen(s) + 1;
		}
		if (print)
			fputc('\n', t->f);
	}
	return 0;
}

int tce_table_print(struct tce_table *t)
{
	struct printer p = { .t = t };
	bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	int k = 0;

	if (t->mode != TCE_OUT_TREE || t->nrows == 0)
		return ferror(t->f) ? -EIO : 0;
	/* U+251C U+2500, U+2502, U+2514 U+2500 */
	p.branch = utf8 ? "\xe2\x94\x9c\xe2\x94\x80" : "|-";
	p.vert = utf8 ? "\xe2\x94\x82 " : "| ";
	p.right = utf8 ? "\xe2\x94\x94\xe2\x94\x80" : "`-";
	p.last = calloc(t->max_depth + 1, 1);
	if (!p.last)
		return -ENOMEM;

	if ((k = walk(&p, false)) < 0)
		goto out;
	for (size_t c = 0; c < t->ncols; c++) {
		struct column *col = &t->cols[c];
		size_t min = safe_encode(col->name, NULL);

		if (min == 0)
			min = 1;
		if (p.width[c] < min)
			p.width[c] = min;
		else if (col->whint >= 1 && p.width[c] < (size_t)col->whint &&
			 min < (size_t)col->whint)
			p.width[c] = (size_t)col->whint;
	}
	if (!t->noheadings) {
		for (size_t c = 0; c < t->ncols && k >= 0; c++)
			k = print_cell(&p, c, t->cols[c].name);
		fputc('\n', t->f);
	}
	if (k >= 0)
		k = walk(&p, true);
out:
	free(p.last);
	free(p.cell);
	free(p.enc);
	return k < 0 ? k : ferror(t->f) ? -EIO : 0;
}
