/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * libccshared: shared (decrypted) DMA memory for confidential-computing
 * guests, from the dma-buf heap /dev/dma_heap/system_cc_shared.
 *
 * Error convention, used by every function in this header:
 *   functions that can fail return an int, 0 on success or a negative errno
 *   (-ENOENT, -ENOMEM, ...) on failure; results come back through pointer
 *   arguments, which are left untouched on failure.  errno itself is not
 *   part of the interface.  Functions returning a pointer or a size are
 *   plain getters that cannot fail; destructors return void.
 *
 * Threads: there is no global state.  Different handles may be used from
 * different threads freely.  One buffer may be mapped, synced and read from
 * several threads at once; freeing it while another thread uses it is the
 * caller's bug, as with free(3).
 *
 * Security: memory from this heap is visible to the host.  Never place
 * secrets in it; copy data in and out of private memory instead.
 */
#ifndef CCSHARED_H
#define CCSHARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CCSHARED_HEAP_DEFAULT "system_cc_shared"
#define CCSHARED_HEAP_SYSTEM "system"

/* ---- Platform detection ------------------------------------------------ */

enum ccshared_platform {
	CCSHARED_PLATFORM_NONE,		/* not a confidential guest */
	CCSHARED_PLATFORM_SEV,		/* AMD SEV */
	CCSHARED_PLATFORM_SEV_ES,	/* AMD SEV-ES */
	CCSHARED_PLATFORM_SEV_SNP,	/* AMD SEV-SNP */
	CCSHARED_PLATFORM_TDX,		/* Intel TDX */
	CCSHARED_PLATFORM_CCA,		/* Arm CCA realm */
};

/* Who serves /dev/dma_heap/system_cc_shared. */
enum ccshared_heap_provider {
	CCSHARED_HEAP_MISSING,	/* nobody: load ccshared_heap */
	CCSHARED_HEAP_MODULE,	/* ccshared's ccshared_heap.ko */
	CCSHARED_HEAP_BUILTIN,	/* the kernel's own heap (7.2+, config option) */
};

struct ccshared_platform_info {
	enum ccshared_platform platform;
	enum ccshared_heap_provider heap_provider;
	bool system_heap_present;	/* /dev/dma_heap/system exists */
	/* Which kernel interface decided 'platform', for humans. */
	char evidence[96];
	/* The running kernel's release (uname -r), "" if unknown. */
	char kernel_release[65];
};

/*
 * Detect the platform and the heap from what the kernel exposes under
 * 'root' (NULL or "/" for the running system; a directory tree holding
 * proc/, sys/ and dev/ for tests and containers).  Reads files only.
 */
int ccshared_detect(const char *root, struct ccshared_platform_info *info);

/* "none", "sev", "sev-es", "sev-snp", "tdx", "cca"; "unknown" otherwise. */
const char *ccshared_platform_name(enum ccshared_platform platform);
/* "missing", "ccshared_heap", "builtin"; "unknown" otherwise. */
const char *ccshared_heap_provider_name(enum ccshared_heap_provider provider);

/* ---- Heap statistics --------------------------------------------------- */

/*
 * The ccshared_heap module's counters, from
 * <root>/sys/kernel/debug/ccshared_heap/stats (docs/heap.md).  Only the
 * module has them: the kernel's built-in heap and the system heap do not.
 * A counter the file lacks (an older module) reads as 0; counters it has
 * and this struct lacks (a newer module) are skipped.
 */
struct ccshared_stats {
	uint64_t buffers;		/* live dma-bufs */
	uint64_t bytes;			/* their total size, in bytes */
	uint64_t conversions_to_shared;	/* chunks converted private -> shared */
	uint64_t conversions_to_private; /* chunks converted shared -> private */
	uint64_t leaked_pages;		/* pages given up after a failed
					 * conversion: never reused or freed */
	uint64_t pool_pages;		/* shared pages kept for reuse */
	uint64_t alloc_failures;	/* allocations that failed */
};

/*
 * Read the counters.  'root' is as for ccshared_detect(): NULL (or "/")
 * for the running system, or a directory holding sys/kernel/debug/...
 * -ENOENT: the module is not loaded or debugfs is not mounted;
 * -EACCES: debugfs is root-only; -EINVAL: 'stats' is NULL.
 */
int ccshared_stats_read(const char *root, struct ccshared_stats *stats);

/* ---- Heap -------------------------------------------------------------- */

struct ccshared_heap;

