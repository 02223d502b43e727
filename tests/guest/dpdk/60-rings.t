#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared descriptor rings (ring.c): ccshared_dpdk_ring_reserve() against
# ethdev's rte_eth_dma_zone_reserve(), the layout checked from
# /proc/self/maps and DPDK's heap statistics, every error, queue release
# and reconfiguration, and no leak; then the sample with --shared-rings on
# net_null, a PMD that does not reserve rings: the sample must refuse.
. "$(dirname "$0")/dpdk-setup.sh"
dpdk_require
ccshared_heap_require
[ -x "$helpers/dpdk-ring-test" ] || { echo "Bail out! $helpers/dpdk-ring-test is not built"; exit 1; }
plan 4
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$helpers/dpdk-ring-test" >"$out" 2>&1
status=$?
grep -v '^EAL: Detected' "$out" | sed 's/^/# dpdk-ring-test: /'
check "dpdk-ring-test: all its checks pass (status $status)" \
	sh -c "[ $status = 0 ] && grep -q '^1\.\.28$' '$out' && ! grep -q '^not ok' '$out' && [ \$(grep -c '^ok' '$out') = 28 ]"
is_heap_empty "the heap is empty after it"

"$fwd" "${EAL[@]}" --vdev=net_null0 --vdev=net_null1 -- -n 100 --shared-rings >"$out" 2>&1
is "--shared-rings on net_null, which reserves no ring: status 1" $? 1 || sed 's/^/# /' "$out"
check "it says why: net_null reserves no rings" \
	grep -q "port 0: net_null does not reserve its rings with rte_eth_dma_zone_reserve(), so --shared-rings cannot share them" "$out"
done_testing
