/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt checks: is libvirt reachable at -c URI with the VFIO hostdev backend
 * in its domain capabilities, and do ppc64 domains with PCI hostdevs set a
 * <memtune><hard_limit> below what libvirt itself would give them.
 * Read-only connection: a monitoring user needs no write access; a refusal
 * by polkit or the access driver is UNKNOWN, never FAIL. A qemu:///system
 * or qemu:///session daemon without a socket is WARN before libvirt is
 * asked, as the VM map's collector does (src/vm/libvirt.c).
 *
 * libvirt and libxml2 are loaded on first need (tceiommu/dlopen.h), so only
 * past that socket test: a host without libvirt running never maps them.
 * Without the libraries the checks say WARN too, as for a refused connection.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/checks.h"
#include "tceiommu/log.h"
#include "tceiommu/util.h"

/*
 * libvirt's memlock figure for a ppc64 domain, in bytes (FACTS §7 2.6a;
 * libvirt src/qemu/qemu_domain.c, the ppc64 branch of
 * qemuDomainGetMemLockLimitBytes), computed in KiB as libvirt does:
 *   base = maxMemory/128 + 4 MiB per PHB + 8 MiB
 *   with VFIO: passthrough = max(2 GiB per PHB, memory + memory/512 per PHB + 8 MiB)
 *   limit = base + passthrough
 */
unsigned long long tce_libvirt_ppc64_memlock(unsigned long long mem, unsigned long long maxmem,
					     unsigned phbs, bool vfio)
{
	unsigned long long memk = mem >> 10, maxk = (maxmem ? maxmem : mem) >> 10;
	unsigned long long base = maxk / 128 + 4096ULL * phbs + 8192;
	unsigned long long pass = 0;

	if (vfio) {
		unsigned long long a = 2ULL * 1024 * 1024 * phbs;
		unsigned long long b = memk + memk / 512 * phbs + 8192;

		pass = a > b ? a : b;
	}
	return (base + pass) << 10;
}

#ifdef WITH_LIBVIRT
#include <pthread.h>
#include <time.h>

#include "tceiommu/dlopen.h"
#include "tceiommu/vm.h"

static void silent(void *data, virErrorPtr e)
{
	DBG("libvirt: %s", e && e->message ? e->message : "error");
}

/*
 * One libvirt session per run, on a thread of its own: it loads libvirt and
 * libxml2, opens one read-only connection and runs every selected libvirt
 * check on it in turn. check-host starts it before its first check
 * (tce_libvirt_start), so loading libvirt -- ~8 ms, nearly all of it
 * binding symbols, for the library is linked BIND_NOW -- overlaps the host
 * checks instead of adding to them, and the checks share one connection
 * instead of opening one each. Each libvirt check then waits for its own
 * result with a deadline: a libvirtd that accepts and never answers must not
 * hang a monitoring run. When a deadline passes the session is left to its
 * thread, never touched again, and this check and the later ones say
 * UNKNOWN.
 */
struct job {
	const char *uri;
	virConnectPtr conn;
	int open_code;
	char *open_error;
};

typedef void job_fn(struct job *j, struct tce_check_result *r);

struct tce_libvirt_session {
	char *uri;
	size_t n;
	struct {
		tce_check_fn *check;
		job_fn *fn;
		struct tce_check_result res;
		bool done;  /* res is set: the thread lets go of it */
		bool taken; /* res was handed to the check */
	} jobs[2];
	pthread_t thread;
	pthread_mutex_t m;
	pthread_cond_t cv;
};

static bool denied(int code)
{
	return code == VIR_ERR_AUTH_FAILED || code == VIR_ERR_AUTH_CANCELLED ||
	       code == VIR_ERR_ACCESS_DENIED || code == VIR_ERR_OPERATION_DENIED ||
	       code == VIR_ERR_AUTH_UNAVAILABLE;
}

/* the session's connection, or the result that says why there is none */
static bool no_conn(struct job *j, struct tce_check_result *r)
{
	if (j->conn)
		return false;
	tce_evidence(r, "virConnectOpenReadOnly", "%s: %s", j->uri,
		     j->open_error ? j->open_error : "error");
	if (denied(j->open_code))
		tce_result(r, TCE_LVL_UNKNOWN, "run as root, or allow this user in polkit",
			   "libvirt refused the connection to %s", j->uri);
	else
		tce_result(r, TCE_LVL_WARN,
			   "start libvirtd (or virtqemud), or name the URI with -c",
			   "libvirt is not reachable at %s", j->uri);
	return true;
}

