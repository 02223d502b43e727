#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# libccshared-dpdk from inside one process (pool.c): create, verify,
# allocate every mbuf, destroy, and each failure (same name, larger than
# memory, mempool failure after the buffer, bad arguments) checked against
# the heap's statistics before the process exits.
. "$(dirname "$0")/dpdk-setup.sh"
dpdk_ready || { echo "1..0 # SKIP $dpdk_missing_reason"; exit 0; }
ccshared_heap_ready || { echo "1..0 # SKIP $heap_missing_reason"; exit 0; }
exec "$helpers/dpdk-pool-test"
