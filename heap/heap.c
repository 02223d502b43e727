// SPDX-License-Identifier: GPL-2.0
/*
 * ccshared_heap: the "system_cc_shared" dma-buf heap for confidential VMs.
 *
 * Security model.  In a confidential VM (SEV-SNP, TDX, CCA) private memory
 * is encrypted or otherwise unreachable for the host and for devices that
 * are not trusted.  This heap hands out memory that has been converted to
 * *shared*: the host and every device can read and write it at any time,
 * so it must never hold secrets.  Three rules keep the guest safe:
 *
 *  - share, then zero: a chunk is zeroed through its shared mapping after
 *    the conversion, so the user sees neither ciphertext nor whatever the
 *    host left there; a chunk reused from the pool is zeroed again;
 *  - a chunk goes back to the page allocator only once it is private
 *    again; a chunk whose conversion in either direction failed is in an
 *    unknown state and is leaked and counted, never freed;
 *  - only chunks that were converted are ever converted back: re-validating
 *    private memory terminates an SEV-SNP guest.
 *
 * The heap registers only where memory encryption is active, unless
 * force_non_coco=1 is given for bring-up and tests.
 */

#include <linux/cc_platform.h>
#include <linux/ccshared_heap_importer.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/panic.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <uapi/linux/dma-heap.h>

#include "ccshared_heap.h"

#ifdef CONFIG_HIGHMEM
#error "ccshared_heap converts pages through the linear map; HIGHMEM is not supported"
#endif

static bool force_non_coco;
module_param(force_non_coco, bool, 0444);
MODULE_PARM_DESC(force_non_coco,
		 "Register even without memory encryption (bring-up and tests only; taints the kernel)");

static uint min_order;
module_param(min_order, uint, 0444);
MODULE_PARM_DESC(min_order,
		 "Smallest chunk order, e.g. 4 to keep chunks 64 KiB aligned for 64 KiB-granule hosts (0, 4 or 9; default 0)");

bool ccshared_compat_dma_map;
module_param_named(compat_dma_map, ccshared_compat_dma_map, bool, 0644);
MODULE_PARM_DESC(compat_dma_map,
		 "Map for devices through the heap's own direct path (the one kernels without DMA_ATTR_CC_SHARED need), even where it is not needed; for tests");

struct ccshared_stats ccshared_stats;
atomic_t ccshared_fail_share;
atomic_t ccshared_fail_unshare;
atomic_t ccshared_plant_leak;

/*
 * Chunks above min_order are only opportunistic, as the system heap's
 * high orders are: no reclaim, no retries, no warnings; a failure costs
 * smaller chunks and more conversions, not reclaim.  The smallest order
 * may reclaim, but fails rather than invoke the OOM killer, globally or
 * in a memcg.  Everything is charged to the caller's memcg.  No
 * __GFP_HIGHMEM: conversions work on the linear map.  Compound pages: a
 * pinnable mapping (pin.c) takes a reference on the folio of each page it
 * maps, and a plain high-order block has none for its tail pages.
 */
#define CCSHARED_HIGH_ORDER_GFP	(((GFP_USER | __GFP_NOWARN | __GFP_NORETRY) & \
				  ~__GFP_RECLAIM) | __GFP_ACCOUNT | __GFP_COMP)
#define CCSHARED_LOW_ORDER_GFP	(GFP_USER | __GFP_NOWARN | __GFP_RETRY_MAYFAIL | \
				 __GFP_ACCOUNT | __GFP_COMP)

/* Count down a fault-injection counter; true when it reaches zero now. */
bool ccshared_inject(atomic_t *countdown)
{
	int v = atomic_read(countdown);

	while (v > 0) {
		if (atomic_try_cmpxchg(countdown, &v, v - 1))
			return v == 1;
	}
	return false;
}

/**
 * ccshared_share - convert a private chunk to shared
 * @page: first page of the chunk
 * @order: order of the chunk
 *
 * On failure the chunk is in an unknown state: the caller must leak it.
 */
int ccshared_share(struct page *page, unsigned int order)
{
	int ret;

	if (ccshared_inject(&ccshared_fail_share))
		ret = -EIO;
	else
		ret = set_memory_decrypted((unsigned long)page_address(page),
					   1 << order);
	if (ret) {
		pr_warn_ratelimited("ccshared_heap: converting %lu pages to shared failed (%d)\n",
				    1UL << order, ret);
		return ret;
	}
	atomic_long_inc(&ccshared_stats.conversions_to_shared);
	return 0;
}

