/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VM map's pure parts: the verdict, branch by branch; matching KVM
 * tables to windows by mapped length; the /proc parsers and QEMU's command
 * line, on real and on hostile input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tceiommu/util.h"
#include "tceiommu/vmproc.h"

/* A window whose hcalls the kernel handles: every fact in its favour. */
static struct tce_verdict_facts good(void)
{
	return (struct tce_verdict_facts){
		.proc_readable = true,
		.kvm = TCE_YES,
		.vfio = TCE_YES,
		.created = TCE_YES,
		.table = TCE_TABLE_MATCHED,
		.holds_group = TCE_YES,
		.kvm_vfio = true,
		.cap_vfio = TCE_YES,
		.memlock_short = TCE_NO,
	};
}

static enum tce_verdict verdict(const struct tce_verdict_facts *f, const char *want_in_reason)
{
	char *reason = NULL;
	enum tce_verdict v = tce_window_verdict(f, &reason);

	if (want_in_reason) {
		assert_non_null(reason);
		if (!strstr(reason, want_in_reason))
			fail_msg("reason '%s' lacks '%s'", reason, want_in_reason);
	}
	free(reason);
	return v;
}

static void test_verdict_branches(void **state)
{
	struct tce_verdict_facts f = good();

	assert_int_equal(verdict(&f, NULL), TCE_VERDICT_IN_KERNEL);
	/* cap unknown (not root): the table QEMU kept in KVM is the proof */
	f.cap_vfio = TCE_UNKNOWN;
	assert_int_equal(verdict(&f, NULL), TCE_VERDICT_IN_KERNEL);
	f.table = TCE_TABLE_BY_COUNT;
	assert_int_equal(verdict(&f, NULL), TCE_VERDICT_IN_KERNEL);

	f = good(), f.vfio = TCE_NO;
	assert_int_equal(verdict(&f, "no VFIO device"), TCE_VERDICT_EMULATED);
	f.kvm = TCE_NO; /* emulated stays emulated under TCG */
	assert_int_equal(verdict(&f, NULL), TCE_VERDICT_EMULATED);
	/* E2E §5c: an emulated NIC under a 1 MiB limit: QEMU keeps the tables */
	f = good(), f.vfio = TCE_NO, f.table = TCE_TABLE_NONE;
	f.qemu_error = "KVM: Failed to create TCE64 table for liobn 0x80000300";
	assert_int_equal(verdict(&f, "exit to QEMU too (no KVM table: KVM: Failed"),
			 TCE_VERDICT_EMULATED);

	f = good(), f.created = TCE_NO, f.is_ddw = true;
	assert_int_equal(verdict(&f, "32-bit window"), TCE_VERDICT_USERSPACE);
	f = good(), f.kvm = TCE_NO;
	assert_int_equal(verdict(&f, "TCG"), TCE_VERDICT_USERSPACE);
	f = good(), f.iommufd = true;
	assert_int_equal(verdict(&f, "iommufd"), TCE_VERDICT_USERSPACE);
	f = good(), f.qemu_error = "KVM: Failed to create TCE64 table for liobn 0x80000300";
	assert_int_equal(verdict(&f, "Failed to create TCE64"), TCE_VERDICT_USERSPACE);
	f = good(), f.vfio = TCE_UNKNOWN;
	assert_int_equal(verdict(&f, "--qmp"), TCE_VERDICT_UNKNOWN);
	f = good(), f.proc_readable = false;
	assert_int_equal(verdict(&f, "needs root"), TCE_VERDICT_UNKNOWN);
	f.cap_vfio = TCE_NO; /* decided without the fds: the host cannot link */
	assert_int_equal(verdict(&f, "KVM_CAP_SPAPR_TCE_VFIO is 0"), TCE_VERDICT_USERSPACE);
	f = good(), f.kvm = TCE_UNKNOWN;
	assert_int_equal(verdict(&f, "KVM"), TCE_VERDICT_UNKNOWN);
	f = good(), f.created = TCE_UNKNOWN, f.table = TCE_TABLE_NONE;
	assert_int_equal(verdict(&f, "created"), TCE_VERDICT_UNKNOWN);
	f.table = TCE_TABLE_MATCHED; /* a table is there: so is the window */
	assert_int_equal(verdict(&f, NULL), TCE_VERDICT_IN_KERNEL);

	f = good(), f.table = TCE_TABLE_NONE, f.cap_vfio = TCE_NO;
	assert_int_equal(verdict(&f, "KVM_CAP_SPAPR_TCE_VFIO is 0"), TCE_VERDICT_USERSPACE);
	f.cap_vfio = TCE_YES, f.memlock_short = TCE_YES;
	assert_int_equal(verdict(&f, "memlock"), TCE_VERDICT_USERSPACE);
	f.memlock_short = TCE_NO;
	assert_int_equal(verdict(&f, "too few"), TCE_VERDICT_USERSPACE);
	f = good(), f.table = TCE_TABLE_AMBIGUOUS;
	assert_int_equal(verdict(&f, "ambiguous"), TCE_VERDICT_UNKNOWN);
	f = good(), f.table = TCE_TABLE_UNKNOWN;
	assert_int_equal(verdict(&f, "matched"), TCE_VERDICT_UNKNOWN);
	f = good(), f.holds_group = TCE_NO;
	assert_int_equal(verdict(&f, "VFIO group"), TCE_VERDICT_USERSPACE);
	f = good(), f.kvm_vfio = false;
	assert_int_equal(verdict(&f, "kvm-vfio"), TCE_VERDICT_USERSPACE);
	f = good(), f.cap_vfio = TCE_NO;
	assert_int_equal(verdict(&f, "KVM_CAP_SPAPR_TCE_VFIO"), TCE_VERDICT_USERSPACE);
}

