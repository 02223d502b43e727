#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Before ccshared_heap is loaded in this boot (this test sorts first): the
# sample refuses clearly (exit 3, a hint to load the module) and holds no
# dma-buf; development mode falls back to the system heap outside a
# confidential guest, says the memory is not shared, and forwards.  Each
# run is checked for dma-bufs while the process is still alive (held at
# its exit) and again after it exited.
. "$(dirname "$0")/dpdk-setup.sh"
dpdk_require
if [ -e /dev/dma_heap/system_cc_shared ]; then
	echo "Bail out! system_cc_shared is there already: 10-no-heap must run before anything loads the heap"
	exit 1
fi
plan 10
before=$(dmabuf_count)
check "debugfs dma_buf/bufinfo is readable" test -n "$before"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

hold_at_exit "$out" "$fwd" "${EAL[@]}" --vdev=net_null0 --vdev=net_null1 -- -n 1000
held_check "without the heap, as it exits it holds no dma-buf" dmabufs_are "$before"
held_release
is "without the heap the sample exits with status 3" "$held_exit" 3
check "it says the heap is missing and how to load it" \
	grep -q "heap is missing; load ccshared_heap" "$out" || sed 's/^/# /' "$out"
check "no dma-buf is left behind after it exits" dmabufs_are "$before"

hold_at_exit "$out" "$fwd" "${EAL[@]}" --vdev=net_null0 --vdev=net_null1 -- -n 1000 --dev
held_check "development mode: as it exits it holds no dma-buf" dmabufs_are "$before"
held_release
is "development mode forwards on the system heap" "$held_exit" 0 || sed 's/^/# /' "$out"
check "it warns that nothing is shared" grep -q "NOT shared" "$out"
check "it forwarded on the system heap's memory" grep -q "^rx 1000 tx 1000 dropped 0 packets" "$out"
check "no dma-buf is left behind after development mode" dmabufs_are "$before"
done_testing
