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
 *   EPERM   PA mode without CAP_SYS_ADMIN, which /dev/ccshared_heap
 *           requires to tell the buffer's DMA addresses;
 *   ENOTSUP PA mode where the DMA addresses cannot be learnt: no
 *           /dev/ccshared_heap (the kernel's own heap, an older module;
 *           pagemap does not show the heap's remap_pfn_range pages), or
 *           development mode's system heap: use IOVA-as-VA;
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

/* ---- Shared descriptor rings (docs/dpdk.md, "Shared rings") ---------- */

struct ccshared_dpdk_ring;
struct rte_memzone;

/*
 * Put the descriptor ring 'ring_name' of queue 'queue_id' of port
 * 'port_id' into shared memory, before that queue is set up.
 *
 * A PMD that reserves its rings with rte_eth_dma_zone_reserve() (e1000's
 * igb and em, igc, ixgbe, ngbe, axgbe, nfp: "rx_ring" and "tx_ring") takes an existing memzone named "eth_p<port>_q<queue>_<ring>"
 * when it is at least as large and as aligned as the PMD asks, and on the
 * PMD's socket unless the queue is set up with SOCKET_ID_ANY.  This call
 * reserves that memzone: 'size' bytes (rounded up to whole pages) of a
 * system_cc_shared buffer, aligned to 'align' (a power of two, at most
 * the page size), on a DPDK heap of its own whose allocator bookkeeping
 * lies in a private page before the buffer and never in it.  Then set the
 * queue up with SOCKET_ID_ANY, so that the PMD's own queue structures go
 * to ordinary, private EAL memory and only the descriptors are shared,
 * and check ccshared_dpdk_ring_in_place(): a PMD that does not use
 * rte_eth_dma_zone_reserve() with that name has put its ring elsewhere.
 * 'size' must cover what the PMD asks for, which for most PMDs is the
 * ring of the most descriptors it supports, whatever nb_desc is; a
 * smaller memzone makes queue setup fail (the PMD's ENOMEM, and ethdev
 * logs that the memzone "does not justify the requested attributes").
 *
 * In IOVA-as-PA mode the IOVA comes from /dev/ccshared_heap (needs
 * CAP_SYS_ADMIN), and the buffer must be physically contiguous.
 *
 * Returns NULL with rte_errno set: EINVAL (bad arguments), ENAMETOOLONG
 * (the memzone name exceeds RTE_MEMZONE_NAMESIZE), EEXIST (a memzone of
 * that name exists: the queue was set up already), ENOENT or EACCES (the
 * heap), ENOMEM (no memory, or in PA mode no physically contiguous
 * buffer), EPERM or ENOTSUP (PA mode, as for ccshared_dpdk_pool_create),
 * ENOTSUP also when DPDK placed the memzone other than exactly on the
 * shared buffer (a DPDK whose malloc differs from 24.11's); each failure
 * is logged and holds nothing.
 */
struct ccshared_dpdk_ring *
ccshared_dpdk_ring_reserve(uint16_t port_id, uint16_t queue_id, const char *ring_name,
			   size_t size, unsigned int align);
/* The memzone the PMD will find: its addr, iova and len are the buffer's. */
const struct rte_memzone *ccshared_dpdk_ring_memzone(const struct ccshared_dpdk_ring *ring);
/*
 * Is the memzone of that name still this ring's own?  False once the PMD
 * has freed it (queue release, port close) or put another in its place.
 */
bool ccshared_dpdk_ring_in_place(const struct ccshared_dpdk_ring *ring);
/*
 * Free the memzone if it is still this ring's (the PMD normally freed it
 * at queue release: close the port first), then the heap and the buffer.
 * If DPDK still holds memory of the heap, it is left mapped and logged.
 * NULL is allowed.
 */
void ccshared_dpdk_ring_free(struct ccshared_dpdk_ring *ring);

#ifdef __cplusplus
}
#endif

#endif /* CCSHARED_DPDK_H */
