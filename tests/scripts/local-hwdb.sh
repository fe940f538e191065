#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Names a replayed snapshot lacks come from this machine's udev hwdb, marked
# "names_source": "local hwdb"; names the snapshot recorded stay its own
# ("snapshot"); TCEIOMMU_NO_LOCAL_HWDB=1 turns the fallback off; a copy made
# by record keeps the snapshot's answers, not this machine's; without a hwdb
# the names stay empty and -v says why. Skipped (77) only when this machine
# has no hwdb.bin (the udev package makes it: scripts/deps.sh installs it).
# Usage: local-hwdb.sh TCEIOMMU DATA_DIR PYTHON3
set -u
tool=$1 data=$2 py=$3
unset TCEIOMMU_NO_LOCAL_HWDB
export LC_ALL=C.UTF-8 NO_COLOR=1
n=0 fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
snap=$data/powernv9-6.12 # recorded in an initramfs: every hwdb answer ENOENT
# what libudev's sd_hwdb looks for (systemd src/libsystemd/sd-hwdb/sd-hwdb.c)
hwdbs=$(ls /etc/systemd/hwdb/hwdb.bin /etc/udev/hwdb.bin /usr/lib/systemd/hwdb/hwdb.bin \
	/lib/systemd/hwdb/hwdb.bin /usr/lib/udev/hwdb.bin /lib/udev/hwdb.bin 2>/dev/null)

# DEVICE JSON-FIELD...: one device's fields of a list-groups --json run, a line each
dev() {
	"$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))
x = [x for g in d["groups"] for x in g["devices"] if x["bdf"] == sys.argv[2]][0]
for f in sys.argv[3:]:
    v = x
    for k in f.split("."):
        v = v[k] if v is not None else None
    print(v)' "$@"
}

n=$((n + 1))
grep -q $'^hwdb\tpci:v00008086d000010D3\t!ENOENT$' "$snap/.tceiommu/probes" ||
	bad "$snap no longer lacks the 8086:10d3 name: pick another recording"

"$tool" -v --root "$snap" list-groups --json >"$tmp/on.json" 2>"$tmp/on.err"
TCEIOMMU_NO_LOCAL_HWDB=1 "$tool" --root "$snap" list-groups --json >"$tmp/off.json"
n=$((n + 1))
[ "$(dev "$tmp/off.json" 0000:01:00.0 names names_source)" = "$(printf 'None\nNone')" ] ||
	bad "TCEIOMMU_NO_LOCAL_HWDB=1: names given: $(dev "$tmp/off.json" 0000:01:00.0 names)"

if [ -z "$hwdbs" ]; then
	n=$((n + 1))
	grep -q "no udev hwdb on this machine" "$tmp/on.err" || bad "no hwdb.bin, and -v did not say so"
	[ "$(dev "$tmp/on.json" 0000:01:00.0 names names_source)" = "$(printf 'None\nNone')" ] ||
		bad "no hwdb.bin, yet names: $(dev "$tmp/on.json" 0000:01:00.0 names)"
	echo "$((n - fails)) passed, $fails failed; no hwdb.bin on this machine (the udev package): skipped"
	[ "$fails" = 0 ] && exit 77
	exit 1
fi

# this machine's hwdb: the 82574L of pci.ids, marked as this machine's
n=$((n + 1))
got=$(dev "$tmp/on.json" 0000:01:00.0 names.vendor names.device names_source)
[ "$(sed -n 1p <<<"$got")" = "Intel Corporation" ] && grep -q '^82574L' <<<"$got" &&
	[ "$(sed -n 3p <<<"$got")" = "local hwdb" ] || bad "8086:10d3 from the local hwdb: '$got'"
n=$((n + 1))
grep -q "names the snapshot lacks are asked of this machine's udev hwdb" "$tmp/on.err" ||
	bad "-v does not say where the names came from: $(cat "$tmp/on.err")"
n=$((n + 1))
"$tool" --root "$snap" list-groups -n -r -o BDF,VENDOR,PRODUCT | grep -q '^0000:01:00.0 Intel' ||
	bad "the table does not show the local name"

# names the snapshot recorded are its own, whatever this machine's hwdb says
n=$((n + 1))
"$tool" --root "$data/powernv8" list-groups --json >"$tmp/pnv8.json"
got=$(dev "$tmp/pnv8.json" 0000:01:00.0 names.device names_source)
[ "$got" = "$(printf 'I350 Gigabit Network Connection\nsnapshot')" ] || bad "powernv8's recorded names: '$got'"

# record from a replay copies the snapshot's answers, not this machine's
n=$((n + 1))
"$tool" --root "$snap" record "$tmp/copy" >/dev/null 2>&1 || bad "record from $snap failed"
grep -q $'^hwdb\tpci:v00008086d000010D3\t!ENOENT$' "$tmp/copy/.tceiommu/probes" ||
	bad "the copy's hwdb answer is not the snapshot's: $(grep 10D3 "$tmp/copy/.tceiommu/probes")"

# no hwdb (an empty file over each hwdb.bin, in a mount namespace of its
# own; root only): names empty, and -v says why
n=$((n + 1))
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	: >"$tmp/empty"
	out=$(unshare -m sh -c 'for f in $1; do mount --bind "$2" "$f" || exit 99; done; shift 2; exec "$@"' \
		sh "$hwdbs" "$tmp/empty" "$tool" -v --root "$snap" list-groups --json 2>"$tmp/none.err")
	rc=$?
	printf '%s\n' "$out" >"$tmp/none.json"
	[ $rc = 0 ] && [ "$(dev "$tmp/none.json" 0000:01:00.0 names names_source)" = "$(printf 'None\nNone')" ] ||
		bad "hwdb hidden: exit $rc, names $(dev "$tmp/none.json" 0000:01:00.0 names)"
	grep -q "no udev hwdb on this machine" "$tmp/none.err" ||
		bad "hwdb hidden, and -v did not say so: $(cat "$tmp/none.err")"
else
	echo "not root, or no mount namespace: hwdb.bin not hidden"
fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
