/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsers for the values the host hands us. Every host value is treated as
 * hostile: bounded, checked with end pointers and errno, never trusted to be
 * NUL-terminated or newline-free. All return 0 or -errno and leave ret_*
 * untouched on failure.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tceiommu/macro.h"

/* Strings vectors (NULL-terminated arrays of malloc'd strings). */
char **strv_free(char **v);
size_t strv_length(char *const *v);
int strv_push(char ***v, char *s); /* takes s; frees it on failure */
int strv_extend(char ***v, const char *s);
bool strv_contains(char *const *v, const char *s);
static inline void strv_freep(char ***v)
{
	strv_free(*v);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/*
 * A strv that grows by doubling and knows its length: for lists as long as
 * the host makes them (a directory's entries, a PF's VFs), where strv_push,
 * which counts the vector each time, would be quadratic. v stays
 * NULL-terminated (or NULL while empty).
 */
struct strv_buf {
	char **v;
	size_t n, alloc;
};
int strv_buf_push(struct strv_buf *b, char *s); /* takes s; frees it on failure */
int strv_buf_extend(struct strv_buf *b, const char *s);
char **strv_buf_steal(struct strv_buf *b); /* the vector (never NULL unless ENOMEM) */
static inline void strv_buf_done(struct strv_buf *b)
{
	b->v = strv_free(b->v);
	b->n = b->alloc = 0;
}
#define _cleanup_strv_buf_ _cleanup_(strv_buf_done)

/* Not empty, and only 0-9 (a /proc pid directory's name). */
/*
 * A map from strings to strings (or to nothing: a set), open addressing;
 * keys and values are copied. For caches that live one command: the
 * resolver's directories, the recorder's made directories, the PHB walk.
 */
struct tce_strmap {
	struct tce_strmap_slot {
		char *key, *value;
	} * slots;
	size_t n_slots, n_used;
};
/* The slot of key, or NULL when it is not in the map. */
const struct tce_strmap_slot *tce_strmap_get(const struct tce_strmap *m, const char *key);
/* Add or replace; value may be NULL. 0 or -ENOMEM. */
int tce_strmap_put(struct tce_strmap *m, const char *key, const char *value);
void tce_strmap_done(struct tce_strmap *m);

bool tce_all_digits(const char *s);

/* Numbers as sysfs prints them: optional surrounding blanks and newline. */
int tce_parse_u64(const char *s, int base, uint64_t *ret);
int tce_parse_s64(const char *s, int base, int64_t *ret);

/* A PCI address "DDDD:BB:DD.F"; with allow_short, "BB:DD.F" gives domain -1. */
struct tce_bdf {
	int32_t domain; /* -1: any domain */
	uint8_t bus, dev, fn;
};
int tce_parse_bdf(const char *s, bool allow_short, struct tce_bdf *ret);
bool tce_bdf_match(const struct tce_bdf *pattern, const struct tce_bdf *b);

/* powerpc's group name "domain%d-pe%lx" (arch/powerpc/kernel/iommu.c). */
int tce_parse_group_name(const char *s, uint32_t *ret_domain, uint64_t *ret_pe);

/* The value of KEY in a uevent buffer ("KEY=VALUE\n" lines), newly allocated. */
int tce_uevent_get(const char *buf, size_t len, const char *key, char **ret);

/* "6.12.38+deb12-powerpc64le" -> 6, 12. */
int tce_parse_kernel_version(const char *release, int *ret_major, int *ret_minor);

/* Percent-escaping for the snapshot's text files: %, blanks, controls. */
char *tce_percent_escape(const char *s);
int tce_percent_unescape(const char *s, char **ret);

/* errno <-> its symbolic name ("EACCES"), for the manifest and sidecars. */
const char *tce_errno_name(int err);
int tce_errno_from_name(const char *name);

/* Human size with binary suffix, "2G", "64K", "1.5G". */
void tce_format_size(uint64_t bytes, char *buf, size_t len);

char *tce_strdup_printf(const char *fmt, ...) _printf_(1, 2);
char *tce_vstrdup_printf(const char *fmt, va_list ap) _printf_(1, 0);
