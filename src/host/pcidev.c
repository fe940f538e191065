/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A PCI function of an IOMMU group, from sysfs: the uevent (DRIVER=,
 * PCI_CLASS=, PCI_ID=; drivers/pci/pci-driver.c pci_uevent), or the driver
 * link and the vendor, device and class files when it is unreadable;
 * driver_override, numa_node, physfn/virtfnN, of_node (drivers/pci/pci-sysfs.c,
 * drivers/pci/iov.c, drivers/of), and on powerpc the EEH files
 * (arch/powerpc/kernel/eeh_sysfs.c; eeh_pe_state is writable and only read).
 * The function's directory is opened once and its files read by name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups-internal.h"
#include "tceiommu/devtree.h"
#include "tceiommu/host.h"
#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/probe.h"
#include "tceiommu/util.h"

bool tce_pcidev_is_bridge(const struct tce_device *d)
{
	/* The header type decides (vfio-pci's probe refuses a non-normal one;
	 * the pre-5.19 viability rule allows one); the class when config space
	 * could not be read: PCI-to-PCI 0x0604, CardBus 0x0607, 0x0609. */
	if (d->header_type >= 0)
		return d->header_type == 1 || d->header_type == 2;
	return d->has_class && ((d->class_code >> 8) == 0x0604 || (d->class_code >> 8) == 0x0607 ||
				(d->class_code >> 8) == 0x0609);
}

/* Byte 0x0e of config space, inside the 64 bytes anyone may read; asked only
 * of bridge-class devices. */
static void read_header_type(struct tce_dir *dir, struct tce_device *d)
{
	unsigned char cfg[64];
	size_t len;

	if (tce_dir_read_head(dir, "config", sizeof(cfg), cfg, &len) == 0 && len > 0x0e)
		d->header_type = cfg[0x0e] & 0x7f;
}

static bool names_from(char *const *v, struct tce_device *d)
{
	for (char *const *p = v; p && *p; p++) {
		if (strneq(*p, "ID_VENDOR_FROM_DATABASE=", 24) && !d->vendor_name)
			d->vendor_name = strdup(*p + 24);
		else if (strneq(*p, "ID_MODEL_FROM_DATABASE=", 23) && !d->device_name)
			d->device_name = strdup(*p + 23);
	}
	return d->vendor_name || d->device_name;
}

/*
 * Live: this machine's hwdb. A snapshot: the names it recorded, or, when it
 * has none (no hwdb where it was recorded: an initramfs), this machine's.
 */
static void read_names(struct tce_root *r, struct tce_device *d)
{
	char key[32];
	_cleanup_strv_free_ char **v = NULL, **local = NULL;
	bool live = tce_root_is_live(r);

	if (!d->has_ids)
		return;
	snprintf(key, sizeof(key), "pci:v%08Xd%08X", d->vendor_id, d->device_id);
	d->names_err = tce_probe(r, "hwdb", key, &v);
	if (names_from(v, d))
		d->names_source = live ? "local hwdb" : "snapshot";
	else if (!live && tce_probe_local_hwdb(r, key, &local) == 0 && names_from(local, d))
		d->names_source = "local hwdb";
}

static void read_eeh(struct tce_dir *dir, struct tce_device *d, bool all)
{
	_cleanup_free_ char *addr = NULL;

	/* eeh_sysfs.c: eeh_mode "0x%x", eeh_pe_config_addr "0x%x",
	 * eeh_pe_state "0x%08x 0x%08x" (state, PE config address). The
	 * address is always read: the PE checks need it. */
	if (all)
		(void)tce_dir_read_string(dir, "eeh_mode", &d->eeh.mode);
	if (tce_dir_read_string(dir, "eeh_pe_config_addr", &addr) == 0 &&
	    tce_parse_u64(addr, 16, &d->eeh.pe_config_addr) == 0)
		d->eeh.has_pe_config_addr = true;
	if (all)
		(void)tce_dir_read_string(dir, "eeh_pe_state", &d->eeh.pe_state);
	d->has_eeh = d->eeh.mode || d->eeh.has_pe_config_addr || d->eeh.pe_state;
}

/*
 * When uevent is unreadable or incomplete: the driver link and the vendor,
 * device and class files (drivers/pci/pci-sysfs.c, "0x%04x" / "0x%06x").
 */
static void read_device_fallback(struct tce_dir *dir, struct tce_device *d)
{
	_cleanup_free_ char *t = NULL;
	uint64_t ven, dev, cls;
	int k;

	if (!d->driver_known) {
		k = tce_dir_readlink(dir, "driver", &t);
		if (k == 0) {
			d->driver = strdup(tce_basename_of(t));
			d->driver_known = d->driver != NULL;
		} else if (k == -ENOENT) {
			d->driver_known = true; /* no driver link: unbound */
		}
	}
	if (!d->has_ids && tce_dir_read_u64(dir, "vendor", 16, &ven) == 0 && ven <= 0xffff &&
	    tce_dir_read_u64(dir, "device", 16, &dev) == 0 && dev <= 0xffff) {
		d->has_ids = true;
		d->vendor_id = (uint16_t)ven;
		d->device_id = (uint16_t)dev;
	}
	if (!d->has_class && tce_dir_read_u64(dir, "class", 16, &cls) == 0 && cls <= 0xffffff) {
		d->has_class = true;
		d->class_code = (uint32_t)cls;
	}
}

/* physfn: the PF of a VF (drivers/pci/iov.c) */
static void read_physfn(struct tce_dir *dir, struct tce_device *d)
{
	_cleanup_free_ char *s = NULL;

	if (!d->physfn && tce_dir_readlink(dir, "physfn", &s) == 0)
		d->physfn = strdup(tce_basename_of(s));
}

