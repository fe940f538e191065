#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the Debian package from a copy of this tree (the tracked files, with
# packaging/debian as debian/), lint it, install it, try what it installed,
# and purge it, checking that nothing of it is left. Run as root (dpkg -i).
#
# Usage: scripts/deb.sh OUTDIR                 build, lintian, install, smoke test, purge
#        scripts/deb.sh --arch ppc64el OUTDIR  the cross build (packaging/ppc64le's
#                                              toolchain and the sysroot in $TCE_SYSROOT,
#                                              default build-sysroot-ppc64el); built only
# DEB_BUILD_OPTIONS defaults to "nocheck parallel=2": the tests run elsewhere in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=
if [ "${1:-}" = --arch ]; then
	arch=${2:?--arch ARCH}
	shift 2
fi
out=${1:?usage: deb.sh [--arch ppc64el] OUTDIR}
mkdir -p "$out" && out=$(cd "$out" && pwd)
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-nocheck parallel=2}
die() { echo "deb.sh: FAIL: $*" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/tceiommu
mkdir -p "$src"
# the tracked files as they are in the working tree: nothing of any build dir
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$src"
cp -r packaging/debian "$src/debian"

# one version: the project's and the changelog's
want=$(sed -n 's/^project(tceiommu VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
have=$(cd "$src" && dpkg-parsechangelog -S Version)
[ "${have%%-*}" = "$want" ] || die "debian/changelog says $have, CMakeLists.txt $want"

start=$(date +%s)
if [ -n "$arch" ]; then
	TCE_SYSROOT=${TCE_SYSROOT:-$PWD/build-sysroot-ppc64el}
	[ -d "$TCE_SYSROOT/usr/lib/powerpc64le-linux-gnu" ] ||
		die "no sysroot in $TCE_SYSROOT (packaging/ppc64le/sysroot.sh)"
	export TCE_SYSROOT
	# dpkg-shlibdeps takes the libraries the binary needs, and their packages'
	# symbols files, from package trees given with -S (debian/rules): the
	# sysroot's runtime packages and libc6:ppc64el (the cross libc6 has no
	# symbols file), unpacked with their control files
	shl=$tmp/shlibs
	mkdir -p "$shl/debs" && chmod 755 "$tmp" && chmod 777 "$shl/debs"
	(cd "$shl/debs" && apt-get download "libc6:$arch" >/dev/null) || die "cannot download libc6:$arch"
	TCE_SHLIBS_DIRS=
	for d in "$TCE_SYSROOT"/debs/*.deb "$shl"/debs/*.deb; do
		n=$(dpkg-deb -f "$d" Package)
		case $n in *-dev) continue ;; esac
		dpkg-deb -R "$d" "$shl/$n"
		TCE_SHLIBS_DIRS+=" $shl/$n"
	done
	export TCE_SHLIBS_DIRS
	# -d: the ppc64el -dev packages are in the private sysroot, not installed
	(cd "$src" && dpkg-buildpackage -us -uc -b -a "$arch" -d) >"$out/build-$arch.log" 2>&1 ||
		{ tail -n 40 "$out/build-$arch.log"; die "dpkg-buildpackage -a $arch"; }
else
	(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log"; die "dpkg-buildpackage"; }
fi
hostarch=$(dpkg-architecture -a "${arch:-$(dpkg --print-architecture)}" -qDEB_HOST_ARCH 2>/dev/null)
cp "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$out/"
deb=$out/tceiommu_${want}_$hostarch.deb changes=$out/tceiommu_${want}_$hostarch.changes
[ -f "$deb" ] && [ -f "$changes" ] || die "no $deb or $changes"
echo "deb.sh: built $(basename "$deb") in $(($(date +%s) - start)) s"
dpkg-deb -I "$deb" | sed -n '/^ Package:/,/^ Description:/p'

echo "== lintian"
# errors and warnings fail; the rest is shown
lintian --fail-on error,warning --display-info "$changes" | tee "$out/lintian${arch:+-$arch}.txt"
echo "lintian: $(grep -c '' "$out/lintian${arch:+-$arch}.txt") tags (errors and warnings: none)"
if [ -n "$arch" ]; then
	exit 0
fi

echo "== install"
dpkg -i "$deb"
dpkg -L tceiommu | sort >"$out/dpkg-L.txt"
fails=0
check() {
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else
		echo "FAIL: $what"
		fails=$((fails + 1))
	fi
}
tool=$(command -v tceiommu) || die "tceiommu is not on the PATH"
check "tceiommu is /usr/sbin/tceiommu" [ "$tool" = /usr/sbin/tceiommu ]
check "--version" bash -c 'tceiommu --version | grep -q "^tceiommu 0\."'
check "man -w tceiommu: /usr/share/man/man8/tceiommu.8.gz" \
	bash -c '[ "$(man -w tceiommu)" = /usr/share/man/man8/tceiommu.8.gz ]'
# the completion as bash-completion loads it, on demand, from the installed file
check "completion of 'tceiommu list-'" bash -c '
	source /usr/share/bash-completion/bash_completion
	_completion_loader tceiommu
	shopt -s extdebug
	[[ $(declare -F _tceiommu) == "_tceiommu "*" /usr/share/bash-completion/completions/tceiommu" ]] ||
		{ echo "_tceiommu from: $(declare -F _tceiommu)"; exit 1; }
	COMP_WORDS=(tceiommu list-) COMP_CWORD=1 COMP_LINE="tceiommu list-" COMP_POINT=14
	_tceiommu tceiommu list- tceiommu
	echo "  COMPREPLY: ${COMPREPLY[*]}"
	[[ "${COMPREPLY[*]}" == "list-groups list-vms" ]]'
check "an installed example: --root example:powernv9-6.12 list-groups" bash -c '
	out=$(tceiommu --root example:powernv9-6.12 list-groups) || exit 1
	printf "%s\n" "$out" | sed "s/^/  /"
	grep -q "^0 .*PHB4" <<<"$out"'
check "systemd-analyze verify of the installed units" bash -c '
	out=$(systemd-analyze verify --man=no /lib/systemd/system/tceiommu-textfile.service \
		/lib/systemd/system/tceiommu-textfile.timer 2>&1) && [ -z "$out" ] || { echo "$out"; exit 1; }'
check "the timer is not enabled" bash -c '! [ -e /etc/systemd/system/timers.target.wants/tceiommu-textfile.timer ]'
check "the Ansible fact prints JSON" bash -c '
	[ -x /etc/ansible/facts.d/tceiommu.fact ] && /etc/ansible/facts.d/tceiommu.fact | python3 -m json.tool >/dev/null'

echo "== purge"
dpkg --purge tceiommu
left=0
while IFS= read -r f; do
	# directories other packages share stay (and /lib, a link to usr/lib); ours go
	if [ -d "$f" ]; then
		case $f in */tceiommu | */tceiommu/*) ;; *) continue ;; esac
	fi
	if [ -e "$f" ] || [ -L "$f" ]; then
		echo "left after purge: $f"
		left=$((left + 1))
	fi
done <"$out/dpkg-L.txt"
check "purge: nothing of the $(grep -c '' "$out/dpkg-L.txt") paths dpkg -L listed is left ($left)" [ "$left" = 0 ]
check "purge: no state of the units in /var/lib/systemd/deb-systemd-helper-*" \
	bash -c '! grep -rqs tceiommu /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked'
check "dpkg has forgotten the package" bash -c '! dpkg -s tceiommu >/dev/null 2>&1'
echo "deb.sh: $fails failed"
[ "$fails" = 0 ]
