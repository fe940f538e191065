/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libvirt collector's pure parts: a domain's XML into the VM map (PHBs
 * by <target index>, devices by bus= -> controller index -> target index),
 * hostile XML, and QEMU's log lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tceiommu/util.h"
#include "tceiommu/vm.h"

#ifdef WITH_LIBVIRT
static int parse(const char *xml, struct tce_vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->kvm = TCE_UNKNOWN;
	return tce_libvirt_parse_domain_xml(xml, strlen(xml), vm);
}

static const struct tce_vm_device *dev_by_id(const struct tce_vm *vm, const char *id)
{
	for (size_t i = 0; i < vm->n_devices; i++)
		if (vm->devices[i].id && streq(vm->devices[i].id, id))
			return &vm->devices[i];
	fail_msg("no device %s", id);
	return NULL;
}

static const struct tce_vm_phb *phb(const struct tce_vm *vm, uint32_t index)
{
	for (size_t i = 0; i < vm->n_phbs; i++)
		if (vm->phbs[i].index == index)
			return &vm->phbs[i];
	fail_msg("no PHB %u", index);
	return NULL;
}

/* controller index 1 is PHB 3, controller index 2 is PHB 1: bus= is not the PHB */
static const char domain[] =
    "<domain type='kvm' id='4'>\n"
    "  <name>guest1</name><uuid>1b4e28ba-2fa1-11d2-883f-0016d3cca427</uuid>\n"
    "  <memory unit='KiB'>4194304</memory><currentMemory unit='GiB'>2</currentMemory>\n"
    "  <memtune><hard_limit unit='MiB'>6144</hard_limit></memtune>\n"
    "  <os><type arch='ppc64' machine='pseries-7.2'>hvm</type></os>\n"
    "  <devices>\n"
    "    <controller type='pci' index='0' model='pci-root'>\n"
    "      <model name='spapr-pci-host-bridge'/><target index='0'/><alias name='pci.0'/>\n"
    "    </controller>\n"
    "    <controller type='pci' index='1' model='pci-root'>\n"
    "      <model name='spapr-pci-host-bridge'/><target index='3'/><alias name='pci.1'/>\n"
    "    </controller>\n"
    "    <controller type='pci' index='2' model='pci-root'>\n"
    "      <model name='spapr-pci-host-bridge'/><target index='1'/><alias name='pci.2'/>\n"
    "    </controller>\n"
    "    <controller type='usb' index='0' model='qemu-xhci'>\n"
    "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n"
    "    </controller>\n"
    "    <disk type='file' device='disk'><target dev='vda' bus='virtio'/>\n"
    "      <alias name='virtio-disk0'/>\n"
    "      <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>\n"
    "    </disk>\n"
    "    <interface type='network'><model type='e1000'/><alias name='net0'/>\n"
    "      <address type='pci' domain='0x0000' bus='0x02' slot='0x01' function='0x0'/>\n"
    "    </interface>\n"
    "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
    "      <source><address domain='0x0001' bus='0x0A' slot='0x00' function='0x1'/></source>\n"
    "      <alias name='hostdev0'/>\n"
    "      <address type='pci' domain='0x0000' bus='0x01' slot='0x01' function='0x0'/>\n"
    "    </hostdev>\n"
    "    <interface type='hostdev' managed='yes'>\n"
    "      <source><address type='pci' domain='0x0030' bus='0x01' slot='0x00' "
    "function='0x2'/></source>\n"
    "      <alias name='hostdev1'/>\n"
    "      <address type='pci' domain='0x0000' bus='0x01' slot='0x02' function='0x0'/>\n"
    "    </interface>\n"
    "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
    "      <driver name='vfio' iommufd='yes'/>\n"
    "      <source><address domain='0x0002' bus='0x03' slot='0x1f' function='0x7'/></source>\n"
    "      <alias name='hostdev2'/>\n"
    "    </hostdev>\n"
    "    <hostdev mode='subsystem' type='usb'><source><vendor id='0x1'/></source></hostdev>\n"
    "  </devices>\n"
    "</domain>\n";

