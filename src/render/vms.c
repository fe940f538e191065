/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list-vms and show-vm renderers: the VM map's model only, never the host. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/out.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/table.h"
#include "tceiommu/util.h"
#include "tceiommu/vmout.h"

#define N TCE_COL_NUMBER
#define S TCE_COL_STRING
#define Z TCE_COL_SIZE

/* name, width hint, right-aligned, type, help (util-linux lsblk infos[]) */
const struct tce_vmcolinfo tce_vm_columns[TCE_N_VM_COLUMNS] = {
	[VCOL_NAME] = { "NAME", 12, false, S, "VM name (libvirt domain, QEMU -name)" },
	[VCOL_UUID] = { "UUID", 36, false, S, "VM UUID" },
	[VCOL_PID] = { "PID", 6, true, N, "QEMU process id" },
	[VCOL_SOURCE] = { "SOURCE", 10, false, S,
			  "where the VM was found: proc, debugfs, libvirt, qmp" },
	[VCOL_STATE] = { "STATE", 8, false, S, "libvirt state or QEMU's run state" },
	[VCOL_ACCEL] = { "ACCEL", 4, false, S, "accelerator: kvm or tcg" },
	[VCOL_PHBS] = { "PHBS", 6, false, S, "PHB indexes" },
	[VCOL_LIOBNS] = { "LIOBNS", 6, true, S, "windows (LIOBNs) in the kernel / all" },
	[VCOL_TABLES] = { "TABLES", 3, true, N, "KVM TCE tables (kvm-spapr-tce fds)" },
	[VCOL_GROUPS] = { "GROUPS", 6, false, S, "VFIO groups the VM holds open" },
	[VCOL_VMLCK] = { "VMLCK", 6, true, Z, "locked memory (VmLck)" },
	[VCOL_MEMLOCK] = { "MEMLOCK", 7, true, Z, "memlock limit, or CAP_IPC_LOCK" },
	[VCOL_VERDICT] = { "VERDICT", 9, false, S,
			   "worst window verdict: userspace, unknown, in-kernel, emulated" },
	[VCOL_REASON] = { "REASON", 30, false, S, "why, for the worst window" },
};

int tce_vm_column_by_name(const char *name, size_t len)
{
	for (int i = 0; i < TCE_N_VM_COLUMNS; i++)
		if (strlen(tce_vm_columns[i].name) == len &&
		    strncasecmp(tce_vm_columns[i].name, name, len) == 0)
			return i;
	return -1;
}

int tce_vm_columns_parse(const char *list, int *ids, size_t max, size_t *n)
{
	return tce_columns_parse_with(list, tce_vm_column_by_name, ids, max, n);
}

static char *sources_str(unsigned s)
{
	return tce_strdup_printf(
	    "%s%s%s%s%s%s%s", s & TCE_VM_SRC_PROC ? "proc" : "",
	    (s & TCE_VM_SRC_PROC) && (s & ~TCE_VM_SRC_PROC) ? "," : "",
	    s & TCE_VM_SRC_DEBUGFS ? "debugfs" : "",
	    (s & TCE_VM_SRC_DEBUGFS) && (s & (TCE_VM_SRC_LIBVIRT | TCE_VM_SRC_QMP)) ? "," : "",
	    s & TCE_VM_SRC_LIBVIRT ? "libvirt" : "",
	    (s & TCE_VM_SRC_LIBVIRT) && (s & TCE_VM_SRC_QMP) ? "," : "",
	    s & TCE_VM_SRC_QMP ? "qmp" : "");
}

static const struct tce_vm_window *worst_window(const struct tce_vm *vm)
{
	for (size_t i = 0; i < vm->n_phbs; i++)
		for (size_t j = 0; j < vm->phbs[i].n_windows; j++) {
			const struct tce_vm_window *w = &vm->phbs[i].windows[j];

			if (w->created != TCE_NO && w->verdict == vm->worst)
				return w;
		}
	return NULL;
}

static char *size_str(uint64_t v, bool bytes)
{
	char buf[32];

	if (bytes)
		snprintf(buf, sizeof(buf), "%" PRIu64, v);
	else
		tce_format_size(v, buf, sizeof(buf));
	return strdup(buf);
}

/* A cell as it is: the table escapes what the host wrote (as libsmartcols
 * does), so escaping it here too would print "\x5cx1b" for an ESC. */
