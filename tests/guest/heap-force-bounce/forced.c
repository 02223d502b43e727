// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb=force: dma-direct bounces every streaming mapping, so a mapping
 * through the DMA API would hand the device a bounce buffer and call it a
 * success.  The heap must refuse it instead, with EOPNOTSUPP and a message
 * naming the device and the reason, and take no swiotlb slot: for a
 * 64 KiB and a 2 MiB chunk, mapped once or twice.  The heap's own direct
 * path (compat_dma_map=1, what 6.12 CoCo guests use, where forced
 * bouncing is how private memory is kept from devices) maps around it by
 * design, at the pages' own addresses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "heaptest.h"

#define FORCED_MESSAGE "swiotlb bouncing is forced"
#define SWIOTLB_FULL "swiotlb buffer is full"

static void expect_refusal(int fd, const char *options, const char *what)
{
	int logged = klog_count(FORCED_MESSAGE), full = klog_count(SWIOTLB_FULL);
	long used = swiotlb_used();
	char result[128];
	int ret;

	ret = heap_import(fd, 64, options, result, sizeof(result));
	tap_ok(ret == -EOPNOTSUPP && klog_count(FORCED_MESSAGE) > logged,
	       "%s: EOPNOTSUPP, and the log names the device and the forced bouncing (%s)",
	       what, ret ? strerrorname_np(-ret) : result);
	tap_ok(swiotlb_used() == used && klog_count(SWIOTLB_FULL) == full,
	       "%s: no swiotlb slot taken (in use: %ld -> %ld)", what, used, swiotlb_used());
}

int main(void)
{
	int heap_fd, small, large, ret;
	char result[128];
	long used;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	if (swiotlb_used() < 0)
		tap_bail("no swiotlb (debugfs swiotlb/io_tlb_used): boot with --swiotlb-force");
	tap_plan(8);
	heap_fd = heap_open();
	heap_drain_pool();
	if (heap_alloc(heap_fd, 64 * KiB, O_RDWR | O_CLOEXEC, 0, &small) ||
	    heap_alloc(heap_fd, 2 * MiB, O_RDWR | O_CLOEXEC, 0, &large))
		tap_bail("cannot allocate");

	heap_set_param("compat_dma_map", "0");
	expect_refusal(small, "", "64 KiB, DMA API path");
	expect_refusal(small, "maps=2", "64 KiB mapped twice");
	expect_refusal(large, "", "2 MiB, DMA API path");

	heap_set_param("compat_dma_map", "1");
	used = swiotlb_used();
	ret = heap_import(large, 64, "maps=2", result, sizeof(result));
	tap_ok(ret == 0 && strstr(result, "path=direct") && swiotlb_used() == used,
	       "the direct path maps around the forced bouncing, twice, at the pages' own addresses (%s)",
	       ret ? strerrorname_np(-ret) : result);
	heap_set_param("compat_dma_map", "0");

	close(small);
	close(large);
	close(heap_fd);
	{
		struct heap_stats st;

		heap_read_stats(&st);
		tap_ok(st.buffers == 0 && st.leaked_pages == 0, "every buffer is freed, nothing leaked");
	}
	heap_teardown();
	return tap_done();
}
