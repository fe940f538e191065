/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --root tree fuzzer: a real recording from tests/data, changed as the
 * input says, run through the commands in this process, under ASan/UBSan
 * and libFuzzer's -timeout (a read that blocks is a hang, reported).
 *
 * At start each recording is copied once into a directory of this process
 * in /dev/shm (those of processes gone are removed). Per input the chosen
 * one is rebuilt from that copy with hard links (cheap, and every change
 * below replaces an entry, never writes into a linked file), changed, run,
 * and removed. The input:
 *   byte 0     which recording
 *   bytes 1-2  which commands (bit i of the last byte: cmds[i]; bit 0 of
 *              the first: record; 0: all of them)
 *   then operations of 4 bytes: op, entry (2 bytes, an index into the
 *   recording's sorted entries, the snapshot's .tceiommu files included),
 *   arg; some take more bytes from the input (new contents).
 * Operations: truncate, enlarge with bytes, a large sparse file, a FIFO, a
 * directory, a symbolic link to itself, a link out of the root, new
 * contents, removal, a dangling link, a loop of two links, a link to another
 * entry of the tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "tceiommu/cmd.h"
#include "tceiommu/log.h"
#include "tceiommu/sandbox.h"
#include "tceiommu/util.h"

#ifndef TCE_FUZZ_DATA
#define TCE_FUZZ_DATA "tests/data"
#endif

static const char *const recordings[] = {
	"powernv9-6.12-l2",
	"powernv9-6.12-l2run",
	"powernv9-6.12-l2memlock-vfio",
	"powernv9-6.12-l2memlock-emu",
	"pseries-6.12-nested",
	"powernv10-6.12",
	"powernv8-6.12",
	"pseries-lpar-ddw",
	"edge-hostile",
};
#define N_REC ARRAY_SIZE(recordings)

static const char *const cmds[][5] = {
	{ "list-groups", NULL },
	{ "list-groups", "--json", NULL },
	{ "list-groups", "-O", "-r", NULL },
	{ "check-host", NULL },
	{ "check-host", "--json", NULL },
	{ "list-vms", NULL },
	{ "show-vm", "l2", "--json", NULL },
	{ "top", "-b", "-n", "2", NULL },
	{ "record", NULL }, /* into a directory of this process, removed after */
};

struct entry {
	char *rel; /* "sys/kernel/iommu_groups/0/type" */
	mode_t mode;
	off_t size;
};

static char work[64];
static struct {
	struct entry *e;
	size_t n;
} rec[N_REC];

/* nftw has no context: the walk in progress */
static const char *walk_src, *walk_dst;
static size_t walk_rec;

static void die(const char *what)
{
	fprintf(stderr, "tree fuzzer: %s: %m\n", what);
	abort();
}

static char *join(const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, "%s/%s", a, b) < 0)
		die("asprintf");
	return p;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	close(in);
	close(out);
	return 0;
}

/* The pristine copy: regular files copied, links kept as links, listed. */
static int copy_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	const char *rel = path + strlen(walk_src);
	char *to, target[4096];
	ssize_t n;

	while (*rel == '/')
		rel++;
	if (!*rel)
		return 0;
	to = join(walk_dst, rel);
	if (S_ISDIR(st->st_mode)) {
		if (mkdir(to, 0755) < 0)
			die(to);
	} else if (S_ISLNK(st->st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			die(path);
		target[n] = '\0';
		if (symlink(target, to) < 0)
			die(to);
	} else if (S_ISREG(st->st_mode)) {
		if (copy_file(path, to) < 0)
			die(to);
	} else {
		free(to);
		return 0;
	}
	free(to);
	rec[walk_rec].e = realloc(rec[walk_rec].e, (rec[walk_rec].n + 1) * sizeof(struct entry));
	if (!rec[walk_rec].e || !(rec[walk_rec].e[rec[walk_rec].n].rel = strdup(rel)))
		die("realloc");
	rec[walk_rec].e[rec[walk_rec].n].mode = st->st_mode;
	rec[walk_rec].e[rec[walk_rec].n].size = st->st_size;
	rec[walk_rec].n++;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->rel, ((const struct entry *)b)->rel);
}