static void test_domain(void **state)
{
	struct tce_vm vm;
	const struct tce_vm_device *d;

	(void)state;
	assert_int_equal(parse(domain, &vm), 0);
	assert_string_equal(vm.name, "guest1");
	assert_string_equal(vm.uuid, "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
	assert_string_equal(vm.machine, "pseries-7.2");
	assert_string_equal(vm.accel, "kvm");
	assert_int_equal(vm.kvm, TCE_YES);
	assert_true(vm.sources & TCE_VM_SRC_LIBVIRT);
	assert_true(vm.has_ram); /* currentMemory before memory */
	assert_int_equal(vm.ram, 2ULL << 30);
	assert_false(vm.mem_lock_on);
	assert_int_equal(strv_length(vm.notes), 1);
	assert_string_equal(vm.notes[0], "libvirt: <memtune><hard_limit> 6G: the memlock limit");

	/* PHBs by target index, sorted, with their aliases */
	assert_int_equal(vm.n_phbs, 3);
	assert_int_equal(vm.phbs[0].index, 0);
	assert_int_equal(vm.phbs[1].index, 1);
	assert_int_equal(vm.phbs[2].index, 3);
	assert_string_equal(phb(&vm, 3)->id, "pci.1");
	assert_string_equal(phb(&vm, 1)->id, "pci.2");
	assert_int_equal(phb(&vm, 3)->vfio, TCE_YES);
	assert_int_equal(phb(&vm, 1)->vfio, TCE_NO); /* only an emulated NIC */
	assert_int_equal(phb(&vm, 0)->vfio, TCE_NO);

	/* bus 0x01 is controller index 1, whose target index is 3 */
	d = dev_by_id(&vm, "hostdev0");
	assert_true(d->vfio);
	assert_string_equal(d->driver, "vfio-pci");
	assert_string_equal(d->host_bdf, "0001:0a:00.1");
	assert_false(d->iommufd);
	assert_true(d->has_phb);
	assert_int_equal(d->phb_index, 3);
	d = dev_by_id(&vm, "hostdev1"); /* <interface type='hostdev'> */
	assert_true(d->vfio);
	assert_string_equal(d->host_bdf, "0030:01:00.2");
	assert_true(d->has_phb);
	assert_int_equal(d->phb_index, 3);
	d = dev_by_id(&vm, "hostdev2"); /* iommufd, no guest address yet */
	assert_true(d->vfio);
	assert_true(d->iommufd);
	assert_string_equal(d->host_bdf, "0002:03:1f.7");
	assert_false(d->has_phb);
	d = dev_by_id(&vm, "net0"); /* bus 0x02 -> controller 2 -> PHB 1 */
	assert_false(d->vfio);
	assert_string_equal(d->driver, "e1000");
	assert_true(d->has_phb);
	assert_int_equal(d->phb_index, 1);
	d = dev_by_id(&vm, "virtio-disk0");
	assert_string_equal(d->driver, "virtio");
	assert_int_equal(d->phb_index, 0);
	/* the USB controller and the USB hostdev are not PCI devices of the map */
	assert_int_equal(vm.n_devices, 5);
	tce_vm_done(&vm);
}

/* libvirt's implicit PHB 0 (no model name), a pci-bridge, <locked/>, units */
static void test_implicit_phb_bridge_locked(void **state)
{
	static const char xml[] =
	    "<domain type='qemu'><name>tcg</name>\n"
	    "<memory unit='b'>536870912</memory>\n"
	    "<memoryBacking><locked/></memoryBacking>\n"
	    "<os><type arch='ppc64' machine='pseries'>hvm</type></os><devices>\n"
	    "<controller type='pci' index='0' model='pci-root'/>\n"
	    "<controller type='pci' index='5' model='pci-root'>\n"
	    "  <model name='spapr-pci-host-bridge'/><target index='7'/></controller>\n"
	    "<controller type='pci' index='6' model='pci-bridge'>\n"
	    "  <address type='pci' domain='0x0000' bus='0x05' slot='0x03' function='0x0'/>\n"
	    "</controller>\n"
	    "<hostdev mode='subsystem' type='pci'>\n"
	    "  <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>\n"
	    "  <address type='pci' domain='0x0000' bus='0x06' slot='0x01' function='0x0'/>\n"
	    "</hostdev>\n"
	    "<memballoon model='virtio'>\n"
	    "  <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>\n"
	    "</memballoon>\n"
	    "</devices></domain>";
	struct tce_vm vm;

	(void)state;
	assert_int_equal(parse(xml, &vm), 0);
	assert_string_equal(vm.accel, "tcg");
	assert_int_equal(vm.kvm, TCE_NO);
	assert_int_equal(vm.ram, 512ULL << 20);
	assert_true(vm.mem_lock_on);
	assert_int_equal(strv_length(vm.notes), 1);
	assert_non_null(strstr(vm.notes[0], "<locked/>: memlock unlimited"));
	assert_int_equal(vm.n_phbs, 2);
	assert_int_equal(vm.phbs[0].index, 0);
	assert_null(vm.phbs[0].id);
	assert_int_equal(vm.phbs[0].vfio, TCE_NO);
	assert_int_equal(vm.phbs[1].index, 7);
	assert_int_equal(vm.phbs[1].vfio, TCE_YES); /* behind the bridge on bus 5 */
	assert_int_equal(vm.n_devices, 2);
	assert_true(vm.devices[0].vfio);
	assert_string_equal(vm.devices[0].host_bdf, "0000:01:00.0");
	assert_int_equal(vm.devices[0].phb_index, 7);
	assert_string_equal(vm.devices[1].driver, "virtio");
	assert_int_equal(vm.devices[1].phb_index, 0);
	tce_vm_done(&vm);
}

static void test_units(void **state)
{
	static const struct {
		const char *unit;
		uint64_t bytes;
	} t[] = {
		{ "", 3ULL << 10 },
		{ "unit='KiB'", 3ULL << 10 },
		{ "unit='k'", 3ULL << 10 },
		{ "unit='KB'", 3000 },
		{ "unit='MiB'", 3ULL << 20 },
		{ "unit='M'", 3ULL << 20 },
		{ "unit='MB'", 3000000 },
		{ "unit='GiB'", 3ULL << 30 },
		{ "unit='G'", 3ULL << 30 },
		{ "unit='GB'", 3000000000 },
		{ "unit='TiB'", 3ULL << 40 },
		{ "unit='bytes'", 3 },
		{ "unit='b'", 3 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		char xml[256];
		struct tce_vm vm;

		snprintf(xml, sizeof(xml), "<domain type='kvm'><memory %s>3</memory></domain>",
			 t[i].unit);
		assert_int_equal(parse(xml, &vm), 0);
		assert_true(vm.has_ram);
		if (vm.ram != t[i].bytes)
			fail_msg("%s: %llu", t[i].unit, (unsigned long long)vm.ram);
		assert_int_equal(vm.n_phbs, 0); /* not pseries: no implicit PHB */
		tce_vm_done(&vm);
	}
	{
		struct tce_vm vm;

		/* an unknown unit or an overflow is no RAM, not a wrong one */
		assert_int_equal(parse("<domain><memory unit='parsec'>3</memory></domain>", &vm),
				 0);
		assert_false(vm.has_ram);
		tce_vm_done(&vm);
		assert_int_equal(
		    parse("<domain><memory unit='EiB'>99999999999</memory></domain>", &vm), 0);
		assert_false(vm.has_ram);
		assert_null(vm.accel);
		assert_int_equal(vm.kvm, TCE_UNKNOWN);
		tce_vm_done(&vm);
	}
}

static void test_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage",
		"<domain type='kvm'><name>x</name><devices><hostdev",
		"<domain type='kvm'><name>x</name></domai>",
		"<notadomain/>",
		"<?xml version='1.0'?>\n<!DOCTYPE domain [\n<!ENTITY a 'aaaaaaaaaa'>\n"
		"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>\n"
		"<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>\n"
		"<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>\n"
		"<!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>\n"
		"<!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'>\n"
		"<!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>\n"
		"<!ENTITY h '&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;'>\n"
		"<!ENTITY i '&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;'>\n"
		"]>\n<domain type='kvm'><name>&i;</name></domain>",
		"<!DOCTYPE domain SYSTEM 'http://example.invalid/x.dtd'><domain/>",
	};
	struct tce_vm vm;
	char *big;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse(bad[i], &vm), -EINVAL);
		assert_null(vm.name);
		tce_vm_done(&vm);
	}
	/* a NUL in the middle: libxml2 stops there, the document is incomplete */
	memset(&vm, 0, sizeof(vm));
	assert_int_equal(tce_libvirt_parse_domain_xml("<domain>\0</domain>", 18, &vm), -EINVAL);
	tce_vm_done(&vm);
	/* larger than any domain */
	big = calloc(1, (16u << 20) + 2);
	assert_non_null(big);
	memset(big, ' ', (16u << 20) + 1);
	assert_int_equal(tce_libvirt_parse_domain_xml(big, (16u << 20) + 1, &vm), -EFBIG);
	free(big);
	/* absurd addresses are dropped, not wrapped */
	assert_int_equal(parse("<domain><devices><hostdev mode='subsystem' type='pci'><source>"
			       "<address domain='0x10000' bus='0x100' slot='0' function='9'/>"
			       "</source><address type='pci' bus='-1'/></hostdev></devices>"
			       "</domain>",
			       &vm),
			 0);
	assert_int_equal(vm.n_devices, 1);
	assert_null(vm.devices[0].host_bdf);
	assert_false(vm.devices[0].has_phb);
	tce_vm_done(&vm);
	/* a bus loop through pci-bridges ends */
	assert_int_equal(parse("<domain><os><type machine='pseries'/></os><devices>"
			       "<controller type='pci' index='1' model='pci-bridge'>"
			       "<address type='pci' bus='2'/></controller>"
			       "<controller type='pci' index='2' model='pci-bridge'>"
			       "<address type='pci' bus='1'/></controller>"
			       "<interface type='user'><address type='pci' bus='1'/></interface>"
			       "</devices></domain>",
			       &vm),
			 0);
	assert_int_equal(vm.n_devices, 1);
	assert_false(vm.devices[0].has_phb);
	assert_string_equal(vm.devices[0].driver, "interface");
	tce_vm_done(&vm);
}
#else
static void test_no_libvirt(void **state)
{
	struct tce_vm vm = { 0 };
	struct tce_libvirt_domain *d = NULL;
	size_t n = 1;
	char *note = NULL;

	(void)state;
	assert_int_equal(tce_libvirt_parse_domain_xml("<domain/>", 9, &vm), -EOPNOTSUPP);
	assert_int_equal(tce_libvirt_list_running(NULL, 100, &d, &n, &note), -EOPNOTSUPP);
	assert_int_equal(n, 0);
	free(note);
}
#endif

