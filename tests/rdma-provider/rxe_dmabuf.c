// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * dma-buf memory regions for rxe, built into ccshared's test copy of
 * rdma_rxe only.
 *
 * A dma-buf importer attaches through a device that can do DMA, and rxe has
 * none.  This file registers a platform device of its own, on dma-direct
 * and without an IOMMU, and attaches through it.  The mapping's DMA
 * addresses then name physical memory, so the CPU can reach the pages
 * behind them, which is all a software RDMA device needs.  README.md says
 * why this holds for a test peer and why it is no design for upstream.
 *
 * With map_user_mrs=1 (tests only), ordinary user MRs go the same way: the
 * pinned pages are mapped for that device with the streaming DMA API, as
 * ib_umem_get() maps them for a hardware RNIC, and rxe copies through the
 * pages behind the DMA addresses, which is where such an RNIC's DMA would
 * land.  Under swiotlb=force those are bounce slots, not the user's pages.
 */

#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>

#include "rxe.h"
#include "rxe_loc.h"

/* kzalloc_obj() arrived in 7.0; 6.12 has only the long form. */
#ifndef kzalloc_obj
#define kzalloc_obj(p) kzalloc(sizeof(p), GFP_KERNEL)
#endif

static struct platform_device *rxe_dmabuf_pdev;

static bool map_user_mrs;
module_param(map_user_mrs, bool, 0644);
MODULE_PARM_DESC(map_user_mrs,
		 "Tests only: DMA-map user MRs through the rxe_dmabuf device, as for a hardware RNIC, and copy through the pages at their DMA addresses (default: no)");

/*
 * Look up the page behind every page of the mapping.  The exporter may
 * scrub sg_page() (CONFIG_DMABUF_DEBUG does), so only the DMA addresses
 * are used: on dma-direct they translate back to physical addresses.
 */
static int rxe_dmabuf_fill_pages(struct rxe_mr *mr, struct ib_umem *umem)
{
	struct device *dev = &rxe_dmabuf_pdev->dev;
	struct sg_table *sgt = &umem->sgt_append.sgt;
	struct sg_dma_page_iter iter;
	unsigned long pfn;

	for_each_sg_dma_page(sgt->sgl, &iter, sgt->nents, 0) {
		dma_addr_t addr = sg_page_iter_dma_address(&iter);

		if (mr->nbuf >= mr->num_buf || offset_in_page(addr))
			return -EINVAL;

		pfn = PHYS_PFN(dma_to_phys(dev, addr));
		if (!pfn_valid(pfn))
			return -EFAULT;

		mr->page_info[mr->nbuf].page = pfn_to_page(pfn);
		mr->page_info[mr->nbuf].offset = 0;
		mr->nbuf++;
	}

	return mr->nbuf == mr->num_buf ? 0 : -EINVAL;
}

static int rxe_mr_init_dmabuf(struct rxe_dev *rxe, u64 offset, u64 length,
			      u64 iova, int fd, int access, struct rxe_mr *mr)
{
	struct ib_umem_dmabuf *umem_dmabuf;
	struct ib_umem *umem;
	int num_pages;
	int err;

	rxe_mr_init(access, mr);

	umem_dmabuf = ib_umem_dmabuf_get_pinned_with_dma_device(&rxe->ib_dev,
								&rxe_dmabuf_pdev->dev,
								offset, length,
								fd, access);
	if (IS_ERR(umem_dmabuf))
		return PTR_ERR(umem_dmabuf);
	umem = &umem_dmabuf->umem;

	/* Whole pages from the one holding 'offset' (umem->iova is unset). */
	num_pages = (ALIGN(offset + length, PAGE_SIZE) -
		     ALIGN_DOWN(offset, PAGE_SIZE)) >> PAGE_SHIFT;
	mr->page_info = kcalloc(num_pages, sizeof(*mr->page_info), GFP_KERNEL);
	if (!mr->page_info) {
		err = -ENOMEM;
		goto err_release;
	}
	mr->num_buf = num_pages;
	mr->max_allowed_buf = num_pages;

	err = rxe_dmabuf_fill_pages(mr, umem);
	if (err)
		goto err_release;

	/* Unlike reg_user_mr, uverbs leaves the range of a dma-buf MR to us. */
	mr->ibmr.iova = iova;
	mr->ibmr.length = length;
	mr->umem = umem;
	mr->ibmr.type = IB_MR_TYPE_USER;
	mr->state = RXE_MR_STATE_VALID;
	return 0;

err_release:
	/* page_info is freed with the MR, by rxe_mr_cleanup() */
	ib_umem_release(umem);
	return err;
}

