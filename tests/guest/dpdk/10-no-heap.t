#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Before ccshared_heap is loaded in this boot: the sample refuses clearly
# (exit 3, a hint to load the module) and holds no dma-buf; development
# mode falls back to the system heap outside a confidential guest, says
# the memory is not shared, and forwards.
. "$(dirname "$0")/dpdk-setup.sh"
dpdk_ready || { echo "1..0 # SKIP $dpdk_missing_reason"; exit 0; }
if [ -e /dev/dma_heap/system_cc_shared ]; then
	echo "1..0 # SKIP the heap is already present (built in, or loaded earlier in this boot)"
	exit 0
fi
plan 6
bufs() { grep -c '^[0-9]' /sys/kernel/debug/dma_buf/bufinfo 2>/dev/null || true; }
before=$(bufs)
out=$("$fwd" "${EAL[@]}" --vdev=net_null0 --vdev=net_null1 -- -n 1000 2>&1)
is "without the heap the sample exits with status 3" $? 3
check "it says the heap is missing and how to load it" \
	grep -q "heap is missing; load ccshared_heap" <<<"$out" || printf '# %s\n' "$out"
is "no dma-buf is left behind" "$(bufs)" "$before"

out=$("$fwd" "${EAL[@]}" --vdev=net_null0 --vdev=net_null1 -- -n 1000 --dev 2>&1)
is "development mode forwards on the system heap" $? 0 || printf '# %s\n' "$out"
check "it warns that nothing is shared" grep -q "NOT shared" <<<"$out"
is "no dma-buf is left behind after development mode" "$(bufs)" "$before"
done_testing
