#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The sample's failures, each with a clear message, its exit status, and
# an empty heap afterwards: a pool larger than the guest's memory; PA mode,
# whose physical addresses pagemap cannot show for the heap's mapping;
# bad usage.
. "$(dirname "$0")/dpdk-setup.sh"
dpdk_ready || { echo "1..0 # SKIP $dpdk_missing_reason"; exit 0; }
ccshared_heap_ready || { echo "1..0 # SKIP $heap_missing_reason"; exit 0; }
plan 9
nulls=(--vdev=net_null0 --vdev=net_null1)

# 4 M mbufs of 2176 bytes: 8.5 GiB, more than the guest has.
out=$("$fwd" "${EAL[@]}" "${nulls[@]}" -- -m 4194304 -n 1 2>&1)
is "a pool larger than memory exits with status 4" $? 4
check "it says how much it could not allocate" \
	grep -q "Couldn't allocate [0-9]* bytes from system_cc_shared: Cannot allocate memory" <<<"$out" ||
	printf '# %s\n' "$out"
is_heap_empty "the heap is empty after the failure"

# PA mode needs hugepages for EAL's own memory.
mkdir -p /dev/hugepages
mountpoint -q /dev/hugepages || mount -t hugetlbfs none /dev/hugepages
echo 64 >/proc/sys/vm/nr_hugepages
out=$("$fwd" -m 64 --no-pci -l 0 --no-telemetry --iova-mode=pa "${nulls[@]}" -- -n 1 2>&1)
is "PA mode exits with status 1" $? 1
check "it explains that pagemap cannot show the heap's pages and names the way out" \
	grep -q "pagemap shows no page there.*use --iova-mode=va" <<<"$out" ||
	printf '# %s\n' "$out"
is_heap_empty "the heap is empty after the PA-mode failure"
echo 0 >/proc/sys/vm/nr_hugepages

out=$("$fwd" "${EAL[@]}" "${nulls[@]}" -- -n many 2>&1)
is "a bad packet count exits with status 2" $? 2
out=$("$fwd" "${EAL[@]}" --vdev=net_null0 -- -n 1 2>&1)
is "an odd number of ports exits with status 2" $? 2
check "it says why" grep -q "Couldn't pair the ports: 1 found" <<<"$out"
done_testing