/**
 * ccshared_zero - clear a shared chunk through its shared mapping
 * @page: first page of the chunk
 * @order: order of the chunk
 *
 * After ccshared_share() the linear map of the chunk is the shared
 * mapping, so this clears what the host and devices will see.
 */
void ccshared_zero(struct page *page, unsigned int order)
{
	memset(page_address(page), 0, PAGE_SIZE << order);
}

/**
 * ccshared_unshare - convert a shared chunk back to private
 * @page: first page of the chunk
 * @order: order of the chunk
 *
 * On failure the chunk may still be shared: the caller must leak it.
 */
int ccshared_unshare(struct page *page, unsigned int order)
{
	int ret;

	if (ccshared_inject(&ccshared_fail_unshare))
		ret = -EIO;
	else
		ret = set_memory_encrypted((unsigned long)page_address(page),
					   1 << order);
	if (ret) {
		pr_warn_ratelimited("ccshared_heap: converting %lu pages back to private failed (%d)\n",
				    1UL << order, ret);
		return ret;
	}
	atomic_long_inc(&ccshared_stats.conversions_to_private);
	return 0;
}

/**
 * ccshared_leak - give up a chunk in an unknown or shared state
 * @page: first page of the chunk
 * @order: order of the chunk
 *
 * Freeing it would let the page allocator hand memory that the host can
 * see, or whose validation state is unknown, to someone who believes it
 * is private.  Keep it out of circulation for good, and count it.
 */
void ccshared_leak(struct page *page, unsigned int order)
{
	atomic_long_add(1L << order, &ccshared_stats.leaked_pages);
}

/* Make a shared chunk private again and free it, or leak it. */
void ccshared_release_chunk(struct page *page, unsigned int order)
{
	if (ccshared_unshare(page, order)) {
		ccshared_leak(page, order);
		return;
	}
	__free_pages(page, order);
	atomic_long_add(1L << order, &ccshared_stats.returned_pages);
}

static unsigned int ccshared_sg_order(struct scatterlist *sg)
{
	return get_order(sg->length);
}

/* The importer's own copy of @from: pages, and the DMA addresses it may rewrite. */
static int ccshared_copy_mapped_table(struct sg_table *from, struct sg_table *to)
{
	struct scatterlist *sg, *new_sg;
	int ret, i;

	ret = sg_alloc_table(to, from->orig_nents, GFP_KERNEL);
	if (ret)
		return ret;

	new_sg = to->sgl;
	for_each_sgtable_sg(from, sg, i) {
		sg_set_page(new_sg, sg_page(sg), sg->length, sg->offset);
		sg_dma_address(new_sg) = sg_dma_address(sg);
		sg_dma_len(new_sg) = sg_dma_len(sg);
		new_sg = sg_next(new_sg);
	}
	to->nents = from->nents;
	return 0;
}

/* Called with the reservation lock held (see include/linux/dma-buf.h). */
static struct sg_table *ccshared_heap_map_dma_buf(struct dma_buf_attachment *attachment,
						  enum dma_data_direction dir)
{
	struct ccshared_buffer *buffer = attachment->dmabuf->priv;
	struct ccshared_mapping *m;
	int ret;

	m = kzalloc_obj(*m);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->dev = attachment->dev;
	m->dir = dir;

	ret = ccshared_dma_map(m, &buffer->sg_table);
	if (ret)
		goto free;
	ret = ccshared_copy_mapped_table(&m->dma, &m->table);
	if (ret)
		goto unmap;

	mutex_lock(&buffer->lock);
	list_add(&m->list, &buffer->mappings);
	mutex_unlock(&buffer->lock);
	return &m->table;

unmap:
	ccshared_dma_unmap(m);
free:
	kfree(m);
	return ERR_PTR(ret);
}

static void ccshared_heap_unmap_dma_buf(struct dma_buf_attachment *attachment,
					struct sg_table *table,
					enum dma_data_direction dir)
{
	struct ccshared_buffer *buffer = attachment->dmabuf->priv;
	struct ccshared_mapping *m = container_of(table, struct ccshared_mapping, table);

