/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Optional libraries, loaded with dlopen() when a command first needs them,
 * the way systemd loads its optional ones (src/shared/dlfcn-util.h,
 * src/shared/pwquality-util.c): the binary has no NEEDED entry for them, so
 * --version, --help, list-groups and a check-host without a libvirt socket
 * never map libvirt and the ~60 libraries behind it.
 *
 * The library's own header is still included: each sym_X is declared as
 * typeof(X) *, so every call through it is type-checked against the real
 * prototype, and DLSYM_ARG refuses at compile time a pointer whose type is
 * not the symbol's.
 *
 * Each loader is idempotent and thread-safe. It returns 0 once the library
 * and all its symbols are there, else a negative errno that stays the same
 * for the rest of the process (-EOPNOTSUPP: the library is not installed;
 * -ELIBBAD: a symbol is missing), with *ret_error (if not NULL) set to
 * dlerror()'s words, e.g. "libvirt.so.0: cannot open shared object file: No
 * such file or directory" (static storage, never freed).
 */
#pragma once

#define DLSYM_PROTOTYPE(symbol) extern __typeof__(symbol) *sym_##symbol
#define DLSYM_FUNCTION(symbol) __typeof__(symbol) *sym_##symbol = NULL
/* &sym_X, "X" for tce_dlopen_many(); the pointer must have X's own type */
#define DLSYM_ARG(arg)                                                                             \
	({                                                                                         \
		_Static_assert(                                                                    \
		    __builtin_types_compatible_p(__typeof__(sym_##arg), __typeof__(&arg)),         \
		    "sym_" #arg " is not a pointer to " #arg);                                     \
		&sym_##arg;                                                                        \
	}),                                                                                        \
	    #arg

struct tce_dl {
	const char *soname;
	void *handle; /* once loaded, never closed */
	int err;      /* 0: not tried yet */
	char msg[256];
};

/*
 * Load l->soname with RTLD_NOW|RTLD_NODELETE and resolve the DLSYM_ARG()
 * pairs that follow, ending with NULL. On a missing symbol, no pointer is set.
 */
int tce_dlopen_many(struct tce_dl *l, const char **ret_error, ...) __attribute__((sentinel));
