// SPDX-License-Identifier: GPL-2.0
/*
 * A transfer does not hold the dma-buf's reservation lock: while edu0 is
 * DMAing into a buffer, edu1 attaches the same buffer (its pin and map take
 * that lock) and returns before edu0's transfer is done.  The transfer
 * crosses a boundary between two DMA segments, so it is two DMA runs with
 * an interrupt after each; edu1 attaches after the first one and must be
 * done before the second.  Then both devices use the buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edutest.h"
#include "inflight.h"

#define SIZE (4 * MiB)
#define BOUNDARY (2 * MiB)	/* the heap's chunks are at most 2 MiB */

int main(void)
{
	const uint64_t off = BOUNDARY - CCSHARED_EDU_DMA_MAX / 2;
	struct ccshared_edu_info info;
	struct inflight t;
	unsigned char *map;
	uint32_t h0, h1;
	int d0, d1, buf, ret;
	long irqs;
	bool ok;

	tap_plan(6);
	heap_ensure(false);
	edu_load("dma_bits=64");

	buf = heap_alloc(CC_HEAP, SIZE);
	map = buf < 0 ? NULL : buf_map(buf, SIZE);
	d0 = edu_open(0);
	d1 = edu_open(1);
	if (!map || d0 < 0 || d1 < 0)
		tap_bail("setup failed (two edu devices needed: --edu 2)");
	if (edu_attach(d0, buf, &h0) || edu_info(d0, h0, &info))
		tap_bail("cannot attach to edu0");
	tap_ok(info.nr_segments >= 2, "the buffer has a DMA segment boundary at 2 MiB (%u segments)",
	       info.nr_segments);

	/* The device's buffer gets a pattern; the transfer brings it back. */
	buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	fill_pattern(map, CCSHARED_EDU_DMA_MAX, 3);
	memset(map + off, 0, CCSHARED_EDU_DMA_MAX);
	buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	if (edu_dma(d0, h0, CCSHARED_EDU_TO_DEVICE, 0, CCSHARED_EDU_DMA_MAX))
		tap_bail("cannot DMA to edu0");

	if (!inflight_start(&t, d0, h0, BOUNDARY))
		tap_bail("could not catch edu0's transfer in flight");
	ret = edu_attach(d1, buf, &h1);
	irqs = inflight_irqs(&t);
	tap_ok(ret == 0 && irqs == 1,
	       "edu1 attached the buffer while edu0 was DMAing into it (%s; edu0 had done %ld of 2 runs)",
	       ret ? strerror(-ret) : "attached", irqs);
	ret = inflight_finish(&t);
	tap_ok(ret == 0 && inflight_irqs(&t) == 2, "edu0's transfer completed (%s, %ld runs)",
	       ret ? strerror(-ret) : "ok", inflight_irqs(&t));

	buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	ok = check_pattern(map + off, CCSHARED_EDU_DMA_MAX, 3);
	buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	tap_ok(ok, "and wrote what the device held, across the segment boundary");

	tap_ok(round_trip(d1, h1, buf, map, SIZE, BOUNDARY - 100, 200, 4),
	       "edu1 DMAs through the mapping it made meanwhile");
	tap_ok(edu_detach(d0, h0) == 0 && edu_detach(d1, h1) == 0, "detach both");
	close(d0);
	close(d1);
	munmap(map, SIZE);
	close(buf);
	edu_unload();
	return tap_done();
}
