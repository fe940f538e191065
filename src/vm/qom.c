/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ask QEMU for the exact window geometry (FACTS §4.1-4.5, E2E §1):
 *  - PHBs are the child<spapr-pci-host-bridge> objects under
 *    /machine/peripheral (id given), /machine/peripheral-anon (no id) and
 *    /machine/unattached (the default PHB, hw/ppc/spapr.c);
 *  - their properties index, dma_win_addr, dma_win_size, dma64_win_addr,
 *    ddw, pgsz (hw/ppc/spapr_pci.c spapr_phb_properties);
 *  - one tce-table-<liobn %x> child per window (hw/ppc/spapr_iommu.c
 *    spapr_tce_new_table), whose tce-iommu-<liobn>[0] memory region has the
 *    window's addr and size (0 until the guest creates a DDW);
 *  - the devices behind each PHB by their parent_bus, VFIO ones with host;
 *  - "info mtree -f": the enabled tce-iommu-<liobn> regions, a cross-check.
 * Only reads: qom-list, qom-get, query-status, human-monitor-command "info".
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/util.h"
#include "tceiommu/vmproc.h"

struct q {
	tce_qmp_exec_fn exec_fn;
	void *ctx;
	struct tce_vm *vm;
	bool full; /* every property; otherwise what the verdict needs */
	int err;   /* the first transport error: the peer is gone or hostile */
};

/* One request; the parsed return value, or NULL (q->err on a transport error;
 * a QMP error reply such as "property not found" is only NULL). */
static json_object *call(struct q *q, const char *fmt, ...) _printf_(2, 3);
static json_object *call(struct q *q, const char *fmt, ...)
{
	_cleanup_free_ char *req = NULL, *ret = NULL, *error = NULL;
	json_object *o;
	va_list ap;
	int k;

	if (q->err)
		return NULL;
	va_start(ap, fmt);
	req = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	if (!req) {
		q->err = -ENOMEM;
		return NULL;
	}
	k = q->exec_fn(q->ctx, req, &ret, &error);
	if (k == -EREMOTEIO)
		return NULL;
	if (k < 0) {
		q->err = k;
		free(q->vm->qmp_error);
		q->vm->qmp_error = error ? TAKE_PTR(error) : strdup(strerror(-k));
		return NULL;
	}
	o = ret ? json_tokener_parse(ret) : NULL;
	if (!o) {
		q->err = -EPROTO;
		free(q->vm->qmp_error);
		q->vm->qmp_error = strdup("QEMU's reply is not JSON");
	}
	return o;
}