/* the libraries could not be loaded: every job says so */
static void no_library(const char *lib, const char *dlerr, struct tce_check_result *r)
{
	tce_evidence(r, "dlopen", "%s", dlerr);
	if (streq(lib, "libvirt"))
		tce_result(r, TCE_LVL_WARN,
			   "install libvirt's client library (libvirt0, libvirt-libs)",
			   "libvirt not installed (%s)", dlerr);
	else
		tce_result(r, TCE_LVL_WARN, "install libxml2", "libxml2 not installed (%s)", dlerr);
}

static void *session_run(void *p)
{
	struct tce_libvirt_session *s = p;
	struct job j = { .uri = s->uri };
	const char *dlerr = NULL, *lib = NULL;

	/* libxml2 first: libvirt depends on it, and a dlopen() off the main
	 * thread of a library already loaded as a dependency makes glibc's
	 * loader defer freeing the old search list past exit (104 bytes that
	 * valgrind calls lost) */
	if (tce_dlopen_libxml2(&dlerr) < 0)
		lib = "libxml2";
	else if (tce_dlopen_libvirt(&dlerr) < 0)
		lib = "libvirt";
	if (!lib) {
		sym_virSetErrorFunc(NULL, silent);
		j.conn = sym_virConnectOpenReadOnly(s->uri);
		if (!j.conn) {
			const char *m = sym_virGetLastErrorMessage();

			j.open_code = sym_virGetLastErrorCode();
			j.open_error = strdup(m ? m : "error");
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		struct tce_check_result res = { 0 };

		if (lib)
			no_library(lib, dlerr, &res);
		else
			s->jobs[i].fn(&j, &res);
		pthread_mutex_lock(&s->m);
		s->jobs[i].res = res;
		s->jobs[i].done = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->m);
	}
	if (j.conn)
		sym_virConnectClose(j.conn);
	free(j.open_error);
	return NULL;
}

static xmlXPathObjectPtr xpath(xmlXPathContextPtr x, const char *expr)
{
	return sym_xmlXPathEvalExpression((const xmlChar *)expr, x);
}

static char *xstr(xmlXPathContextPtr x, const char *expr)
{
	xmlXPathObjectPtr o = xpath(x, expr);
	char *s = NULL;

	if (o && o->type == XPATH_STRING && o->stringval && o->stringval[0])
		s = strdup((const char *)o->stringval);
	sym_xmlXPathFreeObject(o);
	return s;
}

static double xnum(xmlXPathContextPtr x, const char *expr)
{
	xmlXPathObjectPtr o = xpath(x, expr);
	double v = o && o->type == XPATH_NUMBER ? o->floatval : 0;

	sym_xmlXPathFreeObject(o);
	return v;
}

/* A libvirt scaled integer (<memory unit='KiB'>), in bytes; 0 if absent. */
static unsigned long long xbytes(xmlXPathContextPtr x, const char *elem)
{
	char expr[256];
	_cleanup_free_ char *v = NULL, *unit = NULL;
	uint64_t n, mul = 1024;

	snprintf(expr, sizeof(expr), "string(%s)", elem);
	v = xstr(x, expr);
	snprintf(expr, sizeof(expr), "string(%s/@unit)", elem);
	unit = xstr(x, expr);
	if (!v || tce_parse_u64(v, 10, &n) < 0)
		return 0;
	if (unit) {
		/* docs/formatdomain: b, bytes; KB=1000, k/KiB=1024; MB, M/MiB; GB, G/GiB; TB, T/TiB
		 */
		static const struct {
			const char *u;
			uint64_t m;
		} units[] = {
			{ "b", 1 },	     { "bytes", 1 },	    { "KB", 1000 },
			{ "k", 1024 },	     { "KiB", 1024 },	    { "MB", 1000000 },
			{ "M", 1ULL << 20 }, { "MiB", 1ULL << 20 }, { "GB", 1000000000 },
			{ "G", 1ULL << 30 }, { "GiB", 1ULL << 30 }, { "TB", 1000000000000ULL },
			{ "T", 1ULL << 40 }, { "TiB", 1ULL << 40 }
		};

		mul = 0;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++)
			if (streq(unit, units[i].u))
				mul = units[i].m;
		if (!mul)
			return 0;
	}
	return n > UINT64_MAX / mul ? UINT64_MAX : n * mul;
}

