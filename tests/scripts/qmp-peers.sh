#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qmp-call against each mode of the fake QMP server (qmp-peer.py): the good
# peer's answers come through, each bad one is its own error, fast.
#
# Usage: qmp-peers.sh QMPCALL PYTHON3
set -u
qmpcall=${1:?usage: qmp-peers.sh QMPCALL PYTHON3}
python=${2:-python3}
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C.UTF-8

dir=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fails=0 passes=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

start() { # MODE: a peer at $dir/MODE.sock
	"$python" "$here/qmp-peer.py" "$1" "$dir/$1.sock" &
	pids+=($!)
	for _ in $(seq 100); do
		[ -S "$dir/$1.sock" ] && return 0
		sleep 0.05
	done
	fail "the $1 peer did not come up"
}

# expect MODE EXIT STDOUT-PATTERN STDERR-PATTERN REQUEST...
expect() {
	local mode=$1 rc=$2 opat=$3 epat=$4 out err got t0 t1
	shift 4
	t0=$(date +%s%N)
	"$qmpcall" "$dir/$mode.sock" "$@" >"$dir/out" 2>"$dir/err"
	got=$?
	t1=$(date +%s%N)
	out=$(cat "$dir/out")
	err=$(cat "$dir/err")
	if [ "$got" != "$rc" ]; then
		fail "$mode $*: exit $got, not $rc (stdout: $out; stderr: $err)"
	elif ! grep -qE -- "$opat" <<<"$out"; then
		fail "$mode $*: stdout does not match $opat: $out"
	elif ! grep -qE -- "$epat" <<<"$err"; then
		fail "$mode $*: stderr does not match $epat: $err"
	elif [ $(((t1 - t0) / 1000000)) -gt 7000 ]; then
		fail "$mode $*: took $(((t1 - t0) / 1000000)) ms"
	else
		passes=$((passes + 1))
	fi
}

for m in good silent garbage endless huge close-mid no-greeting; do
	start "$m"
done

status='{"execute": "query-status"}'
phb='"path": "/machine/peripheral/pci.1"'
expect good 0 '"status":"prelaunch"' '^$' "$status"
expect good 0 '"name":"tce-table-80000100"' '^$' "{\"execute\": \"qom-list\", \"arguments\": {$phb}}"
expect good 0 '^1073741824$' '^$' \
	"{\"execute\": \"qom-get\", \"arguments\": {$phb, \"property\": \"dma_win_size\"}}"
expect good 0 'tce-iommu-80000000' '^$' \
	'{"execute": "human-monitor-command", "arguments": {"command-line": "info mtree"}}'
expect good 1 '^$' 'The command nope has not been found \(EREMOTEIO\)' '{"execute": "nope"}'
expect good 1 '^$' "Property 'spapr-pci-host-bridge.liobn' not found" \
	"{\"execute\": \"qom-get\", \"arguments\": {$phb, \"property\": \"liobn\"}}"
expect good 0 '^\{"status":"prelaunch".*\}$' '^$' "$status" "$status"
QMP_CALL_TIMEOUT_MS=700 expect silent 1 '^$' 'no greeting within 0.7 s \(ETIMEDOUT\)' "$status"
expect garbage 1 '^$' 'the peer sent something that is not QMP \(not JSON\) \(EPROTO\)' "$status"
expect endless 1 '^$' 'reply larger than 4 MiB \(EMSGSIZE\)' "$status"
expect huge 1 '^$' 'reply larger than 4 MiB \(EMSGSIZE\)' "$status"
expect close-mid 1 '^$' 'the peer closed the connection mid-reply \(ECONNRESET\)' "$status"
QMP_CALL_TIMEOUT_MS=700 expect no-greeting 1 '^$' 'no greeting within 0.7 s \(ETIMEDOUT\)' "$status"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
