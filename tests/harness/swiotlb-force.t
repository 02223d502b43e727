#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --swiotlb-force really bounces DMA: virtio-9p goes through the DMA API
# and swiotlb, so reading files fills the bounce pool; without the option
# nothing is bounced.  This is how the suite models CoCo guests on 6.12.
# The default boot has more than 4 GiB, so that swiotlb is set up and
# counts (7.x with track_hiwater): "nothing bounced" is then a measurement,
# not the absence of swiotlb.
. "$(dirname "$0")/../lib/tap.sh"
run=$(dirname "$0")/../vm/run
kernel=${CCSHARED_KERNEL:-7.3}
plan 6
probe='cat /usr/bin/* >/dev/null 2>&1; grep -o "swiotlb=force" /proc/cmdline
	echo "nslabs=$(cat /sys/kernel/debug/swiotlb/io_tlb_nslabs 2>/dev/null)"
	echo "hiwater=$(cat /sys/kernel/debug/swiotlb/io_tlb_used_hiwater 2>/dev/null)"'
field() { sed -n "s/^$1=//p" <<<"$2"; }
out=$("$run" --kernel "$kernel" --no-build --swiotlb-force -- sh -c "$probe" </dev/null)
check "the guest booted with swiotlb=force" grep -q '^swiotlb=force$' <<<"$out"
hiwater=$(field hiwater "$out")
check "forced: bounce buffers were used (high water ${hiwater:-unreadable} slots)" test "${hiwater:-0}" -gt 0

default=(--mem 4608)
[ "$kernel" = 6.12 ] || default+=(--append swiotlb=track_hiwater)
out=$("$run" --kernel "$kernel" --no-build "${default[@]}" -- sh -c "$probe" </dev/null)
check "by default the command line has no swiotlb=force" test "$(grep -c swiotlb=force <<<"$out")" = 0
nslabs=$(field nslabs "$out") hiwater=$(field hiwater "$out")
check "by default swiotlb is set up all the same ($nslabs slots), so it would count" \
	test "${nslabs:-0}" -gt 0
check "... and its high-water mark is readable" test -n "$hiwater"
is "by default nothing is bounced" "$hiwater" 0
done_testing