/* QEMU's own lines: E2E.md §5c (a real L2 on an emulated PowerNV host) */
static const char log_5c[] =
    "2025-01-01 10:00:00.000+0000: starting up libvirt version: 9.0.0\r\n"
    "qemu-system-ppc64: warning: Many guests require at least 64kiB hpt-max-page-size\n"
    "KVM: Failed to create TCE64 table for liobn 0x80000300\n"
    "qemu-system-ppc64: -device vfio-pci,host=0000:01:00.0,bus=phb3.0: Failed to create "
    "SPAPR window: Cannot allocate memory\n"
    "qemu: hardware error: vfio: DMA mapping failed, unable to continue\n"
    "  KVM: Failed to create TCE table for LIOBN 0x80000000   \r\n"
    "2025-01-01T10:00:01Z qemu-system-ppc64: vfio: failed GROUP_SET_SPAPR_TCE for KVM VFIO "
    "device 12 and group fd 13: Invalid argument";

static void test_log_scan(void **state)
{
	char **v = tce_qemu_log_scan(log_5c, strlen(log_5c));
	uint32_t liobn = 0;

	(void)state;
	assert_non_null(v);
	assert_int_equal(strv_length(v), 5);
	assert_string_equal(v[0], "KVM: Failed to create TCE64 table for liobn 0x80000300");
	assert_non_null(strstr(v[1], "Failed to create SPAPR window: Cannot allocate memory"));
	assert_string_equal(v[2], "qemu: hardware error: vfio: DMA mapping failed, unable to "
				  "continue");
	assert_string_equal(v[3], "KVM: Failed to create TCE table for LIOBN 0x80000000");
	assert_non_null(strstr(v[4], "GROUP_SET_SPAPR_TCE")); /* no trailing newline */
	assert_int_equal(tce_qemu_log_liobn(v[0], &liobn), 0);
	assert_int_equal(liobn, 0x80000300);
	assert_int_equal(tce_qemu_log_liobn(v[3], &liobn), 0); /* case-insensitive */
	assert_int_equal(liobn, 0x80000000);
	assert_int_equal(tce_qemu_log_liobn(v[1], &liobn), -ENOENT);
	strv_free(v);

	/* the real L2 log of tests/data/powernv9-6.12-l2: nothing failed */
	{
		static const char l2[] = "qemu-system-ppc64: warning: Many guests require at "
					 "least 64kiB hpt-max-page-size\n";

		v = tce_qemu_log_scan(l2, sizeof(l2) - 1);
	}
	assert_non_null(v);
	assert_int_equal(strv_length(v), 0);
	strv_free(v);
	v = tce_qemu_log_scan(NULL, 0);
	assert_non_null(v);
	assert_null(v[0]);
	strv_free(v);
}

