// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Error paths that need no real heap: a missing heap, development mode's
 * fallback and its refusal in a confidential guest, bad arguments, a heap
 * whose fd was closed underneath it, and buffer calls on fds that are not
 * dma-bufs (memfd) or are closed.  Statistics parsing from fixtures.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ccshared.h"
#include "tap.h"		/* tests/lib/tap.h */

static char root_none[PATH_MAX], root_tdx[PATH_MAX], root_empty[PATH_MAX], root_snp[PATH_MAX];

/* The number the next open() will get: the lowest free fd. */
static int next_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

static void heap_errors(void)
{
	size_t max_size = SIZE_MAX - (size_t)sysconf(_SC_PAGESIZE) + 1;
	struct ccshared_heap *heap = NULL;
	struct ccshared_buf *buf = NULL;
	int fd;

	is_int(ccshared_heap_open_at(root_empty, NULL, 0, &heap), -ENOENT,
	       "the default heap missing gives -ENOENT");
	ok(heap == NULL, "... and leaves the result alone");
	is_int(ccshared_heap_open_at(root_empty, NULL, CCSHARED_HEAP_DEVELOPMENT, &heap), -ENOENT,
	       "development mode without a system heap gives -ENOENT");
	is_int(ccshared_heap_open_at(root_tdx, "nonexistent", CCSHARED_HEAP_DEVELOPMENT, &heap),
	       -ENOENT, "development mode refuses the fallback in a TDX guest");
	is_int(ccshared_heap_open_at(root_none, "a/b", 0, &heap), -EINVAL, "a name with '/'");
	is_int(ccshared_heap_open_at(root_none, "", 0, &heap), -EINVAL, "an empty name");
	is_int(ccshared_heap_open_at(root_none, ".", 0, &heap), -EINVAL, "the name '.'");
	is_int(ccshared_heap_open_at(root_none, "..", 0, &heap), -EINVAL, "the name '..'");
	is_int(ccshared_heap_open_at(root_none, "...", 0, &heap), -ENOENT,
	       "the name '...' is a name (-ENOENT: no such heap)");
	is_int(ccshared_heap_open_at(root_none, "../system", 0, &heap), -EINVAL,
	       "the name '../system'");
	is_int(ccshared_heap_open_at(root_none, NULL, 1u << 7, &heap), -EINVAL, "unknown flags");
	is_int(ccshared_heap_open_at(root_none, NULL, 0, NULL), -EINVAL, "a NULL result");

	is_int(ccshared_heap_open_at(root_none, NULL, CCSHARED_HEAP_DEVELOPMENT, &heap), 0,
	       "development mode on a plain machine falls back");
	if (!heap) {
		ok(0, "fallback heap handle");
		ok(0, "fallback heap name");
		return;
	}
	ok(ccshared_heap_is_fallback(heap), "... and says so");
	ok(strcmp(ccshared_heap_name(heap), "system") == 0, "... naming the system heap");
	is_int(ccshared_buf_alloc(heap, 0, 0, &buf), -EINVAL, "allocating 0 bytes");
	is_int(ccshared_buf_alloc(heap, 4096, 1u << 9, &buf), -EINVAL, "unknown buffer flags");
	/* The fixture's "heap" is a plain file: the ioctl is not understood. */
	is_int(ccshared_buf_alloc(heap, 4096, 0, &buf), -ENOTTY,
	       "a device that is not a heap gives -ENOTTY");
	ok(buf == NULL, "... and no buffer");
	/*
	 * The largest size is SIZE_MAX rounded down to a page: it reaches the
	 * ioctl (-ENOTTY here); one byte more would wrap in the kernel's page
	 * rounding, and is refused before it.
	 */
	is_int(ccshared_buf_alloc(heap, max_size - 1, 0, &buf), -ENOTTY,
	       "size SIZE_MAX - page: reaches the heap");
	is_int(ccshared_buf_alloc(heap, max_size, 0, &buf), -ENOTTY,
	       "size SIZE_MAX - page + 1 (the largest): reaches the heap");
	is_int(ccshared_buf_alloc(heap, max_size + 1, 0, &buf), -EINVAL,
	       "size SIZE_MAX - page + 2: -EINVAL");
	is_int(ccshared_buf_alloc(heap, SIZE_MAX, 0, &buf), -EINVAL, "size SIZE_MAX: -EINVAL");
	ccshared_heap_close(heap);

	fd = next_fd();
	is_int(ccshared_heap_open_at(root_snp, NULL, 0, &heap), 0, "opening a present heap");
	ok(heap && !ccshared_heap_is_fallback(heap), "... is not a fallback");
	close(fd);	/* pull the heap's fd out from under it */
	is_int(ccshared_buf_alloc(heap, 4096, 0, &buf), -EBADF,
	       "allocating from a heap whose fd was closed gives -EBADF");
	ccshared_heap_close(heap);	/* closes a closed fd: harmless */
}

