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
 * already shared.  For a device that uses dma-direct the heap then
 * computes the unencrypted DMA address itself (the direct path), which
 * bounces nothing by construction: forced bouncing is how 6.12 keeps
 * private memory away from devices, and this memory is not private.  A
 * device behind an IOMMU is refused there, because only the IOMMU driver
 * could map shared memory correctly.  On a platform without memory
 * encryption every mapping is a plain one, under the same rule.
 *
 * The direct path can be chosen on any kernel with compat_dma_map=1, so
 * that it can be tested without confidential hardware.
 */

#include <linux/cc_platform.h>
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
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

/* dma-direct, no IOMMU and no other dma_map_ops in the way. */
static bool ccshared_dev_is_direct(struct device *dev)
{
	return !get_dma_ops(dev) && !device_iommu_mapped(dev);
}

/* The buffer's @chunks, to be mapped: one entry per chunk. */
static int ccshared_dma_segments(struct sg_table *chunks, struct sg_table *sgt)
{
	struct scatterlist *chunk, *sg;
	int ret, i;

	ret = sg_alloc_table(sgt, chunks->orig_nents, GFP_KERNEL);
	if (ret)
		return ret;

	sg = sgt->sgl;
	for_each_sgtable_sg(chunks, chunk, i) {
		sg_set_page(sg, sg_page(chunk), chunk->length, chunk->offset);
		sg = sg_next(sg);
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
 * kernel cannot map shared memory for the device, -ENOMEM, or what the
 * DMA API returned.
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

	ret = ccshared_dma_segments(chunks, &m->dma);
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
		dev_warn_ratelimited(dev, "ccshared_heap: this kernel cannot map shared buffers for a device behind an IOMMU\n");
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
