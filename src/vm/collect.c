/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VM map: find the running VMs (a /proc scan for QEMU processes, KVM's
 * debugfs, libvirt, a QMP socket named by the user), merge them when they
 * name the same QEMU process, read what each source says, least intrusive
 * first, ask QEMU when allowed (concurrently, one deadline for all), and
 * decide each window's verdict.
 *
 * Recording: /proc and debugfs reads go through the root like every other
 * read; QMP replies and libvirt domain XML go to the sidecar (kinds
 * "qmp-peer", "qmp", "libvirt-domains", "libvirt-domain"), so `--root`
 * replays list-vms and show-vm.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tceiommu/host.h"
#include "tceiommu/hostinfo.h"
#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/probe.h"
#include "tceiommu/util.h"
#include "tceiommu/vmcollect.h"
#include "tceiommu/vmproc.h"

#define MAX_LOG_TAIL (256u << 10)
/* include/uapi/linux/kvm.h */
#define KVM_CAP_SPAPR_TCE_64_NR 125
#define KVM_CAP_SPAPR_TCE_VFIO_NR 142

static struct tce_vm *vms_add(struct tce_vms *v)
{
	struct tce_vm *a = realloc(v->vms, (v->n + 1) * sizeof(*a));

	if (!a)
		return NULL;
	v->vms = a;
	memset(&a[v->n], 0, sizeof(a[v->n]));
	a[v->n].kvm = TCE_UNKNOWN;
	a[v->n].cap_ipc_lock = TCE_UNKNOWN;
	return &a[v->n++];
}

static struct tce_vm *vm_by_pid(struct tce_vms *v, int pid)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->vms[i].pid == pid)
			return &v->vms[i];
	return NULL;
}

static int note(char ***notes, const char *fmt, ...) _printf_(2, 3);
static int note(char ***notes, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = tce_vstrdup_printf(fmt, ap);
	va_end(ap);
	if (s && strv_contains(*notes, s)) {
		free(s);
		return 0;
	}
	return strv_push(notes, s);
}

/* A QEMU system emulator by the name of its program: comm is
 * "qemu-system-ppc" (the first 15 characters of qemu-system-ppc64),
 * "qemu-kvm"; not qemu-img, qemu-nbd, qemu-ga. */
static bool is_qemu_comm(const char *comm)
{
	return strneq(comm, "qemu-system-", 12) || streq(comm, "qemu-kvm");
}

/* Is /proc mounted with hidepid (fs/proc/root.c)? From our own mountinfo. */
static bool proc_hidepid(struct tce_root *r)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	const char *p;

	if (tce_root_read(r, PATH_PROC "/self/mountinfo", 1u << 20, &buf, &len) < 0)
		return false;
	for (p = buf; (p = strstr(p, " - proc ")); p++) {
		const char *eol = strchr(p, '\n');
		_cleanup_free_ char *line = strndup(p, eol ? (size_t)(eol - p) : strlen(p));

		if (line && strstr(line, "hidepid=") && !strstr(line, "hidepid=0") &&
		    !strstr(line, "hidepid=off"))
			return true;
	}
	return false;
}

static int scan_proc(struct tce_root *r, struct tce_vms *v)
{
	_cleanup_strv_free_ char **pids = NULL;
	int k = tce_root_list(r, PATH_PROC, &pids);

	if (k < 0)
		return k == -ENOMEM ? k : 0;
	for (char **p = pids; *p; p++) {
		_cleanup_free_ char *path = NULL, *comm = NULL;
		struct tce_vm *vm;
		uint64_t pid;
		void *tok;

		if (!tce_all_digits(*p) || tce_parse_u64(*p, 10, &pid) < 0 || pid > INT32_MAX)
			continue;
		if (!(path = tce_strdup_printf(PATH_PROC "/%s/comm", *p)))
			return -ENOMEM;
		/* every other process's name stays out of a recording */
		tok = tce_root_pause_recording(r);
		k = tce_root_read_string(r, path, &comm);
		tce_root_resume_recording(r, tok);
		if (k < 0 || !is_qemu_comm(comm))
			continue;
		free(comm);
		comm = NULL;
		(void)tce_root_read_string(r, path, &comm); /* now recorded */
		if (vm_by_pid(v, (int)pid))
			continue;
		if (!(vm = vms_add(v)))
			return -ENOMEM;
		vm->pid = (int)pid;
		vm->sources |= TCE_VM_SRC_PROC;
	}
	return 0;
}

