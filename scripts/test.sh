#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build with -Werror and run every test; then the same suite built with
# AddressSanitizer and UndefinedBehaviorSanitizer; then the style check.
# This is what .ci/run runs (after scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (-Werror) and test"
cmake -S . -B build -DWERROR=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== ASan/UBSan build and test"
cmake -S . -B build-asan -DWERROR=ON -DSANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== clang-format"
mapfile -t srcs < <(git ls-files '*.c' '*.h' 2>/dev/null || find src include tests -name '*.[ch]')
clang-format --dry-run --Werror "${srcs[@]}"
echo "clang-format: ${#srcs[@]} files clean"
