// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libccshared-dpdk: mbuf pools in system_cc_shared memory.
 *
 * The pool's life, in the order ccshared_dpdk_pool_create() walks it and
 * ccshared_dpdk_pool_destroy() walks back:
 *   allocate and map a buffer from the heap;
 *   find each page's IOVA (the VA, or in PA mode the heap's DMA address
 *   from /dev/ccshared_heap);
 *   register the buffer as DPDK external memory;
 *   DMA-map it for every probed device whose bus wants that;
 *   carve it into data rooms of an extbuf mbuf pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_mempool.h>
#include <rte_vfio.h>

#include "ccshared.h"
#include "ccshared-dpdk.h"
#include "dpdk_internal.h"

RTE_LOG_REGISTER(ccshared_dpdk_logtype, ccshared.dpdk, INFO);
#define RTE_LOGTYPE_CCSHARED_DPDK ccshared_dpdk_logtype
#define POOL_LOG(level, ...) RTE_LOG_LINE(level, CCSHARED_DPDK, __VA_ARGS__)

/* A range of the buffer whose IOVAs are contiguous. */
struct pool_run {
	size_t offset;
	size_t len;
	rte_iova_t iova;
};

struct ccshared_dpdk_pool {
	struct ccshared_heap *heap;
	struct ccshared_buf *buf;
	void *addr;
	size_t len;
	int pin_err;			/* why the mapping cannot be pinned, or 0 */
	size_t page_sz;
	rte_iova_t *page_iova;		/* one per page */
	struct pool_run *runs;
	unsigned int n_runs;
	bool registered;
	struct rte_device **mapped;	/* devices rte_dev_dma_map() took */
	unsigned int n_mapped;
	struct rte_mempool *mp;
};

/* ---- Sizes ------------------------------------------------------------ */

/*
 * The distance between two data rooms in the buffer.  Rooms start on cache
 * lines, as in a normal pktmbuf pool.  Computed in size_t: a room above
 * 65472 bytes rounds up to 65536, which no longer fits the uint16_t that
 * DPDK's room and extmem elt_size are (rounding in 16 bits made it 0).
 */
static size_t pool_stride(uint16_t data_room_size)
{
	return RTE_ALIGN_CEIL((size_t)data_room_size, (size_t)RTE_CACHE_LINE_SIZE);
}

/* How many data rooms 'stride' bytes apart the runs hold. */
static uint64_t pool_capacity(const struct ccshared_dpdk_pool *pool, size_t stride)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < pool->n_runs; i++)
		n += pool->runs[i].len / stride;
	return n;
}

/* ---- The buffer ------------------------------------------------------- */

static int pool_open_heap(struct ccshared_dpdk_pool *pool, unsigned int flags)
{
	unsigned int heap_flags = 0;
	int ret;

	if (flags & CCSHARED_DPDK_POOL_DEVELOPMENT)
		heap_flags |= CCSHARED_HEAP_DEVELOPMENT;
	ret = ccshared_heap_open(NULL, heap_flags, &pool->heap);
	if (ret == -ENOENT) {
		POOL_LOG(ERR, "Couldn't open /dev/dma_heap/%s: the heap is missing; load ccshared_heap%s",
			 CCSHARED_HEAP_DEFAULT,
			 heap_flags ? "" : " (or, outside a confidential guest, use development mode)");
	} else if (ret) {
		POOL_LOG(ERR, "Couldn't open /dev/dma_heap/%s: %s",
			 CCSHARED_HEAP_DEFAULT, strerror(-ret));
	} else if (ccshared_heap_is_fallback(pool->heap)) {
		POOL_LOG(WARNING, "development mode: packet data is in the %s heap and is not shared",
			 ccshared_heap_name(pool->heap));
	}
	return ret;
}

