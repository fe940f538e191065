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

#ifdef WITH_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlmemory.h>
#include <libxml/xpath.h>

/* libvirt.so.0 */
int tce_dlopen_libvirt(const char **ret_error);

DLSYM_PROTOTYPE(virConnectClose);
DLSYM_PROTOTYPE(virConnectGetDomainCapabilities);
DLSYM_PROTOTYPE(virConnectListAllDomains);
DLSYM_PROTOTYPE(virConnectOpen);
DLSYM_PROTOTYPE(virConnectOpenReadOnly);
DLSYM_PROTOTYPE(virDomainFree);
DLSYM_PROTOTYPE(virDomainGetName);
DLSYM_PROTOTYPE(virDomainGetState);
DLSYM_PROTOTYPE(virDomainGetUUIDString);
DLSYM_PROTOTYPE(virDomainGetXMLDesc);
DLSYM_PROTOTYPE(virDomainLookupByName);
DLSYM_PROTOTYPE(virDomainLookupByUUIDString);
DLSYM_PROTOTYPE(virGetLastError);
DLSYM_PROTOTYPE(virGetLastErrorCode);
DLSYM_PROTOTYPE(virGetLastErrorMessage);
DLSYM_PROTOTYPE(virSetErrorFunc);

/* libvirt-qemu.so.0 (libvirt.so.0 first): only --monitor's passthrough */
int tce_dlopen_libvirt_qemu(const char **ret_error);

DLSYM_PROTOTYPE(virDomainQemuMonitorCommand);

/* libxml2.so.2: the domain XML and domain capabilities libvirt hands out */
int tce_dlopen_libxml2(const char **ret_error);

DLSYM_PROTOTYPE(xmlDocGetRootElement);
/* a variable (the allocator's free): call it as (*sym_xmlFree)(p) */
DLSYM_PROTOTYPE(xmlFree);
DLSYM_PROTOTYPE(xmlFreeDoc);
DLSYM_PROTOTYPE(xmlGetNoNsProp);
DLSYM_PROTOTYPE(xmlNodeGetContent);
DLSYM_PROTOTYPE(xmlReadMemory);
DLSYM_PROTOTYPE(xmlXPathEvalExpression);
DLSYM_PROTOTYPE(xmlXPathFreeContext);
DLSYM_PROTOTYPE(xmlXPathFreeObject);
DLSYM_PROTOTYPE(xmlXPathNewContext);
#endif
