#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""nic-trace.py: what QEMU's igb model did, from its trace events.

  nic-trace.py ranges TRACE FROM_LINE
      one line per DMA the device did or was told to do, in IOVAs as the
      device sees them (before any IOMMU), hexadecimal, end exclusive:
        rxbuf S E   a received frame written into a buffer
                    (igb_rx_desc_buff_write: address + offset, length)
        txbuf S E   a buffer a Tx descriptor pointed at (e1000e_tx_descr:
                    address; the length is the low 16 bits of cmd_type_len)
        rxdesc S E  an Rx descriptor the device read (e1000e_rx_descr)
        ring S E    a descriptor ring the driver gave the device: the base
                    (RDBAL/RDBAH, TDBAL/TDBAH of queues 0-3) and the length
                    (RDLEN, TDLEN) it wrote to the registers
  nic-trace.py check KIND DEV RANGES DEVICE
      every DEV range in DEVICE (the output above) lies inside one KIND
      range of RANGES (dpdk-nic-fwd's file); prints how many do not, and
      fails when any does not or there are none.
"""
import re
import sys

RX = re.compile(r'igb_rx_desc_buff_write .*addr: (0x[0-9a-f]+), offset: (\d+),.* length: (\d+)')
TX = re.compile(r'e1000e_tx_descr (0x[0-9a-f]+) : ([0-9a-f]+) ')
RXD = re.compile(r'e1000e_rx_descr .*PA: (0x[0-9a-f]+), length: (\d+)')
REG = re.compile(r'e1000e_core_write .*register (0x[0-9a-f]+), .*value: (0x[0-9a-f]+)')


def ranges(trace, first):
    length, high = {}, {}
    with open(trace, errors='replace') as f:
        for n, line in enumerate(f, 1):
            if n < first:
                continue
            if m := RX.search(line):
                a = int(m[1], 16) + int(m[2])
                print(f'rxbuf {a:x} {a + int(m[3]):x}')
            elif m := TX.search(line):
                a = int(m[1], 16)
                print(f'txbuf {a:x} {a + (int(m[2], 16) & 0xffff):x}')
            elif m := RXD.search(line):
                a = int(m[1], 16)
                print(f'rxdesc {a:x} {a + int(m[2]):x}')
            elif m := REG.search(line):
                r, v = int(m[1], 16), int(m[2], 16)
                # Queues 0-3 of Rx (0xc000) and Tx (0xe000), 0x40 apart;
                # the driver writes the length and high half first.
                if 0xc000 <= r < 0xc100 or 0xe000 <= r < 0xe100:
                    q, o = r & ~0x3f, r & 0x3f
                    if o == 8:
                        length[q] = v
                    elif o == 4:
                        high[q] = v
                    elif o == 0 and length.get(q):
                        a = high.get(q, 0) << 32 | v
                        print(f'ring {a:x} {a + length[q]:x}')


def check(kind, dev, ranges_file, device_file):
    inside = []
    with open(ranges_file) as f:
        for line in f:
            w = line.split()
            if w and w[0] == kind:
                inside.append((int(w[-2], 16), int(w[-1], 16)))
    inside.sort()
    starts = [s for s, _ in inside]
    import bisect
    seen = outside = 0
    with open(device_file) as f:
        for line in f:
            w = line.split()
            if not w or w[0] != dev:
                continue
            seen += 1
            a, b = int(w[1], 16), int(w[2], 16)
            i = bisect.bisect_right(starts, a) - 1
            if i < 0 or b > inside[i][1]:
                outside += 1
                if outside <= 5:
                    print(f'outside: {line.strip()}')
    print(f'{outside} of {seen} {dev} ranges outside the {len(inside)} {kind} ranges')
    return 0 if seen and not outside else 1


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'ranges':
        ranges(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)
    if len(sys.argv) == 6 and sys.argv[1] == 'check':
        sys.exit(check(*sys.argv[2:]))
    sys.exit(__doc__)
