#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The built-in examples: `tceiommu examples` lists exactly the recordings
# CMakeLists.txt installs, each with its machine, kernel and what it shows;
# `--root example:NAME` replays the same snapshot as `--root tests/data/NAME`,
# in the build tree and from an installed (and then moved) prefix; an unknown
# name is a usage error (64) that lists the valid ones.
# Usage: examples.sh TCEIOMMU DATA_DIR [CMAKE BUILD_DIR] -- NAME...
# (CMAKE and BUILD_DIR: also install into a temporary prefix and run from it)
set -u
tool=$1 data=$2
shift 2
cmake= build=
if [ "$1" != -- ]; then
	cmake=$1 build=$2
	shift 2
fi
shift # --
want=$(printf '%s\n' "$@" | sort)
export LC_ALL=C.UTF-8 NO_COLOR=1
unset TCEIOMMU_EXAMPLES_DIR
n=0 fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check_tool() { # WHERE TOOL: the list, and each example replayed as its source tree
	local where=$1 t=$2 got line name
	shift 2
	n=$((n + 1))
	got=$("$t" examples -n | awk '{print $1}' | sort)
	[ "$got" = "$want" ] || bad "$where: examples lists '$(echo $got)', CMakeLists.txt '$(echo $want)'"
	n=$((n + 1))
	[ "$("$t" examples | head -1 | tr -s ' ')" = "NAME MACHINE KERNEL SHOWS" ] ||
		bad "$where: the heading line"
	while read -r line; do
		n=$((n + 1))
		name=${line%% *}
		# every field known: from the README's lines and the manifest
		grep -qE '^[^ ]+ +[^ -].* +[0-9]+\.[0-9]+[^ ]* +[^ -]' <<<"$line" &&
			! grep -q ' - ' <<<"$line" || bad "$where: line without all its fields: '$line'"
	done < <("$t" examples -n)
	for name in "$@"; do
		n=$((n + 1))
		diff -u <("$tool" --root "$data/$name" list-groups -O 2>&1) \
			<("$t" --root "example:$name" list-groups -O 2>&1) ||
			bad "$where: --root example:$name is not tests/data/$name"
	done
}
check_tool build "$tool" "$@"

# the same through list-vms and check-host (every command resolves it alike)
n=$((n + 1))
diff <("$tool" --root "$data/powernv9-6.12-l2" list-vms; echo "exit $?") \
	<("$tool" --root example:powernv9-6.12-l2 list-vms; echo "exit $?") || bad "list-vms on example:"
n=$((n + 1))
diff <("$tool" --root "$data/powernv9-6.12-l2" check-host; echo "exit $?") \
	<("$tool" --root example:powernv9-6.12-l2 check-host; echo "exit $?") || bad "check-host on example:"

# unknown names: a usage error listing the valid names, for every command
for arg in example:nope example: example:../powernv9-6.12 example:.tceiommu; do
	for cmd in list-groups check-host list-vms; do
		n=$((n + 1))
		err=$("$tool" --root "$arg" "$cmd" 2>&1 >/dev/null)
		rc=$?
		[ "$rc" = 64 ] || bad "--root $arg $cmd: exit $rc, not 64"
		grep -q "no such example; there are: .*powernv9-6.12-l2" <<<"$err" ||
			bad "--root $arg $cmd: '$err'"
	done
done
# a directory named example:X is ./example:X
mkdir -p "$tmp/cwd"
cp -a "$data/powernv9-6.12/." "$tmp/cwd/example:mine"
n=$((n + 1))
(cd "$tmp/cwd" && "$tool" --root ./example:mine list-groups >/dev/null) || bad "--root ./example:mine"

# TCEIOMMU_EXAMPLES_DIR: the only place looked at when set
mkdir -p "$tmp/none" "$tmp/one"
ln -s "$data/powernv9-6.12" "$tmp/one/powernv9-6.12"
n=$((n + 1))
[ "$(TCEIOMMU_EXAMPLES_DIR=$tmp/one "$tool" examples -n | awk '{print $1}')" = powernv9-6.12 ] ||
	bad "TCEIOMMU_EXAMPLES_DIR: not the only directory"
n=$((n + 1))
err=$(TCEIOMMU_EXAMPLES_DIR=$tmp/none "$tool" --root example:powernv9-6.12 list-groups 2>&1)
rc=$?
[ "$rc" = 64 ] && grep -q "there are: none" <<<"$err" || bad "no examples there: exit $rc, '$err'"
n=$((n + 1))
err=$(TCEIOMMU_EXAMPLES_DIR=$tmp/absent "$tool" examples 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "none installed (looked in $tmp/absent)" <<<"$err" ||
	bad "examples without a directory: exit $rc, '$err'"

# installed: DESTDIR and a prefix, as packages do; then the prefix moved
if [ -n "$cmake" ]; then
	n=$((n + 1))
	if DESTDIR=$tmp/dest "$cmake" --install "$build" --prefix /opt/tce-test >"$tmp/install.log" 2>&1; then
		inst=$tmp/dest/opt/tce-test
		n=$((n + 1))
		for name in "$@"; do
			[ -f "$inst/share/tceiommu/examples/$name/README.md" ] &&
				[ -f "$inst/share/tceiommu/examples/$name/.tceiommu/manifest" ] ||
				bad "installed: no README.md or manifest in share/tceiommu/examples/$name"
		done
		check_tool installed "$inst/sbin/tceiommu" "$@"
		mv "$inst" "$tmp/moved"
		check_tool moved "$tmp/moved/sbin/tceiommu" "$@"
	else
		bad "cmake --install: $(cat "$tmp/install.log")"
	fi
fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
