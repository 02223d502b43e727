# SPDX-License-Identifier: GPL-2.0
# Sourced by the DPDK guest tests.
#   fwd                 the built ccshared_fwd
#   EAL                 EAL options for a hugepage-less run on one lcore
#   dpdk_ready          1 + dpdk_missing_reason when the sample is not built
#   ccshared_heap_ready loads ccshared_heap unless the heap is there;
#                       1 + heap_missing_reason on failure (guest-heap.sh)
#   heap_stat NAME      a field of the heap module's statistics
. "$CCSHARED_SRC/tests/lib/tap.sh"
. "$CCSHARED_SRC/tests/lib/guest-heap.sh"
fwd=$CCSHARED_BUILD/samples/dpdk/ccshared_fwd
helpers=$CCSHARED_BUILD/tests/guest/dpdk
EAL=(--no-huge -m 128 --no-pci -l 0 --no-telemetry)

dpdk_missing_reason=
dpdk_ready() {
	[ -x "$fwd" ] && return 0
	dpdk_missing_reason="ccshared_fwd is not built (no libdpdk at configure time)"
	return 1
}

heap_stat() {
	sed -n "s/^$1: //p" /sys/kernel/debug/ccshared_heap/stats
}

# is_heap_empty DESC: no buffer left in the heap.
is_heap_empty() {
	is "$1" "$(heap_stat buffers) buffers, $(heap_stat bytes) bytes" "0 buffers, 0 bytes"
}
