#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Before the heap is loaded (this test sorts first): the sample says what
# is missing and exits 3.  Bad usage exits 2.
. "$(dirname "$0")/rdma-setup.sh"
. "$CCSHARED_SRC/tests/lib/tap.sh"
rdma_skip_unless_supported
plan 3
if [ -e /dev/dma_heap/system_cc_shared ]; then
	echo "Bail out! system_cc_shared is there already: 0-no-heap must run before anything loads the heap"
	exit 1
fi
out=$(ccshared_rdma_write 2>&1)
is "no heap: exit status 3" $? 3
printf '%s\n' "$out" | sed 's/^/# /'
check "no heap: the message says to load ccshared_heap" grep -q "load ccshared_heap" <<<"$out"
ccshared_rdma_write --size nonsense >/dev/null 2>&1
is "bad usage: exit status 2" $? 2
done_testing
