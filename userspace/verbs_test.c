// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ccshared_slab_create()'s size arithmetic, without an RDMA device: the
 * slab's size is count times the slice size rounded up to
 * CCSHARED_SLAB_ALIGN, and the largest buffer is SIZE_MAX rounded down to
 * a page.  At the limit the slab reaches the allocation (the fixture's
 * "heap" is a plain file, so that is -ENOTTY, and the PD is never used);
 * one byte beyond it is -ERANGE, before anything is allocated.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ccshared-verbs.h"
#include "tap.h"		/* tests/lib/tap.h */

int main(int argc, char **argv)
{
	const size_t max = SIZE_MAX - (size_t)sysconf(_SC_PAGESIZE) + 1;
	const struct {
		size_t slice;
		uint32_t count;
		int want;
		const char *what;
	} cases[] = {
		{ max - CCSHARED_SLAB_ALIGN, 1, -ENOTTY, "1 slice 64 bytes below the largest buffer" },
		{ max - CCSHARED_SLAB_ALIGN + 1, 1, -ENOTTY, "1 slice rounded up to the largest buffer" },
		{ max, 1, -ENOTTY, "1 slice of the largest buffer" },
		{ max + 1, 1, -ERANGE, "1 slice of the largest buffer + 1" },
		{ SIZE_MAX, 1, -ERANGE, "1 slice of SIZE_MAX (rounding would wrap)" },
		{ max / 2 - CCSHARED_SLAB_ALIGN, 2, -ENOTTY, "2 slices, 64 bytes below the largest buffer each" },
		{ max / 2, 2, -ENOTTY, "2 slices that fill the largest buffer" },
		{ max / 2 + 1, 2, -ERANGE, "2 slices, one byte more each (64 after rounding)" },
		{ max / UINT32_MAX + CCSHARED_SLAB_ALIGN, UINT32_MAX, -ERANGE,
		  "UINT32_MAX slices whose product wraps" },
		{ 0, 1, -EINVAL, "a slice of 0 bytes" },
		{ 64, 0, -EINVAL, "0 slices" },
	};
	const char *testdata = argc > 1 ? argv[1] : "testdata";
	struct ccshared_slab *slab = NULL;
	struct ccshared_heap *heap;
	struct ibv_pd pd;
	char root[PATH_MAX];

	memset(&pd, 0, sizeof(pd));
	snprintf(root, sizeof(root), "%s/sev-snp", testdata);
	if (ccshared_heap_open_at(root, NULL, 0, &heap))
		tap_bail("Couldn't open the fixture heap in %s", root);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(ccshared_slab_create(&pd, heap, cases[i].slice, cases[i].count,
					    IBV_ACCESS_LOCAL_WRITE, &slab),
		       cases[i].want, "%s: %zu x %u", cases[i].what, cases[i].slice, cases[i].count);
	ok(slab == NULL, "no slab came back");
	is_int(ccshared_slab_create(NULL, heap, 64, 1, 0, &slab), -EINVAL, "a NULL PD");
	ccshared_heap_close(heap);
	return tap_done();
}
