/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where top's hcall events come from.
 *
 * Live: perf_event_open(2) on KVM's two tracepoints (PERF_TYPE_TRACEPOINT,
 * config = the event's tracefs id), one event per online CPU, sampling every
 * event with PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_RAW into a
 * ring buffer; kvm_hcall_enter filtered in the kernel to the TCE hcalls
 * (PERF_EVENT_IOC_SET_FILTER; exits cannot be, they carry no hcall number).
 * Nothing is written to tracefs and nothing is left when the tool exits:
 * closing the fds ends the events. Needs root or CAP_PERFMON (and
 * CAP_SYS_ADMIN for tracepoints where perf_event_paranoid says so).
 *
 * Recorded: `record --top SECONDS` writes the decoded events to the
 * snapshot's .tceiommu/hcalls ("TIME PID TID enter REQ LIOBN" and
 * "TIME PID TID exit RET RC" lines), and the format files are copied like
 * any file read; under --root those events are replayed through the same
 * pairing, so top -b runs in CI without a POWER host.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tceiommu/hcall.h"
#include "tceiommu/hcallsrc.h"
#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/util.h"

#define RING_PAGES 64 /* data pages per ring: 256 KiB at 4 KiB pages */

struct ring {
	int fd;
	bool exit;
	void *base;
	size_t size; /* data area */
	long page;
};

struct tce_hcall_source {
	struct tce_root *r;
	bool live;
	struct tce_tp_format enter, exit;
	struct tce_hcall_layout layout;
	char *events_dir;
	/* live */
	struct ring *rings;
	size_t n_rings;
	uint64_t lost;
	/* replay */
	struct tce_hcall_event *ev;
	size_t n_ev, next;
};

static int read_format(struct tce_root *r, const char *dir, const char *name,
		       struct tce_tp_format *ret)
{
	_cleanup_free_ char *p = tce_strdup_printf("%s/kvm_hv/%s/format", dir, name);
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int k;

	if (!p)
		return -ENOMEM;
	if ((k = tce_root_read(r, p, 1u << 20, &buf, &len)) < 0)
		return k;
	return tce_tp_format_parse(buf, len, ret);
}

