/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory: this process's RLIMIT_MEMLOCK (INFO) and huge pages (INFO). The
 * kernel counts locked memory in its own pages (64 KiB on most ppc64le
 * kernels) and CAP_IPC_LOCK bypasses the limit (FACTS §2.6, §7 2.6a).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/checks.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"
#include "tceiommu/vmcollect.h"

/* fs/proc/base.c proc_pid_limits: "Max locked memory  <soft> <hard> bytes" */
static int limits_memlock(const char *buf, char *soft, char *hard, size_t len)
{
	const char *p = strstr(buf, "Max locked memory");
	char s[32], h[32];

	if (!p || sscanf(p + 17, "%31s %31s", s, h) != 2)
		return -EINVAL;
	snprintf(soft, len, "%s", s);
	snprintf(hard, len, "%s", h);
	return 0;
}

static void human(const char *v, long page, char *out, size_t len)
{
	uint64_t n;
	char sz[32];

	if (streq(v, "unlimited") || tce_parse_u64(v, 10, &n) < 0) {
		snprintf(out, len, "%s", v);
		return;
	}
	tce_format_size(n, sz, sizeof(sz));
	if (page > 0)
		snprintf(out, len, "%s (%" PRIu64 " kernel pages)", sz, n / (uint64_t)page);
	else
		snprintf(out, len, "%s", sz);
}

void tce_chk_memlock_self(struct tce_check_ctx *c, struct tce_check_result *r)
{
	_cleanup_free_ char *buf = NULL;
	char soft[32], hard[32], hs[64], hh[64];
	long page = tce_root_page_size(c->r);
	size_t len;
	int k = tce_root_read(c->r, PATH_PROC_SELF_LIMITS, 65536, &buf, &len);

	if (k < 0 || memchr(buf, '\0', len) || limits_memlock(buf, soft, hard, sizeof(soft)) < 0) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "cannot read " PATH_PROC_SELF_LIMITS ": %s",
			   k == -ENODATA ? "not recorded"
			   : k < 0	 ? strerror(-k)
					 : "no memlock line");
		return;
	}
	tce_evidence(r, PATH_PROC_SELF_LIMITS " Max locked memory", "soft %s, hard %s", soft, hard);
	if (page > 0)
		tce_evidence(r, "page size", "%ld", page);
	human(soft, page, hs, sizeof(hs));
	human(hard, page, hh, sizeof(hh));
	tce_result(r, TCE_LVL_INFO,
		   "QEMU started by hand needs a limit covering guest RAM plus its TCE tables "
		   "(ulimit -l); libvirt sets its own (memlock.libvirt)",
		   "soft %s, hard %s%s", hs, hh,
		   tce_root_euid(c->r) == 0 ? "; root's CAP_IPC_LOCK bypasses it" : "");
}

static int meminfo_value(const char *buf, const char *key, uint64_t *ret)
{
	const char *p = buf;
	size_t n = strlen(key);

	while ((p = strstr(p, key))) {
		if ((p == buf || p[-1] == '\n') && p[n] == ':') {
			char v[32];

			if (sscanf(p + n + 1, "%31s", v) != 1)
				return -EINVAL;
			return tce_parse_u64(v, 10, ret);
		}
		p += n;
	}
	return -ENOENT;
}

void tce_chk_hugepages(struct tce_check_ctx *c, struct tce_check_result *r)
{
	_cleanup_free_ char *buf = NULL;
	uint64_t total, freep, size_kb;
	size_t len;
	char sz[32];
	int k = tce_root_read(c->r, PATH_PROC_MEMINFO, 1 << 20, &buf, &len);

	if (k < 0 || memchr(buf, '\0', len)) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "cannot read " PATH_PROC_MEMINFO ": %s",
			   k == -ENODATA ? "not recorded"
			   : k < 0	 ? strerror(-k)
					 : "binary");
		return;
	}
	if (meminfo_value(buf, "HugePages_Total", &total) < 0 ||
	    meminfo_value(buf, "HugePages_Free", &freep) < 0 ||
	    meminfo_value(buf, "Hugepagesize", &size_kb) < 0) {
		tce_result(r, TCE_LVL_INFO, NULL, "no huge pages in this kernel");
		return;
	}
	tce_evidence(r, PATH_PROC_MEMINFO,
		     "HugePages_Total %" PRIu64 ", HugePages_Free %" PRIu64
		     ", Hugepagesize %" PRIu64 " kB",
		     total, freep, size_kb);
	tce_format_size(size_kb * 1024, sz, sizeof(sz));
	if (total == 0)
		tce_result(r, TCE_LVL_INFO,
			   "reserve huge pages (vm.nr_hugepages) to back guest RAM with them",
			   "none reserved (default size %s)", sz);
	else
		tce_result(r, TCE_LVL_INFO, NULL, "%" PRIu64 " of %s reserved, %" PRIu64 " free",
			   total, sz, freep);
}

