#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PA mode: no IOMMU, both igb NICs on uio_pci_generic, IOVA as PA
# (tests/guest/dpdk/nic-forward.sh has the checks).  The ccshared pool
# takes its IOVAs from /dev/ccshared_heap, and each port's rx_ring and
# tx_ring are reserved in shared memory: every check is a real one.
MODE=pa
. "$CCSHARED_SRC/tests/guest/dpdk/nic-forward.sh"
