/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host facts for check-host: /proc/cpuinfo, module states (libkmod), KVM
 * capabilities and the VFIO container's extensions. The ioctl and libkmod
 * answers are live-only and go through the probe interface (probe.h), so a
 * snapshot records them as sidecars and --root replays them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "tceiommu/root.h"

/* ---- /proc/cpuinfo (arch/powerpc/kernel/setup-common.c show_cpuinfo) ---- */
struct tce_cpuinfo {
	char *cpu;	/* first "cpu" line: the (compatibility) mode */
	char *revision; /* "2.2 (pvr 004e 1202)" */
	bool has_pvr;
	uint32_t pvr;
	char *platform; /* PowerNV, pSeries */
	char *model;
	char *machine;
	char *mmu; /* Radix, Hash */
	unsigned processors;
};
int tce_cpuinfo_parse(const char *buf, size_t len, struct tce_cpuinfo *ret);
void tce_cpuinfo_done(struct tce_cpuinfo *c);
/* "POWER9" from the PVR's version (arch/powerpc/include/asm/reg.h), or NULL. */
const char *tce_pvr_generation(uint32_t pvr);

/* ---- module state (libkmod) --------------------------------------------- */
enum tce_mod_state {
	TCE_MOD_UNKNOWN, /* not recorded, or libkmod failed */
	TCE_MOD_ABSENT,	 /* not loaded, not built in */
	TCE_MOD_LIVE,
	TCE_MOD_BUILTIN,
	TCE_MOD_COMING,
	TCE_MOD_GOING,
};
struct tce_module {
	enum tce_mod_state state;
	int available; /* a module file exists: 1, 0, -1 unknown */
	int err;       /* why unknown */
};
int tce_module_state(struct tce_root *r, const char *name, struct tce_module *ret);
const char *tce_mod_state_name(enum tce_mod_state s);
static inline bool tce_module_present(const struct tce_module *m)
{
	return m->state == TCE_MOD_LIVE || m->state == TCE_MOD_BUILTIN;
}

/* ---- ioctls --------------------------------------------------------------- */
/* Can /dev/kvm be opened: 0 or -errno. */
int tce_kvm_open(struct tce_root *r);
/* KVM_CHECK_EXTENSION on /dev/kvm: 0 and the answer, or -errno (open or ioctl). */
int tce_kvm_check_extension(struct tce_root *r, unsigned cap, long *ret);
/* On an empty VFIO container: "api" (VFIO_GET_API_VERSION) or an extension number. */
int tce_vfio_container_ask(struct tce_root *r, const char *what, long *ret);

/* Live answers for the probe interface (probe.c dispatches to them). */
int tce_live_kvm(const char *key, char ***ret);
int tce_live_vfio(const char *key, char ***ret);
struct kmod_ctx;
int tce_live_module(struct kmod_ctx **ctx, const char *key, char ***ret);
