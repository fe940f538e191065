/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The holders of /dev/vfio/N, from a /proc tree built like the kernel's. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tceiommu/probe.h"
#include "tceiommu/root.h"
#include "tceiommu/util.h"

static char proc[64];

static void mk(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", proc, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void put(const char *rel, const char *data, size_t len)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", proc, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void ln(const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", proc, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void test_scan(void **state)
{
	static const char cmdline[] = "qemu-system-ppc64\0-name\0guest=vm1,debug-threads=on\0-S";
	char **lines = NULL, p[256];

	(void)state;
	strcpy(proc, "/tmp/tce-proc-XXXXXX");
	assert_non_null(mkdtemp(proc));
	mk("1");
	mk("100");
	mk("100/fd");
	put("100/comm", "qemu-system-ppc\n", 16);
	put("100/cmdline", cmdline, sizeof(cmdline));
	ln("/dev/vfio/vfio", "100/fd/3"); /* the container is no group */
	ln("/dev/vfio/7", "100/fd/4");
	ln("/dev/vfio/7", "100/fd/5"); /* the same group twice */
	ln("/dev/kvm", "100/fd/6");
	ln("anon_inode:kvm-spapr-tce", "100/fd/7");
	mk("200");
	mk("200/fd");
	put("200/comm", "bash\n", 5);
	ln("/dev/vfio/12", "200/fd/0");
	mk("300"); /* a process whose fd directory is gone */
	ln("100", "self");

	assert_int_equal(tce_vfio_holders_scan(proc, true, &lines), 0);
	assert_int_equal(strv_length(lines), 2);
	assert_true(strv_contains(lines, "7\t100\tqemu-system-ppc\tvm1"));
	assert_true(strv_contains(lines, "12\t200\tbash"));
	strv_free(lines);

	lines = NULL;
	assert_int_equal(tce_vfio_holders_scan(proc, false, &lines), -EACCES);
	snprintf(p, sizeof(p), "%s/1", proc);
	rmdir(p); /* hidepid=2: other users' processes are not listed */
	assert_int_equal(tce_vfio_holders_scan(proc, false, &lines), -EPERM);
	assert_null(lines);
	assert_int_equal(tce_vfio_holders_scan("/nonexistent-proc", true, &lines), -ENOENT);

	/* clean up without running a program */
	const char *files[] = { "100/comm", "100/cmdline", "100/fd/3", "100/fd/4",
				"100/fd/5", "100/fd/6",	   "100/fd/7", "200/comm",
				"200/fd/0", "self",	   NULL };
	const char *dirs[] = { "100/fd", "100", "200/fd", "200", "300", "", NULL };

	for (int i = 0; files[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", proc, files[i]);
		unlink(p);
	}
	for (int i = 0; dirs[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", proc, dirs[i]);
		rmdir(p);
	}
}

/*
 * A sidecar's answer of many lines, in a row or scattered among another's,
 * loads and replays in linear time (it was a strv_push, a count, per line).
 */
static void test_many_lines(void **state)
{
	char dir[] = "/tmp/test-probe-XXXXXX", p[128];
	struct tce_root *r = NULL;
	char **v = NULL;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/.tceiommu", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/.tceiommu/manifest", dir);
	assert_non_null(f = fopen(p, "w"));
	fputs("tceiommu-snapshot 1\n", f);
	assert_int_equal(fclose(f), 0);
	snprintf(p, sizeof(p), "%s/.tceiommu/probes", dir);
	assert_non_null(f = fopen(p, "w"));
	for (int i = 0; i < 100000; i++)
		fprintf(f, "module\tkvm_hv\t=state=live\n%s",
			i % 2 ? "module\tkvm_pr\t=state=live\n" : "");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(tce_root_new(dir, &r), 0);
	assert_int_equal(tce_probe(r, "module", "kvm_hv", &v), 0);
	assert_int_equal(strv_length(v), 100000);
	strv_free(v);
	assert_int_equal(tce_probe(r, "module", "kvm_pr", &v), 0);
	assert_int_equal(strv_length(v), 50000);
	strv_free(v);
	tce_root_free(r);
	unlink(p);
	snprintf(p, sizeof(p), "%s/.tceiommu/manifest", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/.tceiommu", dir);
	rmdir(p);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_scan),
					    cmocka_unit_test(test_many_lines) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
