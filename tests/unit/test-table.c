/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table printer against libsmartcols, differentially: thousands of
 * generated tables (trees one to three deep, columns of every width hint and
 * alignment, cells empty, NULL, ASCII, with blanks, control bytes, "\x",
 * invalid UTF-8, double-width, emoji, combining marks; all three modes,
 * headings or not) rendered by both, byte for byte equal. libsmartcols is set
 * up as list-groups and list-vms set it up (tce_scols_table_new) writing to a
 * pipe: termforce "never" stands for the pipe, so that running this test on a
 * terminal compares the same thing.
 */
#include <errno.h>
#include <libsmartcols.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tceiommu/table.h"

/* ---- a generated table ------------------------------------------------------- */

#define MAX_ROWS 200
#define MAX_COLS 10

struct spec {
	enum tce_out_mode mode;
	bool noheadings;
	size_t ncols, nrows;
	const char *names[MAX_COLS];
	double whint[MAX_COLS];
	bool right[MAX_COLS];
	int tree_col; /* -1: none */
	int parent[MAX_ROWS];
	char *cells[MAX_ROWS][MAX_COLS]; /* NULL: not set */
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: the same tables on every run and machine */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static size_t pick(size_t n)
{
	return (size_t)(rnd() % n);
}

static const char *const names[] = {
	"GROUP",  "NAME",   "BDF", "DRIVER",  "DDW-MAX", "USE%",     "1ST",
	"A B",	  "PE",	    "X",   "MAJ:MIN", "VENDOR",	 "\xc3\x84", "\xe5\x90\x8d\xe5\x89\x8d",
	"TABLES", "REASON",
};

/* pieces a cell is made of */
static const char *const pieces[] = {
	"a",
	"e1000e",
	"0000:01:00.0",
	"vfio-pci",
	"two words",
	" lead",
	"trail ",
	"tab\there",
	"nl\nx",
	"\x01",
	"\x1b[31m",
	"\x7f",
	"\\x41",
	"back\\slash",
	"\\",
	"x",
	"\xff",
	"\xc3",
	"\xe0\x80\x80",
	"\xc2\x9b",
	"caf\xc3\xa9",
	"\xe6\xbc\xa2\xe5\xad\x97", /* CJK, two columns each */
	"\xf0\x9f\x98\x80",	    /* emoji */
	"e\xcc\x81",		    /* e + combining acute */
	"\xcc\x81",		    /* combining acute alone */
	"\xe2\x80\x8b",		    /* zero-width space */
	"\xe2\x94\x9c\xe2\x94\x80", /* tree art itself */
	"$HOME `id` \"q\" 'q'",
	"=",
	"-",
	"?",
	"12",
	"4096",
	"(needs root)",
	"0x00000001,0x08000000",
	"\xef\xbf\xbd",	    /* U+FFFD */
	"\xf4\x90\x80\x80", /* beyond U+10FFFF */
	"\xed\xa0\x80",	    /* a surrogate */
};

static char *gen_cell(void)
{
	size_t r = pick(100), n, len = 0;
	char buf[256];

	if (r < 12)
		return NULL;
	if (r < 18)
		return strdup("");
	n = 1 + pick(r < 60 ? 2 : 5);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[pick(sizeof(pieces) / sizeof(pieces[0]))];

		if (len + strlen(p) + 1 >= sizeof(buf))
			break;
		strcpy(buf + len, p);
		len += strlen(p);
	}
	/* now and then a long one */
	if (pick(20) == 0)
		while (len < 60) {
			buf[len++] = (char)('a' + pick(26));
			buf[len] = '\0';
		}
	return strdup(buf);
}

static const double hints[] = { 0, 0.3, 0.5, 1, 12.5, 2.9 };

