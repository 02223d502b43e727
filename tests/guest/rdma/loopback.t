#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# RDMA WRITE between two dma-buf MRs on system_cc_shared, server and client
# in one guest over one rxe device: the pattern is checked byte for byte
# through each side's mapping, both ways.
. "$(dirname "$0")/rdma-setup.sh"
. "$CCSHARED_SRC/tests/lib/tap.sh"
rdma_skip_unless_supported
plan 7
rdma_setup_or_bail
check "4 KiB, 8 round trips" rdma_pair -s 4K -n 8
check "1 MiB, 4 round trips" rdma_pair -s 1M -n 4
check "64 MiB, 1 round trip" rdma_pair -s 64M
check "MR at offset 8 KiB into the buffer" rdma_pair -s 64K -o 8K -n 2
check "MR at offset 12345 (not page-aligned)" rdma_pair -s 100000 -o 12345 -n 2
check "slab mode: 1000 slices of 256 bytes in one MR" rdma_pair -s 256 -S 1000
check "slab mode: 1000 slices of 4 KiB, 2 round trips" rdma_pair -s 4K -S 1000 -n 2
done_testing
