// SPDX-License-Identifier: GPL-2.0
/*
 * dma-bench: what it costs to map a dma-buf for a device that needs
 * unencrypted DMA, system_cc_shared against the kernel's "system" heap.
 *
 * For each size and heap: allocate a buffer, then attach and detach it to
 * /dev/ccshared_edu0 ITERATIONS times (dma_buf_get, attach, pin, map and
 * back), and report the mean attach+detach time seen from userspace, the
 * mean dma_buf_map_attachment() time the driver measured, the swiotlb
 * bytes the mapping held, and whether it worked at all.  A failure is a
 * result.  Needs ccshared_heap (compat_dma_map=1 on 6.12) and ccshared_edu
 * (unencrypted_dma=1 allow_bounce=1) loaded; run as root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "ccshared_edu.h"

#define ITERATIONS 20

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static long swiotlb_used(void)
{
	FILE *f = fopen("/sys/kernel/debug/swiotlb/io_tlb_used", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int heap_alloc(const char *heap, size_t len)
{
	struct dma_heap_allocation_data data = {
		.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, DMA_HEAP_IOCTL_ALLOC, &data) ? -errno : (int)data.fd;
	close(fd);
	return ret;
}

static void bench(int dev, const char *heap, size_t size)
{
	struct ccshared_edu_attach a;
	struct ccshared_edu_detach d = { 0 };
	struct ccshared_edu_info info;
	double t0, total = 0, map_ns = 0;
	long used0, bounced = 0;
	int buf, i;

	buf = heap_alloc(heap, size);
	if (buf < 0) {
		printf("| %s | %zu KiB | allocation failed: %s | | | |\n", heap, size / 1024,
		       strerror(-buf));
		return;
	}
	used0 = swiotlb_used();
	for (i = 0; i < ITERATIONS; i++) {
		a = (struct ccshared_edu_attach){ .fd = buf };
		t0 = now_us();
		if (ioctl(dev, CCSHARED_EDU_IOCTL_ATTACH, &a)) {
			printf("| %s | %zu KiB | **fails**: %s | | | |\n", heap, size / 1024,
			       strerror(errno));
			close(buf);
			return;
		}
		if (i == 0)
			bounced = (swiotlb_used() - used0) * 2048;
		memset(&info, 0, sizeof(info));
		info.handle = a.handle;
		ioctl(dev, CCSHARED_EDU_IOCTL_INFO, &info);
		d.handle = a.handle;
		ioctl(dev, CCSHARED_EDU_IOCTL_DETACH, &d);
		total += now_us() - t0;
		map_ns += info.map_ns;
	}
	printf("| %s | %zu KiB | ok, %s, %u segments | %.1f | %.1f | %ld KiB |\n", heap,
	       size / 1024, info.flags & CCSHARED_EDU_INFO_BOUNCED ? "bounced" : "direct",
	       info.nr_segments, total / ITERATIONS, map_ns / ITERATIONS / 1e3, bounced / 1024);
	close(buf);
}

int main(void)
{
	static const size_t sizes[] = { 64 << 10, 1 << 20, 16 << 20, 128 << 20 };
	static const char *const heaps[] = { "system_cc_shared", "system" };
	unsigned int s, h;
	int dev;

	dev = open("/dev/ccshared_edu0", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fprintf(stderr, "Couldn't open /dev/ccshared_edu0: %s\n", strerror(errno));
		return 1;
	}
	printf("| heap | size | result | attach+detach (us) | map (us) | swiotlb held |\n");
	printf("| --- | --- | --- | ---: | ---: | ---: |\n");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (h = 0; h < 2; h++)
			bench(dev, heaps[h], sizes[s]);
	close(dev);
	return 0;
}
