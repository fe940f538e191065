#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input gets a clear message and a defined exit status, never a crash:
# links that try to leave the root, hostile strings, vanished devices,
# unreadable files (as an unprivileged user), usage errors.
# Usage: edge.sh TCEIOMMU DATA_DIR
set -u
tool=$1 data=$2
export LC_ALL=C.UTF-8 NO_COLOR=1
n=0 fails=0
ok() { n=$((n + 1)); }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }
expect_rc() { # WANT DESCRIPTION CMD...
	local want=$1 what=$2 rc
	shift 2
	"$@" >/dev/null 2>&1
	rc=$?
	if [ "$rc" = "$want" ]; then ok; else bad "$what: exit $rc, want $want"; fi
}

# -- a snapshot whose links aim at live files must not read them
[ -s /etc/os-release ] && ok || bad "this machine has no /etc/os-release: the escape test would prove nothing"
out=$("$tool" --root "$data/edge-escape" list-groups --json 2>&1)
if grep -q -e PRETTY_NAME -e VERSION_ID <<<"$out"; then bad "edge-escape read a live file"; else ok; fi
if python3 -c 'import json,sys; d=json.load(sys.stdin); g=d["groups"][0]; sys.exit(0 if g["name"] is None else 1)' <<<"$out"; then ok; else bad "edge-escape: name should be unknown"; fi
for mode in 0 1; do
	out=$(TCEIOMMU_NO_OPENAT2=$mode "$tool" --root "$data/edge-escape" list-groups -P -O 2>&1)
	if grep -q PRETTY_NAME <<<"$out"; then bad "edge-escape (no-openat2=$mode) read a live file"; else ok; fi
done

# -- hostile strings never reach the terminal raw; numbers out of range are unknown
for args in "" "-r -O" "-P -O"; do
	# shellcheck disable=SC2086
	out=$("$tool" --root "$data/edge-hostile" list-groups $args 2>&1)
	rc=$?
	if [ $rc != 0 ]; then bad "edge-hostile $args: exit $rc"; fi
	if printf '%s' "$out" | grep -q $'\x1b'; then bad "edge-hostile $args: raw ESC in output"; else ok; fi
done
out=$("$tool" --root "$data/edge-hostile" list-groups --json)
if python3 - "$out" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
g = d["groups"][0]; dev = g["devices"][0]
assert dev["numa_node"] is None, dev["numa_node"]
assert dev["driver_override"] == "\x1b]0;pwned\x07"   # raw in the model, escaped by JSON
assert any("malformed" in n for n in g["notes"]), g["notes"]
assert g["windows"] == [], g["windows"]
# not UTF-8 on the host: valid JSON all the same, the bad bytes as U+FFFD
assert g["devices"][1]["loc_code"] == "U\ufffd\ufffd-P1", g["devices"][1]["loc_code"]
# a driver name a shell would act on gets no release command
assert g["blockers"][0]["driver"] == "e1000$(reboot)" and g["blockers"][0]["command"] is None
PY
then ok; else bad "edge-hostile JSON"; fi
if printf '%s' "$out" | grep -q $'\x1b'; then bad "edge-hostile: raw ESC in JSON"; else ok; fi

# -- a vanished device is said, and makes viability unknown
out=$("$tool" --root "$data/edge-vanished" list-groups 2>&1)
if grep -q "vanished" <<<"$out"; then ok; else bad "edge-vanished: not reported"; fi

# -- exit status: usage 64, runtime 1
expect_rc 64 "unknown option" "$tool" list-groups --bogus
expect_rc 64 "exclusive modes" "$tool" list-groups -J -P
expect_rc 64 "bad group" "$tool" list-groups -g x
expect_rc 64 "bad device" "$tool" list-groups -d 0000:00:00
expect_rc 64 "bad column" "$tool" list-groups -o NOPE
expect_rc 64 "unknown command" "$tool" lst-groups
expect_rc 64 "no command" "$tool"
expect_rc 64 "bad color" "$tool" --color=sometimes list-groups
expect_rc 1 "missing root" "$tool" --root /nonexistent/tce list-groups
expect_rc 64 "--probe with --root" "$tool" --root "$data/powernv9" list-groups --probe
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" list-groups --probe 2>&1)
	rc=$?
	[ $rc = 1 ] && grep -q "needs root" <<<"$err" && ok || bad "--probe as nobody: $rc $err"
fi
expect_rc 1 "no such group" "$tool" --root "$data/x86" list-groups -g 999
expect_rc 0 "group 0 is real" "$tool" --root "$data/edge-empty-group0" list-groups -g 0
if "$tool" lst-groups 2>&1 | grep -q "did you mean 'list-groups'"; then ok; else bad "no suggestion"; fi
t=$(mktemp -d)
: >"$t/file"
expect_rc 1 "record into a non-empty dir" "$tool" --root "$data/x86" record "$t"
rm -rf "$t"
# a device without its domain matches any domain
out=$("$tool" --root "$data/powernv9" list-groups -d 01:00.2 -n -r -o GROUP,BDF)
if [ "$out" = "8 0030:01:00.2" ]; then ok; else bad "-d without domain: '$out'"; fi
out=$("$tool" --root "$data/powernv9" list-groups -d 0001:04:00.0 -n -r -o GROUP)
if [ "$out" = "2" ]; then ok; else bad "-d with domain: '$out'"; fi
# no groups: one line of text, or a JSON document with an empty list and a note
t=$(mktemp -d)
mkdir -p "$t/sys/kernel/iommu_groups"
out=$("$tool" --root "$t" list-groups)
if [ "$(wc -l <<<"$out")" = 1 ] && grep -q "no IOMMU groups" <<<"$out"; then ok; else bad "no groups text: '$out'"; fi
if "$tool" --root "$t" list-groups --json | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["groups"]==[] and d["note"] else 1)'; then ok; else bad "no groups JSON"; fi
rm -rf "$t"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
