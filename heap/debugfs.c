// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/ccshared_heap: statistics, fault injection, draining
 * the pool and, with test_importer=1, an importer and a planted leak for
 * tests.
 *
 *   stats         one "name: value" per line
 *   orders        one line per chunk order from 0 to 9: "ORDER TAKEN POOL",
 *                 the chunks of that order taken from the page allocator
 *                 so far, and the chunks of that order in the pool now
 *   fail_share    N > 0: the Nth following conversion to shared fails
 *   fail_unshare  N > 0: the Nth following conversion to private fails
 *   drain_pool    any write converts back and frees the whole pool
 *   plant_leak    (test_importer=1) N > 0: the Nth following chunk a buffer
 *                 gives back is lost, uncounted: a planted leak that the
 *                 page accounting in stats must show
 *   import_test   write "FD BITS [OPTION...]": attach the dma-buf FD to a
 *                 test device with a BITS-bit DMA mask (0: no DMA mask
 *                 at all), map it, check every DMA segment, sync, vmap
 *                 and sum its bytes, and undo it all; read the result of
 *                 the last successful run: segments=N path=dma-api|direct
 *                 sum=N phys=LOWEST-HIGHEST (the buffer's physical
 *                 addresses).  Options:
 *                   max_seg=BYTES   the device's maximum segment size
 *                                   (default: no limit)
 *                   seg_boundary=M  its segment boundary mask (default:
 *                                   none)
 *                   maps=N          map the attachment N times (1-4) at
 *                                   once, each mapping checked while the
 *                                   others live, the first one's table
 *                                   rewritten as an importer may
 *                   iommu_group     put the device in an IOMMU group of
 *                                   its own without a translating
 *                                   domain, as an identity-mapped
 *                                   (iommu=pt) device is
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
#include <linux/iommu.h>
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
	seq_printf(s, "taken_pages: %ld\n", atomic_long_read(&st->taken_pages));
	seq_printf(s, "returned_pages: %ld\n",
		   atomic_long_read(&st->returned_pages));
	seq_printf(s, "buffer_pages: %ld\n", atomic_long_read(&st->buffer_pages));
	seq_printf(s, "held_pages: %ld\n", atomic_long_read(&st->held_pages));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ccshared_stats);

static int ccshared_orders_show(struct seq_file *s, void *unused)
{
	struct ccshared_stats *st = &ccshared_stats;
	unsigned int order;

	for (order = 0; order < CCSHARED_NR_ORDERS; order++)
		seq_printf(s, "%u %ld %ld\n", order,
			   atomic_long_read(&st->taken_chunks[order]),
			   atomic_long_read(&st->pool_chunks[order]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ccshared_orders);

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

/*
 * @sgt must cover the buffer's chunks in order, each DMA segment at the
 * unencrypted address of its own pages (no bounce buffer), within the
 * device's segment limits.
 */
static int ccshared_test_check(struct device *dev, struct ccshared_buffer *buffer,
			       struct sg_table *sgt)
{
	unsigned long boundary = dma_get_seg_boundary(dev);
	unsigned int max = dma_get_max_seg_size(dev);
	struct scatterlist *chunk = buffer->sg_table.sgl;
	unsigned int off = 0;
	struct scatterlist *sg;
	int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		unsigned int len = sg_dma_len(sg);

		if (!chunk || !len || len > max || off + len > chunk->length ||
		    addr != phys_to_dma_unencrypted(dev, sg_phys(chunk) + off) ||
		    (addr & ~boundary) != ((addr + len - 1) & ~boundary))
			return -EILSEQ;
		off += len;
		if (off == chunk->length) {
			chunk = sg_next(chunk);
			off = 0;
		}
	}
	return chunk ? -EILSEQ : 0;
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

#define CCSHARED_TEST_MAPS 4

struct ccshared_test_args {
	int fd;
	unsigned int bits;		/* 0: no DMA mask */
	unsigned int max_seg;		/* 0: no limit */
	unsigned long seg_boundary;	/* 0: none */
	unsigned int maps;
	bool iommu_group;
};

/* Does the buffer still hold a mapping for @dev? */
static bool ccshared_test_mapped(struct ccshared_buffer *buffer, struct device *dev,
				 bool *direct)
{
	struct ccshared_mapping *m;
	bool found = false;

	mutex_lock(&buffer->lock);
	list_for_each_entry(m, &buffer->mappings, list) {
		if (m->dev == dev) {
			found = true;
			*direct = m->direct;
		}
	}
	mutex_unlock(&buffer->lock);
	return found;
}

/*
 * Map @attach args->maps times, checking each table and every earlier one
 * while they all live; rewrite the first table's first segment as the RDMA
 * umem code does, sync (the heap must sync from its own record), vmap and
 * sum, put the segment back, and unmap in the order of mapping.
 */
static int ccshared_test_map(struct dma_buf_attachment *attach,
			     const struct ccshared_test_args *args, u64 *sum,
			     unsigned int *segments, bool *direct)
{
	struct sg_table *sgt[CCSHARED_TEST_MAPS] = {};
	struct dma_buf *dmabuf = attach->dmabuf;
	struct ccshared_buffer *buffer = dmabuf->priv;
	struct device *dev = attach->dev;
	bool rewritten = false;
	struct scatterlist *first;
	unsigned int i, j;
	int ret = 0;

	for (i = 0; i < args->maps && !ret; i++) {
		sgt[i] = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt[i])) {
			ret = PTR_ERR(sgt[i]);
			sgt[i] = NULL;
			break;
		}
		for (j = 0; j <= i && !ret; j++) {
			ret = ccshared_test_check(dev, buffer, sgt[j]);
			if (j < i && sgt[j] == sgt[i])
				ret = -EEXIST;
		}
	}
	if (ret)
		goto unmap;
	*segments = sgt[0]->nents;
	if (!ccshared_test_mapped(buffer, dev, direct)) {
		ret = -ENOENT;
		goto unmap;
	}

	first = sgt[0]->sgl;
	if (sg_dma_len(first) > PAGE_SIZE) {
		sg_dma_address(first) += PAGE_SIZE;
		sg_dma_len(first) -= PAGE_SIZE;
		rewritten = true;
	}
	ret = dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	if (!ret) {
		ret = ccshared_test_vmap_sum(dmabuf, sum);
		dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	}
	if (rewritten) {
		sg_dma_address(first) -= PAGE_SIZE;
		sg_dma_len(first) += PAGE_SIZE;
	}

unmap:
	for (i = 0; i < args->maps && sgt[i]; i++) {
		dma_buf_unmap_attachment_unlocked(attach, sgt[i], DMA_BIDIRECTIONAL);
		for (j = i + 1; j < args->maps && sgt[j] && !ret; j++)
			ret = ccshared_test_check(dev, buffer, sgt[j]);
	}
	if (!ret && ccshared_test_mapped(buffer, dev, direct))
		ret = -ENOTEMPTY;
	return ret;
}