	mutex_lock(&buffer->lock);
	list_del(&m->list);
	mutex_unlock(&buffer->lock);

	sg_free_table(&m->table);
	ccshared_dma_unmap(m);
	kfree(m);
}

static int ccshared_heap_begin_cpu_access(struct dma_buf *dmabuf,
					  enum dma_data_direction dir)
{
	struct ccshared_buffer *buffer = dmabuf->priv;
	struct ccshared_mapping *m;

	mutex_lock(&buffer->lock);
	if (buffer->vmap_cnt)
		invalidate_kernel_vmap_range(buffer->vaddr, buffer->len);

	list_for_each_entry(m, &buffer->mappings, list)
		ccshared_dma_sync_for_cpu(m);
	mutex_unlock(&buffer->lock);
	return 0;
}

static int ccshared_heap_end_cpu_access(struct dma_buf *dmabuf,
					enum dma_data_direction dir)
{
	struct ccshared_buffer *buffer = dmabuf->priv;
	struct ccshared_mapping *m;

	mutex_lock(&buffer->lock);
	if (buffer->vmap_cnt)
		flush_kernel_vmap_range(buffer->vaddr, buffer->len);

	list_for_each_entry(m, &buffer->mappings, list)
		ccshared_dma_sync_for_device(m);
	mutex_unlock(&buffer->lock);
	return 0;
}

static int ccshared_heap_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct ccshared_buffer *buffer = dmabuf->priv;
	unsigned long pgoff = vma->vm_pgoff;
	unsigned long addr = vma->vm_start;
	struct scatterlist *sg;
	pgprot_t prot;
	int i, ret;

	if (pgoff > buffer->len >> PAGE_SHIFT ||
	    vma_pages(vma) > (buffer->len >> PAGE_SHIFT) - pgoff)
		return -EINVAL;

	/*
	 * A private mapping would copy on write into private memory that
	 * devices cannot see, behind the user's back.  VM_MAYSHARE, not
	 * VM_SHARED: for a file not open for writing the kernel clears
	 * VM_SHARED on a MAP_SHARED mapping, which stays shared.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;

	ret = ccshared_pin_mmap(buffer, vma);
	if (ret <= 0)
		return ret;

	prot = pgprot_decrypted(vma->vm_page_prot);

	for_each_sgtable_sg(&buffer->sg_table, sg, i) {
		unsigned long n = sg->length >> PAGE_SHIFT;
		unsigned long size;

		if (pgoff >= n) {
			pgoff -= n;
			continue;
		}
		size = min((n - pgoff) << PAGE_SHIFT, vma->vm_end - addr);
		ret = remap_pfn_range(vma, addr, page_to_pfn(sg_page(sg)) + pgoff,
				      size, prot);
		if (ret)
			return ret;
		addr += size;
		pgoff = 0;
		if (addr >= vma->vm_end)
			break;
	}
	return 0;
}

static void *ccshared_heap_do_vmap(struct ccshared_buffer *buffer)
{
	unsigned long npages = buffer->len >> PAGE_SHIFT;
	struct sg_page_iter piter;
	struct page **pages;
	unsigned long i = 0;
	void *vaddr;

	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return ERR_PTR(-ENOMEM);

	for_each_sgtable_page(&buffer->sg_table, &piter, 0)
		pages[i++] = sg_page_iter_page(&piter);

	vaddr = vmap(pages, npages, VM_MAP, pgprot_decrypted(PAGE_KERNEL));
	kvfree(pages);
	return vaddr ? vaddr : ERR_PTR(-ENOMEM);
}

/* Called with the reservation lock held. */
static int ccshared_heap_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct ccshared_buffer *buffer = dmabuf->priv;
	void *vaddr;
	int ret = 0;

	mutex_lock(&buffer->lock);
	if (!buffer->vmap_cnt) {
		vaddr = ccshared_heap_do_vmap(buffer);
		if (IS_ERR(vaddr)) {
			ret = PTR_ERR(vaddr);
			goto out;
		}
		buffer->vaddr = vaddr;
	}
	buffer->vmap_cnt++;
	iosys_map_set_vaddr(map, buffer->vaddr);
out:
	mutex_unlock(&buffer->lock);
	return ret;
}

