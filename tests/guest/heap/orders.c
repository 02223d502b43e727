// SPDX-License-Identifier: GPL-2.0
/*
 * Chunk orders, and the conversions they cost.  A conversion costs about
 * the same whatever its size, so a cold allocation takes the largest
 * chunk that fits what remains, from 2 MiB (order 9) down to 4 KiB: one
 * chunk, and one conversion, per 2 MiB and per set bit of the rest in
 * pages.  On a drained pool each size below costs the pinned number of
 * conversions to shared, which is never more than the in-tree heap's
 * (orders 8, 4, 0; its count is given beside ours).
 *
 * The page allocator may have no free block of an order (fragmentation);
 * the heap then takes smaller chunks, and more conversions.  debugfs
 * orders says which chunks the allocation took, and /proc/buddyinfo, read
 * just before, what the page allocator had.  Where it had free blocks for
 * the ideal chunks with a wide margin, the count is pinned: a heap that
 * does not ask for those orders fails here.  Otherwise the test says
 * which order was short and checks what still holds: the chunks cover
 * the buffer, none is larger than the ideal largest, and each cost
 * exactly one conversion.
 *
 * Then the pool: freed chunks stay in it by order, an allocation of the
 * same size takes them all back without a conversion, and so do smaller
 * buffers of those orders.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "heaptest.h"

#define NR_ORDERS 10		/* orders 0 to 9 (CCSHARED_NR_ORDERS) */
#define PAGE 4096UL

static const struct {
	unsigned long len;
	long conversions;	/* ours, with the ideal orders */
	long in_tree;		/* the in-tree heap's, from its orders 8, 4, 0 */
	const char *name;
} sizes[] = {
	{ 4 * KiB, 1, 1, "4 KiB" },
	{ 4 * KiB + 1, 1, 2, "4 KiB + 1" },
	{ 64 * KiB, 1, 1, "64 KiB" },
	{ 1 * MiB, 1, 1, "1 MiB" },
	{ 1 * MiB + 4 * KiB, 2, 2, "1 MiB + 4 KiB" },
	{ 3 * MiB / 2, 2, 9, "1.5 MiB" },
	{ 2 * MiB, 1, 2, "2 MiB" },
	{ 3 * MiB, 2, 3, "3 MiB" },
	{ 33 * MiB, 17, 33, "33 MiB" },
};

#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

struct orders {
	long taken[NR_ORDERS];	/* chunks taken from the page allocator */
	long pool[NR_ORDERS];	/* chunks in the pool */
};

static void read_orders(struct orders *o)
{
	char buf[1024], *line, *save = NULL;
	unsigned int order, seen = 0;
	long taken, pool;
	int ret;

	memset(o, 0, sizeof(*o));
	ret = read_file(HEAP_DEBUGFS "/orders", buf, sizeof(buf));
	if (ret <= 0)
		tap_bail("cannot read " HEAP_DEBUGFS "/orders: %s", strerror(-ret));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%u %ld %ld", &order, &taken, &pool) != 3 ||
		    order >= NR_ORDERS || seen & (1U << order))
			tap_bail("orders: bad line '%s'", line);
		o->taken[order] = taken;
		o->pool[order] = pool;
		seen |= 1U << order;
	}
	if (seen != (1U << NR_ORDERS) - 1)
		tap_bail("orders: an order is missing");
}

/* The chunks of each order that @pages costs when every order is there. */
static void ideal_chunks(unsigned long pages, long *chunks)
{
	int o;

	chunks[NR_ORDERS - 1] = pages >> (NR_ORDERS - 1);
	for (o = 0; o < NR_ORDERS - 1; o++)
		chunks[o] = (pages >> o) & 1;
}

/*
 * Free blocks the heap's allocations can use (zones DMA32 and Normal, not
 * DMA or Movable), counted in blocks of each order: a free block of order
 * k holds 2^(k - o) blocks of order o.
 */
