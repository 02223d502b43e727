#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# libccshared-dpdk from inside one process (pool.c): create, verify,
# allocate every mbuf, destroy, and each failure (same name, larger than
# memory, mempool failure after the buffer, bad arguments) checked against
# the heap's statistics before the process exits.
. "$(dirname "$0")/dpdk-setup.sh"
dpdk_require
ccshared_heap_require
exec "$helpers/dpdk-pool-test"