/* A VM as /proc shows it: PHB 0 (emulated) and PHB 3 (VFIO), windows of
 * 1 GiB at 4 KiB pages -> 2 MiB tables. */
static void vm_two_phbs(struct tce_vm *vm, size_t n_tables, const uint64_t *lens)
{
	struct tce_vm_phb *p0, *p3;
	struct tce_vm_window *w;
	struct tce_vm_device *d;

	memset(vm, 0, sizeof(*vm));
	vm->pid = 4242;
	vm->kvm = TCE_YES;
	vm->cap_ipc_lock = TCE_YES;
	vm->fds_read = vm->maps_read = true;
	vm->kvm_vfio = true;
	vm->n_tce_fds = (unsigned)n_tables;
	vm->table_lens = calloc(n_tables + 1, sizeof(uint64_t));
	memcpy(vm->table_lens, lens, n_tables * sizeof(uint64_t));
	vm->n_table_lens = n_tables;
	vm->vfio_groups = calloc(1, sizeof(uint64_t));
	vm->vfio_groups[0] = 1;
	vm->n_vfio_groups = 1;
	assert_non_null(p0 = tce_vm_phb_get(vm, 0));
	p0->vfio = TCE_NO;
	assert_non_null(p3 = tce_vm_phb_get(vm, 3));
	p3 = tce_vm_phb_get(vm, 3);
	p3->vfio = TCE_YES;
	for (uint32_t idx = 0; idx <= 3; idx += 3) {
		struct tce_vm_phb *p = tce_vm_phb_get(vm, idx);

		assert_non_null(w = tce_vm_window_get(p, tce_spapr_pci_liobn(idx, 0)));
		w->has_size = true, w->size = 1ULL << 30, w->created = TCE_YES;
		assert_non_null(w = tce_vm_window_get(p, tce_spapr_pci_liobn(idx, 1)));
		w->created = TCE_UNKNOWN; /* no QMP: the DDW's size is QEMU's */
	}
	assert_non_null(d = tce_vm_device_add(vm));
	d->vfio = true, d->has_phb = true, d->phb_index = 3, d->has_group = true, d->group = 1;
}

static const struct tce_vm_window *win(const struct tce_vm *vm, uint32_t liobn)
{
	for (size_t i = 0; i < vm->n_phbs; i++)
		for (size_t j = 0; j < vm->phbs[i].n_windows; j++)
			if (vm->phbs[i].windows[j].liobn == liobn)
				return &vm->phbs[i].windows[j];
	fail_msg("no window 0x%x", liobn);
	return NULL;
}

