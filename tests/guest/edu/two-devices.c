// SPDX-License-Identifier: GPL-2.0
/*
 * Two edu devices share one buffer, each with its own attachment and
 * mapping.  Each device takes a pattern of its own from the buffer into
 * its memory, both before either writes back, and each then writes its
 * memory to a place of its own: a DMA that went to the wrong device (or
 * through the other device's mapping) leaves the other device's pattern,
 * or none, where the CPU looks.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edutest.h"

#define SIZE (1 * MiB)
#define LEN 4096

int main(void)
{
	const uint64_t src0 = 0, src1 = SIZE / 4 + 100, dst0 = SIZE / 2 - 100, dst1 = SIZE - LEN;
	uint32_t h0, h1;
	unsigned char *map;
	int d0, d1, buf;
	bool ok0, ok1;

	tap_plan(8);
	heap_ensure(false);
	edu_load("dma_bits=64");

	buf = heap_alloc(CC_HEAP, SIZE);
	map = buf < 0 ? NULL : buf_map(buf, SIZE);
	d0 = edu_open(0);
	d1 = edu_open(1);
	if (!map || d0 < 0 || d1 < 0)
		tap_bail("setup failed (two edu devices needed: --edu 2)");

	tap_ok(edu_attach(d0, buf, &h0) == 0, "attach to edu0");
	tap_ok(edu_attach(d1, buf, &h1) == 0, "attach the same buffer to edu1");

	buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	memset(map, 0, SIZE);
	fill_pattern(map + src0, LEN, 42);
	fill_pattern(map + src1, LEN, 43);
	buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);

	tap_ok(edu_dma(d0, h0, CCSHARED_EDU_TO_DEVICE, src0, LEN) == 0 &&
	       edu_dma(d1, h1, CCSHARED_EDU_TO_DEVICE, src1, LEN) == 0,
	       "edu0 takes pattern 42, edu1 pattern 43, into their own memory");
	tap_ok(edu_dma(d0, h0, CCSHARED_EDU_FROM_DEVICE, dst0, LEN) == 0 &&
	       edu_dma(d1, h1, CCSHARED_EDU_FROM_DEVICE, dst1, LEN) == 0,
	       "each writes its memory back to a place of its own");

	buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	ok0 = check_pattern(map + dst0, LEN, 42);
	ok1 = check_pattern(map + dst1, LEN, 43);
	buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	tap_ok(ok0, "the CPU sees edu0's pattern (42) where edu0 wrote");
	tap_ok(ok1, "the CPU sees edu1's pattern (43) where edu1 wrote");

	tap_ok(edu_detach(d0, h0) == 0, "detach from edu0");
	tap_ok(edu_detach(d1, h1) == 0, "detach from edu1");
	close(d0);
	close(d1);
	munmap(map, SIZE);
	close(buf);
	edu_unload();
	return tap_done();
}
