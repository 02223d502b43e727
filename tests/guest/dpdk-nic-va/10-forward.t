#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# VA mode: intel-iommu, both igb NICs on vfio-pci, IOVA as VA
# (tests/guest/dpdk/nic-forward.sh has the checks).
MODE=va
# The heap maps its pages with remap_pfn_range (VM_PFNMAP), and VFIO
# type1 pins only such mappings of non-RAM pages: VFIO_IOMMU_MAP_DMA of
# the pool's buffer fails with EFAULT, on 7.3 and 6.12 alike, so neither
# the pool nor the rings reach the NIC (docs/dpdk.md, "A real NIC").
TODO_CCSHARED="VFIO type1 refuses to map the heap's VM_PFNMAP mapping of RAM (EFAULT)"
TODO_RINGS="$TODO_CCSHARED"
# Meanwhile the pool must fail saying so, with the ioctl's EFAULT (not an
# errno DPDK left behind): a real check, which turns with the TODOs.
EXPECT_REFUSAL="Couldn't DMA-map [0-9]+ bytes at IOVA 0x[0-9a-f]+ for [^ ]+: Bad address"
EXPECT_ERRNO="Bad address"
. "$CCSHARED_SRC/tests/guest/dpdk/nic-forward.sh"
