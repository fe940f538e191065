/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host strings are made safe for a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tceiommu/out.h"

static void check(const char *in, const char *want)
{
	char *s = tce_escape_terminal(in);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_escape(void **state)
{
	(void)state;
	check("e1000e", "e1000e");
	check("\033]0;pwned\007", "\\x1b]0;pwned\\x07");
	check("a\nb\tc\x7f", "a\\x0ab\\x09c\\x7f");
	check("back\\slash", "back\\\\slash");
	check("caf\xc3\xa9", "caf\xc3\xa9"); /* valid UTF-8 kept */
	check("\xc2\x9b"
	      "31m",
	      "\\xc2\\x9b31m");			  /* C1 CSI escaped */
	check("\xff\xfe", "\\xff\\xfe");	  /* invalid UTF-8 */
	check("\xe0\x80\x80", "\\xe0\\x80\\x80"); /* overlong */
	check("\xc3", "\\xc3");			  /* truncated sequence */
	check("", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_escape) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
