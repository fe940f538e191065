#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the e2e initramfs (tests/e2e/ppc64el-boot.sh): load the modules,
# optionally bind a device to vfio-pci (tce.vfio=BDF), run tceiommu, and hand
# the results out on the console as base64 between markers.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:/usr/sbin LD_LIBRARY_PATH=/lib/powerpc64le-linux-gnu
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
# tce.l2=MODE: a KVM guest (L2) started by the ppc64el QEMU in this initramfs,
# with the vfio-bound device unless MODE says otherwise (E2E.md §5b, §5c):
#   1             paused (-S), the device on vfio-pci       (powernv9-6.12-l2)
#   run           running: boots /l2/vmlinux, its NIC DMAs   (-l2run)
#   tcg           paused, -accel tcg: no KVM tables          (-l2tcg)
#   memlock-emu   running, emulated virtio-net only, no CAP_IPC_LOCK and
#                 RLIMIT_MEMLOCK 1 MiB                        (-l2memlock-emu)
#   memlock-vfio  the vfio device under that same limit      (-l2memlock-vfio)
l2=$(sed -n 's/.*tce\.l2=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -n "$vfio" ] || l2=
if [ -n "$l2" ]; then
	# QMP on a pipe chardev (/tmp/qmp.in, /tmp/qmp.out) that the shell can speak.
	mkfifo /tmp/qmp.in /tmp/qmp.out
	if [ "$l2" = 1 ]; then
		qemu-system-ppc64 -L /usr/share/qemu -name guest=l2,debug-threads=on \
			-M pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off,cap-hpt-max-page-size=4k \
			-accel kvm -m 256 -smp 1 -nodefaults -nographic -S \
			-device spapr-pci-host-bridge,index=3,id=phb3 \
			-device vfio-pci,host="$vfio",bus=phb3.0,id=hostdev0 \
			-chardev pipe,id=qmp,path=/tmp/qmp -mon chardev=qmp,mode=control \
			-qmp unix:/tmp/l2.sock,server=on,wait=off \
			>/out/l2.log 2>&1 &
		l2pid=$!
	else
		# the L2's console is a pipe chardev too: what it says lands in
		# /out/l2-console.txt, and "go" written to it lets it power off
		mkfifo /tmp/l2con.in /tmp/l2con.out
		cat 0<>/tmp/l2con.out >/out/l2-console.txt &
		conpid=$!
		# the memlock limit of the memlock-* modes (tce.memlock=BYTES)
		memlock=$(sed -n 's/.*tce\.memlock=\([0-9]*\).*/\1/p' /proc/cmdline)
		memlock=${memlock:-1048576}
		accel=kvm paused='' wrap='' net=''
		dev="vfio-pci,host=$vfio,bus=phb3.0,id=hostdev0"
		case $l2 in
		tcg) accel=tcg paused=-S ;;
		memlock-emu)
			# virtio-net sends asynchronously: a hub with only its own
			# port never takes a frame, so a second, unconnected port
			# takes them and drops them
			wrap="dropcap $memlock"
			net="-netdev hubport,id=n0,hubid=0 -netdev hubport,id=sink,hubid=0"
			dev="virtio-net-pci,netdev=n0,bus=phb3.0,id=net0,disable-legacy=on,iommu_platform=on,romfile=" ;;
		memlock-vfio) wrap="dropcap $memlock" ;;
		esac
		case $l2 in run | memlock-emu) trace=1 ;; esac
		# QEMU's own count of the TCE hcalls it handles (hw/ppc/spapr_iommu.c:
		# one trace line per H_PUT_TCE, H_PUT_TCE_INDIRECT, H_STUFF_TCE that
		# reaches it; a PCI LIOBN's are the spapr_iommu_pci_* events), on its
		# stderr: the independent check of top's count of those sent to QEMU
		qtrace=''
		[ -n "${trace:-}" ] &&
			qtrace="-trace spapr_iommu_pci_put -trace spapr_iommu_pci_indirect -trace spapr_iommu_pci_stuff"
		if [ -n "${trace:-}" ]; then
			# every TCE hcall the L2 makes, and how KVM answered it (E2E.md §5c)
			t=/sys/kernel/tracing
			mount -t tracefs tracefs "$t" 2>/dev/null || t=/sys/kernel/debug/tracing
			mkdir -p /out/trace
			echo 0 >"$t/tracing_on"
			echo 32768 >"$t/buffer_size_kb"
			echo >"$t/trace"
			# H_PUT_TCE 0x20, H_STUFF_TCE 0x138, H_PUT_TCE_INDIRECT 0x13C
			# (arch/powerpc/include/asm/hvcall.h); exits cannot be filtered
			# by hcall, so all of them are kept and paired per vCPU below
			echo 'req == 0x20 || req == 0x138 || req == 0x13c' \
				>"$t/events/kvm_hv/kvm_hcall_enter/filter"
			echo 1 >"$t/events/kvm_hv/kvm_hcall_enter/enable"
			echo 1 >"$t/events/kvm_hv/kvm_hcall_exit/enable"
			for e in kvm_hcall_enter kvm_hcall_exit; do
				cp "$t/events/kvm_hv/$e/format" "/out/trace/$e.format"
			done
			cat "$t/trace_pipe" >/tmp/trace.txt &
			tracepid=$!
			echo 1 >"$t/tracing_on"
			echo "TCE-TRACE on $t filter $(cat "$t/events/kvm_hv/kvm_hcall_enter/filter")"
		fi
		l2start=$(cut -d' ' -f1 /proc/uptime)
		# shellcheck disable=SC2086 # $wrap $paused $net are word lists
		$wrap qemu-system-ppc64 -L /usr/share/qemu -name guest=l2,debug-threads=on \
			-M pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off,cap-hpt-max-page-size=4k \
			-accel $accel -m 512 -smp 1 -nodefaults -nographic $paused \
			-chardev pipe,id=con,path=/tmp/l2con -device spapr-vty,chardev=con \
			-device spapr-pci-host-bridge,index=3,id=phb3 $net -device "$dev" $qtrace \
			-chardev pipe,id=qmp,path=/tmp/qmp -mon chardev=qmp,mode=control \
			-qmp unix:/tmp/l2.sock,server=on,wait=off \
			-kernel /l2/vmlinux -initrd /l2/initrd.gz -append "console=hvc0 quiet panic=-1" \
			>/out/l2.log 2>&1 &
		l2pid=$!
		[ -z "$wrap" ] || echo "TCE-L2 started as: $wrap qemu-system-ppc64 ..."
	fi
	# read-write opens of a FIFO never block, whether QEMU is there or not
	exec 4<>/tmp/qmp.out 3<>/tmp/qmp.in
	alive() { # kill -0 is true for a zombie, too
		[ -r "/proc/$l2pid/status" ] && ! grep -q '^State:.*zombie' "/proc/$l2pid/status"
	}
	qmp() { # one command; its return (or error) line
		if ! alive; then
			echo '{"error": "QEMU is gone"}'
			return 1
		fi
		echo "$1" >&3
		# a minute at most, and not a second longer once QEMU is gone
		n=0
		while [ $n -lt 60 ]; do
			if read -t 1 -r line <&4; then
				case $line in *'"return"'* | *'"error"'*) echo "$line"; return 0 ;; esac
				continue
			fi
			alive || break
			n=$((n + 1))
		done
		echo '{"error": "no answer"}'
	}
	greeting=
	if [ "$l2" = 1 ]; then
		read -t 60 -r greeting <&4
	else
		# a QEMU that dies at start must not cost a minute of waiting
		i=0
		while [ -z "$greeting" ] && [ $i -lt 60 ] && alive; do
			read -t 1 -r greeting <&4
			i=$((i + 1))
		done
	fi
	echo "TCE-L2 greeting ${greeting:+yes}"
	mkdir -p /out/qmp
	qmp '{"execute":"qmp_capabilities"}' >/out/qmp/qmp_capabilities.json
	if [ -n "${trace:-}" ] && alive; then
		# while the guest boots and DMAs: the tool's own view of its TCE
		# hcalls, live (top -b, through perf), and a snapshot that records
		# them (record --top) with the VM map and QEMU's answers (--qmp)
		tceiommu top -b -d 2 --no-libvirt >/out/top.txt 2>/out/top.err &
		toppid=$!
		tceiommu record --no-libvirt --qmp /tmp/l2.sock --top 30 /out/snapshot 2>/out/record.err &
		recpid=$!
	fi
	if [ "$l2" != 1 ] && [ -z "$paused" ]; then
		# a running guest: record it once its NIC has done its DMA
		i=0
		while ! grep -q '^L2-READY' /out/l2-console.txt && [ $i -lt 150 ] && alive; do
			sleep 1
			i=$((i + 1))
		done
		now=$(cut -d' ' -f1 /proc/uptime)
		echo "TCE-L2 ready $(grep -c '^L2-READY' /out/l2-console.txt) after $(echo "$now $l2start" | awk '{printf "%.1f", $1 - $2}') s"
	fi
	qmp '{"execute":"query-status"}' >/out/qmp/query-status.json
	qmp '{"execute":"qom-list","arguments":{"path":"/machine/peripheral/phb3"}}' >/out/qmp/qom-list-phb3.json
	for l in 80000300 80000301; do
		qmp '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/phb3/tce-table-'$l'/tce-iommu-'$l'[0]","property":"size"}}' \
			>/out/qmp/qom-get-tce-iommu-$l-size.json
	done
	qmp '{"execute":"human-monitor-command","arguments":{"command-line":"info mtree -f"}}' >/out/qmp/info-mtree-f.json
	echo "TCE-L2 pid $l2pid $(cat /out/qmp/query-status.json)"
	alive || { echo "TCE-L2 QEMU died:"; cat /out/l2.log; }
