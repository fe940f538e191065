/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KVM's hcall tracepoints: the real format files, raw samples, the pairing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tceiommu/hcall.h"

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf = calloc(1, 1 << 16);

	snprintf(path, sizeof(path), "%s/hcall-trace/%s", TEST_DATA, name);
	f = fopen(path, "r");
	assert_non_null(f);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

static void test_real_formats(void **state)
{
	struct tce_tp_format en, ex;
	struct tce_hcall_layout l;
	size_t len;
	char *b = slurp("kvm_hcall_enter.format", &len);

	assert_int_equal(tce_tp_format_parse(b, len, &en), 0);
	free(b);
	b = slurp("kvm_hcall_exit.format", &len);
	assert_int_equal(tce_tp_format_parse(b, len, &ex), 0);
	free(b);
	assert_string_equal(en.name, "kvm_hcall_enter");
	assert_int_equal(en.id, 1462);
	assert_int_equal(ex.id, 1461);
	assert_int_equal(tce_tp_field_find(&en, "req")->offset, 16);
	assert_int_equal(tce_tp_field_find(&en, "gpr4")->offset, 24);
	assert_true(tce_tp_field_find(&en, "vcpu_id")->is_signed);
	assert_int_equal(tce_tp_field_find(&ex, "hcall_rc")->offset, 24);
	assert_int_equal(tce_hcall_layout(&en, &ex, &l), 0);
	assert_int_equal(tce_hcall_layout(&ex, &en, &l), -EINVAL);
}

static void test_decode(void **state)
{
	static const char fmt[] = "name: e\nID: 7\nformat:\n"
				  "\tfield:int vcpu_id;\toffset:8;\tsize:4;\tsigned:1;\n"
				  "\tfield:unsigned long req;\toffset:16;\tsize:8;\tsigned:0;\n"
				  "\tfield:unsigned long gpr4;\toffset:24;\tsize:8;\tsigned:0;\n";
	static const char fmx[] =
	    "name: x\nID: 8\nformat:\n"
	    "\tfield:int vcpu_id;\toffset:8;\tsize:4;\tsigned:1;\n"
	    "\tfield:unsigned long ret;\toffset:16;\tsize:8;\tsigned:0;\n"
	    "\tfield:unsigned long hcall_rc;\toffset:24;\tsize:8;\tsigned:0;\n";
	struct tce_tp_format en, ex;
	struct tce_hcall_layout l;
	struct tce_hcall_event ev = { 0 };
	unsigned char raw[32] = { 0 };
	int32_t vcpu = -1;
	uint64_t req = TCE_H_PUT_TCE, liobn = 0x80000300;

	assert_int_equal(tce_tp_format_parse(fmt, strlen(fmt), &en), 0);
	assert_int_equal(tce_tp_format_parse(fmx, strlen(fmx), &ex), 0);
	assert_int_equal(tce_hcall_layout(&en, &ex, &l), 0);
	memcpy(raw + 8, &vcpu, 4);
	memcpy(raw + 16, &req, 8);
	memcpy(raw + 24, &liobn, 8);
	assert_int_equal(tce_hcall_decode(&l, false, raw, sizeof(raw), &ev), 0);
	assert_int_equal(ev.vcpu, -1); /* signed: sign-extended */
	assert_int_equal(ev.req, TCE_H_PUT_TCE);
	assert_int_equal(ev.liobn, 0x80000300);
	/* a sample shorter than the fields: refused, never read past it */
	assert_int_equal(tce_hcall_decode(&l, false, raw, 31, &ev), -EINVAL);
	assert_int_equal(tce_hcall_decode(&l, true, raw, 20, &ev), -EINVAL);
	/* hostile formats */
	assert_int_equal(tce_tp_format_parse("name: e\n", 8, &en), -EINVAL);
	assert_int_equal(tce_tp_format_parse("name: e\nID: x\n", 14, &en), -EINVAL);
	assert_int_equal(
	    tce_tp_format_parse("name: e\nID: 1\n\tfield:int a;\toffset:8;\n", 37, &en), -EINVAL);
}

static void feed(struct tce_hcall_pairer *p, int tid, bool exit, uint64_t req, uint64_t liobn,
		 uint64_t ret)
{
	struct tce_hcall_event ev = {
		.exit = exit, .pid = 100, .tid = tid, .req = req, .liobn = liobn, .ret = ret
	};

	assert_int_equal(tce_hcall_pairer_feed(p, &ev), 0);
}

static void test_pairing(void **state)
{
	struct tce_hcall_pairer *p;
	const struct tce_hcall_count *c;
	size_t n;

	assert_int_equal(tce_hcall_pairer_new(&p), 0);
	/* two vCPU threads interleaved, one in the kernel, one to QEMU */
	feed(p, 1, false, TCE_H_PUT_TCE, 0x80000300, 0);
	feed(p, 2, false, TCE_H_PUT_TCE, 0x80000000, 0);
	feed(p, 2, true, 0, 0, TCE_RESUME_FLAG_HOST); /* RESUME_HOST: H_TOO_HARD */
	feed(p, 1, true, 0, 0, 0);		      /* RESUME_GUEST */
	/* an exit whose enter was filtered out (another hcall) is not counted */
	feed(p, 1, true, 0, 0, TCE_RESUME_FLAG_HOST);
	/* RESUME_HOST_NV (3) is to QEMU too */
	feed(p, 1, false, TCE_H_STUFF_TCE, 0x80000300, 0);
	feed(p, 1, true, 0, 0, 3);
	feed(p, 3, false, TCE_H_PUT_TCE_INDIRECT, 0x80000300, 0);
	c = tce_hcall_pairer_counts(p, &n);
	assert_int_equal(n, 3);
	/* counted in the order the exits came */
	assert_int_equal(c[0].liobn, 0x80000000);
	assert_int_equal(c[0].to_qemu, 1);
	assert_int_equal(c[1].liobn, 0x80000300);
	assert_int_equal(c[1].in_kernel, 1);
	assert_int_equal(c[1].to_qemu, 0);
	assert_int_equal(c[2].hcall, TCE_H_STUFF_TCE);
	assert_int_equal(c[2].to_qemu, 1);
	assert_int_equal(tce_hcall_pairer_pending(p), 1);
	tce_hcall_pairer_reset(p);
	c = tce_hcall_pairer_counts(p, &n);
	assert_int_equal(c[0].to_qemu + c[1].in_kernel + c[2].to_qemu, 0);
	/* the pending INDIRECT completes in the next interval */
	feed(p, 3, true, 0, 0, 0);
	c = tce_hcall_pairer_counts(p, &n);
	assert_int_equal(n, 4);
	assert_int_equal(c[3].in_kernel, 1);
	tce_hcall_pairer_free(p);

	assert_true(tce_rate(50, 2000000000ULL) == 25.0);
	assert_true(tce_rate(50, 0) == 0.0);
	assert_null(tce_hcall_name(0x1c));
	assert_string_equal(tce_hcall_name(0x13c), "H_PUT_TCE_INDIRECT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_formats),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_pairing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