int ccshared_dpdk_allow_pin(const struct ccshared_heap *heap, struct ccshared_buf *buf,
			    const char *what)
{
	int ret;

	/*
	 * Only VFIO needs it.  Other kernel paths that pin a process's pages
	 * (AF_XDP's UMEM, io_uring's rings) map them with a private alias of
	 * their own (heap.md, "Pinnable mappings"), so memory that VFIO does
	 * not map stays unpinnable.
	 */
	if (rte_eal_iova_mode() != RTE_IOVA_VA || !rte_vfio_is_enabled("vfio_pci"))
		return 0;
	if (ccshared_heap_is_fallback(heap)) {
		POOL_LOG(DEBUG, "%s is in the %s heap, whose mappings VFIO cannot pin", what,
			 ccshared_heap_name(heap));
		return ENOTSUP;
	}
	ret = ccshared_buf_allow_pin(buf);
	if (ret) {
		POOL_LOG(DEBUG, "Couldn't make %s pinnable, so a device behind VFIO cannot reach it: %s%s",
			 what, strerror(-ret),
			 ret == -EPERM || ret == -EACCES ? " (it needs CAP_SYS_ADMIN)" :
			 ret == -ENOTSUP ? " (it needs a current ccshared_heap)" : "");
		return -ret;
	}
	return 0;
}

static int pool_alloc_buf(struct ccshared_dpdk_pool *pool, size_t size)
{
	int ret;

	ret = ccshared_buf_alloc(pool->heap, size, 0, &pool->buf);
	if (ret) {
		POOL_LOG(ERR, "Couldn't allocate %zu bytes from %s: %s", size,
			 ccshared_heap_name(pool->heap), strerror(-ret));
		return ret;
	}
	pool->pin_err = ccshared_dpdk_allow_pin(pool->heap, pool->buf, "the pool");
	ret = ccshared_buf_map(pool->buf, &pool->addr);
	if (ret) {
		POOL_LOG(ERR, "Couldn't map the %zu-byte buffer: %s", size, strerror(-ret));
		ccshared_buf_free(pool->buf);
		pool->buf = NULL;
		return ret;
	}
	pool->len = ccshared_buf_size(pool->buf);
	return 0;
}

static void pool_free_buf(struct ccshared_dpdk_pool *pool)
{
	ccshared_buf_free(pool->buf);
	pool->buf = NULL;
	pool->addr = NULL;
	pool->len = 0;
}

/* ---- IOVAs ------------------------------------------------------------ */

/*
 * PA mode: the IOVA of a page is the DMA address a device without an IOMMU
 * uses for it.  The heap maps with remap_pfn_range (VM_PFNMAP), which
 * /proc/self/pagemap does not walk, so only ccshared_heap's
 * /dev/ccshared_heap can say it (docs/heap.md).  That is also the right
 * address where it is not the physical one (Arm CCA's unprotected bit).
 */
static int pool_iova_from_heap(struct ccshared_dpdk_pool *pool, size_t n_pages)
{
	struct ccshared_chunk *chunks;
	size_t n_chunks, page = 0;
	int ret;

	ret = ccshared_buf_dma_addrs(pool->buf, &chunks, &n_chunks);
	switch (ret) {
	case 0:
		break;
	case -ENOTSUP:
		POOL_LOG(ERR, "Couldn't find the DMA addresses of the buffer for PA mode: there is no /%s (the kernel's own %s heap, or a ccshared_heap older than that interface, cannot tell them, and pagemap does not show the heap's pages); load a current ccshared_heap or use --iova-mode=va",
			 CCSHARED_DMA_ADDRS_DEVICE, CCSHARED_HEAP_DEFAULT);
		return ret;
	case -EPERM:
	case -EACCES:
		POOL_LOG(ERR, "Couldn't find the DMA addresses of the buffer for PA mode: /%s needs CAP_SYS_ADMIN (%s); run privileged, or use --iova-mode=va (where a device behind VFIO needs it too)",
			 CCSHARED_DMA_ADDRS_DEVICE, strerror(-ret));
		return -EPERM;
	default:
		POOL_LOG(ERR, "Couldn't find the DMA addresses of the buffer for PA mode: %s",
			 strerror(-ret));
		return ret;
	}

	for (size_t i = 0; i < n_chunks; i++) {
		if (chunks[i].len % pool->page_sz || chunks[i].dma_addr % pool->page_sz) {
			POOL_LOG(ERR, "Couldn't use chunk %zu (%" PRIu64 " bytes at 0x%" PRIx64 "): not in whole pages of %zu bytes",
				 i, chunks[i].len, chunks[i].dma_addr, pool->page_sz);
			ret = -EINVAL;
			goto out;
		}
		for (uint64_t off = 0; off < chunks[i].len && page < n_pages; off += pool->page_sz)
			pool->page_iova[page++] = chunks[i].dma_addr + off;
	}
	if (page != n_pages) {
		POOL_LOG(ERR, "Couldn't use the heap's chunks: they cover %zu of the buffer's %zu pages",
			 page, n_pages);
		ret = -EIO;
	}
out:
	free(chunks);
	return ret;
}

