// SPDX-License-Identifier: GPL-2.0
/*
 * The heap as a misc device, for kernels that do not export dma_heap_add()
 * (6.12).  It appears at the same path, /dev/dma_heap/system_cc_shared,
 * and speaks the same uapi: DMA_HEAP_IOCTL_ALLOC with struct
 * dma_heap_allocation_data, including the dma-heap core's tolerance of
 * older and newer struct sizes.  Programs work unchanged on both kinds of
 * kernel.
 *
 * Unlike a heap added with dma_heap_add(), this one unloads: an open
 * device holds the module through its file operations' owner, and every
 * buffer through its dma-buf's exporter owner.
 */

#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <uapi/linux/dma-heap.h>

#include "ccshared_heap.h"

static struct dma_buf *ccshared_misc_alloc(struct dma_heap_allocation_data *data)
{
	if (data->fd)
		return ERR_PTR(-EINVAL);
	if (data->fd_flags & ~DMA_HEAP_VALID_FD_FLAGS)
		return ERR_PTR(-EINVAL);
	if (data->heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return ERR_PTR(-EINVAL);
	if (!PAGE_ALIGN(data->len))
		return ERR_PTR(-EINVAL);

	return ccshared_heap_allocate(PAGE_ALIGN(data->len), data->fd_flags,
				      data->heap_flags);
}

static long ccshared_misc_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct dma_heap_allocation_data data = {};
	unsigned int size = _IOC_SIZE(cmd);
	void __user *uarg = (void __user *)arg;
	struct dma_buf *dmabuf;
	int fd;

	/* Same number, any size: copy what both sides know, zero the rest. */
	if (_IOC_TYPE(cmd) != _IOC_TYPE(DMA_HEAP_IOCTL_ALLOC) ||
	    _IOC_NR(cmd) != _IOC_NR(DMA_HEAP_IOCTL_ALLOC) ||
	    _IOC_DIR(cmd) != _IOC_DIR(DMA_HEAP_IOCTL_ALLOC))
		return -ENOTTY;
	size = min_t(unsigned int, size, sizeof(data));
	if (copy_from_user(&data, uarg, size))
		return -EFAULT;

	dmabuf = ccshared_misc_alloc(&data);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	fd = get_unused_fd_flags(data.fd_flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	data.fd = fd;

	/* Install the fd only once userspace can know about it. */
	if (copy_to_user(uarg, &data, size)) {
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		return -EFAULT;
	}
	fd_install(fd, dmabuf->file);
	return 0;
}

static const struct file_operations ccshared_misc_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = ccshared_misc_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice ccshared_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = CCSHARED_HEAP_NAME,
	.nodename = "dma_heap/" CCSHARED_HEAP_NAME,
	.fops = &ccshared_misc_fops,
};

int ccshared_misc_register(void)
{
	return misc_register(&ccshared_misc);
}

void ccshared_misc_unregister(void)
{
	misc_deregister(&ccshared_misc);
}
