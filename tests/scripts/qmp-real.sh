#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The QMP client against real QEMU: a paused pseries machine (TCG, no kernel)
# with a second PHB, asked through qmp-call for its status, the PHB's QOM
# children (the 32-bit window's TCE table, LIOBN 0x80000100) and its DMA
# window size. Skipped (77) without qemu-system-ppc64. QEMU is killed on
# every way out.
#
# Usage: qmp-real.sh QMPCALL
set -u
qmpcall=${1:?usage: qmp-real.sh QMPCALL}
export LC_ALL=C.UTF-8

qemu=$(command -v qemu-system-ppc64) || {
	echo "SKIP: qemu-system-ppc64 is not installed (scripts/deps.sh installs qemu-system-ppc)"
	exit 77
}

dir=$(mktemp -d)
qpid=
cleanup() {
	if [ -z "$qpid" ] && [ -s "$dir/pid" ]; then
		qpid=$(cat "$dir/pid")
	fi
	if [ -n "$qpid" ]; then
		kill "$qpid" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$qpid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$qpid" 2>/dev/null
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

if ! "$qemu" -M pseries -accel tcg -m 512 -nographic -nodefaults -S \
	-qmp "unix:$dir/qmp.sock,server=on,wait=off" \
	-device spapr-pci-host-bridge,index=1,id=pci.1 \
	-daemonize -pidfile "$dir/pid" 2>"$dir/stderr"; then
	echo "FAIL: QEMU did not start:"
	cat "$dir/stderr"
	exit 1
fi
qpid=$(cat "$dir/pid")
for _ in $(seq 50); do
	[ -S "$dir/qmp.sock" ] && break
	sleep 0.1
done

out=$("$qmpcall" "$dir/qmp.sock" '{"execute": "query-status"}') || fail "query-status: $out"
grep -q '"status":"prelaunch"' <<<"$out" || fail "query-status says: $out"

out=$("$qmpcall" "$dir/qmp.sock" \
	'{"execute": "qom-list", "arguments": {"path": "/machine/peripheral/pci.1"}}') ||
	fail "qom-list: $out"
grep -q '"name":"tce-table-80000100","type":"child<spapr-tce-table>"' <<<"$out" ||
	fail "qom-list of pci.1 has no child tce-table-80000100: $out"

out=$("$qmpcall" "$dir/qmp.sock" \
	'{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/pci.1", "property": "dma_win_size"}}') ||
	fail "qom-get: $out"
[ "$out" = 1073741824 ] || fail "dma_win_size is $out, not 1073741824"

# several requests on one connection, and QEMU's own error for an unknown command
out=$("$qmpcall" "$dir/qmp.sock" '{"execute": "query-status"}' '{"execute": "query-name"}')
[ "$(wc -l <<<"$out")" = 2 ] || fail "two requests, not two answers: $out"
err=$("$qmpcall" "$dir/qmp.sock" '{"execute": "no-such-command"}' 2>&1 >/dev/null) &&
	fail "an unknown command succeeded"
grep -q "has not been found (EREMOTEIO)" <<<"$err" || fail "unknown command: $err"

# QEMU is still there after all that
kill -0 "$qpid" 2>/dev/null || fail "QEMU died"

echo "$((fails == 0 ? 1 : 0)) passed, $fails failed"
[ "$fails" = 0 ]
