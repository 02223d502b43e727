#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dma-buf MR lifetimes and bad input on the test rxe (mr.c).
. "$(dirname "$0")/rdma-setup.sh"
rdma_skip_unless_supported
rdma_setup_or_bail
exec "$CCSHARED_BUILD/tests/guest/rdma/mr-test"
