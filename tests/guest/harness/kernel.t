#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest runs the kernel the host asked for, with its own modules.
. "$CCSHARED_SRC/tests/lib/tap.sh"
plan 3
is "uname -r is the requested kernel" "$(uname -r)" "$CCSHARED_KERNEL_RELEASE"
check "modules of $(uname -r) are available" modprobe -n -v dummy
check "the project's modules were built for it" test -e "$CCSHARED_MODULES/ccshared_smoke.ko"
done_testing
