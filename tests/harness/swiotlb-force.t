#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --swiotlb-force really bounces DMA: virtio-9p goes through the DMA API
# and swiotlb, so reading files fills the bounce pool; without the option
# nothing is bounced.  This is how the suite models CoCo guests on 6.12.
. "$(dirname "$0")/../lib/tap.sh"
run=$(dirname "$0")/../vm/run
kernel=${CCSHARED_KERNEL:-7.3}
plan 4
# Without forcing, a 2 GiB guest may not set up swiotlb at all: no debugfs
# directory then counts as nothing bounced.
probe='cat /usr/bin/* >/dev/null 2>&1; grep -o "swiotlb=force" /proc/cmdline
	cat /sys/kernel/debug/swiotlb/io_tlb_used_hiwater 2>/dev/null || echo 0'
out=$("$run" --kernel "$kernel" --no-build --swiotlb-force -- sh -c "$probe" </dev/null)
check "the guest booted with swiotlb=force" grep -q '^swiotlb=force$' <<<"$out"
hiwater=$(tail -n 1 <<<"$out")
check "forced: bounce buffers were used (high water $hiwater slots)" test "${hiwater:-0}" -gt 0
out=$("$run" --kernel "$kernel" --no-build -- sh -c "$probe" </dev/null)
hiwater=$(tail -n 1 <<<"$out")
check "by default the command line has no swiotlb=force" test "$(grep -c swiotlb=force <<<"$out")" = 0
is "by default nothing is bounced" "$hiwater" 0
done_testing
