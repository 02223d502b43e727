/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers shared by libccshared's sources; not part of the ABI. */
#ifndef CCSHARED_INTERNAL_H
#define CCSHARED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

/* root + "/" + relative, for the configurable root of ccshared_detect(). */
int ccs_path(char *out, size_t out_len, const char *root, const char *relative);
bool ccs_exists(const char *root, const char *relative);
/* Read a small text file whole, NUL-terminated; returns length or -errno. */
long ccs_read_file(const char *root, const char *relative, char *out, size_t out_len);

/*
 * The largest buffer size: SIZE_MAX rounded down to a page.  The dma-heap
 * core rounds a size up to whole pages and refuses one that wraps.  Inline,
 * so libccshared-verbs uses the same rule without a private export.
 */
static inline size_t ccs_max_buf_size(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return SIZE_MAX - (size_t)(page > 0 ? page : 4096) + 1;
}

#endif /* CCSHARED_INTERNAL_H */
