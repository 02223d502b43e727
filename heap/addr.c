// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ccshared_heap: the DMA address of each chunk of a buffer, for
 * userspace drivers that program a device without an IOMMU (DPDK in IOVA
 * as PA mode, through uio_pci_generic); and the switch to pinnable
 * mappings, for those that map it into an IOMMU themselves (pin.c).
 *
 * The heap maps its buffers with remap_pfn_range(), so /proc/PID/pagemap
 * has nothing for them, and on 7.x neither the heap's fd (the dma-heap
 * core's) nor the dma-buf fd (the dma-buf core's) can take an ioctl of
 * ours.  Hence a device of its own, the same on every kernel.
 *
 * The caller needs CAP_SYS_ADMIN, as for the PFNs of pagemap, both when it
 * opens the device and when it asks: an fd handed to an unprivileged
 * process is of no use to it.  What it learns is where memory that is
 * already shared with the host lies; docs/heap.md ("DMA addresses for
 * userspace drivers") gives the whole argument.
 */

#include <linux/capability.h>
#include <linux/ccshared_heap_importer.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/uaccess.h>
#include <uapi/linux/ccshared_heap.h>

#include "ccshared_heap.h"

static struct miscdevice ccshared_addr_misc;

static int ccshared_addr_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return nonseekable_open(inode, file);
}

/*
 * The address a device that reaches memory directly (no IOMMU, no bus
 * offset) uses for shared memory: the physical address on x86, where
 * neither SEV's C-bit nor a TDX shared bit appears in DMA addresses; with
 * the realm's unprotected bit on Arm CCA.  The misc device has no DMA
 * ranges, so this is the kernel's own rule for such a device.
 */
static int ccshared_addr_fill(struct ccshared_buffer *buffer,
			      struct ccshared_heap_chunk __user *out)
{
	struct device *dev = ccshared_addr_misc.this_device;
	struct ccshared_heap_chunk chunk;
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(&buffer->sg_table, sg, i) {
		chunk.dma_addr = phys_to_dma_unencrypted(dev, sg_phys(sg));
		chunk.len = sg->length;
		if (copy_to_user(&out[i], &chunk, sizeof(chunk)))
			return -EFAULT;
	}
	return 0;
}

/* A dma-buf of this heap, by fd, with a reference; else an ERR_PTR. */
static struct dma_buf *ccshared_addr_get(int fd)
{
	struct dma_buf *dmabuf = dma_buf_get(fd);

	if (!IS_ERR(dmabuf) && !ccshared_heap_dmabuf_is_shared(dmabuf)) {
		dma_buf_put(dmabuf);
		return ERR_PTR(-EINVAL);
	}
	return dmabuf;
}

static long ccshared_addr_dma_addrs(struct file *file, void __user *uarg)
{
	struct ccshared_heap_dma_addrs args;
	struct ccshared_buffer *buffer;
	struct dma_buf *dmabuf;
	unsigned int nents;
	long ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.reserved)
		return -EINVAL;

	dmabuf = ccshared_addr_get(args.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	/* The chunks are set at allocation and freed at release only. */
	buffer = dmabuf->priv;
	nents = buffer->sg_table.orig_nents;

	if (args.count && args.count < nents) {
		ret = -E2BIG;
	} else if (args.count) {
		ret = ccshared_addr_fill(buffer, u64_to_user_ptr(args.chunks));
		if (ret)
			goto put;
	} else {
		ret = 0;
	}
	args.count = nents;
	if (copy_to_user(uarg, &args, sizeof(args)))
		ret = -EFAULT;
put:
	dma_buf_put(dmabuf);
	return ret;
}

static long ccshared_addr_pinnable(void __user *uarg)
{
	struct ccshared_heap_pinnable args;
	struct dma_buf *dmabuf;
	long ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags)
		return -EINVAL;

	dmabuf = ccshared_addr_get(args.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = ccshared_pin_allow(dmabuf->priv);
	dma_buf_put(dmabuf);
	return ret;
}

static long ccshared_addr_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	/* Checked again: the fd may have been passed on after open. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case CCSHARED_HEAP_IOCTL_DMA_ADDRS:
		return ccshared_addr_dma_addrs(file, (void __user *)arg);
	case CCSHARED_HEAP_IOCTL_PINNABLE:
		return ccshared_addr_pinnable((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ccshared_addr_fops = {
	.owner = THIS_MODULE,
	.open = ccshared_addr_open,
	.unlocked_ioctl = ccshared_addr_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice ccshared_addr_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ccshared_heap",
	.fops = &ccshared_addr_fops,
	.mode = 0600,
};

int ccshared_addr_register(void)
{
	return misc_register(&ccshared_addr_misc);
}

void ccshared_addr_unregister(void)
{
	misc_deregister(&ccshared_addr_misc);
}