static void buddy_supply(long *supply)
{
	char buf[4096], *line, *save = NULL;
	int o, k;

	memset(supply, 0, NR_ORDERS * sizeof(*supply));
	if (read_file("/proc/buddyinfo", buf, sizeof(buf)) <= 0)
		tap_bail("cannot read /proc/buddyinfo");
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long count[11];
		char zone[32];
		int n;

		if (sscanf(line, "Node %*d, zone %31s%n", zone, &n) != 1 ||
		    (strcmp(zone, "DMA32") && strcmp(zone, "Normal")))
			continue;
		line += n;
		for (k = 0; k < 11; k++) {
			int used;

			if (sscanf(line, "%ld%n", &count[k], &used) != 1)
				break;
			line += used;
		}
		for (o = 0; o < NR_ORDERS; o++)
			for (int j = o; j < k; j++)
				supply[o] += count[j] << (j - o);
	}
}

/*
 * Had the page allocator the ideal chunks @ideal, with a margin of
 * BUDDY_MARGIN blocks at each order for whatever else allocates
 * meanwhile?  The first order it was short of, in *short_order, if not.
 */
#define BUDDY_MARGIN 64

static bool buddy_has(const long *ideal, int *short_order)
{
	long supply[NR_ORDERS], need = 0;
	int o;

	buddy_supply(supply);
	for (o = NR_ORDERS - 1; o >= 0; o--) {
		need = 2 * need + ideal[o];	/* blocks of order o for orders >= o */
		if (ideal[o] && supply[o] < need + BUDDY_MARGIN) {
			*short_order = o;
			return false;
		}
	}
	return true;
}

/* "order 8 x1, order 0 x1" */
static void describe(const long *chunks, char *buf, size_t size)
{
	size_t n = 0;
	int o;

	buf[0] = '\0';
	for (o = NR_ORDERS - 1; o >= 0 && n < size; o--)
		if (chunks[o])
			n += snprintf(buf + n, size - n, "%sorder %d x%ld",
				      n ? ", " : "", o, chunks[o]);
}

static void test_size(int heap_fd, unsigned int i)
{
	unsigned long pages = (sizes[i].len + PAGE - 1) / PAGE;
	long got[NR_ORDERS], ideal[NR_ORDERS], nchunks = 0, conv;
	const char *name = sizes[i].name;
	char got_s[256], ideal_s[256];
	int o, largest_got = -1, largest_ideal = -1;
	struct heap_stats a, b;
	struct orders oa, ob;
	unsigned long covered = 0;
	bool is_ideal = true, available;
	int fd, ret, short_order = -1;

	heap_drain_pool();
	ideal_chunks(pages, ideal);
	available = buddy_has(ideal, &short_order);
	heap_read_stats(&a);
	read_orders(&oa);
	ret = heap_alloc(heap_fd, sizes[i].len, O_RDWR | O_CLOEXEC, 0, &fd);
	heap_read_stats(&b);
	read_orders(&ob);
	if (!tap_ok(ret == 0, "%s: allocated on a drained pool (%s)", name, strerror(-ret))) {
		tap_ok(0, "%s: chunks (not run: no buffer)", name);
		tap_ok(0, "%s: conversions (not run: no buffer)", name);
		return;
	}
	close(fd);

	conv = b.conversions_to_shared - a.conversions_to_shared;
	for (o = 0; o < NR_ORDERS; o++) {
		got[o] = ob.taken[o] - oa.taken[o];
		nchunks += got[o];
		covered += (unsigned long)got[o] << o;
		if (got[o])
			largest_got = o;
		if (ideal[o])
			largest_ideal = o;
		if (got[o] != ideal[o])
			is_ideal = false;
	}
	describe(got, got_s, sizeof(got_s));
	describe(ideal, ideal_s, sizeof(ideal_s));
	tap_ok(covered == pages && conv == nchunks,
	       "%s: %lu pages in fresh chunks (%s), one conversion each (%ld conversions, %ld chunks)",
	       name, covered, got_s, conv, nchunks);

	if (is_ideal || available) {
		tap_ok(is_ideal && conv == sizes[i].conversions && conv <= sizes[i].in_tree,
		       "%s: %ld conversion(s) (%s), pinned %ld (%s); the in-tree heap needs %ld",
		       name, conv, got_s, sizes[i].conversions, ideal_s, sizes[i].in_tree);
		return;
	}
	/* Not a failure of the heap: the page allocator had too few blocks. */
	tap_diag("%s: /proc/buddyinfo had few free blocks of order %d; the heap got %s, not %s",
		 name, short_order, got_s, ideal_s);
	tap_ok(largest_got <= largest_ideal && nchunks > sizes[i].conversions &&
	       conv == nchunks,
	       "%s: fragmented: %ld conversions for %ld smaller chunks (pinned count %ld not checked)",
	       name, conv, nchunks, sizes[i].conversions);
}

