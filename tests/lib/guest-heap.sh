# SPDX-License-Identifier: GPL-2.0
# Sourced by guest tests (in the guest): make the ccshared heap available.
# ccshared_heap_ready loads ccshared_heap (a non-CoCo guest, so
# force_non_coco=1) unless /dev/dma_heap/system_cc_shared is already there
# (on 7.x the heap cannot be unloaded, so a part's tests share it).  It
# returns 1 and says why in heap_missing_reason when the module is not
# built for this kernel, does not load, or loads without the device.
# ccshared_heap_require does the same, and a heap that is not there ends
# the test: "Bail out!" and status 1.  The suite builds the module for
# every kernel it boots, so a missing heap is always a failure, never a
# reason to skip (or to take a "no heap" branch and pass).
heap_missing_reason=
ccshared_heap_ready() {
	local out
	[ -c /dev/dma_heap/system_cc_shared ] && return 0
	if [ ! -e "${CCSHARED_MODULES:-/opt/ccshared/modules}/ccshared_heap.ko" ]; then
		heap_missing_reason="ccshared_heap.ko is not built for this kernel"
		return 1
	fi
	if ! out=$(ccshared-load ccshared_heap force_non_coco=1 2>&1); then
		heap_missing_reason="ccshared_heap.ko did not load: $out"
		return 1
	fi
	[ -c /dev/dma_heap/system_cc_shared ] && return 0
	heap_missing_reason="ccshared_heap loaded but /dev/dma_heap/system_cc_shared did not appear"
	return 1
}

ccshared_heap_require() {
	ccshared_heap_ready && return 0
	echo "Bail out! the heap is required: ${heap_missing_reason//$'\n'/; }"
	exit 1
}

# heap_stat NAME: a counter of the heap's debugfs statistics; fails (and
# prints nothing) when the statistics cannot be read.
heap_stat() {
	local v
	v=$(sed -n "s/^$1: //p" /sys/kernel/debug/ccshared_heap/stats 2>/dev/null) || return 1
	[ -n "$v" ] || return 1
	echo "$v"
}

# heap_pages_unaccounted: pages the heap took from the page allocator that
# it neither gave back, leaked on purpose, keeps in its pool nor has in a
# buffer (taken_pages - returned_pages - leaked_pages - pool_pages -
# buffer_pages); 0 unless a page was lost.  Fails when the statistics
# cannot be read.
heap_pages_unaccounted() {
	local taken returned leaked pool live
	taken=$(heap_stat taken_pages) && returned=$(heap_stat returned_pages) &&
		leaked=$(heap_stat leaked_pages) && pool=$(heap_stat pool_pages) &&
		live=$(heap_stat buffer_pages) || return 1
	echo $((taken - returned - leaked - pool - live))
}
