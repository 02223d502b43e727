// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dma-buf memory regions on ccshared buffers, and the slab that shares one
 * registration among many small slices.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ccshared-verbs.h"
#include "internal.h"
#include "slab_core.h"

/*
 * rdma-core 64 named the kernel's capability bit; 56 passes the same bit
 * through device_cap_flags_ex without a name.  The value is the kernel's
 * UAPI (IB_UVERBS_DEVICE_CC_DMA_BOUNCE, include/uapi/rdma/ib_user_verbs.h),
 * which cannot change.
 */
#ifndef IBV_DEVICE_CC_DMA_BOUNCE
#define IBV_DEVICE_CC_DMA_BOUNCE (1ULL << 41)
#endif

struct ccshared_slab {
	struct slab_core core;
	struct ccshared_buf *buf;
	struct ibv_mr *mr;
	char *base;
	size_t stride;
};

int ccshared_verbs_reg_slice(struct ibv_pd *pd, struct ccshared_buf *buf,
			     size_t offset, size_t length, uint64_t iova,
			     int access, struct ibv_mr **mrp)
{
	struct ibv_mr *mr;
	void *addr;
	int ret;

	if (!pd || !buf || !mrp || !length || offset > ccshared_buf_size(buf) ||
	    length > ccshared_buf_size(buf) - offset)
		return -EINVAL;
	if (iova == CCSHARED_VERBS_IOVA_MAPPED) {
		ret = ccshared_buf_map(buf, &addr);
		if (ret)
			return ret;
		iova = (uint64_t)(uintptr_t)addr + offset;
	}
	errno = 0;	/* a provider that fails without setting it gets -EIO */
	mr = ibv_reg_dmabuf_mr(pd, offset, length, iova, ccshared_buf_fd(buf), access);
	if (!mr) {
		/*
		 * Providers without the verb fail with EOPNOTSUPP from
		 * libibverbs, and some kernels with ENOSYS; one code for both
		 * so callers test a single value.
		 */
		ret = errno ? -errno : -EIO;
		return ret == -ENOSYS ? -EOPNOTSUPP : ret;
	}
	*mrp = mr;
	return 0;
}

int ccshared_verbs_reg_buf(struct ibv_pd *pd, struct ccshared_buf *buf,
			   int access, struct ibv_mr **mrp)
{
	if (!buf)
		return -EINVAL;
	return ccshared_verbs_reg_slice(pd, buf, 0, ccshared_buf_size(buf),
					CCSHARED_VERBS_IOVA_MAPPED, access, mrp);
}

const char *ccshared_verbs_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return "Success";
	case EOPNOTSUPP:
		return "the RDMA device or its provider cannot register dma-buf "
		       "memory (ibv_reg_dmabuf_mr); mlx5, efa, bnxt_re and irdma "
		       "can (rdma-core 65: also ionic and mana), rxe and siw cannot";
	case ENODATA:
		return "the rdma-core buffer is not a dma-buf: ibv_alloc_buf() gave "
		       "ordinary memory (only mlx5 allocates dma-bufs, for a parent "
		       "domain with IBV_PARENT_DOMAIN_INIT_ATTR_ALLOW_CC_UNPROTECTED_ALLOC "
		       "on a device that reports IBV_DEVICE_CC_DMA_BOUNCE)";
	case ENOSYS:
		return "libccshared-verbs was built against an rdma-core without "
		       "ibv_export_buf_dmabuf_fd() (it needs 65 or later)";
	case EINVAL:
		return "invalid argument: a NULL handle, a slice outside the buffer, "
		       "or a slice not taken from this slab";
	case ENOBUFS:
		return "all slices of the slab are in use";
	case EBUSY:
		return "slices of the slab are still in use";
	case EACCES:
	case EPERM:
		return "permission denied: check the access flags and RLIMIT_MEMLOCK";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

int ccshared_verbs_plain_mr_refused(struct ibv_context *context, bool *refused)
{
	struct ibv_device_attr_ex attr;
	int ret;

	if (!context || !refused)
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	ret = ibv_query_device_ex(context, NULL, &attr);
	if (ret)
		return -ret;
	*refused = attr.device_cap_flags_ex & IBV_DEVICE_CC_DMA_BOUNCE;
	return 0;
}

