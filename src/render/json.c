/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the JSON renderers share: host strings made UTF-8, one way to write. */
#include <inttypes.h>
#include <errno.h>
#include <stdlib.h>

#include "tceiommu/out.h"
#include "tceiommu/util.h"

json_object *tce_json_str(const char *s)
{
	_cleanup_free_ char *u = s ? tce_utf8_sanitize(s) : NULL;

	return u ? json_object_new_string(u) : NULL;
}

/* beyond 2^53 a JSON number loses digits in most readers: the hex string too */
#define JS_SAFE_MAX (1ULL << 53)

void tce_json_add_u64(json_object *o, const char *key, bool has, uint64_t v, bool hex)
{
	char h[32], hk[64];

	json_object_object_add(o, key, has ? json_object_new_uint64(v) : NULL);
	if (has && (hex || v >= JS_SAFE_MAX)) {
		snprintf(h, sizeof(h), "0x%" PRIx64, v);
		snprintf(hk, sizeof(hk), "%s_hex", key);
		json_object_object_add(o, hk, json_object_new_string(h));
	}
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
