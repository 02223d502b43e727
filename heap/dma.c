// SPDX-License-Identifier: GPL-2.0
/*
 * Device mappings of shared buffers.
 *
 * The rule, on every kernel and every path: a device gets the buffer's own
 * pages at their unencrypted DMA address, never a swiotlb bounce buffer.
 * A bounced mapping looks like success, but the device then works on a
 * copy that only a sync brings back (an RDMA MR is never synced), every
 * such mapping holds bounce slots for its whole life and starves the
 * guest's own I/O, and chunks above swiotlb's 256 KiB segment cannot be
 * bounced at all.  Where the DMA layer would bounce, the heap refuses the
 * mapping with a rate-limited message that names the device and the
 * reason:
 *
 *  - -EIO when a chunk lies beyond the device's DMA mask or bus limit;
 *  - -EOPNOTSUPP when swiotlb bouncing is forced for the device
 *    (swiotlb=force, a restricted DMA pool).
 *
 * The check comes before mapping, from dma-direct's own tests
 * (dma_direct_map_phys()), so no bounce slot is ever taken; a mapping that
 * bounced anyway is undone and refused with -EIO.
 *
 * Where the kernel has DMA_ATTR_CC_SHARED (7.2 and later) the DMA API
 * knows shared memory: map and unmap pass the attribute, the same on both
 * sides.  Older kernels (6.12) have no way to say it, and a CoCo guest
 * there force-bounces every streaming mapping, although the pages are
 * already shared.  For a device that dma-direct serves the heap then
 * computes the unencrypted DMA address itself (the direct path), which
 * bounces nothing by construction: forced bouncing is how 6.12 keeps
 * private memory away from devices, and this memory is not private.  A
 * device behind a translating IOMMU, or with DMA ops of its own, is
 * refused there, because only those could map shared memory correctly.
 * On a platform without memory encryption every mapping is a plain one,
 * under the same rule.
 *
 * Each mapping is cut into the segments the device declares it can take
 * (dma_get_max_seg_size(), dma_get_seg_boundary()), in whole pages.
 *
 * The direct path can be chosen on any kernel with compat_dma_map=1, so
 * that it can be tested without confidential hardware.
 */

#include <linux/cc_platform.h>
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/iommu-dma.h>
#include <linux/minmax.h>
#include <linux/scatterlist.h>
#include <linux/swiotlb.h>

#include "ccshared_heap.h"

#ifdef DMA_ATTR_CC_SHARED
#define CCSHARED_DMA_ATTRS DMA_ATTR_CC_SHARED
#else
#define CCSHARED_DMA_ATTRS 0
#endif

static bool ccshared_dma_capable(struct device *dev, dma_addr_t addr, size_t size)
{
#ifdef DMA_ATTR_CC_SHARED
	return dma_capable(dev, addr, size, true, DMA_ATTR_CC_SHARED);
#else
	return dma_capable(dev, addr, size, true);
#endif
}

/*
 * Does dma-direct serve @dev?  The test of dma_go_direct() in 6.12's and
 * 7.3's kernel/dma/mapping.c: no IOMMU DMA domain, no DMA ops of its own.
 * device_iommu_mapped() is not it: an identity domain (iommu=pt) has an
 * IOMMU group too, and dma-direct serves it.
 */
static bool ccshared_dev_is_direct(struct device *dev)
{
	return !use_dma_iommu(dev) && !get_dma_ops(dev);
}

/*
 * Cut the buffer's @chunks into @sgt at what @dev takes as one DMA
 * segment: at most dma_get_max_seg_size() bytes, never across a
 * dma_get_seg_boundary() boundary, in whole pages.  dma-direct maps each
 * entry as it is, so without this the device would get segments of up to
 * 2 MiB whatever it declared (PCI devices declare 64 KiB by default).
 */
static int ccshared_dma_segments(struct device *dev, struct sg_table *chunks,
				 struct sg_table *sgt)
{
	unsigned long max = round_down(dma_get_max_seg_size(dev), PAGE_SIZE);
	unsigned long boundary = dma_get_seg_boundary(dev);
	struct scatterlist *chunk, *sg = NULL;
	unsigned int nents = 0;
	int pass, i, ret;

