/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Module states through libkmod, never by grepping /proc/modules (a built-in
 * kvm_hv is not listed there; virt-host-validate's false warning). libkmod
 * reads /proc/modules, /sys/module and the running kernel's module indexes at
 * fixed paths, so its answers are live-only: the probe interface records
 * them. Nothing here loads a module.
 */
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tceiommu/hostinfo.h"
#include "tceiommu/log.h"
#include "tceiommu/pathnames.h"
#include "tceiommu/probe.h"
#include "tceiommu/util.h"

static const char *const state_names[] = {
	[TCE_MOD_UNKNOWN] = "unknown", [TCE_MOD_ABSENT] = "absent", [TCE_MOD_LIVE] = "live",
	[TCE_MOD_BUILTIN] = "builtin", [TCE_MOD_COMING] = "coming", [TCE_MOD_GOING] = "going",
};

const char *tce_mod_state_name(enum tce_mod_state s)
{
	return (size_t)s < ARRAY_SIZE(state_names) ? state_names[s] : "unknown";
}

/* libkmod's own format and arguments (kmod_set_log_fn) */
static void kmod_log_fn(void *data, int priority, const char *file, int line, const char *fn,
			const char *format, va_list args) _printf_(6, 0);
static void kmod_log_fn(void *data, int priority, const char *file, int line, const char *fn,
			const char *format, va_list args)
{
	char *s = NULL;

	if (vasprintf(&s, format, args) >= 0) {
		size_t n = strlen(s);

		if (n && s[n - 1] == '\n')
			s[n - 1] = '\0';
		DBG("libkmod: %s", s);
		free(s);
	}
}

/* key: a module name; values "state=...", "available=yes|no" */
int tce_live_module(struct kmod_ctx **ctx, const char *name, char ***ret)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *list = NULL;
	_cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
	enum tce_mod_state st;
	int k, avail = -1;

	if (!v)
		return -ENOMEM;
	if (!*ctx) {
		*ctx = kmod_new(NULL, NULL);
		if (!*ctx)
			return -ENOMEM;
		kmod_set_log_fn(*ctx, kmod_log_fn, NULL);
	}
	k = kmod_module_new_from_name(*ctx, name, &mod);
	if (k < 0)
		return k;
	k = kmod_module_get_initstate(mod);
	switch (k) {
	case KMOD_MODULE_LIVE:
		st = TCE_MOD_LIVE;
		break;
	case KMOD_MODULE_BUILTIN:
		st = TCE_MOD_BUILTIN;
		break;
	case KMOD_MODULE_COMING:
		st = TCE_MOD_COMING;
		break;
	case KMOD_MODULE_GOING:
		st = TCE_MOD_GOING;
		break;
	default:
		st = TCE_MOD_ABSENT; /* -ENOENT: neither loaded nor built in */
		break;
	}
	kmod_module_unref(mod);
	/* libkmod calls a /sys/module/NAME without initstate "coming" when it
	 * cannot read modules.builtin (a kernel without module support has no
	 * /lib/modules). The kernel gives initstate to loadable modules only
	 * (kernel/module/sysfs.c): no initstate there means built in. */
	if (st == TCE_MOD_COMING) {
		_cleanup_free_ char *p = tce_strdup_printf(PATH_SYS_MODULE "/%s/initstate", name);

		if (p && access(p, F_OK) < 0 && errno == ENOENT)
			st = TCE_MOD_BUILTIN;
	}
	/* Is there a module file to load? Look it up in the indexes. */
	if (kmod_module_new_from_lookup(*ctx, name, &list) >= 0) {
		struct kmod_list *l;

		avail = 0;
		kmod_list_foreach(l, list)
		{
			struct kmod_module *m = kmod_module_get_module(l);

			if (kmod_module_get_path(m))
				avail = 1;
			kmod_module_unref(m);
		}
		kmod_module_unref_list(list);
	}
	if (strv_push(&v, tce_strdup_printf("state=%s", tce_mod_state_name(st))) < 0 ||
	    strv_push(&v, tce_strdup_printf("available=%s", avail < 0 ? "unknown"
							    : avail   ? "yes"
								      : "no")) < 0)
		return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

int tce_module_state(struct tce_root *r, const char *name, struct tce_module *ret)
{
	_cleanup_strv_free_ char **v = NULL;
	struct tce_module m = { .state = TCE_MOD_UNKNOWN, .available = -1 };
	int k = tce_probe(r, "module", name, &v);

	if (k < 0) {
		m.err = k;
		*ret = m;
		return k;
	}
	for (char **p = v; *p; p++) {
		if (strneq(*p, "state=", 6)) {
			for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
				if (streq(*p + 6, state_names[i]))
					m.state = (enum tce_mod_state)i;
		} else if (strneq(*p, "available=", 10)) {
			m.available = streq(*p + 10, "yes") ? 1 : streq(*p + 10, "no") ? 0 : -1;
		}
	}
	*ret = m;
	return 0;
}
