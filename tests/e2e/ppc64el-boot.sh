#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot one of Debian's ppc64el kernels as a pSeries guest under QEMU (TCG),
# with the cross-built tceiommu in its initramfs, and bring out what the tool
# recorded and said (E2E.md §4).
#
# Usage: ppc64el-boot.sh CONFIG OUTDIR
#   CONFIG: pseries-6.1, pseries-6.1-nested, pseries-6.12, pseries-6.12-nested,
#           powernv9-6.12, powernv10-6.12, powernv8-6.12 (an emulated bare-metal
#           host, E2E.md §4b), powernv9-6.12-l2 (that host running a paused KVM
#           guest with the vfio-bound device: ppc64el QEMU in the initramfs,
#           E2E.md §5b), and with a guest of their own beside it (the same
#           vmlinux and a small initramfs, tests/e2e/l2-init.sh; E2E.md §5c):
#           powernv9-6.12-l2run (that guest running, the vfio-bound e1000e
#           DMAing, TCE hcalls traced in the host), powernv9-6.12-l2tcg (paused
#           under -accel tcg: no KVM tables), powernv9-6.12-l2memlock-emu (an
#           emulated virtio-net only, QEMU without CAP_IPC_LOCK and with
#           RLIMIT_MEMLOCK 1 MiB, tests/e2e/dropcap.c), powernv9-6.12-l2memlock-vfio
#           (the vfio-bound device under that limit: QEMU dies at start;
#           TCE_MEMLOCK=BYTES in the environment sets another limit for both);
#           CONFIG-deb: CONFIG with the tool from the ppc64el .deb
#           (build-pkg/tceiommu_*_ppc64el.deb, scripts/deb.sh --arch ppc64el),
#           unpacked whole (dpkg -x) into the initramfs, examples and all
# Needs: build-ppc64le/tceiommu (scripts/test.sh builds it), the sysroot in
# build-sysroot-ppc64el, qemu-system-ppc, and Debian's archive (the kernel,
# from bookworm or bookworm-backports, and busybox-static are downloaded into
# build-e2e/). Fails loudly, with the reason, on any download or boot error.
set -euo pipefail
cd "$(dirname "$0")/../.."
config=${1:?config} out=${2:?outdir}
cache=$PWD/build-e2e
tool=$PWD/build-ppc64le/tceiommu
sysroot=$PWD/build-sysroot-ppc64el
die() { echo "ppc64el-boot: $*" >&2; exit 1; }
tree=()
if [ "${config%-deb}" != "$config" ]; then
	debs=("$PWD"/build-pkg/tceiommu_*_ppc64el.deb)
	[ -f "${debs[0]}" ] || die "no build-pkg/tceiommu_*_ppc64el.deb: run scripts/deb.sh --arch ppc64el build-pkg"
	rm -rf "$cache/deb-root" && mkdir -p "$cache/deb-root"
	dpkg -x "${debs[0]}" "$cache/deb-root"
	tool=$cache/deb-root/usr/sbin/tceiommu
	tree=(--tree "$cache/deb-root")
fi
[ -x "$tool" ] || die "no $tool: run scripts/test.sh (or the ppc64le build) first"

base=${config%-deb}
case $base in
pseries-6.1) series=6.1 machine=pseries,x-vof=on vfio= ;;
pseries-6.1-nested) series=6.1 machine=pseries,x-vof=on,cap-nested-hv=on vfio= ;;
pseries-6.12) series=6.12 machine=pseries,x-vof=on vfio= ;;
pseries-6.12-nested) series=6.12 machine=pseries,x-vof=on,cap-nested-hv=on vfio=0002:00:00.0 ;;
powernv9-6.12 | powernv10-6.12 | powernv8-6.12)
	series=6.12 machine=${base%-6.12} vfio=0001:01:00.0 ;;
powernv9-6.12-l2) series=6.12 machine=powernv9 vfio=0001:01:00.0 l2=1 ;;
# the e1000e on pcie.0, whose e1000e driver in the L2 works through vfio-pci
powernv9-6.12-l2run | powernv9-6.12-l2tcg | powernv9-6.12-l2memlock-emu | powernv9-6.12-l2memlock-vfio)
	series=6.12 machine=powernv9 vfio=0000:01:00.0 l2=${base#powernv9-6.12-l2} ;;
*) die "unknown config $config" ;;
esac

mkdir -p "$cache" && chmod 777 "$cache"
if [ "$series" = 6.12 ] && ! apt-cache policy 2>/dev/null | grep -q bookworm-backports; then
	echo 'deb http://deb.debian.org/debian bookworm-backports main' \
		>/etc/apt/sources.list.d/tceiommu-bookworm-backports.list
	scripts/apt-update.sh >/dev/null || die "apt-get update failed"
