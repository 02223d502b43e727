// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/*
 * 6.12 with swiotlb=force: a 128 MiB buffer, twice the 64 MiB bounce pool.
 * From system_cc_shared it attaches without touching swiotlb and DMAs at
 * both ends.  From "system" it cannot be mapped at all, even with
 * bouncing allowed: the reason the heap exists.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edutest.h"

#define SIZE (128 * MiB)

int main(void)
{
	struct ccshared_edu_info info;
	long before, during, nslabs;
	unsigned char *map;
	uint32_t handle;
	int dev, buf, ret;

	bounce_model_required(true);

	tap_plan(6);
	heap_ensure(true);
	edu_load("dma_bits=64 unencrypted_dma=1 allow_bounce=1");
	dev = edu_open(0);
	if (dev < 0)
		tap_bail("cannot open the device");

	nslabs = swiotlb_nslabs();
	tap_ok(nslabs * 2048 < (long)SIZE, "the bounce pool (%ld MiB) is smaller than the buffer",
	       nslabs * 2048 / (long)MiB);

	buf = heap_alloc(CC_HEAP, SIZE);
	map = buf < 0 ? NULL : buf_map(buf, SIZE);
	if (!map)
		tap_bail("cannot allocate and map 128 MiB from %s", CC_HEAP);
	before = swiotlb_used_slots();
	ret = edu_attach(dev, buf, &handle);
	during = swiotlb_used_slots();
	tap_ok(ret == 0 && during == before, "128 MiB from %s attaches without swiotlb (%ld -> %ld slots)",
	       CC_HEAP, before, during);
	if (ret)
		tap_bail("cannot go on");
	edu_info(dev, handle, &info);
	edu_print_info("system_cc_shared 128 MiB", &info);
	tap_ok(round_trip(dev, handle, buf, map, SIZE, 0, 4096, 1) &&
	       round_trip(dev, handle, buf, map, SIZE, SIZE - 4096, 4096, 2),
	       "DMA at both ends of it");
	tap_ok(edu_detach(dev, handle) == 0, "detach");
	munmap(map, SIZE);
	close(buf);

	buf = heap_alloc(SYS_HEAP, SIZE);
	if (buf < 0)
		tap_bail("cannot allocate 128 MiB from the system heap");
	before = swiotlb_used_slots();
	ret = edu_attach(dev, buf, &handle);
	tap_diag("system heap, 128 MiB, allow_bounce=1: attach %s", ret ? strerror(-ret) : "succeeded");
	tap_ok(ret != 0, "128 MiB from the system heap cannot be mapped");
	if (!ret)
		edu_detach(dev, handle);
	tap_ok(swiotlb_used_slots() == before, "and fails cleanly, swiotlb as it was");
	close(buf);
	close(dev);
	edu_unload();
	return tap_done();
}
