#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# usage: heap-rw.py HEAP_DEVICE SIZE
#
# Allocate SIZE bytes from a dma-buf heap with DMA_HEAP_IOCTL_ALLOC, map
# the buffer MAP_SHARED, write a pattern to every page and read it back.
# Prints "ok", or the errno name of the step that failed (EACCES when the
# device cannot be opened) and exits 1.  The CLI does the same through
# libccshared; this needs nothing but the kernel's uapi.
import errno
import fcntl
import mmap
import os
import struct
import sys

# _IOWR('H', 0, struct dma_heap_allocation_data), a 24-byte struct:
# __u64 len; __u32 fd; __u32 fd_flags; __u64 heap_flags.
DMA_HEAP_IOCTL_ALLOC = (3 << 30) | (24 << 16) | (ord('H') << 8) | 0


def fail(step, err):
    print(f"{step}: {errno.errorcode.get(err, err)}")
    sys.exit(1)


def main():
    path, size = sys.argv[1], int(sys.argv[2])
    try:
        heap = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        fail("open", e.errno)
    req = bytearray(struct.pack("=QIIQ", size, 0, os.O_RDWR | os.O_CLOEXEC, 0))
    try:
        fcntl.ioctl(heap, DMA_HEAP_IOCTL_ALLOC, req)
    except OSError as e:
        fail("alloc", e.errno)
    os.close(heap)
    buf = struct.unpack("=QIIQ", req)[1]
    try:
        mem = mmap.mmap(buf, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    except OSError as e:
        fail("mmap", e.errno)
    pattern = bytes((i * 7 + 1) & 0xff for i in range(mmap.PAGESIZE))
    for off in range(0, size, mmap.PAGESIZE):
        mem[off:off + mmap.PAGESIZE] = pattern
    for off in range(0, size, mmap.PAGESIZE):
        if mem[off:off + mmap.PAGESIZE] != pattern:
            print(f"read back differs at offset {off}")
            sys.exit(1)
    mem.close()
    os.close(buf)
    print("ok")


main()
