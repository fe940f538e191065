/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Commands: one file each in src/cmd/, dispatched from the table in main.c. */
#pragma once

#include <stdbool.h>

#define TCE_EXIT_OK 0
#define TCE_EXIT_FAILURE 1
#define TCE_EXIT_USAGE 64

enum tce_color { TCE_COLOR_AUTO, TCE_COLOR_ALWAYS, TCE_COLOR_NEVER };

struct tce_global {
	const char *root;    /* --root DIR, NULL for the live host */
	const char *connect; /* -c URI */
	enum tce_color color;
	int verbose;
};

int cmd_list_groups(int argc, char **argv, const struct tce_global *g);
int cmd_check_host(int argc, char **argv, const struct tce_global *g);
int cmd_list_vms(int argc, char **argv, const struct tce_global *g);
int cmd_show_vm(int argc, char **argv, const struct tce_global *g);
int cmd_top(int argc, char **argv, const struct tce_global *g);
int cmd_record(int argc, char **argv, const struct tce_global *g);
int cmd_examples(int argc, char **argv, const struct tce_global *g);

/* The exit status when stdout cannot be written (main.c closes it at exit). */
extern int tce_exit_write_error;

/* After getopt_long() met an unknown option: "Try 'tceiommu CMD --help'" (no
 * CMD: the global options), and the usage exit status (util-linux
 * errtryhelp()). */
int tce_cmd_try_help(const char *cmd);
/* A command that takes no operands: 0, or the usage exit status with the
 * first of rest (argv + optind) named. */
int tce_cmd_no_operands(const char *cmd, char *const *rest);

/* Open the root named by --root (or the live host), with a message on failure. */
struct tce_root;
int tce_global_open_root(const struct tce_global *g, struct tce_root **ret);
