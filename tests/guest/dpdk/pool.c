// SPDX-License-Identifier: GPL-2.0
/*
 * dpdk-pool-test: libccshared-dpdk's calls, and their failures, checked
 * from inside one process against the heap's statistics, so that a leak
 * shows before process exit could hide it.  Run by pool.t once the heap
 * module is loaded.  --no-huge EAL with 64 MiB and two net_null ports.
 *
 * The limits are DPDK's own: a data room of up to UINT16_MAX bytes, as
 * rte_pktmbuf_pool_create() takes, and a per-lcore cache of at most
 * RTE_MEMPOOL_CACHE_MAX_SIZE and n / 1.5 (rte_mempool_create_empty()).
 * Each is tried on both pools, at the limit and on either side of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <ccshared.h>
#include <ccshared-dpdk.h>

#include "tap.h"		/* tests/lib/tap.h */

static struct ccshared_stats stats(void)
{
	struct ccshared_stats s = { 0 };

	if (ccshared_stats_read(NULL, &s))
		s.buffers = s.bytes = UINT64_MAX;
	return s;
}

/* Allocate every mbuf of the pool and check where each one's data is. */
static void check_all_mbufs(struct ccshared_dpdk_pool *pool, unsigned int n)
{
	struct rte_mbuf **m = calloc(n, sizeof(*m));
	unsigned int inside = 0;
	int ret = rte_pktmbuf_alloc_bulk(ccshared_dpdk_pool_mempool(pool), m, n);

	ok(ret == 0, "all %u mbufs can be allocated (%d)", n, ret);
	for (unsigned int i = 0; ret == 0 && i < n; i++) {
		void *data = rte_pktmbuf_mtod(m[i], void *);

		inside += ccshared_dpdk_pool_contains(pool, data, rte_pktmbuf_tailroom(m[i])) &&
			  m[i]->buf_iova == rte_mem_virt2iova(m[i]->buf_addr);
	}
	ok(inside == n, "%u of %u mbufs have their data and IOVA in the shared buffer", inside, n);
	if (ret == 0)
		rte_pktmbuf_free_bulk(m, n);
	free(m);
}

/*
 * A pool with data rooms of 'room' bytes: DPDK's own pool takes it, and so
 * does ours, with every mbuf's buf_len equal to the room and its data room
 * inside the shared buffer.
 */
static void check_room(uint16_t room)
{
	const unsigned int n = 63;
	struct rte_mbuf *m[63];
	struct rte_mempool *plain;
	struct ccshared_dpdk_pool *pool;
	unsigned int good = 0;
	int ret;

	plain = rte_pktmbuf_pool_create("plain", n, 0, 0, room, SOCKET_ID_ANY);
	ok(plain != NULL, "data room %u: rte_pktmbuf_pool_create takes it (%s)", room,
	   plain ? "ok" : rte_strerror(rte_errno));
	rte_mempool_free(plain);

	pool = ccshared_dpdk_pool_create("room", n, 0, room, SOCKET_ID_ANY, 0);
	ok(pool != NULL, "data room %u: so does ccshared_dpdk_pool_create (%s)", room,
	   pool ? "ok" : rte_strerror(rte_errno));
	if (!pool) {
		ok(0, "data room %u: not run, no pool", room);
		ok(0, "data room %u: not run, no pool", room);
		return;
	}
	ok(ccshared_dpdk_pool_verify(pool) == 0, "data room %u: every mbuf verifies", room);
	ret = rte_pktmbuf_alloc_bulk(ccshared_dpdk_pool_mempool(pool), m, n);
	for (unsigned int i = 0; ret == 0 && i < n; i++)
		good += m[i]->buf_len == room &&
			ccshared_dpdk_pool_contains(pool, m[i]->buf_addr, m[i]->buf_len) &&
			m[i]->buf_iova == rte_mem_virt2iova(m[i]->buf_addr);
	ok(ret == 0 && good == n,
	   "data room %u: %u of %u mbufs have buf_len %u and their room in the buffer (%d)",
	   room, good, n, room, ret);
	if (ret == 0)
		rte_pktmbuf_free_bulk(m, n);
	ccshared_dpdk_pool_destroy(pool);
}

/*
 * A per-lcore cache of 'cache' mbufs for a pool of 'n': both DPDK's pool
 * and ours take it or both refuse it with EINVAL, and a refusal holds no
 * shared memory.
 */
