/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The verdict per LIOBN: are a window's TCE hcalls handled in the kernel?
 *
 * In the kernel means (FACTS §1.3, §1.4, §4.4): QEMU created a KVM TCE table
 * for the window (KVM_CREATE_SPAPR_TCE_64: an anon_inode:kvm-spapr-tce fd,
 * mmapped as nb_table * 8 bytes), the VM holds the VFIO group, the kvm-vfio
 * device exists (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE links table and group
 * through it), and the host has KVM_CAP_SPAPR_TCE_VFIO (without it QEMU
 * moves a VFIO window's table back to userspace: hw/ppc/spapr_iommu.c
 * spapr_tce_set_need_vfio). Otherwise every H_PUT_TCE exits to QEMU
 * (H_TOO_HARD, book3s_64_vio.c) and QEMU replays it to VFIO.
 *
 * Which table backs which window is not in any kernel file (FACTS §0.3):
 * it is matched by the mapping's length. Lengths alike with too few tables,
 * or a page size that is not known, are ambiguous and said so.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/util.h"
#include "tceiommu/vmproc.h"

#define FAIL(v, ...)                                                                               \
	do {                                                                                       \
		*reason = tce_strdup_printf(__VA_ARGS__);                                          \
		return (v);                                                                        \
	} while (0)

enum tce_verdict tce_window_verdict(const struct tce_verdict_facts *f, char **reason)
{
	*reason = NULL;
	if (f->vfio == TCE_NO) {
		/* nothing to accelerate; still say where its hcalls go */
		if (f->created == TCE_YES && f->kvm == TCE_YES && f->proc_readable &&
		    f->table == TCE_TABLE_NONE)
			FAIL(TCE_VERDICT_EMULATED,
			     "no VFIO device behind this PHB: QEMU emulates its DMA; its TCE "
			     "hcalls exit to QEMU too (no KVM table%s%s)",
			     f->qemu_error		   ? ": "
			     : f->memlock_short == TCE_YES ? ": memlock limit too low"
							   : "",
			     f->qemu_error ? f->qemu_error : "");
		FAIL(TCE_VERDICT_EMULATED, "no VFIO device behind this PHB: QEMU emulates its DMA");
	}
	if (f->created == TCE_NO)
		FAIL(TCE_VERDICT_USERSPACE,
		     "window not created by the guest (size 0): no DMA goes "
		     "through it%s",
		     f->is_ddw ? "; the guest maps everything through the 32-bit window" : "");
	if (f->kvm == TCE_NO)
		FAIL(TCE_VERDICT_USERSPACE,
		     "KVM absent: QEMU runs with TCG, every TCE hcall is emulated by QEMU");
	if (f->iommufd)
		FAIL(TCE_VERDICT_USERSPACE, "the device is passed through with iommufd, which has "
					    "no sPAPR TCE acceleration");
	if (f->qemu_error)
		FAIL(TCE_VERDICT_USERSPACE, "QEMU's log: %s", f->qemu_error);
	if (f->vfio == TCE_YES && f->kvm == TCE_YES && f->cap_vfio == TCE_NO)
		FAIL(TCE_VERDICT_USERSPACE,
		     "KVM_CAP_SPAPR_TCE_VFIO is 0 on this host: QEMU keeps the tables of "
		     "VFIO windows in userspace");
	if (f->vfio == TCE_UNKNOWN)
		FAIL(TCE_VERDICT_UNKNOWN, "which devices are behind this PHB is not known "
					  "(--qmp or --monitor asks QEMU)");
	if (!f->proc_readable && f->no_process)
		FAIL(TCE_VERDICT_UNKNOWN, "the VM's QEMU process was not found (its fds and maps "
					  "say which tables KVM holds)");
	if (!f->proc_readable)
		FAIL(TCE_VERDICT_UNKNOWN, "the VM's fds and maps cannot be read: needs root");
	if (f->kvm == TCE_UNKNOWN)
		FAIL(TCE_VERDICT_UNKNOWN, "whether QEMU uses KVM is not known");
	if (f->created == TCE_UNKNOWN && f->table != TCE_TABLE_MATCHED &&
	    f->table != TCE_TABLE_BY_COUNT)
		FAIL(TCE_VERDICT_UNKNOWN, "whether the guest created this window is not known "
					  "(--qmp or --monitor asks QEMU)");
	switch (f->table) {
	case TCE_TABLE_NONE:
		if (f->cap_vfio == TCE_NO)
			FAIL(TCE_VERDICT_USERSPACE,
			     "KVM_CAP_SPAPR_TCE_VFIO is 0 on this host: QEMU keeps the tables of "
			     "VFIO windows in userspace");
		if (f->memlock_short == TCE_YES)
			FAIL(
			    TCE_VERDICT_USERSPACE,
			    "no KVM TCE table: the memlock limit is below what the tables need and "
			    "QEMU has no CAP_IPC_LOCK");
		FAIL(TCE_VERDICT_USERSPACE, "no KVM TCE table backs this window (too few "
					    "kvm-spapr-tce tables)");
	case TCE_TABLE_AMBIGUOUS:
		FAIL(TCE_VERDICT_UNKNOWN, "which kvm-spapr-tce table backs this window is "
					  "ambiguous by mapped length (--qmp or --monitor gives "
					  "the window sizes)");
	case TCE_TABLE_UNKNOWN:
		FAIL(TCE_VERDICT_UNKNOWN, "the VM's TCE tables could not be matched to windows");
	case TCE_TABLE_MATCHED:
	case TCE_TABLE_BY_COUNT:
		break;
	}
	if (f->holds_group == TCE_NO)
		FAIL(TCE_VERDICT_USERSPACE, "the VM does not hold the device's VFIO group open");
	if (!f->kvm_vfio)
		FAIL(TCE_VERDICT_USERSPACE,
		     "no kvm-vfio device: the KVM table is not linked to the VFIO group");
	if (f->cap_vfio == TCE_NO)
		FAIL(TCE_VERDICT_USERSPACE, "KVM_CAP_SPAPR_TCE_VFIO is 0 on this host");
	return TCE_VERDICT_IN_KERNEL;
}

