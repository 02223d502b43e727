// SPDX-License-Identifier: GPL-2.0
/*
 * Test 2: with force_non_coco=1, allocations of 4 KiB, 4 KiB + 1 (rounded
 * up to a page), 3 MiB, 64 MiB and 1 GiB succeed.  Each buffer has the
 * rounded size, maps, reads as zeros, and keeps what is written to it
 * between DMA_BUF_IOCTL_SYNC start and end.  Afterwards every page the
 * heap took from the page allocator is accounted for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "heaptest.h"

static const struct {
	unsigned long len;
	unsigned long want;
	const char *name;
} sizes[] = {
	{ 4 * KiB, 4 * KiB, "4 KiB" },
	{ 4 * KiB + 1, 8 * KiB, "4 KiB + 1" },
	{ 3 * MiB, 3 * MiB, "3 MiB" },
	{ 64 * MiB, 64 * MiB, "64 MiB" },
	{ 1 * GiB, 1 * GiB, "1 GiB" },
};

#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void test_size(int heap_fd, unsigned int i)
{
	const char *name = sizes[i].name;
	struct heap_stats st;
	unsigned char *p;
	off_t size;
	int fd, ret;

	ret = heap_alloc(heap_fd, sizes[i].len, O_RDWR | O_CLOEXEC, 0, &fd);
	if (!tap_ok(ret == 0, "%s: allocation succeeds (%s)", name, strerror(-ret))) {
		tap_ok(false, "%s: size (not run: no buffer)", name);
		tap_ok(false, "%s: stats count it (not run: no buffer)", name);
		tap_ok(false, "%s: mmap (not run: no buffer)", name);
		tap_ok(false, "%s: reads as zeros (not run: no buffer)", name);
		tap_ok(false, "%s: written and read back (not run: no buffer)", name);
		return;
	}

	size = lseek(fd, 0, SEEK_END);
	tap_ok(size == (off_t)sizes[i].want, "%s: size is %lu (got %lld)", name,
	       sizes[i].want, (long long)size);
	heap_read_stats(&st);
	tap_ok(st.buffers >= 1 && st.bytes >= (long)sizes[i].want,
	       "%s: stats count it (buffers %ld, bytes %ld)", name, st.buffers, st.bytes);

	p = mmap(NULL, sizes[i].want, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!tap_ok(p != MAP_FAILED, "%s: mmap (%s)", name,
		    p == MAP_FAILED ? strerror(errno) : "ok")) {
		tap_ok(false, "%s: reads as zeros (not run: no mapping)", name);
		tap_ok(false, "%s: written and read back (not run: no mapping)", name);
		close(fd);
		return;
	}

	ret = dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	tap_ok(ret == 0 && all_zero(p, sizes[i].want), "%s: reads as zeros", name);
	ret |= dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	ret |= dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	fill_pattern(p, sizes[i].want, 0x40 + i);
	ret |= dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	ret |= dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	tap_ok(ret == 0 && check_pattern(p, sizes[i].want, 0x40 + i),
	       "%s: written and read back, syncs succeed", name);
	ret = dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	munmap(p, sizes[i].want);
	close(fd);
}

int main(void)
{
	struct heap_stats before, after;
	int heap_fd;
	unsigned int i;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	tap_plan(NSIZES * 6 + 1);
	heap_fd = heap_open();
	heap_read_stats(&before);

	for (i = 0; i < NSIZES; i++)
		test_size(heap_fd, i);

	close(heap_fd);
	heap_read_stats(&after);
	heap_print_stats("after", &after);
	heap_ok_nothing_leaked(&before, "every buffer is gone again, every page is accounted for");
	heap_teardown();
	return tap_done();
}