	if (!max || boundary < PAGE_SIZE - 1) {
		dev_warn_ratelimited(dev, "ccshared_heap: refusing the mapping: the device's DMA segments must be smaller than a page (max %u bytes, boundary %#lx)\n",
				     dma_get_max_seg_size(dev), boundary);
		return -EINVAL;
	}

	for (pass = 0; pass < 2; pass++) {
		for_each_sgtable_sg(chunks, chunk, i) {
			phys_addr_t start = sg_phys(chunk), pos = start;
			phys_addr_t end = start + chunk->length;

			while (pos < end) {
				phys_addr_t next = min_t(phys_addr_t, end, pos + max);
				phys_addr_t cross = (pos | boundary) + 1;

				/* cross wraps to 0 when there is no boundary. */
				if (cross > pos && cross < next)
					next = cross;
				if (pass) {
					sg_set_page(sg, pfn_to_page(PHYS_PFN(pos)), next - pos, 0);
					sg = sg_next(sg);
				} else {
					nents++;
				}
				pos = next;
			}
		}
		if (!pass) {
			ret = sg_alloc_table(sgt, nents, GFP_KERNEL);
			if (ret)
				return ret;
			sg = sgt->sgl;
		}
	}
	return 0;
}

/* Can @dev reach every segment of @sgt at its unencrypted DMA address? */
static int ccshared_dma_reachable(struct device *dev, struct sg_table *sgt)
{
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(sgt, sg, i) {
		dma_addr_t addr = phys_to_dma_unencrypted(dev, sg_phys(sg));

		if (!ccshared_dma_capable(dev, addr, sg->length)) {
			dev_warn_ratelimited(dev, "ccshared_heap: refusing the mapping: %pad+%#x lies beyond the device's DMA mask %#llx (bus limit %#llx); it could only bounce through swiotlb\n",
					     &addr, sg->length, *dev->dma_mask,
					     (u64)dev->bus_dma_limit);
			return -EIO;
		}
	}
	return 0;
}

/*
 * Did the DMA layer bounce a segment after all?  For dma-direct the
 * address says it exactly; for a coherent device behind an IOMMU,
 * dma_need_sync() is true only for a bounce buffer.  (For a non-coherent
 * one it is always true and tells nothing; an IOMMU bounces only
 * sub-granule pieces, and the heap's segments are whole pages.)
 */
static bool ccshared_dma_bounced(struct device *dev, struct sg_table *sgt,
				 bool direct)
{
	struct scatterlist *sg;
	int i;

	if (direct) {
		if (sgt->nents != sgt->orig_nents)
			return true;
		for_each_sgtable_dma_sg(sgt, sg, i) {
			if (sg_dma_address(sg) !=
			    phys_to_dma_unencrypted(dev, sg_phys(sg)))
				return true;
		}
		return false;
	}
	if (!dev_is_dma_coherent(dev))
		return false;
	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (dma_need_sync(dev, sg_dma_address(sg)))
			return true;
	}
	return false;
}

/* Map @m through the DMA API, with @attrs, unless it would bounce. */
static int ccshared_dma_map_api(struct ccshared_mapping *m, bool direct,
				unsigned long attrs)
{
	struct device *dev = m->dev;
	int ret;

	if (direct) {
		if (is_swiotlb_force_bounce(dev)) {
			dev_warn_ratelimited(dev, "ccshared_heap: refusing the mapping: swiotlb bouncing is forced for this device\n");
			return -EOPNOTSUPP;
		}
		ret = ccshared_dma_reachable(dev, &m->dma);
		if (ret)
			return ret;
	}

	ret = dma_map_sgtable(dev, &m->dma, m->dir, attrs);
	if (ret)
		return ret;
	if (ccshared_dma_bounced(dev, &m->dma, direct)) {
		dma_unmap_sgtable(dev, &m->dma, m->dir, attrs);
		dev_warn_ratelimited(dev, "ccshared_heap: refusing the mapping: the DMA layer bounced it through swiotlb\n");
		return -EIO;
	}
	m->attrs = attrs;
	return 0;
}

