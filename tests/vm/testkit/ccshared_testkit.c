// SPDX-License-Identifier: GPL-2.0
/*
 * ccshared_testkit: kernel-side helpers for the heap conformance suite and
 * the CoCo memory model's own tests.  Test only.
 *
 * import: an importer that takes any dma-buf, whatever heap exported it.
 *   It does what a driver does (get, attach, map, CPU access, vmap, then
 *   all of it undone in reverse), on a platform device of its own with a
 *   64-bit DMA mask, and reports what it saw: the mapped segments, whether
 *   each DMA address is the one of the page the CPU sees at that offset
 *   (through the vmap), the DMA attributes the exporter mapped and
 *   unmapped with (seen by kprobes on the DMA API's exported sg
 *   functions, for this device only), and an FNV-1a hash of the contents.
 *   Write "FD"; read "ret=... size=... segments=... dma_bytes=...
 *   dma_matches_cpu=... maps=... unmaps=... map_attrs=... unmap_attrs=...
 *   hash=... zero=...".  maps/unmaps of -1 mean the kprobes could not be
 *   placed, so the attributes were not seen.
 *
 * pages: converts pages as a heap would, so that the memory model's rules
 *   can be broken on purpose.  Write one command; read "ret=N slot=N
 *   first=0xNN uniform=0|1" for the last one (ret is 0 or -errno).
 *     alloc ORDER     allocate a compound chunk into a free slot
 *     share SLOT      set_memory_decrypted() on it
 *     unshare SLOT    set_memory_encrypted() on it
 *     zero SLOT       clear it
 *     peek SLOT       its first byte, and whether every byte equals it
 *     free SLOT       __free_pages()
 *     put SLOT        folio_put(): the single-folio free path
 *     batch SLOT      release_pages(): the batched free path
 *     leak SLOT       forget it without freeing
 */

#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/iosys-map.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/ptrace.h>
#include <linux/set_memory.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define TESTKIT_RESULT_LEN 256

static struct dentry *testkit_debugfs;
static struct platform_device *testkit_pdev;

/* ---- What the exporter asks of the DMA API for our device ------------------ */

static atomic_t testkit_maps, testkit_unmaps;
static atomic_long_t testkit_map_attrs, testkit_unmap_attrs;
static bool testkit_probes_ok;

/* kprobe pre-handlers: @arg is the position of the attrs argument. */
static void testkit_note(struct pt_regs *regs, unsigned int arg, bool map)
{
	struct device *dev = (struct device *)regs_get_kernel_argument(regs, 0);
	unsigned long attrs = regs_get_kernel_argument(regs, arg);

	if (!testkit_pdev || dev != &testkit_pdev->dev)
		return;
	if (map) {
		atomic_inc(&testkit_maps);
		atomic_long_set(&testkit_map_attrs, attrs);
	} else {
		atomic_inc(&testkit_unmaps);
		atomic_long_set(&testkit_unmap_attrs, attrs);
	}
}

/* dma_map_sgtable(dev, sgt, dir, attrs) */
static int testkit_map_sgtable(struct kprobe *p, struct pt_regs *regs)
{
	testkit_note(regs, 3, true);
	return 0;
}

/* dma_map_sg_attrs(dev, sg, nents, dir, attrs) */
static int testkit_map_sg(struct kprobe *p, struct pt_regs *regs)
{
	testkit_note(regs, 4, true);
	return 0;
}

/* dma_unmap_sg_attrs(dev, sg, nents, dir, attrs); dma_unmap_sgtable() is inline */
static int testkit_unmap_sg(struct kprobe *p, struct pt_regs *regs)
{
	testkit_note(regs, 4, false);
	return 0;
}

static struct kprobe testkit_kprobes[] = {
	{ .symbol_name = "dma_map_sgtable", .pre_handler = testkit_map_sgtable },
	{ .symbol_name = "dma_map_sg_attrs", .pre_handler = testkit_map_sg },
	{ .symbol_name = "dma_unmap_sg_attrs", .pre_handler = testkit_unmap_sg },
};

static struct kprobe *testkit_kprobe_list[] = {
	&testkit_kprobes[0], &testkit_kprobes[1], &testkit_kprobes[2],
};

/* ---- import ---------------------------------------------------------------- */

static DEFINE_MUTEX(testkit_import_lock);	/* the device, the result */
static char testkit_import_result[TESTKIT_RESULT_LEN] = "not run\n";

struct testkit_seen {
	unsigned int segments;
	u64 dma_bytes;
	bool dma_matches_cpu;
	u64 hash;
	bool zero;
};

/* Is every DMA address the address of the page the CPU sees there? */
static bool testkit_dma_matches(struct device *dev, struct sg_table *sgt,
				const void *vaddr, size_t size)
{
	struct scatterlist *sg;
	size_t off = 0;
	int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		size_t seg;

		for (seg = 0; seg < sg_dma_len(sg); seg += PAGE_SIZE) {
			struct page *page;

			if (off + seg >= size)
				return false;
			page = vmalloc_to_page(vaddr + off + seg);
			if (!page || sg_dma_address(sg) + seg !=
			    phys_to_dma_unencrypted(dev, page_to_phys(page)))
				return false;
		}
		off += sg_dma_len(sg);
	}
	return off == size;
}

