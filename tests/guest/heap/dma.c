// SPDX-License-Identifier: GPL-2.0
/*
 * Device mappings, through the module's test importer (test_importer=1):
 * a test device attaches a buffer, maps it, checks that every DMA address
 * is the unencrypted address of the buffer's own page, syncs for the CPU
 * and back, and reads the buffer through a kernel vmap.  Both paths are
 * covered: the DMA API (with DMA_ATTR_CC_SHARED where the kernel has it)
 * and the heap's own direct path that kernels without it need
 * (compat_dma_map=1), including its refusal of a device whose DMA mask
 * cannot reach the buffer and of a device with no DMA mask at all.
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

#define LEN (3 * MiB + 4 * KiB)
#define IMPORT HEAP_DEBUGFS "/import_test"

static unsigned long long byte_sum(const unsigned char *p, size_t len)
{
	unsigned long long sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

static int import(int fd, int bits, char *result, size_t size)
{
	char cmd[32];
	int ret;

	snprintf(cmd, sizeof(cmd), "%d %d", fd, bits);
	ret = write_file(IMPORT, cmd);
	if (ret)
		return ret;
	return read_file(IMPORT, result, size) < 0 ? -EIO : 0;
}

static void test_path(int fd, unsigned long long sum, const char *compat,
		      const char *path)
{
	char result[128] = "", want[128];
	int ret;

	heap_set_param("compat_dma_map", compat);
	ret = import(fd, 64, result, sizeof(result));
	snprintf(want, sizeof(want), "segments=18 path=%s sum=%llu\n", path, sum);
	tap_ok(ret == 0 && !strcmp(result, want),
	       "compat_dma_map=%s: mapped by %s at the pages' unencrypted addresses, vmap reads the data (%s; %s)",
	       compat, path, strerror(-ret), result);
}

int main(void)
{
	char result[128];
	unsigned long long sum;
	unsigned char *p;
	int heap_fd, fd, sysfd, ret;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	tap_plan(7);
	heap_fd = heap_open();

	heap_drain_pool();
	if (heap_alloc(heap_fd, LEN, O_RDWR | O_CLOEXEC, 0, &fd))
		tap_bail("cannot allocate");
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	fill_pattern(p, LEN, 0x33);
	dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	sum = byte_sum(p, LEN);

	/* 3 MiB + 4 KiB: one 2 MiB chunk, sixteen 64 KiB ones, one 4 KiB. */
	test_path(fd, sum, "0", "dma-api");
	test_path(fd, sum, "1", "direct");

	heap_set_param("compat_dma_map", "1");
	ret = import(fd, 24, result, sizeof(result));
	tap_ok(ret == -EIO, "direct path, 24-bit DMA mask: EIO, the buffer is out of reach (%s)",
	       strerror(-ret));
	ret = import(fd, 0, result, sizeof(result));
	tap_ok(ret == -EIO, "direct path, a device without a DMA mask: EIO, not an oops (%s)",
	       strerror(-ret));
	heap_set_param("compat_dma_map", "0");

	ret = import(fd + 1000, 64, result, sizeof(result));
	tap_ok(ret == -EBADF, "import of a closed fd: EBADF (%s)", strerror(-ret));

	sysfd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (sysfd >= 0 && heap_alloc(sysfd, 4096, O_RDWR | O_CLOEXEC, 0, &ret) == 0) {
		int other = ret;

		ret = import(other, 64, result, sizeof(result));
		tap_ok(ret == -EINVAL, "import of another heap's buffer: EINVAL (%s)",
		       strerror(-ret));
		close(other);
	} else {
		tap_ok(0, "import of another heap's buffer (not run: no buffer from the system heap)");
	}
	if (sysfd >= 0)
		close(sysfd);

	munmap(p, LEN);
	close(fd);
	{
		struct heap_stats st;

		heap_read_stats(&st);
		tap_ok(st.buffers == 0, "the buffer is freed after the imports");
	}
	close(heap_fd);
	heap_teardown();
	return tap_done();
}