/* kvm/PID-FD (virt/kvm/kvm_main.c: "%d-%s", older "%d-%d"). */
static int scan_debugfs(struct tce_root *r, struct tce_vms *v)
{
	_cleanup_strv_free_ char **names = NULL;
	int k = tce_root_list(r, PATH_DEBUGFS_KVM, &names);

	if (k < 0) {
		v->debugfs_err = k;
		return k == -ENOMEM ? k : 0;
	}
	for (char **n = names; *n; n++) {
		_cleanup_free_ char *path = NULL;
		char *dash = strchr(*n, '-');
		_cleanup_free_ char *pids = dash ? strndup(*n, (size_t)(dash - *n)) : NULL;
		struct tce_vm *vm;
		uint64_t pid;

		if (!pids || !tce_all_digits(pids) || !tce_all_digits(dash + 1) ||
		    tce_parse_u64(pids, 10, &pid) < 0 || pid > INT32_MAX)
			continue;
		/* the entry itself, so a recording keeps the listing */
		if ((path = tce_strdup_printf(PATH_DEBUGFS_KVM "/%s", *n)))
			(void)tce_root_exists(r, path);
		vm = vm_by_pid(v, (int)pid);
		if (!vm) {
			if (!(vm = vms_add(v)))
				return -ENOMEM;
			vm->pid = (int)pid;
		}
		vm->sources |= TCE_VM_SRC_DEBUGFS;
		if (!vm->debugfs_name && !(vm->debugfs_name = strdup(*n)))
			return -ENOMEM;
	}
	return 0;
}

/* The windows QEMU makes for each PHB at reset when nobody asked it
 * (hw/ppc/spapr_pci.c: dma_win_addr 0, dma_win_size 1 GiB, dma64_win_addr
 * 1 << 59, ddw on); QMP replaces them with what QEMU says. */
static int default_windows(struct tce_vm *vm)
{
	for (size_t i = 0; i < vm->n_phbs; i++) {
		struct tce_vm_phb *p = &vm->phbs[i];
		struct tce_vm_window *w;
		uint64_t size = p->has_dma_win_size ? p->dma_win_size : 1ULL << 30;

		if (!(w = tce_vm_window_get(p, tce_spapr_pci_liobn(p->index, 0))))
			return -ENOMEM;
		if (!w->source) {
			w->has_start = w->has_size = true;
			w->start = p->has_dma_win_addr ? p->dma_win_addr : 0;
			w->size = size;
			w->created = size ? TCE_YES : TCE_NO;
			w->source = p->has_dma_win_size ? "cmdline" : "default";
		}
		if (p->has_ddw && !p->ddw)
			continue;
		if (!(w = tce_vm_window_get(p, tce_spapr_pci_liobn(p->index, 1))))
			return -ENOMEM;
		if (!w->source) {
			/* created by the guest (RTAS ibm,create-pe-dma-window): its
			 * size is known only to QEMU */
			w->has_start = true;
			w->start = p->has_dma64_win_addr ? p->dma64_win_addr : 1ULL << 59;
			w->source = "guest";
		}
	}
	return 0;
}

/* ---- QMP: live, recorded, replayed ------------------------------------------ */

struct qmp_conn {
	const char *path;
	int timeout_ms;
	struct tce_qmp *q;
	int pid, err;
	char *error;
};

struct qmp_job {
	struct tce_vm *vm;
	/* live socket */
	struct tce_qmp *qmp;
	/* libvirt monitor, opened on the job's thread */
	const char *uri;
	struct tce_libvirt_monitor *mon;
	/* replay */
	struct tce_root *root;
	char *key; /* "PID" or the socket path */
	/* recording: (request, reply-or-error) pairs for the main thread */
	bool recording;
	char **rec_keys, **rec_vals;
	int *rec_errs;
	size_t n_rec;
	int timeout_ms;
	bool full;
};

