/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of ccshared_heap.ko, shared by its source files:
 * heap.c (buffers and allocation), pool.c (the pool of shared chunks),
 * dma.c (device mappings), compat.c (the misc-device heap for kernels
 * without an exported dma_heap_add), debugfs.c (statistics, fault
 * injection and the test importer), addr.c (/dev/ccshared_heap: the
 * chunks' DMA addresses for privileged userspace) and pin.c (pinnable
 * mappings, and chunks held while still referenced).
 */
#ifndef _CCSHARED_HEAP_H
#define _CCSHARED_HEAP_H

#include <linux/atomic.h>
#include <linux/dma-direction.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/types.h>

/* kzalloc_obj() arrived in 7.0; 6.12 has only the long form. */
#ifndef kzalloc_obj
#define kzalloc_obj(p) kzalloc(sizeof(p), GFP_KERNEL)
#endif

#define CCSHARED_HEAP_NAME "system_cc_shared"

/*
 * Chunks are of every order from min_order up to this one, 2 MiB: TDX
 * accepts and x86 maps large pages in 2 MiB, and a conversion splits the
 * direct map no further than the chunk it converts.
 */
#define CCSHARED_MAX_ORDER 9
#define CCSHARED_NR_ORDERS (CCSHARED_MAX_ORDER + 1)

struct dma_buf;
struct device;
struct mm_struct;
struct page;

/*
 * Counters shown in debugfs.  Conversions count chunks, not pages; the
 * page counters count base pages.  Every page the heap takes from the page
 * allocator is in exactly one place, so that a lost page shows:
 *
 *   taken_pages == returned_pages + leaked_pages + pool_pages + buffer_pages
 *
 * buffer_pages counts the chunks of live buffers, of buffers being
 * allocated and of freed buffers that a reference still holds (held_pages of
 * them, pin.c); the identity holds whenever no allocation or free is under
 * way (each counter is exact, but they are not updated together).
 */
struct ccshared_stats {
	atomic_long_t buffers;
	atomic_long_t bytes;
	atomic_long_t conversions_to_shared;
	atomic_long_t conversions_to_private;
	atomic_long_t leaked_pages;
	atomic_long_t pool_pages;
	atomic_long_t alloc_failures;
	atomic_long_t taken_pages;	/* from the page allocator */
	atomic_long_t returned_pages;	/* to the page allocator, private again */
	atomic_long_t buffer_pages;	/* in buffers, or being allocated */
	atomic_long_t held_pages;	/* of freed buffers, still referenced */
	/*
	 * By order: chunks taken from the page allocator (each one also a
	 * conversion to shared, or a leak), and chunks in the pool now.
	 * What an allocation actually got, where the page allocator could
	 * not supply the order it asked for.
	 */
	atomic_long_t taken_chunks[CCSHARED_NR_ORDERS];
	atomic_long_t pool_chunks[CCSHARED_NR_ORDERS];
};

extern struct ccshared_stats ccshared_stats;

/* Fault injection: N > 0 makes the Nth following conversion fail. */
extern atomic_t ccshared_fail_share;
extern atomic_t ccshared_fail_unshare;
/*
 * Tests only (test_importer=1): N > 0 makes the Nth following chunk that a
 * buffer gives back vanish, neither pooled, freed nor counted: a planted
 * leak, which the accounting above must show.
 */
extern atomic_t ccshared_plant_leak;
bool ccshared_inject(atomic_t *countdown);

/* Parameters shared between files. */
extern bool ccshared_compat_dma_map;
extern bool ccshared_test_importer;

struct ccshared_buffer {
	struct list_head mappings;
	struct mutex lock;	/* mappings, vmap_cnt, vaddr */
	unsigned long len;
	struct sg_table sg_table;
	int vmap_cnt;
	void *vaddr;
	/*
	 * The address space whose mappings can be pinned (pin.c), set once
	 * by CCSHARED_HEAP_IOCTL_PINNABLE (addr.c), with mmgrab().
	 */
	struct mm_struct *pin_mm;
};

/*
 * One device mapping of a buffer: map_dma_buf makes a new one for every
 * call, as include/linux/dma-buf.h asks.  The importer gets @table, a
 * copy, and may rewrite its DMA addresses and lengths (RDMA does); the
 * heap unmaps and syncs from @dma, its own record of what it mapped.
 */
struct ccshared_mapping {
	struct list_head list;		/* in ccshared_buffer.mappings */
	struct device *dev;
	struct sg_table dma;
	struct sg_table table;
	enum dma_data_direction dir;
	unsigned long attrs;	/* what ccshared_dma_map used, for unmap */
	bool direct;		/* mapped by ccshared_dma_map's own direct path */
};

extern const struct dma_buf_ops ccshared_heap_buf_ops;

/* heap.c: the security steps, and allocation. */
int ccshared_share(struct page *page, unsigned int order);
void ccshared_zero(struct page *page, unsigned int order);
int ccshared_unshare(struct page *page, unsigned int order);
void ccshared_leak(struct page *page, unsigned int order);
void ccshared_release_chunk(struct page *page, unsigned int order);
struct dma_buf *ccshared_heap_allocate(unsigned long len, u32 fd_flags,
				       u64 heap_flags);

/* pool.c */
struct page *ccshared_pool_get(unsigned int order);
void ccshared_pool_put(struct page *page, unsigned int order);
unsigned long ccshared_pool_drain(unsigned long nr_pages);
int ccshared_pool_init(void);
void ccshared_pool_exit(void);

/* dma.c */
int ccshared_dma_map(struct ccshared_mapping *m, struct sg_table *chunks);
void ccshared_dma_unmap(struct ccshared_mapping *m);
void ccshared_dma_sync_for_cpu(struct ccshared_mapping *m);
void ccshared_dma_sync_for_device(struct ccshared_mapping *m);

/* compat.c */
int ccshared_misc_register(void);
void ccshared_misc_unregister(void);

/* addr.c: /dev/ccshared_heap, the DMA addresses of a buffer's chunks */
int ccshared_addr_register(void);
void ccshared_addr_unregister(void);

/* pin.c: pinnable mappings, and chunks held while still referenced */
struct vm_area_struct;
int ccshared_pin_allow(struct ccshared_buffer *buffer);
int ccshared_pin_mmap(struct ccshared_buffer *buffer, struct vm_area_struct *vma);
void ccshared_chunk_put(struct page *page, unsigned int order);
void ccshared_pin_exit(void);

/* debugfs.c */
int ccshared_debugfs_init(void);
void ccshared_debugfs_exit(void);

#endif /* _CCSHARED_HEAP_H */
