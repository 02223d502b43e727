// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/ccshared_heap: statistics, fault injection, draining
 * the pool and, with test_importer=1, an importer for tests.
 *
 *   stats         one "name: value" per line
 *   fail_share    N > 0: the Nth following conversion to shared fails
 *   fail_unshare  N > 0: the Nth following conversion to private fails
 *   drain_pool    any write converts back and frees the whole pool
 *   import_test   write "FD BITS": attach the dma-buf FD to a test device
 *                 with a BITS-bit DMA mask, map it, check every DMA
 *                 address, sync, vmap and sum its bytes, and undo it all;
 *                 read the result of the last successful run; BITS 0
 *                 means a device without a DMA mask (compat_dma_map=1
 *                 only: the DMA API would warn)
 *   revoke        write "FD": revoke every importer's mapping of the dma-buf
 *                 FD (one of this heap's), as an exporter does before it
 *                 moves or takes away the memory; the buffer itself stays
 *                 as it is.  It exists to run importers' invalidation
 *                 paths, which nothing else here does
 */

#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/iosys-map.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>

#include "ccshared_heap.h"

bool ccshared_test_importer;
module_param_named(test_importer, ccshared_test_importer, bool, 0444);
MODULE_PARM_DESC(test_importer,
		 "Create a test device and debugfs import_test, to exercise attach, map and vmap, and debugfs revoke, to revoke importers' mappings (tests only)");

static struct dentry *ccshared_debugfs;
static struct platform_device *ccshared_test_pdev;
static DEFINE_MUTEX(ccshared_test_lock);	/* the test device, result */
static char ccshared_test_result[128];

static int ccshared_stats_show(struct seq_file *s, void *unused)
{
	struct ccshared_stats *st = &ccshared_stats;

	seq_printf(s, "buffers: %ld\n", atomic_long_read(&st->buffers));
	seq_printf(s, "bytes: %ld\n", atomic_long_read(&st->bytes));
	seq_printf(s, "conversions_to_shared: %ld\n",
		   atomic_long_read(&st->conversions_to_shared));
	seq_printf(s, "conversions_to_private: %ld\n",
		   atomic_long_read(&st->conversions_to_private));
	seq_printf(s, "leaked_pages: %ld\n", atomic_long_read(&st->leaked_pages));
	seq_printf(s, "pool_pages: %ld\n", atomic_long_read(&st->pool_pages));
	seq_printf(s, "alloc_failures: %ld\n",
		   atomic_long_read(&st->alloc_failures));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ccshared_stats);

static ssize_t ccshared_drain_write(struct file *file, const char __user *buf,
				    size_t count, loff_t *ppos)
{
	ccshared_pool_drain(ULONG_MAX);
	return count;
}

static const struct file_operations ccshared_drain_fops = {
	.owner = THIS_MODULE,
	.write = ccshared_drain_write,
};

/* Every DMA address must be the unencrypted address of the buffer's page. */
static int ccshared_test_check(struct device *dev, struct ccshared_buffer *buffer,
			       struct sg_table *sgt)
{
	struct scatterlist *want = buffer->sg_table.sgl;
	struct scatterlist *sg;
	int i;

	if (sgt->nents != buffer->sg_table.orig_nents)
		return -EILSEQ;
	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (sg_dma_address(sg) != phys_to_dma_unencrypted(dev, sg_phys(want)) ||
		    sg_dma_len(sg) != want->length)
			return -EILSEQ;
		want = sg_next(want);
	}
	return 0;
}

static int ccshared_test_vmap_sum(struct dma_buf *dmabuf, u64 *sum)
{
	struct iosys_map map;
	const u8 *p;
	size_t i;
	int ret;

	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	if (ret)
		return ret;
	p = map.vaddr;
	*sum = 0;
	for (i = 0; i < dmabuf->size; i++)
		*sum += p[i];
	dma_buf_vunmap_unlocked(dmabuf, &map);
	return 0;
}

/* get, attach, map, check, sync, vmap, then undo it all in reverse. */
static int ccshared_test_import(int fd, unsigned int bits)
{
	struct device *dev = &ccshared_test_pdev->dev;
	u64 *mask = dev->dma_mask;
	struct dma_buf_attachment *attach;
	struct ccshared_attachment *a;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;
	bool direct;
	u64 sum;
	int ret;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits ? bits : 64));
	if (ret)
		return ret;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (dmabuf->ops != &ccshared_heap_buf_ops) {
		ret = -EINVAL;
		goto put;
	}

	attach = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto put;
	}

	/* Some importers' devices have no DMA mask at all. */
	if (!bits)
		dev->dma_mask = NULL;
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (!bits)
		dev->dma_mask = mask;
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto detach;
	}
	a = attach->priv;
	direct = a->direct;

	ret = ccshared_test_check(dev, dmabuf->priv, sgt);
	if (ret)
		goto unmap;

	ret = dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	if (ret)
		goto unmap;
	ret = ccshared_test_vmap_sum(dmabuf, &sum);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	if (ret)
		goto unmap;

	snprintf(ccshared_test_result, sizeof(ccshared_test_result),
		 "segments=%u path=%s sum=%llu\n", sgt->nents,
		 direct ? "direct" : "dma-api", sum);
