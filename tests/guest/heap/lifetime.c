// SPDX-License-Identifier: GPL-2.0
/*
 * Test 7: a buffer lives as long as its fd or a mapping of it.  Closing
 * the fd while it is mapped keeps the memory usable until the munmap;
 * unmapping first keeps it until the close.  Only when both are gone is
 * it freed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heaptest.h"

#define LEN (4 * MiB)

static long live_buffers(void)
{
	struct heap_stats st;

	heap_read_stats(&st);
	return st.buffers;
}

int main(void)
{
	unsigned char *p;
	long base;
	int heap_fd, fd;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	tap_plan(7);
	heap_fd = heap_open();
	base = live_buffers();

	/* fd closed first, mapping second */
	if (heap_alloc(heap_fd, LEN, O_RDWR | O_CLOEXEC, 0, &fd))
		tap_bail("cannot allocate");
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	close(fd);
	tap_ok(live_buffers() == base + 1, "closing the fd of a mapped buffer does not free it");
	fill_pattern(p, LEN, 9);
	tap_ok(check_pattern(p, LEN, 9), "the mapping still works after the close");
	munmap(p, LEN);
	tap_ok(live_buffers() == base, "the munmap frees it");

	/* mapping gone first, fd second */
	if (heap_alloc(heap_fd, LEN, O_RDWR | O_CLOEXEC, 0, &fd))
		tap_bail("cannot allocate");
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	fill_pattern(p, LEN, 10);
	munmap(p, LEN);
	tap_ok(live_buffers() == base + 1, "unmapping a buffer whose fd is open does not free it");
	p = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
	tap_ok(p != MAP_FAILED && check_pattern(p, LEN, 10),
	       "mapped again, it still holds what was written");
	if (p != MAP_FAILED)
		munmap(p, LEN);
	close(fd);
	tap_ok(live_buffers() == base, "the close frees it");

	/* two mappings and a dup: all must go */
	if (heap_alloc(heap_fd, LEN, O_RDWR | O_CLOEXEC, 0, &fd))
		tap_bail("cannot allocate");
	{
		unsigned char *a = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
		unsigned char *b = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
		int fd2 = dup(fd);
		bool alive;

		close(fd);
		if (a != MAP_FAILED)
			munmap(a, LEN);
		close(fd2);
		alive = live_buffers() == base + 1;
		if (b != MAP_FAILED)
			munmap(b, LEN);
		tap_ok(alive && live_buffers() == base && a != MAP_FAILED && b != MAP_FAILED,
		       "with two mappings and two fds, the last of them frees it");
	}

	close(heap_fd);
	heap_teardown();
	return tap_done();
}
