// SPDX-License-Identifier: GPL-2.0
/*
 * dpdk-ring-test: ccshared_dpdk_ring_reserve() from inside one process,
 * with the PMD's side played by ethdev's own rte_eth_dma_zone_reserve()
 * and rte_eth_dma_zone_free() (internal API: what igb, em, ixgbe and
 * others call for "rx_ring" and "tx_ring").  --no-huge EAL (IOVA as VA)
 * with two net_null ports, which do no DMA themselves.  Run by
 * 60-rings.t once the heap module is loaded.
 *
 * Where the ring is: /proc/self/maps must show the memzone's bytes as
 * exactly the dma-buf's mapping, with an anonymous private page right
 * before it; DPDK's heap statistics must show all its free space (where
 * the allocator's headers live) fitting in that one page.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include <ccshared.h>
#include <ccshared-dpdk.h>

#include "tap.h"		/* tests/lib/tap.h */

/* ethdev_driver.h, which Debian does not ship: the PMDs' side. */
struct rte_eth_dev;
struct rte_eth_dev *rte_eth_dev_allocated(const char *name);
const struct rte_memzone *rte_eth_dma_zone_reserve(const struct rte_eth_dev *dev,
						   const char *name, uint16_t queue_id,
						   size_t size, unsigned int align,
						   int socket_id);
int rte_eth_dma_zone_free(const struct rte_eth_dev *dev, const char *name, uint16_t queue_id);

#define RING 65536

static uint64_t live_buffers(void)
{
	struct ccshared_stats s = { 0 };

	return ccshared_stats_read(NULL, &s) ? UINT64_MAX : s.buffers;
}

/* What /proc/self/maps says lies at [lo, hi): "dmabuf", "anon" or "". */
static const char *mapping_at(uintptr_t lo, uintptr_t hi)
{
	static char what[16];
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	what[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long start, end, ino;
		char perms[8], path[256] = "";

		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %255s", &start, &end, perms, &ino, path) < 4)
			continue;
		if (start <= lo && hi <= end) {
			if (strncmp(path, "/dmabuf:", 8) == 0 && start == lo && end == hi)
				snprintf(what, sizeof(what), "dmabuf");
			else if (!path[0] && perms[3] == 'p')
				snprintf(what, sizeof(what), "anon");
			break;
		}
	}
	if (f)
		fclose(f);
	return what;
}

static void count_ring_zones(const struct rte_memzone *mz, void *arg)
{
	if (strncmp(mz->name, "eth_p", 5) == 0)
		(*(unsigned int *)arg)++;
}