unmap:
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
detach:
	dma_buf_detach(dmabuf, attach);
put:
	dma_buf_put(dmabuf);
	return ret;
}

static ssize_t ccshared_import_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	unsigned int bits;
	char buf[32];
	int fd, ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%d %u", &fd, &bits) != 2 || (bits && bits < 24) ||
	    bits > 64 || (!bits && !READ_ONCE(ccshared_compat_dma_map)))
		return -EINVAL;

	mutex_lock(&ccshared_test_lock);
	ccshared_test_result[0] = '\0';
	ret = ccshared_test_import(fd, bits);
	mutex_unlock(&ccshared_test_lock);
	return ret ? ret : count;
}

static ssize_t ccshared_import_read(struct file *file, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	char buf[sizeof(ccshared_test_result)];

	mutex_lock(&ccshared_test_lock);
	strscpy(buf, ccshared_test_result, sizeof(buf));
	mutex_unlock(&ccshared_test_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, strlen(buf));
}

static const struct file_operations ccshared_import_fops = {
	.owner = THIS_MODULE,
	.read = ccshared_import_read,
	.write = ccshared_import_write,
};

/*
 * Tell every attachment that its mapping is gone.  The exporter must hold
 * the reservation lock.  7.x calls this dma_buf_invalidate_mappings(), and
 * the kdoc there says what a pinned importer makes of it: the revocation
 * is final.  6.12 calls it dma_buf_move_notify().
 */
static void ccshared_invalidate_mappings(struct dma_buf *dmabuf)
{
#ifdef CCSHARED_HAVE_INVALIDATE_MAPPINGS
	dma_buf_invalidate_mappings(dmabuf);
#else
	dma_buf_move_notify(dmabuf);
#endif
}

static ssize_t ccshared_revoke_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct dma_buf *dmabuf;
	int fd, ret;

	ret = kstrtoint_from_user(ubuf, count, 10, &fd);
	if (ret)
		return ret;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	/* An exporter speaks only for its own buffers. */
	if (dmabuf->ops != &ccshared_heap_buf_ops) {
		ret = -EINVAL;
		goto put;
	}

	ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
	if (ret)
		goto put;
	ccshared_invalidate_mappings(dmabuf);
	dma_resv_unlock(dmabuf->resv);
put:
	dma_buf_put(dmabuf);
	return ret ? ret : count;
}

static const struct file_operations ccshared_revoke_fops = {
	.owner = THIS_MODULE,
	.write = ccshared_revoke_write,
};

int ccshared_debugfs_init(void)
{
	ccshared_debugfs = debugfs_create_dir("ccshared_heap", NULL);
	debugfs_create_file("stats", 0444, ccshared_debugfs, NULL,
			    &ccshared_stats_fops);
	debugfs_create_atomic_t("fail_share", 0600, ccshared_debugfs,
				&ccshared_fail_share);
	debugfs_create_atomic_t("fail_unshare", 0600, ccshared_debugfs,
				&ccshared_fail_unshare);
	debugfs_create_file("drain_pool", 0200, ccshared_debugfs, NULL,
			    &ccshared_drain_fops);

	if (!ccshared_test_importer)
		return 0;

	ccshared_test_pdev = platform_device_register_simple("ccshared_heap_test",
							     PLATFORM_DEVID_NONE,
							     NULL, 0);
	if (IS_ERR(ccshared_test_pdev)) {
		debugfs_remove_recursive(ccshared_debugfs);
		return PTR_ERR(ccshared_test_pdev);
	}
	debugfs_create_file("import_test", 0600, ccshared_debugfs, NULL,
			    &ccshared_import_fops);
	debugfs_create_file("revoke", 0200, ccshared_debugfs, NULL,
			    &ccshared_revoke_fops);
	return 0;
}

void ccshared_debugfs_exit(void)
{
	debugfs_remove_recursive(ccshared_debugfs);
	if (ccshared_test_pdev)
		platform_device_unregister(ccshared_test_pdev);
}