static void ccshared_heap_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct ccshared_buffer *buffer = dmabuf->priv;

	mutex_lock(&buffer->lock);
	if (!--buffer->vmap_cnt) {
		vunmap(buffer->vaddr);
		buffer->vaddr = NULL;
	}
	mutex_unlock(&buffer->lock);
	iosys_map_clear(map);
}

/* Called once no fd, mapping or attachment refers to the buffer. */
static void ccshared_heap_release(struct dma_buf *dmabuf)
{
	struct ccshared_buffer *buffer = dmabuf->priv;
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(&buffer->sg_table, sg, i)
		ccshared_chunk_put(sg_page(sg), ccshared_sg_order(sg));

	atomic_long_dec(&ccshared_stats.buffers);
	atomic_long_sub(buffer->len, &ccshared_stats.bytes);
	sg_free_table(&buffer->sg_table);
	if (buffer->pin_mm)
		mmdrop(buffer->pin_mm);
	kfree(buffer);
}

const struct dma_buf_ops ccshared_heap_buf_ops = {
	.map_dma_buf = ccshared_heap_map_dma_buf,
	.unmap_dma_buf = ccshared_heap_unmap_dma_buf,
	.begin_cpu_access = ccshared_heap_begin_cpu_access,
	.end_cpu_access = ccshared_heap_end_cpu_access,
	.mmap = ccshared_heap_mmap,
	.vmap = ccshared_heap_vmap,
	.vunmap = ccshared_heap_vunmap,
	.release = ccshared_heap_release,
};

/**
 * ccshared_heap_dmabuf_is_shared - is this dma-buf shared memory from this heap?
 * @dmabuf: any dma-buf
 *
 * A device that is not TDISP-trusted can reach only shared memory in a
 * confidential VM, so its driver must know what a dma-buf holds.  The
 * dma-buf core has no attribute that says so, and &dma_buf.exp_name is a
 * debugging aid that any exporter may set to anything.  Only the exporter
 * can tell its own buffers, by their ops, as vfio_pci_dma_buf_iommufd_map()
 * does for iommufd.  Safe to call from any context.
 *
 * Return: true if @dmabuf was allocated here, and so is shared memory for
 * its whole life; false for every other dma-buf.
 */
bool ccshared_heap_dmabuf_is_shared(struct dma_buf *dmabuf)
{
	return dmabuf->ops == &ccshared_heap_buf_ops;
}
EXPORT_SYMBOL_GPL(ccshared_heap_dmabuf_is_shared);

/*
 * Get one shared, zeroed chunk of the largest order that fits @size and
 * @max_order: from the pool without a conversion, or fresh from the page
 * allocator, shared, then zeroed.  Every order from min_order up is tried,
 * not only a few: a conversion costs about the same whatever its size
 * (hypercalls, a cache flush and a TLB shootdown on every CPU), so a
 * buffer should cost one per 2 MiB, and one per set bit of the rest in
 * min_order units.  Returns NULL with *ret = -ENOMEM when nothing
 * is available or the conversion failed; a chunk that failed to convert
 * has been leaked.
 */
static struct page *ccshared_get_chunk(unsigned long size, unsigned int max_order,
				       unsigned int *order, int *ret)
{
	int o = min_t(int, max_order, ilog2(size >> PAGE_SHIFT));
	struct page *page;
	gfp_t gfp;

	*ret = -ENOMEM;
	for (; o >= (int)min_order; o--) {
		page = ccshared_pool_get(o);
		if (!page) {
			gfp = o == min_order ? CCSHARED_LOW_ORDER_GFP :
					       CCSHARED_HIGH_ORDER_GFP;
			page = alloc_pages(gfp, o);
			if (!page)
				continue;
			atomic_long_add(1L << o, &ccshared_stats.taken_pages);
			atomic_long_inc(&ccshared_stats.taken_chunks[o]);
			if (ccshared_share(page, o)) {
				ccshared_leak(page, o);
				return NULL;
			}
		}
		atomic_long_add(1L << o, &ccshared_stats.buffer_pages);
		ccshared_zero(page, o);
		*order = o;
		*ret = 0;
		return page;
	}
	return NULL;
}

