// SPDX-License-Identifier: GPL-2.0
/* Shared helpers of the heap's guest tests; see heaptest.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "heaptest.h"

bool heap_is_misc(void)
{
	return access("/sys/class/misc/system_cc_shared", F_OK) == 0;
}

int heap_setup(void)
{
	char buf[16];

	if (access("/sys/module/ccshared_heap", F_OK) == 0) {
		/* Added with dma_heap_add by an earlier test: still here. */
		if (read_file("/sys/module/ccshared_heap/parameters/test_importer",
			      buf, sizeof(buf)) < 0 || buf[0] != 'Y')
			tap_bail("ccshared_heap is loaded, but not with " HEAP_LOAD_ARGS);
		heap_plant_leak_if_asked();
		return 0;
	}
	if (system("ccshared-load ccshared_heap " HEAP_LOAD_ARGS " >&2"))
		return -1;
	if (access(HEAP_PATH, F_OK))
		return -1;
	heap_plant_leak_if_asked();
	return 0;
}

void heap_teardown(void)
{
	/* Leave a heap that stays loaded as the next test expects it. */
	heap_debugfs_write("fail_share", "0");
	heap_debugfs_write("fail_unshare", "0");
	heap_set_param("pool_max_mb", "64");
	heap_set_param("compat_dma_map", "0");
	if (heap_is_misc() && system("rmmod ccshared_heap >&2"))
		tap_diag("rmmod ccshared_heap failed");
}

int heap_open(void)
{
	int fd = open(HEAP_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		tap_bail("cannot open %s: %s", HEAP_PATH, strerror(errno));
	return fd;
}

int heap_alloc(int heap_fd, unsigned long long len, unsigned int fd_flags,
	       unsigned long long heap_flags, int *dmabuf_fd)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data))
		return -errno;
	*dmabuf_fd = data.fd;
	return 0;
}

int dmabuf_sync(int dmabuf_fd, unsigned long long flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(dmabuf_fd, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

int heap_debugfs_write(const char *name, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), HEAP_DEBUGFS "/%s", name);
	return write_file(path, value);
}

int heap_drain_pool(void)
{
	return heap_debugfs_write("drain_pool", "1");
}

int heap_set_param(const char *name, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/ccshared_heap/parameters/%s", name);
	return write_file(path, value);
}

int heap_read_stats(struct heap_stats *st)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{ "buffers", offsetof(struct heap_stats, buffers) },
		{ "bytes", offsetof(struct heap_stats, bytes) },
		{ "conversions_to_shared", offsetof(struct heap_stats, conversions_to_shared) },
		{ "conversions_to_private", offsetof(struct heap_stats, conversions_to_private) },
		{ "leaked_pages", offsetof(struct heap_stats, leaked_pages) },
		{ "pool_pages", offsetof(struct heap_stats, pool_pages) },
		{ "alloc_failures", offsetof(struct heap_stats, alloc_failures) },
		{ "taken_pages", offsetof(struct heap_stats, taken_pages) },
		{ "returned_pages", offsetof(struct heap_stats, returned_pages) },
		{ "buffer_pages", offsetof(struct heap_stats, buffer_pages) },
	};
	char name[64], line[128];
	unsigned int found = 0;
	long value;
	size_t i;
	FILE *f;

	f = fopen(HEAP_DEBUGFS "/stats", "re");
	if (!f)
		tap_bail("cannot read " HEAP_DEBUGFS "/stats: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %ld", name, &value) != 2)
			tap_bail("stats: bad line '%s'", line);
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			if (!strcmp(name, fields[i].name)) {
				*(long *)((char *)st + fields[i].offset) = value;
				found |= 1u << i;
			}
		}
	}
	fclose(f);
	if (found != (1u << (sizeof(fields) / sizeof(fields[0]))) - 1)
		tap_bail("stats: a field is missing");
	return 0;
}

void heap_print_stats(const char *when, const struct heap_stats *st)
{
	tap_diag("%s: buffers %ld bytes %ld to_shared %ld to_private %ld leaked %ld pool %ld failures %ld",
		 when, st->buffers, st->bytes, st->conversions_to_shared,
		 st->conversions_to_private, st->leaked_pages, st->pool_pages,
		 st->alloc_failures);
	tap_diag("%s: pages taken %ld returned %ld leaked %ld pooled %ld in buffers %ld: %ld unaccounted",
		 when, st->taken_pages, st->returned_pages, st->leaked_pages, st->pool_pages,
		 st->buffer_pages, heap_pages_unaccounted(st));
}

long heap_pages_unaccounted(const struct heap_stats *st)
{
	return st->taken_pages - st->returned_pages - st->leaked_pages - st->pool_pages -
	       st->buffer_pages;
}