int main(void)
{
	char *eal_args[] = { "dpdk-ring-test", "--no-huge", "-m", "64", "--no-pci", "-l", "0",
			     "--no-telemetry", "--vdev=net_null0", "--vdev=net_null1", NULL };
	const struct rte_memzone *mz, *pmd;
	struct ccshared_dpdk_ring *ring, *again;
	struct rte_malloc_socket_stats st;
	struct rte_eth_dev *dev;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint64_t before;
	uintptr_t a;
	unsigned int n_zones;
	int ok_cycles = 0;

	tap_plan(28);
	if (rte_eal_init((int)(sizeof(eal_args) / sizeof(eal_args[0])) - 1, eal_args) < 0)
		tap_bail("Couldn't initialise EAL: %s", rte_strerror(rte_errno));
	if (rte_eth_dev_get_name_by_port(0, name) || !(dev = rte_eth_dev_allocated(name)))
		tap_bail("no port 0");
	before = live_buffers();

	ring = ccshared_dpdk_ring_reserve(0, 0, "rx_ring", RING, 128);
	ok(ring != NULL, "reserve port 0 queue 0 rx_ring, %d bytes (%s)", RING,
	   ring ? "ok" : rte_strerror(rte_errno));
	if (!ring)
		tap_bail("no ring");
	mz = ccshared_dpdk_ring_memzone(ring);
	a = (uintptr_t)mz->addr;
	ok(strcmp(mz->name, "eth_p0_q0_rx_ring") == 0, "its memzone has ethdev's name (%s)", mz->name);
	ok(mz->len == RING && a % 4096 == 0 && mz->iova == a,
	   "%zu bytes, page-aligned, IOVA as VA", mz->len);
	ok(live_buffers() == before + 1, "the heap holds one more buffer");
	ok(strcmp(mapping_at(a, a + RING), "dmabuf") == 0,
	   "/proc/self/maps: the memzone is exactly the dma-buf's mapping (%s)",
	   mapping_at(a, a + RING));
	ok(strcmp(mapping_at(a - 4096, a), "anon") == 0,
	   "/proc/self/maps: the page before it is private anonymous memory (%s)",
	   mapping_at(a - 4096, a));
	/* Read first: argument evaluation order is unspecified. */
	if (rte_malloc_get_socket_stats(mz->socket_id, &st))
		memset(&st, 0, sizeof(st));
	ok(st.heap_totalsz_bytes == 4096 + RING && st.alloc_count == 1 &&
	   st.heap_freesz_bytes < 4096,
	   "DPDK's heap: %zu bytes, %u allocation, %zu free bytes, all within the private page",
	   st.heap_totalsz_bytes, st.alloc_count, st.heap_freesz_bytes);
	ok(ccshared_dpdk_ring_in_place(ring), "the ring is in place");

	pmd = rte_eth_dma_zone_reserve(dev, "rx_ring", 0, RING, 128, SOCKET_ID_ANY);
	ok(pmd == mz, "the PMD's rte_eth_dma_zone_reserve(SOCKET_ID_ANY) gets the shared memzone");
	pmd = rte_eth_dma_zone_reserve(dev, "rx_ring", 0, RING / 2, 4096, SOCKET_ID_ANY);
	ok(pmd == mz, "... also for a smaller ring, page-aligned");
	pmd = rte_eth_dma_zone_reserve(dev, "rx_ring", 0, RING + 1, 128, SOCKET_ID_ANY);
	ok(pmd == NULL, "a PMD asking for one byte more is refused, not given private memory");
	pmd = rte_eth_dma_zone_reserve(dev, "rx_ring", 0, RING, 128, 0);
	ok(pmd == NULL, "a PMD asking for socket 0 is refused: queues need SOCKET_ID_ANY");
	ok(live_buffers() == before + 1, "... and neither took memory of the heap");

	again = ccshared_dpdk_ring_reserve(0, 0, "rx_ring", RING, 128);
	ok(!again && rte_errno == EEXIST && live_buffers() == before + 1,
	   "the same ring again: EEXIST, nothing taken (%s)", rte_strerror(rte_errno));
	again = ccshared_dpdk_ring_reserve(0, 1, "rx_ring", 0, 128);
	ok(!again && rte_errno == EINVAL, "size 0: EINVAL");
	again = ccshared_dpdk_ring_reserve(0, 1, "rx_ring", RING, 96);
	ok(!again && rte_errno == EINVAL, "alignment 96: EINVAL");
	again = ccshared_dpdk_ring_reserve(0, 1, "rx_ring", RING, 8192);
	ok(!again && rte_errno == EINVAL, "alignment 8192 (above a page): EINVAL");
	again = ccshared_dpdk_ring_reserve(0, 1, NULL, RING, 128);
	ok(!again && rte_errno == EINVAL, "no ring name: EINVAL");
	/* RTE_MEMZONE_NAMESIZE is 32 with the NUL: "eth_p0_q1_" and 21 or 22. */
	again = ccshared_dpdk_ring_reserve(0, 1, "ring_name_of_21_chars", RING, 128);
	ok(again && strlen(ccshared_dpdk_ring_memzone(again)->name) == 31,
	   "a memzone name of 31 bytes, the longest, is taken");
	ccshared_dpdk_ring_free(again);
	again = ccshared_dpdk_ring_reserve(0, 1, "ring_name_of_22_chars_", RING, 128);
	ok(!again && rte_errno == ENAMETOOLONG && live_buffers() == before + 1,
	   "one of 32 bytes: ENAMETOOLONG, nothing held (%s)", rte_strerror(rte_errno));
	again = ccshared_dpdk_ring_reserve(0, 1, "tx_ring", (size_t)1 << 40, 128);
	ok(!again && rte_errno == ENOMEM && live_buffers() == before + 1,
	   "a ring larger than memory: ENOMEM, nothing held (%s)", rte_strerror(rte_errno));

	/* Queue release: the PMD frees the memzone. */
	ok(rte_eth_dma_zone_free(dev, "rx_ring", 0) == 0 && !ccshared_dpdk_ring_in_place(ring),
	   "the PMD's rte_eth_dma_zone_free() frees it; the ring is no longer in place");
	/* Set up again without a new reservation: the PMD gets private memory. */
	pmd = rte_eth_dma_zone_reserve(dev, "rx_ring", 0, RING, 128, SOCKET_ID_ANY);
	ok(pmd && !ccshared_dpdk_ring_in_place(ring),
	   "a queue set up again without a new reservation: in_place says it is not shared");
	ccshared_dpdk_ring_free(ring);
	ok(rte_memzone_lookup("eth_p0_q0_rx_ring") == pmd && live_buffers() == before,
	   "free leaves the PMD's own new memzone alone and gives the buffer back");
	rte_eth_dma_zone_free(dev, "rx_ring", 0);

	ring = ccshared_dpdk_ring_reserve(0, 0, "tx_ring", RING, 128);
	ccshared_dpdk_ring_free(ring);
	ok(ring && !rte_memzone_lookup("eth_p0_q0_tx_ring") && live_buffers() == before,
	   "free of a ring the PMD never released frees its memzone and buffer");

	for (int i = 0; i < 20; i++) {
		ring = ccshared_dpdk_ring_reserve(1, 0, "rx_ring", RING * (i % 3 + 1), 128);
		ok_cycles += ring && ccshared_dpdk_ring_in_place(ring);
		ccshared_dpdk_ring_free(ring);
	}
	ok(ok_cycles == 20 && live_buffers() == before,
	   "20 reserve/free cycles: all in place, nothing left (%d)", ok_cycles);
	n_zones = 0;
	rte_memzone_walk(count_ring_zones, &n_zones);
	ok(n_zones == 0, "no ring memzone is left (%u)", n_zones);
	ok(live_buffers() == before, "the heap holds what it held before");
	rte_eal_cleanup();
	return tap_done();
}
