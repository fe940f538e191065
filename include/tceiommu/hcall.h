/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCE hypercalls as KVM Book3S HV traces them (arch/powerpc/kvm/trace_hv.h):
 * kvm_hv:kvm_hcall_enter {vcpu_id, req, gpr4..gpr7} and kvm_hv:kvm_hcall_exit
 * {vcpu_id, ret, hcall_rc}, fired around kvmppc_pseries_do_hcall() in
 * arch/powerpc/kvm/book3s_hv.c on the vCPU's thread. For the TCE hcalls gpr4
 * is the LIOBN; an exit whose ret has RESUME_FLAG_HOST went to userspace
 * (QEMU). Field offsets come from each event's tracefs "format" file, never
 * from here. Pure code: parsers, the enter/exit pairing and the rates.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* arch/powerpc/include/asm/hvcall.h */
#define TCE_H_PUT_TCE 0x20
#define TCE_H_STUFF_TCE 0x138
#define TCE_H_PUT_TCE_INDIRECT 0x13C
/* arch/powerpc/include/asm/kvm_ppc.h: RESUME_FLAG_HOST (1 << 1) */
#define TCE_RESUME_FLAG_HOST 2u
/* the kernel-side filter on kvm_hcall_enter */
#define TCE_HCALL_FILTER "req == 0x20 || req == 0x138 || req == 0x13c"

const char *tce_hcall_name(uint64_t req); /* NULL for other hcalls */

struct tce_tp_field {
	char name[32];
	unsigned offset, size;
	bool is_signed;
};

struct tce_tp_format {
	char name[64];
	uint64_t id;
	struct tce_tp_field fields[24];
	size_t n;
};

/* A tracefs events/SYSTEM/EVENT/format file. 0, or -EINVAL. */
int tce_tp_format_parse(const char *buf, size_t len, struct tce_tp_format *ret);
const struct tce_tp_field *tce_tp_field_find(const struct tce_tp_format *f, const char *name);
/* A field of a raw sample, bounds-checked, sign-extended when signed. */
int tce_tp_field_u64(const struct tce_tp_field *f, const void *raw, size_t len, uint64_t *ret);

/* What a kvm_hcall_enter / _exit sample says. */
struct tce_hcall_event {
	bool exit;
	uint64_t time_ns;
	int pid, tid;
	int vcpu;
	uint64_t req, liobn; /* enter */
	uint64_t ret, rc;    /* exit */
};

/* The offsets of both events, checked: -EINVAL when a needed field lacks. */
struct tce_hcall_layout {
	const struct tce_tp_field *e_vcpu, *e_req, *e_gpr4;
	const struct tce_tp_field *x_vcpu, *x_ret, *x_rc;
};
int tce_hcall_layout(const struct tce_tp_format *enter, const struct tce_tp_format *exit,
		     struct tce_hcall_layout *ret);
/* Decode a raw sample of one of the two events into ev. */
int tce_hcall_decode(const struct tce_hcall_layout *l, bool exit, const void *raw, size_t len,
		     struct tce_hcall_event *ev);

/* Counts per (QEMU pid, LIOBN, hcall): handled in the kernel, or sent to QEMU. */
struct tce_hcall_count {
	int pid;
	uint32_t liobn;
	uint32_t hcall;
	uint64_t in_kernel, to_qemu;
};

/*
 * Pairs each exit with the enter of the same thread (a vCPU thread makes one
 * hcall at a time). Feed events in time order per thread; an exit without
 * its enter (the enter was not a TCE hcall, or came before the start) is
 * not counted.
 */
struct tce_hcall_pairer;
int tce_hcall_pairer_new(struct tce_hcall_pairer **ret);
void tce_hcall_pairer_free(struct tce_hcall_pairer *p);
int tce_hcall_pairer_feed(struct tce_hcall_pairer *p, const struct tce_hcall_event *ev);
/* The counts so far (owned by the pairer), and how many enters wait. */
const struct tce_hcall_count *tce_hcall_pairer_counts(const struct tce_hcall_pairer *p,
						      size_t *ret_n);
size_t tce_hcall_pairer_pending(const struct tce_hcall_pairer *p);
/* Zero the counts (a new interval), keeping the pending enters. */
void tce_hcall_pairer_reset(struct tce_hcall_pairer *p);

/* Events per second over an interval; 0 for a zero or negative interval. */
double tce_rate(uint64_t count, uint64_t interval_ns);
