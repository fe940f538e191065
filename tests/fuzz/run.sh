#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the fuzz targets of a FUZZ=ON build one after the other, each for
# SECONDS (or RUNS executions with -runs), one process at a time, niced:
#
#   tests/fuzz/run.sh BUILD SECONDS [TARGET...]      (all targets when none named)
#   FUZZ_RUNS=10000000 tests/fuzz/run.sh BUILD 1800 devtree
#
# Corpora: BUILD/fuzz/corpus/TARGET (kept between runs, grows), started from
# tests/fuzz/seeds.py's seeds of the recordings, the committed hand seeds and
# the regressions. A crash, leak, timeout or OOM leaves its input in
# BUILD/fuzz/artifacts/TARGET/ and makes the run fail. A line per target:
# executions, seconds, result.
set -euo pipefail
build=$(cd "$1" && pwd)
secs=$2
shift 2
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=$build/tests/fuzz
work=$build/fuzz
mkdir -p "$work"
if [ $# -gt 0 ]; then
	targets=("$@")
else
	mapfile -t targets < <(cd "$bin" && ls fuzz-* | sed 's/^fuzz-//' | sort)
fi
python3 "$src/tests/fuzz/seeds.py" "$work/seeds" "$src" >/dev/null

rc=0
for t in "${targets[@]}"; do
	corpus=$work/corpus/$t
	art=$work/artifacts/$t
	mkdir -p "$corpus" "$art" "$work/run/$t"
	dirs=("$corpus")
	for d in "$work/seeds/$t" "$src/tests/fuzz/seeds/$t" "$src/tests/fuzz/regressions/$t"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	opts=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536
	      -print_final_stats=1 -artifact_prefix="$art/")
	# the tree fuzzer's input is a list of changes: long ones from the start
	[ "$t" = tree ] && opts+=(-max_len=1024 -len_control=0)
	[ -n "${FUZZ_RUNS:-}" ] && opts+=(-runs="$FUZZ_RUNS")
	before=$(find "$art" -type f | wc -l)
	start=$(date +%s)
	# one worker process; its output goes to fuzz-0.log in its directory
	(cd "$work/run/$t" && rm -f fuzz-0.log &&
		nice -n 10 "$bin/fuzz-$t" -jobs=1 -workers=1 "${opts[@]}" "${dirs[@]}" \
			>"$work/run/$t/driver.log" 2>&1) || true
	end=$(date +%s)
	log=$work/run/$t/fuzz-0.log
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	after=$(find "$art" -type f | wc -l)
	if [ "$after" -gt "$before" ] || grep -qE '^==[0-9]+==ERROR|^SUMMARY: |runtime error' "$log"; then
		result="FAILED (see $log, inputs in $art)"
		rc=1
	else
		result=ok
	fi
	printf '%-14s %12s executions %6ss  %s\n' "$t" "${runs:-?}" "$((end - start))" "$result"
done
exit $rc
