#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The committed hand-built trees are what tests/data/mk-handbuilt.py makes:
# build them afresh and compare every file and link (git keeps neither empty
# directories nor mode bits; the manifests list the empty directories).
set -u
py=$1 data=$2
t=$(mktemp -d)
trap 'chmod -R u+rwX "$t"; rm -rf "$t"' EXIT
cp "$data/mk-handbuilt.py" "$t/"
"$py" "$t/mk-handbuilt.py" "$t" >/dev/null || { echo "FAIL: generator failed"; exit 1; }
chmod -R u+rwX "$t"
fails=0 n=0
listing() { (cd "$1" && find . \( -type f -o -type l \) ! -name README.md ! -name facts.json | sort); }
for d in "$t"/*/; do
	name=$(basename "$d")
	n=$((n + 1))
	if [ "$(listing "$d")" != "$(listing "$data/$name")" ]; then
		echo "FAIL: tests/data/$name: the files differ from what mk-handbuilt.py builds:"
		diff <(listing "$d") <(listing "$data/$name") | head -10
		fails=$((fails + 1))
		continue
	fi
	while read -r f; do
		if [ -L "$d/$f" ]; then
			[ "$(readlink "$d/$f")" = "$(readlink "$data/$name/$f")" ] || {
				echo "FAIL: tests/data/$name/$f: link differs"; fails=$((fails + 1)); }
		elif ! cmp -s "$d/$f" "$data/$name/$f"; then
			echo "FAIL: tests/data/$name/$f differs"
			fails=$((fails + 1))
		fi
	done < <(listing "$d")
done
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
