/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The optional libraries, loaded on first need (include/tceiommu/dlopen.h).
 * One lock for all of them: loading happens a few times per process at
 * most, from the libvirt job threads as well as the main one.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tceiommu/dlopen.h"
#include "tceiommu/log.h"

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

static int load(struct tce_dl *l, va_list ap)
{
	va_list again;
	void *dl, *p, *slot;
	const char *name;
	const char *e;

	(void)dlerror();
	dl = dlopen(l->soname, RTLD_NOW | RTLD_NODELETE);
	if (!dl) {
		e = dlerror();
		snprintf(l->msg, sizeof(l->msg), "%s", e ? e : l->soname);
		return -EOPNOTSUPP;
	}
	va_copy(again, ap);
	for (size_t n = 0; (slot = va_arg(ap, void *)); n++) {
		name = va_arg(ap, const char *);
		p = dlsym(dl, name);
		if (!p) {
			e = dlerror();
			snprintf(l->msg, sizeof(l->msg), "%s", e ? e : name);
			/* all or nothing: undo what this call set */
			for (size_t i = 0; i < n; i++) {
				memset(va_arg(again, void *), 0, sizeof(void *));
				(void)va_arg(again, const char *);
			}
			va_end(again);
			dlclose(dl);
			return -ELIBBAD;
		}
		/* a function pointer's slot: POSIX lets dlsym's void * be one */
		memcpy(slot, &p, sizeof(p));
	}
	va_end(again);
	/* never closed: it was a NEEDED library once, and lived as long */
	l->handle = dl;
	return 0;
}

int tce_dlopen_many(struct tce_dl *l, const char **ret_error, ...)
{
	va_list ap;
	int r;

	pthread_mutex_lock(&dl_lock);
	if (!l->handle && !l->err) {
		va_start(ap, ret_error);
		l->err = load(l, ap);
		va_end(ap);
		if (l->err < 0)
			DBG("%s", l->msg);
		else
			DBG("%s loaded", l->soname);
	}
	r = l->handle ? 0 : l->err;
	pthread_mutex_unlock(&dl_lock);
	if (r < 0 && ret_error)
		*ret_error = l->msg;
	return r;
}

#ifdef WITH_LIBVIRT
DLSYM_FUNCTION(virConnectClose);
DLSYM_FUNCTION(virConnectGetDomainCapabilities);
DLSYM_FUNCTION(virConnectListAllDomains);
DLSYM_FUNCTION(virConnectOpen);
DLSYM_FUNCTION(virConnectOpenReadOnly);
DLSYM_FUNCTION(virDomainFree);
DLSYM_FUNCTION(virDomainGetName);
DLSYM_FUNCTION(virDomainGetState);
DLSYM_FUNCTION(virDomainGetUUIDString);
DLSYM_FUNCTION(virDomainGetXMLDesc);
DLSYM_FUNCTION(virDomainLookupByName);
DLSYM_FUNCTION(virDomainLookupByUUIDString);
DLSYM_FUNCTION(virGetLastError);
DLSYM_FUNCTION(virGetLastErrorCode);
DLSYM_FUNCTION(virGetLastErrorMessage);
DLSYM_FUNCTION(virSetErrorFunc);

DLSYM_FUNCTION(virDomainQemuMonitorCommand);

DLSYM_FUNCTION(xmlDocGetRootElement);
DLSYM_FUNCTION(xmlFree);
DLSYM_FUNCTION(xmlFreeDoc);
DLSYM_FUNCTION(xmlGetNoNsProp);
DLSYM_FUNCTION(xmlNodeGetContent);
DLSYM_FUNCTION(xmlReadMemory);
DLSYM_FUNCTION(xmlXPathEvalExpression);
DLSYM_FUNCTION(xmlXPathFreeContext);
DLSYM_FUNCTION(xmlXPathFreeObject);
DLSYM_FUNCTION(xmlXPathNewContext);

int tce_dlopen_libvirt(const char **ret_error)
{
	static struct tce_dl l = { .soname = "libvirt.so.0" };

	return tce_dlopen_many(
	    &l, ret_error, DLSYM_ARG(virConnectClose), DLSYM_ARG(virConnectGetDomainCapabilities),
	    DLSYM_ARG(virConnectListAllDomains), DLSYM_ARG(virConnectOpen),
	    DLSYM_ARG(virConnectOpenReadOnly), DLSYM_ARG(virDomainFree),
	    DLSYM_ARG(virDomainGetName), DLSYM_ARG(virDomainGetState),
	    DLSYM_ARG(virDomainGetUUIDString), DLSYM_ARG(virDomainGetXMLDesc),
	    DLSYM_ARG(virDomainLookupByName), DLSYM_ARG(virDomainLookupByUUIDString),
	    DLSYM_ARG(virGetLastError), DLSYM_ARG(virGetLastErrorCode),
	    DLSYM_ARG(virGetLastErrorMessage), DLSYM_ARG(virSetErrorFunc), NULL);
}

int tce_dlopen_libvirt_qemu(const char **ret_error)
{
	static struct tce_dl l = { .soname = "libvirt-qemu.so.0" };
	int r = tce_dlopen_libvirt(ret_error);

	if (r < 0)
		return r;
	return tce_dlopen_many(&l, ret_error, DLSYM_ARG(virDomainQemuMonitorCommand), NULL);
}

int tce_dlopen_libxml2(const char **ret_error)
{
	static struct tce_dl l = { .soname = "libxml2.so.2" };

	return tce_dlopen_many(&l, ret_error, DLSYM_ARG(xmlDocGetRootElement), DLSYM_ARG(xmlFree),
			       DLSYM_ARG(xmlFreeDoc), DLSYM_ARG(xmlGetNoNsProp),
			       DLSYM_ARG(xmlNodeGetContent), DLSYM_ARG(xmlReadMemory),
			       DLSYM_ARG(xmlXPathEvalExpression), DLSYM_ARG(xmlXPathFreeContext),
			       DLSYM_ARG(xmlXPathFreeObject), DLSYM_ARG(xmlXPathNewContext), NULL);
}
#endif
