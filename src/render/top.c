/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top's rows (counts joined with the VM map) and its three outputs. */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/out.h"
#include "tceiommu/top.h"
#include "tceiommu/util.h"

static int hcall_slot(uint32_t h)
{
	return h == TCE_H_PUT_TCE ? 0 : h == TCE_H_PUT_TCE_INDIRECT ? 1 : 2;
}

const char *tce_top_flag(const struct tce_vm_window *w, uint64_t in_kernel, uint64_t to_qemu)
{
	if (!w)
		return "LIOBN not in the VM map";
	if (w->verdict == TCE_VERDICT_IN_KERNEL && to_qemu)
		return "verdict in-kernel, but hcalls exit to QEMU";
	if (w->verdict == TCE_VERDICT_USERSPACE && w->created != TCE_NO && in_kernel)
		return "verdict userspace, but the kernel handles hcalls";
	if (w->created == TCE_NO && (in_kernel || to_qemu))
		return "hcalls on a window the map says is not created";
	return NULL;
}

static const struct tce_vm *vm_of(const struct tce_vms *v, int pid)
{
	for (size_t i = 0; v && i < v->n; i++)
		if (v->vms[i].pid == pid)
			return &v->vms[i];
	return NULL;
}

static const struct tce_vm_window *window_of(const struct tce_vm *vm, uint32_t liobn)
{
	for (size_t i = 0; vm && i < vm->n_phbs; i++)
		for (size_t j = 0; j < vm->phbs[i].n_windows; j++)
			if (vm->phbs[i].windows[j].liobn == liobn)
				return &vm->phbs[i].windows[j];
	return NULL;
}

static bool selected(const struct tce_vm *vm, int pid, char *const *only)
{
	if (!only || !only[0])
		return true;
	for (; *only; only++) {
		int64_t p;

		if (strneq(*only, "pid:", 4) && tce_parse_s64(*only + 4, 10, &p) == 0 && p == pid)
			return true;
		if (vm && ((vm->name && streq(vm->name, *only)) ||
			   (vm->uuid && strcasecmp(vm->uuid, *only) == 0)))
			return true;
	}
	return false;
}

static int worst_first(const void *a, const void *b)
{
	const struct tce_top_row *x = a, *y = b;

	if (x->to_qemu != y->to_qemu)
		return x->to_qemu > y->to_qemu ? -1 : 1;
	if (x->in_kernel != y->in_kernel)
		return x->in_kernel > y->in_kernel ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->liobn < y->liobn ? -1 : x->liobn > y->liobn;
}

int tce_top_rows(const struct tce_hcall_count *c, size_t n, const struct tce_vms *vms,
		 double seconds, char *const *only, struct tce_top_interval *ret)
{
	struct tce_top_row *rows = calloc(n ? n : 1, sizeof(*rows));
	size_t m = 0;

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct tce_vm *vm = vm_of(vms, c[i].pid);
		struct tce_top_row *r = NULL;
		int s = hcall_slot(c[i].hcall);

		if (!c[i].in_kernel && !c[i].to_qemu)
			continue;
		if (!selected(vm, c[i].pid, only))
			continue;
		for (size_t j = 0; j < m && !r; j++)
			if (rows[j].pid == c[i].pid && rows[j].liobn == c[i].liobn)
				r = &rows[j];
		if (!r) {
			r = &rows[m++];
			r->vm = vm;
			r->pid = c[i].pid;
			r->liobn = c[i].liobn;
			r->w = window_of(vm, c[i].liobn);
		}
		r->in_kernel += c[i].in_kernel;
		r->to_qemu += c[i].to_qemu;
		r->by_hcall[s][0] += c[i].in_kernel;
		r->by_hcall[s][1] += c[i].to_qemu;
	}
	for (size_t j = 0; j < m; j++) {
		rows[j].kernel_rate = seconds > 0 ? (double)rows[j].in_kernel / seconds : 0;
		rows[j].qemu_rate = seconds > 0 ? (double)rows[j].to_qemu / seconds : 0;
		rows[j].flag = tce_top_flag(rows[j].w, rows[j].in_kernel, rows[j].to_qemu);
	}
	if (m)
		qsort(rows, m, sizeof(*rows), worst_first);
	ret->rows = rows;
	ret->n = m;
	ret->seconds = seconds;
	return 0;
}

void tce_top_interval_done(struct tce_top_interval *t)
{
	free(t->rows);
	t->rows = NULL;
	t->n = 0;
}

static char *row_name(const struct tce_top_row *r)
{
	return tce_escape_terminal(r->vm && r->vm->name ? r->vm->name : "?");
}

static double share(const struct tce_top_row *r)
{
	uint64_t all = r->in_kernel + r->to_qemu;

	return all ? 100.0 * (double)r->to_qemu / (double)all : 0;
}

static const char *verdict_of(const struct tce_top_row *r)
{
	return r->w ? tce_verdict_name(r->w->verdict) : "-";
}

