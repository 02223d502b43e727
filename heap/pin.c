// SPDX-License-Identifier: GPL-2.0
/*
 * Pinnable mappings, for userspace drivers that map a buffer into an
 * IOMMU themselves (DPDK in IOVA-as-VA mode through VFIO type1 or
 * iommufd), and the chunks a pin keeps alive after their buffer is gone.
 *
 * By default the heap maps a buffer with remap_pfn_range(): VM_PFNMAP,
 * which get_user_pages() refuses.  That refusal is a safeguard: a pinned
 * page handed to the streaming DMA API (ibv_reg_mr(), O_DIRECT) is bounced
 * through swiotlb in a confidential VM, and an RDMA MR built that way
 * silently misses the user's pages on 6.x.  VFIO type1 needs a pin all the
 * same: it maps only non-RAM pages of a VM_PFNMAP mapping.  So a privileged
 * caller may ask, per buffer, for mappings made of the pages themselves
 * (vm_insert_pages(), VM_MIXEDMAP), which can be pinned: its own mappings
 * only, made after it asked, and not inherited by a child.  Some kernel
 * paths vmap() pages they pinned with PAGE_KERNEL (io_uring rings in user
 * memory, AF_XDP UMEM), an encrypted alias of a shared page; a process
 * that merely received the fd must not be able to hand them the buffer.
 *
 * A pin may outlive the buffer: a device then still reaches the pages
 * through its IOMMU mapping, and the pages must neither go to another
 * buffer (another process would share memory with that device) nor back
 * to the page allocator (private memory the device could reach).  So at
 * release a chunk with references besides the heap's own is held, still
 * shared and counted in buffer_pages and held_pages, and checked again
 * every second; once only the heap's reference is left it goes to the
 * pool or back to private as usual.  docs/heap.md ("Pinnable mappings")
 * has the whole argument.
 */

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "ccshared_heap.h"

/* Pages per vm_insert_pages() call: 256 bytes of stack. */
#define CCSHARED_PIN_BATCH	32
#define CCSHARED_HELD_RECHECK	HZ

static LIST_HEAD(ccshared_held);
static DEFINE_SPINLOCK(ccshared_held_lock);	/* ccshared_held */
static void ccshared_held_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ccshared_held_work, ccshared_held_work_fn);

/**
 * ccshared_pin_allow - let the caller's own later mappings be pinned
 * @buffer: a buffer of this heap
 *
 * CCSHARED_HEAP_IOCTL_PINNABLE, after the privilege check.  One address
 * space per buffer, for the buffer's life: there is no way back, as the
 * buffer may be pinned already.
 *
 * Return: 0, also when the caller had asked before; -EBUSY when another
 * process has.
 */
int ccshared_pin_allow(struct ccshared_buffer *buffer)
{
	struct mm_struct *mm = current->mm, *old;

	mmgrab(mm);
	old = cmpxchg(&buffer->pin_mm, NULL, mm);
	if (!old)
		return 0;
	mmdrop(mm);
	return old == mm ? 0 : -EBUSY;
}

/**
 * ccshared_pin_mmap - map a buffer with its own pages, if it may be pinned
 * @buffer: the buffer
 * @vma: the new mapping, checked by the caller to lie inside @buffer
 *
 * Return: 1 when @vma is not in the address space that may pin @buffer
 * (the caller maps it as usual), 0 when mapped, or a negative errno.
 * Called from the dma-buf's mmap with the mmap lock held for writing.  On
 * failure the core unmaps what was inserted.
 */