static void rec_add(struct qmp_job *j, const char *req, int err, const char *val)
{
	char **k = realloc(j->rec_keys, (j->n_rec + 1) * sizeof(*k));
	char **v;
	int *e;

	if (!k)
		return;
	j->rec_keys = k;
	v = realloc(j->rec_vals, (j->n_rec + 1) * sizeof(*v));
	if (!v)
		return;
	j->rec_vals = v;
	e = realloc(j->rec_errs, (j->n_rec + 1) * sizeof(*e));
	if (!e)
		return;
	j->rec_errs = e;
	k[j->n_rec] = strdup(req);
	v[j->n_rec] = val ? strdup(val) : NULL;
	e[j->n_rec] = err;
	j->n_rec++;
}

static int exec_record(struct qmp_job *j, const char *req, int k, char **ret, char **ret_error)
{
	if (j->recording && k != -ETIMEDOUT) {
		if (k == -EREMOTEIO) {
			_cleanup_free_ char *v =
			    tce_strdup_printf("error:%s", *ret_error ? *ret_error : "");

			rec_add(j, req, 0, v);
		} else {
			rec_add(j, req, k < 0 ? -k : 0, k < 0 ? NULL : *ret);
		}
	}
	return k;
}

static int exec_socket(void *ctx, const char *req, char **ret, char **ret_error)
{
	struct qmp_job *j = ctx;

	return exec_record(j, req, tce_qmp_call(j->qmp, req, j->timeout_ms, ret, ret_error), ret,
			   ret_error);
}

static int exec_monitor(void *ctx, const char *req, char **ret, char **ret_error)
{
	struct qmp_job *j = ctx;

	return exec_record(j, req, tce_libvirt_monitor_exec(j->mon, req, ret, ret_error), ret,
			   ret_error);
}

static int exec_replay(void *ctx, const char *req, char **ret, char **ret_error)
{
	struct qmp_job *j = ctx;
	_cleanup_strv_free_ char **v = NULL;
	_cleanup_free_ char *key = tce_strdup_printf("%s %s", j->key, req);
	int k;

	if (!key)
		return -ENOMEM;
	k = tce_probe(j->root, "qmp", key, &v);
	if (k < 0) {
		if (ret_error)
			*ret_error =
			    strdup(k == -ENODATA ? "not recorded in the snapshot" : strerror(-k));
		return k;
	}
	if (!v[0]) {
		*ret_error = strdup("empty recorded reply");
		return -EPROTO;
	}
	if (strneq(v[0], "error:", 6)) {
		*ret_error = strdup(v[0] + 6);
		return -EREMOTEIO;
	}
	*ret = strdup(v[0]);
	return *ret ? 0 : -ENOMEM;
}

static void *job_run(void *p)
{
	struct qmp_job *j = p;
	tce_qmp_exec_fn fn;

	if (j->uri) {
		char *err = NULL;
		int k = tce_libvirt_monitor_open(j->uri, j->vm->name, j->timeout_ms, &j->mon, &err);

		if (k < 0) {
			j->vm->qmp_asked = true;
			j->vm->qmp_err = k;
			j->vm->qmp_error = err ? err : strdup(strerror(-k));
			return NULL;
		}
		free(err);
	}
	fn = j->qmp ? exec_socket : j->mon ? exec_monitor : exec_replay;

	(void)tce_qmp_inspect(fn, j, j->vm, j->full);
	return NULL;
}

static void job_done(struct qmp_job *j)
{
	for (size_t i = 0; i < j->n_rec; i++) {
		free(j->rec_keys[i]);
		free(j->rec_vals[i]);
	}
	free(j->rec_keys);
	free(j->rec_vals);
	free(j->rec_errs);
	free(j->key);
	if (j->qmp)
		tce_qmp_close(j->qmp);
	if (j->mon)
		tce_libvirt_monitor_close(j->mon);
}

static void job_save(struct tce_root *r, struct qmp_job *j)
{
	for (size_t i = 0; i < j->n_rec; i++) {
		_cleanup_free_ char *key = tce_strdup_printf("%s %s", j->key, j->rec_keys[i]);
		char *vals[2] = { j->rec_vals[i], NULL };

		if (key && j->rec_keys[i])
			(void)tce_probe_put(r, "qmp", key, j->rec_errs[i], vals);
	}
}