static int pool_find_iovas(struct ccshared_dpdk_pool *pool)
{
	size_t n_pages = pool->len / pool->page_sz;
	int ret;

	pool->page_iova = calloc(n_pages, sizeof(*pool->page_iova));
	pool->runs = calloc(n_pages, sizeof(*pool->runs));
	if (!pool->page_iova || !pool->runs) {
		POOL_LOG(ERR, "Couldn't allocate the IOVA table for %zu pages", n_pages);
		return -ENOMEM;
	}
	switch (rte_eal_iova_mode()) {
	case RTE_IOVA_VA:
		for (size_t i = 0; i < n_pages; i++)
			pool->page_iova[i] = (uintptr_t)pool->addr + i * pool->page_sz;
		break;
	case RTE_IOVA_PA:
		if (ccshared_heap_is_fallback(pool->heap)) {
			POOL_LOG(ERR, "Couldn't use PA mode in development mode: the %s heap cannot tell its DMA addresses; use --iova-mode=va",
				 ccshared_heap_name(pool->heap));
			return -ENOTSUP;
		}
		ret = pool_iova_from_heap(pool, n_pages);
		if (ret)
			return ret;
		break;
	default:
		POOL_LOG(ERR, "Couldn't tell the IOVA mode (EAL not initialised?)");
		return -EINVAL;
	}

	/* Split the buffer where the IOVAs stop being contiguous. */
	pool->n_runs = 0;
	for (size_t i = 0; i < n_pages; i++) {
		struct pool_run *last = pool->n_runs ? &pool->runs[pool->n_runs - 1] : NULL;

		if (last && last->iova + last->len == pool->page_iova[i]) {
			last->len += pool->page_sz;
			continue;
		}
		pool->runs[pool->n_runs++] = (struct pool_run){
			.offset = i * pool->page_sz,
			.len = pool->page_sz,
			.iova = pool->page_iova[i],
		};
	}
	return 0;
}

static void pool_forget_iovas(struct ccshared_dpdk_pool *pool)
{
	free(pool->page_iova);
	free(pool->runs);
	pool->page_iova = NULL;
	pool->runs = NULL;
	pool->n_runs = 0;
}

/* ---- External memory -------------------------------------------------- */

static int pool_register(struct ccshared_dpdk_pool *pool)
{
	if (rte_extmem_register(pool->addr, pool->len, pool->page_iova,
				pool->len / pool->page_sz, pool->page_sz)) {
		POOL_LOG(ERR, "Couldn't register %zu bytes at %p as external memory: %s",
			 pool->len, pool->addr, rte_strerror(rte_errno));
		return -rte_errno;
	}
	pool->registered = true;
	return 0;
}

static void pool_unregister(struct ccshared_dpdk_pool *pool)
{
	if (pool->registered && rte_extmem_unregister(pool->addr, pool->len))
		POOL_LOG(WARNING, "Couldn't unregister external memory at %p: %s",
			 pool->addr, rte_strerror(rte_errno));
	pool->registered = false;
}

/* ---- Device mappings -------------------------------------------------- */

