/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fuzz targets share: libFuzzer's entry point, and a small reader
 * of the input for targets that take some parameters before the data.
 * Each target calls the project's own parser; built with FUZZ=ON it is a
 * libFuzzer binary, otherwise driver.c feeds it the committed inputs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_byte(struct fuzz_in *in)
{
	uint8_t b;

	if (!in->n)
		return 0;
	b = *in->p++;
	in->n--;
	return b;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_byte(in);

	return (uint16_t)(hi << 8 | fuzz_byte(in));
}

/* A NUL-terminated copy of data (which may hold NULs of its own). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A copy of exactly size bytes, not terminated: ASan sees any read past it. */
static inline char *fuzz_dup(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	return s;
}

/*
 * An empty directory of this process's own (in /dev/shm when there is one),
 * removed at exit: the root that replay targets open. NULL on failure.
 */
const char *fuzz_empty_dir(void);
