/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table printer against libsmartcols on a list-groups-sized tree: GROUPS
 * group rows of 10 columns with DEVS device rows below each (default 5000 x 3,
 * 20000 rows), the cells made as list-groups makes them (a string a cell,
 * freed once added), written to stdout. Run under GNU time for the peak RSS:
 *
 *   cc -O2 -D_GNU_SOURCE -Iinclude bench/table-rss.c src/render/table.c \
 *      $(pkg-config --cflags --libs smartcols json-c) -o table-rss
 *   /usr/bin/time -f '%e s %M KiB' ./table-rss scols >/dev/null
 *   /usr/bin/time -f '%e s %M KiB' ./table-rss tce >/dev/null
 *   /usr/bin/time -f '%e s %M KiB' ./table-rss none >/dev/null   (cells only)
 *
 * Usage: table-rss scols|tce|none [GROUPS [DEVS]]
 */
#include <libsmartcols.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/table.h"

#define NCOLS 10

static const char *const names[NCOLS] = { "GROUP", "PHB", "VIABLE",   "DRIVER", "LIOBN",
					  "DMA32", "DDW", "DDW-SIZE", "VENDOR", "PRODUCT" };

static char *cell(size_t g, size_t d, int c)
{
	char *s = NULL;
	int k;

	if (d == 0) /* the group row */
		k = c == 0   ? asprintf(&s, "%zu", g)
		    : c == 1 ? asprintf(&s, "pciex@600c3c0%06zx", g / 128)
		    : c == 2 ? asprintf(&s, "yes")
		    : c == 4 ? asprintf(&s, "0x%08zx", g + 1)
		    : c == 5 ? asprintf(&s, "2G")
		    : c == 6 ? asprintf(&s, "4K,64K,2M")
		    : c == 7 ? asprintf(&s, "512G")
			     : 0;
	else
		k = c == 0   ? asprintf(&s, "%04zx:%02zx:00.%zu", g / 128, g % 128 + 3, d - 1)
		    : c == 3 ? asprintf(&s, "vfio-pci")
		    : c == 8 ? asprintf(&s, "Mellanox Technologies")
		    : c == 9 ? asprintf(&s, "MT28800 Family [ConnectX-5 Ex]")
			     : 0;
	return k > 0 ? s : NULL;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "tce";
	size_t groups = argc > 2 ? strtoul(argv[2], NULL, 10) : 5000;
	size_t devs = argc > 3 ? strtoul(argv[3], NULL, 10) : 3;
	struct libscols_table *tb = NULL;
	struct tce_table *t = NULL;
	int k = 0;

	setlocale(LC_ALL, "C.UTF-8");
	if (strcmp(what, "scols") == 0) {
		tb = scols_new_table();
		scols_table_set_stream(tb, stdout);
		for (int c = 0; c < NCOLS; c++)
			scols_table_new_column(tb, names[c], 6, c == 0 ? SCOLS_FL_TREE : 0);
	} else if (strcmp(what, "tce") == 0) {
		t = tce_table_new(stdout, TCE_OUT_TREE, false);
		for (int c = 0; c < NCOLS; c++)
			tce_table_add_column(t, names[c], 6, false);
		tce_table_set_tree_column(t, 0);
	}
	for (size_t g = 0; g < groups && k >= 0; g++) {
		struct libscols_line *gl = NULL;
		int gid = -1;

		for (size_t d = 0; d <= devs && k >= 0; d++) {
			char *cells[NCOLS];

			for (int c = 0; c < NCOLS; c++)
				cells[c] = cell(g, d, c);
			if (tb) {
				struct libscols_line *ln = scols_table_new_line(tb, d ? gl : NULL);

				for (int c = 0; c < NCOLS; c++)
					if (cells[c] && scols_line_refer_data(ln, c, cells[c]) == 0)
						cells[c] = NULL;
				if (!d)
					gl = ln;
			} else if (t) {
				k = tce_table_add_row(t, d ? gid : -1, (const char *const *)cells);
				if (!d)
					gid = k;
			}
			for (int c = 0; c < NCOLS; c++)
				free(cells[c]);
		}
	}
	if (tb) {
		k = scols_print_table(tb);
		scols_unref_table(tb);
	} else if (t) {
		if (k >= 0)
			k = tce_table_print(t);
		tce_table_free(t);
	}
	return k < 0 ? 1 : 0;
}
