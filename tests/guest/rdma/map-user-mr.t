#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The control for tests/guest/rdma-bounce: the test rxe with map_user_mrs=1
# DMA-maps plain MRs through its platform device, as ib_umem_get() does for
# a hardware RNIC (bounce.c says what that shows and what it cannot).
# Without swiotlb=force the DMA addresses are the pages' own (this 2 GiB
# guest has no swiotlb at all), so every byte written through a plain MR
# reaches the user's pages: the mode loses nothing by itself, and what
# rdma-bounce sees is the bouncing.
. "$(dirname "$0")/rdma-setup.sh"
rdma_skip_unless_supported
rdma_setup_or_bail
param=/sys/module/rdma_rxe/parameters/map_user_mrs
# The other tests of the part share this boot and its rxe.
trap 'echo 0 >$param' EXIT
echo 1 >$param || { echo "Bail out! cannot set $param"; exit 1; }
"$CCSHARED_BUILD/tests/guest/rdma/bounce-test" direct
