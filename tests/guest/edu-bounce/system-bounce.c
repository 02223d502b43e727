// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/*
 * 6.12 with swiotlb=force: buffers from the kernel's "system" heap are
 * private memory and can only be bounced.  The policy refuses them; with
 * allow_bounce=1 a 64 KiB buffer bounces (swiotlb usage grows by its size
 * while it is mapped) and the data still arrives after DMA_BUF_IOCTL_SYNC.
 * swiotlb maps at most 256 KiB per segment and the system heap hands out
 * 1 MiB chunks, so larger buffers cannot be mapped at all: each fails
 * cleanly, and swiotlb is back where it was.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edutest.h"

#define SMALL (64 * KiB)

int main(void)
{
	static const size_t large[] = { 1 * MiB, 16 * MiB };
	struct ccshared_edu_info info;
	long before, during;
	unsigned char *map;
	uint32_t handle;
	int dev, buf, ret;
	size_t i;

	bounce_model_required(true);

	tap_plan(6 + 2 * (int)(sizeof(large) / sizeof(large[0])));
	heap_ensure(true);

	edu_load("dma_bits=64 unencrypted_dma=1");
	dev = edu_open(0);
	buf = heap_alloc(SYS_HEAP, SMALL);
	if (dev < 0 || buf < 0)
		tap_bail("setup failed");
	ret = edu_attach(dev, buf, &handle);
	tap_ok(ret == -EPERM, "policy: a system-heap buffer is refused (%s)",
	       ret ? strerror(-ret) : "success");
	close(dev);
	edu_unload();

	edu_load("dma_bits=64 unencrypted_dma=1 allow_bounce=1");
	dev = edu_open(0);
	map = buf_map(buf, SMALL);
	before = swiotlb_used_slots();
	ret = edu_attach(dev, buf, &handle);
	during = swiotlb_used_slots();
	tap_ok(ret == 0, "allow_bounce=1: the %lu KiB buffer attaches", SMALL / KiB);
	if (ret || !map)
		tap_bail("cannot go on");
	edu_info(dev, handle, &info);
	edu_print_info("system 64 KiB", &info);
	tap_ok(info.flags & CCSHARED_EDU_INFO_BOUNCED, "the driver sees the mapping bounced");
	tap_diag("swiotlb slots in use: %ld before, %ld while attached (%ld KiB)",
		 before, during, (during - before) * 2);
	tap_ok(during - before >= (long)(SMALL / 2048), "swiotlb usage grew by the buffer's size");
	tap_ok(round_trip(dev, handle, buf, map, SMALL, SMALL - 3000, 2000, 9),
	       "the data arrives after the sync");
	edu_detach(dev, handle);
	tap_ok(swiotlb_used_slots() == before, "detach gives the bounce slots back");
	munmap(map, SMALL);
	close(buf);

	for (i = 0; i < sizeof(large) / sizeof(large[0]); i++) {
		buf = heap_alloc(SYS_HEAP, large[i]);
		if (buf < 0)
			tap_bail("cannot allocate %zu bytes", large[i]);
		before = swiotlb_used_slots();
		ret = edu_attach(dev, buf, &handle);
		tap_diag("system heap, %zu MiB, allow_bounce=1: attach %s", large[i] / MiB,
			 ret ? strerror(-ret) : "succeeded");
		tap_ok(ret != 0, "a %zu MiB system-heap buffer cannot be bounced", large[i] / MiB);
		if (!ret)
			edu_detach(dev, handle);
		tap_ok(swiotlb_used_slots() == before, "and the failure left swiotlb as it was");
		close(buf);
	}

	close(dev);
	edu_unload();
	return tap_done();
}