int ccshared_verbs_import_ibv_buf(struct ibv_buf *ibuf, struct ccshared_buf **bufp)
{
#ifdef CCSHARED_HAVE_IBV_EXPORT_BUF_DMABUF_FD
	int fd, ret;

	if (!ibuf || !bufp)
		return -EINVAL;
	errno = 0;
	fd = ibv_export_buf_dmabuf_fd(ibuf);
	if (fd < 0)
		return errno ? -errno : -EIO;
	ret = ccshared_buf_import(fd, bufp);
	if (ret)
		close(fd);
	return ret;
#else
	if (!ibuf || !bufp)
		return -EINVAL;
	return -ENOSYS;
#endif
}

int ccshared_slab_create(struct ibv_pd *pd, struct ccshared_heap *heap,
			 size_t slice_size, uint32_t count, int access,
			 struct ccshared_slab **slabp)
{
	size_t stride, max = ccs_max_buf_size();
	struct ccshared_slab *slab;
	void *addr;
	int ret;

	if (!pd || !heap || !slabp || !slice_size || !count)
		return -EINVAL;
	/* Round and multiply only what cannot wrap: max is a page multiple. */
	if (slice_size > max)
		return -ERANGE;
	stride = (slice_size + CCSHARED_SLAB_ALIGN - 1) & ~(size_t)(CCSHARED_SLAB_ALIGN - 1);
	if (stride > max / count)
		return -ERANGE;

	slab = calloc(1, sizeof(*slab));
	if (!slab)
		return -ENOMEM;
	slab->stride = stride;
	ret = slab_core_init(&slab->core, count);
	if (ret)
		goto free_slab;
	ret = ccshared_buf_alloc(heap, stride * count, CCSHARED_BUF_MAP_EAGER, &slab->buf);
	if (ret)
		goto fini_core;
	ret = ccshared_buf_map(slab->buf, &addr);
	if (ret)
		goto free_buf;
	slab->base = addr;
	ret = ccshared_verbs_reg_buf(pd, slab->buf, access, &slab->mr);
	if (ret)
		goto free_buf;
	*slabp = slab;
	return 0;

free_buf:
	ccshared_buf_free(slab->buf);
fini_core:
	slab_core_fini(&slab->core);
free_slab:
	free(slab);
	return ret;
}

int ccshared_slab_get(struct ccshared_slab *slab, struct ccshared_slice *slice)
{
	uint32_t index;
	int ret;

	if (!slab || !slice)
		return -EINVAL;
	ret = slab_core_get(&slab->core, &index);
	if (ret)
		return ret;
	slice->index = index;
	slice->offset = (size_t)index * slab->stride;
	slice->addr = slab->base + slice->offset;
	slice->iova = (uint64_t)(uintptr_t)slice->addr;
	slice->size = slab->stride;
	slice->lkey = slab->mr->lkey;
	slice->rkey = slab->mr->rkey;
	return 0;
}

int ccshared_slab_put(struct ccshared_slab *slab, const struct ccshared_slice *slice)
{
	/* The index first: a pointer past the buffer is undefined to compute. */
	if (!slab || !slice || slice->index >= slab->core.count ||
	    slice->addr != slab->base + (size_t)slice->index * slab->stride)
		return -EINVAL;
	return slab_core_put(&slab->core, slice->index);
}

uint32_t ccshared_slab_available(struct ccshared_slab *slab)
{
	return slab_core_available(&slab->core);
}

struct ibv_mr *ccshared_slab_mr(const struct ccshared_slab *slab)
{
	return slab->mr;
}

struct ccshared_buf *ccshared_slab_buf(const struct ccshared_slab *slab)
{
	return slab->buf;
}

int ccshared_slab_destroy(struct ccshared_slab *slab)
{
	int ret;

	if (!slab)
		return 0;
	if (slab_core_available(&slab->core) != slab->core.count)
		return -EBUSY;
	ret = ibv_dereg_mr(slab->mr);
	if (ret)
		return -ret;
	ccshared_buf_free(slab->buf);
	slab_core_fini(&slab->core);
	free(slab);
	return 0;
}