static char *vm_cell(const struct tce_vm *vm, int col, bool bytes)
{
	char *s = NULL;

	switch (col) {
	case VCOL_NAME:
		return vm->name ? strdup(vm->name) : NULL;
	case VCOL_UUID:
		return vm->uuid ? strdup(vm->uuid) : NULL;
	case VCOL_PID:
		return vm->pid ? tce_strdup_printf("%d", vm->pid) : NULL;
	case VCOL_SOURCE:
		return sources_str(vm->sources);
	case VCOL_STATE: {
		const char *st = vm->libvirt_state ? vm->libvirt_state : vm->run_state;

		return st ? strdup(st) : NULL;
	}
	case VCOL_ACCEL:
		return vm->accel ? strdup(vm->accel) : NULL;
	case VCOL_PHBS:
		for (size_t i = 0; i < vm->n_phbs; i++) {
			char *n = tce_strdup_printf("%s%s%" PRIu32, s ? s : "", s ? "," : "",
						    vm->phbs[i].index);
			free(s);
			s = n;
		}
		return s;
	case VCOL_LIOBNS:
		return tce_strdup_printf("%u/%u", vm->n_in_kernel, vm->n_windows);
	case VCOL_TABLES:
		return vm->fds_read ? tce_strdup_printf("%u", vm->n_tce_fds) : strdup("?");
	case VCOL_GROUPS:
		if (!vm->fds_read)
			return strdup("?");
		for (size_t i = 0; i < vm->n_vfio_groups; i++) {
			char *n = tce_strdup_printf("%s%s%" PRIu64, s ? s : "", s ? "," : "",
						    vm->vfio_groups[i]);
			free(s);
			s = n;
		}
		return s;
	case VCOL_VMLCK:
		return vm->has_vmlck ? size_str(vm->vmlck, bytes) : NULL;
	case VCOL_MEMLOCK:
		if (vm->cap_ipc_lock == TCE_YES)
			return strdup("CAP_IPC_LOCK");
		if (!vm->has_memlock)
			return NULL;
		return vm->memlock_soft == UINT64_MAX ? strdup("unlimited")
						      : size_str(vm->memlock_soft, bytes);
	case VCOL_VERDICT:
		return vm->worst ? strdup(tce_verdict_name(vm->worst)) : strdup("-");
	case VCOL_REASON: {
		const struct tce_vm_window *w = worst_window(vm);

		if (vm->qmp_error && vm->worst != TCE_VERDICT_USERSPACE)
			return strdup(vm->qmp_error);
		return w && w->reason ? strdup(w->reason) : NULL;
	}
	}
	return NULL;
}

/* The project's table printer (tceiommu/table.h): libsmartcols' output into a
 * pipe, also on a terminal (REASON is not wrapped there). */
int tce_render_vms_table(const struct tce_vms *v, const struct tce_vm_out_opts *o, FILE *f)
{
	struct tce_table *t = tce_table_new(f, o->mode, o->noheadings);
	int k = 0;

	if (!t)
		return -errno;
	for (size_t i = 0; i < o->n_columns && k >= 0; i++) {
		const struct tce_vmcolinfo *ci = &tce_vm_columns[o->columns[i]];

		k = tce_table_add_column(t, ci->name, ci->whint, ci->right);
	}
	for (size_t vi = 0; vi < v->n && k >= 0; vi++) {
		char *cells[TCE_N_VM_COLUMNS * 2] = { NULL };

		for (size_t i = 0; i < o->n_columns; i++)
			cells[i] = vm_cell(&v->vms[vi], o->columns[i], o->bytes);
		k = tce_table_add_row(t, -1, (const char *const *)cells);
		for (size_t i = 0; i < o->n_columns; i++)
			free(cells[i]);
	}
	if (k >= 0)
		k = tce_table_print(t);
	tce_table_free(t);
	return k < 0 ? k : 0;
}

/* ---- JSON ------------------------------------------------------------------ */

#define add_u64 tce_json_add_u64

static json_object *tri_json(enum tce_tristate t)
{
	return t == TCE_UNKNOWN ? NULL : json_object_new_boolean(t == TCE_YES);
}

static json_object *strv_json(char *const *v)
{
	json_object *a = json_object_new_array();

	for (; v && *v; v++)
		json_object_array_add(a, tce_json_str(*v));
	return a;
}

static const char *table_name(enum tce_table_match m)
{
	static const char *const n[] = { "unknown", "none", "matched", "by-count", "ambiguous" };

	return n[m];
}