/* The VFs of a PF: only a PF has sriov_numvfs (drivers/pci/iov.c). */
static int read_virtfns(struct tce_dir *dir, struct tce_device *d)
{
	_cleanup_strv_buf_ struct strv_buf v = { 0 };
	uint64_t n;

	/* A bounded count: the kernel allows 65535 VFs at most (TotalVFs is
	 * 16 bits). */
	if (d->virtfns || tce_dir_read_u64(dir, "sriov_numvfs", 10, &n) < 0 || n > 65535)
		return 0;
	for (uint64_t i = 0; i < n; i++) {
		char name[32];
		_cleanup_free_ char *t = NULL;

		snprintf(name, sizeof(name), "virtfn%" PRIu64, i);
		if (tce_dir_readlink(dir, name, &t) == 0 &&
		    strv_buf_extend(&v, tce_basename_of(t)) < 0)
			return -ENOMEM;
	}
	return (d->virtfns = strv_buf_steal(&v)) ? 0 : -ENOMEM;
}

void tce_pcidev_parse_uevent(const char *uevent, size_t len, struct tce_device *d)
{
	_cleanup_free_ char *pci_id = NULL, *cls = NULL, *drv = NULL;
	uint64_t v;

	d->driver_known = true;
	if (tce_uevent_get(uevent, len, "DRIVER", &drv) == 0 && *drv)
		d->driver = TAKE_PTR(drv);
	if (tce_uevent_get(uevent, len, "PCI_CLASS", &cls) == 0 &&
	    tce_parse_u64(cls, 16, &v) == 0 && v <= 0xffffff) {
		d->has_class = true;
		d->class_code = (uint32_t)v;
	}
	if (tce_uevent_get(uevent, len, "PCI_ID", &pci_id) == 0) {
		char *colon = strchr(pci_id, ':');
		uint64_t ven, dev;

		if (colon) {
			*colon = '\0';
			if (tce_parse_u64(pci_id, 16, &ven) == 0 && ven <= 0xffff &&
			    tce_parse_u64(colon + 1, 16, &dev) == 0 && dev <= 0xffff) {
				d->has_ids = true;
				d->vendor_id = (uint16_t)ven;
				d->device_id = (uint16_t)dev;
			}
		}
	}
}

int tce_pcidev_read(struct tce_root *r, enum tce_platform platform, bool ge_5_19, const char *gdir,
		    const char *bdf, struct tce_device *d, const struct tce_collect_opts *o)
{
	_cleanup_free_ char *path = tce_strdup_printf("%s/%s", gdir, bdf);
	_cleanup_dir_ struct tce_dir *dir = NULL;
	_cleanup_free_ char *uevent = NULL, *s = NULL;
	size_t len;
	int k;

	d->header_type = -1;
	if (!path || !(d->bdf = strdup(bdf)))
		return -ENOMEM;

	/* The group still lists it, the device directory is gone: removed (hot
	 * unplug, VF teardown) while we looked, or a dangling link. */
	k = tce_root_opendir(r, path, &dir);
	if (k == -ENOENT) {
		d->vanished = true;
		return 0;
	}
	if (k < 0) {
		/* unreadable as a directory: each read below says why */
		d->read_err = k;
		return k == -ENOMEM ? k : 0;
	}
	k = tce_dir_read(dir, "uevent", 16384, &uevent, &len);
	if (k < 0) {
		d->read_err = k;
		read_device_fallback(dir, d);
	} else {
		tce_pcidev_parse_uevent(uevent, len, d);
		if (!d->has_ids || !d->has_class)
			read_device_fallback(dir, d);
	}

	if (d->has_class && (d->class_code >> 16) == 0x06)
		read_header_type(dir, d);

	if (!(o->omit & TCE_FACT_OVERRIDE) &&
	    tce_dir_read_string(dir, "driver_override", &s) == 0) {
		if (*s && !streq(s, "(null)"))
			d->driver_override = TAKE_PTR(s);
	}
	if (!(o->omit & TCE_FACT_NUMA)) {
		int64_t v;

		if (tce_dir_read_s64(dir, "numa_node", 10, &v) == 0 && v >= 0 && v < INT32_MAX) {
			d->has_numa_node = true;
			d->numa_node = (int)v;
		}
	}
	/* a blocker's warning counts its VFs: read them for a blocker at least */
	if (!(o->omit & TCE_FACT_SRIOV) ||
	    tce_driver_claims_dma(d->driver_known ? d->driver : NULL, tce_pcidev_is_bridge(d),
				  ge_5_19)) {
		if (!(o->omit & TCE_FACT_SRIOV))
			read_physfn(dir, d);
		if ((k = read_virtfns(dir, d)) < 0)
			return k;
	}

	if (platform != TCE_PLATFORM_NONE) {
		_cleanup_dir_ struct tce_dir *of = NULL;

		(void)tce_dir_realdir(dir, "of_node", &of, &d->of_node);
		/* VFs have no device-tree node; the PF's is on the same PHB. */
		if (!d->of_node) {
			read_physfn(dir, d);
			if (d->physfn && tce_dir_realpath(dir, "physfn/of_node", &d->phb_hint) < 0)
				d->phb_hint = NULL;
		}
		if (of && !(o->omit & TCE_FACT_LOC)) {
			_cleanup_free_ char *lc = NULL;

			if (tce_dir_read(of, "ibm,loc-code", 64 * 1024, &lc, &len) == 0)
				(void)tce_dt_string(lc, len, &d->loc_code);
		}
		read_eeh(dir, d, !(o->omit & TCE_FACT_EEH));
	}

	if (o->names)
		read_names(r, d);
	return 0;
}
