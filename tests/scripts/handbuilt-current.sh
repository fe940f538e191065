#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The committed hand-built trees are what tests/data/mk-handbuilt.py makes:
# build them afresh and compare (mode bits aside, which git does not keep).
set -u
py=$1 data=$2
t=$(mktemp -d)
trap 'chmod -R u+rwX "$t"; rm -rf "$t"' EXIT
cp "$data/mk-handbuilt.py" "$t/"
"$py" "$t/mk-handbuilt.py" "$t" >/dev/null || { echo "FAIL: generator failed"; exit 1; }
fails=0 n=0
for d in "$t"/*/; do
	name=$(basename "$d")
	n=$((n + 1))
	if ! diff -r --no-dereference -x README.md -x facts.json "$d" "$data/$name" >/dev/null 2>&1; then
		echo "FAIL: tests/data/$name differs from what mk-handbuilt.py builds:"
		diff -r --no-dereference -x README.md -x facts.json "$d" "$data/$name" | head -20
		fails=$((fails + 1))
	fi
done
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