static void test_decide_matching(void **state)
{
	const uint64_t two[] = { 2u << 20, 2u << 20 };
	const uint64_t one[] = { 2u << 20 };
	const uint64_t three[] = { 2u << 20, 2u << 20, 16u << 20 };
	struct tce_vm vm;

	/* the powernv9-6.12-l2 recording: both 1 GiB windows have a table */
	vm_two_phbs(&vm, 2, two);
	tce_vm_decide(&vm, 65536, TCE_YES);
	assert_int_equal(win(&vm, 0x80000300)->verdict, TCE_VERDICT_IN_KERNEL);
	assert_int_equal(win(&vm, 0x80000300)->table, TCE_TABLE_BY_COUNT);
	assert_int_equal(win(&vm, 0x80000000)->verdict, TCE_VERDICT_EMULATED);
	/* no table left over: whether the DDW exists is QEMU's to say */
	assert_int_equal(win(&vm, 0x80000301)->verdict, TCE_VERDICT_UNKNOWN);
	assert_int_equal(vm.worst, TCE_VERDICT_UNKNOWN);
	tce_vm_done(&vm);

	/* one table for two windows alike: which lacks it is not known */
	vm_two_phbs(&vm, 1, one);
	tce_vm_decide(&vm, 65536, TCE_YES);
	assert_int_equal(win(&vm, 0x80000300)->table, TCE_TABLE_AMBIGUOUS);
	assert_int_equal(win(&vm, 0x80000300)->verdict, TCE_VERDICT_UNKNOWN);
	tce_vm_done(&vm);

	/* a third table of another length: the one DDW of unknown size is
	 * ambiguous between the two PHBs' DDWs */
	vm_two_phbs(&vm, 3, three);
	tce_vm_decide(&vm, 65536, TCE_YES);
	assert_int_equal(win(&vm, 0x80000301)->table, TCE_TABLE_AMBIGUOUS);
	tce_vm_done(&vm);

	/* QMP said PHB 0 has no DDW (ddw=off), PHB 3's is 128 GiB: the leftover
	 * 16 MiB table is its, at 64 KiB pages (128 GiB / 64 KiB * 8) */
	vm_two_phbs(&vm, 3, three);
	{
		struct tce_vm_window *w = (struct tce_vm_window *)win(&vm, 0x80000301);

		w->has_size = true, w->size = 128ULL << 30, w->created = TCE_YES;
		w = (struct tce_vm_window *)win(&vm, 0x80000001);
		w->has_size = true, w->size = 0, w->created = TCE_NO;
	}
	tce_vm_decide(&vm, 65536, TCE_YES);
	assert_int_equal(win(&vm, 0x80000301)->table, TCE_TABLE_MATCHED);
	assert_true(win(&vm, 0x80000301)->has_page_shift);
	assert_int_equal(win(&vm, 0x80000301)->page_shift, 16);
	assert_int_equal(win(&vm, 0x80000301)->verdict, TCE_VERDICT_IN_KERNEL);
	assert_int_equal(win(&vm, 0x80000001)->verdict, TCE_VERDICT_EMULATED);
	assert_int_equal(vm.worst, TCE_VERDICT_IN_KERNEL);
	assert_int_equal(vm.n_in_kernel, 2);
	tce_vm_done(&vm);

	/* TCG: no tables at all */
	vm_two_phbs(&vm, 0, one);
	vm.kvm = TCE_NO;
	vm.kvm_vfio = false;
	tce_vm_decide(&vm, 65536, TCE_YES);
	assert_int_equal(win(&vm, 0x80000300)->verdict, TCE_VERDICT_USERSPACE);
	assert_non_null(strstr(win(&vm, 0x80000300)->reason, "TCG"));
	assert_int_equal(vm.worst, TCE_VERDICT_USERSPACE);
	tce_vm_done(&vm);

	/* fds not readable (not root): undecidable, said so */
	vm_two_phbs(&vm, 2, two);
	vm.fds_read = false;
	tce_vm_decide(&vm, 65536, TCE_YES);
	assert_int_equal(win(&vm, 0x80000300)->verdict, TCE_VERDICT_UNKNOWN);
	assert_non_null(strstr(win(&vm, 0x80000300)->reason, "root"));
	tce_vm_done(&vm);
	/* a libvirt domain whose QEMU was not found */
	vm_two_phbs(&vm, 2, two);
	vm.fds_read = false;
	vm.pid = 0;
	tce_vm_decide(&vm, 65536, TCE_YES);
	assert_int_equal(win(&vm, 0x80000300)->verdict, TCE_VERDICT_UNKNOWN);
	assert_non_null(strstr(win(&vm, 0x80000300)->reason, "process was not found"));
	tce_vm_done(&vm);
}