static void pool_unmap_device(struct ccshared_dpdk_pool *pool,
			      struct rte_device *dev, unsigned int n_runs)
{
	for (unsigned int i = 0; i < n_runs; i++) {
		const struct pool_run *run = &pool->runs[i];

		if (rte_dev_dma_unmap(dev, RTE_PTR_ADD(pool->addr, run->offset),
				      run->iova, run->len))
			POOL_LOG(WARNING, "Couldn't DMA-unmap %zu bytes from %s: %s",
				 run->len, rte_dev_name(dev), rte_strerror(rte_errno));
	}
}

/*
 * Returns 0 when mapped, 1 when the device's bus has no use for it (a
 * virtual device, or a PCI device without an IOMMU), or a negative errno.
 */
static int pool_map_device(struct ccshared_dpdk_pool *pool, struct rte_device *dev)
{
	for (unsigned int i = 0; i < pool->n_runs; i++) {
		const struct pool_run *run = &pool->runs[i];
		int err;

		rte_errno = 0;
		errno = 0;
		if (rte_dev_dma_map(dev, RTE_PTR_ADD(pool->addr, run->offset),
				    run->iova, run->len) == 0)
			continue;
		if (rte_errno == ENOTSUP && i == 0) {
			POOL_LOG(DEBUG, "%s needs no DMA mapping", rte_dev_name(dev));
			return 1;
		}
		/*
		 * DPDK 24.11's VFIO path fails without setting rte_errno (or
		 * with one left over from a lookup, ENOENT), so prefer the
		 * errno of its failed ioctl: EFAULT when VFIO type1 refuses
		 * the heap's VM_PFNMAP pages (docs/dpdk.md, "A real NIC").
		 */
		err = errno ? errno : rte_errno ? rte_errno : EIO;
		POOL_LOG(ERR, "Couldn't DMA-map %zu bytes at IOVA 0x%" PRIx64 " for %s: %s%s%s%s",
			 run->len, run->iova, rte_dev_name(dev), strerror(err),
			 err == EFAULT && pool->pin_err ? " (the buffer's mapping cannot be pinned: " : "",
			 err == EFAULT && pool->pin_err ? strerror(pool->pin_err) : "",
			 err == EFAULT && pool->pin_err ? ")" : "");
		int ret = -err;

		pool_unmap_device(pool, dev, i);
		return ret;
	}
	POOL_LOG(DEBUG, "DMA-mapped %u range(s) for %s", pool->n_runs, rte_dev_name(dev));
	return 0;
}

static void pool_unmap_devices(struct ccshared_dpdk_pool *pool)
{
	while (pool->n_mapped)
		pool_unmap_device(pool, pool->mapped[--pool->n_mapped], pool->n_runs);
	free(pool->mapped);
	pool->mapped = NULL;
}

static bool pool_has_mapped(const struct ccshared_dpdk_pool *pool, const struct rte_device *dev)
{
	for (unsigned int i = 0; i < pool->n_mapped; i++)
		if (pool->mapped[i] == dev)
			return true;
	return false;
}

/*
 * Every probed device behind an ethdev port: those are the devices that
 * DMA into mbufs.  Several ports may share one device (one PCI function
 * with two ports); it is mapped once.  DPDK 24.11 has no public way to
 * walk every device of every bus, so a dmadev or cryptodev that should
 * reach the pool must be mapped by the application.
 */
static int pool_map_devices(struct ccshared_dpdk_pool *pool)
{
	uint16_t port;

	pool->mapped = calloc(RTE_MAX(rte_eth_dev_count_avail(), 1), sizeof(*pool->mapped));
	if (!pool->mapped)
		return -ENOMEM;
	RTE_ETH_FOREACH_DEV(port) {
		struct rte_eth_dev_info info;
		int ret;

		ret = rte_eth_dev_info_get(port, &info);
		if (ret) {
			POOL_LOG(ERR, "Couldn't get the device of port %u: %s", port, rte_strerror(-ret));
			return ret;
		}
		if (!info.device || pool_has_mapped(pool, info.device))
			continue;
		ret = pool_map_device(pool, info.device);
		if (ret < 0)
			return ret;
		if (ret == 0)
			pool->mapped[pool->n_mapped++] = info.device;
	}
	return 0;
}

