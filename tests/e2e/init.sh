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
# kernel messages must not land inside the results on the console
echo 1 >/proc/sys/kernel/printk
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
if grep -q 'tce\.l2=1' /proc/cmdline && [ -n "$vfio" ]; then
	# A paused KVM guest with the vfio-bound device (E2E.md §5b), QMP on a
	# pipe chardev (/tmp/qmp.in, /tmp/qmp.out) that the shell can speak.
	mkfifo /tmp/qmp.in /tmp/qmp.out
	qemu-system-ppc64 -L /usr/share/qemu -name guest=l2,debug-threads=on \
		-M pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off,cap-hpt-max-page-size=4k \
		-accel kvm -m 256 -smp 1 -nodefaults -nographic -S \
		-device spapr-pci-host-bridge,index=3,id=phb3 \
		-device vfio-pci,host="$vfio",bus=phb3.0,id=hostdev0 \
		-chardev pipe,id=qmp,path=/tmp/qmp -mon chardev=qmp,mode=control \
		>/out/l2.log 2>&1 &
	l2pid=$!
	# read-write opens of a FIFO never block, whether QEMU is there or not
	exec 4<>/tmp/qmp.out 3<>/tmp/qmp.in
	qmp() { # one command; its return (or error) line
		if ! kill -0 "$l2pid" 2>/dev/null; then
			echo '{"error": "QEMU is gone"}'
			return 1
		fi
		echo "$1" >&3
		while read -t 60 -r line <&4; do
			case $line in *'"return"'* | *'"error"'*) echo "$line"; return 0 ;; esac
		done
		echo '{"error": "no answer"}'
	}
	read -t 60 -r greeting <&4
	echo "TCE-L2 greeting ${greeting:+yes}"
	mkdir -p /out/qmp
	qmp '{"execute":"qmp_capabilities"}' >/out/qmp/qmp_capabilities.json
	qmp '{"execute":"query-status"}' >/out/qmp/query-status.json
	qmp '{"execute":"qom-list","arguments":{"path":"/machine/peripheral/phb3"}}' >/out/qmp/qom-list-phb3.json
	for l in 80000300 80000301; do
		qmp '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/phb3/tce-table-'$l'/tce-iommu-'$l'[0]","property":"size"}}' \
			>/out/qmp/qom-get-tce-iommu-$l-size.json
	done
	qmp '{"execute":"human-monitor-command","arguments":{"command-line":"info mtree -f"}}' >/out/qmp/info-mtree-f.json
	echo "TCE-L2 pid $l2pid $(cat /out/qmp/query-status.json)"
	kill -0 "$l2pid" 2>/dev/null || { echo "TCE-L2 QEMU died:"; cat /out/l2.log; }
fi
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
if [ -n "${l2pid:-}" ]; then
	# the guest's /proc entries, for the VM map: fd links as links, the rest as files
	p=/out/snapshot/proc/$l2pid
	mkdir -p "$p/fd"
	for f in /proc/$l2pid/fd/*; do
		ln -s "$(readlink "$f")" "$p/fd/${f##*/}"
	done
	for f in status limits maps cmdline comm; do cat "/proc/$l2pid/$f" >"$p/$f"; done
	mkdir -p /out/snapshot/.tceiommu/qmp && cp /out/qmp/*.json /out/snapshot/.tceiommu/qmp/
	qmp '{"execute":"quit"}' >/dev/null
	wait "$l2pid"
	echo "TCE-L2 recorded $(ls "$p/fd" | wc -l) fds"
fi
cd /out && tar czf /tmp/out.tgz . && echo TCE-BEGIN && base64 /tmp/out.tgz && echo TCE-END
poweroff -f
