/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's answers over QMP (src/vm/qom.c tce_qmp_inspect): QOM lists, QOM
 * properties, query-status and "info mtree -f", as a snapshot replays them.
 * The input is lines "REQUEST<TAB>REPLY": each request the inspection makes
 * gets the reply of the first line with that request (its JSON text; a
 * reply "error:DESC" is QEMU's error reply, "!" a broken connection), and
 * a request no line has is "not recorded". Both the full inspection
 * (show-vm) and the short one (list-vms) run, and the VM is then decided.
 */
#include <errno.h>

#include "fuzz.h"
#include "tceiommu/util.h"
#include "tceiommu/vm.h"
#include "tceiommu/vmproc.h"

struct script {
	const char *buf;
	size_t len;
};

static int exec_script(void *ctx, const char *req, char **ret, char **ret_error)
{
	const struct script *s = ctx;
	size_t rl = strlen(req);

	for (size_t pos = 0; pos < s->len;) {
		const char *line = s->buf + pos, *nl = memchr(line, '\n', s->len - pos);
		size_t ll = nl ? (size_t)(nl - line) : s->len - pos;

		pos += ll + 1;
		if (ll <= rl || memcmp(line, req, rl) != 0 || line[rl] != '\t')
			continue;
		line += rl + 1;
		ll -= rl + 1;
		if (ll >= 6 && memcmp(line, "error:", 6) == 0) {
			*ret_error = strndup(line + 6, ll - 6);
			return -EREMOTEIO;
		}
		if (ll >= 1 && line[0] == '!') {
			*ret_error = strdup("the peer closed the connection mid-reply");
			return -ECONNRESET;
		}
		*ret = strndup(line, ll);
		return *ret ? 0 : -ENOMEM;
	}
	*ret_error = strdup("not recorded in the snapshot");
	return -ENODATA;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s = { (const char *)data, size };

	for (int full = 0; full < 2; full++) {
		struct tce_vm vm = { .pid = 1 };

		(void)tce_qmp_inspect(exec_script, &s, &vm, full);
		tce_vm_mark_vfio_phbs(&vm);
		tce_vm_decide(&vm, 65536, TCE_UNKNOWN);
		tce_vm_done(&vm);
	}
	return 0;
}
