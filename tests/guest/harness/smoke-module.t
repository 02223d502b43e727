#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A module built by meson and Kbuild for this kernel loads with the
# parameter it is given, through ccshared-load, and unloads again.
. "$CCSHARED_SRC/tests/lib/tap.sh"
plan 5
ko=$CCSHARED_MODULES/ccshared_smoke.ko
is "vermagic matches the running kernel" "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" "$(uname -r)"
check "ccshared-load loads it with a parameter" ccshared-load ccshared_smoke greeting=from-the-suite
is "the parameter arrived" "$(cat /sys/module/ccshared_smoke/parameters/greeting 2>/dev/null)" from-the-suite
check "it unloads" rmmod ccshared_smoke
check "its messages are in the kernel log" sh -c \
	'dmesg | grep -q "ccshared_smoke: loaded: from-the-suite" && dmesg | grep -q "ccshared_smoke: unloaded: from-the-suite"'
done_testing
