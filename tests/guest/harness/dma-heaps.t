#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's dma-buf heap interface is there: the "system" heap is on in
# Debian's 7.3 and 6.12 configs, and /dev/dma_heap lists it.
. "$CCSHARED_SRC/tests/lib/tap.sh"
plan 2
check "/dev/dma_heap exists" test -d /dev/dma_heap
check "the system heap is listed" test -c /dev/dma_heap/system
echo "# heaps: $(ls /dev/dma_heap | tr '\n' ' ')"
done_testing
