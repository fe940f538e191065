/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dlopen() loader: absent library, missing symbol, all or nothing, once. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tceiommu/dlopen.h"

static DLSYM_FUNCTION(getpid);
static DLSYM_FUNCTION(getppid);
/* no libc has it; declared so that DLSYM_ARG can check its type */
extern int tce_no_such_function(void);
static DLSYM_FUNCTION(tce_no_such_function);

static void test_absent(void **state)
{
	struct tce_dl l = { .soname = "libtceiommu-absent.so.0" };
	const char *e = NULL, *e2 = NULL;

	(void)state;
	assert_int_equal(tce_dlopen_many(&l, &e, DLSYM_ARG(getpid), NULL), -EOPNOTSUPP);
	assert_non_null(e);
	assert_non_null(strstr(e, "libtceiommu-absent.so.0"));
	assert_null(sym_getpid);
	/* remembered: the same answer, the same words */
	assert_int_equal(tce_dlopen_many(&l, &e2, DLSYM_ARG(getpid), NULL), -EOPNOTSUPP);
	assert_ptr_equal(e, e2);
	assert_int_equal(tce_dlopen_many(&l, NULL, DLSYM_ARG(getpid), NULL), -EOPNOTSUPP);
}

static void test_missing_symbol(void **state)
{
	struct tce_dl l = { .soname = "libc.so.6" };
	const char *e = NULL;

	(void)state;
	assert_int_equal(tce_dlopen_many(&l, &e, DLSYM_ARG(getpid), DLSYM_ARG(tce_no_such_function),
					 DLSYM_ARG(getppid), NULL),
			 -ELIBBAD);
	assert_non_null(strstr(e, "tce_no_such_function"));
	/* all or nothing: getpid, found first, is not left set */
	assert_null(sym_getpid);
	assert_null(sym_tce_no_such_function);
	assert_null(sym_getppid);
}

static void test_loaded(void **state)
{
	struct tce_dl l = { .soname = "libc.so.6" };
	const char *e = NULL;

	(void)state;
	assert_int_equal(tce_dlopen_many(&l, &e, DLSYM_ARG(getpid), DLSYM_ARG(getppid), NULL), 0);
	assert_null(e);
	assert_non_null(sym_getpid);
	assert_int_equal(sym_getpid(), getpid());
	assert_int_equal(sym_getppid(), getppid());
	assert_int_equal(tce_dlopen_many(&l, &e, DLSYM_ARG(getpid), DLSYM_ARG(getppid), NULL), 0);
}

#ifdef WITH_LIBVIRT
/* the real loaders: every symbol the sources use is in this machine's libraries */
static void test_libvirt(void **state)
{
	const char *e = NULL;

	(void)state;
	assert_int_equal(tce_dlopen_libxml2(&e), 0);
	assert_non_null(sym_xmlReadMemory);
	assert_non_null(sym_xmlFree);
	assert_non_null(*sym_xmlFree);
	assert_int_equal(tce_dlopen_libvirt(&e), 0);
	assert_non_null(sym_virConnectOpenReadOnly);
	assert_int_equal(tce_dlopen_libvirt_qemu(&e), 0);
	assert_non_null(sym_virDomainQemuMonitorCommand);
	assert_int_equal(tce_dlopen_libvirt(&e), 0);
	assert_null(e);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_missing_symbol),
		cmocka_unit_test(test_loaded),
#ifdef WITH_LIBVIRT
		cmocka_unit_test(test_libvirt),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
