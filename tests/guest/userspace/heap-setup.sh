# SPDX-License-Identifier: GPL-2.0
# Sourced by the userspace guest tests: make the ccshared heap available.
# ccshared_heap_ready loads the module (non-CoCo guest: force_non_coco=1)
# unless the heap is already there (on 7.3 it cannot be unloaded, so the
# part's tests share it).  It returns 1 and sets heap_missing_reason when
# the module is not built yet or will not load.
heap_missing_reason=
ccshared_heap_ready() {
	[ -c /dev/dma_heap/system_cc_shared ] && return 0
	if [ ! -e "${CCSHARED_MODULES:-/opt/ccshared/modules}/ccshared_heap.ko" ]; then
		heap_missing_reason="ccshared_heap.ko is not built yet"
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
