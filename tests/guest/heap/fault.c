// SPDX-License-Identifier: GPL-2.0
/*
 * Test 5: fault injection.  fail_share at the first, a middle and the last
 * chunk of a five-chunk allocation (3 x 2 MiB, 64 KiB, 4 KiB): the
 * allocation fails with ENOMEM, leaked_pages grows by exactly the failed
 * chunk, every chunk that was shared is converted back once the pool is
 * drained, and the next allocation works.  fail_unshare on free, with and
 * without the pool, leaks and counts exactly the chunk that failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "heaptest.h"

#define LEN (3 * 2 * MiB + 64 * KiB + 4 * KiB)

static void test_fail_share(int heap_fd, int nth, long chunk_pages, const char *where)
{
	struct heap_stats a, b;
	char n[16];
	int fd, ret;

	heap_drain_pool();
	heap_read_stats(&a);
	snprintf(n, sizeof(n), "%d", nth);
	heap_debugfs_write("fail_share", n);
	ret = heap_alloc(heap_fd, LEN, O_RDWR | O_CLOEXEC, 0, &fd);
	if (!ret)
		close(fd);
	tap_ok(ret == -ENOMEM, "fail_share at the %s chunk: ENOMEM (got %s)", where,
	       strerror(-ret));
	heap_drain_pool();
	heap_read_stats(&b);
	tap_ok(b.leaked_pages - a.leaked_pages == chunk_pages,
	       "%s chunk: leaked_pages grew by exactly %ld (got %ld)", where,
	       chunk_pages, b.leaked_pages - a.leaked_pages);
	tap_ok(b.conversions_to_shared - a.conversions_to_shared == nth - 1 &&
	       b.conversions_to_private - a.conversions_to_private == nth - 1 &&
	       b.pool_pages == 0 && b.buffers == a.buffers && b.bytes == a.bytes,
	       "%s chunk: the %d shared chunks came back (shared %ld, private %ld)",
	       where, nth - 1, b.conversions_to_shared - a.conversions_to_shared,
	       b.conversions_to_private - a.conversions_to_private);
	ret = heap_alloc(heap_fd, LEN, O_RDWR | O_CLOEXEC, 0, &fd);
	tap_ok(ret == 0, "%s chunk: the next allocation works", where);
	if (!ret)
		close(fd);
}

static void test_fail_unshare(int heap_fd)
{
	struct heap_stats a, b;
	int fd;

	/* No pool: free converts back at once. */
	heap_set_param("pool_max_mb", "0");
	heap_drain_pool();
	if (heap_alloc(heap_fd, 2 * MiB + 4 * KiB, O_RDWR | O_CLOEXEC, 0, &fd))
		tap_bail("cannot allocate");
	heap_read_stats(&a);
	heap_debugfs_write("fail_unshare", "1");
	close(fd);
	heap_read_stats(&b);
	tap_ok(b.leaked_pages - a.leaked_pages == 512 &&
	       b.conversions_to_private - a.conversions_to_private == 1 &&
	       b.buffers == a.buffers - 1,
	       "fail_unshare on free: the 2 MiB chunk is leaked (%ld pages), the other freed",
	       b.leaked_pages - a.leaked_pages);

	/* With the pool: the conversion happens when it is drained, largest first. */
	heap_set_param("pool_max_mb", "64");
	if (heap_alloc(heap_fd, 2 * MiB + 4 * KiB, O_RDWR | O_CLOEXEC, 0, &fd))
		tap_bail("cannot allocate");
	close(fd);
	heap_read_stats(&a);
	heap_debugfs_write("fail_unshare", "2");
	heap_drain_pool();
	heap_read_stats(&b);
	tap_ok(b.leaked_pages - a.leaked_pages == 1 &&
	       b.conversions_to_private - a.conversions_to_private == 1 && b.pool_pages == 0,
	       "fail_unshare while draining: the 4 KiB chunk is leaked (%ld pages)",
	       b.leaked_pages - a.leaked_pages);
}

int main(void)
{
	struct heap_stats end;
	char buf[16];
	int heap_fd;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	tap_plan(16);
	heap_fd = heap_open();

	test_fail_share(heap_fd, 1, 512, "first");
	test_fail_share(heap_fd, 3, 512, "middle");
	test_fail_share(heap_fd, 5, 1, "last");
	test_fail_unshare(heap_fd);
	tap_ok(read_file(HEAP_DEBUGFS "/fail_share", buf, sizeof(buf)) > 0 &&
	       buf[0] == '0', "fail_share is back to 0 once used");
	heap_read_stats(&end);
	heap_print_stats("end", &end);
	tap_ok(heap_pages_unaccounted(&end) == 0 && end.buffer_pages == 0,
	       "every page is freed, pooled or counted as leaked (%ld pages unaccounted for)",
	       heap_pages_unaccounted(&end));

	close(heap_fd);
	heap_teardown();
	return tap_done();
}