static void check_cache(unsigned int n, unsigned int cache, bool takes)
{
	struct ccshared_stats before = stats();
	struct rte_mempool *plain;
	struct ccshared_dpdk_pool *pool;
	int err;

	plain = rte_pktmbuf_pool_create("plain", n, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	err = plain ? 0 : rte_errno;
	rte_mempool_free(plain);
	ok(takes ? !err : err == EINVAL, "%u mbufs, cache %u: rte_pktmbuf_pool_create %s (%s)",
	   n, cache, takes ? "takes it" : "refuses it with EINVAL", rte_strerror(err));

	pool = ccshared_dpdk_pool_create("cache", n, cache, RTE_MBUF_DEFAULT_BUF_SIZE,
					 SOCKET_ID_ANY, 0);
	err = pool ? 0 : rte_errno;
	ccshared_dpdk_pool_destroy(pool);
	ok(takes ? !err : err == EINVAL && stats().buffers == before.buffers,
	   "%u mbufs, cache %u: ccshared_dpdk_pool_create %s (%s)", n, cache,
	   takes ? "takes it" : "refuses it with EINVAL and holds nothing", rte_strerror(err));
}

int main(void)
{
	char *eal_args[] = { "dpdk-pool-test", "--no-huge", "-m", "64", "--no-pci", "-l", "0",
			     "--vdev=net_null0", "--vdev=net_null1",
			     NULL };
	struct ccshared_dpdk_pool *pool, *again;
	struct ccshared_stats before, during, after;
	int ret;

	ret = rte_eal_init((int)(sizeof(eal_args) / sizeof(eal_args[0])) - 1, eal_args);
	if (ret < 0) {
		tap_bail("Couldn't initialise EAL: %s", rte_strerror(rte_errno));
	}

	before = stats();
	ok(before.buffers != UINT64_MAX, "the heap's statistics are readable");

	pool = ccshared_dpdk_pool_create("test", 1023, 32, RTE_MBUF_DEFAULT_BUF_SIZE,
					 SOCKET_ID_ANY, 0);
	ok(pool != NULL, "create a pool of 1023 mbufs (%s)", pool ? "ok" : rte_strerror(rte_errno));
	if (!pool)
		return tap_done();
	during = stats();
	ok(during.buffers == before.buffers + 1 &&
	   during.bytes == before.bytes + ccshared_dpdk_pool_size(pool),
	   "the heap holds one more buffer of %zu bytes", ccshared_dpdk_pool_size(pool));
	ok(ccshared_dpdk_pool_size(pool) >= 1023u * RTE_MBUF_DEFAULT_BUF_SIZE,
	   "the buffer holds every data room");
	ok(ccshared_dpdk_pool_mapped_devices(pool) == 2, "both ports' devices are DMA-mapped (%u)",
	   ccshared_dpdk_pool_mapped_devices(pool));
	ok(ccshared_dpdk_pool_verify(pool) == 0, "every mbuf of the pool verifies");
	check_all_mbufs(pool, 1023);

	again = ccshared_dpdk_pool_create("test", 63, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY, 0);
	ok(!again && rte_errno == EEXIST && stats().buffers == during.buffers,
	   "a second pool of the same name fails with EEXIST and frees its buffer (%s)",
	   rte_strerror(rte_errno));

	ccshared_dpdk_pool_destroy(pool);
	after = stats();
	ok(after.buffers == before.buffers && after.bytes == before.bytes,
	   "destroy gives the buffer back (%llu buffers, %llu bytes)",
	   (unsigned long long)after.buffers, (unsigned long long)after.bytes);

	/* 4 M data rooms are 8.5 GiB: more than the guest has. */
	again = ccshared_dpdk_pool_create("huge", 4u << 20, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY, 0);
	ok(!again && rte_errno == ENOMEM && stats().buffers == before.buffers,
	   "a pool larger than memory fails with ENOMEM and holds nothing (%s)",
	   rte_strerror(rte_errno));

	/* 400,000 data rooms fit the heap, their mbuf headers not EAL's 64 MiB. */
	again = ccshared_dpdk_pool_create("headers", 400000, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY, 0);
	after = stats();
	ok(!again && rte_errno == ENOMEM && after.buffers == before.buffers &&
	   after.bytes == before.bytes,
	   "a mempool failure after the buffer is mapped unwinds it all (%s)",
	   rte_strerror(rte_errno));

	again = ccshared_dpdk_pool_create("bad", 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY, 0);
	ok(!again && rte_errno == EINVAL, "zero mbufs is EINVAL");
	again = ccshared_dpdk_pool_create("bad", 63, 0, RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY, 0);
	ok(!again && rte_errno == EINVAL, "a data room without room for data is EINVAL");

	/*
	 * Data rooms: the smallest with room for data, the default, and
	 * around the point where a cache-aligned room no longer fits in
	 * 16 bits (65472 + 1), up to UINT16_MAX.
	 */
	const uint16_t rooms[] = { RTE_PKTMBUF_HEADROOM + 1, RTE_MBUF_DEFAULT_BUF_SIZE,
				   65471, 65472, 65473, 65534, UINT16_MAX };
	for (size_t i = 0; i < sizeof(rooms) / sizeof(rooms[0]); i++)
		check_room(rooms[i]);
	after = stats();
	ok(after.buffers == before.buffers && after.bytes == before.bytes,
	   "the data-room pools leave nothing behind");

	/* DPDK's cache limit: floor(1.5 * cache) <= n, and the largest cache. */
	check_cache(63, 41, true);
	check_cache(63, 42, true);
	check_cache(63, 43, false);
	check_cache(64, 43, true);
	check_cache(64, 44, false);
	check_cache(8191, RTE_MEMPOOL_CACHE_MAX_SIZE - 1, true);
	check_cache(8191, RTE_MEMPOOL_CACHE_MAX_SIZE, true);
	check_cache(8191, RTE_MEMPOOL_CACHE_MAX_SIZE + 1, false);
	again = ccshared_dpdk_pool_create("bad", 63, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY,
					  1u << 7);
	ok(!again && rte_errno == EINVAL, "unknown flags are EINVAL");

	/* The same name works again: destroy freed the mempool too. */
	for (int i = 0; i < 20; i++) {
		pool = ccshared_dpdk_pool_create("test", 255, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						 SOCKET_ID_ANY, 0);
		if (!pool)
			break;
		ccshared_dpdk_pool_destroy(pool);
	}
	after = stats();
	ok(pool && after.buffers == before.buffers && after.bytes == before.bytes,
	   "20 create/destroy cycles under one name leave nothing behind");
	/* A no-op: a crash here fails the test, as it ends without a plan. */
	ccshared_dpdk_pool_destroy(NULL);

	rte_eal_cleanup();
	return tap_done();
}