fi
# the snapshot: with the L2's QMP answers while its QEMU lives (the running
# modes recorded it above, hcall events included)
if [ -n "${recpid:-}" ]; then
	wait "$recpid"
	echo "TCE-RC record $?"
elif [ -n "${l2pid:-}" ] && alive; then
	tceiommu record --no-libvirt --qmp /tmp/l2.sock /out/snapshot 2>/out/record.err
	echo "TCE-RC record $?"
else
	tceiommu record --no-libvirt /out/snapshot 2>/out/record.err
	echo "TCE-RC record $?"
fi
if grep -q 'tce\.deb=1' /proc/cmdline; then
	# the package's tool, unpacked with dpkg -x, and one of its examples
	echo "TCE-DEB $(command -v tceiommu) $(tceiommu --version)"
	tceiommu --root example:powernv9-6.12 list-groups -r -o GROUP,PE,MODEL,DMA32,DDW,BDF,ID,DRIVER \
		>/out/deb-example.txt 2>/out/deb-example.err
	echo "TCE-RC deb-example $?"
fi
# -v: the sandbox says whether this kernel confined it (boot-and-check.sh
# holds that to the kernel's active LSMs)
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
cat /sys/kernel/security/lsm >/out/lsm.txt 2>/dev/null
tceiommu -v list-groups --json >/out/list-groups.json 2>/out/list-groups.err
echo "TCE-RC list-groups $?"
tceiommu check-host --json >/out/check-host.json 2>/out/check-host.err
echo "TCE-RC check-host $?"
if grep -q 'tce\.probe=1' /proc/cmdline; then
	tceiommu list-groups --probe --json >/out/probe.json 2>/out/probe.err
	echo "TCE-RC probe $?"
