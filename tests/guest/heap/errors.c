// SPDX-License-Identifier: GPL-2.0
/*
 * Test 3: bad input gets the right errno, quickly, and leaks nothing: no
 * buffer, no page, no file descriptor.  Also: older callers' smaller
 * struct still works, and mmap honours offsets within the buffer only.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "heaptest.h"

/* The first version of the struct, without heap_flags. */
struct dma_heap_allocation_data_v0 {
	uint64_t len;
	uint32_t fd;
	uint32_t fd_flags;
};

#define DMA_HEAP_IOCTL_ALLOC_V0 _IOWR(DMA_HEAP_IOC_MAGIC, 0x0, \
				      struct dma_heap_allocation_data_v0)

static int count_fds(void)
{
	struct dirent *d;
	int n = 0;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

static long vmstat(const char *field)
{
	char name[64];
	long value, found = -1;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &value) == 2)
		if (!strcmp(name, field))
			found = value;
	fclose(f);
	return found;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void expect_alloc_error(int heap_fd, unsigned long long len,
			       unsigned int fd_flags, unsigned long long heap_flags,
			       int want, const char *what)
{
	double t0 = now();
	int fd = -1, ret;

	ret = heap_alloc(heap_fd, len, fd_flags, heap_flags, &fd);
	tap_ok(ret == -want, "%s: %s (got %s, %.2f s)", what, strerror(want),
	       strerror(-ret), now() - t0);
	if (!ret)
		close(fd);
}

static void test_mmap(int heap_fd)
{
	const size_t len = 2 * MiB + 16 * KiB;
	unsigned char *p, *q;
	int fd, ret;

	ret = heap_alloc(heap_fd, len, O_RDWR | O_CLOEXEC, 0, &fd);
	if (!tap_ok(ret == 0, "allocate a buffer to map (%s)", strerror(-ret)))
		tap_bail("cannot test mmap without a buffer");

	p = mmap(NULL, len + 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	tap_ok(p == MAP_FAILED && errno == EINVAL, "mmap one page beyond the size: EINVAL");
	if (p != MAP_FAILED)
		munmap(p, len + 4096);

	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, len - 4096);
	tap_ok(p == MAP_FAILED && errno == EINVAL,
	       "mmap at an offset that runs past the end: EINVAL");
	if (p != MAP_FAILED)
		munmap(p, 8192);

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, len);
	tap_ok(p == MAP_FAILED && errno == EINVAL, "mmap at an offset at the end: EINVAL");
	if (p != MAP_FAILED)
		munmap(p, 4096);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	tap_ok(p == MAP_FAILED && errno == EINVAL,
	       "private (copy-on-write) mmap: EINVAL");
	if (p != MAP_FAILED)
		munmap(p, len);

	/* A valid offset, across the 2 MiB chunk boundary, shows the right pages. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = mmap(NULL, 12 * KiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * MiB - 4096);
	if (p == MAP_FAILED || q == MAP_FAILED) {
		tap_ok(0, "mmap at an offset inside the buffer (%s)", strerror(errno));
	} else {
		fill_pattern(p, len, 7);
		tap_ok(!memcmp(q, p + 2 * MiB - 4096, 12 * KiB),
		       "mmap at an offset inside the buffer shows the pages at that offset");
	}
	if (p != MAP_FAILED)
		munmap(p, len);
	if (q != MAP_FAILED)
		munmap(q, 12 * KiB);
	close(fd);
}

int main(void)
{
	struct heap_stats before, after;
	struct dma_heap_allocation_data_v0 v0 = {};
	struct dma_heap_allocation_data data = {};
	long oom_before, total_kb;
	int heap_fd, fds;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	tap_plan(18);
	heap_fd = heap_open();
	heap_read_stats(&before);
	fds = count_fds();
	oom_before = vmstat("oom_kill");
	total_kb = meminfo_kb("MemTotal");

	expect_alloc_error(heap_fd, 0, O_RDWR, 0, EINVAL, "length 0");
	expect_alloc_error(heap_fd, (unsigned long long)total_kb * 1024 + 4096,
			   O_RDWR, 0, ENOMEM, "one page more than RAM");
	expect_alloc_error(heap_fd, 1ULL << 50, O_RDWR, 0, ENOMEM, "2^50 bytes");
	expect_alloc_error(heap_fd, 4096, O_RDWR | O_NONBLOCK, 0, EINVAL,
			   "fd_flags with O_NONBLOCK");
	expect_alloc_error(heap_fd, 4096, 0x80000000u, 0, EINVAL, "fd_flags bit 31");
	expect_alloc_error(heap_fd, 4096, O_RDWR, 1, EINVAL, "heap_flags 1");
	expect_alloc_error(heap_fd, 4096, O_RDWR, 1ULL << 63, EINVAL, "heap_flags bit 63");

	data.len = 4096;
	data.fd = 3;
	tap_ok(ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) && errno == EINVAL,
	       "a non-zero fd on input: EINVAL");

	v0.len = 4096;
	v0.fd_flags = O_RDWR | O_CLOEXEC;
	if (tap_ok(ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC_V0, &v0) == 0 && v0.fd > 0,
		   "the older, smaller struct still allocates"))
		close(v0.fd);

	test_mmap(heap_fd);

	heap_read_stats(&after);
	heap_print_stats("before", &before);
	heap_print_stats("after", &after);
	heap_ok_nothing_leaked(&before, "no buffer and no page leaked");
	tap_ok(count_fds() == fds, "no file descriptor leaked");
	tap_ok(vmstat("oom_kill") == oom_before && after.alloc_failures > before.alloc_failures,
	       "the failures were counted, and nothing was OOM-killed");
	close(heap_fd);
	heap_teardown();
	return tap_done();
}