struct dma_buf *ccshared_heap_allocate(unsigned long len, u32 fd_flags,
				       u64 heap_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	unsigned int max_order = CCSHARED_MAX_ORDER;
	struct ccshared_buffer *buffer;
	struct page *page, *tmp;
	struct dma_buf *dmabuf;
	struct scatterlist *sg;
	unsigned long remaining;
	unsigned int nents = 0;
	unsigned int order;
	LIST_HEAD(chunks);
	int i, ret;

	if (heap_flags || (fd_flags & ~DMA_HEAP_VALID_FD_FLAGS))
		return ERR_PTR(-EINVAL);

	len = ALIGN(len, PAGE_SIZE << min_order);
	if (!len)
		return ERR_PTR(-EINVAL);

	/* Fail what can never fit at once, before touching any memory. */
	if (len >> PAGE_SHIFT > totalram_pages()) {
		ret = -ENOMEM;
		goto fail;
	}

	buffer = kzalloc_obj(*buffer);
	if (!buffer) {
		ret = -ENOMEM;
		goto fail;
	}
	INIT_LIST_HEAD(&buffer->mappings);
	mutex_init(&buffer->lock);
	buffer->len = len;

	/* page->lru and page->private are ours while we own the chunk. */
	for (remaining = len; remaining; remaining -= PAGE_SIZE << order) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto release_chunks;
		}
		page = ccshared_get_chunk(remaining, max_order, &order, &ret);
		if (!page)
			goto release_chunks;
		set_page_private(page, order);
		list_add_tail(&page->lru, &chunks);
		/*
		 * The largest fit only shrinks as the buffer fills; a smaller
		 * chunk than that means the page allocator had none larger,
		 * and asking it again for each chunk would only cost time.
		 */
		max_order = order;
		nents++;
	}

	ret = sg_alloc_table(&buffer->sg_table, nents, GFP_KERNEL);
	if (ret)
		goto release_chunks;

	sg = buffer->sg_table.sgl;
	list_for_each_entry_safe(page, tmp, &chunks, lru) {
		list_del(&page->lru);
		sg_set_page(sg, page, PAGE_SIZE << page_private(page), 0);
		set_page_private(page, 0);
		sg = sg_next(sg);
	}

	exp_info.exp_name = CCSHARED_HEAP_NAME;
	exp_info.ops = &ccshared_heap_buf_ops;
	exp_info.size = len;
	exp_info.flags = fd_flags;
	exp_info.priv = buffer;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto release_table;
	}

	atomic_long_inc(&ccshared_stats.buffers);
	atomic_long_add(len, &ccshared_stats.bytes);
	return dmabuf;

release_table:
	for_each_sgtable_sg(&buffer->sg_table, sg, i)
		ccshared_pool_put(sg_page(sg), ccshared_sg_order(sg));
	sg_free_table(&buffer->sg_table);
	goto free_buffer;
release_chunks:
	/* Every chunk on the list is shared; the failed one was leaked. */
	list_for_each_entry_safe(page, tmp, &chunks, lru) {
		list_del(&page->lru);
		order = page_private(page);
		set_page_private(page, 0);
		ccshared_pool_put(page, order);
	}
free_buffer:
	kfree(buffer);
fail:
	atomic_long_inc(&ccshared_stats.alloc_failures);
	return ERR_PTR(ret);
}

#ifdef CCSHARED_HAVE_DMA_HEAP_ADD
static struct dma_buf *ccshared_heap_op_allocate(struct dma_heap *heap,
						 unsigned long len, u32 fd_flags,
						 u64 heap_flags)
{
	return ccshared_heap_allocate(len, fd_flags, heap_flags);
}

static const struct dma_heap_ops ccshared_heap_ops = {
	.allocate = ccshared_heap_op_allocate,
};

/*
 * dma_heap_add() has no inverse: once added, the heap and its callbacks
 * must stay for the life of the kernel.  Pin the module for good.
 */
static int ccshared_heap_register(void)
{
	struct dma_heap_export_info exp_info = {
		.name = CCSHARED_HEAP_NAME,
		.ops = &ccshared_heap_ops,
	};
	struct dma_heap *heap;

	heap = dma_heap_add(&exp_info);
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	__module_get(THIS_MODULE);
	return 0;
}

/*
 * Reached only by a forced unload (rmmod -f; Debian builds with
 * CONFIG_MODULE_FORCE_UNLOAD=y): the module is pinned, and the kernel
 * gives a module no way to refuse a forced unload.  The heap stays
 * registered and its callbacks are about to be freed; all that is left is
 * to say so.
 */
