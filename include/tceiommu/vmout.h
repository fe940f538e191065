/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list-vms columns (data, as lsblk's) and the VM map's renderers (src/render/vms.c). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "tceiommu/columns.h"
#include "tceiommu/out.h"
#include "tceiommu/vm.h"

enum {
	VCOL_NAME,
	VCOL_UUID,
	VCOL_PID,
	VCOL_SOURCE,
	VCOL_STATE,
	VCOL_ACCEL,
	VCOL_PHBS,
	VCOL_LIOBNS,
	VCOL_TABLES,
	VCOL_GROUPS,
	VCOL_VMLCK,
	VCOL_MEMLOCK,
	VCOL_VERDICT,
	VCOL_REASON,
	TCE_N_VM_COLUMNS
};

struct tce_vmcolinfo {
	const char *name;
	double whint;
	bool right;
	enum tce_col_type type;
	const char *help;
};
extern const struct tce_vmcolinfo tce_vm_columns[TCE_N_VM_COLUMNS];
int tce_vm_column_by_name(const char *name, size_t len);
int tce_vm_columns_parse(const char *list, int *ids, size_t max, size_t *n);

struct tce_vm_out_opts {
	enum tce_out_mode mode;
	bool noheadings, bytes;
	int columns[TCE_N_VM_COLUMNS * 2];
	size_t n_columns;
};

int tce_render_vms_table(const struct tce_vms *v, const struct tce_vm_out_opts *o, FILE *f);
/* The whole map, or one VM of it ("vm" instead of "vms"). */
int tce_render_vms_json(const struct tce_vms *v, const struct tce_vm *only, FILE *f);
int tce_render_vm_tree(const struct tce_vms *v, const struct tce_vm *vm, bool bytes, FILE *f);