static json_object *window_json(const struct tce_vm_window *w)
{
	json_object *o = json_object_new_object();

	add_u64(o, "liobn", true, w->liobn, true);
	json_object_object_add(o, "window", json_object_new_int((int)w->window_num));
	json_object_object_add(o, "created", tri_json(w->created));
	add_u64(o, "start", w->has_start, w->start, true);
	add_u64(o, "size", w->has_size, w->size, false);
	json_object_object_add(o, "page_shift",
			       w->has_page_shift ? json_object_new_int((int)w->page_shift) : NULL);
	json_object_object_add(o, "source", w->source ? json_object_new_string(w->source) : NULL);
	json_object_object_add(o, "table", json_object_new_string(table_name(w->table)));
	add_u64(o, "table_length", w->table == TCE_TABLE_MATCHED || w->table == TCE_TABLE_BY_COUNT,
		w->table_len, false);
	json_object_object_add(o, "verdict", json_object_new_string(tce_verdict_name(w->verdict)));
	json_object_object_add(o, "reason", tce_json_str(w->reason));
	json_object_object_add(o, "evidence", strv_json(w->evidence));
	json_object_object_add(o, "qemu_error", tce_json_str(w->qemu_error));
	if (w->measured) {
		json_object *m = json_object_new_object();

		json_object_object_add(m, "seconds", json_object_new_double(w->measured_seconds));
		json_object_object_add(m, "in_kernel", json_object_new_uint64(w->hcalls_kernel));
		json_object_object_add(m, "to_qemu", json_object_new_uint64(w->hcalls_qemu));
		json_object_object_add(
		    m, "flag", w->measure_flag ? json_object_new_string(w->measure_flag) : NULL);
		json_object_object_add(o, "measured", m);
	}
	return o;
}

static json_object *phb_json(const struct tce_vm_phb *p)
{
	json_object *o = json_object_new_object(), *ws = json_object_new_array();

	json_object_object_add(o, "index", json_object_new_int64(p->index));
	json_object_object_add(o, "id", tce_json_str(p->id));
	json_object_object_add(o, "qom_path", tce_json_str(p->qom_path));
	add_u64(o, "dma_win_addr", p->has_dma_win_addr, p->dma_win_addr, true);
	add_u64(o, "dma_win_size", p->has_dma_win_size, p->dma_win_size, false);
	add_u64(o, "dma64_win_addr", p->has_dma64_win_addr, p->dma64_win_addr, true);
	json_object_object_add(o, "ddw", p->has_ddw ? json_object_new_boolean(p->ddw) : NULL);
	add_u64(o, "pgsz", p->has_pgsz, p->pgsz, true);
	json_object_object_add(o, "vfio", tri_json(p->vfio));
	for (size_t i = 0; i < p->n_windows; i++)
		json_object_array_add(ws, window_json(&p->windows[i]));
	json_object_object_add(o, "windows", ws);
	return o;
}

static json_object *device_json(const struct tce_vm_device *d)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", tce_json_str(d->id));
	json_object_object_add(o, "driver", tce_json_str(d->driver));
	json_object_object_add(o, "vfio", json_object_new_boolean(d->vfio));
	json_object_object_add(o, "host", tce_json_str(d->host_bdf));
	json_object_object_add(o, "iommufd", json_object_new_boolean(d->iommufd));
	json_object_object_add(o, "phb", d->has_phb ? json_object_new_int64(d->phb_index) : NULL);
	add_u64(o, "group", d->has_group, d->group, false);
	json_object_object_add(o, "group_devices",
			       d->group_devices ? strv_json(d->group_devices) : NULL);
	return o;
}

static const char *proc_err_str(int err)
{
	switch (err) {
	case 0:
		return NULL;
	case -EACCES:
	case -EPERM:
		return "needs root";
	case -ESRCH:
		return "the process is gone";
	case -ENODATA:
		return "not recorded";
	}
	return strerror(-err);
}

