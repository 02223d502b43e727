// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/*
 * 6.12 with swiotlb=force: every bounced attachment holds swiotlb slots for
 * as long as it lives, and swiotlb is the whole guest's (its disk and
 * network I/O bounce through it too).  The driver's limit on pinned bytes
 * bounds that: with max_pinned_mb_per_file=1, sixteen 64 KiB system-heap
 * buffers attach (allow_bounce=1) and hold their slots, the seventeenth
 * is refused with ENOSPC before it takes any, the sixteen still work, and
 * detaching them gives every slot back.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edutest.h"

#define SMALL (64 * KiB)
#define N 16		/* 1 MiB / 64 KiB */

int main(void)
{
	uint32_t handle[N + 1];
	int buf[N + 1], dev, i, ret = 0;
	long before, during;
	unsigned char *map;
	bool ok;

	bounce_model_required(true);

	tap_plan(5);
	heap_ensure(true);
	edu_load("dma_bits=64 unencrypted_dma=1 allow_bounce=1 max_pinned_mb_per_file=1");
	dev = edu_open(0);
	if (dev < 0)
		tap_bail("cannot open the device");

	before = swiotlb_used_slots();
	for (i = 0; i < N && !ret; i++) {
		buf[i] = heap_alloc(SYS_HEAP, SMALL);
		if (buf[i] < 0)
			tap_bail("cannot allocate from the system heap");
		ret = edu_attach(dev, buf[i], &handle[i]);
	}
	during = swiotlb_used_slots();
	tap_ok(!ret, "%d bounced 64 KiB attachments, 1 MiB pinned (%s after %d)", N,
	       ret ? strerror(-ret) : "ok", i);
	tap_diag("swiotlb slots in use: %ld before, %ld with them attached", before, during);
	tap_ok(during - before >= N * (long)(SMALL / 2048), "they hold swiotlb slots");

	buf[N] = heap_alloc(SYS_HEAP, SMALL);
	ret = edu_attach(dev, buf[N], &handle[N]);
	tap_ok(ret == -ENOSPC && swiotlb_used_slots() == during,
	       "the next is refused with ENOSPC and takes no slot (%s, %ld slots)",
	       ret ? strerror(-ret) : "attached", swiotlb_used_slots());
	close(buf[N]);

	map = buf_map(buf[0], SMALL);
	ok = map && round_trip(dev, handle[0], buf[0], map, SMALL, 0, 4096, 1);
	if (map)
		munmap(map, SMALL);
	map = buf_map(buf[N - 1], SMALL);
	ok = ok && map && round_trip(dev, handle[N - 1], buf[N - 1], map, SMALL, 0, 4096, 2);
	if (map)
		munmap(map, SMALL);
	tap_ok(ok, "the first and the last attached still DMA");

	for (i = 0; i < N; i++) {
		edu_detach(dev, handle[i]);
		close(buf[i]);
	}
	tap_ok(swiotlb_used_slots() == before, "detaching gives every slot back (%ld, was %ld)",
	       swiotlb_used_slots(), before);
	close(dev);
	edu_unload();
	return tap_done();
}