/* The result line: what the mapping was, and where the buffer lies. */
static void ccshared_test_report(struct ccshared_buffer *buffer, unsigned int segments,
				 bool direct, u64 sum)
{
	phys_addr_t lo = PHYS_ADDR_MAX, hi = 0;
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(&buffer->sg_table, sg, i) {
		lo = min(lo, sg_phys(sg));
		hi = max(hi, sg_phys(sg) + sg->length - 1);
	}
	snprintf(ccshared_test_result, sizeof(ccshared_test_result),
		 "segments=%u path=%s sum=%llu phys=%pa-%pa\n", segments,
		 direct ? "direct" : "dma-api", sum, &lo, &hi);
}

/* get, attach, map, check, sync, vmap, then undo it all in reverse. */
static int ccshared_test_import(const struct ccshared_test_args *args)
{
	struct device *dev = &ccshared_test_pdev->dev;
	struct dma_buf_attachment *attach;
	struct iommu_group *group;
	unsigned int segments = 0;
	u64 *mask = dev->dma_mask;
	struct dma_buf *dmabuf;
	bool direct = false;
	u64 sum = 0;
	int ret;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(args->bits ? args->bits : 64));
	if (ret)
		return ret;
	dma_set_max_seg_size(dev, args->max_seg ? args->max_seg : UINT_MAX);
	dma_set_seg_boundary(dev, args->seg_boundary ? args->seg_boundary : ULONG_MAX);

	dmabuf = dma_buf_get(args->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (dmabuf->ops != &ccshared_heap_buf_ops) {
		ret = -EINVAL;
		goto put;
	}

	if (args->iommu_group) {
		group = iommu_group_alloc();
		if (IS_ERR(group)) {
			ret = PTR_ERR(group);
			goto put;
		}
		ret = iommu_group_add_device(group, dev);
		iommu_group_put(group);
		if (ret)
			goto put;
	}

	attach = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto ungroup;
	}

	/* Some importers' devices have no DMA mask at all. */
	if (!args->bits)
		dev->dma_mask = NULL;
	ret = ccshared_test_map(attach, args, &sum, &segments, &direct);
	dev->dma_mask = mask;
	if (!ret)
		ccshared_test_report(dmabuf->priv, segments, direct, sum);

	dma_buf_detach(dmabuf, attach);
ungroup:
	if (args->iommu_group)
		iommu_group_remove_device(dev);
put:
	dma_buf_put(dmabuf);
	return ret;
}

static int ccshared_test_parse(char *buf, struct ccshared_test_args *args)
{
	char *opt;
	int n = 0;

	memset(args, 0, sizeof(*args));
	args->maps = 1;
	if (sscanf(buf, "%d %u %n", &args->fd, &args->bits, &n) != 2)
		return -EINVAL;
	buf = strim(buf + n);
	while ((opt = strsep(&buf, " "))) {
		int ret = 0;

		if (!*opt)
			continue;
		if (str_has_prefix(opt, "max_seg="))
			ret = kstrtouint(opt + strlen("max_seg="), 0, &args->max_seg);
		else if (str_has_prefix(opt, "seg_boundary="))
			ret = kstrtoul(opt + strlen("seg_boundary="), 0, &args->seg_boundary);
		else if (str_has_prefix(opt, "maps="))
			ret = kstrtouint(opt + strlen("maps="), 0, &args->maps);
		else if (!strcmp(opt, "iommu_group"))
			args->iommu_group = true;
		else
			ret = -EINVAL;
		if (ret)
			return -EINVAL;
	}
	if ((args->bits && args->bits < 24) || args->bits > 64 ||
	    !args->maps || args->maps > CCSHARED_TEST_MAPS)
		return -EINVAL;
	return 0;
}

static ssize_t ccshared_import_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct ccshared_test_args args;
	char buf[128];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = ccshared_test_parse(buf, &args);
	if (ret)
		return ret;

	mutex_lock(&ccshared_test_lock);
	ccshared_test_result[0] = '\0';
	ret = ccshared_test_import(&args);
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
	debugfs_create_file("orders", 0444, ccshared_debugfs, NULL,
			    &ccshared_orders_fops);
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
	debugfs_create_atomic_t("plant_leak", 0600, ccshared_debugfs,
				&ccshared_plant_leak);
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
