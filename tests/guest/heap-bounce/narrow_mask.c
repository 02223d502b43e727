// SPDX-License-Identifier: GPL-2.0
/*
 * A device with a 32-bit DMA mask, and buffers above 4 GiB, in a guest
 * with 4.5 GiB of memory (x86 sets up swiotlb once memory reaches past
 * 4 GiB).  dma-direct would bounce such a mapping through swiotlb and
 * call it a success; the heap must refuse it instead, with EIO and a
 * message naming the device and its DMA mask, and take no swiotlb slot:
 * on both mapping paths, for a 64 KiB and a 2 MiB chunk, mapped once or
 * twice.  The same device maps a buffer below 4 GiB directly, so the
 * refusal is about the buffer's place and nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "heaptest.h"

#define FOUR_GIB (4 * GiB)
#define MASK_MESSAGE "lies beyond the device"
#define SWIOTLB_FULL "swiotlb buffer is full"
#define MAX_FILLERS 64
#define MAX_PROBES 8192

/* A buffer of @len bytes whose pages all lie above (or below) 4 GiB. */
static int alloc_placed(int heap_fd, size_t len, bool above, unsigned long long *lo)
{
	int fd, tries[16], ntries = 0, found = -1;
	unsigned long long hi;

	while (ntries < 16) {
		if (heap_alloc(heap_fd, len, O_RDWR | O_CLOEXEC, 0, &fd))
			break;
		if (heap_buffer_phys(fd, lo, &hi))
			tap_bail("cannot learn where the buffer lies");
		if (above ? *lo >= FOUR_GIB : hi < FOUR_GIB) {
			found = fd;
			break;
		}
		tries[ntries++] = fd;
	}
	while (ntries)
		close(tries[--ntries]);
	return found;
}

static void expect_refusal(int fd, const char *options, const char *what)
{
	int logged = klog_count(MASK_MESSAGE), full = klog_count(SWIOTLB_FULL);
	long used = swiotlb_used();
	char result[128];
	int ret;

	ret = heap_import(fd, 32, options, result, sizeof(result));
	tap_ok(ret == -EIO && klog_count(MASK_MESSAGE) > logged,
	       "%s: EIO, and the log names the device and its DMA mask (%s)", what,
	       ret ? strerrorname_np(-ret) : result);
	tap_ok(swiotlb_used() == used && klog_count(SWIOTLB_FULL) == full,
	       "%s: no swiotlb slot taken (in use: %ld -> %ld)", what, used, swiotlb_used());
}

int main(void)
{
	int heap_fd, small, large, low, fillers[MAX_FILLERS], nfillers = 0, nprobes = 0;
	static int probes[MAX_PROBES];
	unsigned long long lo, hi;
	char result[128];
	long used;
	struct rlimit nofile = { MAX_PROBES + 256, MAX_PROBES + 256 };
	int ret;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	/* Every probe holds a dma-buf fd (root may raise the hard limit). */
	if (setrlimit(RLIMIT_NOFILE, &nofile))
		tap_bail("cannot allow %d open files", MAX_PROBES + 256);
	if (swiotlb_used() < 0)
		tap_bail("no swiotlb (debugfs swiotlb/io_tlb_used): the guest needs more than 4 GiB of memory");
	tap_plan(12);
	heap_fd = heap_open();
	/* Without a pool, a buffer given back cannot come back as the next one. */
	heap_set_param("pool_max_mb", "0");
	heap_drain_pool();

	small = alloc_placed(heap_fd, 64 * KiB, true, &lo);
	large = alloc_placed(heap_fd, 2 * MiB, true, &lo);
	if (small < 0 || large < 0)
		tap_bail("cannot get buffers above 4 GiB");
	tap_diag("a 64 KiB and a 2 MiB buffer above 4 GiB (the latter at %#llx)", lo);

	heap_set_param("compat_dma_map", "0");
	expect_refusal(small, "", "DMA API path, 64 KiB above 4 GiB, 32-bit mask");
	expect_refusal(small, "maps=2", "mapped twice");
	expect_refusal(large, "", "a 2 MiB chunk above 4 GiB");
	heap_set_param("compat_dma_map", "1");
	expect_refusal(small, "", "direct path, 64 KiB above 4 GiB, 32-bit mask");
	heap_set_param("compat_dma_map", "0");

	used = swiotlb_used();
	ret = heap_import(small, 64, "maps=2", result, sizeof(result));
	tap_ok(ret == 0 && strstr(result, "path=dma-api") && swiotlb_used() == used,
	       "a 64-bit mask maps the same buffer, twice, without swiotlb (%s)",
	       ret ? strerrorname_np(-ret) : result);

	/*
	 * Fill the memory above 4 GiB until a buffer lands below it.  The
	 * 128 MiB fillers take its 2 MiB blocks; once one of them reaches
	 * below 4 GiB, what is left above is smaller blocks, which the page
	 * allocator still prefers for a 64 KiB chunk: take those with 64 KiB
	 * probes, kept until the end.
	 */
	low = alloc_placed(heap_fd, 64 * KiB, false, &lo);
	while (low < 0 && nfillers < MAX_FILLERS &&
	       free_memory_kb() > (long)(768 * MiB / KiB)) {
		if (heap_alloc(heap_fd, 128 * MiB, O_RDWR | O_CLOEXEC, 0, &fillers[nfillers]))
			break;
		if (heap_buffer_phys(fillers[nfillers++], &lo, &hi))
			tap_bail("cannot learn where a filler lies");
		if (lo < FOUR_GIB)
			break;
		low = alloc_placed(heap_fd, 64 * KiB, false, &lo);
	}
	while (low < 0 && nprobes < MAX_PROBES) {
		if (heap_alloc(heap_fd, 64 * KiB, O_RDWR | O_CLOEXEC, 0, &probes[nprobes]))
			break;
		if (heap_buffer_phys(probes[nprobes], &lo, &hi))
			tap_bail("cannot learn where a probe lies");
		if (hi < FOUR_GIB)
			low = probes[nprobes];
		else
			nprobes++;
	}
	tap_diag("%d MiB of fillers and %d KiB of probes allocated to reach memory below 4 GiB",
		 nfillers * 128, nprobes * 64);
	if (low < 0)
		tap_bail("cannot get a buffer below 4 GiB");
	used = swiotlb_used();
	ret = heap_import(low, 32, "", result, sizeof(result));
	tap_ok(ret == 0 && strstr(result, "path=dma-api") && swiotlb_used() == used,
	       "a 64 KiB buffer below 4 GiB (%#llx) maps for the 32-bit device at its own address (%s)",
	       lo, ret ? strerrorname_np(-ret) : result);
	heap_set_param("compat_dma_map", "1");
	ret = heap_import(low, 32, "", result, sizeof(result));
	tap_ok(ret == 0 && strstr(result, "path=direct"),
	       "and by the direct path (%s)", ret ? strerrorname_np(-ret) : result);
	heap_set_param("compat_dma_map", "0");

	while (nfillers)
		close(fillers[--nfillers]);
	while (nprobes)
		close(probes[--nprobes]);
	close(low);
	close(small);
	close(large);
	close(heap_fd);
	heap_drain_pool();
	{
		struct heap_stats st;

		heap_read_stats(&st);
		tap_ok(st.buffers == 0 && st.leaked_pages == 0, "every buffer is freed, nothing leaked");
	}
	heap_teardown();
	return tap_done();
}