static void gen(struct spec *s, enum tce_out_mode mode, int maxdepth)
{
	size_t nroots;

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->noheadings = pick(4) == 0;
	s->ncols = 1 + pick(MAX_COLS);
	for (size_t c = 0; c < s->ncols; c++) {
		s->names[c] = names[pick(sizeof(names) / sizeof(names[0]))];
		/* mostly 1..30 as the tool's columns, now and then a fraction */
		s->whint[c] = pick(5) ? (double)(1 + pick(30)) : hints[pick(6)];
		s->right[c] = pick(3) == 0;
	}
	s->tree_col = mode == TCE_OUT_TREE && pick(6) ? (int)pick(s->ncols) : -1;
	nroots = pick(6) == 0 ? pick(2) : 1 + pick(15);
	/* depth first, as the printer takes them: a row, then its subtree */
	for (size_t r = 0; r < nroots && s->nrows < MAX_ROWS; r++) {
		int stack[8] = { (int)s->nrows };
		size_t todo[8] = { 0 };
		int sp = 0;

		s->parent[s->nrows] = -1;
		s->nrows++;
		todo[0] = maxdepth > 0 ? pick(5) : 0;
		while (sp >= 0 && s->nrows < MAX_ROWS) {
			int id;

			if (todo[sp] == 0) {
				sp--;
				continue;
			}
			todo[sp]--;
			id = (int)s->nrows++;
			s->parent[id] = stack[sp];
			if (sp + 1 < maxdepth) {
				stack[sp + 1] = id;
				todo[sp + 1] = pick(3) ? 0 : 1 + pick(3);
				sp++;
			}
		}
	}
	for (size_t r = 0; r < s->nrows; r++)
		for (size_t c = 0; c < s->ncols; c++)
			s->cells[r][c] = gen_cell();
}

static void spec_free(struct spec *s)
{
	for (size_t r = 0; r < s->nrows; r++)
		for (size_t c = 0; c < s->ncols; c++)
			free(s->cells[r][c]);
}

/* ---- the two renderings -------------------------------------------------------- */

static char *render_scols(const struct spec *s)
{
	struct libscols_table *tb = scols_new_table();
	struct libscols_line *ln[MAX_ROWS];
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(tb);
	assert_non_null(f);
	/* tce_scols_table_new() */
	scols_table_set_stream(tb, f);
	if (s->mode == TCE_OUT_RAW)
		scols_table_enable_raw(tb, 1);
	if (s->mode == TCE_OUT_PAIRS) {
		scols_table_enable_export(tb, 1);
		scols_table_enable_shellvar(tb, 1);
	}
	if (s->noheadings)
		scols_table_enable_noheadings(tb, 1);
	scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
	for (size_t c = 0; c < s->ncols; c++)
		assert_non_null(
		    scols_table_new_column(tb, s->names[c], s->whint[c],
					   (s->right[c] ? SCOLS_FL_RIGHT : 0) |
					       ((int)c == s->tree_col ? SCOLS_FL_TREE : 0)));
	for (size_t r = 0; r < s->nrows; r++) {
		/* the tool gives lines a parent in the tree mode only */
		ln[r] = scols_table_new_line(
		    tb, s->mode == TCE_OUT_TREE && s->parent[r] >= 0 ? ln[s->parent[r]] : NULL);
		assert_non_null(ln[r]);
		for (size_t c = 0; c < s->ncols; c++)
			if (s->cells[r][c])
				assert_int_equal(scols_line_set_data(ln[r], c, s->cells[r][c]), 0);
	}
	assert_int_equal(scols_print_table(tb), 0);
	scols_unref_table(tb);
	fclose(f);
	return out;
}

static char *render_ours(const struct spec *s)
{
	struct tce_table *t;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	t = tce_table_new(f, s->mode, s->noheadings);
	assert_non_null(t);
	for (size_t c = 0; c < s->ncols; c++)
		assert_int_equal(tce_table_add_column(t, s->names[c], s->whint[c], s->right[c]),
				 (int)c);
	if (s->tree_col >= 0)
		assert_int_equal(tce_table_set_tree_column(t, s->tree_col), 0);
	for (size_t r = 0; r < s->nrows; r++) {
		const char *cells[MAX_COLS];

		for (size_t c = 0; c < s->ncols; c++)
			cells[c] = s->cells[r][c];
		assert_int_equal(tce_table_add_row(t, s->parent[r], cells), (int)r);
	}
	assert_int_equal(tce_table_print(t), 0);
	tce_table_free(t);
	fclose(f);
	return out;
}

static void dump(const char *what, const char *s)
{
	fprintf(stderr, "---- %s\n", what);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '\n' || (*p >= 0x20 && *p < 0x7f))
			fputc(*p, stderr);
		else
			fprintf(stderr, "<%02x>", *p);
	fprintf(stderr, "<END>\n");
}

