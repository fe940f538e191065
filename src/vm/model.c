/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VM map's structs: constructors by key and their release. */
#include <stdlib.h>
#include <string.h>

#include "tceiommu/util.h"
#include "tceiommu/vm.h"

const char *tce_verdict_name(enum tce_verdict v)
{
	switch (v) {
	case TCE_VERDICT_IN_KERNEL:
		return "in-kernel";
	case TCE_VERDICT_USERSPACE:
		return "userspace";
	case TCE_VERDICT_EMULATED:
		return "emulated";
	case TCE_VERDICT_UNKNOWN:
		return "unknown";
	case TCE_VERDICT_NONE:
		break;
	}
	return "none";
}

void tce_vm_window_done(struct tce_vm_window *w)
{
	free(w->qemu_error);
	free(w->reason);
	strv_free(w->evidence);
}

void tce_vm_phb_done(struct tce_vm_phb *p)
{
	for (size_t i = 0; i < p->n_windows; i++)
		tce_vm_window_done(&p->windows[i]);
	free(p->windows);
	free(p->id);
	free(p->qom_path);
}

void tce_vm_device_done(struct tce_vm_device *d)
{
	free(d->id);
	free(d->driver);
	free(d->host_bdf);
	free(d->host_sysfsdev);
	strv_free(d->group_devices);
}

void tce_vm_done(struct tce_vm *vm)
{
	if (!vm)
		return;
	for (size_t i = 0; i < vm->n_phbs; i++)
		tce_vm_phb_done(&vm->phbs[i]);
	for (size_t i = 0; i < vm->n_devices; i++)
		tce_vm_device_done(&vm->devices[i]);
	free(vm->phbs);
	free(vm->devices);
	free(vm->name);
	free(vm->uuid);
	free(vm->debugfs_name);
	free(vm->libvirt_state);
	free(vm->machine);
	free(vm->accel);
	free(vm->vfio_groups);
	free(vm->table_lens);
	free(vm->cmdline);
	free(vm->qmp_via);
	free(vm->qmp_error);
	free(vm->run_state);
	free(vm->log_path);
	strv_free(vm->log_lines);
	strv_free(vm->notes);
	memset(vm, 0, sizeof(*vm));
}

void tce_vms_free(struct tce_vms *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		tce_vm_done(&v->vms[i]);
	free(v->vms);
	free(v->cap_note);
	free(v->libvirt_note);
	strv_free(v->notes);
	free(v);
}

/* Grow an array of n elements by one zeroed element; NULL on ENOMEM. */
static void *grow(void *arr, size_t *n, size_t size)
{
	char *a = realloc(arr, (*n + 1) * size);

	if (!a)
		return NULL;
	memset(a + *n * size, 0, size);
	(*n)++;
	return a;
}

struct tce_vm_phb *tce_vm_phb_get(struct tce_vm *vm, uint32_t index)
{
	struct tce_vm_phb *a;
	size_t i;

	for (i = 0; i < vm->n_phbs; i++)
		if (vm->phbs[i].index == index)
			return &vm->phbs[i];
	/* kept sorted by index: the order every output shows */
	a = grow(vm->phbs, &vm->n_phbs, sizeof(*a));
	if (!a)
		return NULL;
	vm->phbs = a;
	for (i = vm->n_phbs - 1; i > 0 && a[i - 1].index > index; i--)
		a[i] = a[i - 1];
	memset(&a[i], 0, sizeof(a[i]));
	a[i].index = index;
	a[i].vfio = TCE_UNKNOWN;
	return &a[i];
}

struct tce_vm_window *tce_vm_window_get(struct tce_vm_phb *p, uint32_t liobn)
{
	struct tce_vm_window *a;
	size_t i;

	for (i = 0; i < p->n_windows; i++)
		if (p->windows[i].liobn == liobn)
			return &p->windows[i];
	a = grow(p->windows, &p->n_windows, sizeof(*a));
	if (!a)
		return NULL;
	p->windows = a;
	for (i = p->n_windows - 1; i > 0 && a[i - 1].liobn > liobn; i--)
		a[i] = a[i - 1];
	memset(&a[i], 0, sizeof(a[i]));
	a[i].liobn = liobn;
	a[i].phb_index = p->index;
	a[i].window_num = liobn & 0xff;
	a[i].created = TCE_UNKNOWN;
	return &a[i];
}

struct tce_vm_device *tce_vm_device_add(struct tce_vm *vm)
{
	struct tce_vm_device *a = grow(vm->devices, &vm->n_devices, sizeof(*a));

	if (!a)
		return NULL;
	vm->devices = a;
	return &a[vm->n_devices - 1];
}
