/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * libccshared-verbs: RDMA memory regions on ccshared buffers.
 *
 * In a confidential guest the kernel refuses plain ibv_reg_mr(): it cannot
 * pin private pages for a device that must bounce, and the heap's pages are
 * VM_PFNMAP.  Shared buffers are registered as dma-buf MRs instead.
 *
 * Same error convention as ccshared.h: 0 or a negative errno.
 * -EOPNOTSUPP from a registration means the device or its provider cannot
 * take dma-buf MRs at all; ccshared_verbs_strerror() explains it.
 */
#ifndef CCSHARED_VERBS_H
#define CCSHARED_VERBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <infiniband/verbs.h>

#include <ccshared.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Pass as 'iova' to use the buffer's mapped address (plus the offset). */
#define CCSHARED_VERBS_IOVA_MAPPED UINT64_MAX

/*
 * The address a peer writes to is the MR's iova, never mr->addr: for a
 * dma-buf MR, rdma-core's ibv_reg_dmabuf_mr() sets mr->addr to the offset
 * into the dma-buf (0 for a whole buffer), not to an address, unlike
 * ibv_reg_mr().  Send the peer the iova the MR was registered at (below:
 * the mapped address, plus the offset for a slice), or slice.iova.
 */

/*
 * Register the whole buffer; the iova is its mapped address, so local and
 * remote peers can use pointers into the mapping (ccshared_buf_addr()).
 * The buffer is mapped first if it is not yet.
 */
int ccshared_verbs_reg_buf(struct ibv_pd *pd, struct ccshared_buf *buf,
			   int access, struct ibv_mr **mr);
/*
 * Register 'length' bytes at 'offset'.  'iova' is the address the MR
 * starts at; CCSHARED_VERBS_IOVA_MAPPED means the mapped address + offset.
 * -EINVAL: the slice does not fit in the buffer.
 */
int ccshared_verbs_reg_slice(struct ibv_pd *pd, struct ccshared_buf *buf,
			     size_t offset, size_t length, uint64_t iova,
			     int access, struct ibv_mr **mr);
/* A sentence for errors from this library, with a hint for EOPNOTSUPP. */
const char *ccshared_verbs_strerror(int err);

/*
 * Will the kernel refuse plain ibv_reg_mr() on this device (the device
 * capability IBV_DEVICE_CC_DMA_BOUNCE)?  -EOPNOTSUPP: this library was
 * built against rdma-core headers without that flag, so it cannot tell.
 */
int ccshared_verbs_plain_mr_refused(struct ibv_context *context, bool *refused);

/* ---- Slab: one dma-buf, one MR, many fixed-size slices ------------------ */

struct ccshared_slab;

struct ccshared_slice {
	void *addr;		/* CPU address of the slice */
	uint64_t iova;		/* its address in the MR (== addr) */
	size_t offset;		/* its offset in the dma-buf */
	size_t size;		/* the slab's slice size */
	uint32_t lkey;
	uint32_t rkey;
	uint32_t index;		/* 0 .. count - 1 */
};

/* Slices start at multiples of this, so neighbours never share a line. */
#define CCSHARED_SLAB_ALIGN 64

/*
 * Allocate count * slice_size bytes (slice_size rounded up to
 * CCSHARED_SLAB_ALIGN) from 'heap', map them and register them once.
 * 'count' is 1 to UINT32_MAX slices.  The slab keeps no reference to
 * 'heap'.
 * -EINVAL: a NULL argument, slice_size 0 or count 0;
 * -ERANGE: count times the rounded slice size is larger than a buffer can
 *          be (SIZE_MAX rounded down to a page), so it is never allocated;
 * otherwise the errors of ccshared_buf_alloc() and ccshared_verbs_reg_buf().
 */
int ccshared_slab_create(struct ibv_pd *pd, struct ccshared_heap *heap,
			 size_t slice_size, uint32_t count, int access,
			 struct ccshared_slab **slab);
/* Take a free slice in O(1).  -ENOBUFS: all slices are in use. */
int ccshared_slab_get(struct ccshared_slab *slab, struct ccshared_slice *slice);
/* Return a slice in O(1).  -EINVAL: not taken from this slab, or twice. */
int ccshared_slab_put(struct ccshared_slab *slab, const struct ccshared_slice *slice);
uint32_t ccshared_slab_available(struct ccshared_slab *slab);
struct ibv_mr *ccshared_slab_mr(const struct ccshared_slab *slab);
struct ccshared_buf *ccshared_slab_buf(const struct ccshared_slab *slab);
/* -EBUSY (and nothing freed): slices are still taken. */
int ccshared_slab_destroy(struct ccshared_slab *slab);

#ifdef __cplusplus
}
#endif

#endif /* CCSHARED_VERBS_H */