static void ccshared_heap_unregister(void)
{
	pr_crit("ccshared_heap: forced unload: /dev/dma_heap/%s stays registered with its callbacks in freed memory; the next allocation from it will crash the kernel: reboot now\n",
		CCSHARED_HEAP_NAME);
}
#else
static int ccshared_heap_register(void)
{
	return ccshared_misc_register();
}

static void ccshared_heap_unregister(void)
{
	ccshared_misc_unregister();
}
#endif

/*
 * Is there a system_cc_shared heap already, the in-tree one or another
 * module's?  The in-tree heap exists exactly when its option is built in
 * and memory encryption is active; the path catches everything else.
 */
static bool ccshared_heap_exists(void)
{
	struct path path;

	if (IS_ENABLED(CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED) &&
	    cc_platform_has(CC_ATTR_MEM_ENCRYPT))
		return true;
	if (kern_path("/dev/dma_heap/" CCSHARED_HEAP_NAME, LOOKUP_FOLLOW, &path))
		return false;
	path_put(&path);
	return true;
}

static int __init ccshared_heap_init(void)
{
	int ret;

	if (min_order > CCSHARED_MAX_ORDER || (min_order && min_order != 4 &&
					       min_order != CCSHARED_MAX_ORDER)) {
		pr_err("ccshared_heap: min_order must be 0, 4 or 9, not %u\n", min_order);
		return -EINVAL;
	}

	if (ccshared_heap_exists()) {
		pr_err("ccshared_heap: the kernel already has a %s heap; not loading a second one\n",
		       CCSHARED_HEAP_NAME);
		return -EEXIST;
	}

	if (!cc_platform_has(CC_ATTR_MEM_ENCRYPT)) {
		if (!force_non_coco) {
			pr_err("ccshared_heap: memory encryption is not active (not a confidential VM); refusing to register %s (force_non_coco=1 overrides, for tests only)\n",
			       CCSHARED_HEAP_NAME);
			return -ENODEV;
		}
		pr_warn("ccshared_heap: force_non_coco=1: registering %s without memory encryption; its memory is ordinary memory and nothing is shared with a host; for bring-up and tests only, tainting the kernel\n",
			CCSHARED_HEAP_NAME);
		add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	}

	ret = ccshared_pool_init();
	if (ret)
		return ret;

	ret = ccshared_debugfs_init();
	if (ret)
		goto exit_pool;

	/* Before the heap: on 7.x registering the heap cannot be undone. */
	ret = ccshared_addr_register();
	if (ret) {
		pr_err("ccshared_heap: registering /dev/ccshared_heap failed (%d)\n", ret);
		goto exit_debugfs;
	}

	ret = ccshared_heap_register();
	if (ret) {
		pr_err("ccshared_heap: registering %s failed (%d)\n",
		       CCSHARED_HEAP_NAME, ret);
		goto unregister_addr;
	}

	pr_info("ccshared_heap: registered /dev/dma_heap/%s\n", CCSHARED_HEAP_NAME);
	return 0;

unregister_addr:
	ccshared_addr_unregister();
exit_debugfs:
	ccshared_debugfs_exit();
exit_pool:
	ccshared_pool_exit();
	return ret;
}

/*
 * Reached for the misc-device heap, and for a heap added with
 * dma_heap_add() only by a forced unload (it pins the module).  Buffers
 * hold a module reference through their exporter, so without force none
 * is alive by now and the pool can be emptied.
 */
static void __exit ccshared_heap_exit(void)
{
	ccshared_heap_unregister();
	ccshared_addr_unregister();
	ccshared_pin_exit();
	ccshared_debugfs_exit();
	ccshared_pool_exit();
	pr_info("ccshared_heap: unloaded\n");
}

module_init(ccshared_heap_init);
module_exit(ccshared_heap_exit);

MODULE_DESCRIPTION("dma-buf heap of shared (decrypted) memory for confidential VMs");
MODULE_LICENSE("GPL");
/*
 * MODULE_IMPORT_NS() takes a string from 6.13 on and a bare name before;
 * both expand to this.
 */
MODULE_INFO(import_ns, "DMA_BUF");
#ifdef CCSHARED_HAVE_DMA_HEAP_ADD
MODULE_INFO(import_ns, "DMA_BUF_HEAP");
#endif