fi
if [ -n "${l2pid:-}" ]; then
	# what the guest's QEMU holds, said on the console (the snapshot has
	# /proc/PID as the tool recorded it)
	p=/proc/$l2pid
	if alive; then
		if [ "$l2" != 1 ]; then
			echo "TCE-L2 $(grep -E '^(VmLck|CapEff)' "$p/status" | tr -s '\t\n ' ' ')"
			echo "TCE-L2 $(grep 'Max locked memory' "$p/limits" | tr -s ' ')"
			echo "TCE-L2 fds: $(ls -l "$p/fd" | sed -n 's/.* -> //p' | sed 's/:\[[0-9]*\]$//' |
				sort | uniq -c | awk '{printf "%s%s%s", sep, $2, ($1 > 1 ? " x" $1 : ""); sep = ", "}')"
		fi
		# the shell's own QMP answers beside the tool's, for the facts
		mkdir -p /out/snapshot/.tceiommu/qmp && cp /out/qmp/*.json /out/snapshot/.tceiommu/qmp/
	else
		echo "TCE-L2 no /proc/$l2pid: QEMU is gone"
	fi
	if [ -n "${conpid:-}" ] && [ -z "$paused" ] && alive; then
		# let the running guest power itself off
		echo go 1<>/tmp/l2con.in
		i=0
		while alive && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
	fi
	alive && qmp '{"execute":"quit"}' >/dev/null
	wait "$l2pid"
	rc=$?
	[ "$l2" = 1 ] || echo "TCE-L2 exit $rc"
	echo "TCE-L2 recorded $(ls "/out/snapshot/proc/$l2pid/fd" 2>/dev/null | wc -l) fds"
	if [ -n "${toppid:-}" ]; then
		kill "$toppid"
		wait "$toppid"
		echo "TCE-RC top $? ($(grep -c '^# interval' /out/top.txt) intervals)"
	fi
	if [ -n "${conpid:-}" ]; then
		kill "$conpid"
		tr -d '\r' </out/l2-console.txt | grep '^L2-' | sed 's/^/TCE-L2CON /'
		grep -v '^$' /out/l2.log | head -n 40 | sed 's/^/TCE-L2LOG /'
	fi
	if [ -n "${tracepid:-}" ]; then
		echo 0 >"$t/tracing_on"
		sleep 2
		kill "$tracepid"
		cat "$t/per_cpu"/cpu*/stats >/out/trace/stats.txt
		echo "TCE-TRACE lines $(wc -l </tmp/trace.txt) overrun $(awk '/^overrun/ {n += $2} END {print n + 0}' /out/trace/stats.txt)"
		# pair every TCE hcall's enter with the next exit on the same vCPU
		# (kvmppc_vcpu_run_hv traces both around kvmppc_pseries_do_hcall)
		awk '
		function vcpu(s) { sub(/.*VCPU /, "", s); sub(/:.*/, "", s); return s }
		/ kvm_hcall_enter: / {
			h = $0; sub(/.*hcall=/, "", h); sub(/ .*/, "", h)
			l = $0; sub(/.*GPR4-7=/, "", l); sub(/,.*/, "", l)
			k = "liobn=" l " hcall=" h
			if (vcpu($0) in pend) unpaired++
			pend[vcpu($0)] = k
			enters[k]++
			print > "/out/trace/tce-pairs.txt"
			next
		}
		/ kvm_hcall_exit: / {
			v = vcpu($0)
			if (!(v in pend)) next
			r = $0; sub(/.*ret=/, "", r); sub(/ .*/, "", r)
			rc = $0; sub(/.*hcall_rc=/, "", rc); sub(/ .*/, "", rc)
			exits[pend[v] " exit=" r " rc=" rc]++
			delete pend[v]
			print > "/out/trace/tce-pairs.txt"
		}
		END {
			for (k in enters) print "TCE-HCALL " k " enters=" enters[k]
			for (k in exits) print "TCE-HCALL " k " count=" exits[k]
			for (v in pend) unpaired++
			print "TCE-HCALL unpaired=" unpaired + 0
		}' /tmp/trace.txt | sort >/out/trace/hcall-counts.txt
		cat /out/trace/hcall-counts.txt
		# QEMU's trace lines: "spapr_iommu_pci_put liobn=0x80000300 ..." (the
		# log backend may prefix a pid and time)
		for h in put indirect stuff; do
			grep "spapr_iommu_pci_$h " /out/l2.log | sed -n 's/.*liobn=\(0x[0-9a-f]*\).*/\1/p' |
				sort | uniq -c | while read -r n l; do
				echo "TCE-QEMUTRACE liobn=$l hcall=$h count=$n"
			done
		done >/out/trace/qemu-counts.txt
		cat /out/trace/qemu-counts.txt
		echo "TCE-QEMUTRACE lines $(grep -c 'spapr_iommu_pci_' /out/l2.log)"
		# the raw trace, gzipped, unless it would flood the console
		gzip -c /tmp/trace.txt >/tmp/trace.txt.gz
		if [ "$(wc -c </tmp/trace.txt.gz)" -le 3145728 ]; then
			mv /tmp/trace.txt.gz /out/trace/trace.txt.gz
		else
			echo "TCE-TRACE raw trace left out: $(wc -c </tmp/trace.txt.gz) bytes gzipped"
		fi
	fi
fi
cd /out && tar czf /tmp/out.tgz . && echo TCE-BEGIN && base64 /tmp/out.tgz && echo TCE-END
poweroff -f
