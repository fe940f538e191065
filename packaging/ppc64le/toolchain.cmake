# SPDX-License-Identifier: GPL-2.0-or-later
# Cross build for ppc64le (Debian's gcc-powerpc64le-linux-gnu) against the
# private sysroot made by packaging/ppc64le/sysroot.sh; ctest runs the
# binaries under qemu-ppc64le (E2E.md §3).
#   cmake -B build-ppc64le -DCMAKE_TOOLCHAIN_FILE=packaging/ppc64le/toolchain.cmake \
#         -DTCE_SYSROOT=/path/to/sysroot -DWITH_LIBVIRT=OFF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(CMAKE_C_COMPILER powerpc64le-linux-gnu-gcc)

if(NOT TCE_SYSROOT)
  set(TCE_SYSROOT $ENV{TCE_SYSROOT})
endif()
if(NOT TCE_SYSROOT)
  message(FATAL_ERROR "set TCE_SYSROOT to the directory made by packaging/ppc64le/sysroot.sh")
endif()
set(TCE_SYSROOT ${TCE_SYSROOT} CACHE PATH "ppc64el sysroot")
# try_compile projects read this file again: hand them the sysroot
set(ENV{TCE_SYSROOT} ${TCE_SYSROOT})
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES TCE_SYSROOT)
set(_multiarch powerpc64le-linux-gnu)
set(_libdirs ${TCE_SYSROOT}/lib/${_multiarch} ${TCE_SYSROOT}/usr/lib/${_multiarch})

set(CMAKE_FIND_ROOT_PATH ${TCE_SYSROOT} /usr/${_multiarch})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config answers from the sysroot's .pc files, paths prefixed with it
set(ENV{PKG_CONFIG_LIBDIR} "${TCE_SYSROOT}/usr/lib/${_multiarch}/pkgconfig:${TCE_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${TCE_SYSROOT})
string(REPLACE ";" ":" _rpath "${_libdirs}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,${_rpath}")

# The cross libc lives in /usr/powerpc64le-linux-gnu (-L); the sysroot's
# libraries come by LD_LIBRARY_PATH. libc6:ppc64el is not installed, so -L
# mixes no two libcs (E2E.md §3).
find_program(QEMU_PPC64LE qemu-ppc64le REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${QEMU_PPC64LE} -L /usr/${_multiarch} -E LD_LIBRARY_PATH=${_rpath})