int ccshared_pin_mmap(struct ccshared_buffer *buffer, struct vm_area_struct *vma)
{
	struct page *batch[CCSHARED_PIN_BATCH];
	unsigned long addr = vma->vm_start;
	struct sg_page_iter piter;
	unsigned long n = 0, left;
	int ret;

	if (READ_ONCE(buffer->pin_mm) != vma->vm_mm)
		return 1;

	/*
	 * The core maps inserted pages with vm_page_prot.  A child made by
	 * fork() gets no copy: its own mappings cannot be pinned either.
	 */
	vma->vm_page_prot = pgprot_decrypted(vma->vm_page_prot);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);

	for_each_sgtable_page(&buffer->sg_table, &piter, vma->vm_pgoff) {
		batch[n++] = sg_page_iter_page(&piter);
		if (n < CCSHARED_PIN_BATCH && addr + (n << PAGE_SHIFT) < vma->vm_end)
			continue;
		left = n;
		ret = vm_insert_pages(vma, addr, batch, &left);
		if (ret)
			return ret;
		addr += n << PAGE_SHIFT;
		n = 0;
		if (addr >= vma->vm_end)
			break;
	}
	return 0;
}

/**
 * ccshared_chunk_put - give back a chunk of a released buffer
 * @page: first page of the chunk
 * @order: order of the chunk
 *
 * No mapping of the buffer is left (each holds the dma-buf's file), so a
 * reference besides the heap's own was taken through a pinnable mapping
 * (a pin, a get_user_pages() reference), or is a transient speculative
 * one, which holds the chunk for a second at most.
 */
void ccshared_chunk_put(struct page *page, unsigned int order)
{
	if (page_count(page) == 1) {
		ccshared_pool_put(page, order);
		return;
	}
	spin_lock(&ccshared_held_lock);
	list_add_tail(&page->lru, &ccshared_held);
	spin_unlock(&ccshared_held_lock);
	atomic_long_add(1L << order, &ccshared_stats.held_pages);
	schedule_delayed_work(&ccshared_held_work, CCSHARED_HELD_RECHECK);
}

/*
 * Every chunk is a compound page (or a single page), so its order is its
 * own; page->lru is ours while we hold it, as for the pool: the pages are
 * on no LRU list, and pins do not use it.
 */
static void ccshared_held_work_fn(struct work_struct *work)
{
	struct page *page, *tmp;
	LIST_HEAD(unpinned);
	unsigned int order;
	bool more;

	spin_lock(&ccshared_held_lock);
	list_for_each_entry_safe(page, tmp, &ccshared_held, lru) {
		if (page_count(page) == 1)
			list_move_tail(&page->lru, &unpinned);
	}
	more = !list_empty(&ccshared_held);
	spin_unlock(&ccshared_held_lock);

	/*
	 * A count of one cannot grow again: nothing maps the pages.  Order
	 * the unpinner's last accesses before the conversion.
	 */
	smp_mb();
	list_for_each_entry_safe(page, tmp, &unpinned, lru) {
		list_del(&page->lru);
		order = compound_order(page);
		atomic_long_sub(1L << order, &ccshared_stats.held_pages);
		ccshared_pool_put(page, order);
	}
	if (more)
		schedule_delayed_work(&ccshared_held_work, CCSHARED_HELD_RECHECK);
}

/*
 * Reached only where the module can be unloaded (the misc-device heap):
 * no buffer is alive, but a pin may be.  A chunk still pinned keeps the
 * heap's reference for good, so it is never freed while shared: leaked and
 * counted.
 */
void ccshared_pin_exit(void)
{
	struct page *page, *tmp;
	unsigned int order;

	cancel_delayed_work_sync(&ccshared_held_work);
	list_for_each_entry_safe(page, tmp, &ccshared_held, lru) {
		list_del(&page->lru);
		order = compound_order(page);
		atomic_long_sub(1L << order, &ccshared_stats.held_pages);
		if (page_count(page) == 1) {
			ccshared_pool_put(page, order);
			continue;
		}
		pr_warn("ccshared_heap: unloading with %lu pages still pinned: leaking them\n",
			1UL << order);
		atomic_long_sub(1L << order, &ccshared_stats.buffer_pages);
		ccshared_leak(page, order);
	}
}