static json_object *vm_json(const struct tce_vm *vm)
{
	json_object *o = json_object_new_object(), *a, *kvm, *ml, *q, *lg;
	char *src = sources_str(vm->sources);

	json_object_object_add(o, "name", tce_json_str(vm->name));
	json_object_object_add(o, "uuid", tce_json_str(vm->uuid));
	json_object_object_add(o, "pid", vm->pid ? json_object_new_int(vm->pid) : NULL);
	a = json_object_new_array();
	for (char *t = src ? strtok(src, ",") : NULL; t; t = strtok(NULL, ","))
		json_object_array_add(a, json_object_new_string(t));
	free(src);
	json_object_object_add(o, "sources", a);
	json_object_object_add(o, "debugfs", tce_json_str(vm->debugfs_name));
	json_object_object_add(o, "state",
			       tce_json_str(vm->libvirt_state ? vm->libvirt_state : vm->run_state));
	json_object_object_add(o, "machine", tce_json_str(vm->machine));
	json_object_object_add(o, "accel", tce_json_str(vm->accel));
	add_u64(o, "ram", vm->has_ram, vm->ram, false);
	json_object_object_add(o, "proc_error", tce_json_str(proc_err_str(vm->proc_err)));

	kvm = json_object_new_object();
	json_object_object_add(kvm, "vm_fd",
			       vm->fds_read ? json_object_new_boolean(vm->kvm_vm_fd) : NULL);
	json_object_object_add(kvm, "tce_tables",
			       vm->fds_read ? json_object_new_int((int)vm->n_tce_fds) : NULL);
	a = json_object_new_array();
	for (size_t i = 0; i < vm->n_table_lens; i++)
		json_object_array_add(a, json_object_new_uint64(vm->table_lens[i]));
	json_object_object_add(kvm, "table_lengths",
			       vm->maps_read ? a : (json_object_put(a), NULL));
	json_object_object_add(kvm, "kvm_vfio",
			       vm->fds_read ? json_object_new_boolean(vm->kvm_vfio) : NULL);
	json_object_object_add(kvm, "vfio_container",
			       vm->fds_read ? json_object_new_boolean(vm->vfio_container) : NULL);
	a = json_object_new_array();
	for (size_t i = 0; i < vm->n_vfio_groups; i++)
		json_object_array_add(a, json_object_new_uint64(vm->vfio_groups[i]));
	json_object_object_add(kvm, "vfio_groups", vm->fds_read ? a : (json_object_put(a), NULL));
	json_object_object_add(o, "kvm", kvm);

	ml = json_object_new_object();
	add_u64(ml, "locked", vm->has_vmlck, vm->vmlck, false);
	add_u64(ml, "limit", vm->has_memlock && vm->memlock_soft != UINT64_MAX, vm->memlock_soft,
		false);
	json_object_object_add(
	    ml, "unlimited",
	    vm->has_memlock ? json_object_new_boolean(vm->memlock_soft == UINT64_MAX) : NULL);
	json_object_object_add(ml, "cap_ipc_lock", tri_json(vm->cap_ipc_lock));
	json_object_object_add(ml, "mem_lock", json_object_new_boolean(vm->mem_lock_on));
	json_object_object_add(o, "memlock", ml);

	q = json_object_new_object();
	json_object_object_add(q, "asked", json_object_new_boolean(vm->qmp_asked));
	json_object_object_add(q, "via", tce_json_str(vm->qmp_via));
	json_object_object_add(q, "error", tce_json_str(vm->qmp_error));
	json_object_object_add(o, "qmp", q);

	a = json_object_new_array();
	for (size_t i = 0; i < vm->n_phbs; i++)
		json_object_array_add(a, phb_json(&vm->phbs[i]));
	json_object_object_add(o, "phbs", a);
	a = json_object_new_array();
	for (size_t i = 0; i < vm->n_devices; i++)
		json_object_array_add(a, device_json(&vm->devices[i]));
	json_object_object_add(o, "devices", a);

	lg = json_object_new_object();
	json_object_object_add(lg, "path", tce_json_str(vm->log_path));
	json_object_object_add(lg, "lines", strv_json(vm->log_lines));
	json_object_object_add(o, "log", lg);

	json_object_object_add(
	    o, "verdict", vm->worst ? json_object_new_string(tce_verdict_name(vm->worst)) : NULL);
	json_object_object_add(o, "windows_in_kernel", json_object_new_int((int)vm->n_in_kernel));
	json_object_object_add(o, "windows", json_object_new_int((int)vm->n_windows));
	json_object_object_add(o, "notes", strv_json(vm->notes));
	return o;
}

