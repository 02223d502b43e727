// SPDX-License-Identifier: GPL-2.0
/* Shared helpers of the ccshared_edu guest tests; see edutest.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "edutest.h"

int kernel_major(void)
{
	struct utsname u;

	if (uname(&u))
		return -1;
	return atoi(u.release);
}

void bounce_model_required(bool system_heap)
{
	if (kernel_major() != 6)
		tap_skip_all(TAP_BY_DESIGN "swiotlb=force models a 6.12 CoCo guest only (7.x: tests/guest/edu)");
	/* The part boots with swiotlb=force: both must be there. */
	if (swiotlb_used_slots() < 0)
		tap_bail("no swiotlb debugfs (is debugfs mounted, and swiotlb=force given?)");
	if (system_heap && access("/dev/dma_heap/" SYS_HEAP, F_OK))
		tap_bail("no system heap (Debian's kernels have one)");
}

int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	status = system(cmd);
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
}

/*
 * The heap cannot be unloaded on 7.x, so it is loaded once per boot and
 * shared by the part's tests.  On 6.12 its compat path (its own direct
 * mapping of shared memory) is what a CoCo guest uses; it is a writable
 * parameter.
 */
void heap_ensure(bool compat_dma_map)
{
	if (access("/dev/dma_heap/" CC_HEAP, F_OK) &&
	    run("ccshared-load ccshared_heap force_non_coco=1 test_importer=1 >/dev/null 2>&1"))
		tap_bail("cannot load ccshared_heap");
	if (write_str("/sys/module/ccshared_heap/parameters/compat_dma_map",
		      compat_dma_map ? "1" : "0"))
		tap_bail("cannot set ccshared_heap compat_dma_map");
}

void edu_load(const char *params)
{
	if (run("ccshared-load ccshared_edu %s", params))
		tap_bail("cannot load ccshared_edu %s", params);
	if (access("/dev/ccshared_edu0", F_OK))
		tap_bail("ccshared_edu loaded but /dev/ccshared_edu0 is missing");
}

int edu_unload(void)
{
	return run("rmmod ccshared_edu");
}

void emul_load(void)
{
	if (run("ccshared-load ccshared_coco_emul"))
		tap_bail("cannot load ccshared_coco_emul");
}

void emul_unload(void)
{
	run("rmmod ccshared_coco_emul");
}

void fake_exporter_load(void)
{
	if (run("ccshared-load ccshared_fake_exporter"))
		tap_bail("cannot load ccshared_fake_exporter");
}

void fake_exporter_unload(void)
{
	run("rmmod ccshared_fake_exporter");
}

static long read_long(const char *path, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t k = key ? strlen(key) : 0;

		if (!key) {
			v = strtol(line, NULL, 0);
			break;
		}
		if (!strncmp(line, key, k) && line[k] == ':') {
			v = strtol(line + k + 1, NULL, 0);
			break;
		}
	}
	fclose(f);
	return v;
}

long module_param_value(const char *module, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module, name);
	return read_long(path, NULL);
}

long swiotlb_used_slots(void)
{
	return read_long("/sys/kernel/debug/swiotlb/io_tlb_used", NULL);
}

long swiotlb_nslabs(void)
{
	return read_long("/sys/kernel/debug/swiotlb/io_tlb_nslabs", NULL);
}

long heap_stat(const char *name)
{
	return read_long("/sys/kernel/debug/ccshared_heap/stats", name);
}

bool dmesg_contains(const char *needle)
{
	/* Through the environment: the needle may hold quotes. */
	if (setenv("EDUTEST_NEEDLE", needle, 1))
		return false;
	return run("dmesg | grep -qF -- \"$EDUTEST_NEEDLE\"") == 0;
}

void dmesg_clear(void)
{
	run("dmesg -C");
}

long edu_irq_count(int n)
{
	char line[512], name[32];
	long count = -1;
	FILE *f;

	snprintf(name, sizeof(name), "ccshared_edu%d", n);
	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -1;
	while (count < 0 && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *end;
		size_t len = strcspn(line, "\n");
		size_t nlen = strlen(name);

		/* "IRQ: <count per CPU> <chip> <hwirq> <type> <name>" */
		if (!p || len <= nlen || strncmp(line + len - nlen, name, nlen) ||
		    line[len - nlen - 1] != ' ')
			continue;
		count = 0;
		for (p++;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			count += v;
		}
	}
	fclose(f);
	return count;
}

static int alloc_from(const char *path, size_t len)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, DMA_HEAP_IOCTL_ALLOC, &data);
	ret = ret < 0 ? -errno : (int)data.fd;
	close(fd);
	return ret;
}

int heap_alloc(const char *heap, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	return alloc_from(path, len);
}

