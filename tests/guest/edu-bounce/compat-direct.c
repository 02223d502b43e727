// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/*
 * 6.12 with swiotlb=force, the model of a 6.12 CoCo guest: every streaming
 * mapping bounces.  The heap's compat path maps its shared buffers itself,
 * at their DMA address, so a 3 MiB system_cc_shared buffer is not bounced
 * (swiotlb usage unchanged) and round trips through the device work.
 * Without the compat path the DMA API would bounce the heap's mapping like
 * any other: the heap refuses it itself, with EOPNOTSUPP (forced
 * bouncing), before the driver's own check after mapping could.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edutest.h"

#define SIZE (3 * MiB)

int main(void)
{
	static const struct { const char *what; uint64_t off, len; } cases[] = {
		{ "offset 0", 0, 4096 },
		{ "across a 4 KiB page boundary", 4096 - 100, 200 },
		{ "across the 2 MiB chunk boundary", 2 * MiB - 1000, 2000 },
		{ "the last 4096 bytes", SIZE - 4096, 4096 },
	};
	struct ccshared_edu_info info;
	long before, during;
	unsigned char *map;
	uint32_t handle;
	int dev, buf, ret;
	size_t i;

	bounce_model_required(false);

	tap_plan(5 + (int)(sizeof(cases) / sizeof(cases[0])));
	heap_ensure(false);
	edu_load("dma_bits=64 unencrypted_dma=1");
	dev = edu_open(0);
	buf = heap_alloc(CC_HEAP, 64 * KiB);
	if (dev < 0 || buf < 0)
		tap_bail("setup failed");

	ret = edu_attach(dev, buf, &handle);
	tap_ok(ret == -EOPNOTSUPP,
	       "without the heap's compat path the mapping would bounce: the heap refuses it (%s)",
	       ret ? strerror(-ret) : "success");
	close(buf);

	heap_ensure(true);
	buf = heap_alloc(CC_HEAP, SIZE);
	map = buf < 0 ? NULL : buf_map(buf, SIZE);
	if (!map)
		tap_bail("cannot allocate and map %lu bytes", SIZE);
	before = swiotlb_used_slots();
	ret = edu_attach(dev, buf, &handle);
	during = swiotlb_used_slots();
	tap_ok(ret == 0, "with it, a %lu-byte buffer attaches", SIZE);
	if (ret)
		tap_bail("cannot go on without an attachment");
	edu_info(dev, handle, &info);
	edu_print_info(CC_HEAP, &info);
	tap_ok(!(info.flags & CCSHARED_EDU_INFO_BOUNCED) && info.mapped_len == SIZE,
	       "mapped direct");
	tap_diag("swiotlb slots in use: %ld before, %ld while attached", before, during);
	tap_ok(during == before, "no swiotlb slot used");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tap_ok(round_trip(dev, handle, buf, map, SIZE, cases[i].off, cases[i].len, i + 1),
		       "round trip %s", cases[i].what);

	tap_ok(edu_detach(dev, handle) == 0, "detach");
	munmap(map, SIZE);
	close(buf);
	close(dev);
	edu_unload();
	return tap_done();
}
