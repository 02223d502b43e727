// SPDX-License-Identifier: GPL-2.0
/*
 * Every libccshared call against real heaps in the guest: the kernel's
 * "system" heap (always there, and what development mode falls back to)
 * and ccshared's system_cc_shared (library.t loads it; without it the test
 * bails out).  TAP output.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "ccshared.h"
#include "tap.h"		/* tests/lib/tap.h */

#define HEAP_TESTS 26

/* fdinfo shows the dma-buf's name once DMA_BUF_SET_NAME took it. */
static bool fdinfo_has_name(int fd, const char *name)
{
	char path[64], line[256], want[128];
	bool found = false;
	FILE *file;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	snprintf(want, sizeof(want), "name:\t%s\n", name);
	file = fopen(path, "re");
	if (!file)
		return false;
	while (!found && fgets(line, sizeof(line), file))
		found = strcmp(line, want) == 0;
	fclose(file);
	return found;
}

struct map_race {
	struct ccshared_buf *buf;
	void *addr;
	int ret;
};

static void *map_in_thread(void *arg)
{
	struct map_race *race = arg;

	race->ret = ccshared_buf_map(race->buf, &race->addr);
	return NULL;
}

static size_t count_nonzero(const unsigned char *bytes, size_t len)
{
	size_t bad = 0;

	for (size_t i = 0; i < len; i++)
		bad += bytes[i] != 0;
	return bad;
}

