/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * libccshared-dpdk: DPDK mbuf pools whose packet data lives in
 * system_cc_shared memory, so that devices in a confidential-computing
 * guest DMA into it without bouncing.
 *
 * DPDK has no dma-buf API.  The pool is built from its external-memory
 * calls: the buffer is registered with rte_extmem_register(), mapped with
 * rte_dev_dma_map() for each probed device whose bus needs it, and carved
 * into mbuf data rooms by rte_pktmbuf_pool_create_extbuf().  The mbuf
 * headers themselves stay in DPDK's own memory; only packet data is shared.
 *
 * Error convention: DPDK's, not libccshared's.  Constructors return NULL
 * and set rte_errno; every failure is also logged under the log type
 * "ccshared.dpdk" (raise it with --log-level=ccshared.dpdk:debug).
 *
 * Call these after rte_eal_init() and after the devices that will use the
 * pool are probed; a device hot-plugged later is not mapped.
 *
 * Security: packet data in this pool is visible to the host.
 */
#ifndef CCSHARED_DPDK_H
#define CCSHARED_DPDK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ccshared_buf;
struct ccshared_dpdk_pool;

enum ccshared_dpdk_pool_flags {
	/*
	 * Development mode (see CCSHARED_HEAP_DEVELOPMENT in ccshared.h):
	 * outside a confidential guest, fall back to the "system" heap when
	 * system_cc_shared is missing.  Nothing is shared then.
	 */
	CCSHARED_DPDK_POOL_DEVELOPMENT = 1 << 0,
};

/*
 * Create a pool of 'n_mbufs' mbufs named 'name', headers on 'socket_id' (or
 * SOCKET_ID_ANY).
 *
 * 'data_room_size' is the bytes of data room per mbuf, RTE_PKTMBUF_HEADROOM
 * included, as for rte_pktmbuf_pool_create(): more than
 * RTE_PKTMBUF_HEADROOM, up to UINT16_MAX.  Each mbuf's buf_len is exactly
 * this.  Rooms start on cache lines, so each takes the room rounded up to
 * RTE_CACHE_LINE_SIZE of shared memory (65536 bytes for rooms above 65472).
 *
 * 'cache_size' is the per-lcore cache, under DPDK's rule for every mempool
 * (rte_mempool_create_empty()): at most RTE_MEMPOOL_CACHE_MAX_SIZE, and
 * at most n_mbufs / 1.5, so a small pool needs a small cache; DPDK's
 * examples use 250, and RTE_MIN(250, n_mbufs * 2 / 3) fits any pool.
 *
 * rte_errno on failure:
 *   ENOENT  the heap is missing (load ccshared_heap);
 *   EACCES  /dev/dma_heap/system_cc_shared is not accessible;
 *   ENOMEM  the heap or DPDK is out of memory;
 *   EPERM   PA mode, and /proc/self/pagemap hides physical addresses
 *           (needs CAP_SYS_ADMIN);
 *   ENOTSUP PA mode, where the physical addresses cannot be learnt (the
 *           heap maps with remap_pfn_range, which pagemap does not walk)
 *           or are not the DMA addresses (Arm CCA): use IOVA-as-VA;
 *   EINVAL  no name, no mbufs, unknown flags, a data room with no space
 *           for data (rte_pktmbuf_pool_create() would make such a useless
 *           pool; this call refuses it), or a cache too large for the
 *           pool; others as from DPDK's calls.
 * A failure holds no shared memory.
 */
struct ccshared_dpdk_pool *
ccshared_dpdk_pool_create(const char *name, unsigned int n_mbufs,
			  unsigned int cache_size, uint16_t data_room_size,
			  int socket_id, unsigned int flags);

/*
 * Free the mempool, unmap the memory from the devices, unregister it and
 * free the buffer, in that order.  Stop the ports using the pool first:
 * their rings must hold no mbufs from it.  NULL is allowed.
 */
void ccshared_dpdk_pool_destroy(struct ccshared_dpdk_pool *pool);

/* The mbuf pool, for rte_eth_rx_queue_setup() and rte_pktmbuf_alloc(). */
struct rte_mempool *ccshared_dpdk_pool_mempool(const struct ccshared_dpdk_pool *pool);
/* The shared buffer behind the pool, and its mapped address and size. */
struct ccshared_buf *ccshared_dpdk_pool_buf(const struct ccshared_dpdk_pool *pool);
void *ccshared_dpdk_pool_addr(const struct ccshared_dpdk_pool *pool);
size_t ccshared_dpdk_pool_size(const struct ccshared_dpdk_pool *pool);
/* How many devices the memory was DMA-mapped for. */
unsigned int ccshared_dpdk_pool_mapped_devices(const struct ccshared_dpdk_pool *pool);
/* True when development mode fell back to the unshared "system" heap. */
bool ccshared_dpdk_pool_is_fallback(const struct ccshared_dpdk_pool *pool);

/*
 * True when [addr, addr + len) lies inside the pool's shared buffer.
 * Cheap enough for the fast path.
 */
static inline bool
ccshared_dpdk_pool_contains(const struct ccshared_dpdk_pool *pool,
			    const void *addr, size_t len)
{
	uintptr_t start = (uintptr_t)ccshared_dpdk_pool_addr(pool);
	uintptr_t p = (uintptr_t)addr;

	return p >= start && len <= ccshared_dpdk_pool_size(pool) &&
	       p - start <= ccshared_dpdk_pool_size(pool) - len;
}

/* True when every segment's data room of 'm' lies inside the buffer. */
static inline bool
ccshared_dpdk_mbuf_is_shared(const struct ccshared_dpdk_pool *pool,
			     const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next)
		if (!ccshared_dpdk_pool_contains(pool, m->buf_addr, m->buf_len))
			return false;
	return true;
}

/*
 * Check every mbuf of the pool, in use or not: its data room must lie in
 * the shared buffer and its IOVA must be the one registered for that
 * address.  Returns how many do not (0 is good).
 */
unsigned int ccshared_dpdk_pool_verify(const struct ccshared_dpdk_pool *pool);

#ifdef __cplusplus
}
#endif

#endif /* CCSHARED_DPDK_H */
