#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The leak checks can fail.  Each test that ends with "nothing leaked" runs
# again with HEAPTEST_PLANT_LEAK=1: once the heap is loaded, debugfs
# plant_leak makes the next chunk a buffer gives back vanish, neither
# pooled, freed nor counted, and the test frees a 4 KiB buffer (one 4 KiB
# chunk; 64 KiB under min_order=4).  Each must then fail, and only its
# page-accounting checks ("... N pages unaccounted for").  The stress test
# runs 4 x 50 cycles instead of 4 x 2,500: the check is the same.
#
# On 7.x the heap stays loaded, and the lost chunks with it: this test
# sorts last in its part.
. "$CCSHARED_SRC/tests/lib/tap.sh"
dir=$CCSHARED_BUILD/tests/guest/heap
tests=(10-alloc 20-errors 30-pool 40-fault 50-stress 55-signal 95-min-order)
plan ${#tests[@]}
for t in "${tests[@]}"; do
	if [ "$t" = 95-min-order ] && modinfo -F import_ns "$CCSHARED_MODULES/ccshared_heap.ko" |
			grep -qx DMA_BUF_HEAP; then
		skip "$t fails on a planted leak" "by design: min_order runs only where the heap can be reloaded (6.12)"
		continue
	fi
	out=$(HEAPTEST_PLANT_LEAK=1 HEAPTEST_STRESS_CYCLES=50 "$dir/$t.t" 2>&1)
	status=$?
	failed=$(grep '^not ok' <<<"$out")
	others=$(grep -v 'pages\? unaccounted for' <<<"$failed")
	if [ $status != 0 ] && grep -q 'HEAPTEST_PLANT_LEAK: planted' <<<"$out" &&
	   [ -n "$failed" ] && [ -z "$others" ]; then
		_tap_result 0 "$t fails on a planted leak, in its page accounting only ($(wc -l <<<"$failed") checks)"
		printf '%s\n' "$failed" | sed 's/^/#   /'
	else
		_tap_result 1 "$t fails on a planted leak, in its page accounting only (status $status)"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
done
done_testing
