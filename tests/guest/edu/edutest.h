/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the ccshared_edu guest tests (tests/guest/edu and
 * tests/guest/edu-bounce): loading the modules, dma-buf heaps, the
 * driver's ioctls, swiotlb and heap counters, and DMA round trips.
 */
#ifndef EDUTEST_H
#define EDUTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/dma-buf.h>

#include "ccshared_edu.h"
#include "tap.h"		/* tests/lib/tap.h */

#define KiB (1024UL)
#define MiB (1024UL * KiB)

#define CC_HEAP "system_cc_shared"
#define SYS_HEAP "system"

/* The running kernel: 7 for 7.x, 6 for 6.12. */
int kernel_major(void);

/*
 * tests/guest/edu-bounce: skip the whole test (by design) unless this is
 * 6.12, the swiotlb=force model; bail out unless swiotlb's debugfs (and,
 * with @system_heap, the kernel's "system" heap) is there.
 */
void bounce_model_required(bool system_heap);

/*
 * Modules.  run() runs a shell command and returns its exit status.  The
 * heap is loaded with test_importer=1, for its debugfs revoke.
 */
int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void heap_ensure(bool compat_dma_map);	/* bails out if it cannot */
void edu_load(const char *params);	/* bails out if it cannot */
int edu_unload(void);
void emul_load(void);
void emul_unload(void);
void fake_exporter_load(void);		/* tests/vm/fake-exporter */
void fake_exporter_unload(void);
/* /sys/module/MODULE/parameters/NAME as a number, or -1. */
long module_param_value(const char *module, const char *name);

/* Counters */
long swiotlb_used_slots(void);		/* io_tlb_used, or -1 */
long swiotlb_nslabs(void);		/* io_tlb_nslabs, or -1 */
long heap_stat(const char *name);	/* ccshared_heap debugfs stats, or -1 */
bool dmesg_contains(const char *needle);
void dmesg_clear(void);
/*
 * Interrupts that /dev/ccshared_edu<n> has taken (/proc/interrupts), or -1.
 * The device raises one when a transfer of one DMA segment is done.
 */
long edu_irq_count(int n);

/* Buffers: a dma-buf fd, or -errno. */
int heap_alloc(const char *heap, size_t len);
int fake_alloc(size_t len);	/* private memory named system_cc_shared */
/* The heap revokes every importer's mapping of @dmabuf: 0 or -errno. */
int heap_revoke(int dmabuf);
void *buf_map(int dmabuf, size_t len);
int buf_sync(int dmabuf, uint64_t flags);

/* The driver: 0 or -errno. */
int edu_open(int n);
int edu_attach(int dev, int dmabuf, uint32_t *handle);
int edu_detach(int dev, uint32_t handle);
int edu_dma(int dev, uint32_t handle, uint32_t dir, uint64_t off, uint64_t len);
int edu_info(int dev, uint32_t handle, struct ccshared_edu_info *info);
void edu_print_info(const char *what, const struct ccshared_edu_info *info);

/*
 * Write a pattern at [off, off+len) through the mmap, DMA it to the
 * device, clear the range, DMA it back from the device, and check through
 * the mmap that exactly the pattern is there and the bytes around it are
 * untouched.  true on success; explains a failure as a diagnostic.
 */
bool round_trip(int dev, uint32_t handle, int dmabuf, unsigned char *map,
		size_t size, uint64_t off, uint64_t len, unsigned int seed);

void fill_pattern(unsigned char *p, size_t len, unsigned int seed);
bool check_pattern(const unsigned char *p, size_t len, unsigned int seed);

#endif /* EDUTEST_H */