/* ---- matching KVM tables to windows ---------------------------------------- */

static uint64_t roundup_page(uint64_t v, long page)
{
	uint64_t p = page > 0 ? (uint64_t)page : 1;

	return (v + p - 1) / p * p;
}

/* The mapped length of a table for a window of size bytes and page shift. */
static uint64_t table_len(uint64_t size, unsigned shift, long page)
{
	return roundup_page((size >> shift) * 8, page);
}

/* Page shifts a window may use: 12 for the 32-bit window (QEMU
 * SPAPR_TCE_PAGE_SHIFT), the PHB's pgsz mask for a DDW. */
static uint64_t window_shifts(const struct tce_vm_phb *p, const struct tce_vm_window *w)
{
	if (w->has_page_shift)
		return 1ULL << w->page_shift;
	/* the default window is made at reset with 4 KiB pages (hw/ppc/spapr_pci.c
	 * spapr_phb_dma_reset); a guest that removed it may create a DDW in its
	 * place (the first free LIOBN, hw/ppc/spapr_rtas_ddw.c), which has the
	 * default geometry only by chance */
	if (w->window_num == 0 &&
	    (!w->has_size || w->size == (p->has_dma_win_size ? p->dma_win_size : 1ULL << 30)) &&
	    (!w->has_start || w->start == (p->has_dma_win_addr ? p->dma_win_addr : 0)))
		return 1ULL << 12;
	if (p->has_pgsz && p->pgsz)
		return p->pgsz;
	/* QEMU's default pgsz: 4K|64K|2M|16M (hw/ppc/spapr_pci.c) */
	return (1ULL << 12) | (1ULL << 16) | (1ULL << 21) | (1ULL << 24);
}

struct cand {
	struct tce_vm_phb *phb;
	struct tce_vm_window *w;
	uint64_t lens[64];
	unsigned shifts[64];
	size_t n;
};

static bool take(uint64_t *avail, size_t n, uint64_t len)
{
	for (size_t i = 0; i < n; i++)
		if (avail[i] == len) {
			avail[i] = 0;
			return true;
		}
	return false;
}

static size_t count_len(const uint64_t *avail, size_t n, uint64_t len)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += avail[i] == len;
	return c;
}