void tce_render_top_batch(const struct tce_top_interval *t, FILE *f)
{
	fprintf(f, "# interval %" PRIu64 ": %.2f s, %zu rows%s", t->seq, t->seconds, t->n,
		t->lost ? "" : "\n");
	if (t->lost)
		fprintf(f, ", %" PRIu64 " events lost\n", t->lost);
	for (size_t i = 0; i < t->n; i++) {
		const struct tce_top_row *r = &t->rows[i];
		_cleanup_free_ char *name = row_name(r);

		fprintf(f,
			"%s pid=%d liobn=0x%08" PRIx32 " kernel/s=%.1f qemu/s=%.1f qemu%%=%.1f "
			"kernel=%" PRIu64 " qemu=%" PRIu64 " put=%" PRIu64 "/%" PRIu64
			" indirect=%" PRIu64 "/%" PRIu64 " stuff=%" PRIu64 "/%" PRIu64
			" verdict=%s%s%s\n",
			name ? name : "?", r->pid, r->liobn, r->kernel_rate, r->qemu_rate, share(r),
			r->in_kernel, r->to_qemu, r->by_hcall[0][0], r->by_hcall[0][1],
			r->by_hcall[1][0], r->by_hcall[1][1], r->by_hcall[2][0], r->by_hcall[2][1],
			verdict_of(r), r->flag ? " FLAG: " : "", r->flag ? r->flag : "");
	}
}

void tce_render_top_screen(const struct tce_top_interval *t, const char *host, bool clear, FILE *f)
{
	if (clear)
		fputs("\033[H\033[2J", f);
	fprintf(f, "tceiommu top - %s - every %.1f s - TCE hcalls per second%s\n", host ? host : "",
		t->seconds, t->lost ? " - EVENTS LOST" : "");
	fprintf(f, "%-14s %7s %-10s %10s %10s %6s  %-10s %s\n", "VM", "PID", "LIOBN", "KERNEL/s",
		"QEMU/s", "QEMU%", "VERDICT", "");
	if (!t->n)
		fputs("(no TCE hcalls in this interval)\n", f);
	for (size_t i = 0; i < t->n; i++) {
		const struct tce_top_row *r = &t->rows[i];
		_cleanup_free_ char *name = row_name(r);

		fprintf(f, "%-14.14s %7d 0x%08" PRIx32 " %10.1f %10.1f %5.1f%%  %-10s %s\n",
			name ? name : "?", r->pid, r->liobn, r->kernel_rate, r->qemu_rate, share(r),
			verdict_of(r), r->flag ? r->flag : "");
	}
	fflush(f);
}

int tce_render_top_json(const struct tce_top_interval *t, FILE *f)
{
	static const char *const hn[] = { "H_PUT_TCE", "H_PUT_TCE_INDIRECT", "H_STUFF_TCE" };
	json_object *doc = json_object_new_object(), *rows = json_object_new_array();
	int k = 0;

	json_object_object_add(doc, "schema_version", json_object_new_int(TCE_JSON_SCHEMA_VERSION));
	json_object_object_add(doc, "interval", json_object_new_uint64(t->seq));
	json_object_object_add(doc, "seconds", json_object_new_double(t->seconds));
	json_object_object_add(doc, "lost", json_object_new_uint64(t->lost));
	json_object_object_add(doc, "pending", json_object_new_uint64(t->pending));
	for (size_t i = 0; i < t->n; i++) {
		const struct tce_top_row *r = &t->rows[i];
		json_object *o = json_object_new_object(), *h = json_object_new_object();
		char hex[16];

		snprintf(hex, sizeof(hex), "0x%08" PRIx32, r->liobn);
		json_object_object_add(o, "vm", tce_json_str(r->vm ? r->vm->name : NULL));
		json_object_object_add(o, "pid", json_object_new_int(r->pid));
		json_object_object_add(o, "liobn", json_object_new_uint64(r->liobn));
		json_object_object_add(o, "liobn_hex", json_object_new_string(hex));
		json_object_object_add(o, "phb",
				       r->w ? json_object_new_int64(r->w->phb_index) : NULL);
		json_object_object_add(o, "verdict",
				       r->w ? json_object_new_string(verdict_of(r)) : NULL);
		json_object_object_add(o, "in_kernel", json_object_new_uint64(r->in_kernel));
		json_object_object_add(o, "to_qemu", json_object_new_uint64(r->to_qemu));
		json_object_object_add(o, "in_kernel_per_s",
				       json_object_new_double(r->kernel_rate));
		json_object_object_add(o, "to_qemu_per_s", json_object_new_double(r->qemu_rate));
		for (int s = 0; s < 3; s++) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "in_kernel",
					       json_object_new_uint64(r->by_hcall[s][0]));
			json_object_object_add(x, "to_qemu",
					       json_object_new_uint64(r->by_hcall[s][1]));
			json_object_object_add(h, hn[s], x);
		}
		json_object_object_add(o, "hcalls", h);
		json_object_object_add(o, "flag", r->flag ? json_object_new_string(r->flag) : NULL);
		json_object_array_add(rows, o);
	}
	json_object_object_add(doc, "rows", rows);
	if (fprintf(f, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN)) < 0)
		k = -EIO;
	json_object_put(doc);
	fflush(f);
	return k;
}
