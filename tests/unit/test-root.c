/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The root: every path resolves inside it, with openat2 and with the
 * userspace resolver alike; replay tells absent from unreadable from not
 * recorded; recording copies links and files.
 */
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
#include <unistd.h>

#include <cmocka.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#include "tceiommu/probe.h"
#include "tceiommu/root.h"
#include "tceiommu/util.h"

static char tmpl[64];

static void put(const char *rel, const char *content)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void lnk(const char *target, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
	assert_int_equal(symlink(target, p), 0);
}

/* A tree with links that try to leave the root; a file outside it. */
static int setup(void **state)
{
	char outside[600];

	(void)state;
	strcpy(tmpl, "/tmp/tce-root-XXXXXX");
	assert_non_null(mkdtemp(tmpl));
	dir("root");
	dir("root/sys");
	dir("root/sys/a");
	dir("root/proc");
	dir("root/etc");
	put("root/sys/a/value", "0x1fd\n");
	put("root/etc/inside", "inside\n");
	put("secret", "outside\n");
	snprintf(outside, sizeof(outside), "%s/secret", tmpl);
	lnk(outside, "root/sys/abs-escape"); /* absolute, to a live file */
	lnk("../../../../../../../../secret", "root/sys/dotdot-escape");
	lnk("/sys/a", "root/proc/abs-inside"); /* like /proc/device-tree */
	lnk("/etc/inside", "root/sys/abs-etc");
	lnk("loop2", "root/sys/loop1");
	lnk("loop1", "root/sys/loop2");
	lnk("a", "root/sys/dirlink"); /* a directory link in the middle of a path */
	{
		char p[600];

		snprintf(p, sizeof(p), "%s/root/sys/fifo", tmpl);
		assert_int_equal(mkfifo(p, 0644), 0);
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	/* no system(): remove the few files one by one */
	const char *files[] = { "root/sys/a/value",
				"root/etc/inside",
				"secret",
				"root/sys/abs-escape",
				"root/sys/dotdot-escape",
				"root/proc/abs-inside",
				"root/sys/abs-etc",
				"root/sys/loop1",
				"root/sys/loop2",
				"root/sys/big",
				"root/sys/dirlink",
				"root/sys/fifo",
				"root/sys/k/zz",
				NULL };
	const char *dirs[] = { "root/sys/a", "root/sys/k/b", "root/sys/k", "root/sys", "root/proc",
			       "root/etc",   "root",	     "",	   NULL };

	for (int i = 0; files[i]; i++) {
		snprintf(cmd, sizeof(cmd), "%s/%s", tmpl, files[i]);
		unlink(cmd);
	}
	for (int i = 0; dirs[i]; i++) {
		snprintf(cmd, sizeof(cmd), "%s/%s", tmpl, dirs[i]);
		rmdir(cmd);
	}
	return 0;
}

static void check_containment(bool openat2)
{
	char rootdir[600];
	struct tce_root *r = NULL;
	char *s = NULL;

	setenv("TCEIOMMU_NO_OPENAT2", openat2 ? "0" : "1", 1);
	snprintf(rootdir, sizeof(rootdir), "%s/root", tmpl);
	assert_int_equal(tce_root_new(rootdir, &r), 0);
	assert_int_equal(tce_root_uses_openat2(r), openat2);

	assert_int_equal(tce_root_read_string(r, "/sys/a/value", &s), 0);
	assert_string_equal(s, "0x1fd");
	free(s);
	/* an absolute link resolves inside the root, as /proc/device-tree must */
	assert_int_equal(tce_root_read_string(r, "/proc/abs-inside/value", &s), 0);
	assert_string_equal(s, "0x1fd");
	free(s);
	assert_int_equal(tce_root_read_string(r, "/sys/abs-etc", &s), 0);
	assert_string_equal(s, "inside");
	free(s);
	/* links that aim outside land inside, where nothing is */
	assert_int_equal(tce_root_read_string(r, "/sys/abs-escape", &s), -ENOENT);
	assert_int_equal(tce_root_read_string(r, "/sys/dotdot-escape", &s), -ENOENT);
	assert_int_equal(tce_root_read_string(r, "/../../secret", &s), -ENOENT);
	assert_int_equal(tce_root_read_string(r, "/sys/loop1", &s), -ELOOP);
	assert_int_equal(tce_root_exists(r, "/sys/a"), 0);
	assert_int_equal(tce_root_exists(r, "/sys/nothing"), -ENOENT);
	assert_int_equal(tce_root_realpath(r, "/proc/abs-inside/value", &s), 0);
	assert_string_equal(s, "/sys/a/value");
	free(s);
	assert_int_equal(tce_root_realpath(r, "/sys/../../proc/./abs-inside", &s), 0);
	assert_string_equal(s, "/sys/a");
	free(s);
	assert_int_equal(tce_root_readlink(r, "/proc/abs-inside", &s), 0);
	assert_string_equal(s, "/sys/a");
	free(s);
	/* a link in the middle, a file in the middle, a trailing slash */
	assert_int_equal(tce_root_read_string(r, "/sys/dirlink/value", &s), 0);
	assert_string_equal(s, "0x1fd");
	free(s);
	assert_int_equal(tce_root_read_string(r, "/sys/a/value/x", &s), -ENOTDIR);
	assert_int_equal(tce_root_read_string(r, "/sys/a/value/", &s), -ENOTDIR);
	assert_int_equal(tce_root_exists(r, "/sys/a/value/"), -ENOTDIR);
	assert_int_equal(tce_root_exists(r, "/sys/a/"), 0);
	/* a FIFO never blocks a read: refused at once */
	assert_int_equal(tce_root_read_string(r, "/sys/fifo", &s), -EINVAL);
	assert_int_equal(tce_root_read_string(r, "/sys/a", &s), -EISDIR);
	{
		/* a directory opened once: the same answers, by name */
		struct tce_dir *d = NULL, *e = NULL;

		assert_int_equal(tce_root_opendir(r, "/proc/abs-inside", &d), 0);
		assert_int_equal(tce_dir_read_string(d, "value", &s), 0);
		assert_string_equal(s, "0x1fd");
		free(s);
		assert_int_equal(tce_dir_exists(d, "value"), 0);
		assert_int_equal(tce_dir_exists(d, "nothing"), -ENOENT);
		assert_int_equal(tce_dir_read_string(d, "nothing", &s), -ENOENT);
		tce_dir_free(d);
		assert_int_equal(tce_root_opendir(r, "/sys", &d), 0);
		/* a name that is a link resolves in the root, never outside */
		assert_int_equal(tce_dir_read_string(d, "abs-etc", &s), 0);
		assert_string_equal(s, "inside");
		free(s);
		assert_int_equal(tce_dir_read_string(d, "abs-escape", &s), -ENOENT);
		assert_int_equal(tce_dir_read_string(d, "dotdot-escape", &s), -ENOENT);
		assert_int_equal(tce_dir_exists(d, "abs-escape"), -ENOENT);
		assert_int_equal(tce_dir_exists(d, "abs-etc"), 0);
		assert_int_equal(tce_dir_read_string(d, "loop1", &s), -ELOOP);
		assert_int_equal(tce_dir_readlink(d, "abs-etc", &s), 0);
		assert_string_equal(s, "/etc/inside");
		free(s);
		assert_int_equal(tce_dir_realpath(d, "dirlink", &s), 0);
		assert_string_equal(s, "/sys/a");
		free(s);
		/* no FIFO is read, no directory */
		assert_int_equal(tce_dir_read_string(d, "fifo", &s), -EINVAL);
		assert_int_equal(tce_dir_read_string(d, "a", &s), -EISDIR);
		tce_dir_free(d);
		assert_int_equal(tce_root_opendir(r, "/sys/nothing", &e), -ENOENT);
		assert_int_equal(tce_root_opendir(r, "/sys/a/value", &e), -ENOTDIR);
		assert_int_equal(tce_root_opendir(r, "/sys/abs-escape", &e), -ENOENT);
		assert_null(e);
	}
	if (openat2) {
		/* the kernel has openat2: the reads above went through it */
		struct open_how how = { .flags = O_RDONLY, .resolve = RESOLVE_IN_ROOT };
		long fd = syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof(how));

		if (fd >= 0) {
			close((int)fd);
			assert_true(tce_root_uses_openat2(r));
		}
	}
	tce_root_free(r);
	unsetenv("TCEIOMMU_NO_OPENAT2");
}

