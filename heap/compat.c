// SPDX-License-Identifier: GPL-2.0
/*
 * The heap as a misc device, for kernels that do not export dma_heap_add()
 * (6.12).  It appears at the same path, /dev/dma_heap/system_cc_shared,
 * and answers every input as the dma-heap core of 6.12 and 7.3
 * (drivers/dma-buf/dma-heap.c) does, so that programs work unchanged on
 * both kinds of kernel: the same results and the same errnos, for
 * DMA_HEAP_IOCTL_ALLOC with any struct size and for everything else.
 *
 * One deliberate exception.  The core matches only the ioctl number, so a
 * command of another type numbered 0 (DMA_BUF_IOCTL_SYNC sent to a heap
 * fd by mistake, say), or one whose output is too short to carry the new
 * fd, allocates a buffer and installs an fd the caller never learns
 * about.  This device refuses those before allocating anything: a command
 * of another type with ENOTTY, as upstream/0005 makes the core do, and one
 * of the heap's type without room for the fd with EINVAL, the core's errno
 * for a command it does not know.
 *
 * Unlike a heap added with dma_heap_add(), this one unloads: an open
 * device holds the module through its file operations' owner, and every
 * buffer through its dma-buf's exporter owner.
 */

#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>
#include <uapi/linux/dma-heap.h>

#include "ccshared_heap.h"

/* The checks of the core's dma_heap_ioctl_allocate(), in its order. */
static int ccshared_misc_check(const struct dma_heap_allocation_data *data)
{
	if (data->fd)
		return -EINVAL;
	if (data->fd_flags & ~DMA_HEAP_VALID_FD_FLAGS)
		return -EINVAL;
	if (data->heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return -EINVAL;
	if (!PAGE_ALIGN(data->len))
		return -EINVAL;
	return 0;
}

/*
 * Would the core allocate for @cmd, where the caller never asked for an
 * allocation (another type: -ENOTTY) or cannot get the fd (@out_size, what
 * goes back to it, too short: -EINVAL)?  0 if not.
 */
static int ccshared_misc_refused(unsigned int cmd, unsigned int out_size)
{
	int ret;

	if (_IOC_TYPE(cmd) != DMA_HEAP_IOC_MAGIC)
		ret = -ENOTTY;
	else if (out_size < offsetofend(struct dma_heap_allocation_data, fd))
		ret = -EINVAL;
	else
		return 0;
	pr_warn_ratelimited("ccshared_heap: %s[%d]: refusing ioctl %#x: not DMA_HEAP_IOCTL_ALLOC, or no room to return the fd (the dma-heap core would allocate a buffer the caller never learns about)\n",
			    current->comm, task_pid_nr(current), cmd);
	return ret;
}

/*
 * Only the number is matched and any size goes, as in the core: a shorter
 * struct is zero-extended, a longer one's extra bytes are read and written
 * back unchanged, and input and output follow the command's direction.
 */
static long ccshared_misc_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	const unsigned int kcmd = DMA_HEAP_IOCTL_ALLOC;
	struct dma_heap_allocation_data *data;
	unsigned int in_size, out_size, ksize;
	void __user *uarg = (void __user *)arg;
	u64 stack_data[16];
	struct dma_buf *dmabuf;
	void *kdata = stack_data;
	long ret;
	int fd;

	if (_IOC_NR(cmd) != _IOC_NR(kcmd))
		return -EINVAL;
	/* Before anything is read: the argument is not ours to interpret. */
	if (_IOC_TYPE(cmd) != DMA_HEAP_IOC_MAGIC)
		return ccshared_misc_refused(cmd, 0);

	in_size = _IOC_SIZE(cmd);
	out_size = _IOC_SIZE(cmd);
	if (!(cmd & kcmd & IOC_IN))
		in_size = 0;
	if (!(cmd & kcmd & IOC_OUT))
		out_size = 0;
	ksize = max3(in_size, out_size, _IOC_SIZE(kcmd));

	if (ksize > sizeof(stack_data)) {
		kdata = kmalloc(ksize, GFP_KERNEL);
		if (!kdata)
			return -ENOMEM;
	}
	if (copy_from_user(kdata, uarg, in_size)) {
		ret = -EFAULT;
		goto out;
	}
	memset(kdata + in_size, 0, ksize - in_size);
	data = kdata;

	ret = ccshared_misc_check(data);
	if (ret)
		goto out;
	ret = ccshared_misc_refused(cmd, out_size);
	if (ret)
		goto out;

	dmabuf = ccshared_heap_allocate(PAGE_ALIGN(data->len), data->fd_flags,
					data->heap_flags);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto out;
	}
	fd = get_unused_fd_flags(data->fd_flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		ret = fd;
		goto out;
	}
	data->fd = fd;

	/* Install the fd only once userspace can know about it. */
	if (copy_to_user(uarg, kdata, out_size)) {
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		ret = -EFAULT;
		goto out;
	}
	fd_install(fd, dmabuf->file);
	ret = 0;
out:
	if (kdata != stack_data)
		kfree(kdata);
	return ret;
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
