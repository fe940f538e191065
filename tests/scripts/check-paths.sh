#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every absolute host path is spelled in include/tceiommu/pathnames.h and
# read through the root; a quoted "/sys, "/proc or "/dev anywhere else in the
# sources is a read that --root would not see. Also: the tool never shells out.
set -u
src=${1:?source dir}
fails=0
hits=$(grep -rnE '"/(sys|proc|dev)' "$src/src" "$src/include" | grep -v 'include/tceiommu/pathnames.h')
if [ -n "$hits" ]; then
	echo "FAIL: host paths outside pathnames.h:"
	echo "$hits"
	fails=$((fails + 1))
fi
hits=$(grep -rnE '\b(system|popen|execv?p?e?)[[:space:]]*\(' "$src/src" || true)
if [ -n "$hits" ]; then
	echo "FAIL: the tool must not run programs:"
	echo "$hits"
	fails=$((fails + 1))
fi
echo "$((2 - fails)) passed, $fails failed"
[ "$fails" = 0 ]
