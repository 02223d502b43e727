// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libccshared-dpdk: descriptor rings in system_cc_shared memory, with no
 * allocator bookkeeping in it (docs/dpdk.md, "Shared rings").
 *
 * A PMD reserves each ring with rte_eth_dma_zone_reserve(), which first
 * looks up a memzone named "eth_p<port>_q<queue>_<ring>" and takes it if
 * it is large enough, aligned enough and, unless the PMD passes
 * SOCKET_ID_ANY, on the PMD's socket (DPDK 24.11 lib/ethdev/
 * ethdev_driver.c).  So this file reserves that memzone first, on an
 * external malloc heap of its own whose memory is
 *
 *   [ one private anonymous page | the shared buffer, mapped right after ]
 *
 * DPDK's allocator (lib/eal/common/malloc_elem.c, elem_start_pt()) puts
 * an allocation at the end of the free element that holds it, with its
 * struct malloc_elem header right before the data.  A memzone exactly as
 * long as the shared part therefore starts exactly where the shared part
 * does, and its header, like the free element's, lies in the private page.
 * That is checked after the reservation: a memzone that is not exactly the
 * shared buffer is refused, whatever DPDK version placed it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include "ccshared.h"
#include "ccshared-dpdk.h"
#include "dpdk_internal.h"

extern int ccshared_dpdk_logtype;
#define RTE_LOGTYPE_CCSHARED_DPDK ccshared_dpdk_logtype
#define RING_LOG(level, ...) RTE_LOG_LINE(level, CCSHARED_DPDK, __VA_ARGS__)

struct ccshared_dpdk_ring {
	char zone[RTE_MEMZONE_NAMESIZE];	/* the PMD's memzone name */
	char heap_name[32];		/* RTE_HEAP_NAME_MAX_LEN, not public */
	struct ccshared_heap *heap;
	struct ccshared_buf *buf;
	void *base;			/* the private page; the buffer follows */
	size_t page_sz;
	size_t len;			/* of the shared part */
	rte_iova_t iova;		/* of the shared part */
	bool heap_created, memory_added;
	const struct rte_memzone *mz;
};