static void memlock_libvirt(struct job *j, struct tce_check_result *r)
{
	virDomainPtr *doms = NULL;
	int n, checked = 0, low = 0;
	char list[512] = "";

	if (no_conn(j, r))
		return;
	n = sym_virConnectListAllDomains(j->conn, &doms, 0);
	if (n < 0) {
		virErrorPtr e = sym_virGetLastError();

		tce_result(r, TCE_LVL_UNKNOWN, NULL, "cannot list domains: %s",
			   e && e->message ? e->message : "error");
		return;
	}
	for (int i = 0; i < n; i++) {
		char *xml = sym_virDomainGetXMLDesc(doms[i], 0);
		const char *name = sym_virDomainGetName(doms[i]);
		xmlDocPtr doc = xml ? sym_xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
							XML_PARSE_NONET | XML_PARSE_NOERROR |
							    XML_PARSE_NOWARNING)
				    : NULL;
		xmlXPathContextPtr x = doc ? sym_xmlXPathNewContext(doc) : NULL;

		if (x) {
			_cleanup_free_ char *arch = xstr(x, "string(/domain/os/type/@arch)");
			/* what libvirt counts as VFIO: PCI hostdevs, hostdev interfaces
			 * (SR-IOV VFs), NVMe disks */
			double hostdevs =
			    xnum(x, "count(/domain/devices/hostdev[@type='pci']) + "
				    "count(/domain/devices/interface[@type='hostdev']) + "
				    "count(/domain/devices/disk[@type='nvme'])");
			double phbs = xnum(x, "count(/domain/devices/controller[@type='pci']"
					      "[@model='pci-root'])");
			unsigned long long mem = xbytes(x, "/domain/memory");
			unsigned long long maxmem = xbytes(x, "/domain/maxMemory");
			unsigned long long hard = xbytes(x, "/domain/memtune/hard_limit");
			bool locked = xnum(x, "count(/domain/memoryBacking/locked)") > 0;

			if (arch && strneq(arch, "ppc64", 5) && hostdevs > 0) {
				unsigned long long want = tce_libvirt_ppc64_memlock(
				    mem, maxmem, phbs < 1 ? 1 : (unsigned)phbs, true);
				char hs[32], ws[32];

				checked++;
				tce_format_size(want, ws, sizeof(ws));
				/* libvirt takes <hard_limit> first; <locked/> means no
				 * limit only without one */
				if (!hard && locked) {
					tce_evidence(r, name, "<locked/>: no limit");
				} else if (hard) {
					tce_format_size(hard, hs, sizeof(hs));
					tce_evidence(r, name,
						     "hard_limit %s, libvirt's own figure %s", hs,
						     ws);
					if (hard < want) {
						low++;
						if (strlen(list) < sizeof(list) - 80)
							snprintf(list + strlen(list),
								 sizeof(list) - strlen(list),
								 "%s%s (%s < %s)",
								 list[0] ? ", " : "", name, hs, ws);
					}
				} else {
					tce_evidence(r, name, "no hard_limit: libvirt sets %s", ws);
				}
			}
		}
		sym_xmlXPathFreeContext(x);
		sym_xmlFreeDoc(doc);
		free(xml);
		sym_virDomainFree(doms[i]);
	}
	free(doms);
	if (!checked)
		tce_result(r, TCE_LVL_SKIP, NULL, "no ppc64 domain with a PCI hostdev");
	else if (low)
		tce_result(
		    r, TCE_LVL_WARN,
		    "raise <memtune><hard_limit> or remove it (libvirt then computes the "
		    "limit): VFIO on sPAPR locks all guest RAM plus the TCE tables",
		    "%d of %d domains with VFIO have a hard_limit below libvirt's figure: %s", low,
		    checked, list);
	else
		tce_result(r, TCE_LVL_PASS, NULL, "%d domain%s with VFIO, limits sufficient",
			   checked, checked == 1 ? "" : "s");
}