/* ---- host facts ---------------------------------------------------------------- */

static void host_caps(struct tce_root *r, struct tce_vms *v)
{
	struct tce_module m;
	long ans;
	int k;

	v->cap_spapr_tce_vfio = v->cap_spapr_tce_64 = TCE_UNKNOWN;
	/* opening /dev/kvm autoloads kvm_hv/kvm_pr: only when kvm is there */
	if (tce_module_state(r, "kvm", &m) == 0 && m.state == TCE_MOD_ABSENT) {
		v->cap_note = strdup("kvm is not loaded");
		return;
	}
	k = tce_kvm_check_extension(r, KVM_CAP_SPAPR_TCE_VFIO_NR, &ans);
	if (k < 0) {
		v->cap_note = tce_strdup_printf("KVM_CAP_SPAPR_TCE_VFIO: %s",
						k == -EACCES	? "needs root (/dev/kvm)"
						: k == -ENODATA ? "not recorded"
								: strerror(-k));
		return;
	}
	v->cap_spapr_tce_vfio = ans > 0 ? TCE_YES : TCE_NO;
	if (tce_kvm_check_extension(r, KVM_CAP_SPAPR_TCE_64_NR, &ans) == 0)
		v->cap_spapr_tce_64 = ans > 0 ? TCE_YES : TCE_NO;
}

/* Host BDF -> IOMMU group and its devices, through the list-groups collector. */
static int map_groups(struct tce_root *r, struct tce_vms *v)
{
	_cleanup_host_ struct tce_host *h = NULL;
	struct tce_collect_opts co = { 0 };
	bool any = false;
	int k;

	for (size_t i = 0; i < v->n; i++)
		for (size_t j = 0; j < v->vms[i].n_devices; j++)
			any |= v->vms[i].devices[j].vfio;
	if (!any)
		return 0;
	if ((k = tce_host_collect_groups(r, &co, &h)) < 0)
		return k == -ENOMEM ? k : 0;
	for (size_t i = 0; i < v->n; i++) {
		for (size_t j = 0; j < v->vms[i].n_devices; j++) {
			struct tce_vm_device *d = &v->vms[i].devices[j];
			const char *bdf = d->host_bdf;

			if (!bdf && d->host_sysfsdev) {
				bdf = strrchr(d->host_sysfsdev, '/');
				bdf = bdf ? bdf + 1 : d->host_sysfsdev;
			}
			if (!d->vfio || !bdf)
				continue;
			for (size_t g = 0; g < h->n_groups && !d->has_group; g++) {
				const struct tce_group *gr = &h->groups[g];
				bool in = false;

				for (size_t x = 0; x < gr->n_devices; x++)
					in |=
					    strcasecmp(gr->devices[x].bdf, bdf) == 0 ||
					    (strlen(bdf) == 7 && strlen(gr->devices[x].bdf) == 12 &&
					     strcasecmp(gr->devices[x].bdf + 5, bdf) == 0);
				if (!in)
					continue;
				d->has_group = true;
				d->group = gr->number;
				for (size_t x = 0; x < gr->n_devices; x++) {
					const struct tce_device *dv = &gr->devices[x];
					char *s = tce_strdup_printf("%s %04x:%04x %s", dv->bdf,
								    dv->vendor_id, dv->device_id,
								    dv->driver ? dv->driver : "-");

					if (strv_push(&d->group_devices, s) < 0)
						return -ENOMEM;
				}
			}
		}
	}
	return 0;
}