/*
 * Map @m without the DMA API: the pages are shared, so the device reaches
 * them at their unencrypted DMA address, with no bounce.
 */
static int ccshared_dma_map_direct(struct ccshared_mapping *m)
{
	struct device *dev = m->dev;
	struct scatterlist *sg;
	int i, ret;

	if (!dev_is_dma_coherent(dev)) {
		dev_warn_ratelimited(dev, "ccshared_heap: cannot map shared buffers for a non-coherent device on this kernel\n");
		return -EOPNOTSUPP;
	}
	ret = ccshared_dma_reachable(dev, &m->dma);
	if (ret)
		return ret;

	for_each_sgtable_sg(&m->dma, sg, i) {
		sg_dma_address(sg) = phys_to_dma_unencrypted(dev, sg_phys(sg));
		sg_dma_len(sg) = sg->length;
	}
	m->dma.nents = m->dma.orig_nents;
	m->direct = true;
	return 0;
}

/**
 * ccshared_dma_map - map a buffer's chunks for one importer's device
 * @m: the mapping: @m->dev and @m->dir set, the rest zeroed
 * @chunks: the buffer's chunks
 *
 * Builds @m->dma, the heap's own record of the mapping, and maps it.
 * Returns 0, or a negative errno with nothing left mapped or allocated:
 * -EIO for a device without a DMA mask or one that cannot reach the
 * buffer, -EOPNOTSUPP where the mapping would bounce by force or the
 * kernel cannot map shared memory for the device, -EINVAL for segment
 * limits below a page, -ENOMEM, or what the DMA API returned.
 */
int ccshared_dma_map(struct ccshared_mapping *m, struct sg_table *chunks)
{
	bool encrypted = cc_platform_has(CC_ATTR_MEM_ENCRYPT);
	struct device *dev = m->dev;
	bool direct;
	int ret;

	/* The DMA API warns and fails without one; dma_capable() would oops. */
	if (!dev->dma_mask) {
		dev_warn_ratelimited(dev, "ccshared_heap: refusing the mapping: the device has no DMA mask\n");
		return -EIO;
	}

	ret = ccshared_dma_segments(dev, chunks, &m->dma);
	if (ret)
		return ret;

	direct = ccshared_dev_is_direct(dev);
	if (!ccshared_compat_dma_map && (CCSHARED_DMA_ATTRS || !encrypted)) {
		ret = ccshared_dma_map_api(m, direct, CCSHARED_DMA_ATTRS);
	} else if (direct) {
		ret = ccshared_dma_map_direct(m);
	} else if (!encrypted) {
		ret = ccshared_dma_map_api(m, direct, 0);
	} else {
		dev_warn_ratelimited(dev, "ccshared_heap: this kernel cannot map shared buffers for a device behind a translating IOMMU or with its own DMA ops\n");
		ret = -EOPNOTSUPP;
	}

	if (ret)
		sg_free_table(&m->dma);
	return ret;
}

/* Undo ccshared_dma_map(). */
void ccshared_dma_unmap(struct ccshared_mapping *m)
{
	if (!m->direct)
		dma_unmap_sgtable(m->dev, &m->dma, m->dir, m->attrs);
	sg_free_table(&m->dma);
}

/*
 * CPU access to a mapped buffer, from the heap's own record (the importer
 * may have rewritten its copy), in the direction it was mapped with, as
 * the DMA API asks.  The direct path maps only coherent devices: nothing
 * to sync there.
 */
void ccshared_dma_sync_for_cpu(struct ccshared_mapping *m)
{
	if (!m->direct)
		dma_sync_sgtable_for_cpu(m->dev, &m->dma, m->dir);
}

void ccshared_dma_sync_for_device(struct ccshared_mapping *m)
{
	if (!m->direct)
		dma_sync_sgtable_for_device(m->dev, &m->dma, m->dir);
}