static int perf_open(struct perf_event_attr *a, int cpu)
{
	return (int)syscall(SYS_perf_event_open, a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* "0-3,5" (drivers/base/cpu.c online) into a list of CPU numbers. */
static int parse_cpus(const char *s, int **ret, size_t *ret_n)
{
	_cleanup_free_ int *cpus = NULL;
	size_t n = 0;

	while (*s && *s != '\n') {
		char *e;
		long a = strtol(s, &e, 10), b = a;

		if (e == s || a < 0 || a > 65535)
			return -EINVAL;
		s = e;
		if (*s == '-') {
			b = strtol(s + 1, &e, 10);
			if (e == s + 1 || b < a || b > 65535)
				return -EINVAL;
			s = e;
		}
		for (long c = a; c <= b; c++) {
			int *nc = realloc(cpus, (n + 1) * sizeof(*nc));

			if (!nc)
				return -ENOMEM;
			cpus = nc;
			cpus[n++] = (int)c;
		}
		if (*s == ',')
			s++;
	}
	*ret = TAKE_PTR(cpus);
	*ret_n = n;
	return 0;
}

static int open_rings(struct tce_hcall_source *s, char **why)
{
	_cleanup_free_ char *online = NULL;
	_cleanup_free_ int *cpus = NULL;
	size_t n = 0;
	long page = sysconf(_SC_PAGESIZE);
	int k;

	if (tce_root_read_string(s->r, PATH_CPUS "/online", &online) < 0 ||
	    parse_cpus(online, &cpus, &n) < 0 || n == 0) {
		*why = strdup("cannot read the online CPUs");
		return -EIO;
	}
	if (!(s->rings = calloc(n * 2, sizeof(*s->rings))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		for (int e = 0; e < 2; e++) {
			struct perf_event_attr a = {
				.type = PERF_TYPE_TRACEPOINT,
				.size = sizeof(a),
				.config = e ? s->exit.id : s->enter.id,
				.sample_period = 1,
				.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_RAW,
				.disabled = 1,
				.wakeup_watermark = (uint32_t)(RING_PAGES * page / 4),
				.watermark = 1,
			};
			struct ring *rg = &s->rings[s->n_rings];
			int fd = perf_open(&a, cpus[i]);

			if (fd < 0) {
				k = -errno;
				*why = tce_strdup_printf(
				    "perf_event_open of kvm_hv:%s on CPU %d: %s%s",
				    e ? "kvm_hcall_exit" : "kvm_hcall_enter", cpus[i], strerror(-k),
				    k == -EACCES || k == -EPERM ? " (needs root or CAP_PERFMON)"
								: "");
				return k;
			}
			rg->fd = fd;
			rg->exit = e;
			rg->page = page;
			rg->size = (size_t)RING_PAGES * (size_t)page;
			s->n_rings++;
			if (!e && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, TCE_HCALL_FILTER) < 0)
				DBG("kvm_hcall_enter: the kernel refused the filter (%m): every "
				    "hcall is read and sorted here");
			rg->base = mmap(NULL, rg->size + (size_t)page, PROT_READ | PROT_WRITE,
					MAP_SHARED, fd, 0);
			if (rg->base == MAP_FAILED) {
				rg->base = NULL;
				k = -errno;
				*why = tce_strdup_printf("mmap of a perf ring: %s", strerror(-k));
				return k;
			}
		}
	}
	for (size_t i = 0; i < s->n_rings; i++)
		if (ioctl(s->rings[i].fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
			k = -errno;
			*why = tce_strdup_printf("enabling the events: %s", strerror(-k));
			return k;
		}
	return 0;
}

/* Replay: the recorded events of the snapshot. */
static int load_events(struct tce_hcall_source *s, char **why)
{
	_cleanup_free_ char *buf = NULL;
	size_t len, pos = 0, alloc = 0;
	int k = tce_root_read_sidecar(s->r, TCE_SNAPSHOT_HCALLS, 256u << 20, &buf, &len);

	if (k < 0) {
		*why = strdup(k == -ENOENT || k == -ENODATA
				  ? "the snapshot has no hcall events (record --top SECONDS)"
				  : strerror(-k));
		return k == -ENODATA ? -ENOENT : k;
	}
	while (pos < len) {
		char *line = buf + pos, *nl = memchr(line, '\n', len - pos), kind[8];
		struct tce_hcall_event ev = { 0 };
		unsigned long long t, a, b;
		int pid, tid;

		if (nl)
			*nl = '\0';
		pos = nl ? (size_t)(nl - buf) + 1 : len;
		if (sscanf(line, "%llu %d %d %7s %llx %llx", &t, &pid, &tid, kind, &a, &b) != 6)
			continue;
		ev.time_ns = t, ev.pid = pid, ev.tid = tid;
		ev.exit = streq(kind, "exit");
		if (ev.exit)
			ev.ret = a, ev.rc = b;
		else
			ev.req = a, ev.liobn = b;
		if (s->n_ev == alloc) {
			size_t na = alloc ? alloc * 2 : 1024;
			struct tce_hcall_event *ne = realloc(s->ev, na * sizeof(*ne));

			if (!ne)
				return -ENOMEM;
			s->ev = ne;
			alloc = na;
		}
		s->ev[s->n_ev++] = ev;
	}
	return 0;
}

static const char *const events_dirs[] = { PATH_TRACEFS "/events", PATH_DEBUGFS_TRACING "/events" };

int tce_hcall_source_open(struct tce_root *r, struct tce_hcall_source **ret, char **why)
{
	struct tce_hcall_source *s = calloc(1, sizeof(*s));
	int k = -ENOENT;

	*why = NULL;
	if (!s)
		return -ENOMEM;
	s->r = r;
	s->live = tce_root_is_live(r);
	for (size_t i = 0; i < ARRAY_SIZE(events_dirs); i++) {
		k = read_format(r, events_dirs[i], "kvm_hcall_enter", &s->enter);
		if (k == 0 && (k = read_format(r, events_dirs[i], "kvm_hcall_exit", &s->exit)) == 0)
			break;
		if (k == -EACCES)
			break;
	}
	if (k < 0) {
		*why = strdup(k == -EACCES ? "the tracepoints' format files need root"
			      : k == -EINVAL
				  ? "kvm_hv's tracepoint format is not what this tool reads"
				  : "no kvm_hv tracepoints: not a KVM-HV host (kvm_hv not loaded, "
				    "or a pSeries guest without it, or not POWER), or tracefs is "
				    "not mounted");
		tce_hcall_source_free(s);
		return k;
	}
	if (tce_hcall_layout(&s->enter, &s->exit, &s->layout) < 0) {
		*why = strdup("kvm_hv's hcall tracepoints lack the fields this tool reads");
		tce_hcall_source_free(s);
		return -EINVAL;
	}
	k = s->live ? open_rings(s, why) : load_events(s, why);
	if (k < 0) {
		tce_hcall_source_free(s);
		return k;
	}
	*ret = s;
	return 0;
}

void tce_hcall_source_free(struct tce_hcall_source *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_rings; i++) {
		if (s->rings[i].base)
			munmap(s->rings[i].base, s->rings[i].size + (size_t)s->rings[i].page);
		if (s->rings[i].fd >= 0)
			close(s->rings[i].fd);
	}
	free(s->rings);
	free(s->ev);
	free(s);
}

uint64_t tce_hcall_source_lost(const struct tce_hcall_source *s)
{
	return s->lost;
}

bool tce_hcall_source_replayed(const struct tce_hcall_source *s)
{
	return !s->live;
}

/* Copy len bytes at offset off of a ring's data area (it wraps). */
static void ring_copy(const struct ring *rg, uint64_t off, void *dst, size_t len)
{
	const char *data = (const char *)rg->base + rg->page;
	size_t o = (size_t)(off % rg->size), first = rg->size - o;

	if (first >= len) {
		memcpy(dst, data + o, len);
	} else {
		memcpy(dst, data + o, first);
		memcpy((char *)dst + first, data, len - first);
	}
}

static int push(struct tce_hcall_event **arr, size_t *n, size_t *alloc,
		const struct tce_hcall_event *ev)
{
	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 1024;
		struct tce_hcall_event *a = realloc(*arr, na * sizeof(*a));

		if (!a)
			return -ENOMEM;
		*arr = a;
		*alloc = na;
	}
	(*arr)[(*n)++] = *ev;
	return 0;
}

/* Everything the rings hold now. */
static int drain(struct tce_hcall_source *s, struct tce_hcall_event **arr, size_t *n, size_t *alloc)
{
	for (size_t i = 0; i < s->n_rings; i++) {
		struct ring *rg = &s->rings[i];
		struct perf_event_mmap_page *mp = rg->base;
		uint64_t head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
		uint64_t tail = mp->data_tail;

		while (tail < head) {
			struct perf_event_header h;
			unsigned char rec[65536];

			ring_copy(rg, tail, &h, sizeof(h));
			if (h.size < sizeof(h) || h.size > head - tail)
				break; /* torn: stop; what is left is read next time */
			if (h.type == PERF_RECORD_SAMPLE) { /* h.size is 16 bits: rec holds it */
				struct tce_hcall_event ev = { 0 };
				uint32_t pidtid[2], rawsize;
				uint64_t t;
				size_t o = sizeof(h);

				ring_copy(rg, tail, rec, h.size);
				/* PERF_SAMPLE_TID, _TIME, _RAW in that order (perf_event.h) */
				if (o + 8 + 8 + 4 <= h.size) {
					memcpy(pidtid, rec + o, 8);
					memcpy(&t, rec + o + 8, 8);
					memcpy(&rawsize, rec + o + 16, 4);
					o += 20;
					if (rawsize <= h.size - o &&
					    tce_hcall_decode(&s->layout, rg->exit, rec + o, rawsize,
							     &ev) == 0) {
						ev.pid = (int)pidtid[0];
						ev.tid = (int)pidtid[1];
						ev.time_ns = t;
						if (push(arr, n, alloc, &ev) < 0)
							return -ENOMEM;
					}
				}
			} else if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
				uint64_t lost[2];

				ring_copy(rg, tail + sizeof(h), lost, sizeof(lost));
				s->lost += lost[1];
			}
			tail += h.size;
		}
		__atomic_store_n(&mp->data_tail, tail, __ATOMIC_RELEASE);
	}
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct tce_hcall_event *x = a, *y = b;

	return x->time_ns < y->time_ns ? -1 : x->time_ns > y->time_ns;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int tce_hcall_source_next(struct tce_hcall_source *s, uint64_t interval_ns,
			  struct tce_hcall_event **ret, size_t *ret_n, uint64_t *ret_elapsed_ns)
{
	struct tce_hcall_event *arr = NULL;
	size_t n = 0, alloc = 0;
	int k;

	if (!s->live) {
		/* the recorded events of one interval, by their own clock */
		uint64_t start;

		if (s->next >= s->n_ev)
			return -ENODATA;
		start = s->ev[s->next].time_ns;
		while (s->next < s->n_ev && s->ev[s->next].time_ns < start + interval_ns)
			if ((k = push(&arr, &n, &alloc, &s->ev[s->next++])) < 0) {
				free(arr);
				return k;
			}
		*ret = arr;
		*ret_n = n;
		*ret_elapsed_ns = interval_ns;
		return 0;
	}
	{
		uint64_t t0 = mono_ns(), end = t0 + interval_ns, now;
		_cleanup_free_ struct pollfd *pfd = calloc(s->n_rings, sizeof(*pfd));

		if (!pfd)
			return -ENOMEM;
		for (size_t i = 0; i < s->n_rings; i++)
			pfd[i] = (struct pollfd){ .fd = s->rings[i].fd, .events = POLLIN };
		while ((now = mono_ns()) < end) {
			int ms = (int)((end - now) / 1000000) + 1;

			if (poll(pfd, s->n_rings, ms) < 0 && errno != EINTR) {
				free(arr);
				return -errno;
			}
			if ((k = drain(s, &arr, &n, &alloc)) < 0) {
				free(arr);
				return k;
			}
		}
		if ((k = drain(s, &arr, &n, &alloc)) < 0) {
			free(arr);
			return k;
		}
		/* rings are per CPU: one thread's enter and exit may sit in two */
		if (n)
			qsort(arr, n, sizeof(*arr), by_time);
		*ret = arr;
		*ret_n = n;
		*ret_elapsed_ns = mono_ns() - t0;
	}
	return 0;
}

int tce_hcall_events_save(struct tce_root *r, const struct tce_hcall_event *ev, size_t n)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, alloc = 0;

	for (size_t i = 0; i < n; i++) {
		char line[160];
		int l = ev[i].exit
			    ? snprintf(line, sizeof(line),
				       "%" PRIu64 " %d %d exit %" PRIx64 " %" PRIx64 "\n",
				       ev[i].time_ns, ev[i].pid, ev[i].tid, ev[i].ret, ev[i].rc)
			    : snprintf(line, sizeof(line),
				       "%" PRIu64 " %d %d enter %" PRIx64 " %" PRIx64 "\n",
				       ev[i].time_ns, ev[i].pid, ev[i].tid, ev[i].req, ev[i].liobn);

		if (len + (size_t)l + 1 > alloc) {
			size_t na = (alloc ? alloc * 2 : 65536) + (size_t)l;
			char *nb = realloc(buf, na);

			if (!nb)
				return -ENOMEM;
			buf = nb;
			alloc = na;
		}
		memcpy(buf + len, line, (size_t)l);
		len += (size_t)l;
	}
	return tce_root_write_sidecar(r, TCE_SNAPSHOT_HCALLS, buf ? buf : "", len);
}