static int ring_iova(struct ccshared_dpdk_ring *ring, rte_iova_t *iovas, size_t n_pages)
{
	struct ccshared_chunk *chunks;
	size_t n_chunks;
	int ret;

	if (rte_eal_iova_mode() == RTE_IOVA_VA) {
		for (size_t i = 0; i < n_pages; i++)
			iovas[i] = (uintptr_t)ring->base + (i + 1) * ring->page_sz;
		return 0;
	}
	ret = ccshared_buf_dma_addrs(ring->buf, &chunks, &n_chunks);
	if (ret) {
		RING_LOG(ERR, "Couldn't find the DMA address of ring %s for PA mode: %s%s", ring->zone,
			 strerror(-ret),
			 ret == -ENOTSUP ? " (no /dev/ccshared_heap: load a current ccshared_heap)" :
			 ret == -EPERM || ret == -EACCES ? " (it needs CAP_SYS_ADMIN)" : "");
		return ret == -EACCES ? -EPERM : ret;
	}
	/* A device sees a ring through one base address. */
	for (size_t i = 1; i < n_chunks; i++) {
		if (chunks[i].dma_addr != chunks[i - 1].dma_addr + chunks[i - 1].len) {
			RING_LOG(ERR, "Couldn't use the buffer for ring %s: its %zu bytes are not physically contiguous (%zu chunks); try again, or use a smaller ring",
				 ring->zone, ring->len, n_chunks);
			free(chunks);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < n_pages; i++)
		iovas[i] = chunks[0].dma_addr + i * ring->page_sz;
	free(chunks);
	return 0;
}

/* Build the heap's VA range: the private page, then the shared buffer. */
static int ring_map(struct ccshared_dpdk_ring *ring)
{
	size_t total = ring->page_sz + ring->len;
	void *p;

	ring->base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ring->base == MAP_FAILED) {
		ring->base = NULL;
		return -errno;
	}
	p = mmap(ring->base, ring->page_sz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	p = mmap((char *)ring->base + ring->page_sz, ring->len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, ccshared_buf_fd(ring->buf), 0);
	if (p == MAP_FAILED)
		return -errno;
	return 0;
}

/*
 * Undo what ring_reserve() did, in reverse.  If DPDK will not give the
 * memory back, the mapping stays: unmapping memory DPDK still lists would
 * leave it pointers into nothing.
 */
static void ring_release(struct ccshared_dpdk_ring *ring)
{
	const struct rte_memzone *mz;
	size_t total = ring->page_sz + ring->len;
	bool keep = false;

	/*
	 * The PMD frees its memzone when it releases the queue, and may have
	 * reserved a new one of the same name since: free only one that lies
	 * in this heap's memory.
	 */
	mz = rte_memzone_lookup(ring->zone);
	if (mz && mz == ring->mz && (char *)mz->addr >= (char *)ring->base &&
	    (char *)mz->addr < (char *)ring->base + total)
		rte_memzone_free(mz);
	if (ring->memory_added &&
	    rte_malloc_heap_memory_remove(ring->heap_name, ring->base, total)) {
		RING_LOG(ERR, "Couldn't remove ring %s's memory from heap %s: %s; leaving it mapped",
			 ring->zone, ring->heap_name, rte_strerror(rte_errno));
		keep = true;
	}
	if (!keep && ring->heap_created && rte_malloc_heap_destroy(ring->heap_name)) {
		RING_LOG(ERR, "Couldn't destroy heap %s: %s", ring->heap_name,
			 rte_strerror(rte_errno));
	}
	if (!keep) {
		if (ring->base)
			munmap(ring->base, total);
		ccshared_buf_free(ring->buf);
		ccshared_heap_close(ring->heap);
	}
	free(ring);
}

static int ring_reserve(struct ccshared_dpdk_ring *ring, unsigned int align)
{
	size_t n_pages = ring->len / ring->page_sz + 1;
	rte_iova_t *iovas;
	char *shared;
	int socket, ret;

	ret = ccshared_heap_open(NULL, 0, &ring->heap);
	if (ret) {
		RING_LOG(ERR, "Couldn't open /dev/dma_heap/%s for ring %s: %s%s", CCSHARED_HEAP_DEFAULT,
			 ring->zone, strerror(-ret), ret == -ENOENT ? " (load ccshared_heap)" : "");
		return ret;
	}
	ret = ccshared_buf_alloc(ring->heap, ring->len, 0, &ring->buf);
	if (ret) {
		RING_LOG(ERR, "Couldn't allocate %zu bytes for ring %s: %s", ring->len, ring->zone,
			 strerror(-ret));
		return ret;
	}
	ccshared_buf_set_name(ring->buf, ring->zone);
	ccshared_dpdk_allow_pin(ring->heap, ring->buf, ring->zone);
	ret = ring_map(ring);
	if (ret) {
		RING_LOG(ERR, "Couldn't map ring %s: %s", ring->zone, strerror(-ret));
		return ret;
	}
	shared = (char *)ring->base + ring->page_sz;

	iovas = calloc(n_pages, sizeof(*iovas));
	if (!iovas)
		return -ENOMEM;
	/* No device may reach the private page: it has no IOVA. */
	iovas[0] = RTE_BAD_IOVA;
	ret = ring_iova(ring, iovas + 1, n_pages - 1);
	ring->iova = iovas[1];
	if (!ret && rte_malloc_heap_create(ring->heap_name)) {
		ret = -rte_errno;
		RING_LOG(ERR, "Couldn't create heap %s: %s", ring->heap_name, rte_strerror(rte_errno));
	}
	ring->heap_created = !ret;
	if (!ret && rte_malloc_heap_memory_add(ring->heap_name, ring->base, n_pages * ring->page_sz,
					       iovas, n_pages, ring->page_sz)) {
		ret = -rte_errno;
		RING_LOG(ERR, "Couldn't add ring %s's memory to heap %s: %s", ring->zone,
			 ring->heap_name, rte_strerror(rte_errno));
	}
	free(iovas);
	if (ret)
		return ret;
	ring->memory_added = true;

	socket = rte_malloc_heap_get_socket(ring->heap_name);
	ring->mz = rte_memzone_reserve_aligned(ring->zone, ring->len, socket,
					       RTE_MEMZONE_IOVA_CONTIG, align);
	if (!ring->mz) {
		ret = -rte_errno;
		RING_LOG(ERR, "Couldn't reserve memzone %s on heap %s: %s", ring->zone,
			 ring->heap_name, rte_strerror(rte_errno));
		return ret;
	}
	/*
	 * The guarantee: the memzone is exactly the shared buffer, so every
	 * allocator header of this heap is in the private page.
	 */
	if (ring->mz->addr != shared || ring->mz->len != ring->len ||
	    ring->mz->iova != ring->iova) {
		RING_LOG(ERR, "Couldn't place ring %s safely: DPDK put the memzone at %p (%zu bytes, IOVA 0x%" PRIx64 "), not exactly on the shared buffer at %p (%zu bytes, IOVA 0x%" PRIx64 "), so allocator headers could be in shared memory; this DPDK's malloc lays out memory unlike 24.11's",
			 ring->zone, ring->mz->addr, ring->mz->len, ring->mz->iova, (void *)shared,
			 ring->len, ring->iova);
		return -ENOTSUP;
	}
	return 0;
}

struct ccshared_dpdk_ring *
ccshared_dpdk_ring_reserve(uint16_t port_id, uint16_t queue_id, const char *ring_name,
			   size_t size, unsigned int align)
{
	static unsigned int serial;
	struct ccshared_dpdk_ring *ring;
	long page_sz = sysconf(_SC_PAGESIZE);
	int n, ret;

	if (!ring_name || !size || page_sz <= 0 || !rte_is_power_of_2(align) ||
	    align > (unsigned long)page_sz) {
		RING_LOG(ERR, "Couldn't reserve a ring: bad arguments (ring %s, %zu bytes, alignment %u: a power of two up to the page size)",
			 ring_name ? ring_name : "NULL", size, align);
		rte_errno = EINVAL;
		return NULL;
	}
	ring = calloc(1, sizeof(*ring));
	if (!ring) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ring->page_sz = page_sz;
	ring->len = RTE_ALIGN_CEIL(size, (size_t)page_sz);
	/* ethdev's own name for the ring (eth_dev_dma_mzone_name()). */
	n = snprintf(ring->zone, sizeof(ring->zone), "eth_p%u_q%u_%s", port_id, queue_id, ring_name);
	if (n < 0 || (size_t)n >= sizeof(ring->zone)) {
		RING_LOG(ERR, "Couldn't reserve ring %s of port %u queue %u: the memzone name is longer than %d bytes",
			 ring_name, port_id, queue_id, RTE_MEMZONE_NAMESIZE - 1);
		free(ring);
		rte_errno = ENAMETOOLONG;
		return NULL;
	}
	if (rte_memzone_lookup(ring->zone)) {
		RING_LOG(ERR, "Couldn't reserve ring %s: a memzone of that name exists (the queue was set up before; release it first), and the PMD would keep using it",
			 ring->zone);
		free(ring);
		rte_errno = EEXIST;
		return NULL;
	}
	snprintf(ring->heap_name, sizeof(ring->heap_name), "ccs-ring-%d-%u", getpid(),
		 __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED));

	ret = ring_reserve(ring, align);
	if (ret) {
		ring_release(ring);
		rte_errno = -ret;
		return NULL;
	}
	RING_LOG(DEBUG, "ring %s: %zu shared bytes at %p, IOVA 0x%" PRIx64 ", heap %s",
		 ring->zone, ring->len, ring->mz->addr, ring->mz->iova, ring->heap_name);
	return ring;
}

const struct rte_memzone *ccshared_dpdk_ring_memzone(const struct ccshared_dpdk_ring *ring)
{
	return ring->mz;
}

bool ccshared_dpdk_ring_in_place(const struct ccshared_dpdk_ring *ring)
{
	const struct rte_memzone *mz = rte_memzone_lookup(ring->zone);

	return mz && mz == ring->mz && mz->addr == (char *)ring->base + ring->page_sz &&
	       mz->len == ring->len;
}

void ccshared_dpdk_ring_free(struct ccshared_dpdk_ring *ring)
{
	if (ring)
		ring_release(ring);
}