static void describe(const struct spec *s)
{
	static const char *const modes[] = { "tree", "raw", "pairs" };

	fprintf(stderr, "mode %s, noheadings %d, tree column %d\n", modes[s->mode], s->noheadings,
		s->tree_col);
	for (size_t c = 0; c < s->ncols; c++)
		fprintf(stderr, "column %zu: %s whint %g%s\n", c, s->names[c], s->whint[c],
			s->right[c] ? " right" : "");
	for (size_t r = 0; r < s->nrows; r++) {
		fprintf(stderr, "row %zu parent %d:", r, s->parent[r]);
		for (size_t c = 0; c < s->ncols; c++) {
			const char *v = s->cells[r][c];

			if (!v) {
				fprintf(stderr, " NULL");
				continue;
			}
			fputs(" \"", stderr);
			for (const unsigned char *p = (const unsigned char *)v; *p; p++)
				fprintf(stderr, *p >= 0x20 && *p < 0x7f ? "%c" : "\\x%02x", *p);
			fputc('"', stderr);
		}
		fputc('\n', stderr);
	}
}

/* n tables in each mode under locale loc; the number that differed */
static size_t differential(const char *loc, uint64_t seed, size_t n)
{
	static const enum tce_out_mode modes[] = { TCE_OUT_TREE, TCE_OUT_RAW, TCE_OUT_PAIRS };
	size_t bad = 0;

	assert_non_null(setlocale(LC_ALL, loc));
	rng_state = seed;
	for (size_t i = 0; i < n; i++) {
		struct spec *s = malloc(sizeof(*s));
		char *a, *b;

		assert_non_null(s);
		gen(s, modes[i % 3], (int)(i / 3 % 4)); /* depth 0 .. 3 */
		a = render_scols(s);
		b = render_ours(s);
		if (strcmp(a, b) != 0) {
			if (bad++ < 3) {
				fprintf(stderr, "==== %s case %zu differs\n", loc, i);
				describe(s);
				dump("libsmartcols", a);
				dump("tce_table", b);
			}
		}
		free(a);
		free(b);
		spec_free(s);
		free(s);
	}
	if (bad)
		fprintf(stderr, "%zu of %zu tables differ under %s\n", bad, n, loc);
	return bad;
}

static void test_utf8(void **state)
{
	(void)state;
	assert_int_equal(differential("C.UTF-8", 0x7ce10e1u, 4000), 0);
}

static void test_c_locale(void **state)
{
	(void)state;
	/* ASCII tree art; bytes above 0x7f are not characters */
	assert_int_equal(differential("C", 0x5eed5u, 1000), 0);
}

/* ---- fixed cases: what the goldens show, and the API's limits ------------------ */

static void fixed_spec(struct spec *s, enum tce_out_mode mode, bool noheadings)
{
	static const char *const cells[4][3] = {
		{ "1", "yes", NULL },
		{ "0000:01:00.0", NULL, "vfio-pci" },
		{ "0000:01:00.1", NULL, "" },
		{ "22", "no", "x y" },
	};
	static const int parent[4] = { -1, 0, 0, -1 };

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->noheadings = noheadings;
	s->ncols = 3;
	s->names[0] = "GROUP", s->whint[0] = 6;
	s->names[1] = "VIABLE", s->whint[1] = 3, s->right[1] = true;
	s->names[2] = "DDW-MAX", s->whint[2] = 10;
	s->tree_col = mode == TCE_OUT_TREE ? 0 : -1;
	s->nrows = 4;
	for (size_t r = 0; r < 4; r++) {
		s->parent[r] = parent[r];
		for (size_t c = 0; c < 3; c++)
			s->cells[r][c] = cells[r][c] ? strdup(cells[r][c]) : NULL;
	}
}

/* both renderings are want */
static void check_fixed(enum tce_out_mode mode, bool noheadings, const char *want)
{
	struct spec s;
	char *a, *b;

	fixed_spec(&s, mode, noheadings);
	a = render_scols(&s);
	b = render_ours(&s);
	assert_string_equal(a, want);
	assert_string_equal(b, want);
	free(a);
	free(b);
	spec_free(&s);
}

static void test_fixed(void **state)
{
	(void)state;
	assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
	/* GROUP is as wide as its widest cell, VIABLE as its header (the hint
	 * is narrower), DDW-MAX as its hint, but the last column is not padded */
	check_fixed(TCE_OUT_TREE, false,
		    "GROUP          VIABLE DDW-MAX\n"
		    "1                 yes \n"
		    "\xe2\x94\x9c\xe2\x94\x80"
		    "0000:01:00.0        vfio-pci\n"
		    "\xe2\x94\x94\xe2\x94\x80"
		    "0000:01:00.1        \n"
		    "22                 no x y\n");
	assert_non_null(setlocale(LC_ALL, "C"));
	check_fixed(TCE_OUT_TREE, true,
		    "1                 yes \n"
		    "|-0000:01:00.0        vfio-pci\n"
		    "`-0000:01:00.1        \n"
		    "22                 no x y\n");
	check_fixed(TCE_OUT_RAW, false,
		    "GROUP VIABLE DDW-MAX\n1 yes \n0000:01:00.0  vfio-pci\n"
		    "0000:01:00.1  \n22 no x\\x20y\n");
	check_fixed(TCE_OUT_PAIRS, false,
		    "GROUP=\"1\" VIABLE=\"yes\" DDW_MAX=\"\"\n"
		    "GROUP=\"0000:01:00.0\" VIABLE=\"\" DDW_MAX=\"vfio-pci\"\n"
		    "GROUP=\"0000:01:00.1\" VIABLE=\"\" DDW_MAX=\"\"\n"
		    "GROUP=\"22\" VIABLE=\"no\" DDW_MAX=\"x y\"\n");
}

