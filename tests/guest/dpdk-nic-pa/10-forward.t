#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PA mode: no IOMMU, both igb NICs on uio_pci_generic, IOVA as PA
# (tests/guest/dpdk/nic-forward.sh has the checks).
MODE=pa
# Until the heap tells a process the DMA address of each chunk, the
# library refuses PA mode with ENOTSUP (pagemap shows nothing of a
# VM_PFNMAP mapping); 50-errors.t in the dpdk part checks that message.
TODO_CCSHARED="PA mode needs the heap's DMA addresses, which it does not give yet (ENOTSUP)"
EXPECT_REFUSAL="pagemap shows no page there.*use --iova-mode=va"
EXPECT_ERRNO="Operation not supported"
TODO_RINGS="the rings are in EAL memory until libccshared-dpdk has shared rings"
. "$CCSHARED_SRC/tests/guest/dpdk/nic-forward.sh"