int fake_alloc(size_t len)
{
	return alloc_from("/dev/ccshared_fake_exporter", len);
}

int heap_revoke(int dmabuf)
{
	char value[16];

	snprintf(value, sizeof(value), "%d", dmabuf);
	return write_str("/sys/kernel/debug/ccshared_heap/revoke", value);
}

void *buf_map(int dmabuf, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);

	return p == MAP_FAILED ? NULL : p;
}

int buf_sync(int dmabuf, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

int edu_open(int n)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/ccshared_edu%d", n);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int edu_attach(int dev, int dmabuf, uint32_t *handle)
{
	struct ccshared_edu_attach a = { .fd = dmabuf };

	if (ioctl(dev, CCSHARED_EDU_IOCTL_ATTACH, &a))
		return -errno;
	*handle = a.handle;
	return 0;
}

int edu_detach(int dev, uint32_t handle)
{
	struct ccshared_edu_detach d = { .handle = handle };

	return ioctl(dev, CCSHARED_EDU_IOCTL_DETACH, &d) ? -errno : 0;
}

int edu_dma(int dev, uint32_t handle, uint32_t dir, uint64_t off, uint64_t len)
{
	struct ccshared_edu_dma d = {
		.handle = handle, .direction = dir, .offset = off, .length = len,
	};

	return ioctl(dev, CCSHARED_EDU_IOCTL_DMA, &d) ? -errno : 0;
}

int edu_info(int dev, uint32_t handle, struct ccshared_edu_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return ioctl(dev, CCSHARED_EDU_IOCTL_INFO, info) ? -errno : 0;
}

void edu_print_info(const char *what, const struct ccshared_edu_info *info)
{
	tap_diag("%s: %llu bytes, %u segments, %llu mapped, %s%s%s%s, map %.1f us",
		 what, (unsigned long long)info->size, info->nr_segments,
		 (unsigned long long)info->mapped_len,
		 info->flags & CCSHARED_EDU_INFO_BOUNCED ? "bounced" : "direct",
		 info->flags & CCSHARED_EDU_INFO_SHARED ? ", shared" : "",
		 info->flags & CCSHARED_EDU_INFO_UNENCRYPTED ? ", device needs unencrypted DMA" : "",
		 info->flags & CCSHARED_EDU_INFO_REVOKED ? ", revoked" : "",
		 info->map_ns / 1000.0);
}

void fill_pattern(unsigned char *p, size_t len, unsigned int seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = x >> 16;
	}
}

bool check_pattern(const unsigned char *p, size_t len, unsigned int seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		if (p[i] != (unsigned char)(x >> 16)) {
			tap_diag("byte %zu: got 0x%02x, want 0x%02x", i, p[i],
				 (unsigned char)(x >> 16));
			return false;
		}
	}
	return true;
}

#define GUARD 64

static bool guards_are(const unsigned char *map, size_t size, uint64_t off,
		       uint64_t len, unsigned char v)
{
	uint64_t lo = off > GUARD ? off - GUARD : 0;
	uint64_t hi = off + len + GUARD < size ? off + len + GUARD : size;
	uint64_t i;

	for (i = lo; i < hi; i++) {
		if (i >= off && i < off + len)
			continue;
		if (map[i] != v) {
			tap_diag("guard byte at %llu changed to 0x%02x",
				 (unsigned long long)i, map[i]);
			return false;
		}
	}
	return true;
}

bool round_trip(int dev, uint32_t handle, int dmabuf, unsigned char *map,
		size_t size, uint64_t off, uint64_t len, unsigned int seed)
{
	uint64_t lo = off > GUARD ? off - GUARD : 0;
	uint64_t hi = off + len + GUARD < size ? off + len + GUARD : size;
	int ret;

	/* CPU writes: the pattern, and guard bytes around it. */
	buf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	memset(map + lo, 0x5a, hi - lo);
	fill_pattern(map + off, len, seed);
	buf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);

	ret = edu_dma(dev, handle, CCSHARED_EDU_TO_DEVICE, off, len);
	if (ret) {
		tap_diag("DMA to the device at %llu+%llu: %s", (unsigned long long)off,
			 (unsigned long long)len, strerror(-ret));
		return false;
	}

	/* Clear it, so that only the device can bring the pattern back. */
	buf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	memset(map + off, 0, len);
	buf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);

	ret = edu_dma(dev, handle, CCSHARED_EDU_FROM_DEVICE, off, len);
	if (ret) {
		tap_diag("DMA from the device at %llu+%llu: %s", (unsigned long long)off,
			 (unsigned long long)len, strerror(-ret));
		return false;
	}

	buf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	ret = check_pattern(map + off, len, seed) &&
	      guards_are(map, size, off, len, 0x5a);
	buf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	return ret;
}
