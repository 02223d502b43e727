#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# VA mode: QEMU's intel-iommu, both igb NICs on vfio-pci, IOVA as VA
# (tests/guest/dpdk/nic-forward.sh has the checks).
MODE=va
# VFIO type1 pins what it maps; for a VM_PFNMAP range it only takes PFNs
# without a struct page or reserved ones (vaddr_get_pfns()), and the
# heap's remap_pfn_range() mapping of ordinary RAM is neither, so
# VFIO_IOMMU_MAP_DMA fails with EFAULT.
TODO_CCSHARED="VFIO type1 refuses to map the heap's VM_PFNMAP mapping of RAM (EFAULT)"
TODO_RINGS="the rings are in EAL memory until libccshared-dpdk has shared rings"
. "$CCSHARED_SRC/tests/guest/dpdk/nic-forward.sh"