/* ---- The mbuf pool ---------------------------------------------------- */

/*
 * The extmem descriptors for the runs.  DPDK steps through a descriptor
 * 'elt_size' bytes at a time, and elt_size is a uint16_t: while the stride
 * fits, one descriptor covers a whole run; a stride of 65536 (rooms of
 * 65473 to 65535 bytes) gets one descriptor per data room instead, each
 * 'stride' long with elt_size the room itself, so rooms stay cache-aligned.
 */
static struct rte_pktmbuf_extmem *
pool_extmem(const struct ccshared_dpdk_pool *pool, uint16_t data_room_size,
	    unsigned int *n_ext)
{
	size_t stride = pool_stride(data_room_size);
	bool per_room = stride > UINT16_MAX;
	struct rte_pktmbuf_extmem *ext;
	uint64_t count = 0;
	unsigned int n = 0;

	for (unsigned int i = 0; i < pool->n_runs; i++)
		count += per_room ? pool->runs[i].len / stride : pool->runs[i].len >= stride;
	if (count > UINT_MAX)
		return NULL;
	ext = calloc(RTE_MAX(count, (uint64_t)1), sizeof(*ext));
	if (!ext)
		return NULL;
	for (unsigned int i = 0; i < pool->n_runs; i++) {
		const struct pool_run *run = &pool->runs[i];

		if (per_room) {
			for (size_t off = 0; run->len - off >= stride; off += stride)
				ext[n++] = (struct rte_pktmbuf_extmem){
					.buf_ptr = RTE_PTR_ADD(pool->addr, run->offset + off),
					.buf_iova = run->iova + off,
					.buf_len = stride,
					.elt_size = data_room_size,
				};
		} else if (run->len >= stride) {
			/* A run too short for one data room would only be refused. */
			ext[n++] = (struct rte_pktmbuf_extmem){
				.buf_ptr = RTE_PTR_ADD(pool->addr, run->offset),
				.buf_iova = run->iova,
				.buf_len = run->len,
				.elt_size = (uint16_t)stride,
			};
		}
	}
	*n_ext = n;
	return ext;
}

