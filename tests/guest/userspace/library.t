#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every libccshared call against the system heap and against
# system_cc_shared (library.c), with the heap module loaded first.
. "$CCSHARED_SRC/tests/lib/guest-heap.sh"
ccshared_heap_require
exec "$CCSHARED_BUILD/tests/guest/userspace/library-test"