static void test_api(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct tce_table *t;
	char name[8];
	int a, b, c;

	(void)state;
	errno = 0;
	assert_null(tce_table_new(f, TCE_OUT_JSON, false));
	assert_int_equal(errno, EINVAL);

	t = tce_table_new(f, TCE_OUT_TREE, false);
	assert_non_null(t);
	assert_int_equal(tce_table_add_row(t, -1, NULL), -EINVAL); /* no column */
	assert_int_equal(tce_table_add_column(t, "", 1, false), -EINVAL);
	assert_int_equal(tce_table_add_column(t, NULL, 1, false), -EINVAL);
	for (int i = 0; i < TCE_TABLE_MAX_COLUMNS; i++) {
		snprintf(name, sizeof(name), "C%d", i);
		assert_int_equal(tce_table_add_column(t, name, 1, false), i);
	}
	assert_int_equal(tce_table_add_column(t, "MORE", 1, false), -E2BIG);
	assert_int_equal(tce_table_set_tree_column(t, TCE_TABLE_MAX_COLUMNS), -EINVAL);
	assert_int_equal(tce_table_set_tree_column(t, 0), 0);
	/* depth first: a parent must be on the path to the last row */
	a = tce_table_add_row(t, -1, NULL);
	b = tce_table_add_row(t, a, NULL);
	c = tce_table_add_row(t, b, NULL);
	assert_int_equal(c, 2);
	assert_int_equal(tce_table_add_row(t, a, NULL), 3);
	assert_int_equal(tce_table_add_row(t, b, NULL), -EINVAL); /* b's subtree is closed */
	assert_int_equal(tce_table_add_row(t, 4, NULL), -EINVAL); /* no such row */
	assert_int_equal(tce_table_add_row(t, -2, NULL), -EINVAL);
	assert_int_equal(tce_table_add_column(t, "LATE", 1, false), -EINVAL);
	assert_int_equal(tce_table_add_row(t, -1, NULL), 4);
	assert_int_equal(tce_table_add_row(t, a, NULL), -EINVAL);
	assert_null(tce_table_free(t));
	assert_null(tce_table_free(NULL));

	/* the flat modes: the tree column is the tree mode's */
	t = tce_table_new(f, TCE_OUT_RAW, false);
	assert_int_equal(tce_table_add_column(t, "A", 1, false), 0);
	assert_int_equal(tce_table_set_tree_column(t, 0), -EINVAL);
	assert_int_equal(tce_table_print(t), 0); /* no row: nothing, not even the header */
	tce_table_free(t);
	fclose(f);
	assert_int_equal(len, 0);
	free(out);
}

/* A failed write is -EIO, from the tree's print and from a raw or pairs row
 * (unbuffered, so that each write fails as it is made). */
static void test_write_error(void **state)
{
	const char *cells[] = { "v" };
	FILE *f = fopen("/dev/full", "w");
	struct tce_table *t;

	(void)state;
	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	t = tce_table_new(f, TCE_OUT_TREE, false);
	assert_int_equal(tce_table_add_column(t, "A", 1, false), 0);
	assert_int_equal(tce_table_add_row(t, -1, cells), 0);
	assert_int_equal(tce_table_print(t), -EIO);
	tce_table_free(t);
	for (int m = 0; m < 2; m++) {
		clearerr(f);
		t = tce_table_new(f, m ? TCE_OUT_PAIRS : TCE_OUT_RAW, true);
		assert_int_equal(tce_table_add_column(t, "A", 1, false), 0);
		assert_int_equal(tce_table_add_row(t, -1, cells), -EIO);
		assert_int_equal(tce_table_print(t), -EIO);
		tce_table_free(t);
	}
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),	    cmocka_unit_test(test_c_locale),
		cmocka_unit_test(test_fixed),	    cmocka_unit_test(test_api),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
