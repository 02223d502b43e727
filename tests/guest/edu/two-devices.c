// SPDX-License-Identifier: GPL-2.0
/*
 * Two edu devices share one buffer: device 0 writes a pattern into it,
 * device 1 reads that back and writes it elsewhere, and the CPU sees both
 * copies.  Each device has its own attachment and mapping of the buffer.
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
	const uint64_t src = 0, mid = SIZE / 2 - 100, dst = SIZE - LEN;
	uint32_t h0, h1;
	unsigned char *map;
	int d0, d1, buf;
	bool ok;

	tap_plan(7);
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
	fill_pattern(map + src, LEN, 42);
	buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);

	tap_ok(edu_dma(d0, h0, CCSHARED_EDU_TO_DEVICE, src, LEN) == 0 &&
	       edu_dma(d0, h0, CCSHARED_EDU_FROM_DEVICE, mid, LEN) == 0,
	       "edu0 copies the pattern to the middle of the buffer");
	tap_ok(edu_dma(d1, h1, CCSHARED_EDU_TO_DEVICE, mid, LEN) == 0 &&
	       edu_dma(d1, h1, CCSHARED_EDU_FROM_DEVICE, dst, LEN) == 0,
	       "edu1 reads it back and writes it to the end");

	buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	ok = check_pattern(map + mid, LEN, 42) && check_pattern(map + dst, LEN, 42);
	buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	tap_ok(ok, "the CPU sees edu0's and edu1's copies");

	tap_ok(edu_detach(d0, h0) == 0, "detach from edu0");
	tap_ok(edu_detach(d1, h1) == 0, "detach from edu1");
	close(d0);
	close(d1);
	munmap(map, SIZE);
	close(buf);
	edu_unload();
	return tap_done();
}
