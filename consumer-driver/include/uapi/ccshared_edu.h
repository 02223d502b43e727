/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Userspace API of ccshared_edu, the sample dma-buf importer for QEMU's
 * edu device: /dev/ccshared_edu<N>, one node per device.
 *
 * A process attaches a dma-buf (from /dev/dma_heap/system_cc_shared, say)
 * and gets a handle; it then moves up to CCSHARED_EDU_DMA_MAX bytes at a
 * time between the buffer and the device's internal 4 KiB buffer, and
 * detaches.  Handles belong to the open file that created them: another
 * file, even on the same device, cannot use them, and closing the file
 * detaches whatever is left.
 *
 * Versioning: the size of each struct is encoded in its ioctl number, and
 * the driver rejects sizes it does not know with -EINVAL.  Fields marked
 * "must be 0" are checked, so that a later version can give them meaning.
 *
 * Errors: -EBADF or -EINVAL for a fd that is not a dma-buf; -EINVAL for bad
 * offsets, lengths, directions or flags; -ENOENT for a handle this file
 * does not own (including one already detached); -EPERM when the non-TDISP
 * policy refuses a buffer; -ENOSPC when an attach would go past what the
 * file or the device may keep pinned (see struct ccshared_edu_attach);
 * -ENODEV once the device is gone, or for DMA once the exporter has
 * revoked the mapping; -ENOTTY for unknown ioctls.
 */
#ifndef _UAPI_CCSHARED_EDU_H
#define _UAPI_CCSHARED_EDU_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The device's internal buffer: the most one DMA request can move. */
#define CCSHARED_EDU_DMA_MAX		4096

/**
 * struct ccshared_edu_attach - import a dma-buf
 * @fd:		in: the dma-buf's file descriptor; the driver takes its own
 *		reference, so the caller may close it afterwards
 * @flags:	in: must be 0
 * @handle:	out: names the attachment in later calls; never 0; must be 0
 *		on input
 * @reserved:	must be 0
 *
 * An attachment pins the whole dma-buf until it is detached, so each open
 * file and each device may hold only so many attachments and pin only so
 * many bytes (the module parameters max_attachments_per_file,
 * max_pinned_mb_per_file, max_attachments_per_device and
 * max_pinned_mb_per_device; by default 64 and 256 MiB per file, 256 and
 * 1024 MiB per device).  Each attachment counts its dma-buf's whole size,
 * also when the same dma-buf is attached twice.  An attach past a limit
 * fails with -ENOSPC and changes nothing; detaching, or closing the file,
 * gives the budget back.
 */
struct ccshared_edu_attach {
	__s32 fd;
	__u32 flags;
	__u32 handle;
	__u32 reserved;
};

/**
 * struct ccshared_edu_detach - unmap and release an attachment
 * @handle:	in: from CCSHARED_EDU_IOCTL_ATTACH
 * @flags:	in: must be 0
 */
struct ccshared_edu_detach {
	__u32 handle;
	__u32 flags;
};

#define CCSHARED_EDU_TO_DEVICE		1	/* dma-buf -> device buffer */
#define CCSHARED_EDU_FROM_DEVICE	2	/* device buffer -> dma-buf */

/**
 * struct ccshared_edu_dma - one synchronous transfer
 * @handle:	in: the attachment
 * @direction:	in: CCSHARED_EDU_TO_DEVICE or CCSHARED_EDU_FROM_DEVICE
 * @offset:	in: byte offset into the dma-buf
 * @length:	in: 1 to CCSHARED_EDU_DMA_MAX bytes; the device side always
 *		starts at the beginning of its buffer
 *
 * The range may span several DMA segments; the driver splits it.  CPU
 * access around it goes through DMA_BUF_IOCTL_SYNC, as for any dma-buf.
 */
struct ccshared_edu_dma {
	__u32 handle;
	__u32 direction;
	__u64 offset;
	__u64 length;
};

/* ccshared_edu_info.flags */
#define CCSHARED_EDU_INFO_SHARED	0x1 /* exporter is known to hand out shared memory */
#define CCSHARED_EDU_INFO_BOUNCED	0x2 /* some segment goes through swiotlb */
#define CCSHARED_EDU_INFO_UNENCRYPTED	0x4 /* the device needs unencrypted DMA */
#define CCSHARED_EDU_INFO_REVOKED	0x8 /* the exporter invalidated the mapping */

/**
 * struct ccshared_edu_info - describe an attachment's mapping
 * @handle:	in: the attachment
 * @flags:	out: CCSHARED_EDU_INFO_*
 * @nr_segments: out: DMA segments in the mapping (after IOMMU merging)
 * @reserved:	must be 0
 * @size:	out: size of the dma-buf in bytes
 * @mapped_len:	out: sum of the DMA segment lengths
 * @map_ns:	out: time the driver took to attach, pin and map the buffer,
 *		in nanoseconds (6.12 maps some buffers while attaching)
 *
 * All fields but @handle are outputs and must be 0 on input.
 */
struct ccshared_edu_info {
	__u32 handle;
	__u32 flags;
	__u32 nr_segments;
	__u32 reserved;
	__u64 size;
	__u64 mapped_len;
	__u64 map_ns;
};

#define CCSHARED_EDU_MAGIC	0xCC
#define CCSHARED_EDU_IOCTL_ATTACH	_IOWR(CCSHARED_EDU_MAGIC, 0x40, struct ccshared_edu_attach)
#define CCSHARED_EDU_IOCTL_DETACH	_IOW(CCSHARED_EDU_MAGIC, 0x41, struct ccshared_edu_detach)
#define CCSHARED_EDU_IOCTL_DMA		_IOW(CCSHARED_EDU_MAGIC, 0x42, struct ccshared_edu_dma)
#define CCSHARED_EDU_IOCTL_INFO		_IOWR(CCSHARED_EDU_MAGIC, 0x43, struct ccshared_edu_info)

#endif /* _UAPI_CCSHARED_EDU_H */