static int testkit_vmap_read(struct dma_buf *dmabuf, struct device *dev,
			     struct sg_table *sgt, struct testkit_seen *seen)
{
	struct iosys_map map;
	const u8 *p;
	size_t i;
	int ret;

	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	if (ret)
		return ret;
	if (map.is_iomem) {
		dma_buf_vunmap_unlocked(dmabuf, &map);
		return -EOPNOTSUPP;
	}
	p = map.vaddr;
	seen->hash = 0xcbf29ce484222325ULL;	/* FNV-1a, 64 bits */
	seen->zero = true;
	for (i = 0; i < dmabuf->size; i++) {
		seen->hash = (seen->hash ^ p[i]) * 0x100000001b3ULL;
		if (p[i])
			seen->zero = false;
		if (!(i & (SZ_1M - 1)))
			cond_resched();
	}
	seen->dma_matches_cpu = testkit_dma_matches(dev, sgt, p, dmabuf->size);
	dma_buf_vunmap_unlocked(dmabuf, &map);
	return 0;
}

/* get, attach, map, CPU access, vmap; then undo it all in reverse. */
static int testkit_import(int fd, struct testkit_seen *seen)
{
	struct device *dev = &testkit_pdev->dev;
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;
	struct scatterlist *sg;
	int i, ret;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	attach = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto put;
	}
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto detach;
	}
	seen->segments = sgt->nents;
	seen->dma_bytes = 0;
	for_each_sgtable_dma_sg(sgt, sg, i)
		seen->dma_bytes += sg_dma_len(sg);

	ret = dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	if (ret)
		goto unmap;
	ret = testkit_vmap_read(dmabuf, dev, sgt, seen);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
unmap:
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
detach:
	dma_buf_detach(dmabuf, attach);
put:
	dma_buf_put(dmabuf);
	return ret;
}

static ssize_t testkit_import_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct testkit_seen seen = {};
	char buf[16];
	int fd, ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (kstrtoint(strim(buf), 10, &fd))
		return -EINVAL;

	mutex_lock(&testkit_import_lock);
	atomic_set(&testkit_maps, 0);
	atomic_set(&testkit_unmaps, 0);
	atomic_long_set(&testkit_map_attrs, 0);
	atomic_long_set(&testkit_unmap_attrs, 0);
	ret = testkit_import(fd, &seen);
	snprintf(testkit_import_result, sizeof(testkit_import_result),
		 "ret=%d segments=%u dma_bytes=%llu dma_matches_cpu=%d maps=%d unmaps=%d map_attrs=%#lx unmap_attrs=%#lx hash=%#llx zero=%d\n",
		 ret, seen.segments, seen.dma_bytes, seen.dma_matches_cpu,
		 testkit_probes_ok ? atomic_read(&testkit_maps) : -1,
		 testkit_probes_ok ? atomic_read(&testkit_unmaps) : -1,
		 atomic_long_read(&testkit_map_attrs),
		 atomic_long_read(&testkit_unmap_attrs), seen.hash, seen.zero);
	mutex_unlock(&testkit_import_lock);
	return count;
}

static ssize_t testkit_result_read(struct file *file, char __user *ubuf,
				   size_t count, loff_t *ppos, char *result,
				   struct mutex *lock)
{
	char buf[TESTKIT_RESULT_LEN];

	mutex_lock(lock);
	strscpy(buf, result, sizeof(buf));
	mutex_unlock(lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, strlen(buf));
}

static ssize_t testkit_import_read(struct file *file, char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	return testkit_result_read(file, ubuf, count, ppos, testkit_import_result,
				   &testkit_import_lock);
}

static const struct file_operations testkit_import_fops = {
	.owner = THIS_MODULE,
	.read = testkit_import_read,
	.write = testkit_import_write,
	.llseek = default_llseek,
};

/* ---- pages ----------------------------------------------------------------- */

#define TESTKIT_SLOTS 16
#define TESTKIT_MAX_ORDER 10

static DEFINE_MUTEX(testkit_pages_lock);	/* the slots, the result */
static struct page *testkit_slots[TESTKIT_SLOTS];
static char testkit_pages_result[TESTKIT_RESULT_LEN] = "not run\n";

static int testkit_alloc(unsigned int order, int *slot)
{
	struct page *page;
	int i;

	if (order > TESTKIT_MAX_ORDER)
		return -EINVAL;
	for (i = 0; i < TESTKIT_SLOTS; i++)
		if (!testkit_slots[i])
			break;
	if (i == TESTKIT_SLOTS)
		return -ENOSPC;
	page = alloc_pages(GFP_KERNEL | __GFP_COMP | __GFP_NOWARN, order);
	if (!page)
		return -ENOMEM;
	testkit_slots[i] = page;
	*slot = i;
	return 0;
}