/* The run's tree from the pristine copy: directories made, the rest hard-linked. */
static int link_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	const char *rel = path + strlen(walk_src);
	char *to;
	int k;

	while (*rel == '/')
		rel++;
	to = *rel ? join(walk_dst, rel) : strdup(walk_dst);
	if (!to)
		die("strdup");
	k = S_ISDIR(st->st_mode) ? mkdir(to, 0755) : link(path, to);
	if (k < 0)
		die(to);
	free(to);
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)(type == FTW_DP ? rmdir(path) : unlink(path));
	return 0;
}

static void remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void work_remove(void)
{
	if (work[0])
		remove_tree(work);
}

/*
 * A run that ends by a crash or a timeout leaves its directory: those of
 * processes gone ("tce-fuzz-tree-PID-XXXXXX") are removed at the next start.
 */
static void remove_stale(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *p;
		int pid;

		if (sscanf(e->d_name, "tce-fuzz-tree-%d-", &pid) != 1 || pid <= 0 ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		p = join(base, e->d_name);
		remove_tree(p);
		free(p);
	}
	closedir(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *data = getenv("TCE_FUZZ_DATA");
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char *p;

	if (!data)
		data = TCE_FUZZ_DATA;
	/* the commands run in this process: confined (Landlock, and a forked
	 * broker live), it could no longer make and remove its trees */
	tce_sandbox_disabled = true;
	remove_stale(base);
	snprintf(work, sizeof(work), "%s/tce-fuzz-tree-%d-XXXXXX", base, (int)getpid());
	if (!mkdtemp(work))
		die("mkdtemp");
	atexit(work_remove);
	for (size_t i = 0; i < N_REC; i++) {
		char *src = join(data, recordings[i]);
		char *dst = tce_strdup_printf("%s/%zu", work, i);

		if (!dst || mkdir(dst, 0755) < 0)
			die("mkdir");
		walk_src = src, walk_dst = dst, walk_rec = i;
		if (nftw(src, copy_one, 16, FTW_PHYS) < 0)
			die(src);
		qsort(rec[i].e, rec[i].n, sizeof(struct entry), entry_cmp);
		free(src);
		free(dst);
	}
	/* the commands' output is not what is tested: only that they survive */
	if (!freopen("/dev/null", "w", stdout))
		die("/dev/null");
	tce_log_set_level(-1);
	p = getenv("TCE_FUZZ_TREE_VERBOSE");
	if (p && *p == '1')
		tce_log_set_level(TCE_LOG_WRN);
	return 0;
}

/* Replace path by a regular file of n bytes from buf (plus pad zero bytes: sparse). */
static void put_file(const char *path, const void *buf, size_t n, off_t pad)
{
	int fd;

	remove_tree(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (n && write(fd, buf, n) != (ssize_t)n)
		die("write");
	if (pad && ftruncate(fd, (off_t)n + pad) < 0)
		die("ftruncate");
	close(fd);
}

static void *read_file(const char *path, size_t *ret_len)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	*ret_len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20) ||
	    !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	*ret_len = n > 0 ? (size_t)n : 0;
	return buf;
}

/* the last component (gcc 12 sees a dangling pointer in strrchr's result here) */
static const char *base_name(const char *path)
{
	size_t at = 0;

	for (size_t i = 0; path[i]; i++)
		if (path[i] == '/')
			at = i + 1;
	return path + at;
}

