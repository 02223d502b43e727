// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Size parsing and the heap module's debugfs statistics. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ccshared.h"
#include "internal.h"

int ccshared_parse_size(const char *text, size_t *size)
{
	static const char units[] = "KMGT";
	unsigned long long value;
	const char *unit;
	char *end;
	int shift;

	if (!text || !size || !isdigit((unsigned char)*text))
		return -EINVAL;	/* also refuses "-1", which strtoull accepts */
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (!*end) {
		shift = 0;
	} else {
		unit = strchr(units, toupper((unsigned char)*end));
		if (!unit)
			return -EINVAL;
		shift = 10 * (int)(unit - units + 1);
		end++;
		if (strcasecmp(end, "") != 0 && strcasecmp(end, "B") != 0 &&
		    strcasecmp(end, "iB") != 0)
			return -EINVAL;
	}
	if (shift && value > (unsigned long long)SIZE_MAX >> shift)
		return -ERANGE;
	if (value > SIZE_MAX)
		return -ERANGE;
	*size = (size_t)(value << shift);
	return 0;
}

int ccshared_stats_read(const char *root, struct ccshared_stats *stats)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
#define FIELD(f) { #f, offsetof(struct ccshared_stats, f) }
		FIELD(buffers),
		FIELD(bytes),
		FIELD(conversions_to_shared),
		FIELD(conversions_to_private),
		FIELD(leaked_pages),
		FIELD(pool_pages),
		FIELD(alloc_failures),
#undef FIELD
	};
	struct ccshared_stats found = { 0 };
	char text[4096], *line, *save, *colon, *end;
	unsigned long long value;
	long len;
	size_t i;

	if (!stats)
		return -EINVAL;
	len = ccs_read_file(root, "sys/kernel/debug/ccshared_heap/stats", text, sizeof(text));
	if (len < 0)
		return (int)len;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		errno = 0;
		value = strtoull(colon + 1, &end, 10);
		if (errno || end == colon + 1)
			continue;
		/* Unknown names are newer counters: skip, don't fail. */
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			if (strcmp(line, fields[i].name) == 0)
				*(uint64_t *)((char *)&found + fields[i].offset) = value;
		}
	}
	*stats = found;
	return 0;
}
