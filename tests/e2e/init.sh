#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the e2e initramfs (tests/e2e/ppc64el-boot.sh): load the modules,
# optionally bind a device to vfio-pci (tce.vfio=BDF), run tceiommu, and hand
# the results out on the console as base64 between markers.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin LD_LIBRARY_PATH=/lib/powerpc64le-linux-gnu
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo "TCE-BOOTED $(uname -r)"
for m in $(cat /modules.order); do
	if insmod "/modules/$m.ko" 2>/tmp/insmod.err; then
		echo "TCE-MOD $m loaded"
	else
		echo "TCE-MOD $m failed: $(cat /tmp/insmod.err)"
	fi
done
vfio=$(sed -n 's/.*tce\.vfio=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$vfio" ]; then
	d=/sys/bus/pci/devices/$vfio
	echo vfio-pci >"$d/driver_override"
	[ -e "$d/driver" ] && echo "$vfio" >"$d/driver/unbind"
	echo "$vfio" >/sys/bus/pci/drivers_probe
	echo "TCE-VFIO $vfio $(basename "$(readlink "$d/driver")" 2>/dev/null)"
fi
mkdir -p /out
tceiommu record /out/snapshot 2>/out/record.err
echo "TCE-RC record $?"
tceiommu list-groups --json >/out/list-groups.json 2>/out/list-groups.err
echo "TCE-RC list-groups $?"
tceiommu check-host --json >/out/check-host.json 2>/out/check-host.err
echo "TCE-RC check-host $?"
if grep -q 'tce\.probe=1' /proc/cmdline; then
	tceiommu list-groups --probe --json >/out/probe.json 2>/out/probe.err
	echo "TCE-RC probe $?"
fi
cd /out && tar czf /tmp/out.tgz . && echo TCE-BEGIN && base64 /tmp/out.tgz && echo TCE-END
poweroff -f
