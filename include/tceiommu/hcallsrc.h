/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top's hcall events: live from perf, or replayed from a snapshot (src/top/source.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tceiommu/hcall.h"
#include "tceiommu/root.h"

struct tce_hcall_source;

/* 0, or -errno with *why in words: -ENOENT no kvm_hv tracepoints (or no
 * recorded events), -EACCES/-EPERM needs root or CAP_PERFMON. */
int tce_hcall_source_open(struct tce_root *r, struct tce_hcall_source **ret, char **why);
void tce_hcall_source_free(struct tce_hcall_source *s);
/*
 * The events of the next interval, in time order (*ret malloc'd), and how
 * long it really took. Live, this waits interval_ns; replayed, the recorded
 * events of the next interval_ns of their clock, -ENODATA after the last.
 */
int tce_hcall_source_next(struct tce_hcall_source *s, uint64_t interval_ns,
			  struct tce_hcall_event **ret, size_t *ret_n, uint64_t *ret_elapsed_ns);
uint64_t tce_hcall_source_lost(const struct tce_hcall_source *s);
bool tce_hcall_source_replayed(const struct tce_hcall_source *s);
/* While recording: the events into the snapshot, for --root to replay. */
int tce_hcall_events_save(struct tce_root *r, const struct tce_hcall_event *ev, size_t n);
