/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/ccshared_heap: what ccshared_heap.ko offers privileged userspace
 * drivers: the DMA addresses of a buffer (docs/heap.md, "DMA addresses for
 * userspace drivers") and mappings the kernel can pin (docs/heap.md,
 * "Pinnable mappings"), each with its security argument.
 */
#ifndef _UAPI_LINUX_CCSHARED_HEAP_H
#define _UAPI_LINUX_CCSHARED_HEAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* One chunk: physically contiguous, in the order of the buffer's offsets. */
struct ccshared_heap_chunk {
	__u64 dma_addr;	/* unencrypted DMA address, no IOMMU, no bus offset */
	__u64 len;	/* bytes, a multiple of the page size */
};

/**
 * struct ccshared_heap_dma_addrs - argument of CCSHARED_HEAP_IOCTL_DMA_ADDRS
 * @fd: in: a dma-buf fd of this heap
 * @flags: in: 0
 * @count: in: entries room at @chunks; out: the buffer's number of chunks
 * @reserved: in: 0
 * @chunks: in: user address of @count &struct ccshared_heap_chunk
 *
 * With @count 0 only the number is returned.  With @count smaller than the
 * number of chunks, nothing is written to @chunks, @count is set and the
 * call fails with E2BIG (as KVM_GET_MSR_INDEX_LIST does).  A buffer's
 * chunks never change during its life, so one query and one call suffice.
 */
struct ccshared_heap_dma_addrs {
	__s32 fd;
	__u32 flags;
	__u32 count;
	__u32 reserved;
	__u64 chunks;
};

/**
 * struct ccshared_heap_pinnable - argument of CCSHARED_HEAP_IOCTL_PINNABLE
 * @fd: in: a dma-buf fd of this heap
 * @flags: in: 0
 *
 * Every mapping of the buffer that the calling process makes after this
 * call can be pinned (pin_user_pages(), as VFIO type1 and iommufd do to
 * map it into an IOMMU); mappings made before, by other processes, or
 * inherited, cannot (fork() does not copy a pinnable mapping).  One process
 * per buffer: another one asking gets EBUSY.  It cannot be undone.  A
 * chunk still referenced when the buffer is freed is held, shared, until
 * the last reference goes, and only then reused or made private again.
 */
struct ccshared_heap_pinnable {
	__s32 fd;
	__u32 flags;
};

/* 0xCC 00-0F is ibmvmc's; this device uses 0x40 and up. */
#define CCSHARED_HEAP_IOC_MAGIC		0xCC
#define CCSHARED_HEAP_IOCTL_DMA_ADDRS	_IOWR(CCSHARED_HEAP_IOC_MAGIC, 0x40, \
					      struct ccshared_heap_dma_addrs)
#define CCSHARED_HEAP_IOCTL_PINNABLE	_IOW(CCSHARED_HEAP_IOC_MAGIC, 0x41, \
					     struct ccshared_heap_pinnable)

#endif /* _UAPI_LINUX_CCSHARED_HEAP_H */
