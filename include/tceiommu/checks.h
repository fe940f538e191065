/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-host: a static table of checks (src/checks/table.c), each a function
 * that reads the host through the root and the probe interface and returns a
 * result {level, message, hint, evidence}. Nothing here prints; the
 * renderers in src/render/checks.c do.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "tceiommu/hostinfo.h"
#include "tceiommu/model.h"
#include "tceiommu/root.h"

/* Ordered by how much they matter to the exit status (SPEC.md). */
enum tce_level {
	TCE_LVL_PASS,
	TCE_LVL_INFO,
	TCE_LVL_SKIP,
	TCE_LVL_UNKNOWN,
	TCE_LVL_WARN,
	TCE_LVL_FAIL,
	TCE_N_LEVELS
};
const char *tce_level_name(enum tce_level l);

struct tce_evidence {
	char *source; /* the file read or the ioctl asked */
	char *value;  /* its answer */
};

struct tce_check;

struct tce_check_result {
	const struct tce_check *check;
	enum tce_level level;
	char *message;
	char *hint;
	struct tce_evidence *evidence;
	size_t n_evidence;
};

/* What a run knows; filled lazily by the checks, shared between them. */
struct tce_check_ctx {
	struct tce_root *r;
	const char *connect; /* libvirt URI */
	bool live;	     /* libvirt is asked only live */
	enum tce_platform platform;
	bool cpuinfo_read;
	int cpuinfo_err;
	struct tce_cpuinfo cpu;
	bool groups_read;
	int groups_err;
	struct tce_host *groups;
	struct {
		const char *name;
		bool read;
		struct tce_module m;
	} mods[8];
	/* libvirt's socket: 0 not looked at yet, -1 absent, 1 there */
	int vsock;
	char *vsock_note;
	/* the libvirt sessions (src/checks/libvirt.c) */
	struct tce_libvirt_session *vsess[2];
	size_t n_vsess;
	/* libvirt did not answer in time: the later libvirt checks do not ask */
	char *vconn_error;
};

typedef void tce_check_fn(struct tce_check_ctx *c, struct tce_check_result *r);

/* Start the libvirt checks among CHECKS on a thread of their own, sharing one
 * connection, so that loading libvirt overlaps the host checks; each of them
 * then only waits for its result. Nothing happens without libvirt's socket. */
void tce_libvirt_start(struct tce_check_ctx *c, tce_check_fn *const *checks, size_t n);
void tce_libvirt_ctx_done(struct tce_check_ctx *c);

enum tce_applies {
	TCE_APPLIES_ALL,
	TCE_APPLIES_POWER,   /* any POWER platform (device tree or cpuinfo) */
	TCE_APPLIES_POWERNV, /* bare-metal PowerNV */
	TCE_APPLIES_LIBVIRT, /* a live host with libvirt support built in */
};

struct tce_check {
	const char *id;
	const char *title;
	enum tce_applies applies;
	bool needs_root;
	const char *when_bad; /* the level when the host is not ready, for the man page */
	tce_check_fn *fn;
};

extern const struct tce_check tce_checks[];
extern const size_t tce_n_checks;

void tce_check_ctx_init(struct tce_check_ctx *c, struct tce_root *r, const char *connect);
void tce_check_ctx_done(struct tce_check_ctx *c);
/* Before the first tce_check_run: start what can run beside the others
 * (the libvirt checks among SELECTED, one flag per tce_checks[] entry). */
void tce_checks_start(struct tce_check_ctx *c, const bool *selected);
/* Runs one check; a check that does not apply here gives SKIP. */
void tce_check_run(struct tce_check_ctx *c, const struct tce_check *chk,
		   struct tce_check_result *r);
void tce_check_result_done(struct tce_check_result *r);

/* Exit status of a set of results: FAIL 2 > WARN 1 > UNKNOWN 3 > 0. */
int tce_checks_exit_status(const struct tce_check_result *res, size_t n);

/* Helpers for the check functions. */
void tce_result(struct tce_check_result *r, enum tce_level l, const char *hint, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
void tce_evidence(struct tce_check_result *r, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const struct tce_cpuinfo *tce_ctx_cpuinfo(struct tce_check_ctx *c);
const struct tce_module *tce_ctx_module(struct tce_check_ctx *c, const char *name);
const struct tce_host *tce_ctx_groups(struct tce_check_ctx *c);
bool tce_ctx_is_power(struct tce_check_ctx *c);
/* KVM can be asked without autoloading anything: kvm loaded or built in. */
bool tce_ctx_kvm_present(struct tce_check_ctx *c);
bool tce_ctx_vfio_present(struct tce_check_ctx *c);

/* The check functions, by area (src/checks/<area>.c). */
void tce_chk_platform(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_cpu(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_mmu(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_kernel(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_smt(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_kvm_device(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_kvm_flavour(struct tce_check_ctx *c, struct tce_check_result *r);
/* the plain capabilities, by the check id */
void tce_chk_cap(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_cap_tce_vfio(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_kvm_vfio_device(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_iommu_groups(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_vfio_modules(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_vfio_container(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_vfio_spapr_v2(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_vfio_eeh(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_vfio_noiommu(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_vfio_viable(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_memlock_self(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_hugepages(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_memlock_qemu(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_memlock_libvirt(struct tce_check_ctx *c, struct tce_check_result *r);
void tce_chk_libvirt(struct tce_check_ctx *c, struct tce_check_result *r);

/* libvirt's memlock figure for a ppc64 domain with VFIO (FACTS §7 2.6a),
 * in bytes; exposed for unit tests. */
unsigned long long tce_libvirt_ppc64_memlock(unsigned long long mem_bytes,
					     unsigned long long maxmem_bytes, unsigned phbs,
					     bool vfio);
