#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# debian/control's Build-Depends are the build part of scripts/deps.sh (its
# list up to the first comment; build-essential is implied) and, marked
# <!nocheck>, the tests' libraries; the rpm spec's and the .deb's version is
# the project's.
# Usage: packaging-deps.sh SOURCE_DIR
set -euo pipefail
src=${1:?source dir}
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
deps=$(sed -n '/^pkgs=(/,/^\t#/p' "$src/scripts/deps.sh" | sed '1d;$d' | tr -s ' \t' '\n\n' |
	grep -v -e '^$' -e '^build-essential$' | sort)
control=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$src/packaging/debian/control" | sed '$d' |
	sed 's/^Build-Depends://' | tr ',' '\n' | grep -v '<!nocheck>' |
	sed -e 's/([^)]*)//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' |
	grep -v -e '^$' -e '^debhelper-compat$' | sort)
[ -n "$deps" ] || bad "no build part found in scripts/deps.sh"
diff <(echo "$deps") <(echo "$control") || bad "scripts/deps.sh's build part (<) and Build-Depends (>) differ"
for lib in libcmocka-dev python3 python3-prometheus-client; do
	grep -q "^ *$lib <!nocheck>," "$src/packaging/debian/control" || bad "$lib is not a <!nocheck> Build-Depends"
	grep -qw "$lib" "$src/scripts/deps.sh" || bad "$lib is not in scripts/deps.sh"
done
want=$(sed -n 's/^project(tceiommu VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
deb=$(sed -n '1s/^tceiommu (\([^)]*\)).*/\1/p' "$src/packaging/debian/changelog")
rpm=$(sed -n 's/^Version: *//p' "$src/packaging/rpm/tceiommu.spec")
[ "${deb%%-*}" = "$want" ] || bad "debian/changelog's version $deb, the project's $want"
[ "$rpm" = "$want" ] || bad "the spec's version $rpm, the project's $want"
echo "$fails failed"
[ "$fails" = 0 ]