static void testkit_peek(struct page *page, unsigned int *first, bool *uniform)
{
	const u8 *p = page_address(page);
	size_t i, size = page_size(page);

	*first = p[0];
	*uniform = true;
	for (i = 1; i < size; i++) {
		if (p[i] != p[0]) {
			*uniform = false;
			return;
		}
	}
}

static int testkit_pages_run(const char *cmd, int slot, unsigned int *first,
			     bool *uniform)
{
	struct page *page;
	unsigned long addr;
	unsigned int nr;

	page = testkit_slots[slot];
	if (!page)
		return -ENOENT;
	addr = (unsigned long)page_address(page);
	nr = 1U << compound_order(page);

	if (!strcmp(cmd, "share"))
		return set_memory_decrypted(addr, nr);
	if (!strcmp(cmd, "unshare"))
		return set_memory_encrypted(addr, nr);
	if (!strcmp(cmd, "zero")) {
		memset((void *)addr, 0, page_size(page));
		return 0;
	}
	if (!strcmp(cmd, "peek")) {
		testkit_peek(page, first, uniform);
		return 0;
	}

	testkit_slots[slot] = NULL;
	if (!strcmp(cmd, "free")) {
		__free_pages(page, compound_order(page));
	} else if (!strcmp(cmd, "put")) {
		folio_put(page_folio(page));
	} else if (!strcmp(cmd, "batch")) {
		release_pages(&page, 1);
	} else if (strcmp(cmd, "leak")) {
		testkit_slots[slot] = page;
		return -EINVAL;
	}
	return 0;
}

static ssize_t testkit_pages_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	unsigned int first = 0;
	bool uniform = false;
	char buf[32], cmd[16];
	int arg, slot = -1, ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%15s %d", cmd, &arg) != 2 || arg < 0)
		return -EINVAL;

	mutex_lock(&testkit_pages_lock);
	if (!strcmp(cmd, "alloc")) {
		ret = testkit_alloc(arg, &slot);
	} else if (arg >= TESTKIT_SLOTS) {
		ret = -EINVAL;
	} else {
		slot = arg;
		ret = testkit_pages_run(cmd, slot, &first, &uniform);
	}
	snprintf(testkit_pages_result, sizeof(testkit_pages_result),
		 "ret=%d slot=%d first=0x%02x uniform=%d\n", ret, slot, first, uniform);
	mutex_unlock(&testkit_pages_lock);
	return ret == -EINVAL ? ret : count;
}

static ssize_t testkit_pages_read(struct file *file, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	return testkit_result_read(file, ubuf, count, ppos, testkit_pages_result,
				   &testkit_pages_lock);
}

static const struct file_operations testkit_pages_fops = {
	.owner = THIS_MODULE,
	.read = testkit_pages_read,
	.write = testkit_pages_write,
	.llseek = default_llseek,
};

/* ---- Module ---------------------------------------------------------------- */

static int __init testkit_init(void)
{
	int ret;

	testkit_pdev = platform_device_register_simple("ccshared_testkit",
						       PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(testkit_pdev))
		return PTR_ERR(testkit_pdev);
	ret = dma_set_mask_and_coherent(&testkit_pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto unregister_pdev;

	/* Without them the importer still works; it just cannot see attrs. */
	testkit_probes_ok = !register_kprobes(testkit_kprobe_list,
					      ARRAY_SIZE(testkit_kprobe_list));
	if (!testkit_probes_ok)
		pr_warn("ccshared_testkit: cannot probe the DMA API's sg functions; DMA attributes will not be seen\n");

	testkit_debugfs = debugfs_create_dir("ccshared_testkit", NULL);
	debugfs_create_file("import", 0600, testkit_debugfs, NULL, &testkit_import_fops);
	debugfs_create_file("pages", 0600, testkit_debugfs, NULL, &testkit_pages_fops);
	return 0;

unregister_pdev:
	platform_device_unregister(testkit_pdev);
	return ret;
}

static void __exit testkit_exit(void)
{
	int i;

	debugfs_remove(testkit_debugfs);
	if (testkit_probes_ok)
		unregister_kprobes(testkit_kprobe_list, ARRAY_SIZE(testkit_kprobe_list));
	platform_device_unregister(testkit_pdev);
	/* Chunks still held may be shared: leak them rather than free them. */
	for (i = 0; i < TESTKIT_SLOTS; i++)
		if (testkit_slots[i])
			pr_info("ccshared_testkit: leaking slot %d at unload\n", i);
}

module_init(testkit_init);
module_exit(testkit_exit);

MODULE_DESCRIPTION("Test only: a dma-buf importer for any heap, and page conversions on demand");
MODULE_LICENSE("GPL");
/* MODULE_IMPORT_NS() takes a string from 6.13 on and a bare name before. */
MODULE_INFO(import_ns, "DMA_BUF");
