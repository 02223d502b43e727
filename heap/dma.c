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

/*
 * Map @a for its device without the DMA API: the pages are shared, so the
 * device reaches them at their unencrypted DMA address, with no bounce.
 */
static int ccshared_dma_map_direct(struct ccshared_attachment *a)
{
	struct scatterlist *sg;
	int i;

	/*
	 * The DMA API refuses a device without a DMA mask (dma_map_sg warns
	 * and fails); dma_capable() would dereference it.
	 */
	if (!a->dev->dma_mask) {
		dev_warn(a->dev, "ccshared_heap: device has no DMA mask\n");
		return -EIO;
	}

	if (!dev_is_dma_coherent(a->dev)) {
		dev_warn(a->dev, "ccshared_heap: cannot map shared buffers for a non-coherent device on this kernel\n");
		return -EOPNOTSUPP;
	}

	for_each_sgtable_sg(&a->table, sg, i) {
		dma_addr_t addr = phys_to_dma_unencrypted(a->dev, sg_phys(sg));

		if (!ccshared_dma_capable(a->dev, addr, sg->length)) {
			dev_warn_ratelimited(a->dev, "ccshared_heap: buffer at %pad+%u is out of the device's DMA range\n",
					     &addr, sg->length);
			return -EIO;
		}
		sg_dma_address(sg) = addr;
		sg_dma_len(sg) = sg->length;
	}
	a->table.nents = a->table.orig_nents;
	a->direct = true;
	return 0;
}

int ccshared_dma_map(struct ccshared_attachment *a, enum dma_data_direction dir)
{
	bool encrypted = cc_platform_has(CC_ATTR_MEM_ENCRYPT);

	a->direct = false;
	a->attrs = 0;

	if (!ccshared_compat_dma_map) {
		if (CCSHARED_DMA_ATTRS) {
			a->attrs = CCSHARED_DMA_ATTRS;
			return dma_map_sgtable(a->dev, &a->table, dir, a->attrs);
		}
		if (!encrypted)
			return dma_map_sgtable(a->dev, &a->table, dir, 0);
	}

	if (!ccshared_dev_is_direct(a->dev)) {
		if (!encrypted)
			return dma_map_sgtable(a->dev, &a->table, dir, 0);
		dev_warn(a->dev, "ccshared_heap: this kernel cannot map shared buffers for a device behind an IOMMU\n");
		return -EOPNOTSUPP;
	}
	return ccshared_dma_map_direct(a);
}

void ccshared_dma_unmap(struct ccshared_attachment *a, enum dma_data_direction dir)
{
	if (a->direct) {
		a->direct = false;
		return;
	}
	dma_unmap_sgtable(a->dev, &a->table, dir, a->attrs);
}
