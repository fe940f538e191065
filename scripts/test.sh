#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build with -Werror and run every test; then the same suite built with
# AddressSanitizer and UndefinedBehaviorSanitizer; a short run of every fuzz
# target; the ppc64le cross build; the packages; Debian's ppc64el kernels
# booted; then the style check.
# This is what .ci/run runs (after scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (-Werror) and test"
cmake -S . -B build -DWERROR=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs" -LE e2e

echo "== ASan/UBSan build and test"
cmake -S . -B build-asan -DWERROR=ON -DSANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
	ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE e2e

echo "== fuzz smoke"
# every fuzz target for a short run (FUZZ_SECONDS each, 15 by default), clang
# with -fsanitize=fuzzer,address,undefined and -Werror (clang warns of what gcc
# does not: unused _cleanup_ variables, a non-literal format); a crash, leak or
# hang fails it
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DFUZZ=ON -DWERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build-fuzz -j"$jobs"
ctest --test-dir build-fuzz --output-on-failure -j"$jobs" -L fuzz
tests/fuzz/run.sh build-fuzz "${FUZZ_SECONDS:-15}"

echo "== ppc64le cross build, tests under qemu-user"
sysroot=$PWD/build-sysroot-ppc64el
[ -d "$sysroot/usr/lib/powerpc64le-linux-gnu" ] || packaging/ppc64le/sysroot.sh "$sysroot"
cmake -S . -B build-ppc64le -DCMAKE_TOOLCHAIN_FILE=packaging/ppc64le/toolchain.cmake \
	-DTCE_SYSROOT="$sysroot" -DWITH_LIBVIRT=OFF -DWERROR=ON
cmake --build build-ppc64le -j"$jobs"
# what needs this machine's /dev/kvm, /proc, libvirt, QEMU, valgrind or strace is not for an emulated binary
# (qemu-user's -L prefix is its /)
ctest --test-dir build-ppc64le --output-on-failure -j"$jobs" -LE 'live|libvirt|valgrind|e2e|qemu|trace'

echo "== packages: the .deb built, linted, installed, tried and purged; the .rpm; the ppc64el .deb"
rm -rf build-pkg
scripts/deb.sh build-pkg
scripts/rpm.sh build-pkg
scripts/pkg-files.sh build-pkg/tceiommu_*_"$(dpkg --print-architecture)".deb build-pkg/tceiommu-[0-9]*.rpm
# booted below (e2e-boot-powernv9-6.12-deb)
scripts/deb.sh --arch ppc64el build-pkg

echo "== Debian's ppc64el kernels under qemu-system-ppc64, the ppc64le build (and .deb) inside"
ctest --test-dir build --output-on-failure -L e2e

echo "== clang-format"
mapfile -t srcs < <(git ls-files '*.c' '*.h' 2>/dev/null || find src include tests -name '*.[ch]')
clang-format --dry-run --Werror "${srcs[@]}"
echo "clang-format: ${#srcs[@]} files clean"