static void mutate(struct fuzz_in *in, const char *root, size_t ri)
{
	const struct entry *e;
	char *path, *other;
	uint8_t op, arg;
	size_t len, k;
	void *buf;

	if (!rec[ri].n)
		return;
	op = fuzz_byte(in) % 12;
	e = &rec[ri].e[fuzz_u16(in) % rec[ri].n];
	arg = fuzz_byte(in);
	path = join(root, e->rel);
	switch (op) {
	case 0: /* truncated */
		if ((buf = read_file(path, &len))) {
			put_file(path, buf, len * arg / 256, 0);
			free(buf);
		}
		break;
	case 1: /* enlarged with the input's bytes */
		if ((buf = read_file(path, &len))) {
			k = arg < in->n ? arg : in->n;
			if ((buf = realloc(buf, len + k + 1))) {
				memcpy((char *)buf + len, in->p, k);
				put_file(path, buf, len + k, 0);
			}
			free(buf);
			in->p += k, in->n -= k;
		}
		break;
	case 2: /* large: 64 KiB to 16 MiB, sparse */
		put_file(path, NULL, 0, ((off_t)arg + 1) << 16);
		break;
	case 3: /* a FIFO, nobody writing */
		remove_tree(path);
		(void)mkfifo(path, 0644);
		break;
	case 4: /* a directory */
		remove_tree(path);
		(void)mkdir(path, 0755);
		break;
	case 5: /* a link to itself */
		remove_tree(path);
		(void)symlink(base_name(path), path);
		break;
	case 6: { /* a link out of the root */
		static const char *const out[] = { "/etc/hostname",
						   "../../../../../../../../../etc",
						   "/proc/self/mem", "/dev/zero" };

		remove_tree(path);
		(void)symlink(out[arg % ARRAY_SIZE(out)], path);
		break;
	}
	case 7: /* new contents from the input */
		k = arg < in->n ? arg : in->n;
		put_file(path, in->p, k, 0);
		in->p += k, in->n -= k;
		break;
	case 8: /* removed */
		remove_tree(path);
		break;
	case 9: /* a dangling link */
		remove_tree(path);
		(void)symlink("nowhere", path);
		break;
	case 10: /* a loop of two links */
		other = tce_strdup_printf("%s.loop", path);
		if (other) {
			remove_tree(path);
			remove_tree(other);
			(void)symlink(base_name(other), path);
			(void)symlink(base_name(path), other);
			free(other);
		}
		break;
	case 11: /* a link to another entry, absolute: inside the root when resolved in it */
		other = tce_strdup_printf("/%s", rec[ri].e[(size_t)arg * 257 % rec[ri].n].rel);
		if (other) {
			remove_tree(path);
			(void)symlink(other, path);
			free(other);
		}
		break;
	}
	free(path);
}

static void run(const char *root, const char *const *cmd)
{
	struct tce_global g = { .root = root, .color = TCE_COLOR_NEVER };
	struct sigaction si, st;
	char *argv[8];
	int argc = 0;

	/* top sets its own SIGINT/SIGTERM handlers: libFuzzer's are put back after */
	sigaction(SIGINT, NULL, &si);
	sigaction(SIGTERM, NULL, &st);

	for (; cmd[argc] && argc < 7; argc++)
		argv[argc] = strdup(cmd[argc]);
	argv[argc] = NULL;
	optind = 0; /* as main() does before each command */
	if (streq(cmd[0], "list-groups"))
		(void)cmd_list_groups(argc, argv, &g);
	else if (streq(cmd[0], "check-host"))
		(void)cmd_check_host(argc, argv, &g);
	else if (streq(cmd[0], "list-vms"))
		(void)cmd_list_vms(argc, argv, &g);
	else if (streq(cmd[0], "show-vm"))
		(void)cmd_show_vm(argc, argv, &g);
	else if (streq(cmd[0], "top"))
		(void)cmd_top(argc, argv, &g);
	else if (streq(cmd[0], "record")) {
		char *out = tce_strdup_printf("%s/record", work);

		if (!out)
			die("strdup");
		remove_tree(out);
		argv[argc++] = out;
		argv[argc] = NULL;
		(void)cmd_record(argc, argv, &g);
		remove_tree(out);
	}
	fflush(stdout);
	sigaction(SIGINT, &si, NULL);
	sigaction(SIGTERM, &st, NULL);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	size_t ri = fuzz_byte(&in) % N_REC;
	uint16_t mask = fuzz_u16(&in);
	char *src = tce_strdup_printf("%s/%zu", work, ri);
	char *root = tce_strdup_printf("%s/run", work);

	if (!src || !root)
		die("strdup");
	remove_tree(root);
	walk_src = src, walk_dst = root;
	if (nftw(src, link_one, 16, FTW_PHYS) < 0)
		die(root);
	for (int i = 0; i < 64 && in.n >= 4; i++)
		mutate(&in, root, ri);
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!mask || (mask & (1u << (i < 8 ? i : 8))))
			run(root, cmds[i]);
	remove_tree(root);
	free(src);
	free(root);
	return 0;
}