fi
command -v qemu-system-ppc64 >/dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		qemu-system-ppc qemu-system-data >/dev/null || die "cannot install qemu-system-ppc"
# the newest kernel of the series that the archive has
if [ "$series" = 6.1 ]; then
	pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-powerpc64le$' | cut -d' ' -f1 | sort -V | tail -n 1)
else
	pkg=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-powerpc64le$' | cut -d' ' -f1 | sort -V | tail -n 1)
fi
[ -n "$pkg" ] || die "no ppc64el linux-image for $series in the archive (is the ppc64el architecture added?)"
kdir=$cache/$pkg
if [ ! -d "$kdir/boot" ]; then
	(cd "$cache" && apt-get download "$pkg:ppc64el" >/dev/null) || die "cannot download $pkg"
	mkdir -p "$kdir" && dpkg -x "$cache/${pkg}"_*_ppc64el.deb "$kdir"
fi
if [ ! -x "$cache/busybox/bin/busybox" ]; then
	(cd "$cache" && apt-get download busybox-static:ppc64el >/dev/null) || die "cannot download busybox-static"
	dpkg -x "$cache"/busybox-static_*_ppc64el.deb "$cache/busybox"
fi
release=$(ls "$kdir/lib/modules")
vmlinux=$kdir/boot/vmlinux-$release

# the ppc64el QEMU and its libraries, for a guest inside the guest
extra=()
libdirs=("$sysroot/lib/powerpc64le-linux-gnu" "$sysroot/usr/lib/powerpc64le-linux-gnu"
	/usr/powerpc64le-linux-gnu/lib)
