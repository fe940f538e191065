#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# list-groups reads only what its columns show (issue 9): with few columns
# no per-device file of a hidden column is opened; a column asked for is
# read; --json reads everything. Traced with strace on a real recording.
# Usage: reads-per-column.sh TCEIOMMU SNAPSHOT
set -euo pipefail
tool=$1 snap=$2
command -v strace >/dev/null || { echo "strace not installed: skipped"; exit 77; }
# LeakSanitizer cannot run under ptrace: the ASan build is traced without it
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0

opened() { # NAME ARGS...: the files list-groups ARGS opens, to $t/NAME
	local name=$1
	shift
	strace -f -qq -e trace=openat,openat2 -o "$t/$name" \
		"$tool" --root "$snap" list-groups "$@" >"$t/$name.out"
}
has() { grep -Eq "\"([^\"]*/)?$2\"" "$t/$1"; }
expect() { # NAME yes|no FILE
	if has "$1" "$3"; then got=yes; else got=no; fi
	if [ "$got" != "$2" ]; then
		echo "FAIL: list-groups $1: $3 opened: $got, expected $2"
		fail=1
	fi
}

opened few -o GROUP,BDF,DRIVER
opened numa -o GROUP,BDF,NUMA
opened json --json
for f in numa_node driver_override eeh_mode eeh_pe_state ibm,loc-code; do
	expect few no "$f"
	expect json yes "$f"
done
expect numa yes numa_node
expect numa no driver_override
# what viability and the notes need is read whatever the columns
expect few yes uevent
expect few yes eeh_pe_config_addr
# and the output of the shown columns is what --json says
python3 - "$t/few.out" "$t/json.out" <<'PY' || fail=1
import json, sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:] if l[:1].isdigit() or l[:1] in "├└"]
doc = json.load(open(sys.argv[2]))
drivers = {d["bdf"]: d["driver"] for g in doc["groups"] for d in g["devices"]}
for r in rows:
    if len(r) == 2 and r[0].lstrip("├─└") in drivers:
        bdf = r[0].lstrip("├─└")
        if drivers[bdf] != r[1]:
            sys.exit("FAIL: %s driver %s, JSON says %s" % (bdf, r[1], drivers[bdf]))
print("columns agree with --json")
PY
[ "$fail" = 0 ] && echo "reads-per-column: ok"
exit "$fail"