static struct ib_mr *rxe_reg_dmabuf_mr(struct ib_pd *ibpd, u64 offset,
				       u64 length, u64 iova, int fd,
				       int access)
{
	struct rxe_dev *rxe = to_rdev(ibpd->device);
	struct rxe_pd *pd = to_rpd(ibpd);
	struct rxe_mr *mr;
	int err, cleanup_err;

	/* The pages are pinned: no on-demand paging, and no pmem to flush. */
	if (access & ~RXE_ACCESS_SUPPORTED_MR ||
	    access & (IB_ACCESS_ON_DEMAND | IB_ACCESS_FLUSH_PERSISTENT))
		return ERR_PTR(-EOPNOTSUPP);

	mr = kzalloc_obj(*mr);
	if (!mr)
		return ERR_PTR(-ENOMEM);

	err = rxe_add_to_pool(&rxe->mr_pool, mr);
	if (err)
		goto err_free;

	rxe_get(pd);
	mr->ibmr.pd = ibpd;
	mr->ibmr.device = ibpd->device;

	err = rxe_mr_init_dmabuf(rxe, offset, length, iova, fd, access, mr);
	if (err)
		goto err_cleanup;

	rxe_finalize(mr);
	return &mr->ibmr;

err_cleanup:
	cleanup_err = rxe_cleanup(mr);
	if (cleanup_err)
		rxe_err_mr(mr, "cleanup failed, err = %d\n", cleanup_err);
err_free:
	kfree(mr);
	rxe_dbg_pd(pd, "dma-buf MR failed, err = %d\n", err);
	return ERR_PTR(err);
}

#ifdef RXE_DMABUF_NO_DMAH
struct ib_mr *rxe_reg_user_mr_dmabuf(struct ib_pd *ibpd, u64 offset,
				     u64 length, u64 iova, int fd, int access,
				     struct uverbs_attr_bundle *attrs)
{
	return rxe_reg_dmabuf_mr(ibpd, offset, length, iova, fd, access);
}
#else
struct ib_mr *rxe_reg_user_mr_dmabuf(struct ib_pd *ibpd, u64 offset,
				     u64 length, u64 iova, int fd, int access,
				     struct ib_dmah *dmah,
				     struct uverbs_attr_bundle *attrs)
{
	if (dmah)
		return ERR_PTR(-EOPNOTSUPP);

	return rxe_reg_dmabuf_mr(ibpd, offset, length, iova, fd, access);
}
#endif

/*
 * With map_user_mrs set, map the pinned pages of a user MR for the
 * rxe_dmabuf device with @dma_attrs, as the kernel's ib_umem_get() would
 * for a hardware RNIC, and point the MR at the pages behind the DMA
 * addresses.  The umem's own DMA fields hold rxe's virtual addresses,
 * which its release ignores, so they are reused for the mapping.  On
 * dma-direct without bouncing those are the user's pages again; under
 * swiotlb=force they are bounce slots, and nothing syncs them while the
 * MR lives, as nothing does for an RNIC's MR.
 */
int rxe_dmabuf_map_user_mr(struct rxe_mr *mr, struct ib_umem *umem,
			   unsigned long dma_attrs)
{
	struct device *dev = &rxe_dmabuf_pdev->dev;
	struct sg_table *sgt = &umem->sgt_append.sgt;
	int err;

	if (!READ_ONCE(map_user_mrs))
		return 0;

	err = dma_map_sgtable(dev, sgt, DMA_BIDIRECTIONAL, dma_attrs);
	if (err) {
		rxe_dbg_mr(mr, "DMA mapping failed, err = %d\n", err);
		return err;
	}

	mr->nbuf = 0;
	err = rxe_dmabuf_fill_pages(mr, umem);
	if (err) {
		dma_unmap_sgtable(dev, sgt, DMA_BIDIRECTIONAL, dma_attrs);
		return err;
	}

	mr->dma_mapped = true;
	mr->dma_attrs = dma_attrs;
	return 0;
}

/* Undo rxe_dmabuf_map_user_mr(), before the umem is released. */
void rxe_dmabuf_unmap_user_mr(struct rxe_mr *mr)
{
	if (!mr->dma_mapped)
		return;

	dma_unmap_sgtable(&rxe_dmabuf_pdev->dev, &mr->umem->sgt_append.sgt,
			  DMA_BIDIRECTIONAL, mr->dma_attrs);
	mr->dma_mapped = false;
}

int rxe_dmabuf_init(void)
{
	struct platform_device_info info = {
		.name = "rxe_dmabuf",
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(64),
	};
	struct device *dev;

	rxe_dmabuf_pdev = platform_device_register_full(&info);
	if (IS_ERR(rxe_dmabuf_pdev))
		return PTR_ERR(rxe_dmabuf_pdev);

	/* Translating DMA addresses back is only valid on dma-direct. */
	dev = &rxe_dmabuf_pdev->dev;
	if (get_dma_ops(dev) || device_iommu_mapped(dev)) {
		pr_err("rxe_dmabuf: DMA is not dma-direct, no dma-buf MRs\n");
		platform_device_unregister(rxe_dmabuf_pdev);
		return -EOPNOTSUPP;
	}

	return 0;
}

void rxe_dmabuf_exit(void)
{
	platform_device_unregister(rxe_dmabuf_pdev);
}