if [ -n "${l2:-}" ]; then
	qroot=$cache/qemu-ppc64el
	if [ ! -x "$qroot/usr/bin/qemu-system-ppc64" ]; then
		mkdir -p "$cache/qemu-debs" && chmod 777 "$cache/qemu-debs"
		list=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
			--no-breaks --no-replaces --no-enhances --no-pre-depends qemu-system-ppc:ppc64el |
			grep -E '^[a-z0-9].*:ppc64el$' | sort -u)
		(cd "$cache/qemu-debs" && apt-get download $list qemu-system-ppc:ppc64el qemu-system-data \
			>/dev/null) || die "cannot download ppc64el QEMU"
		for d in "$cache"/qemu-debs/*.deb; do dpkg -x "$d" "$qroot"; done
	fi
	# its own libc6:ppc64el first, for QEMU and the tool alike
	libdirs=("$qroot/lib/powerpc64le-linux-gnu" "$qroot/usr/lib/powerpc64le-linux-gnu" "${libdirs[@]}")
	extra=(--file "$qroot/usr/bin/qemu-system-ppc64:/usr/bin/qemu-system-ppc64"
		--file "$qroot/usr/share/qemu/vof.bin:/usr/share/qemu/vof.bin")
fi
if [ -n "${l2:-}" ] && [ "$l2" != 1 ]; then
	# the L2's own kernel (the same vmlinux) and initramfs: busybox and the
	# NIC drivers, no tool
	"${PYTHON:-python3}" tests/e2e/mkinitrd.py --kernel-root "$kdir" --release "$release" \
		--busybox "$cache/busybox/bin/busybox" --init tests/e2e/l2-init.sh \
		--module e1000e --module virtio_net --out "$cache/l2.initrd.gz"
	# a root QEMU held to a memlock limit
	powerpc64le-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o "$cache/dropcap" \
		tests/e2e/dropcap.c || die "cannot build tests/e2e/dropcap.c (gcc-powerpc64le-linux-gnu)"
	extra+=(--file "$vmlinux:/l2/vmlinux" --file "$cache/l2.initrd.gz:/l2/initrd.gz"
		--file "$cache/dropcap:/usr/bin/dropcap")
fi

# shared libraries by their DT_NEEDED, from the sysroot and the cross libc
libs=() seen=" "
need() {
	local f=$1 n p
	for n in $(powerpc64le-linux-gnu-readelf -d "$f" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
		case $seen in *" $n "*) continue ;; esac
		seen+="$n "
		p=""
		for d in "${libdirs[@]}"; do
			[ -e "$d/$n" ] && p=$(readlink -f "$d/$n") && break
		done
		[ -n "$p" ] || die "library $n not found"
		cp "$p" "$cache/$n"
		libs+=(--lib "$cache/$n")
		need "$p"
	done
}
need "$tool"
[ -n "${l2:-}" ] && need "$qroot/usr/bin/qemu-system-ppc64"
ldso=/usr/powerpc64le-linux-gnu/lib/ld64.so.2
[ -n "${l2:-}" ] && ldso=$(readlink -f "$qroot/lib/powerpc64le-linux-gnu/ld64.so.2")
cp "$ldso" "$cache/ld64.so.2"
libs+=(--lib "$cache/ld64.so.2")

mods=(e1000 e1000e nvme virtio_net kvm kvm_hv vfio vfio_iommu_spapr_tce vfio_pci)
margs=()
for m in "${mods[@]}"; do margs+=(--module "$m"); done
# the tool from the build, or the package's whole tree
toolarg=(--tool "$tool")
[ ${#tree[@]} = 0 ] || toolarg=("${tree[@]}")
"${PYTHON:-python3}" tests/e2e/mkinitrd.py --kernel-root "$kdir" --release "$release" \
	--busybox "$cache/busybox/bin/busybox" "${toolarg[@]}" "${libs[@]}" \
	--init tests/e2e/init.sh "${margs[@]}" "${extra[@]}" --out "$cache/$config.initrd.gz"

# a kernel panic powers off at once instead of waiting for the timeout
append="console=hvc0 quiet panic=-1"
[ -n "$vfio" ] && append+=" tce.vfio=$vfio tce.probe=1"
[ -n "${l2:-}" ] && append+=" tce.l2=$l2"
[ ${#tree[@]} = 0 ] || append+=" tce.deb=1"
# the -l2memlock-* configurations' RLIMIT_MEMLOCK, 1 MiB unless TCE_MEMLOCK says
[ -n "${TCE_MEMLOCK:-}" ] && append+=" tce.memlock=$TCE_MEMLOCK"
log=$cache/$config.console.log
rm -f "$log"
start=$(date +%s)
case $machine in
pseries*)
	# PHB 0 (the default one) stays empty: its group has no device (E2E.md §4)
	args=(-M "$machine" -m 1024 -nodefaults
		-chardev file,id=c0,path="$log" -device spapr-vty,chardev=c0
		-device spapr-pci-host-bridge,index=2,id=phb2
		-netdev user,id=n0 -device e1000,bus=phb2.0,netdev=n0,romfile=
		-device spapr-pci-host-bridge,index=7,id=phb7
		-netdev user,id=n1 -device e1000,bus=phb7.0,netdev=n1,romfile=)
	;;
powernv*)
	# not -nodefaults: it removes the PHBs (E2E.md §4b). One endpoint on each
	# of three PHBs' root ports, and a PCIe switch with two endpoints on a
	# fourth: bridges are in no group on PowerNV.
	truncate -s 1M "$cache/nvme.img"
	# powernv8 has three PHB3s (pcie.0-2), powernv9/10 six PHB4/5s
	if [ "$machine" = powernv8 ]; then sw=pcie.2 nv=(); else
		sw=pcie.3
		nv=(-drive file="$cache/nvme.img",if=none,id=d0,format=raw
			-device nvme,drive=d0,serial=tce0,bus=pcie.2)
	fi
	# an L2 that transmits does so into a hub that leads nowhere
	n0=user,id=n0
	[ -n "${l2:-}" ] && [ "$l2" != 1 ] && n0=hubport,id=n0,hubid=0
	args=(-M "$machine" -m "$([ -n "${l2:-}" ] && echo 4096 || echo 2048)" -monitor none -serial file:"$log"
		-netdev "$n0" -device e1000e,netdev=n0,bus=pcie.0,romfile=
		-netdev user,id=n1 -device virtio-net-pci,netdev=n1,bus=pcie.1,romfile=
		"${nv[@]}"
		-device x3130-upstream,id=up0,bus=$sw
		-device xio3130-downstream,id=dn0,bus=up0,chassis=3,slot=0
		-device xio3130-downstream,id=dn1,bus=up0,chassis=3,slot=1
		-netdev user,id=n2 -device e1000e,netdev=n2,bus=dn0,romfile=
		-netdev user,id=n3 -device virtio-net-pci,netdev=n3,bus=dn1,romfile=)
	;;
esac
timeout 300 qemu-system-ppc64 -accel tcg -nographic -no-reboot "${args[@]}" \
	-kernel "$vmlinux" -initrd "$cache/$config.initrd.gz" -append "$append" \
	>"$cache/$config.qemu.log" 2>&1 || die "QEMU failed or timed out: $(tail -n 3 "$cache/$config.qemu.log"; tail -n 5 "$log" 2>/dev/null)"
grep -q '^TCE-BOOTED' "$log" || die "the kernel did not reach /init: $(tail -n 20 "$log")"
grep -q '^TCE-END' "$log" || die "no results on the console: $(grep TCE- "$log" | tail -n 20)"
rm -rf "$out" && mkdir -p "$out"
sed -n '/^TCE-BEGIN/,/^TCE-END/p' "$log" | sed '1d;$d' | tr -d '\r' | base64 -d | tar xzf - -C "$out"
grep '^TCE-' "$log" | grep -v -e BEGIN -e END | tr -d '\r' >"$out/console.txt"
echo "ppc64el-boot: $config ($pkg) booted and ran in $(($(date +%s) - start)) s; results in $out"
