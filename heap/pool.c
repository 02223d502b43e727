// SPDX-License-Identifier: GPL-2.0
/*
 * The pool of freed chunks that are still shared.
 *
 * A conversion is expensive in a confidential VM: hypercalls, TLB flushes
 * and a split of the direct map.  Freed chunks therefore stay shared in a
 * pool, up to pool_max_mb, and the next allocation takes them without a
 * conversion; the allocator zeroes them again before use.  Memory pressure
 * (the shrinker) and debugfs drain_pool convert them back and free them.
 *
 * Memory cgroups: a module can neither move nor drop a charge, so a
 * chunk charged to a cgroup never enters the pool (it would go on
 * charging a cgroup that freed it, and a failed allocation in a full
 * cgroup would leave it full), and a caller in a cgroup never takes from
 * the pool (its chunk would escape the charge).  The pool serves the root
 * cgroup, and everyone when kernel memory is not accounted.
 */

#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>

#include "ccshared_heap.h"

static uint pool_max_mb = 64;
module_param(pool_max_mb, uint, 0644);
MODULE_PARM_DESC(pool_max_mb,
		 "Largest size of the pool of freed, still shared chunks, in MiB (default 64; 0 disables the pool)");

/*
 * One list per order: the allocator asks for a chunk of one order at a
 * time, and takes one from the pool only where it is of exactly that
 * order (chunks are neither split nor merged here).
 */
static struct list_head ccshared_pool[CCSHARED_NR_ORDERS];
static DEFINE_SPINLOCK(ccshared_pool_lock);
static struct shrinker *ccshared_shrinker;

/*
 * Would an allocation by the current task be charged to a memory cgroup?
 * The page allocator charges the memcg that current_obj_cgroup() picks
 * (mm/memcontrol.c, not exported): the one set_active_memcg() names, else
 * the task's own.  Not the memcg of current->mm's owner: a process that
 * shares its mm (clone(CLONE_VM)) can sit in another cgroup.  The root
 * cgroup is never charged; it is the one without a parent.
 */
static bool ccshared_caller_charged(void)
{
	struct mem_cgroup *memcg;
	bool charged;

	if (!memcg_kmem_online())
		return false;
	rcu_read_lock();
	memcg = current->active_memcg;
	if (!memcg)
		memcg = mem_cgroup_from_task(current);
	charged = memcg && memcg->css.parent;
	rcu_read_unlock();
	return charged;
}

static struct page *ccshared_pool_take(unsigned int order)
{
	struct page *page;

	spin_lock(&ccshared_pool_lock);
	page = list_first_entry_or_null(&ccshared_pool[order], struct page, lru);
	if (page) {
		list_del(&page->lru);
		atomic_long_sub(1L << order, &ccshared_stats.pool_pages);
		atomic_long_dec(&ccshared_stats.pool_chunks[order]);
	}
	spin_unlock(&ccshared_pool_lock);
	return page;
}

/* Take a shared chunk of @order from the pool; the caller zeroes it. */
struct page *ccshared_pool_get(unsigned int order)
{
	if (ccshared_caller_charged())
		return NULL;
	return ccshared_pool_take(order);
}

/*
 * A buffer gives back a chunk: keep it shared in the pool, or make it
 * private and free it.
 */
void ccshared_pool_put(struct page *page, unsigned int order)
{
	unsigned long max_pages = (unsigned long)READ_ONCE(pool_max_mb) <<
				  (20 - PAGE_SHIFT);

	atomic_long_sub(1L << order, &ccshared_stats.buffer_pages);
	if (ccshared_inject(&ccshared_plant_leak))
		return;

	if (PageMemcgKmem(page)) {
		ccshared_release_chunk(page, order);
		return;
	}

	spin_lock(&ccshared_pool_lock);
	if (atomic_long_read(&ccshared_stats.pool_pages) + (1L << order) <= max_pages) {
		list_add(&page->lru, &ccshared_pool[order]);
		atomic_long_add(1L << order, &ccshared_stats.pool_pages);
		atomic_long_inc(&ccshared_stats.pool_chunks[order]);
		page = NULL;
	}
	spin_unlock(&ccshared_pool_lock);

	if (page)
		ccshared_release_chunk(page, order);
}

/*
 * Convert back and free at least @nr_pages pages of the pool, or all of
 * it; largest chunks first.  Returns the number of pages taken out.
 */
unsigned long ccshared_pool_drain(unsigned long nr_pages)
{
	unsigned long drained = 0;
	struct page *page;
	int order;

	/*
	 * Largest first: a conversion back costs about the same whatever the
	 * chunk's size, so this frees the most memory per conversion.
	 */
	for (order = CCSHARED_MAX_ORDER; order >= 0 && drained < nr_pages; order--) {
		while (drained < nr_pages) {
			page = ccshared_pool_take(order);
			if (!page)
				break;
			/* May sleep: converts and splits the direct map. */
			ccshared_release_chunk(page, order);
			drained += 1UL << order;
		}
	}
	return drained;
}

static unsigned long ccshared_shrink_count(struct shrinker *shrinker,
					   struct shrink_control *sc)
{
	unsigned long pages = atomic_long_read(&ccshared_stats.pool_pages);

	return pages ? pages : SHRINK_EMPTY;
}

static unsigned long ccshared_shrink_scan(struct shrinker *shrinker,
					  struct shrink_control *sc)
{
	unsigned long drained;

	/* Converting back can allocate page tables and sleep. */
	if (!gfpflags_allow_blocking(sc->gfp_mask))
		return SHRINK_STOP;

	drained = ccshared_pool_drain(sc->nr_to_scan);
	return drained ? drained : SHRINK_STOP;
}

int ccshared_pool_init(void)
{
	unsigned int i;

	for (i = 0; i < CCSHARED_NR_ORDERS; i++)
		INIT_LIST_HEAD(&ccshared_pool[i]);

	ccshared_shrinker = shrinker_alloc(0, "ccshared_heap-pool");
	if (!ccshared_shrinker)
		return -ENOMEM;
	ccshared_shrinker->count_objects = ccshared_shrink_count;
	ccshared_shrinker->scan_objects = ccshared_shrink_scan;
	/*
	 * The pool is memory nobody uses: give it up readily (seeks 1, as
	 * TTM's pool does), in steps as small as a 64 KiB chunk, rather than
	 * wait for deferred work to add up to the default batch of 128.
	 */
	ccshared_shrinker->seeks = 1;
	ccshared_shrinker->batch = 16;
	shrinker_register(ccshared_shrinker);
	return 0;
}

void ccshared_pool_exit(void)
{
	shrinker_free(ccshared_shrinker);
	ccshared_pool_drain(ULONG_MAX);
}