static void test_containment_openat2(void **state)
{
	(void)state;
	check_containment(true);
}

static void test_containment_fallback(void **state)
{
	(void)state;
	check_containment(false);
}

static void test_bounded(void **state)
{
	char rootdir[600], big[8192];
	struct tce_root *r = NULL;
	char *s = NULL, **names = NULL;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put("root/sys/big", big);
	snprintf(rootdir, sizeof(rootdir), "%s/root", tmpl);
	assert_int_equal(tce_root_new(rootdir, &r), 0);
	assert_int_equal(tce_root_read_string(r, "/sys/big", &s), -EFBIG);
	assert_int_equal(tce_root_list(r, "/sys", &names), 0);
	assert_string_equal(names[0], "a"); /* sorted */
	assert_true(strv_contains(names, "big"));
	strv_free(names);
	assert_int_equal(tce_root_list(r, "/sys/a/value", &names), -ENOTDIR);
	tce_root_free(r);
}

/* A file of max bytes is read whole, one of max + 1 is too large, at every
 * size around the buffer's growth steps (the buffer stops at max + 2). */
static void test_read_limits(void **state)
{
	static const size_t maxes[] = { 1, 4095, 4096, 4097, 8190, 8191, 8192, 8193, 70000 };
	static const char *const paths[] = { "/sys/lim", "/proc/lim" }; /* one read, or to EOF */
	char rootdir[600], p[700];

	(void)state;
	snprintf(rootdir, sizeof(rootdir), "%s/root", tmpl);
	snprintf(p, sizeof(p), "%s/proc", rootdir);
	(void)mkdir(p, 0755);
	for (size_t i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		for (size_t extra = 0; extra <= 1; extra++) {
			size_t n = maxes[i] + extra;
			char *content = malloc(n + 1);

			assert_non_null(content);
			for (size_t j = 0; j < n; j++)
				content[j] = (char)('a' + j % 26);
			content[n] = '\0';
			put("root/sys/lim", content);
			put("root/proc/lim", content);
			for (size_t q = 0; q < 2; q++) {
				struct tce_root *r = NULL;
				char *buf = NULL;
				size_t len = 0;
				int k;

				assert_int_equal(tce_root_new(rootdir, &r), 0);
				k = tce_root_read(r, paths[q], maxes[i], &buf, &len);
				if (extra) {
					assert_int_equal(k, -EFBIG);
				} else {
					assert_int_equal(k, 0);
					assert_int_equal(len, n);
					assert_memory_equal(buf, content, n);
					assert_int_equal(buf[len], '\0');
				}
				free(buf);
				tce_root_free(r);
			}
			free(content);
		}
	}
}

