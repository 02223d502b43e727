// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ccshared_parse_size(): human sizes, and everything that is not one. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "ccshared.h"
#include "tap.h"		/* tests/lib/tap.h */

static const struct {
	const char *text;
	int ret;
	size_t size;
} cases[] = {
	{ "0", 0, 0 },
	{ "4096", 0, 4096 },
	{ "4097", 0, 4097 },
	{ "1K", 0, 1024 },
	{ "64k", 0, 64 << 10 },
	{ "64M", 0, 64 << 20 },
	{ "64MiB", 0, 64 << 20 },
	{ "64mb", 0, 64 << 20 },
	{ "1G", 0, (size_t)1 << 30 },
	{ "1GiB", 0, (size_t)1 << 30 },
	{ "3T", 0, (size_t)3 << 40 },
	{ "18446744073709551615", 0, SIZE_MAX },
	{ "16777215T", 0, (size_t)16777215 << 40 },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "16777216T", -ERANGE, 0 },
	{ "17179869184G", -ERANGE, 0 },
	{ "", -EINVAL, 0 },
	{ "M", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ " 64M", -EINVAL, 0 },
	{ "+64", -EINVAL, 0 },
	{ "64 M", -EINVAL, 0 },
	{ "64X", -EINVAL, 0 },
	{ "64MM", -EINVAL, 0 },
	{ "64Mx", -EINVAL, 0 },
	{ "1.5G", -EINVAL, 0 },
	{ "0x10", -EINVAL, 0 },
};

int main(void)
{
	size_t i, size;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size = 12345;
		ret = ccshared_parse_size(cases[i].text, &size);
		ok(ret == cases[i].ret && size == (ret ? 12345 : cases[i].size),
		   "'%s' -> %d, %zu (got %d, %zu)", cases[i].text, cases[i].ret,
		   cases[i].ret ? (size_t)12345 : cases[i].size, ret, size);
	}
	is_int(ccshared_parse_size(NULL, &size), -EINVAL, "NULL text");
	is_int(ccshared_parse_size("1", NULL), -EINVAL, "NULL result");
	size = 7;
	ccshared_parse_size("bogus", &size);
	is_int(size, 7, "a failed parse leaves the result alone");
	return tap_done();
}