int tce_render_vms_json(const struct tce_vms *v, const struct tce_vm *only, FILE *f)
{
	json_object *doc = json_object_new_object(), *host = json_object_new_object(), *a;

	json_object_object_add(doc, "schema_version", json_object_new_int(TCE_JSON_SCHEMA_VERSION));
	json_object_object_add(host, "page_size",
			       v->page_size > 0 ? json_object_new_int64(v->page_size) : NULL);
	json_object_object_add(host, "kvm_cap_spapr_tce_vfio", tri_json(v->cap_spapr_tce_vfio));
	json_object_object_add(host, "kvm_cap_note", tce_json_str(v->cap_note));
	json_object_object_add(host, "libvirt", tce_json_str(v->libvirt_note));
	json_object_object_add(doc, "host", host);
	json_object_object_add(doc, "notes", strv_json(v->notes));
	if (only) {
		json_object_object_add(doc, "vm", vm_json(only));
	} else {
		a = json_object_new_array();
		for (size_t i = 0; i < v->n; i++)
			json_object_array_add(a, vm_json(&v->vms[i]));
		json_object_object_add(doc, "vms", a);
	}
	return tce_json_write(doc, f);
}

/* ---- show-vm's tree ---------------------------------------------------------- */

static void put(FILE *f, const char *prefix, const char *fmt, ...) _printf_(3, 4);
static void put(FILE *f, const char *prefix, const char *fmt, ...)
{
	va_list ap;
	char *s, *e;

	va_start(ap, fmt);
	s = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	e = s ? tce_escape_terminal(s) : NULL;
	fprintf(f, "%s%s\n", prefix, e ? e : "");
	free(e);
	free(s);
}

static void sz(uint64_t v, bool bytes, char *buf, size_t len)
{
	if (bytes)
		snprintf(buf, len, "%" PRIu64, v);
	else
		tce_format_size(v, buf, len);
}

