/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsers of host values, on good and hostile input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tceiommu/util.h"

static void test_u64(void **state)
{
	uint64_t v = 42;
	int64_t s;

	(void)state;
	assert_int_equal(tce_parse_u64("17\n", 10, &v), 0);
	assert_int_equal(v, 17);
	assert_int_equal(tce_parse_u64("  0x1fd \n", 16, &v), 0);
	assert_int_equal(v, 0x1fd);
	assert_int_equal(tce_parse_u64("0x10", 0, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(tce_parse_u64("18446744073709551615", 10, &v), 0);
	assert_true(v == UINT64_MAX);
	v = 7;
	assert_int_equal(tce_parse_u64("99999999999999999999999", 10, &v), -ERANGE);
	assert_int_equal(tce_parse_u64("", 10, &v), -EINVAL);
	assert_int_equal(tce_parse_u64("\n", 10, &v), -EINVAL);
	assert_int_equal(tce_parse_u64("-1", 10, &v), -EINVAL);
	assert_int_equal(tce_parse_u64("12abc", 10, &v), -EINVAL);
	assert_int_equal(tce_parse_u64("1 2", 10, &v), -EINVAL);
	assert_int_equal(tce_parse_u64(NULL, 10, &v), -EINVAL);
	assert_int_equal(v, 7); /* untouched on failure */
	assert_int_equal(tce_parse_s64("-1\n", 10, &s), 0);
	assert_int_equal(s, -1);
	assert_int_equal(tce_parse_s64("99999999999999999999999", 10, &s), -ERANGE);
}

static void test_bdf(void **state)
{
	struct tce_bdf b, p;

	(void)state;
	assert_int_equal(tce_parse_bdf("0001:0a:1f.7", false, &b), 0);
	assert_int_equal(b.domain, 1);
	assert_int_equal(b.bus, 0x0a);
	assert_int_equal(b.dev, 0x1f);
	assert_int_equal(b.fn, 7);
	assert_int_equal(tce_parse_bdf("0001:0A:1F.7", false, &b), 0);
	assert_int_equal(tce_parse_bdf("10000:00:00.0", false, &b), 0);
	assert_int_equal(b.domain, 0x10000);
	assert_int_equal(tce_parse_bdf("0a:1f.7", false, &b), -EINVAL);
	assert_int_equal(tce_parse_bdf("0a:1f.7", true, &p), 0);
	assert_int_equal(p.domain, -1);
	assert_true(tce_bdf_match(&p, &b) == false);
	assert_int_equal(tce_parse_bdf("0001:0a:1f.7", false, &b), 0);
	assert_true(tce_bdf_match(&p, &b));
	assert_int_equal(tce_parse_bdf("0000:00:20.0", false, &b), -EINVAL); /* device > 31 */
	assert_int_equal(tce_parse_bdf("0000:00:00.8", false, &b), -EINVAL);
	assert_int_equal(tce_parse_bdf("0000:00:00:0", false, &b), -EINVAL);
	assert_int_equal(tce_parse_bdf("0000:0g:00.0", false, &b), -EINVAL);
	assert_int_equal(tce_parse_bdf("", true, &b), -EINVAL);
	assert_int_equal(tce_parse_bdf("virtio0", true, &b), -EINVAL);
}

static void test_group_name(void **state)
{
	uint32_t d = 9;
	uint64_t pe = 9;

	(void)state;
	assert_int_equal(tce_parse_group_name("domain0-pe1fd", &d, &pe), 0);
	assert_int_equal(d, 0);
	assert_int_equal(pe, 0x1fd);
	assert_int_equal(tce_parse_group_name("domain7-pe0", &d, &pe), 0);
	assert_int_equal(d, 7);
	assert_int_equal(pe, 0);
	d = 9;
	assert_int_equal(tce_parse_group_name("domain-pe1", &d, &pe), -EINVAL);
	assert_int_equal(tce_parse_group_name("domain0-pe", &d, &pe), -EINVAL);
	assert_int_equal(tce_parse_group_name("domain0-pe1g", &d, &pe), -EINVAL);
	assert_int_equal(tce_parse_group_name("domainx-pe1", &d, &pe), -EINVAL);
	assert_int_equal(tce_parse_group_name("domain99999999999-pe1", &d, &pe), -EINVAL);
	assert_int_equal(tce_parse_group_name("\033]0;pwned\007", &d, &pe), -EINVAL);
	assert_int_equal(tce_parse_group_name("", &d, &pe), -EINVAL);
	assert_int_equal(d, 9);
}

static void test_uevent(void **state)
{
	const char ue[] = "DRIVER=e1000e\nPCI_CLASS=20000\nPCI_ID=8086:10D3\nDRIVERX=no";
	const char nul[] = "DRIVER=a\0b\n";
	char *v = NULL;

	(void)state;
	assert_int_equal(tce_uevent_get(ue, strlen(ue), "DRIVER", &v), 0);
	assert_string_equal(v, "e1000e");
	free(v);
	assert_int_equal(tce_uevent_get(ue, strlen(ue), "PCI_ID", &v), 0);
	assert_string_equal(v, "8086:10D3");
	free(v);
	assert_int_equal(tce_uevent_get(ue, strlen(ue), "DRIVERX", &v), 0); /* no newline at end */
	assert_string_equal(v, "no");
	free(v);
	assert_int_equal(tce_uevent_get(ue, strlen(ue), "PCI", &v), -ENOENT);
	assert_int_equal(tce_uevent_get("", 0, "DRIVER", &v), -ENOENT);
	assert_int_equal(tce_uevent_get(ue, 10, "PCI_CLASS", &v), -ENOENT); /* truncated */
	assert_int_equal(tce_uevent_get(nul, sizeof(nul) - 1, "DRIVER", &v), -EINVAL);
}

static void test_kernel_version(void **state)
{
	int a = 0, b = 0;

	(void)state;
	assert_int_equal(tce_parse_kernel_version("6.12.38+deb12-powerpc64le", &a, &b), 0);
	assert_int_equal(a, 6);
	assert_int_equal(b, 12);
	assert_int_equal(tce_parse_kernel_version("5.19", &a, &b), 0);
	assert_int_equal(b, 19);
	assert_int_equal(tce_parse_kernel_version("6", &a, &b), -EINVAL);
	assert_int_equal(tce_parse_kernel_version("v6.1", &a, &b), -EINVAL);
	assert_int_equal(tce_parse_kernel_version(NULL, &a, &b), -EINVAL);
}

static void test_percent(void **state)
{
	const char *in = "a b%c\td\n\033e";
	char *e = tce_percent_escape(in), *u = NULL;

	(void)state;
	assert_non_null(e);
	assert_null(strpbrk(e, " \t\n\033"));
	assert_int_equal(tce_percent_unescape(e, &u), 0);
	assert_string_equal(u, in);
	free(u);
	free(e);
	assert_int_equal(tce_percent_unescape("abc%2", &u), -EINVAL);
	assert_int_equal(tce_percent_unescape("abc%zz", &u), -EINVAL);
	assert_int_equal(tce_percent_unescape("a%00", &u), -EINVAL);
}

static void test_misc(void **state)
{
	char buf[32];
	char **v = NULL;

	(void)state;
	assert_string_equal(tce_errno_name(EACCES), "EACCES");
	assert_string_equal(tce_errno_name(-ENOENT), "ENOENT");
	assert_int_equal(tce_errno_from_name("EPERM"), EPERM);
	assert_int_equal(tce_errno_from_name("EBOGUS"), 0);
	tce_format_size(2147483648ULL, buf, sizeof(buf));
	assert_string_equal(buf, "2G");
	tce_format_size(65536, buf, sizeof(buf));
	assert_string_equal(buf, "64K");
	tce_format_size(1536ULL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "1.5G");
	tce_format_size(100, buf, sizeof(buf));
	assert_string_equal(buf, "100");
	tce_format_size(1ULL << 59, buf, sizeof(buf));
	assert_string_equal(buf, "512P");
	assert_int_equal(strv_extend(&v, "a"), 0);
	assert_int_equal(strv_extend(&v, "b"), 0);
	assert_int_equal(strv_length(v), 2);
	assert_true(strv_contains(v, "b"));
	assert_false(strv_contains(v, "c"));
	strv_free(v);
}

/* The command-long caches' map: keys and values copied, growth keeps all. */
/* strv_buf: NULL-terminated at every length, an empty one steals as an empty
 * vector, done frees (ASan/valgrind hold it to that) */
static void test_strv_buf(void **state)
{
	struct strv_buf b = { 0 };
	char **v;
	char s[16];

	(void)state;
	v = strv_buf_steal(&b);
	assert_non_null(v);
	assert_null(v[0]);
	strv_free(v);
	for (int i = 0; i < 1000; i++) {
		snprintf(s, sizeof(s), "%d", i);
		assert_int_equal(strv_buf_extend(&b, s), 0);
		assert_int_equal(strv_length(b.v), (size_t)i + 1);
		assert_int_equal(b.n, (size_t)i + 1);
	}
	assert_string_equal(b.v[999], "999");
	assert_int_equal(strv_buf_push(&b, NULL), -ENOMEM);
	assert_int_equal(b.n, 1000);
	v = strv_buf_steal(&b);
	assert_null(b.v);
	assert_int_equal(strv_length(v), 1000);
	strv_free(v);
	assert_int_equal(strv_buf_extend(&b, "x"), 0);
	strv_buf_done(&b);
	assert_null(b.v);
	assert_int_equal(b.n, 0);
}

static void test_strmap(void **state)
{
	struct tce_strmap m = { 0 };
	char k[32], v[32];

	(void)state;
	assert_null(tce_strmap_get(&m, "a"));
	for (int i = 0; i < 5000; i++) {
		snprintf(k, sizeof(k), "/sys/devices/pci%04x", i);
		snprintf(v, sizeof(v), "%d", i * 7);
		assert_int_equal(tce_strmap_put(&m, k, i % 3 ? v : NULL), 0);
	}
	assert_int_equal(m.n_used, 5000);
	for (int i = 0; i < 5000; i++) {
		const struct tce_strmap_slot *s;

		snprintf(k, sizeof(k), "/sys/devices/pci%04x", i);
		s = tce_strmap_get(&m, k);
		assert_non_null(s);
		if (i % 3) {
			snprintf(v, sizeof(v), "%d", i * 7);
			assert_string_equal(s->value, v);
		} else {
			assert_null(s->value);
		}
	}
	assert_int_equal(tce_strmap_put(&m, "/sys/devices/pci0001", "new"), 0);
	assert_string_equal(tce_strmap_get(&m, "/sys/devices/pci0001")->value, "new");
	assert_int_equal(m.n_used, 5000);
	assert_null(tce_strmap_get(&m, "/sys/devices/pci"));
	tce_strmap_done(&m);
	assert_null(tce_strmap_get(&m, "/sys/devices/pci0001"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_bdf),
		cmocka_unit_test(test_group_name),
		cmocka_unit_test(test_uevent),
		cmocka_unit_test(test_kernel_version),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_strv_buf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
