# SPDX-License-Identifier: GPL-2.0
# Sourced by guest tests (in the guest): make the ccshared heap available.
# ccshared_heap_ready loads ccshared_heap (a non-CoCo guest, so
# force_non_coco=1) unless /dev/dma_heap/system_cc_shared is already there
# (on 7.x the heap cannot be unloaded, so a part's tests share it).  It
# returns 1 and says why in heap_missing_reason when the module is not
# built for this kernel, does not load, or loads without the device.
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