bool heap_ok_nothing_leaked(const struct heap_stats *before, const char *fmt, ...)
{
	long page_size = sysconf(_SC_PAGESIZE);
	struct heap_stats now;
	char desc[256];
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	heap_read_stats(&now);
	ok = heap_pages_unaccounted(&now) == 0 && now.buffers == before->buffers &&
	     now.bytes == before->bytes && now.buffer_pages * page_size == now.bytes &&
	     now.leaked_pages == before->leaked_pages;
	tap_ok(ok, "%s (%ld pages unaccounted for)", desc, heap_pages_unaccounted(&now));
	if (!ok) {
		heap_print_stats("before", before);
		heap_print_stats("now", &now);
	}
	return ok;
}

void heap_plant_leak_if_asked(void)
{
	const char *plant = getenv("HEAPTEST_PLANT_LEAK");
	int heap_fd, fd;

	if (!plant || strcmp(plant, "1"))
		return;
	if (heap_debugfs_write("plant_leak", "1"))
		tap_bail("HEAPTEST_PLANT_LEAK: cannot write " HEAP_DEBUGFS "/plant_leak "
			 "(the heap needs test_importer=1)");
	heap_fd = heap_open();
	if (heap_alloc(heap_fd, 4 * KiB, O_RDWR | O_CLOEXEC, 0, &fd))
		tap_bail("HEAPTEST_PLANT_LEAK: cannot allocate 4 KiB");
	close(fd);
	close(heap_fd);
	tap_diag("HEAPTEST_PLANT_LEAK: planted the leak of one chunk of a 4 KiB buffer");
}

long meminfo_kb(const char *field)
{
	char line[128];
	size_t n = strlen(field);
	long value = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, n) && line[n] == ':') {
			value = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return value;
}

/*
 * Free memory in KiB: MemFree plus the pages parked on the per-CPU lists
 * (/proc/zoneinfo "count:"), which MemFree leaves out; freed 2 MiB chunks
 * land there, so MemFree alone can look like a leak that is not one.
 */
long free_memory_kb(void)
{
	long pcp = 0, n, page_kb = sysconf(_SC_PAGESIZE) / 1024;
	char line[256];
	FILE *f;

	f = fopen("/proc/zoneinfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pcp += n;
	fclose(f);
	return meminfo_kb("MemFree") + pcp * page_kb;
}

/*
 * Mark every page with its index and @seed in its first word, and fill
 * the rest with a byte: catches pages mapped in the wrong order as well
 * as lost writes, at memset speed (tests run under TCG).
 */
void fill_pattern(unsigned char *p, size_t len, unsigned int seed)
{
	size_t off;

	memset(p, (unsigned char)seed, len);
	for (off = 0; off + sizeof(unsigned long long) <= len; off += 4096) {
		unsigned long long mark = ((unsigned long long)seed << 40) | (off / 4096);

		memcpy(p + off, &mark, sizeof(mark));
	}
}

bool check_pattern(const unsigned char *p, size_t len, unsigned int seed)
{
	static unsigned char block[4096];
	size_t off, n;

	memset(block, (unsigned char)seed, sizeof(block));
	for (off = 0; off < len; off += n) {
		unsigned long long mark = ((unsigned long long)seed << 40) | (off / 4096);
		size_t skip = sizeof(mark);

		n = len - off < 4096 ? len - off : 4096;
		if (n < skip)
			skip = n;
		else if (memcmp(p + off, &mark, sizeof(mark)))
			return false;
		if (memcmp(p + off + skip, block, n - skip))
			return false;
	}
	return true;
}

bool all_zero(const unsigned char *p, size_t len)
{
	static const unsigned char zero[65536];
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = len - off < sizeof(zero) ? len - off : sizeof(zero);
		if (memcmp(p + off, zero, n))
			return false;
	}
	return true;
}

int heap_import(int fd, int bits, const char *options, char *result, size_t size)
{
	char cmd[128];
	int ret;

	snprintf(cmd, sizeof(cmd), "%d %d %s", fd, bits, options);
	result[0] = '\0';
	ret = heap_debugfs_write("import_test", cmd);
	if (ret)
		return ret;
	if (read_file(HEAP_DEBUGFS "/import_test", result, size) < 0)
		return -EIO;
	result[strcspn(result, "\n")] = '\0';
	return 0;
}

int klog_count(const char *text)
{
	char line[1024];
	FILE *f;
	int n = 0;

	f = popen("dmesg", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, text) != NULL;
	pclose(f);
	return n;
}

long swiotlb_used(void)
{
	char buf[32];

	if (read_file("/sys/kernel/debug/swiotlb/io_tlb_used", buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

int heap_buffer_phys(int fd, unsigned long long *lo, unsigned long long *hi)
{
	char result[128], *phys;
	int ret;

	ret = heap_import(fd, 64, "", result, sizeof(result));
	if (ret)
		return ret;
	phys = strstr(result, "phys=");
	if (!phys || sscanf(phys, "phys=%llx-%llx", lo, hi) != 2)
		return -EPROTO;
	return 0;
}

int heap_drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[0].effective &= ~(1U << CAP_SYS_ADMIN);
	return syscall(SYS_capset, &hdr, data) ? -1 : 0;
}