static int alloc_len(int heap_fd, unsigned long len)
{
	int fd;

	return heap_alloc(heap_fd, len, O_RDWR | O_CLOEXEC, 0, &fd) ? -1 : fd;
}

static void test_pool(int heap_fd)
{
	struct heap_stats a, b;
	struct orders oa, ob, oc;
	long got[NR_ORDERS], ideal[NR_ORDERS], fresh;
	bool same = true, available;
	int fd, fd2, o, short_order = -1;

	heap_drain_pool();
	ideal_chunks(3 * MiB / 2 / PAGE, ideal);
	available = buddy_has(ideal, &short_order);
	read_orders(&oa);
	fd = alloc_len(heap_fd, 3 * MiB / 2);
	if (fd < 0)
		tap_bail("cannot allocate 1.5 MiB");
	close(fd);
	read_orders(&ob);
	for (o = 0; o < NR_ORDERS; o++) {
		got[o] = ob.taken[o] - oa.taken[o];
		if (ob.pool[o] != got[o])
			same = false;
	}
	/* Where the page allocator had them, the chunks must be ideal. */
	tap_ok(same && (!available || (got[8] == 1 && got[7] == 1)),
	       "freed, the 1.5 MiB buffer's chunks are in the pool by order (orders 8: %ld, 7: %ld)",
	       ob.pool[8], ob.pool[7]);

	heap_read_stats(&a);
	fd = alloc_len(heap_fd, 3 * MiB / 2);
	heap_read_stats(&b);
	read_orders(&oc);
	same = true;
	for (o = 0; o < NR_ORDERS; o++)
		if (oc.pool[o] || oc.taken[o] != ob.taken[o])
			same = false;
	tap_ok(fd >= 0 && same && b.conversions_to_shared == a.conversions_to_shared,
	       "1.5 MiB again: all from the pool, no conversion (%ld)",
	       b.conversions_to_shared - a.conversions_to_shared);
	if (fd >= 0)
		close(fd);

	/* The same chunks serve a 1 MiB and a 512 KiB buffer. */
	heap_read_stats(&a);
	fd = alloc_len(heap_fd, 1 * MiB);
	fd2 = alloc_len(heap_fd, 512 * KiB);
	heap_read_stats(&b);
	read_orders(&ob);
	fresh = 0;
	for (o = 0; o < NR_ORDERS; o++)
		fresh += ob.taken[o] - oc.taken[o];
	if (got[8] == 1 && got[7] == 1) {
		tap_ok(fd >= 0 && fd2 >= 0 &&
		       b.conversions_to_shared == a.conversions_to_shared &&
		       b.pool_pages == 0,
		       "then 1 MiB and 512 KiB: the pool's order-8 and order-7 chunks, no conversion (%ld)",
		       b.conversions_to_shared - a.conversions_to_shared);
	} else {
		tap_diag("the 1.5 MiB buffer did not get an order-8 and an order-7 chunk; reuse by smaller buffers not pinned");
		tap_ok(fd >= 0 && fd2 >= 0 &&
		       b.conversions_to_shared - a.conversions_to_shared == fresh,
		       "then 1 MiB and 512 KiB: converting only the %ld fresh chunks (%ld)",
		       fresh, b.conversions_to_shared - a.conversions_to_shared);
	}
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	heap_drain_pool();
}

int main(void)
{
	struct heap_stats start;
	unsigned int i;
	int heap_fd;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	tap_plan(3 * NSIZES + 3 + 1);
	heap_fd = heap_open();
	heap_read_stats(&start);

	for (i = 0; i < NSIZES; i++)
		test_size(heap_fd, i);
	test_pool(heap_fd);

	heap_ok_nothing_leaked(&start, "every page is accounted for, nothing leaked");
	close(heap_fd);
	heap_teardown();
	return tap_done();
}