static void match_tables(struct tce_vm *vm, long page)
{
	_cleanup_free_ uint64_t *avail = NULL;
	_cleanup_free_ struct cand *c = NULL;
	size_t nc = 0, n = vm->n_table_lens, unknown = 0, left = 0;

	for (size_t i = 0; i < vm->n_phbs; i++)
		nc += vm->phbs[i].n_windows;
	if (!vm->fds_read || !vm->maps_read) {
		for (size_t i = 0; i < vm->n_phbs; i++)
			for (size_t j = 0; j < vm->phbs[i].n_windows; j++)
				vm->phbs[i].windows[j].table = TCE_TABLE_UNKNOWN;
		return;
	}
	c = calloc(nc ? nc : 1, sizeof(*c));
	avail = calloc(n ? n : 1, sizeof(*avail));
	if (!c || !avail)
		return;
	if (n)
		memcpy(avail, vm->table_lens, n * sizeof(*avail));
	nc = 0;
	for (size_t i = 0; i < vm->n_phbs; i++) {
		for (size_t j = 0; j < vm->phbs[i].n_windows; j++) {
			struct tce_vm_window *w = &vm->phbs[i].windows[j];
			struct cand *k = &c[nc++];
			uint64_t shifts = window_shifts(&vm->phbs[i], w);

			*k = (struct cand){ &vm->phbs[i], w, { 0 }, { 0 }, 0 };
			w->table = TCE_TABLE_NONE;
			if (w->created == TCE_NO || !w->has_size || !w->size)
				continue;
			for (unsigned s = 12; s < 64 && k->n < 64; s++) {
				uint64_t len;
				bool dup = false;

				if (!(shifts & (1ULL << s)) || (w->size >> s) == 0)
					continue;
				len = table_len(w->size, s, page);
				for (size_t m = 0; m < k->n; m++)
					dup |= k->lens[m] == len;
				if (!dup) {
					k->shifts[k->n] = s;
					k->lens[k->n++] = len;
				}
			}
		}
	}
	/* Windows with one possible length: lengths alike share the tables of
	 * that length; fewer tables than such windows is ambiguous. */
	for (size_t i = 0; i < nc; i++) {
		struct cand *k = &c[i];
		size_t same = 0, have;

		if (k->n != 1 || k->w->table != TCE_TABLE_NONE)
			continue;
		for (size_t j = 0; j < nc; j++)
			same += c[j].n == 1 && c[j].lens[0] == k->lens[0] &&
				c[j].w->table == TCE_TABLE_NONE;
		have = count_len(avail, n, k->lens[0]);
		for (size_t j = 0; j < nc; j++) {
			struct cand *o = &c[j];

			if (o->n != 1 || o->lens[0] != k->lens[0] || o->w->table != TCE_TABLE_NONE)
				continue;
			if (have == 0)
				continue; /* stays NONE */
			if (have >= same) {
				o->w->table = same > 1 ? TCE_TABLE_BY_COUNT : TCE_TABLE_MATCHED;
				o->w->table_len = o->lens[0];
				if (!o->w->has_page_shift) {
					o->w->has_page_shift = true;
					o->w->page_shift = o->shifts[0];
				}
				take(avail, n, o->lens[0]);
			} else {
				o->w->table = TCE_TABLE_AMBIGUOUS;
			}
		}
		/* an ambiguous group leaves its tables to nobody else */
		if (have && have < same)
			while (take(avail, n, k->lens[0]))
				;
	}
	/* Windows whose page size is not known: one matching length left
	 * decides it, and gives the page size; more than one is ambiguous. */
	for (size_t i = 0; i < nc; i++) {
		struct cand *k = &c[i];
		size_t hits = 0, at = 0;

		if (k->n <= 1)
			continue;
		for (size_t m = 0; m < k->n; m++)
			if (count_len(avail, n, k->lens[m])) {
				hits++;
				at = m;
			}
		if (hits == 1) {
			k->w->table = TCE_TABLE_MATCHED;
			k->w->table_len = k->lens[at];
			k->w->has_page_shift = true;
			k->w->page_shift = k->shifts[at];
			take(avail, n, k->lens[at]);
		} else if (hits > 1) {
			k->w->table = TCE_TABLE_AMBIGUOUS;
		}
	}
	/* Windows of unknown size (no QMP): tables nobody matched may be theirs. */
	for (size_t i = 0; i < n; i++)
		left += avail[i] != 0;
	for (size_t i = 0; i < nc; i++)
		unknown += c[i].w->created != TCE_NO && !c[i].w->has_size;
	for (size_t i = 0; i < nc; i++) {
		struct tce_vm_window *w = c[i].w;

		if (w->created == TCE_NO || w->has_size)
			continue;
		if (left == 0)
			w->table = TCE_TABLE_NONE;
		else if (left == 1 && unknown == 1) {
			for (size_t j = 0; j < n; j++)
				if (avail[j])
					w->table_len = avail[j];
			w->table = TCE_TABLE_MATCHED; /* by elimination */
			w->created = TCE_YES;
		} else {
			w->table = TCE_TABLE_AMBIGUOUS;
		}
	}
}

/* ---- the VM ----------------------------------------------------------------- */

static const struct tce_vm_device *phb_vfio_device(const struct tce_vm *vm, uint32_t index)
{
	for (size_t i = 0; i < vm->n_devices; i++)
		if (vm->devices[i].vfio && vm->devices[i].has_phb &&
		    vm->devices[i].phb_index == index)
			return &vm->devices[i];
	return NULL;
}

static enum tce_tristate holds_groups(const struct tce_vm *vm, uint32_t index)
{
	enum tce_tristate r = TCE_YES;
	bool any = false;

