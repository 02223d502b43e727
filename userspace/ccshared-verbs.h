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
 *
 * Builds against rdma-core 56 (Debian trixie) and later; the exported
 * symbols are the same with every version.  Each call behaves the same
 * with 56 and 65, except ccshared_verbs_import_ibv_buf(), which needs 65.
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
/*
 * A sentence for errors from this library, with a hint for EOPNOTSUPP,
 * ENODATA and ENOSYS.
 */
const char *ccshared_verbs_strerror(int err);

/*
 * Will the kernel refuse plain ibv_reg_mr() on this device?  Reads the
 * device capability IBV_DEVICE_CC_DMA_BOUNCE from ibv_query_device_ex().
 * The bit is the kernel's (IB_UVERBS_DEVICE_CC_DMA_BOUNCE, 1 << 41 in
 * <rdma/ib_user_verbs.h>, set by Linux 7.x for every DMA device in a guest
 * with memory encryption), and libibverbs passes device_cap_flags_ex
 * through unchanged, so the answer is the same whether this library was
 * built against rdma-core 64+ (which names the flag) or 56 (which does not).
 * *refused is false on kernels that do not report it (6.12: they take
 * ibv_reg_mr() and bounce it through swiotlb in a CoCo guest, which is no
 * use for RDMA either) and on devices whose provider has no
 * query_device_ex.
 * -EINVAL: a NULL argument; otherwise ibv_query_device_ex()'s error, negated.
 */
int ccshared_verbs_plain_mr_refused(struct ibv_context *context, bool *refused);

/*
 * ---- rdma-core's own CoCo buffers (rdma-core 65 and later) -------------
 *
 * rdma-core 64 added ibv_alloc_buf() / ibv_reg_buf_mr(): the provider picks
 * the memory (mlx5, with a parent domain allocated with
 * IBV_PARENT_DOMAIN_INIT_ATTR_ALLOW_CC_UNPROTECTED_ALLOC on a device that
 * reports IBV_DEVICE_CC_DMA_BOUNCE, takes a dma-buf from
 * /dev/dma_heap/system_cc_shared; every other provider page-aligned
 * private memory).  65 added ibv_export_buf_dmabuf_fd().  docs/rdma.md says
 * when to use which.
 */
struct ibv_buf;

/*
 * Wrap the dma-buf behind 'ibuf' (from ibv_alloc_buf()) in a new
 * ccshared_buf, for ccshared_buf_sync_*(), ccshared_buf_set_name(),
 * ccshared_verbs_reg_slice() in another PD or device, or a peer process.
 * The ccshared_buf owns a new fd (ibv_export_buf_dmabuf_fd()); 'ibuf' stays
 * the caller's, and the memory lives until both are freed (and every MR on
 * it is deregistered).  Its size is the dma-buf's (the heap rounds up to
 * pages).  ccshared_buf_map() maps it a second time: a different address
 * for the same memory.
 * -EINVAL: a NULL argument;
 * -ENODATA: 'ibuf' is not backed by a dma-buf (ordinary memory: every
 *           provider but mlx5, and mlx5 without the CoCo parent domain);
 * -ENOSYS: this library was built against rdma-core older than 65;
 * otherwise fcntl(F_DUPFD_CLOEXEC)'s or ccshared_buf_import()'s error.
 */
int ccshared_verbs_import_ibv_buf(struct ibv_buf *ibuf, struct ccshared_buf **buf);

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
