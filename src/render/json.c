/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the JSON renderers share: host strings made UTF-8, one way to write. */
#include <errno.h>
#include <stdlib.h>

#include "tceiommu/out.h"
#include "tceiommu/util.h"

json_object *tce_json_str(const char *s)
{
	_cleanup_free_ char *u = s ? tce_utf8_sanitize(s) : NULL;

	return u ? json_object_new_string(u) : NULL;
}

int tce_json_write(json_object *doc, FILE *f)
{
	int k = 0;

	if (fprintf(f, "%s\n",
		    json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		k = -EIO;
	json_object_put(doc);
	return k;
}