static void test_heap(const char *name, bool with_stats)
{
	struct ccshared_stats before = { 0 }, during = { 0 }, after = { 0 };
	struct ccshared_buf *buf = NULL, *eager = NULL, *imported = NULL;
	struct map_race race[4];
	pthread_t threads[4];
	struct ccshared_heap *heap = NULL;
	unsigned char *bytes;
	void *addr = NULL;
	int ret, stats_ret = 0, fd;
	size_t i, bad;

	ret = ccshared_heap_open(name, 0, &heap);
	is_int(ret, 0, "%s: open", name);
	if (ret) {
		for (int i = 1; i < HEAP_TESTS; i++)
			tap_ok(false, "%s: not run, the heap did not open", name);
		return;
	}
	ok(strcmp(ccshared_heap_name(heap), name) == 0, "%s: heap name", name);
	ok(!ccshared_heap_is_fallback(heap), "%s: opened by name, not a fallback", name);

	/* The system heap's buffers must not show in these either. */
	stats_ret = ccshared_stats_read(NULL, &before);
	ret = ccshared_buf_alloc(heap, 4096 + 1, 0, &buf);
	is_int(ret, 0, "%s: allocate 4 KiB + 1", name);
	if (ret) {
		for (int i = 4; i < HEAP_TESTS; i++)
			tap_ok(false, "%s: not run, allocation failed", name);
		ccshared_heap_close(heap);
		return;
	}
	fd = ccshared_buf_fd(buf);
	ok(fd >= 0, "%s: the buffer has a dma-buf fd (%d)", name, fd);
	is_int(ccshared_buf_size(buf), 8192, "%s: the size is rounded up to 2 pages", name);
	ok(ccshared_buf_addr(buf) == NULL, "%s: lazy: not mapped before ccshared_buf_map", name);

	/* Four threads race to map it first; all must see one mapping. */
	for (i = 0; i < 4; i++) {
		race[i] = (struct map_race){ .buf = buf };
		pthread_create(&threads[i], NULL, map_in_thread, &race[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	for (bad = 0, i = 0; i < 4; i++)
		bad += race[i].ret != 0 || race[i].addr != race[0].addr;
	ok(!bad && race[0].addr, "%s: 4 threads mapping at once get one address", name);
	ret = ccshared_buf_map(buf, &addr);
	ok(!ret && addr == race[0].addr && addr == ccshared_buf_addr(buf),
	   "%s: mapping again returns the same address", name);
	bytes = addr;

	is_int(ccshared_buf_sync_begin(buf, CCSHARED_SYNC_READ), 0, "%s: sync begin read", name);
	is_int(count_nonzero(bytes, 8192), 0, "%s: a new buffer reads zero", name);
	is_int(ccshared_buf_sync_end(buf, CCSHARED_SYNC_READ), 0, "%s: sync end read", name);
	is_int(ccshared_buf_sync_begin(buf, CCSHARED_SYNC_WRITE), 0, "%s: sync begin write", name);
	for (i = 0; i < 8192; i++)
		bytes[i] = (unsigned char)(i ^ 0x5a);
	is_int(ccshared_buf_sync_end(buf, CCSHARED_SYNC_WRITE), 0, "%s: sync end write", name);
	is_int(ccshared_buf_sync_begin(buf, CCSHARED_SYNC_RW), 0, "%s: sync begin read-write", name);
	is_int(ccshared_buf_sync_end(buf, CCSHARED_SYNC_RW), 0, "%s: sync end read-write", name);
	is_int(ccshared_buf_sync_begin(buf, 0), -EINVAL, "%s: sync without direction: -EINVAL", name);

	is_int(ccshared_buf_set_name(buf, "ccshared-guest-test"), 0, "%s: set name", name);
	ok(fdinfo_has_name(fd, "ccshared-guest-test"), "%s: fdinfo shows the name", name);

	/* A second handle on the same dma-buf sees the same memory. */
	ret = ccshared_buf_import(dup(fd), &imported);
	is_int(ret, 0, "%s: import a dup of the fd", name);
	if (!ret && !ccshared_buf_map(imported, &addr)) {
		for (bad = 0, i = 0; i < 8192; i++)
			bad += ((unsigned char *)addr)[i] != (unsigned char)(i ^ 0x5a);
		ok(!bad && ccshared_buf_size(imported) == 8192,
		   "%s: the import maps the same bytes", name);
	} else {
		ok(0, "%s: the import maps the same bytes", name);
	}
	ccshared_buf_free(imported);

	ret = ccshared_buf_alloc(heap, 3 << 20, CCSHARED_BUF_MAP_EAGER, &eager);
	is_int(ret, 0, "%s: allocate 3 MiB, eagerly mapped", name);
	ok(!ret && ccshared_buf_addr(eager) && count_nonzero(ccshared_buf_addr(eager), 3 << 20) == 0,
	   "%s: eager: mapped at once and zero", name);

	if (!stats_ret)
		stats_ret = ccshared_stats_read(NULL, &during);
	if (with_stats) {
		ok(!stats_ret && during.buffers == before.buffers + 2 &&
		   during.bytes == before.bytes + 8192 + (3 << 20),
		   "%s: statistics count both buffers (%llu -> %llu buffers, %llu -> %llu bytes; %s)",
		   name, (unsigned long long)before.buffers, (unsigned long long)during.buffers,
		   (unsigned long long)before.bytes, (unsigned long long)during.bytes,
		   stats_ret ? strerror(-stats_ret) : "read");
	} else {
		ok(!stats_ret && during.buffers == before.buffers && during.bytes == before.bytes,
		   "%s: its buffers do not show in system_cc_shared's statistics (%s)", name,
		   stats_ret ? strerror(-stats_ret) : "read");
	}
	ccshared_buf_free(eager);
	ccshared_buf_free(buf);
	if (!stats_ret)
		stats_ret = ccshared_stats_read(NULL, &after);
	ok(!stats_ret && after.buffers == before.buffers && after.bytes == before.bytes,
	   "%s: statistics are back to %llu buffers after free (%s)", name,
	   (unsigned long long)before.buffers, stats_ret ? strerror(-stats_ret) : "read");
	is_int(ccshared_buf_alloc(heap, 0, 0, &buf), -EINVAL, "%s: allocating 0 bytes: -EINVAL", name);
	ccshared_heap_close(heap);
}

#define ACCESS_TESTS 7

/*
 * A dma-buf allocated read-only (or write-only), as another process may
 * hand one over: ccshared_buf_map() refuses it with -EACCES (the kernel's
 * generic mmap checks, before the heap is asked) and maps nothing.
 * Then the size limit: SIZE_MAX rounded down to a page reaches the heap
 * (which cannot supply it: -ENOMEM), one byte more is -EINVAL.  The
 * largest size is tried on system_cc_shared only: the system heap may
 * not fail such a size fast (measured on 7.3: it ran into the OOM killer).
 */
static void test_access(const char *name)
{
	static const struct {
		int flags;
		const char *what;
	} modes[] = {
		{ O_RDONLY, "read-only" },
		{ O_WRONLY, "write-only" },
		{ O_RDWR, "read-write" },
	};
	size_t max_size = SIZE_MAX - (size_t)sysconf(_SC_PAGESIZE) + 1;
	struct ccshared_heap *heap = NULL;
	struct ccshared_buf *buf;
	char path[64];
	void *addr;
	int heap_fd, ret;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", name);
	heap_fd = open(path, O_RDWR | O_CLOEXEC);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct dma_heap_allocation_data data = {
			.len = 65536,
			.fd_flags = modes[i].flags | O_CLOEXEC,
		};

		if (heap_fd < 0 || ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0 ||
		    ccshared_buf_import((int)data.fd, &buf)) {
			tap_ok(false, "%s: allocate 64 KiB %s: %s", name, modes[i].what,
			       strerror(errno));
			tap_ok(false, "%s: not run", name);
			continue;
		}
		addr = NULL;
		ret = ccshared_buf_map(buf, &addr);
		if (modes[i].flags == O_RDWR)
			ok(!ret && addr && addr == ccshared_buf_addr(buf),
			   "%s: a %s buffer maps (%d)", name, modes[i].what, ret);
		else
			is_int(ret, -EACCES, "%s: mapping a %s buffer: -EACCES", name,
			       modes[i].what);
		ok(modes[i].flags == O_RDWR || (!addr && !ccshared_buf_addr(buf)),
		   "%s: ... %s", name, modes[i].flags == O_RDWR ? "(control)" : "nothing is mapped");
		ccshared_buf_free(buf);
	}
	if (heap_fd >= 0)
		close(heap_fd);

	ret = ccshared_heap_open(name, 0, &heap);
	if (!ret)
		ret = ccshared_buf_alloc(heap, max_size + 1, 0, &buf);
	is_int(ret, -EINVAL, "%s: SIZE_MAX - page + 2 bytes: -EINVAL", name);
	if (strcmp(name, CCSHARED_HEAP_DEFAULT) == 0) {
		ret = heap ? ccshared_buf_alloc(heap, max_size, 0, &buf) : -EBADF;
		if (!ret)
			ccshared_buf_free(buf);
		is_int(ret, -ENOMEM, "%s: SIZE_MAX - page + 1 bytes reaches the heap: -ENOMEM", name);
	} else {
		tap_skip("by design: the system heap may not fail it fast (docs: upstream notes)", "%s: the largest size", name);
	}
	ccshared_heap_close(heap);
}

static void test_detect(bool heap_loaded)
{
	struct ccshared_platform_info info;
	struct utsname uts;

	is_int(ccshared_detect(NULL, &info), 0, "detect");
	uname(&uts);
	ok(info.platform == CCSHARED_PLATFORM_NONE,
	   "the test guest is no confidential guest (got %s: %s)",
	   ccshared_platform_name(info.platform), info.evidence);
	ok(strcmp(info.kernel_release, uts.release) == 0, "kernel release %s", info.kernel_release);
	ok(info.system_heap_present, "the system heap is seen");
	ok(info.heap_provider == (heap_loaded ? CCSHARED_HEAP_MODULE : CCSHARED_HEAP_MISSING),
	   "system_cc_shared is %s (got %s)", heap_loaded ? "served by ccshared_heap" : "missing",
	   ccshared_heap_provider_name(info.heap_provider));
}

static void test_development_mode(bool heap_loaded)
{
	struct ccshared_heap *heap = NULL;
	int ret;

	ret = ccshared_heap_open("ccshared-no-such-heap", 0, &heap);
	is_int(ret, -ENOENT, "a missing heap: -ENOENT");
	ret = ccshared_heap_open("ccshared-no-such-heap", CCSHARED_HEAP_DEVELOPMENT, &heap);
	is_int(ret, 0, "development mode falls back on a plain guest");
	ok(!ret && ccshared_heap_is_fallback(heap) &&
	   strcmp(ccshared_heap_name(heap), "system") == 0, "... to the system heap, and says so");
	ccshared_heap_close(ret ? NULL : heap);
	ret = ccshared_heap_open(NULL, CCSHARED_HEAP_DEVELOPMENT, &heap);
	is_int(ret, 0, "development mode with the default heap");
	ok(!ret && ccshared_heap_is_fallback(heap) == !heap_loaded,
	   "... uses system_cc_shared when it is there, the system heap when not (%s)",
	   ret ? "-" : ccshared_heap_name(heap));
	ccshared_heap_close(ret ? NULL : heap);
}

/* Can get_user_pages() reach @len bytes at @addr (process_vm_readv)? */
static int gup_read(void *addr, size_t len)
{
	unsigned char *copy = malloc(len);
	struct iovec local = { .iov_base = copy, .iov_len = len };
	struct iovec remote = { .iov_base = addr, .iov_len = len };
	ssize_t n;
	int ret;

	if (!copy)
		return -ENOMEM;
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	ret = n < 0 ? -errno : memcmp(copy, addr, len) ? -EIO : 0;
	free(copy);
	return ret;
}

/* ccshared_buf_allow_pin(): pinnable mappings (heap/pin.c). */
static void test_allow_pin(void)
{
	struct ccshared_heap *heap = NULL, *sys = NULL;
	struct ccshared_buf *buf = NULL, *mapped = NULL, *other = NULL;
	void *addr = NULL;

	is_int(ccshared_buf_allow_pin(NULL), -EINVAL, "allow_pin(NULL): -EINVAL");
	if (ccshared_heap_open(NULL, 0, &heap) || ccshared_buf_alloc(heap, 65536, 0, &buf) ||
	    ccshared_buf_alloc(heap, 4096, CCSHARED_BUF_MAP_EAGER, &mapped))
		tap_bail("cannot allocate from system_cc_shared");
	ok(ccshared_buf_map(mapped, &addr) == 0 && gup_read(addr, 4096) == -EFAULT,
	   "a default mapping refuses get_user_pages (EFAULT)");
	is_int(ccshared_buf_allow_pin(mapped), -EBUSY, "allow_pin on a mapped buffer: -EBUSY");
	is_int(ccshared_buf_allow_pin(buf), 0, "allow_pin before the mapping");
	ok(ccshared_buf_map(buf, &addr) == 0 && memset(addr, 0x5a, 65536) &&
	   gup_read(addr, 65536) == 0, "... then get_user_pages reads what the mapping wrote");
	if (ccshared_heap_open("system", 0, &sys) || ccshared_buf_alloc(sys, 4096, 0, &other))
		tap_bail("cannot allocate from the system heap");
	is_int(ccshared_buf_allow_pin(other), -EINVAL, "allow_pin on a system-heap buffer: -EINVAL");
	ccshared_buf_free(other);
	ccshared_buf_free(mapped);
	ccshared_buf_free(buf);
	ccshared_heap_close(sys);
	ccshared_heap_close(heap);
}

int main(void)
{
	if (access("/dev/dma_heap/system_cc_shared", F_OK))
		tap_bail("/dev/dma_heap/system_cc_shared is missing (library.t loads ccshared_heap)");
	test_detect(true);
	test_development_mode(true);
	test_heap("system", false);
	test_access("system");
	test_heap("system_cc_shared", true);
	test_access("system_cc_shared");
	test_allow_pin();
	return tap_done();
}