enum ccshared_heap_flags {
	/*
	 * Development mode: if the requested heap is missing and this is not
	 * a confidential guest, use the kernel's "system" heap instead.  Its
	 * memory is ordinary memory, so nothing is shared with anyone; it only
	 * lets code run on a laptop.  ccshared_heap_is_fallback() says so.
	 */
	CCSHARED_HEAP_DEVELOPMENT = 1 << 0,
};

/*
 * Open the heap 'name' (NULL: "system_cc_shared"), the node
 * /dev/dma_heap/<name>, read-write.
 * -ENOENT: the heap is missing (and no fallback applied);
 * -EACCES: the node is not accessible to this user (root-only by default);
 * -EINVAL: unknown flags, or a name that is not one entry of
 *          /dev/dma_heap: empty, ".", "..", with a '/', or longer than
 *          NAME_MAX.
 */
int ccshared_heap_open(const char *name, unsigned int flags,
		       struct ccshared_heap **heap);
/* The same, with /dev and the detection files under 'root' (see above). */
int ccshared_heap_open_at(const char *root, const char *name,
			  unsigned int flags, struct ccshared_heap **heap);
/* The name of the heap actually opened. */
const char *ccshared_heap_name(const struct ccshared_heap *heap);
/* True when development mode fell back to the "system" heap. */
bool ccshared_heap_is_fallback(const struct ccshared_heap *heap);
/* Buffers outlive their heap handle; closing it does not free them. */
void ccshared_heap_close(struct ccshared_heap *heap);

/* ---- Buffers ----------------------------------------------------------- */

struct ccshared_buf;

enum ccshared_buf_flags {
	/*
	 * Map the buffer at allocation time.  Without it the first
	 * ccshared_buf_map() maps it, so a buffer that only goes to a device
	 * costs no page-table setup.
	 */
	CCSHARED_BUF_MAP_EAGER = 1 << 0,
};

enum ccshared_sync {
	CCSHARED_SYNC_READ = 1 << 0,	/* the CPU will read */
	CCSHARED_SYNC_WRITE = 1 << 1,	/* the CPU will write */
	CCSHARED_SYNC_RW = CCSHARED_SYNC_READ | CCSHARED_SYNC_WRITE,
};

/*
 * Allocate 'size' bytes (rounded up to whole pages by the kernel), with the
 * dma-buf fd opened read-write and close-on-exec.
 * -EINVAL: unknown flags, size 0, or a size above SIZE_MAX rounded down to
 *          a page (the dma-heap core's page rounding would wrap);
 * -ENOMEM: the heap is out of memory (a size above the machine's memory
 *          fails so at once).
 */
int ccshared_buf_alloc(struct ccshared_heap *heap, size_t size,
		       unsigned int flags, struct ccshared_buf **buf);
/*
 * Adopt a dma-buf fd from elsewhere (another process, a driver): the buffer
 * takes ownership of 'fd' and closes it in ccshared_buf_free().  On failure
 * the fd stays the caller's.
 * -EINVAL: 'fd' is negative; -EBADF: 'fd' is not open.
 */
int ccshared_buf_import(int fd, struct ccshared_buf **buf);
/* The dma-buf fd, owned by the buffer: dup() it to keep it. */
int ccshared_buf_fd(const struct ccshared_buf *buf);
/* The size of the dma-buf, after the kernel's rounding. */
size_t ccshared_buf_size(const struct ccshared_buf *buf);
/*
 * Map the whole buffer read-write and shared (once; later calls return the
 * same address).
 * -EACCES: the dma-buf fd is not open read-write (an imported buffer that
 *          was allocated or opened read-only, or write-only): nothing is
 *          mapped.  The kernel's generic mmap checks give this for every
 *          file, before the exporter is asked.  A read-only mapping is not
 *          offered, because a writer would find out only by a fault; to
 *          read such a buffer, mmap(PROT_READ, MAP_SHARED) its fd yourself.
 * Other errors are mmap(2)'s on the dma-buf fd.
 */
int ccshared_buf_map(struct ccshared_buf *buf, void **addr);
/* The mapped address, or NULL while the buffer is not mapped. */
void *ccshared_buf_addr(const struct ccshared_buf *buf);
/*
 * Bracket CPU access with DMA_BUF_IOCTL_SYNC, so caches and any bounce
 * copies are coherent with the device.  'direction' is CCSHARED_SYNC_*;
 * end must use the same direction as begin.
 */