/* QEMU's log: libvirt's per-domain file, or a regular file on QEMU's stderr. */
static int read_log(struct tce_root *r, struct tce_vm *vm)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_strv_free_ char **lines = NULL;
	size_t len;

	if (!vm->log_path && vm->pid && vm->fds_read) {
		_cleanup_free_ char *fd2 = tce_strdup_printf(PATH_PROC "/%d/fd/2", vm->pid);
		_cleanup_free_ char *t = NULL;

		if (fd2 && tce_root_readlink(r, fd2, &t) == 0 && t[0] == '/' &&
		    !strneq(t, PATH_DEV "/", sizeof(PATH_DEV)) && !strstr(t, " (deleted)"))
			vm->log_path = TAKE_PTR(t);
	}
	if (!vm->log_path || tce_root_read_tail(r, vm->log_path, MAX_LOG_TAIL, &buf, &len) < 0)
		return 0;
	lines = tce_qemu_log_scan(buf, len);
	if (!lines)
		return 0;
	for (char **l = lines; *l; l++) {
		uint32_t liobn;
		bool placed = false;

		if (tce_qemu_log_liobn(*l, &liobn) == 0) {
			for (size_t i = 0; i < vm->n_phbs; i++)
				for (size_t j = 0; j < vm->phbs[i].n_windows; j++) {
					struct tce_vm_window *w = &vm->phbs[i].windows[j];

					if (w->liobn == liobn && !w->qemu_error) {
						w->qemu_error = strdup(*l);
						placed = true;
					}
				}
		}
		(void)placed;
	}
	strv_free(vm->log_lines);
	vm->log_lines = TAKE_PTR(lines);
	return 0;
}

/* ---- libvirt ---------------------------------------------------------------- */