/* A QOM path is put into a JSON string: refuse what would need escaping. */
static bool path_ok(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

static json_object *qom_list(struct q *q, const char *path)
{
	if (!path_ok(path))
		return NULL;
	return call(q, "{\"execute\":\"qom-list\",\"arguments\":{\"path\":\"%s\"}}", path);
}

static json_object *qom_get(struct q *q, const char *path, const char *prop)
{
	if (!path_ok(path))
		return NULL;
	return call(q,
		    "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"%s\",\"property\":\"%s\"}}",
		    path, prop);
}

static bool get_u64(struct q *q, const char *path, const char *prop, uint64_t *ret)
{
	json_object *o = qom_get(q, path, prop);
	bool ok = false;

	if (o && json_object_is_type(o, json_type_int)) {
		*ret = json_object_get_uint64(o);
		ok = true;
	}
	json_object_put(o);
	return ok;
}

static char *get_str(struct q *q, const char *path, const char *prop)
{
	json_object *o = qom_get(q, path, prop);
	char *s = NULL;

	if (o && json_object_is_type(o, json_type_string))
		s = strdup(json_object_get_string(o));
	json_object_put(o);
	return s;
}

/* Each {"name": N, "type": T} of a qom-list answer: fn(name, type). */
static int each_child(struct q *q, const char *path,
		      int (*fn)(struct q *q, const char *parent, const char *name,
				const char *type))
{
	json_object *l = qom_list(q, path);
	size_t n;
	int k = 0;

	if (!l)
		return q->err;
	if (!json_object_is_type(l, json_type_array)) {
		json_object_put(l);
		return 0;
	}
	n = json_object_array_length(l);
	for (size_t i = 0; i < n && k >= 0 && !q->err; i++) {
		json_object *e = json_object_array_get_idx(l, i), *jn, *jt;

		if (!json_object_object_get_ex(e, "name", &jn) ||
		    !json_object_object_get_ex(e, "type", &jt) ||
		    !json_object_is_type(jn, json_type_string) ||
		    !json_object_is_type(jt, json_type_string))
			continue;
		k = fn(q, path, json_object_get_string(jn), json_object_get_string(jt));
	}
	json_object_put(l);
	return k < 0 ? k : q->err;
}

/*
 * A PHB's windows: one spapr-tce-table per DMA window, named by its LIOBN
 * (hw/ppc/spapr_pci.c realize: SPAPR_PCI_DMA_MAX_WINDOWS = 2 tables,
 * SPAPR_PCI_LIOBN(index, i)). Asked by name rather than by listing the PHB,
 * whose qom-list (every DR connector, ~20 KB) costs QEMU more than the rest
 * of the PHB together; the test against a real QEMU holds these names to
 * that listing.
 */
static int phb_windows(struct q *q, struct tce_vm_phb *p)
{
	for (unsigned i = 0; i < 2; i++) {
		uint32_t liobn = tce_spapr_pci_liobn(p->index, i);
		_cleanup_free_ char *path = tce_strdup_printf(
		    "%s/tce-table-%" PRIx32 "/tce-iommu-%" PRIx32 "[0]", p->qom_path, liobn, liobn);
		struct tce_vm_window *w;
		uint64_t size, v;

		if (!path)
			return -ENOMEM;
		if (!get_u64(q, path, "size", &size)) {
			if (q->err)
				return q->err;
			/* QEMU has no such table: drop what the defaults guessed */
			for (size_t j = 0; j < p->n_windows; j++) {
				if (p->windows[j].liobn != liobn)
					continue;
				tce_vm_window_done(&p->windows[j]);
				memmove(&p->windows[j], &p->windows[j + 1],
					(p->n_windows - j - 1) * sizeof(*p->windows));
				p->n_windows--;
				break;
			}
			continue;
		}
		if (!(w = tce_vm_window_get(p, liobn)))
			return -ENOMEM;
		w->has_size = true;
		w->size = size;
		w->created = size ? TCE_YES : TCE_NO;
		w->source = "qmp";
		w->has_start = false;
		/* an enabled window's start is in info mtree -f too */
		if (q->full && get_u64(q, path, "addr", &v)) {
			w->has_start = true;
			w->start = v;
		}
	}
	return q->err;
}

static int phb_child(struct q *q, const char *parent, const char *name, const char *type)
{
	_cleanup_free_ char *path = NULL;
	struct tce_vm_phb *p;
	uint64_t index, v;
	json_object *o;

	if (!streq(type, "child<spapr-pci-host-bridge>"))
		return 0;
	if (!(path = tce_strdup_printf("%s/%s", parent, name)))
		return -ENOMEM;
	if (!get_u64(q, path, "index", &index) || index > UINT32_MAX)
		return 0;
	if (!(p = tce_vm_phb_get(q->vm, (uint32_t)index)))
		return -ENOMEM;
	free(p->qom_path);
	p->qom_path = TAKE_PTR(path);
	if (streq(parent, "/machine/peripheral") && !p->id && !(p->id = strdup(name)))
		return -ENOMEM;
	/* pgsz decides the page sizes a DDW's table may be matched with */
	if (get_u64(q, p->qom_path, "pgsz", &v))
		p->has_pgsz = true, p->pgsz = v;
	if (!q->full)
		return phb_windows(q, p);
	if (get_u64(q, p->qom_path, "dma_win_addr", &v))
		p->has_dma_win_addr = true, p->dma_win_addr = v;
	if (get_u64(q, p->qom_path, "dma_win_size", &v))
		p->has_dma_win_size = true, p->dma_win_size = v;
	if (get_u64(q, p->qom_path, "dma64_win_addr", &v))
		p->has_dma64_win_addr = true, p->dma64_win_addr = v;
	o = qom_get(q, p->qom_path, "ddw");
	if (o && json_object_is_type(o, json_type_boolean)) {
		p->has_ddw = true;
		p->ddw = json_object_get_boolean(o);
	}
	json_object_put(o);
	/* the windows QEMU made: their LIOBNs are only in the tables' names */
	return phb_windows(q, p);
}

/* A device: which PHB its parent bus is on ("/machine/peripheral/pci.1/pci.1.0"). */
static int device_child(struct q *q, const char *parent, const char *name, const char *type)
{
	_cleanup_free_ char *path = NULL, *bus = NULL;
	struct tce_vm_phb *p = NULL;
	struct tce_vm_device *d = NULL;
	bool vfio;

	if (!strneq(type, "child<", 6) || streq(type, "child<spapr-pci-host-bridge>"))
		return 0;
	if (!(path = tce_strdup_printf("%s/%s", parent, name)))
		return -ENOMEM;
	bus = get_str(q, path, "parent_bus");
	if (!bus)
		return 0;
	for (size_t i = 0; i < q->vm->n_phbs; i++) {
		const char *qp = q->vm->phbs[i].qom_path;
		size_t l = qp ? strlen(qp) : 0;

		if (qp && strneq(bus, qp, l) && bus[l] == '/')
			p = &q->vm->phbs[i];
	}
	if (!p)
		return 0; /* not on a PHB: a VIO device, a CPU, a bus of its own */
	vfio = strneq(type, "child<vfio-pci", 14);
	if (vfio || p->vfio != TCE_YES)
		p->vfio = vfio ? TCE_YES : TCE_NO;
	if (!vfio)
		return 0;
	/* merge with what the command line or libvirt said of it */
	for (size_t i = 0; i < q->vm->n_devices && !d; i++)
		if (q->vm->devices[i].vfio && q->vm->devices[i].id &&
		    streq(q->vm->devices[i].id, name))
			d = &q->vm->devices[i];
	if (!d) {
		_cleanup_free_ char *host = get_str(q, path, "host");

		for (size_t i = 0; host && i < q->vm->n_devices && !d; i++)
			if (q->vm->devices[i].host_bdf && streq(q->vm->devices[i].host_bdf, host))
				d = &q->vm->devices[i];
		if (!d) {
			if (!(d = tce_vm_device_add(q->vm)))
				return -ENOMEM;
			d->vfio = true;
			d->driver = strdup("vfio-pci");
			d->id =
			    strneq(parent, "/machine/peripheral-anon", 24) ? NULL : strdup(name);
			d->host_bdf = TAKE_PTR(host);
		}
	}
	d->has_phb = true;
	d->phb_index = p->index;
	return 0;
}

/* The "start-end" at the head of a line (after its blanks): false unless there. */
static bool mtree_range(const char *ls, uint64_t *ret_a, uint64_t *ret_b)
{
	char range[64], *dash;
	size_t rl = 0;

	while (*ls == ' ')
		ls++;
	/* up to the first blank, which must come within the buffer */
	while (ls[rl] && ls[rl] != ' ' && rl < sizeof(range))
		rl++;
	if (!rl || rl >= sizeof(range) || ls[rl] != ' ')
		return false;
	memcpy(range, ls, rl);
	range[rl] = '\0';
	if (!(dash = strchr(range, '-')))
		return false;
	*dash = '\0';
	return tce_parse_u64(range, 16, ret_a) == 0 && tce_parse_u64(dash + 1, 16, ret_b) == 0 &&
	       *ret_b >= *ret_a;
}

/*
 * "  0000000000000000-000000003fffffff (prio 0, i/o): tce-iommu-80000300"
 * Linear in the text (a hostile peer's reply is up to 4 MiB): each line's
 * start is found once, its range parsed once however many names it holds.
 */
/*
 * The next "tce-iommu-" in [p, end): memchr and a 10-byte memcmp, each
 * reading only what it passes over. strstr() would do, but AddressSanitizer's
 * strstr measures the whole rest of the text at every call: quadratic on a
 * reply of one long line (the ASan build's unit test took minutes).
 */
static const char *find_tce_iommu(const char *p, const char *end)
{
	while ((p = memchr(p, 't', (size_t)(end - p)))) {
		if ((size_t)(end - p) >= 10 && memcmp(p, "tce-iommu-", 10) == 0)
			return p;
		p++;
	}
	return NULL;
}

int tce_mtree_parse(const char *text, struct tce_vm *vm)
{
	const char *p = text, *seen = text, *ls = text, *parsed = NULL, *end = text + strlen(text);
	bool have_range = false;
	uint64_t a = 0, b = 0;

	while ((p = find_tce_iommu(p, end))) {
		const char *nl = memrchr(seen, '\n', (size_t)(p - seen));
		uint64_t liobn;
		char *e;

		if (nl)
			ls = nl + 1;
		seen = p;
		errno = 0;
		liobn = strtoull(p + 10, &e, 16);
		p += 10;
		if (errno || e == p || (*e && *e != '\r' && *e != '\n' && *e != ' ') ||
		    liobn > UINT32_MAX)
			continue;
		if (ls != parsed) {
			parsed = ls;
			have_range = mtree_range(ls, &a, &b);
		}
		if (!have_range)
			continue;
		for (size_t i = 0; i < vm->n_phbs; i++) {
			struct tce_vm_phb *ph = &vm->phbs[i];

			for (size_t j = 0; j < ph->n_windows; j++) {
				struct tce_vm_window *w = &ph->windows[j];

				if (w->liobn != liobn || w->has_size)
					continue;
				/* a flat view shows the window as mapped (maybe cut by
				 * the msi region): enabled, its size from the QOM */
				w->created = TCE_YES;
				if (!w->has_start) {
					w->has_start = true;
					w->start = a;
				}
			}
		}
	}
	return 0;
}

int tce_qmp_inspect(tce_qmp_exec_fn exec, void *ctx, struct tce_vm *vm, bool full)
{
	static const char *const containers[] = { "/machine/peripheral", "/machine/peripheral-anon",
						  "/machine/unattached" };
	struct q q = { exec, ctx, vm, full, 0 };
	json_object *o, *v;
	int k;

	vm->qmp_asked = true;
	o = call(&q, "{\"execute\":\"query-status\"}");
	if (o && json_object_object_get_ex(o, "status", &v) &&
	    json_object_is_type(v, json_type_string)) {
		free(vm->run_state);
		vm->run_state = strdup(json_object_get_string(v));
	}
	json_object_put(o);
	if (q.err)
		return vm->qmp_err = q.err;
	for (size_t i = 0; i < ARRAY_SIZE(containers); i++)
		if ((k = each_child(&q, containers[i], phb_child)) < 0)
			return vm->qmp_err = k;
	for (size_t i = 0; i < vm->n_phbs; i++)
		if (vm->phbs[i].qom_path)
			vm->phbs[i].vfio = TCE_UNKNOWN;
	for (size_t i = 0; i < 2; i++)
		if ((k = each_child(&q, containers[i], device_child)) < 0)
			return vm->qmp_err = k;
	/* a PHB QEMU has and no device is on: emulated at most (nothing) */
	for (size_t i = 0; i < vm->n_phbs; i++)
		if (vm->phbs[i].qom_path && vm->phbs[i].vfio == TCE_UNKNOWN)
			vm->phbs[i].vfio = TCE_NO;
	o = call(&q, "{\"execute\":\"human-monitor-command\",\"arguments\":"
		     "{\"command-line\":\"info mtree -f\"}}");
	if (o && json_object_is_type(o, json_type_string))
		tce_mtree_parse(json_object_get_string(o), vm);
	json_object_put(o);
	return vm->qmp_err = q.err;
}
