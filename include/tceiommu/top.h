/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * top: one interval's TCE hcall counts, joined with the VM map (which VM a
 * QEMU pid is, which PHB and verdict a LIOBN has), and its renderers
 * (src/render/top.c). Rows are per VM and LIOBN, the worst first: the most
 * hcalls sent to QEMU per second.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tceiommu/hcall.h"
#include "tceiommu/vm.h"

struct tce_top_row {
	const struct tce_vm *vm; /* NULL: a QEMU pid the map does not know */
	int pid;
	uint32_t liobn;
	const struct tce_vm_window *w; /* NULL: a LIOBN the map does not know */
	uint64_t in_kernel, to_qemu;
	uint64_t by_hcall[3][2]; /* H_PUT_TCE, H_PUT_TCE_INDIRECT, H_STUFF_TCE x kernel, QEMU */
	double kernel_rate, qemu_rate;
	const char *flag; /* the measurement disagrees with the verdict: why */
};

struct tce_top_interval {
	uint64_t seq;
	double seconds;
	uint64_t lost;
	size_t pending;
	struct tce_top_row *rows;
	size_t n;
};

/* Rows from the counts and the map, sorted worst first; NULL filter: all. */
int tce_top_rows(const struct tce_hcall_count *c, size_t n, const struct tce_vms *vms,
		 double seconds, char *const *only, struct tce_top_interval *ret);
void tce_top_interval_done(struct tce_top_interval *t);
/* The verdict-versus-measurement flag of one row (pure). */
const char *tce_top_flag(const struct tce_vm_window *w, uint64_t in_kernel, uint64_t to_qemu);

void tce_render_top_batch(const struct tce_top_interval *t, FILE *f);
void tce_render_top_screen(const struct tce_top_interval *t, const char *host, bool clear, FILE *f);
int tce_render_top_json(const struct tce_top_interval *t, FILE *f);

/* One interval of live (or replayed) hcalls, paired: for show-vm --rates
 * and record --top (which saves the events into the snapshot). */
struct tce_root;
int tce_top_measure(struct tce_root *r, double seconds, struct tce_hcall_pairer **ret_pairer,
		    double *ret_seconds, char **why);
