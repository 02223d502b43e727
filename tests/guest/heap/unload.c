// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading.  The misc-device heap (6.12) unloads once no buffer is
 * alive, and every buffer holds a module reference until it is freed.  A
 * heap added with dma_heap_add() (7.x) cannot be removed, so the module
 * pins itself and refuses to unload, and the heap keeps working.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heaptest.h"

static long refcnt(void)
{
	char buf[32];

	if (read_file("/sys/module/ccshared_heap/refcnt", buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

int main(void)
{
	int heap_fd, fd;
	long idle;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	tap_plan(5);

	heap_fd = heap_open();
	if (heap_alloc(heap_fd, 64 * KiB, O_RDWR | O_CLOEXEC, 0, &fd))
		tap_bail("cannot allocate");
	close(heap_fd);
	idle = refcnt();
	close(fd);
	tap_ok(refcnt() == idle - 1, "a buffer holds a module reference (refcnt %ld -> %ld)",
	       idle, refcnt());

	if (heap_is_misc()) {
		heap_fd = heap_open();
		if (heap_alloc(heap_fd, 64 * KiB, O_RDWR | O_CLOEXEC, 0, &fd))
			tap_bail("cannot allocate");
		close(heap_fd);
		tap_ok(system("rmmod ccshared_heap 2>/dev/null") != 0,
		       "misc heap: rmmod fails while a buffer is alive");
		tap_ok(access(HEAP_PATH, F_OK) == 0, "misc heap: the heap is still there");
		close(fd);
		tap_ok(system("rmmod ccshared_heap >&2") == 0,
		       "misc heap: rmmod succeeds once the buffer is freed");
		tap_ok(access(HEAP_PATH, F_OK) != 0 &&
		       access("/sys/module/ccshared_heap", F_OK) != 0,
		       "misc heap: the device and the module are gone");
		return tap_done();
	}

	tap_ok(system("rmmod ccshared_heap 2>/dev/null") != 0,
	       "dma_heap_add heap: rmmod fails even with no buffer alive");
	tap_ok(access("/sys/module/ccshared_heap", F_OK) == 0, "the module stays loaded");
	heap_fd = heap_open();
	tap_ok(heap_alloc(heap_fd, 64 * KiB, O_RDWR | O_CLOEXEC, 0, &fd) == 0,
	       "the heap still allocates");
	close(fd);
	close(heap_fd);
	tap_ok(system("dmesg | grep -q 'ccshared_heap: registered'") == 0,
	       "the registration is in the kernel log");
	heap_teardown();
	return tap_done();
}