/*
 * memlock.qemu: each running QEMU with VFIO, its VmLck against its own
 * RLIMIT_MEMLOCK (the soft limit account_locked_vm() checks, mm/util.c),
 * counted in the kernel's pages. CAP_IPC_LOCK bypasses the limit (VmLck above
 * it is then normal), and mem-lock=on locks all guest RAM on purpose. With
 * VFIO v2 QEMU registers (locks) all guest RAM and the TCE tables come on top
 * (FACTS §2.6): a limit below guest RAM fails at start or leaves the tables
 * in userspace; VmLck close to the limit leaves no room for a new window or a
 * hotplugged device. From the VM map's collector, /proc only.
 */
void tce_chk_memlock_qemu(struct tce_check_ctx *c, struct tce_check_result *r)
{
	_cleanup_vms_ struct tce_vms *v = NULL;
	struct tce_vms_opts o = { .uri = NULL, .timeout_ms = 1000 };
	long page = tce_root_page_size(c->r);
	size_t checked = 0, bad = 0, unknown = 0;
	int k = tce_vms_collect(c->r, &o, &v);

	if (k < 0) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "cannot read the running VMs: %s",
			   strerror(-k));
		return;
	}
	if (page <= 0)
		page = 4096;
	for (size_t i = 0; i < v->n; i++) {
		const struct tce_vm *vm = &v->vms[i];
		const char *name = vm->name ? vm->name : "?";
		bool vfio = vm->n_vfio_groups > 0;
		char l[32], lk[32], ram[32];

		for (size_t j = 0; j < vm->n_devices; j++)
			vfio |= vm->devices[j].vfio;
		if (!vfio)
			continue;
		checked++;
		if (!vm->has_vmlck || !vm->has_memlock || vm->cap_ipc_lock == TCE_UNKNOWN) {
			unknown++;
			tce_evidence(r, "pid", "%d (%s): /proc/%d/status or limits unreadable",
				     vm->pid, name, vm->pid);
			continue;
		}
		tce_format_size(vm->vmlck, lk, sizeof(lk));
		if (vm->memlock_soft == UINT64_MAX)
			snprintf(l, sizeof(l), "unlimited");
		else
			tce_format_size(vm->memlock_soft, l, sizeof(l));
		tce_evidence(r, "pid",
			     "%d (%s): VmLck %s (%" PRIu64
			     " kernel pages), limit %s, CAP_IPC_LOCK %s%s",
			     vm->pid, name, lk, vm->vmlck / (uint64_t)page, l,
			     vm->cap_ipc_lock == TCE_YES ? "yes" : "no",
			     vm->mem_lock_on ? ", mem-lock=on" : "");
		if (vm->cap_ipc_lock == TCE_YES || vm->memlock_soft == UINT64_MAX)
			continue;
		if (vm->has_ram && vm->memlock_soft < vm->ram) {
			tce_format_size(vm->ram, ram, sizeof(ram));
			tce_evidence(r, "pid", "%d (%s): limit %s below guest RAM %s", vm->pid,
				     name, l, ram);
			bad++;
		} else if (vm->vmlck / (uint64_t)page + 16 > vm->memlock_soft / (uint64_t)page) {
			/* fewer than 16 kernel pages left: a new window's table will not fit */
			tce_evidence(r, "pid", "%d (%s): VmLck at its limit", vm->pid, name);
			bad++;
		}
	}
	if (checked == 0 && (v->proc_hidden || v->proc_partial)) {
		tce_result(r, TCE_LVL_UNKNOWN, "run as root",
			   "other users' QEMU processes cannot be read (%s)",
			   v->proc_hidden ? "process list hidden" : "needs root");
	} else if (checked == 0) {
		tce_result(r, TCE_LVL_SKIP, NULL, "no running QEMU with VFIO");
	} else if (bad) {
		tce_result(
		    r, TCE_LVL_WARN,
		    "raise the limit to guest RAM plus the TCE tables (libvirt sets it; by "
		    "hand: ulimit -l, or LimitMEMLOCK= in a unit), or give QEMU CAP_IPC_LOCK",
		    "%zu of %zu QEMU processes with VFIO lack locked memory", bad, checked);
	} else if (unknown) {
		tce_result(r, TCE_LVL_UNKNOWN, "run as root",
			   "%zu of %zu QEMU processes unreadable", unknown, checked);
	} else {
		tce_result(r, TCE_LVL_PASS, NULL, "%zu QEMU process%s with VFIO within %s limit",
			   checked, checked == 1 ? "" : "es", checked == 1 ? "its" : "their");
	}
}
