#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# QEMU's edu device (1234:11e8), the sample driver's hardware, is on the bus.
. "$CCSHARED_SRC/tests/lib/tap.sh"
plan 2
is "one edu device on the PCI bus" "$(lspci -n -d 1234:11e8 | wc -l)" 1
dev=$(grep -l 0x11e8 /sys/bus/pci/devices/*/device | head -n 1)
is "its vendor is 0x1234" "$(cat "$(dirname "$dev")/vendor" 2>/dev/null)" 0x1234
done_testing