static int pool_create_mempool(struct ccshared_dpdk_pool *pool, const char *name,
			       unsigned int n_mbufs, unsigned int cache_size,
			       uint16_t data_room_size, int socket_id)
{
	struct rte_pktmbuf_extmem *ext;
	unsigned int n_ext = 0;

	ext = pool_extmem(pool, data_room_size, &n_ext);
	if (!ext) {
		POOL_LOG(ERR, "Couldn't allocate the extmem descriptors for pool %s", name);
		return -ENOMEM;
	}
	pool->mp = rte_pktmbuf_pool_create_extbuf(name, n_mbufs, cache_size, 0,
						  data_room_size, socket_id, ext, n_ext);
	free(ext);
	if (!pool->mp) {
		POOL_LOG(ERR, "Couldn't create mbuf pool %s (%u mbufs): %s", name, n_mbufs,
			 rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

/* ---- Create and destroy ----------------------------------------------- */

/*
 * Allocate a buffer big enough for 'n_mbufs' data rooms.  In PA mode each
 * physically contiguous run loses the room that does not fit at its end,
 * and a fragmented heap gives small chunks (a 4 KiB chunk holds one
 * 2176-byte room): grow the buffer by the shortfall, scaled by how well
 * the last one was used, a few times.
 */
#define POOL_SIZE_ATTEMPTS 4

static int pool_setup_memory(struct ccshared_dpdk_pool *pool, unsigned int n_mbufs,
			     size_t stride)
{
	uint64_t want = (uint64_t)n_mbufs * stride;
	int ret;

	for (int attempt = 0; attempt < POOL_SIZE_ATTEMPTS; attempt++) {
		uint64_t have, per_room;

		/* rte_extmem_register() counts pages in an unsigned int. */
		if (want > SIZE_MAX - pool->page_sz || want / pool->page_sz >= UINT_MAX) {
			POOL_LOG(ERR, "Couldn't size a pool of %u data rooms: %" PRIu64 " bytes is more than DPDK registers (UINT_MAX pages)",
				 n_mbufs, want);
			return -ENOMEM;
		}
		ret = pool_alloc_buf(pool, RTE_ALIGN_CEIL(want, pool->page_sz));
		if (ret)
			return ret;
		ret = pool_find_iovas(pool);
		if (ret)
			goto err_free;
		have = pool_capacity(pool, stride);
		if (have >= n_mbufs)
			return 0;
		POOL_LOG(DEBUG, "%u physical runs hold %" PRIu64 " of %u data rooms; growing",
			 pool->n_runs, have, n_mbufs);
		/* have < n_mbufs here; have may be 0 for a heap of tiny chunks. */
		per_room = want / RTE_MAX(have, (uint64_t)1);
		want = per_room > (UINT64_MAX - (uint64_t)pool->n_runs * stride) / n_mbufs ?
		       UINT64_MAX : per_room * n_mbufs + (uint64_t)pool->n_runs * stride;
		pool_forget_iovas(pool);
		pool_free_buf(pool);
	}
	POOL_LOG(ERR, "Couldn't fit %u data rooms into physically contiguous runs after %d attempts",
		 n_mbufs, POOL_SIZE_ATTEMPTS);
	return -ENOMEM;
err_free:
	pool_forget_iovas(pool);
	pool_free_buf(pool);
	return ret;
}

struct ccshared_dpdk_pool *
ccshared_dpdk_pool_create(const char *name, unsigned int n_mbufs,
			  unsigned int cache_size, uint16_t data_room_size,
			  int socket_id, unsigned int flags)
{
	struct ccshared_dpdk_pool *pool;
	long page_sz = sysconf(_SC_PAGESIZE);
	int ret;

	if (!name || !n_mbufs || data_room_size <= RTE_PKTMBUF_HEADROOM ||
	    (flags & ~CCSHARED_DPDK_POOL_DEVELOPMENT) || page_sz <= 0) {
		POOL_LOG(ERR, "Couldn't create a pool: bad arguments (name %s, %u mbufs, data room %u, flags 0x%x)",
			 name ? name : "NULL", n_mbufs, data_room_size, flags);
		rte_errno = EINVAL;
		return NULL;
	}
	/*
	 * rte_mempool_create_empty()'s rule, checked here so that a refusal
	 * says why and costs no shared memory: the cache flushes at 1.5 times
	 * its size, which must not exceed the pool.
	 */
	if (cache_size > RTE_MEMPOOL_CACHE_MAX_SIZE || (uint64_t)cache_size * 3 / 2 > n_mbufs) {
		POOL_LOG(ERR, "Couldn't create pool %s: a cache of %u mbufs per lcore is too large for %u mbufs; DPDK takes at most n / 1.5 (%" PRIu64 ") and RTE_MEMPOOL_CACHE_MAX_SIZE (%u)",
			 name, cache_size, n_mbufs, ((uint64_t)n_mbufs * 2 + 1) / 3,
			 RTE_MEMPOOL_CACHE_MAX_SIZE);
		rte_errno = EINVAL;
		return NULL;
	}
	pool = calloc(1, sizeof(*pool));
	if (!pool) {
		rte_errno = ENOMEM;
		return NULL;
	}
	pool->page_sz = page_sz;

	ret = pool_open_heap(pool, flags);
	if (ret)
		goto err_free_pool;
	ret = pool_setup_memory(pool, n_mbufs, pool_stride(data_room_size));
	if (ret)
		goto err_close_heap;
	ccshared_buf_set_name(pool->buf, name);
	ret = pool_register(pool);
	if (ret)
		goto err_free_buf;
	ret = pool_map_devices(pool);
	if (ret)
		goto err_unmap;
	ret = pool_create_mempool(pool, name, n_mbufs, cache_size, data_room_size, socket_id);
	if (ret)
		goto err_unmap;

	POOL_LOG(INFO, "pool %s: %u mbufs, %zu bytes of %s memory at %p, IOVA %s in %u range(s), %u device(s) mapped",
		 name, n_mbufs, pool->len, ccshared_heap_name(pool->heap), pool->addr,
		 rte_eal_iova_mode() == RTE_IOVA_VA ? "as VA" : "PA", pool->n_runs,
		 pool->n_mapped);
	return pool;

err_unmap:
	pool_unmap_devices(pool);
	pool_unregister(pool);
err_free_buf:
	pool_forget_iovas(pool);
	pool_free_buf(pool);
err_close_heap:
	ccshared_heap_close(pool->heap);
err_free_pool:
	free(pool);
	rte_errno = -ret;
	return NULL;
}

void ccshared_dpdk_pool_destroy(struct ccshared_dpdk_pool *pool)
{
	if (!pool)
		return;
	rte_mempool_free(pool->mp);
	pool_unmap_devices(pool);
	pool_unregister(pool);
	pool_forget_iovas(pool);
	pool_free_buf(pool);
	ccshared_heap_close(pool->heap);
	free(pool);
}

/* ---- Getters and verification ----------------------------------------- */

struct rte_mempool *ccshared_dpdk_pool_mempool(const struct ccshared_dpdk_pool *pool)
{
	return pool->mp;
}

struct ccshared_buf *ccshared_dpdk_pool_buf(const struct ccshared_dpdk_pool *pool)
{
	return pool->buf;
}

void *ccshared_dpdk_pool_addr(const struct ccshared_dpdk_pool *pool)
{
	return pool->addr;
}

size_t ccshared_dpdk_pool_size(const struct ccshared_dpdk_pool *pool)
{
	return pool->len;
}

unsigned int ccshared_dpdk_pool_mapped_devices(const struct ccshared_dpdk_pool *pool)
{
	return pool->n_mapped;
}

bool ccshared_dpdk_pool_is_fallback(const struct ccshared_dpdk_pool *pool)
{
	return ccshared_heap_is_fallback(pool->heap);
}

struct verify_state {
	const struct ccshared_dpdk_pool *pool;
	unsigned int bad;
};

/*
 * The IOVA DPDK registered for @addr, from its memseg.  Not
 * rte_mem_virt2iova(): in PA mode that reads /proc/self/pagemap, which
 * has nothing for the heap's VM_PFNMAP mapping (RTE_BAD_IOVA).
 */
static rte_iova_t registered_iova(const void *addr)
{
	const struct rte_memseg *ms = rte_mem_virt2memseg(addr, NULL);

	if (!ms || ms->iova == RTE_BAD_IOVA)
		return RTE_BAD_IOVA;
	return ms->iova + RTE_PTR_DIFF(addr, ms->addr);
}

static void verify_mbuf(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct verify_state *state = arg;
	const struct rte_mbuf *m = obj;

	RTE_SET_USED(mp);
	if (!ccshared_dpdk_pool_contains(state->pool, m->buf_addr, m->buf_len)) {
		POOL_LOG(ERR, "mbuf %u: data room %p+%u is outside the shared buffer", idx,
			 m->buf_addr, m->buf_len);
		state->bad++;
	} else if (registered_iova(m->buf_addr) != m->buf_iova) {
		POOL_LOG(ERR, "mbuf %u: IOVA 0x%" PRIx64 " is not the registered 0x%" PRIx64, idx,
			 m->buf_iova, registered_iova(m->buf_addr));
		state->bad++;
	}
}

unsigned int ccshared_dpdk_pool_verify(const struct ccshared_dpdk_pool *pool)
{
	struct verify_state state = { .pool = pool };

	rte_mempool_obj_iter(pool->mp, verify_mbuf, &state);
	return state.bad;
}
