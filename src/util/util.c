/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/util.h"

char **strv_free(char **v)
{
	if (!v)
		return NULL;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
	return NULL;
}

size_t strv_length(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int strv_push(char ***v, char *s)
{
	size_t n = strv_length(*v);
	char **nv;

	if (!s)
		return -ENOMEM;
	nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[n] = s;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

int strv_extend(char ***v, const char *s)
{
	return strv_push(v, strdup(s));
}

int strv_buf_push(struct strv_buf *b, char *s)
{
	if (!s)
		return -ENOMEM;
	if (b->n + 2 > b->alloc) {
		size_t na = b->alloc ? b->alloc * 2 : 16;
		char **nv = reallocarray(b->v, na, sizeof(char *));

		if (!nv) {
			free(s);
			return -ENOMEM;
		}
		b->v = nv;
		b->alloc = na;
	}
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
	return 0;
}

int strv_buf_extend(struct strv_buf *b, const char *s)
{
	return strv_buf_push(b, strdup(s));
}

char **strv_buf_steal(struct strv_buf *b)
{
	char **v = b->v ? b->v : calloc(1, sizeof(char *));

	b->v = NULL;
	b->n = b->alloc = 0;
	return v;
}

bool tce_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

bool strv_contains(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (streq(*v, s))
			return true;
	return false;
}

/* Copy s without surrounding blanks into buf; -EINVAL when empty or too long. */
static int trimmed(const char *s, char *buf, size_t len)
{
	size_t n;

	if (!s)
		return -EINVAL;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

int tce_parse_u64(const char *s, int base, uint64_t *ret)
{
	char buf[64], *end;
	unsigned long long v;
	int r = trimmed(s, buf, sizeof(buf));

	if (r < 0)
		return r;
	if (buf[0] == '-' || buf[0] == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || end == buf || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int tce_parse_s64(const char *s, int base, int64_t *ret)
{
	char buf[64], *end;
	long long v;
	int r = trimmed(s, buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	v = strtoll(buf, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || end == buf || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int hexfield(const char *s, size_t digits, unsigned max, unsigned *ret)
{
	unsigned v = 0;

	for (size_t i = 0; i < digits; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 16 + (unsigned)(isdigit((unsigned char)s[i])
					    ? s[i] - '0'
					    : (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	if (v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int tce_parse_bdf(const char *s, bool allow_short, struct tce_bdf *ret)
{
	unsigned dom = 0, bus, dev, fn;
	int32_t domain = -1;
	size_t n;

	if (!s)
		return -EINVAL;
	n = strlen(s);
	if (n == 12) { /* DDDD:BB:DD.F */
		if (s[4] != ':' || hexfield(s, 4, 0xffff, &dom) < 0)
			return -EINVAL;
		domain = (int32_t)dom;
		s += 5;
		n -= 5;
	} else if (n == 13) { /* DDDDD:BB:DD.F (domains above 0xffff exist on some hosts) */
		if (s[5] != ':' || hexfield(s, 5, 0xfffff, &dom) < 0)
			return -EINVAL;
		domain = (int32_t)dom;
		s += 6;
		n -= 6;
	} else if (n != 7 || !allow_short) {
		return -EINVAL;
	}
	if (n != 7 || s[2] != ':' || s[5] != '.')
		return -EINVAL;
	if (hexfield(s, 2, 0xff, &bus) < 0 || hexfield(s + 3, 2, 0x1f, &dev) < 0 ||
	    hexfield(s + 6, 1, 7, &fn) < 0)
		return -EINVAL;
	ret->domain = domain;
	ret->bus = (uint8_t)bus;
	ret->dev = (uint8_t)dev;
	ret->fn = (uint8_t)fn;
	return 0;
}

bool tce_bdf_match(const struct tce_bdf *p, const struct tce_bdf *b)
{
	return (p->domain < 0 || p->domain == b->domain) && p->bus == b->bus && p->dev == b->dev &&
	       p->fn == b->fn;
}

int tce_parse_group_name(const char *s, uint32_t *ret_domain, uint64_t *ret_pe)
{
	const char *p, *dash;
	char buf[32];
	uint64_t dom, pe;

	if (!s || !strneq(s, "domain", 6))
		return -EINVAL;
	p = s + 6;
	dash = strstr(p, "-pe");
	if (!dash || dash == p || (size_t)(dash - p) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, p, (size_t)(dash - p));
	buf[dash - p] = '\0';
	for (char *c = buf; *c; c++)
		if (!isdigit((unsigned char)*c))
			return -EINVAL;
	if (tce_parse_u64(buf, 10, &dom) < 0 || dom > UINT32_MAX)
		return -EINVAL;
	for (const char *c = dash + 3; *c && *c != '\n'; c++)
		if (!isxdigit((unsigned char)*c))
			return -EINVAL;
	if (tce_parse_u64(dash + 3, 16, &pe) < 0)
		return -EINVAL;
	*ret_domain = (uint32_t)dom;
	*ret_pe = pe;
	return 0;
}

int tce_uevent_get(const char *buf, size_t len, const char *key, char **ret)
{
	size_t klen = strlen(key);
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if ((size_t)(eol - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
			char *v = strndup(p + klen + 1, (size_t)(eol - p - (ptrdiff_t)klen - 1));

			if (!v)
				return -ENOMEM;
			if (strlen(v) != (size_t)(eol - p - (ptrdiff_t)klen - 1)) {
				free(v); /* embedded NUL */
				return -EINVAL;
			}
			*ret = v;
			return 0;
		}
		p = eol + 1;
	}
	return -ENOENT;
}

int tce_parse_kernel_version(const char *release, int *ret_major, int *ret_minor)
{
	char *end;
	long maj, min;

	if (!release || !isdigit((unsigned char)release[0]))
		return -EINVAL;
	errno = 0;
	maj = strtol(release, &end, 10);
	if (errno || *end != '.' || maj < 0 || maj > 1000)
		return -EINVAL;
	if (!isdigit((unsigned char)end[1]))
		return -EINVAL;
	min = strtol(end + 1, &end, 10);
	if (errno || min < 0 || min > 1000)
		return -EINVAL;
	*ret_major = (int)maj;
	*ret_minor = (int)min;
	return 0;
}

char *tce_percent_escape(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p <= 0x20 || *p == 0x7f || *p == '%') ? 3 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || *p == '%') {
			/* The manifest and the sidecars separate fields by blanks. */
			sprintf(o, "%%%02X", *p);
			o += 3;
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

int tce_percent_unescape(const char *s, char **ret)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), *o;

	if (!out)
		return -ENOMEM;
	o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			unsigned v;

			if (i + 2 >= n) {
				free(out);
				return -EINVAL;
			}
			if (hexfield(s + i + 1, 2, 0xff, &v) < 0 || v == 0) {
				free(out);
				return -EINVAL;
			}
			*o++ = (char)v;
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	*ret = out;
	return 0;
}

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },	    { ENOENT, "ENOENT" },   { EIO, "EIO" },
	{ ENXIO, "ENXIO" },	    { EACCES, "EACCES" },   { EBUSY, "EBUSY" },
	{ ENODEV, "ENODEV" },	    { ENOTDIR, "ENOTDIR" }, { EINVAL, "EINVAL" },
	{ ENOTTY, "ENOTTY" },	    { ELOOP, "ELOOP" },	    { ENODATA, "ENODATA" },
	{ EISDIR, "EISDIR" },	    { ENOSYS, "ENOSYS" },   { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { ERANGE, "ERANGE" },   { ESRCH, "ESRCH" },
	{ EFBIG, "EFBIG" },	    { EXDEV, "EXDEV" },	    { ENOMEM, "ENOMEM" },
};

const char *tce_errno_name(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "EIO";
}

int tce_errno_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (streq(errno_names[i].name, name))
			return errno_names[i].err;
	return 0;
}

void tce_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	unsigned u = 0;
	uint64_t div = 1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64, bytes);
		return;
	}
	while (u < 5 && bytes / div >= 1024 * 1024) {
		div *= 1024;
		u++;
	}
	div *= 1024;
	if (bytes % div == 0)
		snprintf(buf, len, "%" PRIu64 "%c", bytes / div, units[u]);
	else
		snprintf(buf, len, "%.1f%c", (double)bytes / (double)div, units[u]);
}

char *tce_vstrdup_printf(const char *fmt, va_list ap)
{
	char *s = NULL;

	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

char *tce_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	return s;
}

static size_t strmap_hash(const char *s)
{
	size_t h = 14695981039346656037ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct tce_strmap_slot *strmap_slot(const struct tce_strmap *m, const char *key)
{
	size_t i = strmap_hash(key) & (m->n_slots - 1);

	while (m->slots[i].key && !streq(m->slots[i].key, key))
		i = (i + 1) & (m->n_slots - 1);
	return &m->slots[i];
}

const struct tce_strmap_slot *tce_strmap_get(const struct tce_strmap *m, const char *key)
{
	const struct tce_strmap_slot *s;

	if (!m->n_slots)
		return NULL;
	s = strmap_slot(m, key);
	return s->key ? s : NULL;
}

int tce_strmap_put(struct tce_strmap *m, const char *key, const char *value)
{
	struct tce_strmap_slot *s;
	char *v = NULL;

	if (2 * (m->n_used + 1) > m->n_slots) {
		struct tce_strmap grown = { .n_slots = m->n_slots ? 2 * m->n_slots : 64 };

		if (!(grown.slots = calloc(grown.n_slots, sizeof(*grown.slots))))
			return -ENOMEM;
		for (size_t i = 0; i < m->n_slots; i++)
			if (m->slots[i].key)
				*strmap_slot(&grown, m->slots[i].key) = m->slots[i];
		free(m->slots);
		m->slots = grown.slots;
		m->n_slots = grown.n_slots;
	}
	if (value && !(v = strdup(value)))
		return -ENOMEM;
	s = strmap_slot(m, key);
	if (!s->key) {
		if (!(s->key = strdup(key))) {
			free(v);
			return -ENOMEM;
		}
		m->n_used++;
	}
	free(s->value);
	s->value = v;
	return 0;
}

void tce_strmap_done(struct tce_strmap *m)
{
	for (size_t i = 0; i < m->n_slots; i++) {
		free(m->slots[i].key);
		free(m->slots[i].value);
	}
	free(m->slots);
	*m = (struct tce_strmap){ 0 };
}