/* A recorded manifest: EACCES replays as EACCES, an unlisted path is "not recorded". */
static void test_manifest(void **state)
{
	char rootdir[600];
	struct tce_root *r = NULL;
	char *s = NULL, **v = NULL;

	(void)state;
	dir("root/.tceiommu");
	put("root/.tceiommu/manifest",
	    "tceiommu-snapshot 1\nsource record\nkernel_release 6.12.38+deb12-powerpc64le\n"
	    "page_size 65536\neuid 1000\npath dir /sys/emptydir\n"
	    "path read /sys/a/value\npath EACCES /sys/a/secret\npath absent /sys/a/gone\n"
	    "path absent /sys/with%20space\n"
	    /* dirs beside and below /sys/k, in an order the parser must sort */
	    "path dir /sys/k0\npath dir /sys/k/c/d\npath dir /sys/k-x\npath dir /sys/k\n"
	    "path dir /sys/k/a\npath dir /sys/k/b\npath dir /sys/k/c\npath EACCES /sys/k/e\n"
	    "path read /sys/k/f\npath dir /sys/kk/g\npath dir /sys/k/c\npath dir /sys/k/b\n");
	dir("root/sys/k");
	dir("root/sys/k/b");
	put("root/sys/k/zz", "1\n");
	put("root/.tceiommu/probes",
	    "hwdb\tpci:v00008086d000010D3\t=ID_MODEL_FROM_DATABASE=82574L%20x\n"
	    "vfio-holders\t3\t!EACCES\nvfio-holders\t4\t-\n");
	snprintf(rootdir, sizeof(rootdir), "%s/root", tmpl);
	assert_int_equal(tce_root_new(rootdir, &r), 0);
	assert_false(tce_root_is_live(r));
	assert_string_equal(tce_root_kernel_release(r), "6.12.38+deb12-powerpc64le");
	assert_int_equal(tce_root_page_size(r), 65536);
	assert_int_equal(tce_root_euid(r), 1000);
	assert_int_equal(tce_root_read_string(r, "/sys/a/secret", &s), -EACCES);
	assert_int_equal(tce_root_read_string(r, "/sys/a/gone", &s), -ENOENT);
	assert_int_equal(tce_root_read_string(r, "/sys/a/never", &s), -ENODATA);
	assert_int_equal(tce_root_exists(r, "/sys/with space"), -ENOENT);
	{
		char **names = NULL;

		/* an empty directory git could not keep lists as empty */
		assert_int_equal(tce_root_list(r, "/sys/emptydir", &names), 0);
		assert_null(names[0]);
		strv_free(names);
		assert_int_equal(tce_root_list(r, "/sys/otherdir", &names), -ENODATA);
		/* and it exists, as a directory */
		assert_int_equal(tce_root_exists(r, "/sys/emptydir"), 0);
		assert_int_equal(tce_root_exists(r, "/sys/otherdir"), -ENODATA);
		/* a listing has the tree's entries and the manifest's empty
		 * directories right under it, each once, sorted: not its
		 * grandchildren, files, errors or prefix-sharing siblings */
		assert_int_equal(tce_root_list(r, "/sys/k", &names), 0);
		assert_int_equal(strv_length(names), 4);
		assert_string_equal(names[0], "a");
		assert_string_equal(names[1], "b");
		assert_string_equal(names[2], "c");
		assert_string_equal(names[3], "zz");
		strv_free(names);
		assert_int_equal(tce_root_list(r, "/sys/k/c", &names), 0);
		assert_int_equal(strv_length(names), 1);
		assert_string_equal(names[0], "d");
		strv_free(names);
	}
	{
		/* by name in an opened directory, replay answers the same */
		struct tce_dir *d = NULL;

		assert_int_equal(tce_root_opendir(r, "/sys/a", &d), 0);
		assert_int_equal(tce_dir_read_string(d, "secret", &s), -EACCES);
		assert_int_equal(tce_dir_read_string(d, "gone", &s), -ENOENT);
		assert_int_equal(tce_dir_read_string(d, "never", &s), -ENODATA);
		assert_int_equal(tce_dir_exists(d, "never"), -ENODATA);
		tce_dir_free(d);
		assert_int_equal(tce_root_opendir(r, "/sys/emptydir", &d), 0);
		tce_dir_free(d);
		assert_int_equal(tce_root_opendir(r, "/sys/otherdir", &d), -ENODATA);
	}

	assert_int_equal(tce_probe(r, "hwdb", "pci:v00008086d000010D3", &v), 0);
	assert_string_equal(v[0], "ID_MODEL_FROM_DATABASE=82574L x");
	strv_free(v);
	assert_int_equal(tce_probe(r, "vfio-holders", "3", &v), -EACCES);
	assert_int_equal(tce_probe(r, "vfio-holders", "4", &v), 0);
	assert_null(v[0]);
	strv_free(v);
	assert_int_equal(tce_probe(r, "vfio-holders", "5", &v), -ENODATA);
	tce_root_free(r);
	unlink("placeholder");
	{
		char p[600];

		snprintf(p, sizeof(p), "%s/root/.tceiommu/manifest", tmpl);
		unlink(p);
		snprintf(p, sizeof(p), "%s/root/.tceiommu/probes", tmpl);
		unlink(p);
		snprintf(p, sizeof(p), "%s/root/.tceiommu", tmpl);
		rmdir(p);
	}
}

