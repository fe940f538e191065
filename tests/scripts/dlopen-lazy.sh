#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libvirt, libvirt-qemu and libxml2 are dlopen()ed on first need (issue 9):
# the binary has no NEEDED entry for them; --version, --help, list-groups and
# check-host under --root never load them, nor does a live check-host or
# list-vms whose URI's daemon has no socket; the libvirt checks and the VM
# map's collector on libvirt's test driver do load them, and work;
# libvirt-qemu only with --monitor. What the dynamic loader maps is read
# from LD_DEBUG=files.
# Usage: dlopen-lazy.sh TCEIOMMU DATA_DIR
set -u
tool=$1 data=$(cd "$2" && pwd)
n=0 fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$data/powernv9-6.12
xml=$(cd "$data/../libvirt" && pwd)

# ld NAME ARGS...: run the tool under LD_DEBUG=files; its output in
# $tmp/NAME.out, its exit status in $rc, the shared objects it mapped in $libs
ld() {
	local name=$1
	shift
	rm -f "$tmp/$name".ld.*
	LD_DEBUG=files LD_DEBUG_OUTPUT="$tmp/$name.ld" timeout 60 "$tool" "$@" >"$tmp/$name.out" 2>&1
	rc=$?
	libs=$(cat "$tmp/$name".ld.* 2>/dev/null | sed -n 's/.*file=\([^ ]*\) .*/\1/p' | sort -u)
	if [ -z "$libs" ]; then
		bad "$name: LD_DEBUG=files said nothing (exit $rc)"
		return 1
	fi
}
has() { grep -qx "$1" <<<"$libs"; }
lazy="libvirt.so.0 libvirt-qemu.so.0 libxml2.so.2"

n=$((n + 1))
if command -v readelf >/dev/null; then
	needed=$(readelf -d "$tool" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	for l in $lazy; do
		grep -qx "$l" <<<"$needed" && bad "readelf: $l is NEEDED"
	done
	grep -qx 'libc.so.6' <<<"$needed" || bad "readelf: no NEEDED read: $needed"
else
	echo "readelf absent: LD_DEBUG only"
fi

# never: what does not ask libvirt
check_none() {
	local name=$1
	shift
	n=$((n + 1))
	ld "$name" "$@" || return
	for l in $lazy; do
		has "$l" && bad "$name loaded $l (exit $rc): $(head -3 "$tmp/$name.out")"
	done
	return 0
}
check_none version --version
grep -q '^tceiommu' "$tmp/version.out" && [ $rc = 0 ] || bad "--version: exit $rc"
check_none help --help
check_none list-groups --root "$root" list-groups
[ $rc = 0 ] && grep -q 'GROUP' "$tmp/list-groups.out" || bad "list-groups: exit $rc"
check_none check-host --root "$root" check-host
grep -q 'libvirt is asked only on the live host' "$tmp/check-host.out" ||
	bad "check-host --root: $(cat "$tmp/check-host.out")"

# the live host, a URI whose daemon has no socket: not loaded, WARN as before
empty=$tmp/home
mkdir -p "$empty"
n=$((n + 1))
HOME=$empty XDG_RUNTIME_DIR=$empty ld nosock -v -c qemu:///session check-host \
	--check libvirt.vfio,memlock.libvirt &&
	for l in $lazy; do has "$l" && bad "check-host without a socket loaded $l"; done
[ $rc = 1 ] && grep -q "libvirt is not reachable at qemu:///session" "$tmp/nosock.out" &&
	grep -q "no socket at $empty/libvirt/virtqemud-sock" "$tmp/nosock.out" ||
	bad "check-host without a socket: exit $rc: $(cat "$tmp/nosock.out")"
n=$((n + 1))
HOME=$empty XDG_RUNTIME_DIR=$empty ld nosock-vms -c qemu:///session list-vms &&
	for l in $lazy; do has "$l" && bad "list-vms without a socket loaded $l"; done
[ ! -e "$empty/libvirt" ] || bad "a libvirt daemon was started under $empty"

# loaded: the libvirt checks on the test driver
n=$((n + 1))
ld checks -c "test://$xml/ppc64-domains.xml" check-host --check memlock.libvirt,libvirt.vfio
has libvirt.so.0 && has libxml2.so.2 || bad "libvirt checks: not loaded: $libs"
has libvirt-qemu.so.0 && bad "libvirt checks loaded libvirt-qemu.so.0"
[ $rc = 1 ] && grep -q "3 of 5 domains with VFIO" "$tmp/checks.out" ||
	bad "libvirt checks: exit $rc: $(cat "$tmp/checks.out")"

# loaded: the VM map's collector; libvirt-qemu only for --monitor
n=$((n + 1))
ld vms -c "test://$xml/ppc64-running.xml" list-vms -o NAME,SOURCE
has libvirt.so.0 && has libxml2.so.2 || bad "list-vms: not loaded: $libs"
has libvirt-qemu.so.0 && bad "list-vms loaded libvirt-qemu.so.0 without --monitor"
grep -q '^vm-phb3 .*libvirt' "$tmp/vms.out" || bad "list-vms: exit $rc: $(cat "$tmp/vms.out")"
n=$((n + 1))
ld monitor -c "test://$xml/ppc64-running.xml" list-vms --monitor -o NAME,SOURCE
has libvirt-qemu.so.0 || bad "list-vms --monitor: libvirt-qemu.so.0 not loaded: $libs"
grep -q '^vm-phb3 .*libvirt' "$tmp/monitor.out" ||
	bad "list-vms --monitor: exit $rc: $(cat "$tmp/monitor.out")"

# libvirt.so.0 unloadable (an empty file over it, in a mount namespace of
# its own; root only): the checks say so, WARN as for no connection; no crash
n=$((n + 1))
lib=$(/sbin/ldconfig -p 2>/dev/null | sed -n 's/^[[:space:]]*libvirt\.so\.0 (.*) => //p' | head -1)
if [ "$(id -u)" = 0 ] && [ -n "$lib" ] && unshare -m true 2>/dev/null; then
	lib=$(readlink -f "$lib")
	out=$(unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$lib" \
		timeout 60 "$tool" -c "test://$xml/ppc64-domains.xml" check-host \
		--check memlock.libvirt,libvirt.vfio 2>&1)
	rc=$?
	[ $rc = 1 ] && [ "$(grep -c 'WARN (libvirt not installed (.*libvirt.so.0: ' <<<"$out")" = 2 ] ||
		bad "libvirt.so.0 unloadable: exit $rc: $out"
	out=$(unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$lib" \
		timeout 60 "$tool" -c "test://$xml/ppc64-running.xml" list-vms --json 2>&1)
	rc=$?
	[ $rc -lt 64 ] && grep -q '"libvirt": "libvirt not installed (.*libvirt.so.0: ' <<<"$out" ||
		bad "list-vms, libvirt.so.0 unloadable: exit $rc: $out"
else
	echo "not root, or no mount namespace: libvirt.so.0 not hidden"
fi

echo "$n cases, $fails failures"
[ "$fails" = 0 ]
