#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every libccshared call against the system heap and, once ccshared_heap.ko
# is built, against system_cc_shared (library.c; loads the module first).
. "$CCSHARED_SRC/tests/lib/guest-heap.sh"
ccshared_heap_ready
HEAP_MISSING_REASON=$heap_missing_reason exec "$CCSHARED_BUILD/tests/guest/userspace/library-test"
