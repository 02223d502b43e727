/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the heap's guest tests (TAP: tests/lib/tap.h): loading
 * and unloading the module, allocation, and the debugfs statistics.
 *
 * The module is loaded with the parameters every test needs.  On kernels
 * where the heap is added with dma_heap_add() it can never be unloaded,
 * so it stays loaded from the first test to the end of the boot; on the
 * misc-device variant each test loads and unloads it.
 */
#ifndef HEAPTEST_H
#define HEAPTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "tap.h"		/* tests/lib/tap.h */

#define HEAP_PATH "/dev/dma_heap/system_cc_shared"
#define HEAP_DEBUGFS "/sys/kernel/debug/ccshared_heap"
#define HEAP_LOAD_ARGS "force_non_coco=1 test_importer=1"

#define KiB (1024UL)
#define MiB (1024UL * KiB)
#define GiB (1024UL * MiB)

/* The module */
int heap_setup(void);
void heap_teardown(void);
bool heap_is_misc(void);
int heap_open(void);

/* Allocation: 0, or -errno.  *dmabuf_fd is set on success only. */
int heap_alloc(int heap_fd, unsigned long long len, unsigned int fd_flags,
	       unsigned long long heap_flags, int *dmabuf_fd);
int dmabuf_sync(int dmabuf_fd, unsigned long long flags);

/* debugfs and module parameters */
struct heap_stats {
	long buffers;
	long bytes;
	long conversions_to_shared;
	long conversions_to_private;
	long leaked_pages;
	long pool_pages;
	long alloc_failures;
	long taken_pages;	/* from the page allocator */
	long returned_pages;	/* to the page allocator */
	long buffer_pages;	/* in live buffers */
};

int heap_read_stats(struct heap_stats *st);
void heap_print_stats(const char *when, const struct heap_stats *st);

/*
 * Pages the heap took from the page allocator and neither gave back,
 * leaked on purpose, keeps in its pool nor has in a live buffer: 0 unless
 * a page was lost.
 */
long heap_pages_unaccounted(const struct heap_stats *st);

/*
 * The leak check every test that frees what it allocated ends with, as
 * one TAP result (described by @fmt): no page unaccounted for, no buffer,
 * byte or deliberately leaked page more than in @before, and the live
 * buffers' pages are their bytes.  Shows both statistics on failure.
 */
bool heap_ok_nothing_leaked(const struct heap_stats *before, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * HEAPTEST_PLANT_LEAK=1 in the environment (tests/guest/heap/
 * 99-planted-leak.t): lose one chunk through debugfs plant_leak, the
 * 4 KiB chunk of a buffer allocated and freed here, so that the leak
 * checks must fail.  heap_setup() calls it once the heap is loaded.
 */
void heap_plant_leak_if_asked(void);
int write_file(const char *path, const char *value);
int read_file(const char *path, char *buf, size_t size);
int heap_debugfs_write(const char *name, const char *value);
int heap_drain_pool(void);
int heap_set_param(const char *name, const char *value);

/* /proc/meminfo field in KiB, or -1. */
long meminfo_kb(const char *field);
long free_memory_kb(void);

/*
 * The test importer (test_importer=1): write "FD BITS OPTIONS" to
 * import_test (see heap/debugfs.c).  0 and its result line (without the
 * newline), or -errno.
 */
int heap_import(int fd, int bits, const char *options, char *result, size_t size);

/* Lines of the kernel log that hold @text, or -1. */
int klog_count(const char *text);

/* swiotlb slots in use (debugfs io_tlb_used), or -1 without swiotlb. */
long swiotlb_used(void);

/*
 * The lowest and highest physical address of a buffer of this heap, from
 * a test import with a 64-bit DMA mask (the heap's mmap is VM_PFNMAP,
 * which /proc/self/pagemap does not show).  0, or -errno.
 */
int heap_buffer_phys(int fd, unsigned long long *lo, unsigned long long *hi);

/*
 * Drop CAP_SYS_ADMIN from the effective set, root's uid staying, as a
 * daemon that lowers its privileges does: 0, or -1 with errno.
 */
int heap_drop_sys_admin(void);

/* Pattern helpers: fill, and check, a mapping. */
void fill_pattern(unsigned char *p, size_t len, unsigned int seed);
bool check_pattern(const unsigned char *p, size_t len, unsigned int seed);
bool all_zero(const unsigned char *p, size_t len);

#endif /* HEAPTEST_H */