static void libvirt_vfio(struct job *j, struct tce_check_result *r)
{
	char *caps;
	xmlDocPtr doc;
	xmlXPathContextPtr x;
	double vfio = 0;
	int code;
	_cleanup_free_ char *msg = NULL;

	if (no_conn(j, r))
		return;
	caps = sym_virConnectGetDomainCapabilities(j->conn, NULL, NULL, NULL, NULL, 0);
	code = sym_virGetLastErrorCode();
	msg = caps ? NULL : strdup(sym_virGetLastErrorMessage());
	if (!caps && code == VIR_ERR_OPERATION_DENIED) {
		/* domain capabilities need a read-write connection */
		virConnectPtr rw = sym_virConnectOpen(j->uri);

		if (rw)
			caps = sym_virConnectGetDomainCapabilities(rw, NULL, NULL, NULL, NULL, 0);
		code = sym_virGetLastErrorCode();
		free(msg);
		msg = caps ? NULL : strdup(sym_virGetLastErrorMessage());
		if (rw)
			sym_virConnectClose(rw);
	}
	if (!caps) {
		tce_evidence(r, "virConnectGetDomainCapabilities", "%s", msg ? msg : "error");
		if (denied(code))
			tce_result(r, TCE_LVL_UNKNOWN, "run as root, or allow this user in polkit",
				   "libvirt refused to tell its domain capabilities");
		else
			tce_result(r, TCE_LVL_UNKNOWN, NULL,
				   "libvirt gives no domain capabilities here");
		return;
	}
	doc = sym_xmlReadMemory(caps, (int)strlen(caps), "domcaps.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	x = doc ? sym_xmlXPathNewContext(doc) : NULL;
	if (x)
		vfio = xnum(x, "count(/domainCapabilities/devices/hostdev/enum[@name='pciBackend']"
			       "/value[text()='vfio'])");
	sym_xmlXPathFreeContext(x);
	sym_xmlFreeDoc(doc);
	free(caps);
	tce_evidence(r, "domain capabilities hostdev pciBackend", "%s",
		     vfio > 0 ? "vfio" : "no vfio");
	if (vfio > 0)
		tce_result(r, TCE_LVL_PASS, NULL, "reachable, with the vfio hostdev backend");
	else
		tce_result(r, TCE_LVL_WARN, "load vfio-pci and restart libvirt's QEMU driver",
			   "reachable, but without the vfio hostdev backend");
}

/* each libvirt check, and what its session runs for it */
static const struct {
	tce_check_fn *check;
	job_fn *fn;
} jobs[] = {
	{ tce_chk_memlock_libvirt, memlock_libvirt },
	{ tce_chk_libvirt, libvirt_vfio },
};

static unsigned deadline_seconds(void)
{
	const char *e = secure_getenv("TCEIOMMU_LIBVIRT_TIMEOUT");
	uint64_t v;

	return e && tce_parse_u64(e, 10, &v) == 0 && v > 0 && v <= 3600 ? (unsigned)v : 15;
}

static const char *uri_of(struct tce_check_ctx *c)
{
	return c->connect ? c->connect : "qemu:///system";
}

/* no socket: libvirt is neither loaded nor asked (it could start a daemon) */
static bool socket_absent(struct tce_check_ctx *c)
{
	if (!c->vsock)
		c->vsock =
		    tce_libvirt_daemon_present(uri_of(c), &c->vsock_note) == -ENOENT ? -1 : 1;
	return c->vsock < 0;
}

void tce_libvirt_start(struct tce_check_ctx *c, tce_check_fn *const *checks, size_t n)
{
	struct tce_libvirt_session *s;

	if (c->n_vsess >= ARRAY_SIZE(c->vsess) || c->vconn_error || socket_absent(c))
		return;
	s = calloc(1, sizeof(*s));
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ARRAY_SIZE(jobs); k++)
			if (checks[i] == jobs[k].check && s->n < ARRAY_SIZE(s->jobs)) {
				s->jobs[s->n].check = jobs[k].check;
				s->jobs[s->n++].fn = jobs[k].fn;
			}
	s->uri = strdup(uri_of(c));
	pthread_mutex_init(&s->m, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (!s->n || !s->uri || pthread_create(&s->thread, NULL, session_run, s) != 0) {
		pthread_mutex_destroy(&s->m);
		pthread_cond_destroy(&s->cv);
		free(s->uri);
		free(s);
		return;
	}
	c->vsess[c->n_vsess++] = s;
}

/* the session that runs this check and has not handed its result over */
static struct tce_libvirt_session *find_job(struct tce_check_ctx *c, tce_check_fn *check,
					    size_t *idx)
{
	for (size_t k = 0; k < c->n_vsess; k++)
		for (size_t i = 0; i < c->vsess[k]->n; i++)
			if (c->vsess[k]->jobs[i].check == check && !c->vsess[k]->jobs[i].taken) {
				*idx = i;
				return c->vsess[k];
			}
	return NULL;
}

/* this check's result, from the session started for it (now, if none was) */
static void with_deadline(struct tce_check_ctx *c, struct tce_check_result *r, tce_check_fn *check)
{
	struct tce_libvirt_session *s;
	struct timespec ts;
	unsigned secs = deadline_seconds();
	size_t i = 0;
	bool done;

	if (c->vconn_error) { /* an earlier check timed out */
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "%s", c->vconn_error);
		return;
	}
	if (socket_absent(c)) {
		tce_evidence(r, "socket", "%s", c->vsock_note ? c->vsock_note : "none");
		tce_result(r, TCE_LVL_WARN,
			   "start libvirtd (or virtqemud), or name the URI with -c",
			   "libvirt is not reachable at %s", uri_of(c));
		return;
	}
	s = find_job(c, check, &i);
	if (!s) {
		tce_libvirt_start(c, &check, 1);
		s = find_job(c, check, &i);
	}
	if (!s) {
		tce_result(r, TCE_LVL_UNKNOWN, NULL, "cannot start libvirt's thread");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += secs;
	pthread_mutex_lock(&s->m);
	while (!s->jobs[i].done)
		if (pthread_cond_timedwait(&s->cv, &s->m, &ts) == ETIMEDOUT)
			break;
	done = s->jobs[i].done;
	pthread_mutex_unlock(&s->m);
	if (!done) {
		c->vconn_error = tce_strdup_printf("libvirt did not answer within %u s", secs);
		tce_evidence(r, "libvirt", "%s: no answer within %u s", s->uri, secs);
		tce_result(r, TCE_LVL_UNKNOWN, "check that libvirtd (or virtqemud) is responsive",
			   "%s", c->vconn_error);
		return;
	}
	s->jobs[i].taken = true;
	r->level = s->jobs[i].res.level;
	r->message = s->jobs[i].res.message;
	r->hint = s->jobs[i].res.hint;
	r->evidence = s->jobs[i].res.evidence;
	r->n_evidence = s->jobs[i].res.n_evidence;
}

void tce_libvirt_ctx_done(struct tce_check_ctx *c)
{
	for (size_t k = 0; k < c->n_vsess; k++) {
		struct tce_libvirt_session *s = c->vsess[k];
		bool all = true;

		pthread_mutex_lock(&s->m);
		for (size_t i = 0; i < s->n; i++)
			all &= s->jobs[i].done;
		pthread_mutex_unlock(&s->m);
		if (!all) {
			/* timed out: the session stays with its thread; the process ends soon */
			pthread_detach(s->thread);
			continue;
		}
		pthread_join(s->thread, NULL); /* it only closes its connection */
		for (size_t i = 0; i < s->n; i++)
			if (!s->jobs[i].taken)
				tce_check_result_done(&s->jobs[i].res);
		pthread_mutex_destroy(&s->m);
		pthread_cond_destroy(&s->cv);
		free(s->uri);
		free(s);
	}
	c->n_vsess = 0;
	free(c->vconn_error);
	c->vconn_error = NULL;
	free(c->vsock_note);
	c->vsock_note = NULL;
}

void tce_chk_memlock_libvirt(struct tce_check_ctx *c, struct tce_check_result *r)
{
	with_deadline(c, r, tce_chk_memlock_libvirt);
}

void tce_chk_libvirt(struct tce_check_ctx *c, struct tce_check_result *r)
{
	with_deadline(c, r, tce_chk_libvirt);
}
#else
void tce_libvirt_start(struct tce_check_ctx *c, tce_check_fn *const *checks, size_t n)
{
}

void tce_libvirt_ctx_done(struct tce_check_ctx *c)
{
}

void tce_chk_memlock_libvirt(struct tce_check_ctx *c, struct tce_check_result *r)
{
	tce_result(r, TCE_LVL_SKIP, NULL, "built without libvirt");
}

void tce_chk_libvirt(struct tce_check_ctx *c, struct tce_check_result *r)
{
	tce_result(r, TCE_LVL_SKIP, NULL, "built without libvirt");
}
#endif