static int libvirt_domains(struct tce_root *r, const struct tce_vms_opts *o, struct tce_vms *v)
{
	_cleanup_strv_free_ char **names = NULL;
	struct tce_libvirt_domain *doms = NULL;
	size_t n = 0;
	int k;

	if (tce_root_is_live(r)) {
		_cleanup_free_ char *lnote = NULL;

		k = tce_libvirt_list_running(o->uri, o->timeout_ms, &doms, &n, &lnote);
		if (k < 0) {
			v->libvirt_err = k;
			/* "built without libvirt", "libvirt not installed (...)", ... */
			v->libvirt_note = lnote ? TAKE_PTR(lnote) : strdup(strerror(-k));
			return 0;
		}
		if (!(names = calloc(1, sizeof(char *))))
			goto oom;
		for (size_t i = 0; i < n; i++) {
			char *vals[4] = { doms[i].uuid ? doms[i].uuid : (char *)"",
					  doms[i].state ? doms[i].state : (char *)"",
					  doms[i].xml ? doms[i].xml : (char *)"", NULL };

			if (strv_extend(&names, doms[i].name) < 0)
				goto oom;
			(void)tce_probe_put(r, "libvirt-domain", doms[i].name, 0, vals);
		}
		(void)tce_probe_put(r, "libvirt-domains", o->uri, 0, names);
	} else {
		k = tce_probe(r, "libvirt-domains", o->uri, &names);
		if (k < 0)
			return 0; /* the snapshot holds no libvirt answer */
		if (!(doms = calloc(strv_length(names) + 1, sizeof(*doms))))
			return -ENOMEM;
		for (char **nm = names; *nm; nm++) {
			_cleanup_strv_free_ char **vals = NULL;

			if (tce_probe(r, "libvirt-domain", *nm, &vals) < 0 || strv_length(vals) < 3)
				continue;
			doms[n].name = strdup(*nm);
			doms[n].uuid = strdup(vals[0]);
			doms[n].state = strdup(vals[1]);
			doms[n].xml = strdup(vals[2]);
			n++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct tce_vm parsed = { .kvm = TCE_UNKNOWN, .cap_ipc_lock = TCE_UNKNOWN };
		struct tce_vm *vm = NULL;
		_cleanup_free_ char *pidfile = NULL;
		int64_t pid;

		if (!doms[i].xml ||
		    tce_libvirt_parse_domain_xml(doms[i].xml, strlen(doms[i].xml), &parsed) < 0) {
			tce_vm_done(&parsed);
			continue;
		}
		/* merged with the QEMU process of the same UUID or name */
		for (size_t j = 0; j < v->n && !vm; j++) {
			struct tce_vm *c = &v->vms[j];

			if ((c->uuid && doms[i].uuid && strcasecmp(c->uuid, doms[i].uuid) == 0) ||
			    (!c->uuid && c->name && streq(c->name, doms[i].name)))
				vm = c;
		}
		pidfile = tce_strdup_printf(PATH_LIBVIRT_QEMU_RUN "/%s.pid", doms[i].name);
		if (!vm && pidfile && tce_root_read_s64(r, pidfile, 10, &pid) == 0 && pid > 0 &&
		    pid <= INT32_MAX)
			vm = vm_by_pid(v, (int)pid);
		if (!vm) {
			if (!(vm = vms_add(v))) {
				tce_vm_done(&parsed);
				goto oom;
			}
			if (pidfile && tce_root_read_s64(r, pidfile, 10, &pid) == 0 && pid > 0 &&
			    pid <= INT32_MAX)
				vm->pid = (int)pid;
		}
		vm->sources |= TCE_VM_SRC_LIBVIRT;
		free(vm->libvirt_state);
		vm->libvirt_state = doms[i].state ? strdup(doms[i].state) : NULL;
		/* the XML is complete for PHBs and hostdevs (hotplug included):
		 * it replaces what the command line said */
		free(vm->name);
		vm->name = strdup(doms[i].name);
		if (!vm->uuid && doms[i].uuid)
			vm->uuid = strdup(doms[i].uuid);
		for (size_t j = 0; j < parsed.n_phbs; j++) {
			struct tce_vm_phb *p = tce_vm_phb_get(vm, parsed.phbs[j].index);

			if (!p)
				goto oom_parsed;
			if (!p->id && parsed.phbs[j].id)
				p->id = strdup(parsed.phbs[j].id);
			p->vfio = parsed.phbs[j].vfio;
		}
		for (size_t j = 0; j < vm->n_devices; j++)
			tce_vm_device_done(&vm->devices[j]);
		free(vm->devices);
		vm->devices = TAKE_PTR(parsed.devices);
		vm->n_devices = parsed.n_devices;
		parsed.n_devices = 0;
		if (!vm->machine)
			vm->machine = TAKE_PTR(parsed.machine);
		if (!vm->accel && parsed.accel) {
			vm->accel = TAKE_PTR(parsed.accel);
			vm->kvm = parsed.kvm;
		}
		if (!vm->has_ram && parsed.has_ram)
			vm->has_ram = true, vm->ram = parsed.ram;
		vm->mem_lock_on |= parsed.mem_lock_on;
		for (char **nt = parsed.notes; nt && *nt; nt++)
			(void)note(&vm->notes, "%s", *nt);
		free(vm->log_path);
		vm->log_path = tce_strdup_printf(PATH_LIBVIRT_QEMU_LOG "/%s.log", doms[i].name);
		tce_vm_done(&parsed);
		continue;
	oom_parsed:
		tce_vm_done(&parsed);
		goto oom;
	}
	tce_libvirt_domains_free(doms, n);
	return 0;
oom:
	tce_libvirt_domains_free(doms, n);
	return -ENOMEM;
}

/* ---- the whole map ---------------------------------------------------------- */

static int ask_qemu(struct tce_root *r, const struct tce_vms_opts *o, struct tce_vms *v,
		    struct qmp_conn *conns)
{
	_cleanup_free_ struct qmp_job *jobs = calloc(v->n ? v->n : 1, sizeof(*jobs));
	_cleanup_free_ pthread_t *th = calloc(v->n ? v->n : 1, sizeof(*th));
	_cleanup_free_ bool *started = calloc(v->n ? v->n : 1, sizeof(*started));
	bool live = tce_root_is_live(r);

	if (!jobs || !th || !started)
		return -ENOMEM;
	for (size_t i = 0; i < v->n; i++) {
		struct tce_vm *vm = &v->vms[i];
		struct qmp_job *j = &jobs[i];

		j->vm = vm;
		j->root = r;
		j->timeout_ms = o->timeout_ms;
		j->full = o->full;
		j->recording = tce_root_is_recording(r);
		if (vm->qmp_via && strneq(vm->qmp_via, "socket ", 7)) {
			if (vm->qmp_err)
				continue; /* did not connect: said already */
			if (live) {
				for (size_t c = 0; c < o->n_qmp && !j->qmp; c++)
					if (conns[c].q && streq(conns[c].path, vm->qmp_via + 7))
						j->qmp = TAKE_PTR(conns[c].q);
				if (!j->qmp)
					continue;
			}
			j->key = vm->pid || live ? tce_strdup_printf("%d", vm->pid) : NULL;
		} else if (o->monitor && live && (vm->sources & TCE_VM_SRC_LIBVIRT)) {
			/* opened on the job's thread: a hung libvirt costs once */
			j->uri = o->uri;
			vm->qmp_via = strdup("libvirt monitor");
			j->key = tce_strdup_printf("%d", vm->pid);
		} else if (!live && vm->pid) {
			/* a snapshot that recorded QEMU's answers replays them */
			_cleanup_strv_free_ char **probe = NULL;
			_cleanup_free_ char *key =
			    tce_strdup_printf("%d {\"execute\":\"query-status\"}", vm->pid);

			if (!key || tce_probe(r, "qmp", key, &probe) < 0)
				continue;
			j->key = tce_strdup_printf("%d", vm->pid);
			if (!vm->qmp_via)
				vm->qmp_via = strdup("snapshot");
		} else {
			continue;
		}
		if (!j->key)
			continue;
		/* live peers are asked concurrently: a hung one costs its
		 * timeout once, not once per VM */
		if (live && pthread_create(&th[i], NULL, job_run, j) == 0)
			started[i] = true;
		else
			job_run(j);
	}
	for (size_t i = 0; i < v->n; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		job_save(r, &jobs[i]);
		job_done(&jobs[i]);
	}
	return 0;
}

/* --qmp SOCKET...: connected to concurrently (a hung peer costs its timeout
 * once), each peer's pid from SO_PEERCRED names its QEMU process. */
static void *conn_run(void *p)
{
	struct qmp_conn *c = p;

	c->err = tce_qmp_open(c->path, c->timeout_ms, &c->q, &c->error);
	if (c->err == 0)
		c->pid = tce_qmp_peer_pid(c->q);
	return NULL;
}

static int add_qmp_vms(struct tce_root *r, const struct tce_vms_opts *o, struct tce_vms *v,
		       struct qmp_conn *conns)
{
	bool live = tce_root_is_live(r);
	_cleanup_free_ pthread_t *th = calloc(o->n_qmp + 1, sizeof(*th));
	_cleanup_free_ bool *started = calloc(o->n_qmp + 1, sizeof(*started));

	if (!th || !started)
		return -ENOMEM;
	for (size_t i = 0; i < o->n_qmp; i++) {
		conns[i].path = o->qmp_paths[i];
		conns[i].timeout_ms = o->timeout_ms;
		if (live && pthread_create(&th[i], NULL, conn_run, &conns[i]) == 0)
			started[i] = true;
		else if (live)
			conn_run(&conns[i]);
	}
	for (size_t i = 0; i < o->n_qmp; i++) {
		struct qmp_conn *c = &conns[i];
		_cleanup_strv_free_ char **peer = NULL;
		struct tce_vm *vm;

		if (started[i])
			pthread_join(th[i], NULL);
		if (live && c->err == 0 && c->pid > 0) {
			char buf[16], *vals[2] = { buf, NULL };

			snprintf(buf, sizeof(buf), "%d", c->pid);
			(void)tce_probe_put(r, "qmp-peer", c->path, 0, vals);
		} else if (!live && tce_probe(r, "qmp-peer", c->path, &peer) == 0 && peer[0]) {
			int64_t p;

			if (tce_parse_s64(peer[0], 10, &p) == 0 && p > 0 && p <= INT32_MAX)
				c->pid = (int)p;
		}
		vm = c->pid ? vm_by_pid(v, c->pid) : NULL;
		if (!vm) {
			if (!(vm = vms_add(v)))
				return -ENOMEM;
			vm->pid = c->pid;
		}
		vm->sources |= TCE_VM_SRC_QMP;
		free(vm->qmp_via);
		if (!(vm->qmp_via = tce_strdup_printf("socket %s", c->path)))
			return -ENOMEM;
		if (c->err < 0 || (!live && !c->pid)) {
			vm->qmp_asked = true;
			vm->qmp_err = c->err < 0 ? c->err : -ENODATA;
			free(vm->qmp_error);
			vm->qmp_error = c->error
					    ? strdup(c->error)
					    : strdup(c->err < 0 ? strerror(-c->err)
								: "not recorded in the snapshot");
		}
	}
	return 0;
}

static void conns_done(struct qmp_conn *conns, size_t n)
{
	for (size_t i = 0; conns && i < n; i++) {
		if (conns[i].q)
			tce_qmp_close(conns[i].q);
		free(conns[i].error);
	}
	free(conns);
}

int tce_vms_collect(struct tce_root *r, const struct tce_vms_opts *o, struct tce_vms **ret)
{
	struct tce_vms *v = calloc(1, sizeof(*v));
	struct qmp_conn *conns = calloc(o->n_qmp + 1, sizeof(*conns));
	long euid = tce_root_euid(r);
	int k;

	if (!v || !conns) {
		free(v);
		free(conns);
		return -ENOMEM;
	}
	v->page_size = tce_root_page_size(r);
	if ((k = scan_proc(r, v)) < 0 || (k = scan_debugfs(r, v)) < 0)
		goto fail;
	if (euid != 0 && proc_hidepid(r))
		v->proc_hidden = true;
	if (o->uri && (k = libvirt_domains(r, o, v)) < 0)
		goto fail;
	if (o->n_qmp && (k = add_qmp_vms(r, o, v, conns)) < 0)
		goto fail;
	for (size_t i = 0; i < v->n; i++) {
		struct tce_vm *vm = &v->vms[i];

		if (vm->pid && (k = tce_vm_read_proc(r, vm)) < 0)
			goto fail;
		if (vm->proc_err == -ESRCH &&
		    !(vm->sources & (TCE_VM_SRC_LIBVIRT | TCE_VM_SRC_QMP))) {
			/* gone since the scan (a daemonizing parent, a VM that quit) */
			tce_vm_done(vm);
			memmove(vm, vm + 1, (v->n - i - 1) * sizeof(*vm));
			v->n--;
			i--;
			continue;
		}
		if (vm->proc_err == -EACCES || vm->proc_err == -EPERM)
			v->proc_partial = true;
		if (vm->fds_read && !vm->kvm_vm_fd && vm->kvm == TCE_UNKNOWN)
			vm->kvm = TCE_NO;
		if (vm->kvm_vm_fd)
			vm->kvm = TCE_YES;
	}
	if ((k = map_groups(r, v)) < 0)
		goto fail;
	for (size_t i = 0; i < v->n; i++) {
		tce_vm_mark_vfio_phbs(&v->vms[i]);
		if ((k = default_windows(&v->vms[i])) < 0)
			goto fail;
	}
	if ((k = ask_qemu(r, o, v, conns)) < 0)
		goto fail;
	host_caps(r, v);
	for (size_t i = 0; i < v->n; i++) {
		struct tce_vm *vm = &v->vms[i];

		if ((k = read_log(r, vm)) < 0)
			goto fail;
		if (!vm->qmp_asked && !(vm->sources & TCE_VM_SRC_LIBVIRT) && vm->n_devices == 0 &&
		    vm->n_vfio_groups)
			(void)note(&vm->notes, "holds VFIO groups but its command line places no "
					       "vfio-pci device: hotplugged? --qmp asks QEMU");
		tce_vm_decide(vm, v->page_size > 0 ? v->page_size : 4096, v->cap_spapr_tce_vfio);
	}
	conns_done(conns, o->n_qmp);
	*ret = v;
	return 0;
fail:
	conns_done(conns, o->n_qmp);
	tce_vms_free(v);
	return k;
}

int tce_vm_stopped_log(struct tce_root *r, const char *name, char **ret_path, char ***ret_lines)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	size_t len;
	int k;

	/* a domain name is a file name here: no path of its own */
	if (!*name || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
		return -EINVAL;
	if (!(path = tce_strdup_printf(PATH_LIBVIRT_QEMU_LOG "/%s.log", name)))
		return -ENOMEM;
	if ((k = tce_root_read_tail(r, path, MAX_LOG_TAIL, &buf, &len)) < 0)
		return k;
	if (!(*ret_lines = tce_qemu_log_scan(buf, len)))
		return -ENOMEM;
	*ret_path = TAKE_PTR(path);
	return 0;
}
