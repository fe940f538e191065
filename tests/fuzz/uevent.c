/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A PCI device's sysfs uevent (src/host/pcidev.c): DRIVER, PCI_CLASS, PCI_ID. */
#include "groups-internal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size), *v = NULL;
	struct tce_device d = { 0 };

	tce_pcidev_parse_uevent(buf, size, &d);
	free(d.driver);
	/* any key, including one that is a prefix of another */
	if (tce_uevent_get(buf, size, "PCI", &v) == 0)
		free(v);
	free(buf);
	return 0;
}
