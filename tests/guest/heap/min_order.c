// SPDX-License-Identifier: GPL-2.0
/*
 * min_order.  With min_order=4 every chunk is at least 64 KiB and the
 * buffer size is rounded up to a multiple of 64 KiB; with min_order=9, of
 * 2 MiB.  Only 0, 4 and 9 are accepted: anything else fails the load with
 * a message.  The parameter is read-only, so this needs a reload, which
 * only the misc-device heap (6.12) allows; a heap added with
 * dma_heap_add() (7.x) stays for the whole boot, and the test skips.
 *
 * It sorts after 90-unload and leaves the module as it found it: loaded
 * with HEAP_LOAD_ARGS if it was, unloaded otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heaptest.h"

static bool loaded(void)
{
	return access("/sys/module/ccshared_heap", F_OK) == 0;
}

/* Does the built module use dma_heap_add() (and so never unload)? */
static bool module_pins_itself(void)
{
	const char *dir = getenv("CCSHARED_MODULES");
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "modinfo -F import_ns %s/ccshared_heap.ko | grep -qx DMA_BUF_HEAP",
		 dir ? dir : "/opt/ccshared/modules");
	return system(cmd) == 0;
}

static int load(const char *extra)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ccshared-load ccshared_heap " HEAP_LOAD_ARGS " %s >&2", extra);
	return system(cmd);
}

static int unload(void)
{
	return system("rmmod ccshared_heap >&2");
}

static long dmesg_count(const char *s)
{
	char cmd[256], buf[32];
	FILE *f;
	long n = -1;

	snprintf(cmd, sizeof(cmd), "dmesg | grep -cF '%s'", s);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		n = strtol(buf, NULL, 10);
	pclose(f);
	return n;
}

static void refused(unsigned int order)
{
	char arg[32], msg[80];
	long before;

	snprintf(arg, sizeof(arg), "min_order=%u", order);
	snprintf(msg, sizeof(msg), "ccshared_heap: min_order must be 0, 4 or 9, not %u", order);
	before = dmesg_count(msg);
	ok(load(arg) != 0 && !loaded() && access(HEAP_PATH, F_OK) != 0,
	   "min_order=%u: the load fails and leaves no heap", order);
	ok(dmesg_count(msg) == before + 1, "min_order=%u: the log says why", order);
}

/*
 * Allocate @req bytes with min_order=@order loaded: one buffer of @want
 * bytes made of @chunks fresh chunks, zeroed, that frees back to the pool
 * and converts back on a drain.
 */
static void check_alloc(unsigned int order, unsigned long req, unsigned long want,
			long chunks, const char *what)
{
	struct heap_stats a, b, c, d;
	unsigned char *p;
	int heap_fd, fd;
	off_t size;

	heap_read_stats(&a);
	heap_fd = heap_open();
	if (!ok(heap_alloc(heap_fd, req, O_RDWR | O_CLOEXEC, 0, &fd) == 0,
		"min_order=%u: allocate %s", order, what))
		tap_bail("cannot allocate");
	close(heap_fd);
	size = lseek(fd, 0, SEEK_END);
	is_int(size, want, "min_order=%u: %s gives a buffer of %lu KiB", order, what,
	       want / KiB);
	heap_read_stats(&b);
	heap_print_stats("allocated", &b);
	ok(b.buffers == a.buffers + 1 && b.bytes == a.bytes + (long)want,
	   "min_order=%u: stats count one buffer of %lu bytes", order, want);
	is_int(b.conversions_to_shared - a.conversions_to_shared, chunks,
	       "min_order=%u: %ld conversion(s) to shared", order, chunks);
	p = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ok(p != MAP_FAILED, "min_order=%u: the whole %lu KiB maps", order, want / KiB)) {
		ok(all_zero(p, want), "min_order=%u: it reads zero", order);
		fill_pattern(p, want, 0x3c);
		ok(check_pattern(p, want, 0x3c), "min_order=%u: it holds what was written", order);
		munmap(p, want);
	} else {
		tap_ok(0, "min_order=%u: it reads zero (not run: no mapping)", order);
		tap_ok(0, "min_order=%u: it holds what was written (not run: no mapping)", order);
	}
	close(fd);
	heap_read_stats(&c);
	heap_print_stats("freed", &c);
	ok(c.buffers == a.buffers && c.bytes == a.bytes &&
	   c.pool_pages == a.pool_pages + (long)(want / 4096) &&
	   c.conversions_to_private == a.conversions_to_private,
	   "min_order=%u: freed, its %lu pages stay shared in the pool", order, want / 4096);
	heap_drain_pool();
	heap_read_stats(&d);
	heap_print_stats("drained", &d);
	ok(d.pool_pages == 0 &&
	   d.conversions_to_private - a.conversions_to_private == chunks &&
	   d.conversions_to_shared - a.conversions_to_shared == chunks,
	   "min_order=%u: a drain converts exactly those %ld chunk(s) back", order, chunks);
	heap_ok_nothing_leaked(&a, "min_order=%u: nothing leaked, every page is accounted for", order);
}

int main(void)
{
	bool was_loaded = loaded();
	char buf[16];

	if (module_pins_itself())
		tap_skip_all(TAP_BY_DESIGN "min_order is read-only and needs a reload; a heap added with dma_heap_add() (7.x) cannot be unloaded, so only the misc-device heap (6.12) is tested");
	if (was_loaded && !heap_is_misc())
		tap_bail("ccshared_heap is loaded but is not the misc-device heap");

	tap_plan(1 + 4 + 2 + 3 * 10 + 5);

	if (was_loaded)
		ok(unload() == 0 && !loaded(), "rmmod the loaded heap");
	else
		ok(!loaded(), "the heap is not loaded (90-unload removed it)");

	refused(3);
	refused(10);

	ok(load("min_order=4") == 0 && access(HEAP_PATH, F_OK) == 0,
	   "load with min_order=4");
	ok(read_file("/sys/module/ccshared_heap/parameters/min_order", buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "4\n"), "min_order reads 4");
	heap_plant_leak_if_asked();
	heap_set_param("pool_max_mb", "64");
	check_alloc(4, 4 * KiB, 64 * KiB, 1, "4 KiB");
	check_alloc(4, 64 * KiB + 1, 128 * KiB, 1, "64 KiB + 1");
	ok(unload() == 0, "rmmod");

	ok(load("min_order=9") == 0 && access(HEAP_PATH, F_OK) == 0,
	   "load with min_order=9");
	check_alloc(9, 4 * KiB, 2 * MiB, 1, "4 KiB");

	/* Back to the defaults: 4 KiB is 4 KiB again. */
	ok(unload() == 0 && load("") == 0, "rmmod, and load with " HEAP_LOAD_ARGS " again");
	{
		int heap_fd = heap_open(), fd = -1;

		ok(heap_alloc(heap_fd, 4 * KiB, O_RDWR | O_CLOEXEC, 0, &fd) == 0 &&
		   lseek(fd, 0, SEEK_END) == 4 * KiB,
		   "min_order=0 again: 4 KiB gives 4 KiB");
		if (fd >= 0)
			close(fd);
		close(heap_fd);
	}
	heap_drain_pool();
	if (was_loaded)
		ok(loaded(), "left loaded with " HEAP_LOAD_ARGS ", as it was");
	else
		ok(unload() == 0 && !loaded(), "left unloaded, as it was");
	return tap_done();
}