int ccshared_buf_sync_begin(struct ccshared_buf *buf, unsigned int direction);
int ccshared_buf_sync_end(struct ccshared_buf *buf, unsigned int direction);
/* Name the dma-buf for /proc/PID/fdinfo and debugfs; at most 31 bytes. */
int ccshared_buf_set_name(struct ccshared_buf *buf, const char *name);
/* Unmap, close the fd and free the handle.  NULL is allowed. */
void ccshared_buf_free(struct ccshared_buf *buf);

/* ---- DMA addresses (privileged) ---------------------------------------- */

/* The device that answers ccshared_buf_dma_addrs(), under 'root'. */
#define CCSHARED_DMA_ADDRS_DEVICE "dev/ccshared_heap"

/*
 * One physically contiguous piece of a buffer.  The chunks of a buffer,
 * in order, cover it from offset 0 to its size without gaps.
 */
struct ccshared_chunk {
	uint64_t dma_addr;	/* the unencrypted DMA address (below) */
	uint64_t len;		/* bytes, a whole number of pages */
};

/*
 * Where a device that reaches memory without an IOMMU (uio_pci_generic,
 * DPDK in IOVA-as-PA mode) finds the buffer: one entry per chunk, its
 * unencrypted DMA address as the kernel computes it for a device with no
 * bus offset (the physical address on SEV and TDX; with the realm's
 * unprotected bit on Arm CCA).  Adjacent chunks may be contiguous; they
 * are still listed separately.  The addresses hold for the buffer's whole
 * life, and mean nothing through an IOMMU.
 *
 * On success *chunks is a malloc()ed array of *count entries, the
 * caller's to free().  On failure neither is touched.
 * -ENOTSUP: no /dev/ccshared_heap: the kernel's own heap, or a
 *           ccshared_heap module older than this interface;
 * -EPERM:   the caller lacks CAP_SYS_ADMIN (pagemap's rule for PFNs);
 * -EACCES:  /dev/ccshared_heap is not accessible (root-only, 0600);
 * -EINVAL:  'buf' is not a buffer of ccshared_heap (another heap's
 *           dma-buf, development mode's system heap), or a NULL argument;
 * -ENOMEM.  docs/heap.md ("DMA addresses for userspace drivers") says
 * why this is privileged, and safe.
 */
int ccshared_buf_dma_addrs(const struct ccshared_buf *buf,
			   struct ccshared_chunk **chunks, size_t *count);
/* Does <root>/dev/ccshared_heap exist (NULL: the running system)? */
bool ccshared_dma_addrs_present(const char *root);

/*
 * Let the kernel pin the buffer's pages: from this call on, ccshared_buf_map()
 * and every other mmap() of the dma-buf made by this process map it so that
 * pin_user_pages() works, which VFIO type1 and iommufd need to map it into
 * an IOMMU (DPDK in IOVA-as-VA mode).  Other processes' mappings, and a
 * child's copy after fork(), which it does not get, stay unpinnable.  By
 * default the heap's mappings refuse pins: ibv_reg_mr() or O_DIRECT would
 * hand shared memory to the streaming DMA API, which bounces it through
 * swiotlb in a confidential VM, and io_uring rings in user memory and
 * AF_XDP UMEMs would map it with a private (encrypted) alias.  Use this
 * only for memory that goes to an IOMMU mapping.  It cannot be undone.
 * Pages still referenced when the buffer is freed stay shared, held by the
 * heap, until the last reference goes.
 * -EBUSY:   'buf' is already mapped by this handle (that mapping cannot be
 *           pinned; call this before ccshared_buf_map()), or another
 *           process asked for this buffer first;
 * -ENOTSUP: no /dev/ccshared_heap, or a ccshared_heap module without the
 *           call (the kernel's own heap cannot do it);
 * -EPERM, -EACCES, -EINVAL: as for ccshared_buf_dma_addrs().
 * docs/heap.md ("Pinnable mappings") says why this is privileged.
 */
int ccshared_buf_allow_pin(struct ccshared_buf *buf);

/* ---- Helpers ----------------------------------------------------------- */

/*
 * Parse a size: decimal digits, optionally followed by K, M, G or T
 * (powers of 1024, with an optional "iB" or "B"): "4096", "64M", "1GiB".
 * -EINVAL: not a size; -ERANGE: does not fit in size_t.
 */
int ccshared_parse_size(const char *text, size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* CCSHARED_H */
