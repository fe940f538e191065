#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-host options on snapshots: selection by globs, -q, colour, the
# textfile collector's atomic write and its failure, usage errors, hostile
# input (a truncated cpuinfo), --list-checks.
# Usage: check-host-options.sh TCEIOMMU DATA_DIR
set -u
tool=$1 data=$2
export LC_ALL=C.UTF-8
unset NO_COLOR
n=0 fails=0
ok() { n=$((n + 1)); }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }
pnv=$data/powernv9

ids=$("$tool" --root "$pnv" check-host --check 'kvm.cap.*' --json |
	python3 -c 'import json,sys; print(" ".join(c["id"] for c in json.load(sys.stdin)["checks"]))')
[ "$ids" = "kvm.cap.spapr_tce kvm.cap.spapr_tce_64 kvm.cap.spapr_multitce kvm.cap.spapr_tce_vfio kvm.cap.ppc_enable_hcall kvm.cap.device_ctrl" ] &&
	ok || bad "--check 'kvm.cap.*' ran: $ids"
ids=$("$tool" --root "$pnv" check-host --check 'vfio.*,platform' --skip vfio.viable,vfio.eeh --json |
	python3 -c 'import json,sys; print(" ".join(c["id"] for c in json.load(sys.stdin)["checks"]))')
[ "$ids" = "platform vfio.modules vfio.container vfio.backend.spapr_v2 vfio.noiommu" ] && ok || bad "--check/--skip ran: $ids"
"$tool" --root "$pnv" check-host --check vfio.viable >/dev/null
[ $? = 2 ] && ok || bad "exit status of a FAIL check is not 2"
"$tool" --root "$pnv" check-host --check platform >/dev/null
[ $? = 0 ] && ok || bad "exit status of an INFO check is not 0"
"$tool" --root "$data/x86" check-host --check 'cpu.*' >/dev/null
[ $? = 3 ] && ok || bad "a run that evaluated nothing (only SKIPs) is not 3"
"$tool" --root "$pnv" check-host --check 'kvm.*' --skip 'kvm.*' >/dev/null 2>&1
[ $? = 64 ] && ok || bad "an empty selection is not a usage error"
"$tool" --root "$data/pseries-lpar-ddw" check-host --check 'kvm.cap.*' >/dev/null
[ $? = 3 ] && ok || bad "exit status of UNKNOWN checks is not 3"
"$tool" --root "$pnv" check-host --check nosuch.check >/dev/null 2>&1
[ $? = 64 ] && ok || bad "an unknown check id is not a usage error"
"$tool" --root "$pnv" check-host --format=xml >/dev/null 2>&1
[ $? = 64 ] && ok || bad "an unknown format is not a usage error"

# -q: problems only; no PASS, no summary
out=$("$tool" --root "$pnv" check-host -q)
if grep -q -e ': PASS' -e ': INFO' -e summary <<<"$out" || ! grep -q ': FAIL' <<<"$out"; then bad "-q: $out"; else ok; fi

# colour: never into a pipe by default, always on request, never with NO_COLOR
"$tool" --root "$pnv" check-host | grep -q $'\x1b' && bad "colour into a pipe" || ok
"$tool" --root "$pnv" --color=always check-host | grep -q $'\x1b\[31mFAIL' && ok || bad "--color=always"
NO_COLOR=1 "$tool" --root "$pnv" check-host | grep -q $'\x1b' && bad "NO_COLOR ignored" || ok
if command -v script >/dev/null; then
	# on a terminal: colour, but not with TERM=dumb
	TERM=xterm script -qec "$tool --root $pnv check-host" /dev/null | grep -q $'\x1b\[3' && ok || bad "no colour on a terminal"
	TERM=dumb script -qec "$tool --root $pnv check-host" /dev/null | grep -q $'\x1b\[3' && bad "TERM=dumb ignored" || ok
fi

# textfile collector: written whole, by rename, nothing else left
t=$(mktemp -d)
"$tool" --root "$pnv" check-host --textfile-dir "$t"
rc=$?
[ $rc = 2 ] && ok || bad "--textfile-dir exit $rc"
[ "$(ls -A "$t")" = "tceiommu.prom" ] && ok || bad "textfile dir holds: $(ls -A "$t")"
grep -q '^tceiommu_check_status{check="vfio.viable"} 2$' "$t/tceiommu.prom" && ok || bad "textfile content"
[ "$(stat -c %a "$t/tceiommu.prom")" = 644 ] && ok || bad "textfile mode"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$t"
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" --root "$pnv" check-host --textfile-dir "$t" 2>&1)
	rc=$?
	[ $rc = 3 ] && ok || bad "unwritable textfile dir: exit $rc"
	grep -q "Permission denied" <<<"$err" && ok || bad "unwritable textfile dir: '$err'"
	[ "$(ls -A "$t")" = "tceiommu.prom" ] && ok || bad "a partial file was left: $(ls -A "$t")"
fi
rm -rf "$t"
"$tool" --root "$pnv" check-host --textfile-dir /nonexistent/dir >/dev/null 2>&1
[ $? = 3 ] && ok || bad "missing textfile dir"

# hostile input: a truncated cpuinfo, a huge number, an escape in a sidecar
out=$("$tool" --root "$data/edge-hostile" check-host 2>&1)
rc=$?
[ $rc = 3 ] && ok || bad "edge-hostile exit $rc"
printf '%s' "$out" | grep -q $'\x1b' && bad "raw ESC in output" || ok
grep -q "no PVR" <<<"$out" && ok || bad "truncated cpuinfo not reported"

# a root that cannot be opened: no verdict
"$tool" --root /nonexistent/tce check-host >/dev/null 2>&1
[ $? = 3 ] && ok || bad "missing root is not 3"

n_checks=$("$tool" check-host --list-checks | tail -n +2 | wc -l)
[ "$n_checks" -ge 20 ] && ok || bad "--list-checks lists $n_checks"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