static void test_bad_manifest(void **state)
{
	char rootdir[600], p[600], target[600];
	struct tce_root *r = NULL;

	(void)state;
	/* .tceiommu as a link to a directory elsewhere is refused, not followed */
	snprintf(target, sizeof(target), "%s/root/etc", tmpl);
	lnk(target, "root/.tceiommu");
	put("root/etc/manifest", "tceiommu-snapshot 1\nsource record\n");
	snprintf(rootdir, sizeof(rootdir), "%s/root", tmpl);
	assert_int_equal(tce_root_new(rootdir, &r), -ELOOP);
	snprintf(p, sizeof(p), "%s/root/.tceiommu", tmpl);
	unlink(p);
	snprintf(p, sizeof(p), "%s/root/etc/manifest", tmpl);
	unlink(p);
	/* a FIFO as the sidecar is refused, not read */
	dir("root/.tceiommu");
	put("root/.tceiommu/manifest", "tceiommu-snapshot 1\n");
	snprintf(p, sizeof(p), "%s/root/.tceiommu/probes", tmpl);
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_int_equal(tce_root_new(rootdir, &r), -EINVAL);
	unlink(p);
	put("root/.tceiommu/manifest", "tceiommu-snapshot 99\n");
	snprintf(rootdir, sizeof(rootdir), "%s/root", tmpl);
	assert_int_equal(tce_root_new(rootdir, &r), -EINVAL);
	put("root/.tceiommu/manifest", "garbage\n");
	assert_int_equal(tce_root_new(rootdir, &r), -EINVAL);
	snprintf(p, sizeof(p), "%s/root/.tceiommu/manifest", tmpl);
	unlink(p);
	snprintf(p, sizeof(p), "%s/root/.tceiommu", tmpl);
	rmdir(p);
	assert_int_equal(tce_root_new("/nonexistent-tce-root", &r), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_containment_openat2),
		cmocka_unit_test(test_containment_fallback),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_read_limits),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_bad_manifest),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
