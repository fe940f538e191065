/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The built-in examples: the real-kernel recordings of tests/data, installed
 * as DATADIR/tceiommu/examples/NAME (CMakeLists.txt), each a snapshot with
 * its README. `--root example:NAME` replays one; `tceiommu examples` lists
 * them.
 */
#pragma once

#define TCE_EXAMPLE_PREFIX "example:"

/*
 * The examples' directory, the first of: $TCEIOMMU_EXAMPLES_DIR (when set,
 * the only one looked at); beside the executable in a build tree
 * (tceiommu-examples/, made by CMake); relative to the executable as
 * installed (a relocated prefix); the configured DATADIR. 0 and *ret_dir, or
 * -ENOENT and, in *ret_tried, where it looked (either may be NULL).
 */
int tce_examples_dir(char **ret_dir, char ***ret_tried);

/* The examples in dir: subdirectories holding a snapshot manifest, sorted. */
int tce_examples_list(const char *dir, char ***ret_names);

/*
 * The snapshot directory of example NAME (what follows "example:"). On an
 * unknown name, or with no examples installed, it says so on stderr (with
 * the valid names) and returns -ENOENT: a usage error for the caller.
 */
int tce_example_path(const char *name, char **ret_path);
