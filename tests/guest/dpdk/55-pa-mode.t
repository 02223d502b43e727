#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# IOVA-as-PA mode, which a PCI PMD on uio_pci_generic needs in a CoCo guest
# without a vIOMMU.  EAL needs hugepages there.  The sample forwards in PA
# mode with its pool's IOVAs from /dev/ccshared_heap, and the heap is empty
# as it exits and after; then dpdk-pa-test (pa.c) checks every mbuf's IOVA
# against the heap's chunk list, and that without CAP_SYS_ADMIN the pool
# fails with EPERM and holds nothing.
. "$(dirname "$0")/dpdk-setup.sh"
dpdk_require
ccshared_heap_require
[ -x "$helpers/dpdk-pa-test" ] || { echo "Bail out! $helpers/dpdk-pa-test is not built"; exit 1; }
plan 6
out=$(mktemp)
trap 'rm -f "$out"; echo 0 >/proc/sys/vm/nr_hugepages' EXIT

mkdir -p /dev/hugepages
mountpoint -q /dev/hugepages || mount -t hugetlbfs none /dev/hugepages
echo 64 >/proc/sys/vm/nr_hugepages

hold_at_exit "$out" "$fwd" -m 64 --no-pci -l 0 --no-telemetry --iova-mode=pa \
	--vdev=net_null0 --vdev=net_null1 -- -n 1000
held_check "PA mode: as it exits, the heap is empty" heap_is_empty
held_release
is "PA mode forwards 1000 packets: status 0" "$held_exit" 0 || sed 's/^/# /' "$out"
check "... none outside the shared buffer, the exit walk clean" \
	grep -q "^shared: 0 of 1000 received mbufs outside the buffer; .* 0 bad mbufs$" "$out"
check "... with the pool's IOVAs as PA" grep -q "IOVA PA in [0-9]* range(s)" "$out" ||
	sed 's/^/# /' "$out"
is_heap_empty "the heap is empty after the PA-mode run"

# The in-process checks, as their own TAP stream.
"$helpers/dpdk-pa-test" >"$out" 2>&1
status=$?
grep -v '^EAL: Detected' "$out" | sed 's/^/# dpdk-pa-test: /'
check "dpdk-pa-test: all its checks pass (status $status)" \
	sh -c "[ $status = 0 ] && grep -q '^1\.\.14$' '$out' && ! grep -q '^not ok' '$out' && [ \$(grep -c '^ok' '$out') = 14 ]"
done_testing
