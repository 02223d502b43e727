#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# VA mode: intel-iommu, both igb NICs on vfio-pci, IOVA as VA
# (tests/guest/dpdk/nic-forward.sh has the checks).  VFIO type1 pins what
# it maps, and the heap's default mappings refuse pins (VM_PFNMAP):
# libccshared-dpdk makes the pool's and the rings' buffers pinnable
# (CCSHARED_HEAP_IOCTL_PINNABLE) before it maps them.
MODE=va
. "$CCSHARED_SRC/tests/guest/dpdk/nic-forward.sh"