	for (size_t i = 0; i < vm->n_devices; i++) {
		const struct tce_vm_device *d = &vm->devices[i];
		bool held = false;

		if (!d->vfio || !d->has_phb || d->phb_index != index)
			continue;
		any = true;
		if (!d->has_group || !vm->fds_read)
			return TCE_UNKNOWN;
		for (size_t j = 0; j < vm->n_vfio_groups; j++)
			held |= vm->vfio_groups[j] == d->group;
		if (!held)
			r = TCE_NO;
	}
	return any ? r : TCE_UNKNOWN;
}

static enum tce_tristate memlock_short(const struct tce_vm *vm)
{
	uint64_t need;

	if (vm->cap_ipc_lock == TCE_YES || vm->mem_lock_on)
		return TCE_NO;
	if (vm->cap_ipc_lock == TCE_UNKNOWN || !vm->has_memlock)
		return TCE_UNKNOWN;
	if (vm->memlock_soft == UINT64_MAX)
		return TCE_NO;
	/* VFIO v2 registers (locks) all guest RAM, then the tables come on top
	 * (FACTS §2.6): below RAM is short for certain. */
	if (!vm->has_ram)
		return TCE_UNKNOWN;
	need = vm->ram;
	return vm->memlock_soft < need ? TCE_YES : TCE_NO;
}

static void evidence(struct tce_vm_window *w, const char *fmt, ...) _printf_(2, 3);
static void evidence(struct tce_vm_window *w, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	(void)strv_push(&w->evidence, s);
}

static const char *tri(enum tce_tristate t)
{
	return t == TCE_YES ? "yes" : t == TCE_NO ? "no" : "unknown";
}

void tce_vm_decide(struct tce_vm *vm, long page_size, enum tce_tristate cap_vfio)
{
	enum tce_tristate ml = memlock_short(vm);

	match_tables(vm, page_size);
	vm->worst = TCE_VERDICT_NONE;
	vm->n_windows = vm->n_in_kernel = 0;
	for (size_t i = 0; i < vm->n_phbs; i++) {
		struct tce_vm_phb *p = &vm->phbs[i];
		const struct tce_vm_device *dev = phb_vfio_device(vm, p->index);

		for (size_t j = 0; j < p->n_windows; j++) {
			struct tce_vm_window *w = &p->windows[j];
			struct tce_verdict_facts f = {
				.proc_readable = vm->fds_read && vm->maps_read,
				.no_process = vm->pid == 0,
				.kvm = vm->kvm,
				.vfio = p->vfio,
				.iommufd = dev && dev->iommufd,
				.created = w->created,
				.table = w->table,
				.holds_group = holds_groups(vm, p->index),
				.kvm_vfio = vm->kvm_vfio,
				.cap_vfio = cap_vfio,
				.memlock_short = ml,
				.qemu_error = w->qemu_error,
				.is_ddw = w->window_num != 0,
			};
			char sz[16];

			free(w->reason);
			w->reason = NULL;
			strv_free(w->evidence);
			w->evidence = NULL;
			w->verdict = tce_window_verdict(&f, &w->reason);
			vm->n_windows++;
			vm->n_in_kernel += w->verdict == TCE_VERDICT_IN_KERNEL;
			/* a window the guest has not created carries no DMA: it does
			 * not make the VM's verdict */
			if (w->created != TCE_NO && w->verdict > vm->worst)
				vm->worst = w->verdict;

			if (w->has_size) {
				tce_format_size(w->size, sz, sizeof(sz));
				evidence(w, "window: %s at 0x%" PRIx64 " (%s)", sz, w->start,
					 w->source ? w->source : "?");
			}
			if (vm->fds_read)
				evidence(w, "kvm-spapr-tce tables held by QEMU: %u", vm->n_tce_fds);
			if (w->table == TCE_TABLE_MATCHED || w->table == TCE_TABLE_BY_COUNT)
				evidence(
				    w, "KVM table mapped as %" PRIu64 " bytes (%s)", w->table_len,
				    w->table == TCE_TABLE_BY_COUNT ? "one of several tables alike"
								   : "the length matches");
			if (p->vfio == TCE_YES && vm->fds_read) {
				evidence(w, "kvm-vfio device: %s", vm->kvm_vfio ? "yes" : "no");
				evidence(w, "VFIO group held: %s", tri(holds_groups(vm, p->index)));
			}
			if (p->vfio == TCE_YES)
				evidence(w, "KVM_CAP_SPAPR_TCE_VFIO: %s",
					 cap_vfio == TCE_YES  ? "1"
					 : cap_vfio == TCE_NO ? "0"
							      : "unknown");
			if (w->verdict != TCE_VERDICT_IN_KERNEL && ml == TCE_YES)
				evidence(w,
					 "memlock short: limit %" PRIu64 " bytes, RAM %" PRIu64
					 " bytes, no CAP_IPC_LOCK",
					 vm->memlock_soft, vm->ram);
			if (w->qemu_error)
				evidence(w, "QEMU: %s", w->qemu_error);
		}
	}
}