static void test_log_hostile(void **state)
{
	static const char nul[] = "junk\0KVM: Failed to map TCE table for liobn 0x80000101\0x\n";
	size_t big = 10u << 20;
	char *buf = malloc(big), **v;
	uint32_t liobn = 7;

	(void)state;
	/* NUL bytes inside a line: matched across them, shown as '?' */
	v = tce_qemu_log_scan(nul, sizeof(nul) - 1);
	assert_int_equal(strv_length(v), 1);
	assert_string_equal(v[0], "junk?KVM: Failed to map TCE table for liobn 0x80000101?x");
	assert_int_equal(tce_qemu_log_liobn(strchr(v[0], 'K'), &liobn), 0);
	assert_int_equal(liobn, 0x80000101);
	strv_free(v);

	/* 10 MiB without a newline, the message in the middle: one line of 1 KiB */
	assert_non_null(buf);
	memset(buf, 'A', big);
	memcpy(buf + big / 2, "Memory registering failed", 25);
	v = tce_qemu_log_scan(buf, big);
	assert_int_equal(strv_length(v), 1);
	assert_int_equal(strlen(v[0]), 1024);
	assert_true(strneq(v[0], "Memory registering failed", 25));
	strv_free(v);

	/* 1000 matching lines: the last 64 */
	{
		size_t len = 0;

		for (int i = 0; i < 1000; i++)
			len += (size_t)sprintf(buf + len,
					       "Attempted to create TCE table with duplicate "
					       "LIOBN 0x%x\n",
					       i);
		v = tce_qemu_log_scan(buf, len);
		assert_int_equal(strv_length(v), 64);
		assert_int_equal(tce_qemu_log_liobn(v[0], &liobn), 0);
		assert_int_equal(liobn, 1000 - 64);
		assert_int_equal(tce_qemu_log_liobn(v[63], &liobn), 0);
		assert_int_equal(liobn, 999);
		strv_free(v);
	}
	free(buf);

	assert_int_equal(tce_qemu_log_liobn("liobn 0x", &liobn), -ENOENT);
	assert_int_equal(tce_qemu_log_liobn("liobn 0x123456789", &liobn), -ENOENT);
	assert_int_equal(tce_qemu_log_liobn("liobn=0x71000002 and more", &liobn), 0);
	assert_int_equal(liobn, 0x71000002);
	assert_int_equal(tce_qemu_log_liobn("liobnliobn 0xZ", &liobn), -ENOENT);
	assert_int_equal(tce_qemu_log_liobn(NULL, &liobn), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#ifdef WITH_LIBVIRT
		cmocka_unit_test(test_domain),	 cmocka_unit_test(test_implicit_phb_bridge_locked),
		cmocka_unit_test(test_units),	 cmocka_unit_test(test_hostile),
#else
		cmocka_unit_test(test_no_libvirt),
#endif
		cmocka_unit_test(test_log_scan), cmocka_unit_test(test_log_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
