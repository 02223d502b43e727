/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers shared by libccshared's sources; not part of the ABI. */
#ifndef CCSHARED_INTERNAL_H
#define CCSHARED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* root + "/" + relative, for the configurable root of ccshared_detect(). */
int ccs_path(char *out, size_t out_len, const char *root, const char *relative);
bool ccs_exists(const char *root, const char *relative);
/* Read a small text file whole, NUL-terminated; returns length or -errno. */
long ccs_read_file(const char *root, const char *relative, char *out, size_t out_len);

#endif /* CCSHARED_INTERNAL_H */
