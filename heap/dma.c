// SPDX-License-Identifier: GPL-2.0
/*
 * Device mappings of shared buffers.
 *
 * Where the kernel has DMA_ATTR_CC_SHARED (7.2 and later) the DMA API
 * knows shared memory: map and unmap pass the attribute, the same on both
 * sides.  Older kernels (6.12) have no way to say it, and a CoCo guest
 * bounces every mapping through swiotlb, although the pages are already
 * shared.  For a device that uses dma-direct the heap then computes the
 * unencrypted DMA address itself; a device behind an IOMMU is refused,
 * because only the IOMMU driver could map shared memory correctly.  On a
 * platform without memory encryption every mapping is a plain one.
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

/*
 * Map @m without the DMA API: the pages are shared, so the device reaches
 * them at their unencrypted DMA address, with no bounce.
 */
static int ccshared_dma_map_direct(struct ccshared_mapping *m)
{
	struct device *dev = m->dev;
	struct scatterlist *sg;
	int i;

	/*
	 * The DMA API refuses a device without a DMA mask (dma_map_sg warns
	 * and fails); dma_capable() would dereference it.
	 */
	if (!dev->dma_mask) {
		dev_warn(dev, "ccshared_heap: device has no DMA mask\n");
		return -EIO;
	}

	if (!dev_is_dma_coherent(dev)) {
		dev_warn(dev, "ccshared_heap: cannot map shared buffers for a non-coherent device on this kernel\n");
		return -EOPNOTSUPP;
	}

	for_each_sgtable_sg(&m->dma, sg, i) {
		dma_addr_t addr = phys_to_dma_unencrypted(dev, sg_phys(sg));

		if (!ccshared_dma_capable(dev, addr, sg->length)) {
			dev_warn_ratelimited(dev, "ccshared_heap: buffer at %pad+%u is out of the device's DMA range\n",
					     &addr, sg->length);
			return -EIO;
		}
		sg_dma_address(sg) = addr;
		sg_dma_len(sg) = sg->length;
	}
	m->dma.nents = m->dma.orig_nents;
	m->direct = true;
	return 0;
}

static int ccshared_dma_map_table(struct ccshared_mapping *m)
{
	bool encrypted = cc_platform_has(CC_ATTR_MEM_ENCRYPT);

	if (!ccshared_compat_dma_map) {
		if (CCSHARED_DMA_ATTRS) {
			m->attrs = CCSHARED_DMA_ATTRS;
			return dma_map_sgtable(m->dev, &m->dma, m->dir, m->attrs);
		}
		if (!encrypted)
			return dma_map_sgtable(m->dev, &m->dma, m->dir, 0);
	}

	if (!ccshared_dev_is_direct(m->dev)) {
		if (!encrypted)
			return dma_map_sgtable(m->dev, &m->dma, m->dir, 0);
		dev_warn(m->dev, "ccshared_heap: this kernel cannot map shared buffers for a device behind an IOMMU\n");
		return -EOPNOTSUPP;
	}
	return ccshared_dma_map_direct(m);
}

/**
 * ccshared_dma_map - map a buffer's chunks for one importer's device
 * @m: the mapping: @m->dev and @m->dir set, the rest zeroed
 * @chunks: the buffer's chunks
 *
 * Builds @m->dma, the heap's own record of the mapping, and maps it.
 * Returns 0, or a negative errno with nothing left mapped or allocated.
 */
int ccshared_dma_map(struct ccshared_mapping *m, struct sg_table *chunks)
{
	int ret;

	ret = ccshared_dma_segments(chunks, &m->dma);
	if (ret)
		return ret;
	ret = ccshared_dma_map_table(m);
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