static void test_memlock_rule(void **state)
{
	const uint64_t none[] = { 0 };
	struct tce_vm vm;

	/* E2E §5c: 1 MiB limit, no CAP_IPC_LOCK, 512 MiB guest: no tables */
	vm_two_phbs(&vm, 0, none);
	vm.cap_ipc_lock = TCE_NO;
	vm.has_memlock = true, vm.memlock_soft = vm.memlock_hard = 1u << 20;
	vm.has_ram = true, vm.ram = 512u << 20;
	tce_vm_decide(&vm, 65536, TCE_YES);
	assert_int_equal(win(&vm, 0x80000300)->verdict, TCE_VERDICT_USERSPACE);
	assert_non_null(strstr(win(&vm, 0x80000300)->reason, "memlock"));
	tce_vm_done(&vm);
	/* the same limit with CAP_IPC_LOCK is not short */
	vm_two_phbs(&vm, 0, none);
	vm.has_memlock = true, vm.memlock_soft = vm.memlock_hard = 1u << 20;
	vm.has_ram = true, vm.ram = 512u << 20;
	tce_vm_decide(&vm, 65536, TCE_YES);
	assert_null(strstr(win(&vm, 0x80000300)->reason, "memlock"));
	tce_vm_done(&vm);
}

static void test_proc_parsers(void **state)
{
	static const char status[] = "Name:\tqemu-system-ppc\nVmLck:\t  270360 kB\n"
				     "CapEff:\t000001ffffffffff\n";
	static const char limits[] =
	    "Limit                     Soft Limit           Hard Limit           Units     \n"
	    "Max locked memory         8388608              8388608              bytes     \n";
	static const char unl[] = "Max locked memory         unlimited            unlimited   "
				  "         bytes     \n";
	static const char maps[] =
	    "3fff89c00000-3fff89e00000 rw-s 00000000 00:0f 94                         "
	    "anon_inode:kvm-spapr-tce\n"
	    "3fff8dd4f000-3fff8dd50000 rw-s 00000000 00:0f 94                         "
	    "anon_inode:kvm-vcpu:0\n"
	    "3fff89e00000-3fff8a000000 rw-s 00000000 00:0f 94                         "
	    "anon_inode:kvm-spapr-tce";
	struct tce_proc_status st;
	uint64_t soft = 0, hard = 0, *lens = NULL;
	size_t n = 0;

	assert_int_equal(tce_proc_parse_status(status, strlen(status), &st), 0);
	assert_true(st.has_vmlck);
	assert_int_equal(st.vmlck, 270360ULL * 1024);
	assert_int_equal(st.cap_ipc_lock, TCE_YES);
	assert_string_equal(st.name, "qemu-system-ppc");
	assert_int_equal(tce_proc_parse_status("CapEff:\t0000000000000000\n", 25, &st), 0);
	assert_int_equal(st.cap_ipc_lock, TCE_NO);
	assert_int_equal(tce_proc_parse_status("VmLck:\t12x kB\n", 14, &st), -EINVAL);
	assert_int_equal(tce_proc_parse_status("VmLck:\t99999999999999999999 kB\n", 31, &st),
			 -EINVAL);
	assert_int_equal(tce_proc_parse_status("CapEff:\tzz\n", 11, &st), -EINVAL);

	assert_int_equal(tce_proc_parse_memlock(limits, strlen(limits), &soft, &hard), 0);
	assert_int_equal(soft, 8388608);
	assert_int_equal(tce_proc_parse_memlock(unl, strlen(unl), &soft, &hard), 0);
	assert_true(soft == UINT64_MAX && hard == UINT64_MAX);
	assert_int_equal(tce_proc_parse_memlock("Max locked memory x", 19, &soft, &hard), -EINVAL);
	assert_int_equal(tce_proc_parse_memlock("", 0, &soft, &hard), -ENOENT);

	assert_int_equal(tce_proc_parse_tce_maps(maps, strlen(maps), &lens, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lens[0], 2u << 20);
	assert_int_equal(lens[1], 2u << 20);
	free(lens);
	lens = NULL;
	assert_int_equal(tce_proc_parse_tce_maps("zz-1 anon_inode:kvm-spapr-tce", 29, &lens, &n),
			 -EINVAL);
	assert_int_equal(
	    tce_proc_parse_tce_maps("2000-1000 x anon_inode:kvm-spapr-tce", 36, &lens, &n),
	    -EINVAL);
	assert_int_equal(tce_proc_parse_tce_maps("anon_inode:kvm-spapr-tce", 24, &lens, &n),
			 -EINVAL);
}

static void cmdline(struct tce_vm *vm, const char *const *args)
{
	char buf[4096];
	size_t len = 0;

	for (; *args; args++) {
		size_t l = strlen(*args) + 1;

		memcpy(buf + len, *args, l);
		len += l;
	}
	memset(vm, 0, sizeof(*vm));
	assert_int_equal(tce_qemu_parse_cmdline(buf, len, vm), 0);
	tce_vm_mark_vfio_phbs(vm);
}

static void test_cmdline(void **state)
{
	/* the L2 of tests/data/powernv9-6.12-l2 (E2E §5b) */
	static const char *const l2[] = { "qemu-system-ppc64",
					  "-name",
					  "guest=l2,debug-threads=on",
					  "-M",
					  "pseries,x-vof=on,cap-hpt-max-page-size=4k",
					  "-accel",
					  "kvm",
					  "-m",
					  "256",
					  "-nodefaults",
					  "-S",
					  "-device",
					  "spapr-pci-host-bridge,index=3,id=phb3",
					  "-device",
					  "vfio-pci,host=0001:01:00.0,bus=phb3.0,id=hostdev0",
					  NULL };
	/* libvirt's JSON -device, a PHB whose index differs from its id's number */
	static const char *const lv[] = {
		"/usr/bin/qemu-system-ppc64",
		"-name",
		"guest=dom,,x",
		"-uuid",
		"c7a5fdbd-cdaf-9455-926a-d65c16db1809",
		"-machine",
		"pseries-7.2,usb=off,accel=tcg",
		"-m",
		"size=4G",
		"-overcommit",
		"mem-lock=on",
		"-device",
		"{\"driver\":\"spapr-pci-host-bridge\",\"index\":5,\"id\":\"pci.1\","
		"\"dma_win_size\":268435456,\"ddw\":false}",
		"-device",
		"{\"driver\":\"vfio-pci\",\"host\":\"0000:01:00.0\",\"id\":\"hostdev0\",\"bus\":"
		"\"pci.1.0\",\"addr\":\"0x1\"}",
		"-device",
		"{\"driver\":\"e1000\",\"id\":\"net0\",\"bus\":\"pci.0\"}",
		"-device",
		"{not json",
		"-device",
		"spapr-vty,chardev=c0",
		NULL
	};
	struct tce_vm vm;

	cmdline(&vm, l2);
	assert_string_equal(vm.name, "l2");
	assert_string_equal(vm.machine, "pseries");
	assert_string_equal(vm.accel, "kvm");
	assert_int_equal(vm.kvm, TCE_YES);
	assert_int_equal(vm.ram, 256u << 20);
	assert_int_equal(vm.n_phbs, 2);
	assert_int_equal(vm.phbs[0].index, 0);
	assert_int_equal(vm.phbs[0].vfio, TCE_NO);
	assert_int_equal(vm.phbs[1].index, 3);
	assert_string_equal(vm.phbs[1].id, "phb3");
	assert_int_equal(vm.phbs[1].vfio, TCE_YES);
	assert_int_equal(vm.n_devices, 1);
	assert_string_equal(vm.devices[0].host_bdf, "0001:01:00.0");
	assert_int_equal(vm.devices[0].phb_index, 3);
	assert_non_null(strstr(vm.cmdline, "-device vfio-pci"));
	tce_vm_done(&vm);

	cmdline(&vm, lv);
	assert_string_equal(vm.name, "dom,x");
	assert_string_equal(vm.uuid, "c7a5fdbd-cdaf-9455-926a-d65c16db1809");
	assert_string_equal(vm.machine, "pseries-7.2");
	assert_int_equal(vm.kvm, TCE_NO);
	assert_int_equal(vm.ram, 4ULL << 30);
	assert_true(vm.mem_lock_on);
	assert_int_equal(vm.n_phbs, 2);
	assert_int_equal(vm.phbs[1].index, 5);
	assert_true(vm.phbs[1].has_dma_win_size);
	assert_int_equal(vm.phbs[1].dma_win_size, 256u << 20);
	assert_true(vm.phbs[1].has_ddw && !vm.phbs[1].ddw);
	assert_int_equal(vm.n_devices, 2); /* spapr-vty has no PCI bus */
	assert_true(vm.devices[0].vfio);
	assert_int_equal(vm.devices[0].phb_index, 5); /* bus pci.1.0 -> id pci.1 -> index 5 */
	assert_false(vm.devices[1].vfio);
	assert_int_equal(vm.devices[1].phb_index, 0);
	assert_int_equal(vm.phbs[0].vfio, TCE_NO);
	assert_int_equal(vm.phbs[1].vfio, TCE_YES);
	tce_vm_done(&vm);
}

static void test_cmdline_hostile(void **state)
{
	static const char junk[] = "-device\0spapr-pci-host-bridge,index=99999\0-m\0-5\0-name";
	char big[8192];
	struct tce_vm vm = { 0 };
	uint64_t v;

	assert_int_equal(tce_qemu_parse_cmdline(junk, sizeof(junk), &vm), 0);
	assert_false(vm.has_ram);
	tce_vm_done(&vm);
	/* no NUL at the end, no arguments at all */
	memset(big, 'x', sizeof(big));
	assert_int_equal(tce_qemu_parse_cmdline(big, sizeof(big), &vm), 0);
	tce_vm_done(&vm);
	assert_int_equal(tce_qemu_parse_cmdline("", 0, &vm), 0);
	tce_vm_done(&vm);
	assert_int_equal(tce_qemu_parse_size("16G", 1, &v), 0);
	assert_int_equal(v, 16ULL << 30);
	assert_int_equal(tce_qemu_parse_size("0x10000000", 1, &v), 0);
	assert_int_equal(v, 0x10000000);
	assert_int_equal(tce_qemu_parse_size("99999999999T", 1, &v), -ERANGE);
	assert_int_equal(tce_qemu_parse_size("1Q", 1, &v), -EINVAL);
	assert_int_equal(tce_qemu_parse_size("1GiB", 1, &v), -EINVAL);
}

static void test_mtree(void **state)
{
	/* from tests/data/powernv9-6.12-l2/.tceiommu/qmp/info-mtree-f.json */
	static const char mt[] =
	    "FlatView #0\r\n AS \"pci@800000020000003\", root: pci@800000020000003.iommu-root\r\n"
	    " Root memory region: pci@800000020000003.iommu-root\r\n"
	    "  0000000000000000-000000003fffffff (prio 0, i/o): tce-iommu-80000300\r\n"
	    "  0000040000000000-0000040000000fff (prio 0, i/o): msi\r\n"
	    "  zzzz-0000 (prio 0, i/o): tce-iommu-80000000\r\n"
	    "  0000-0001 (prio 0, i/o): tce-iommu-xyz\r\n";
	struct tce_vm vm = { 0 };
	struct tce_vm_phb *p = tce_vm_phb_get(&vm, 3);
	struct tce_vm_window *w300 = tce_vm_window_get(p, 0x80000300);

	tce_vm_window_get(p, 0x80000301);
	assert_int_equal(tce_mtree_parse(mt, &vm), 0);
	w300 = (struct tce_vm_window *)win(&vm, 0x80000300);
	assert_int_equal(w300->created, TCE_YES);
	assert_true(w300->has_start);
	assert_int_equal(win(&vm, 0x80000301)->created, TCE_UNKNOWN);
	tce_vm_done(&vm);
}

/*
 * Hostile sizes within the bounds take linear time: a QEMU reply of 4 MiB
 * (TCE_QMP_MAX_REPLY) naming tce-iommu- on one line took minutes, and so
 * did a 1 MiB command line of empty arguments (fuzz-tree's timeout). No
 * time is asserted (bench/ measures, tests do not): a quadratic parser
 * shows as this test taking minutes, past its ctest TIMEOUT.
 */
static void test_hostile_sizes(void **state)
{
	static const char tail[] = "\n  0000-0fff (prio 0, i/o): tce-iommu-80000300\n";
	size_t n = 4u << 20, at = 0;
	char *text = malloc(n + sizeof(tail)), *args;
	struct tce_vm vm = { 0 };
	struct tce_vm_phb *p = tce_vm_phb_get(&vm, 3);
	assert_non_null(text);
	tce_vm_window_get(p, 0x80000300);
	for (; at + 10 <= n; at += 10)
		memcpy(text + at, "tce-iommu-", 10);
	memcpy(text + at, tail, sizeof(tail));
	assert_int_equal(tce_mtree_parse(text, &vm), 0);
	assert_int_equal(win(&vm, 0x80000300)->created, TCE_YES);
	tce_vm_done(&vm);
	free(text);

	args = calloc(1, 1u << 20);
	assert_non_null(args);
	assert_int_equal(tce_qemu_parse_cmdline(args, 1u << 20, &vm), 0);
	assert_int_equal(strlen(vm.cmdline), (1u << 20) - 1); /* the blanks between */
	tce_vm_done(&vm);
	free(args);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_branches),
		cmocka_unit_test(test_decide_matching),
		cmocka_unit_test(test_memlock_rule),
		cmocka_unit_test(test_proc_parsers),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_cmdline_hostile),
		cmocka_unit_test(test_mtree),
		cmocka_unit_test(test_hostile_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
