/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TCE hcalls of KVM's tracepoints: format files, raw samples, the
 * enter/exit pairing per thread and the counts. See include/tceiommu/hcall.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/hcall.h"
#include "tceiommu/macro.h"
#include "tceiommu/util.h"

const char *tce_hcall_name(uint64_t req)
{
	switch (req) {
	case TCE_H_PUT_TCE:
		return "H_PUT_TCE";
	case TCE_H_STUFF_TCE:
		return "H_STUFF_TCE";
	case TCE_H_PUT_TCE_INDIRECT:
		return "H_PUT_TCE_INDIRECT";
	}
	return NULL;
}

/*
 * kernel/trace/trace_events.c print_event_fields / f_show:
 *   "name: kvm_hcall_enter", "ID: 1462", and one line a field:
 *   "\tfield:unsigned long req;\toffset:16;\tsize:8;\tsigned:0;"
 * The field's name is the last word of its declaration, before any "[".
 */
int tce_tp_format_parse(const char *buf, size_t len, struct tce_tp_format *ret)
{
	struct tce_tp_format f = { 0 };
	bool have_id = false;
	size_t pos = 0;

	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		char l[512];

		pos += ll + (nl ? 1 : 0);
		if (ll >= sizeof(l))
			continue; /* print fmt: long, not needed */
		memcpy(l, line, ll);
		l[ll] = '\0';
		if (strneq(l, "name: ", 6)) {
			if (strlen(l + 6) >= sizeof(f.name))
				return -EINVAL;
			memcpy(f.name, l + 6, strlen(l + 6) + 1);
		} else if (strneq(l, "ID: ", 4)) {
			if (tce_parse_u64(l + 4, 10, &f.id) < 0)
				return -EINVAL;
			have_id = true;
		} else if (strstr(l, "field:")) {
			char *decl = strstr(l, "field:") + 6, *semi = strchr(decl, ';'), *name, *br;
			unsigned off, size, sgn;
			const char *o = strstr(l, "offset:"), *s = strstr(l, "size:"),
				   *g = strstr(l, "signed:");

			if (!semi || !o || !s || !g || sscanf(o, "offset:%u;", &off) != 1 ||
			    sscanf(s, "size:%u;", &size) != 1 || sscanf(g, "signed:%u;", &sgn) != 1)
				return -EINVAL;
			*semi = '\0';
			if ((br = strchr(decl, '[')))
				*br = '\0';
			name = strrchr(decl, ' ');
			name = name ? name + 1 : decl;
			if (!*name || strlen(name) >= sizeof(f.fields[0].name) || size == 0 ||
			    size > 4096 || off > 65536)
				return -EINVAL;
			if (f.n == ARRAY_SIZE(f.fields))
				continue; /* more than this tool reads */
			snprintf(f.fields[f.n].name, sizeof(f.fields[f.n].name), "%s", name);
			f.fields[f.n].offset = off;
			f.fields[f.n].size = size;
			f.fields[f.n].is_signed = sgn != 0;
			f.n++;
		}
	}
	if (!have_id || !f.name[0])
		return -EINVAL;
	*ret = f;
	return 0;
}

const struct tce_tp_field *tce_tp_field_find(const struct tce_tp_format *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (streq(f->fields[i].name, name))
			return &f->fields[i];
	return NULL;
}

int tce_tp_field_u64(const struct tce_tp_field *f, const void *raw, size_t len, uint64_t *ret)
{
	const unsigned char *p = raw;
	uint64_t v = 0;

	if (!f || f->size > 8 || (f->size & (f->size - 1)) || f->offset > len ||
	    f->size > len - f->offset)
		return -EINVAL;
	/* the sample is in the host's byte order */
	switch (f->size) {
	case 1: {
		uint8_t x;

		memcpy(&x, p + f->offset, 1);
		v = f->is_signed ? (uint64_t)(int64_t)(int8_t)x : x;
		break;
	}
	case 2: {
		uint16_t x;

		memcpy(&x, p + f->offset, 2);
		v = f->is_signed ? (uint64_t)(int64_t)(int16_t)x : x;
		break;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, p + f->offset, 4);
		v = f->is_signed ? (uint64_t)(int64_t)(int32_t)x : x;
		break;
	}
	case 8:
		memcpy(&v, p + f->offset, 8);
		break;
	}
	*ret = v;
	return 0;
}

int tce_hcall_layout(const struct tce_tp_format *enter, const struct tce_tp_format *exit,
		     struct tce_hcall_layout *ret)
{
	struct tce_hcall_layout l = {
		tce_tp_field_find(enter, "vcpu_id"), tce_tp_field_find(enter, "req"),
		tce_tp_field_find(enter, "gpr4"),    tce_tp_field_find(exit, "vcpu_id"),
		tce_tp_field_find(exit, "ret"),	     tce_tp_field_find(exit, "hcall_rc"),
	};

