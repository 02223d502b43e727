#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# swiotlb=force (vm-options), and a plain ibv_reg_mr() MR on private memory
# against a dma-buf MR on system_cc_shared, on the test rxe with
# map_user_mrs=1: plain MRs are DMA-mapped as for a hardware RNIC, and rxe
# copies where that RNIC's DMA would land (tests/guest/rdma/bounce.c says
# what this proves and what it cannot).
#   6.12: the plain MR is accepted and bounced, so the data does not reach
#         the user's pages (TODO: 6.12's fault, as in a 6.12 CoCo guest,
#         which force-bounces every streaming mapping);
#   7.3:  ib_umem_get() maps with DMA_ATTR_REQUIRE_COHERENT, which refuses
#         to bounce: ibv_reg_mr() fails with EIO.
# The dma-buf MR reaches the shared pages on both.  The heap maps through
# its own direct path (compat_dma_map=1): that is what it does in a 6.12
# CoCo guest; under swiotlb=force its DMA API path would refuse to map.
. "$CCSHARED_SRC/tests/guest/rdma/rdma-setup.sh"
rdma_skip_unless_supported
case $(uname -r) in
6.12.*) expect=bounce ;;
*) expect=refused ;;
esac
rdma_setup_or_bail
for p in ccshared_heap/parameters/compat_dma_map rdma_rxe/parameters/map_user_mrs; do
	echo 1 >"/sys/module/$p" || { echo "Bail out! cannot set $p"; exit 1; }
done
exec "$CCSHARED_BUILD/tests/guest/rdma/bounce-test" "$expect"
