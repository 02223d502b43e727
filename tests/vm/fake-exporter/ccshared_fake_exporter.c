// SPDX-License-Identifier: GPL-2.0
/*
 * ccshared_fake_exporter (test only): an exporter of ordinary, private
 * memory that names its dma-bufs "system_cc_shared", as the shared-memory
 * heaps do.  Importers that trust the exporter name take its buffers for
 * shared memory; the tests use it to show that ccshared_edu does not.
 *
 * /dev/ccshared_fake_exporter takes DMA_HEAP_IOCTL_ALLOC, as a dma-buf heap
 * does, for 1 byte to 16 MiB.  The buffers can be attached and mapped for
 * DMA; nothing else.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/dma-heap.h>

#define FAKE_NAME	"ccshared_fake_exporter"
#define FAKE_EXP_NAME	"system_cc_shared"	/* the name it has no right to */
#define FAKE_MAX_LEN	(16UL << 20)

/* kzalloc_obj() arrived in 7.0; 6.12 has only the long form. */
#ifndef kzalloc_obj
#define kzalloc_obj(p)	kzalloc(sizeof(p), GFP_KERNEL)
#endif

struct fake_buffer {
	struct page **pages;
	unsigned long npages;
};

static struct sg_table *fake_map_dma_buf(struct dma_buf_attachment *attach,
					 enum dma_data_direction dir)
{
	struct fake_buffer *fb = attach->dmabuf->priv;
	struct sg_table *sgt;
	int ret;

	sgt = kzalloc_obj(*sgt);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table_from_pages(sgt, fb->pages, fb->npages, 0,
					fb->npages << PAGE_SHIFT, GFP_KERNEL);
	if (ret)
		goto free;
	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (ret)
		goto free_table;
	return sgt;

free_table:
	sg_free_table(sgt);
free:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void fake_unmap_dma_buf(struct dma_buf_attachment *attach,
			       struct sg_table *sgt, enum dma_data_direction dir)
{
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static void fake_free(struct fake_buffer *fb)
{
	unsigned long i;

	for (i = 0; i < fb->npages; i++)
		if (fb->pages[i])
			__free_page(fb->pages[i]);
	kvfree(fb->pages);
	kfree(fb);
}

static void fake_release(struct dma_buf *dmabuf)
{
	fake_free(dmabuf->priv);
}

static const struct dma_buf_ops fake_dmabuf_ops = {
	.map_dma_buf = fake_map_dma_buf,
	.unmap_dma_buf = fake_unmap_dma_buf,
	.release = fake_release,
};

static struct dma_buf *fake_alloc(unsigned long len, u32 fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct fake_buffer *fb;
	struct dma_buf *dmabuf;
	unsigned long i;

	fb = kzalloc_obj(*fb);
	if (!fb)
		return ERR_PTR(-ENOMEM);
	fb->npages = PAGE_ALIGN(len) >> PAGE_SHIFT;
	fb->pages = kvcalloc(fb->npages, sizeof(*fb->pages), GFP_KERNEL);
	if (!fb->pages)
		goto nomem;
	for (i = 0; i < fb->npages; i++) {
		fb->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!fb->pages[i])
			goto nomem;
	}

	exp_info.exp_name = FAKE_EXP_NAME;
	exp_info.ops = &fake_dmabuf_ops;
	exp_info.size = fb->npages << PAGE_SHIFT;
	exp_info.flags = fd_flags;
	exp_info.priv = fb;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		fake_free(fb);
	return dmabuf;

nomem:
	fake_free(fb);
	return ERR_PTR(-ENOMEM);
}

static long fake_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct dma_heap_allocation_data data;
	void __user *uarg = (void __user *)arg;
	struct dma_buf *dmabuf;
	int fd;

	if (cmd != DMA_HEAP_IOCTL_ALLOC)
		return -ENOTTY;
	if (copy_from_user(&data, uarg, sizeof(data)))
		return -EFAULT;
	if (data.fd || data.heap_flags || (data.fd_flags & ~DMA_HEAP_VALID_FD_FLAGS) ||
	    !data.len || data.len > FAKE_MAX_LEN)
		return -EINVAL;

	dmabuf = fake_alloc(data.len, data.fd_flags);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	fd = get_unused_fd_flags(data.fd_flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	data.fd = fd;
	if (copy_to_user(uarg, &data, sizeof(data))) {
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		return -EFAULT;
	}
	fd_install(fd, dmabuf->file);
	return 0;
}

static const struct file_operations fake_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = fake_ioctl,
};

static struct miscdevice fake_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = FAKE_NAME,
	.fops = &fake_fops,
};

module_misc_device(fake_misc);

MODULE_DESCRIPTION("Test only: private memory exported as dma-bufs named system_cc_shared");
MODULE_LICENSE("GPL");
MODULE_INFO(import_ns, "DMA_BUF");
