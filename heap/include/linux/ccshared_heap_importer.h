/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ccshared_heap.ko offers the drivers that import its dma-bufs.
 *
 * Call it through symbol_get()/symbol_put(), as iommufd calls
 * vfio_pci_dma_buf_iommufd_map(): a driver then loads and works without
 * this module, which is absent wherever the kernel has its own
 * system_cc_shared heap, and refuses to register outside confidential VMs.
 */
#ifndef _LINUX_CCSHARED_HEAP_IMPORTER_H
#define _LINUX_CCSHARED_HEAP_IMPORTER_H

#include <linux/types.h>

struct dma_buf;

bool ccshared_heap_dmabuf_is_shared(struct dma_buf *dmabuf);

#endif /* _LINUX_CCSHARED_HEAP_IMPORTER_H */
