// SPDX-License-Identifier: GPL-2.0
/*
 * Test 4: the pool of shared chunks.  A freed buffer's chunks stay shared
 * and the next allocation reuses them without a conversion, zeroed again.
 * The pool keeps to pool_max_mb, drain_pool empties it, and so does the
 * shrinker, both through drop_caches and under real memory pressure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heaptest.h"

#define PAGES(bytes) ((long)((bytes) / 4096))

/* Allocate @len, map it, fill it with @seed; returns the fd or -1. */
static int alloc_filled(int heap_fd, size_t len, unsigned int seed)
{
	unsigned char *p;
	int fd;

	if (heap_alloc(heap_fd, len, O_RDWR | O_CLOEXEC, 0, &fd))
		return -1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -1;
	}
	fill_pattern(p, len, seed);
	munmap(p, len);
	return fd;
}

static bool reads_zero(int fd, size_t len)
{
	unsigned char *p;
	bool zero;

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return false;
	zero = all_zero(p, len);
	munmap(p, len);
	return zero;
}

static void test_reuse(int heap_fd)
{
	struct heap_stats a, b, c;
	int fd;

	heap_drain_pool();
	heap_read_stats(&a);
	fd = alloc_filled(heap_fd, 4 * MiB, 0x5a);
	tap_ok(fd >= 0, "allocate and fill 4 MiB");
	close(fd);
	heap_read_stats(&b);
	tap_ok(b.pool_pages == a.pool_pages + PAGES(4 * MiB) &&
	       b.conversions_to_private == a.conversions_to_private,
	       "freed, it went to the pool still shared (pool %ld pages)", b.pool_pages);

	if (heap_alloc(heap_fd, 4 * MiB, O_RDWR | O_CLOEXEC, 0, &fd)) {
		tap_ok(0, "allocate 4 MiB again");
		tap_ok(0, "the reused memory reads as zeros (not run: no buffer)");
		return;
	}
	heap_read_stats(&c);
	tap_ok(c.conversions_to_shared == b.conversions_to_shared &&
	       c.pool_pages == b.pool_pages - PAGES(4 * MiB),
	       "allocating again took the pool's chunks without a conversion");
	tap_ok(reads_zero(fd, 4 * MiB), "the reused memory reads as zeros");
	close(fd);
}

static void test_drain_and_bound(int heap_fd)
{
	struct heap_stats a, b;
	int fd;

	fd = alloc_filled(heap_fd, 8 * MiB, 1);
	close(fd);
	heap_read_stats(&a);
	tap_ok(heap_drain_pool() == 0, "write drain_pool");
	heap_read_stats(&b);
	tap_ok(a.pool_pages > 0 && b.pool_pages == 0 &&
	       b.conversions_to_private > a.conversions_to_private,
	       "drain_pool converted back and freed the pool (%ld pages, %ld conversions)",
	       a.pool_pages, b.conversions_to_private - a.conversions_to_private);

	heap_set_param("pool_max_mb", "8");
	fd = alloc_filled(heap_fd, 20 * MiB, 2);
	close(fd);
	heap_read_stats(&a);
	tap_ok(a.pool_pages == PAGES(8 * MiB) &&
	       a.conversions_to_private > b.conversions_to_private,
	       "with pool_max_mb=8 the pool keeps 8 MiB, the rest is converted back (pool %ld pages)",
	       a.pool_pages);
	heap_set_param("pool_max_mb", "64");
}

static void fill_pool(int heap_fd)
{
	int fd = alloc_filled(heap_fd, 64 * MiB, 3);

	if (fd >= 0)
		close(fd);
}

/*
 * A child touches anonymous memory in 4 MiB steps until the shrinker has
 * emptied the pool.  User memory may come from ZONE_MOVABLE, whose
 * watermarks are tiny, so reclaim may start only once MemFree is near
 * min_free_kbytes; the child goes down to it.  Reclaim then finds the
 * pool before the OOM killer is considered.
 */
static bool pressure_empties_pool(void)
{
	long min_kb = 0;
	char buf[32];
	pid_t pid;
	int status;

	if (read_file("/proc/sys/vm/min_free_kbytes", buf, sizeof(buf)) > 0)
		min_kb = strtol(buf, NULL, 10);
	pid = fork();
	if (pid == 0) {
		size_t used = 0;
		struct heap_stats st;

		write_file("/proc/self/oom_score_adj", "1000");

		for (;;) {
			heap_read_stats(&st);
			if (st.pool_pages == 0) {
				printf("# pressure: pool empty after %zu MiB\n", used >> 20);
				_exit(0);
			}
			if (meminfo_kb("MemFree") < min_kb * 2)
				usleep(50000);	/* give kswapd a moment */
			if (meminfo_kb("MemFree") < min_kb) {
				printf("# pressure: gave up at %zu MiB, pool %ld pages\n",
				       used >> 20, st.pool_pages);
				_exit(1);
			}
			if (mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0) == MAP_FAILED)
				_exit(2);
			used += 4 * MiB;
		}
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_shrinker(int heap_fd)
{
	struct heap_stats a, b;

	fill_pool(heap_fd);
	heap_read_stats(&a);
	write_file("/proc/sys/vm/drop_caches", "2");
	heap_read_stats(&b);
	tap_ok(a.pool_pages == PAGES(64 * MiB) && b.pool_pages == 0,
	       "drop_caches (the shrinkers) empties a full pool (%ld -> %ld pages)",
	       a.pool_pages, b.pool_pages);

	fill_pool(heap_fd);
	heap_read_stats(&a);
	tap_ok(a.pool_pages == PAGES(64 * MiB) && pressure_empties_pool(),
	       "memory pressure empties a full pool through the shrinker");
}

int main(void)
{
	struct heap_stats end;
	int heap_fd;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	tap_plan(10);
	heap_fd = heap_open();

	test_reuse(heap_fd);
	test_drain_and_bound(heap_fd);
	test_shrinker(heap_fd);

	heap_read_stats(&end);
	heap_print_stats("end", &end);
	tap_ok(end.buffers == 0 && end.bytes == 0 && end.buffer_pages == 0 &&
	       heap_pages_unaccounted(&end) == 0,
	       "no buffer is left, every page is accounted for (%ld pages unaccounted for)",
	       heap_pages_unaccounted(&end));
	close(heap_fd);
	heap_teardown();
	return tap_done();
}