int tce_render_vm_tree(const struct tce_vms *v, const struct tce_vm *vm, bool bytes, FILE *f)
{
	_cleanup_free_ char *src = sources_str(vm->sources);
	char a[32], b[48];

	put(f, "", "VM %s%s%s  pid %d  found by %s", vm->name ? vm->name : "(no name)",
	    vm->uuid ? "  uuid " : "", vm->uuid ? vm->uuid : "", vm->pid, src ? src : "");
	put(f, "  ", "machine %s, accel %s%s%s", vm->machine ? vm->machine : "?",
	    vm->accel ? vm->accel : "?", vm->libvirt_state || vm->run_state ? ", state " : "",
	    vm->libvirt_state ? vm->libvirt_state
	    : vm->run_state   ? vm->run_state
			      : "");
	if (vm->proc_err)
		put(f, "  ", "%s/%d: %s", PATH_PROC, vm->pid, proc_err_str(vm->proc_err));
	if (vm->fds_read) {
		_cleanup_free_ char *g = vm_cell(vm, VCOL_GROUPS, false);

		put(f, "  ", "KVM: %u TCE table%s, kvm-vfio %s, VFIO container %s, groups %s",
		    vm->n_tce_fds, vm->n_tce_fds == 1 ? "" : "s", vm->kvm_vfio ? "yes" : "no",
		    vm->vfio_container ? "yes" : "no", g && *g ? g : "none");
	}
	if (vm->has_vmlck || vm->has_memlock) {
		sz(vm->vmlck, bytes, a, sizeof(a));
		if (vm->has_memlock && vm->memlock_soft != UINT64_MAX)
			sz(vm->memlock_soft, bytes, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "%s", vm->has_memlock ? "unlimited" : "?");
		put(f, "  ", "memlock: %s locked, limit %s, CAP_IPC_LOCK %s%s",
		    vm->has_vmlck ? a : "?", b,
		    vm->cap_ipc_lock == TCE_YES	 ? "yes"
		    : vm->cap_ipc_lock == TCE_NO ? "no"
						 : "?",
		    vm->mem_lock_on ? ", mem-lock=on" : "");
	}
	if (vm->qmp_via || vm->qmp_error)
		put(f, "  ", "QEMU asked through %s%s%s", vm->qmp_via ? vm->qmp_via : "QMP",
		    vm->qmp_error ? ": " : "", vm->qmp_error ? vm->qmp_error : "");
	for (size_t i = 0; i < vm->n_phbs; i++) {
		const struct tce_vm_phb *p = &vm->phbs[i];
		bool lastp = i + 1 == vm->n_phbs;
		const char *pp = lastp ? "   " : "│  ";

		put(f, lastp ? "└─" : "├─", "PHB %" PRIu32 "%s%s%s  %s", p->index,
		    p->id ? " (" : "", p->id ? p->id : "",
		    p->id      ? ")"
		    : p->index ? ""
			       : " (default)",
		    p->vfio == TCE_YES	? "VFIO"
		    : p->vfio == TCE_NO ? "emulated devices only"
					: "devices unknown");
		for (size_t j = 0; j < p->n_windows; j++) {
			const struct tce_vm_window *w = &p->windows[j];
			_cleanup_free_ char *pre = NULL, *pre2 = NULL;
			bool lastw = j + 1 == p->n_windows;
			size_t nd = 0;

			for (size_t d = 0; d < vm->n_devices; d++)
				nd +=
				    vm->devices[d].has_phb && vm->devices[d].phb_index == p->index;
			lastw = lastw && nd == 0;
			pre = tce_strdup_printf("%s%s", pp, lastw ? "└─" : "├─");
			pre2 = tce_strdup_printf("%s%s     ", pp, lastw ? "  " : "│ ");
			if (w->created == TCE_NO)
				snprintf(b, sizeof(b), "not created");
			else if (w->has_size) {
				sz(w->size, bytes, a, sizeof(a));
				snprintf(b, sizeof(b), "%s at 0x%" PRIx64, a, w->start);
			} else
				snprintf(b, sizeof(b), "size ? at 0x%" PRIx64, w->start);
			put(f, pre ? pre : "", "LIOBN 0x%08" PRIx32 "  %s window %s%s%s  %s",
			    w->liobn, w->window_num ? "64-bit" : "32-bit", b,
			    w->has_page_shift ? ", page " : "",
			    w->has_page_shift ? (w->page_shift == 12   ? "4K"
						 : w->page_shift == 16 ? "64K"
						 : w->page_shift == 21 ? "2M"
						 : w->page_shift == 24 ? "16M"
						 : w->page_shift == 30 ? "1G"
								       : "?")
					      : "",
			    tce_verdict_name(w->verdict));
			if (w->reason)
				put(f, pre2 ? pre2 : "", "why: %s", w->reason);
			if (w->measured)
				put(f, pre2 ? pre2 : "",
				    "measured over %.1f s: %.1f TCE hcalls/s in the kernel, %.1f/s "
				    "to QEMU%s%s",
				    w->measured_seconds,
				    w->measured_seconds > 0
					? (double)w->hcalls_kernel / w->measured_seconds
					: 0,
				    w->measured_seconds > 0
					? (double)w->hcalls_qemu / w->measured_seconds
					: 0,
				    w->measure_flag ? " -- FLAG: " : "",
				    w->measure_flag ? w->measure_flag : "");
			for (char **e = w->evidence; e && *e; e++)
				put(f, pre2 ? pre2 : "", "%s", *e);
		}
		for (size_t d = 0, seen = 0; d < vm->n_devices; d++) {
			const struct tce_vm_device *dv = &vm->devices[d];
			_cleanup_free_ char *pre = NULL;
			size_t nd = 0;

			if (!dv->has_phb || dv->phb_index != p->index)
				continue;
			for (size_t x = 0; x < vm->n_devices; x++)
				nd +=
				    vm->devices[x].has_phb && vm->devices[x].phb_index == p->index;
			seen++;
			pre = tce_strdup_printf("%s%s", pp, seen == nd ? "└─" : "├─");
			if (dv->has_group)
				snprintf(a, sizeof(a), "group %" PRIu64, dv->group);
			put(f, pre ? pre : "", "device %s %s%s%s%s%s", dv->id ? dv->id : "-",
			    dv->driver ? dv->driver : "?", dv->host_bdf ? " host " : "",
			    dv->host_bdf ? dv->host_bdf : "", dv->has_group ? " → " : "",
			    dv->has_group ? a : "");
			for (char **g = dv->group_devices; g && *g; g++) {
				_cleanup_free_ char *p2 =
				    tce_strdup_printf("%s%s     ", pp, seen == nd ? "  " : "│ ");

				put(f, p2 ? p2 : "", "%s", *g);
			}
		}
	}
	for (char **l = vm->log_lines; l && *l; l++)
		put(f, "", "QEMU's log: %s", *l);
	for (char **n = vm->notes; n && *n; n++)
		put(f, "", "note: %s", *n);
	if (v->cap_note)
		put(f, "", "note: %s", v->cap_note);
	return ferror(f) ? -EIO : 0;
}