static void buf_errors(void)
{
	struct ccshared_buf *buf = NULL;
	unsigned char *bytes;
	void *addr, *again;
	int fd;

	is_int(ccshared_buf_import(-1, &buf), -EINVAL, "importing fd -1");
	fd = next_fd();
	is_int(ccshared_buf_import(fd, &buf), -EBADF, "importing a closed fd gives -EBADF");

	fd = memfd_create("ccshared-test", MFD_CLOEXEC);
	ok(fd >= 0 && ftruncate(fd, 3 * 4096) == 0, "a memfd stands in for a dma-buf");
	is_int(ccshared_buf_import(fd, &buf), 0, "importing it");
	is_int(ccshared_buf_size(buf), 3 * 4096, "its size comes from the fd");
	ok(ccshared_buf_addr(buf) == NULL, "it is not mapped until asked");
	is_int(ccshared_buf_map(buf, &addr), 0, "mapping it");
	is_int(ccshared_buf_map(buf, &again), 0, "mapping it again");
	ok(addr == again && addr == ccshared_buf_addr(buf), "... returns the same address");
	bytes = addr;
	bytes[0] = 1;
	bytes[3 * 4096 - 1] = 2;
	ok(bytes[0] == 1 && bytes[3 * 4096 - 1] == 2, "the whole mapping is usable");
	is_int(ccshared_buf_sync_begin(buf, CCSHARED_SYNC_READ), -ENOTTY,
	       "sync on a non-dma-buf gives -ENOTTY");
	is_int(ccshared_buf_sync_begin(buf, 0), -EINVAL, "sync without a direction");
	is_int(ccshared_buf_sync_end(buf, 1u << 5), -EINVAL, "sync with an unknown direction");
	is_int(ccshared_buf_set_name(buf, "0123456789012345678901234567890123"), -EINVAL,
	       "a name longer than 31 bytes");
	is_int(ccshared_buf_set_name(buf, NULL), -EINVAL, "a NULL name");
	close(ccshared_buf_fd(buf));	/* the fd is closed underneath */
	is_int(ccshared_buf_sync_begin(buf, CCSHARED_SYNC_RW), -EBADF,
	       "sync on a closed fd gives -EBADF");
	is_int(ccshared_buf_set_name(buf, "x"), -EBADF, "naming a closed fd gives -EBADF");
	ccshared_buf_free(buf);
	/* Allowed, and no-ops: a crash here fails the test before its plan. */
	ccshared_buf_free(NULL);
	ccshared_heap_close(NULL);
}

/*
 * ccshared_buf_map() maps read-write: an fd open read-only or write-only is
 * refused with -EACCES and nothing is mapped; read-write maps.  A memfd
 * reopened through /proc stands in for a dma-buf in each access mode.
 */
