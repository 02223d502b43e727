// SPDX-License-Identifier: GPL-2.0
/*
 * Device mappings, through the module's test importer (test_importer=1):
 * a test device attaches a buffer, maps it, checks that every DMA segment
 * is at the unencrypted address of the buffer's own pages and within the
 * device's segment limits, syncs for the CPU and back, and reads the
 * buffer through a kernel vmap.  Both paths are covered: the DMA API (with
 * DMA_ATTR_CC_SHARED where the kernel has it) and the heap's own direct
 * path that kernels without it need (compat_dma_map=1).
 *
 * On each path: one attachment mapped twice and four times at once (a
 * table of its own for each mapping, each intact while the others come
 * and go, the importer's rewrite of its copy harmless, nothing left
 * behind); segments cut to a small maximum segment size and to a segment
 * boundary, and refused below a page; a device whose DMA mask cannot
 * reach the buffer, and one without a DMA mask, refused with EIO and a
 * message (a 2 GiB guest has no swiotlb: before, the DMA API path warned);
 * a device in an IOMMU group without a translating domain (iommu=pt)
 * served by the direct path like any dma-direct device.
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

static const struct {
	const char *compat;
	const char *path;
} paths[] = {
	{ "0", "dma-api" },
	{ "1", "direct" },
};

static unsigned long long byte_sum(const unsigned char *p, size_t len)
{
	unsigned long long sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

static void expect_map(int fd, const char *options, unsigned int segments, const char *path,
		       unsigned long long sum, const char *what)
{
	char result[128], want[128];
	size_t n;
	int ret;

	ret = heap_import(fd, 64, options, result, sizeof(result));
	snprintf(want, sizeof(want), "segments=%u path=%s sum=%llu", segments, path, sum);
	n = strlen(want);
	tap_ok(ret == 0 && !strncmp(result, want, n) && (!result[n] || result[n] == ' '),
	       "%s: %u segments, by %s (%s)", what, segments, path,
	       ret ? strerrorname_np(-ret) : result);
}

static void expect_refusal(int fd, int bits, const char *options, int err,
			   const char *message, const char *what)
{
	int before = klog_count(message);
	char result[128];
	int ret;

	ret = heap_import(fd, bits, options, result, sizeof(result));
	tap_ok(ret == -err && klog_count(message) > before,
	       "%s: %s, and the log says \"%s\" (%s)", what, strerrorname_np(err), message,
	       ret ? strerrorname_np(-ret) : "mapped");
}

int main(void)
{
	char result[128], what[128];
	unsigned long long sum;
	unsigned char *p;
	int heap_fd, fd, sysfd, ret;
	size_t i;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	tap_plan(2 * 13 + 3);
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

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const char *path = paths[i].path;

		heap_set_param("compat_dma_map", paths[i].compat);
		tap_diag("compat_dma_map=%s", paths[i].compat);

		/* 3 MiB + 4 KiB: chunks of 2 MiB, 1 MiB and 4 KiB. */
		expect_map(fd, "", 3, path, sum, "no segment limits");
		expect_map(fd, "maps=2", 3, path, sum,
			   "one attachment mapped twice: two tables, each intact, nothing left");
		expect_map(fd, "maps=4", 3, path, sum, "mapped four times at once");
		expect_map(fd, "max_seg=65536", 32 + 16 + 1, path, sum,
			   "max_seg 64 KiB: the 2 MiB chunk in 32 segments");
		/* 65535 is 15 whole pages: 512 pages in 35, 256 in 18. */
		expect_map(fd, "max_seg=65535", 35 + 18 + 1, path, sum,
			   "max_seg 64 KiB - 1: segments of whole pages");
		expect_map(fd, "max_seg=4096 maps=2", 768 + 1, path, sum,
			   "max_seg one page, mapped twice");
		expect_map(fd, "seg_boundary=0xffff", 32 + 16 + 1, path, sum,
			   "a 64 KiB segment boundary");
		expect_map(fd, "max_seg=0x30000 seg_boundary=0xfffff", 2 * 6 + 6 + 1, path, sum,
			   "max_seg 192 KiB and a 1 MiB boundary");
		expect_refusal(fd, 64, "max_seg=2048", EINVAL, "smaller than a page",
			       "max_seg below a page");
		expect_refusal(fd, 64, "seg_boundary=0x7ff", EINVAL, "smaller than a page",
			       "a segment boundary below a page");
		expect_refusal(fd, 24, "", EIO, "beyond the device's DMA mask",
			       "24-bit DMA mask, buffer out of reach");
		expect_refusal(fd, 0, "", EIO, "the device has no DMA mask",
			       "a device without a DMA mask, not an oops");
		expect_map(fd, "iommu_group", 3, path, sum,
			   "in an IOMMU group without a translating domain");
	}
	heap_set_param("compat_dma_map", "0");

	ret = heap_import(fd + 1000, 64, "", result, sizeof(result));
	tap_ok(ret == -EBADF, "import of a closed fd: EBADF (%s)", strerror(-ret));

	sysfd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (sysfd >= 0 && heap_alloc(sysfd, 4096, O_RDWR | O_CLOEXEC, 0, &ret) == 0) {
		int other = ret;

		ret = heap_import(other, 64, "", result, sizeof(result));
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
		snprintf(what, sizeof(what), "the buffer is freed after the imports");
		tap_ok(st.buffers == 0, "%s", what);
	}
	close(heap_fd);
	heap_teardown();
	return tap_done();
}