	if (!l.e_vcpu || !l.e_req || !l.e_gpr4 || !l.x_vcpu || !l.x_ret || !l.x_rc)
		return -EINVAL;
	*ret = l;
	return 0;
}

int tce_hcall_decode(const struct tce_hcall_layout *l, bool exit, const void *raw, size_t len,
		     struct tce_hcall_event *ev)
{
	uint64_t vcpu;

	ev->exit = exit;
	if (exit) {
		if (tce_tp_field_u64(l->x_vcpu, raw, len, &vcpu) < 0 ||
		    tce_tp_field_u64(l->x_ret, raw, len, &ev->ret) < 0 ||
		    tce_tp_field_u64(l->x_rc, raw, len, &ev->rc) < 0)
			return -EINVAL;
	} else {
		if (tce_tp_field_u64(l->e_vcpu, raw, len, &vcpu) < 0 ||
		    tce_tp_field_u64(l->e_req, raw, len, &ev->req) < 0 ||
		    tce_tp_field_u64(l->e_gpr4, raw, len, &ev->liobn) < 0)
			return -EINVAL;
	}
	ev->vcpu = (int)(int64_t)vcpu;
	return 0;
}

/* ---- pairing ------------------------------------------------------------------- */

struct pending {
	int tid, pid;
	uint32_t liobn, hcall;
	bool open;
};

struct tce_hcall_pairer {
	struct pending *p;
	size_t n_p;
	struct tce_hcall_count *c;
	size_t n_c;
};

int tce_hcall_pairer_new(struct tce_hcall_pairer **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

void tce_hcall_pairer_free(struct tce_hcall_pairer *p)
{
	if (!p)
		return;
	free(p->p);
	free(p->c);
	free(p);
}

static struct pending *pending_of(struct tce_hcall_pairer *p, int tid, bool add)
{
	struct pending *a;

	for (size_t i = 0; i < p->n_p; i++)
		if (p->p[i].tid == tid)
			return &p->p[i];
	if (!add || !(a = realloc(p->p, (p->n_p + 1) * sizeof(*a))))
		return NULL;
	p->p = a;
	a[p->n_p] = (struct pending){ .tid = tid };
	return &a[p->n_p++];
}

static struct tce_hcall_count *count_of(struct tce_hcall_pairer *p, int pid, uint32_t liobn,
					uint32_t hcall)
{
	struct tce_hcall_count *a;

	for (size_t i = 0; i < p->n_c; i++)
		if (p->c[i].pid == pid && p->c[i].liobn == liobn && p->c[i].hcall == hcall)
			return &p->c[i];
	if (!(a = realloc(p->c, (p->n_c + 1) * sizeof(*a))))
		return NULL;
	p->c = a;
	a[p->n_c] = (struct tce_hcall_count){ pid, liobn, hcall, 0, 0 };
	return &a[p->n_c++];
}

int tce_hcall_pairer_feed(struct tce_hcall_pairer *p, const struct tce_hcall_event *ev)
{
	struct pending *pd;
	struct tce_hcall_count *c;

	if (!ev->exit) {
		if (!tce_hcall_name(ev->req) || ev->liobn > UINT32_MAX) {
			/* not a TCE hcall: whatever was pending on it is over */
			if ((pd = pending_of(p, ev->tid, false)))
				pd->open = false;
			return 0;
		}
		if (!(pd = pending_of(p, ev->tid, true)))
			return -ENOMEM;
		pd->pid = ev->pid;
		pd->liobn = (uint32_t)ev->liobn;
		pd->hcall = (uint32_t)ev->req;
		pd->open = true;
		return 0;
	}
	pd = pending_of(p, ev->tid, false);
	if (!pd || !pd->open)
		return 0; /* the exit of an hcall we did not see enter */
	pd->open = false;
	if (!(c = count_of(p, pd->pid, pd->liobn, pd->hcall)))
		return -ENOMEM;
	if (ev->ret & TCE_RESUME_FLAG_HOST)
		c->to_qemu++;
	else
		c->in_kernel++;
	return 0;
}

const struct tce_hcall_count *tce_hcall_pairer_counts(const struct tce_hcall_pairer *p,
						      size_t *ret_n)
{
	*ret_n = p->n_c;
	return p->c;
}

size_t tce_hcall_pairer_pending(const struct tce_hcall_pairer *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_p; i++)
		n += p->p[i].open;
	return n;
}

void tce_hcall_pairer_reset(struct tce_hcall_pairer *p)
{
	for (size_t i = 0; i < p->n_c; i++)
		p->c[i].in_kernel = p->c[i].to_qemu = 0;
}

double tce_rate(uint64_t count, uint64_t interval_ns)
{
	return interval_ns ? (double)count * 1e9 / (double)interval_ns : 0.0;
}
