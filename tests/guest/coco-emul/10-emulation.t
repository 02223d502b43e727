#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ccshared_coco_emul does what it claims, on 7.3: the DMA layer treats the
# edu device as needing unencrypted DMA (its mapping size drops to
# swiotlb's), DMA_ATTR_CC_SHARED mappings go direct (DMA address equals the
# physical address, no swiotlb slot used), and a plain mapping of private
# memory fails with the kernel warning that the driver's policy exists to
# avoid.  That warning, and only that one, is allowed in this part's boot
# (vm-options-7.3: --allow-kernel-warning); the runner fails every other
# warning as usual.  The guest has more than 4 GiB, so that swiotlb is set up, and
# boots with swiotlb=track_hiwater: "check" unmaps its page before we can
# look at io_tlb_used, so only the high-water mark shows a slot it used.
. "$CCSHARED_SRC/tests/lib/tap.sh"
case $(uname -r) in
7.*) ;;
*) skip_all "by design: the emulation models 7.x (6.12 is modelled by swiotlb=force)" ;;
esac
d=/sys/kernel/debug/ccshared_coco_emul
plan 9
check "load ccshared_edu with a 64-bit DMA mask" ccshared-load ccshared_edu dma_bits=64
check "load ccshared_coco_emul" ccshared-load ccshared_coco_emul
used_before=$(cat /sys/kernel/debug/swiotlb/io_tlb_used)
echo 0 >/sys/kernel/debug/swiotlb/io_tlb_used_hiwater
line=$(cat $d/check)
hiwater=$(cat /sys/kernel/debug/swiotlb/io_tlb_used_hiwater)
echo "# check: $line"
echo "# stats: $(tr '\n' ' ' <$d/stats)"
check "the DMA layer limits edu mappings to swiotlb's 256 KiB (force_dma_unencrypted is true)" \
	grep -q "max_mapping_size=262144" <<<"$line"
dma=$(sed -n 's/.*cc_shared_map=direct dma=\([^ ]*\) phys=\([^ ]*\).*/\1 \2/p' <<<"$line")
check "a DMA_ATTR_CC_SHARED mapping goes direct" test -n "$dma"
is "its DMA address is its physical address" "${dma% *}" "${dma#* }"
check "and no swiotlb slot was used (in use before: $used_before, high water since: $hiwater)" \
	test "$hiwater" -le "$used_before"
check "the kretprobe missed no call (a missed call is not emulated)" \
	grep -qx "missed: 0" $d/stats
warnings() { dmesg | grep -c "swiotlb addr .* overflow"; }
before=$(warnings)
echo 1 >$d/map_private
result=$(cat $d/map_private)
echo "# map_private: $result"
check "a plain mapping of private memory fails" grep -q " failed$" <<<"$result"
is "with the kernel's warning (swiotlb pool is private, device needs unencrypted DMA)" \
	"$(warnings)" $((before + 1))
rmmod ccshared_coco_emul
rmmod ccshared_edu
done_testing