static void access_modes(void)
{
	static const struct {
		int flags;
		int want;
		const char *name;
	} modes[] = {
		{ O_RDONLY, -EACCES, "read-only" },
		{ O_WRONLY, -EACCES, "write-only" },
		{ O_RDWR, 0, "read-write" },
	};
	struct ccshared_buf *buf;
	char path[64];
	void *addr;
	int memfd, fd;

	memfd = memfd_create("ccshared-access", MFD_CLOEXEC);
	ok(memfd >= 0 && ftruncate(memfd, 4096) == 0, "a memfd for the access modes");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
		fd = open(path, modes[i].flags | O_CLOEXEC);
		if (fd < 0 || ccshared_buf_import(fd, &buf)) {
			ok(0, "import the memfd %s", modes[i].name);
			ok(0, "... not run");
			continue;
		}
		addr = NULL;
		is_int(ccshared_buf_map(buf, &addr), modes[i].want, "map a buffer open %s",
		       modes[i].name);
		ok((modes[i].want == 0) == (addr != NULL && addr == ccshared_buf_addr(buf)),
		   "... %s", modes[i].want ? "and nothing is mapped" : "and it is mapped");
		ccshared_buf_free(buf);
	}
	close(memfd);
}

/* Lazy mapping from many threads at once: one address, one mapping. */
#define MAP_THREADS 8

static pthread_barrier_t map_barrier;

static void *map_worker(void *arg)
{
	void *addr = NULL;

	pthread_barrier_wait(&map_barrier);
	if (ccshared_buf_map(arg, &addr))
		return NULL;
	return addr;
}

/* How many mappings of the memfd named 'name' /proc/self/maps lists. */
static int count_mappings(const char *name)
{
	char line[512];
	FILE *maps;
	int n = 0;

	maps = fopen("/proc/self/maps", "re");
	if (!maps)
		return -1;
	while (fgets(line, sizeof(line), maps))
		n += strstr(line, name) != NULL;
	fclose(maps);
	return n;
}

static void concurrent_map(void)
{
	pthread_t threads[MAP_THREADS];
	void *addrs[MAP_THREADS];
	struct ccshared_buf *buf;
	int fd, i, started = 0, same = 0;

	fd = memfd_create("ccshared-map-race", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 16 * 4096) || ccshared_buf_import(fd, &buf)) {
		ok(0, "a memfd buffer for the mapping race");
		return;
	}
	pthread_barrier_init(&map_barrier, NULL, MAP_THREADS);
	for (i = 0; i < MAP_THREADS; i++)
		started += pthread_create(&threads[i], NULL, map_worker, buf) == 0;
	for (i = 0; i < MAP_THREADS; i++) {
		addrs[i] = NULL;
		pthread_join(threads[i], &addrs[i]);
	}
	pthread_barrier_destroy(&map_barrier);
	for (i = 0; i < MAP_THREADS; i++)
		same += addrs[i] && addrs[i] == ccshared_buf_addr(buf);
	is_int(started, MAP_THREADS, "%d threads map one buffer at once", MAP_THREADS);
	is_int(same, MAP_THREADS, "... and all get the same address");
	is_int(count_mappings("ccshared-map-race"), 1, "... from one mapping: the losers unmapped theirs");
	ccshared_buf_free(buf);
	is_int(count_mappings("ccshared-map-race"), 0, "freeing the buffer unmaps it");
}

static void stats(void)
{
	struct ccshared_stats stats;

	memset(&stats, 0xff, sizeof(stats));
	is_int(ccshared_stats_read(root_none, &stats), -ENOENT,
	       "statistics without the module give -ENOENT");
	is_int(ccshared_stats_read(root_snp, &stats), 0, "statistics from the fixture");
	ok(stats.buffers == 2 && stats.bytes == 8192 && stats.conversions_to_shared == 5 &&
	   stats.conversions_to_private == 3 && stats.leaked_pages == 1 &&
	   stats.pool_pages == 512 && stats.alloc_failures == 4,
	   "... every field, unknown counters skipped");
	is_int(ccshared_stats_read(root_snp, NULL), -EINVAL, "a NULL result");
}

int main(int argc, char **argv)
{
	const char *testdata = argc > 1 ? argv[1] : "testdata";

	snprintf(root_none, sizeof(root_none), "%s/none", testdata);
	snprintf(root_tdx, sizeof(root_tdx), "%s/tdx", testdata);
	snprintf(root_empty, sizeof(root_empty), "%s/empty", testdata);
	snprintf(root_snp, sizeof(root_snp), "%s/sev-snp", testdata);
	heap_errors();
	buf_errors();
	access_modes();
	concurrent_map();
	stats();
	return tap_done();
}
