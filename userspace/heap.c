// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The heap and its buffers: DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/<name>,
 * then mmap, DMA_BUF_IOCTL_SYNC and DMA_BUF_SET_NAME on the dma-buf fd.
 * The same uapi works whether the kernel's heap framework or ccshared's
 * misc-device compat path (6.12) serves the heap.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/ccshared_heap.h>

#include "ccshared.h"
#include "internal.h"

struct ccshared_heap {
	int fd;
	bool fallback;
	char name[NAME_MAX + 1];
};

struct ccshared_buf {
	int fd;
	size_t size;
	/* Set once by whichever thread maps first; see ccshared_buf_map(). */
	_Atomic(void *) addr;
};

static int heap_open_device(const char *root, const char *name, int *fd)
{
	char relative[sizeof("dev/dma_heap/") + NAME_MAX], path[PATH_MAX];
	int ret;

	snprintf(relative, sizeof(relative), "dev/dma_heap/%s", name);
	ret = ccs_path(path, sizeof(path), root, relative);
	if (ret)
		return ret;
	*fd = open(path, O_RDWR | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

int ccshared_heap_open_at(const char *root, const char *name,
			  unsigned int flags, struct ccshared_heap **heapp)
{
	struct ccshared_platform_info platform;
	struct ccshared_heap *heap;
	bool fallback = false;
	int fd, ret;

	if (!name)
		name = CCSHARED_HEAP_DEFAULT;
	/* A name is one entry of /dev/dma_heap, never a path out of it. */
	if (!heapp || (flags & ~CCSHARED_HEAP_DEVELOPMENT) || !*name ||
	    strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strlen(name) > NAME_MAX)
		return -EINVAL;

	ret = heap_open_device(root, name, &fd);
	if (ret == -ENOENT && (flags & CCSHARED_HEAP_DEVELOPMENT) &&
	    strcmp(name, CCSHARED_HEAP_SYSTEM) != 0) {
		/*
		 * In a confidential guest the system heap's memory is private:
		 * handing it out as "shared" would make every DMA bounce or
		 * fail.  Fall back only where nothing is encrypted anyway.
		 */
		ret = ccshared_detect(root, &platform);
		if (ret)
			return ret;
		if (platform.platform != CCSHARED_PLATFORM_NONE)
			return -ENOENT;
		ret = heap_open_device(root, CCSHARED_HEAP_SYSTEM, &fd);
		name = CCSHARED_HEAP_SYSTEM;
		fallback = true;
	}
	if (ret)
		return ret;

	heap = calloc(1, sizeof(*heap));
	if (!heap) {
		close(fd);
		return -ENOMEM;
	}
	heap->fd = fd;
	heap->fallback = fallback;
	snprintf(heap->name, sizeof(heap->name), "%s", name);
	*heapp = heap;
	return 0;
}

int ccshared_heap_open(const char *name, unsigned int flags,
		       struct ccshared_heap **heapp)
{
	return ccshared_heap_open_at(NULL, name, flags, heapp);
}

const char *ccshared_heap_name(const struct ccshared_heap *heap)
{
	return heap->name;
}

bool ccshared_heap_is_fallback(const struct ccshared_heap *heap)
{
	return heap->fallback;
}

void ccshared_heap_close(struct ccshared_heap *heap)
{
	if (!heap)
		return;
	close(heap->fd);
	free(heap);
}

int ccshared_buf_alloc(struct ccshared_heap *heap, size_t size,
		       unsigned int flags, struct ccshared_buf **bufp)
{
	struct dma_heap_allocation_data data = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct ccshared_buf *buf;
	off_t end;
	void *addr;
	int ret;

	if (!heap || !bufp || !size || size > ccs_max_buf_size() ||
	    (flags & ~CCSHARED_BUF_MAP_EAGER))
		return -EINVAL;
	buf = calloc(1, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	if (ioctl(heap->fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0) {
		ret = -errno;
		goto free_buf;
	}
	buf->fd = (int)data.fd;

	/* The kernel rounds the length up; the dma-buf knows its real size. */
	end = lseek(buf->fd, 0, SEEK_END);
	if (end < 0) {
		ret = -errno;
		goto close_fd;
	}
	buf->size = (size_t)end;
	atomic_init(&buf->addr, NULL);

	if (flags & CCSHARED_BUF_MAP_EAGER) {
		ret = ccshared_buf_map(buf, &addr);
		if (ret)
			goto close_fd;
	}
	*bufp = buf;
	return 0;

close_fd:
	close(buf->fd);
free_buf:
	free(buf);
	return ret;
}

int ccshared_buf_import(int fd, struct ccshared_buf **bufp)
{
	struct ccshared_buf *buf;
	off_t end;

	if (fd < 0 || !bufp)
		return -EINVAL;
	end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return -errno;
	buf = calloc(1, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	buf->fd = fd;
	buf->size = (size_t)end;
	atomic_init(&buf->addr, NULL);
	*bufp = buf;
	return 0;
}

int ccshared_buf_fd(const struct ccshared_buf *buf)
{
	return buf->fd;
}

size_t ccshared_buf_size(const struct ccshared_buf *buf)
{
	return buf->size;
}

int ccshared_buf_map(struct ccshared_buf *buf, void **addrp)
{
	void *addr, *expected = NULL;

	if (!buf || !addrp)
		return -EINVAL;
	addr = atomic_load_explicit(&buf->addr, memory_order_acquire);
	if (addr) {
		*addrp = addr;
		return 0;
	}
	/*
	 * Read-write, always: on an fd not open read-write the kernel's own
	 * mmap checks refuse it with EACCES before the exporter is asked,
	 * which is the documented answer (not a read-only mapping that would
	 * fault on the first write).
	 */
	addr = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED, buf->fd, 0);
	if (addr == MAP_FAILED)
		return -errno;
	/* Two threads may race to map; the loser drops its mapping. */
	if (!atomic_compare_exchange_strong_explicit(&buf->addr, &expected, addr,
						     memory_order_acq_rel,
						     memory_order_acquire)) {
		munmap(addr, buf->size);
		addr = expected;
	}
	*addrp = addr;
	return 0;
}

void *ccshared_buf_addr(const struct ccshared_buf *buf)
{
	return atomic_load_explicit(&((struct ccshared_buf *)buf)->addr,
				    memory_order_acquire);
}

static int buf_sync(struct ccshared_buf *buf, unsigned int direction, uint64_t phase)
{
	struct dma_buf_sync sync = { .flags = phase };

	if (!buf || !direction || (direction & ~CCSHARED_SYNC_RW))
		return -EINVAL;
	if (direction & CCSHARED_SYNC_READ)
		sync.flags |= DMA_BUF_SYNC_READ;
	if (direction & CCSHARED_SYNC_WRITE)
		sync.flags |= DMA_BUF_SYNC_WRITE;
	/* The kernel may wait for fences here; a signal must not fail us. */
	while (ioctl(buf->fd, DMA_BUF_IOCTL_SYNC, &sync) < 0) {
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
	}
	return 0;
}

int ccshared_buf_sync_begin(struct ccshared_buf *buf, unsigned int direction)
{
	return buf_sync(buf, direction, DMA_BUF_SYNC_START);
}

int ccshared_buf_sync_end(struct ccshared_buf *buf, unsigned int direction)
{
	return buf_sync(buf, direction, DMA_BUF_SYNC_END);
}

int ccshared_buf_set_name(struct ccshared_buf *buf, const char *name)
{
	if (!buf || !name || strlen(name) >= DMA_BUF_NAME_LEN)
		return -EINVAL;
	if (ioctl(buf->fd, DMA_BUF_SET_NAME, name) < 0)
		return -errno;
	return 0;
}

void ccshared_buf_free(struct ccshared_buf *buf)
{
	void *addr;

	if (!buf)
		return;
	addr = ccshared_buf_addr(buf);
	if (addr)
		munmap(addr, buf->size);
	close(buf->fd);
	free(buf);
}

/*
 * /dev/ccshared_heap belongs to ccshared_heap.ko from the version that
 * added CCSHARED_HEAP_IOCTL_DMA_ADDRS on; the kernel's own heap and older
 * modules have no such device.
 */
static int dma_addrs_open(const char *root, int *fd)
{
	char path[PATH_MAX];
	int ret;

	ret = ccs_path(path, sizeof(path), root, CCSHARED_DMA_ADDRS_DEVICE);
	if (ret)
		return ret;
	*fd = open(path, O_RDWR | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	return errno == ENOENT ? -ENOTSUP : -errno;
}

bool ccshared_dma_addrs_present(const char *root)
{
	return ccs_exists(root, CCSHARED_DMA_ADDRS_DEVICE);
}

int ccshared_buf_dma_addrs(const struct ccshared_buf *buf,
			   struct ccshared_chunk **chunksp, size_t *countp)
{
	struct ccshared_heap_dma_addrs args = { 0 };
	struct ccshared_heap_chunk *kchunks = NULL;
	struct ccshared_chunk *chunks;
	uint32_t count;
	int dev, ret;

	if (!buf || !chunksp || !countp)
		return -EINVAL;
	ret = dma_addrs_open(NULL, &dev);
	if (ret)
		return ret;

	args.fd = buf->fd;
	/* A buffer's chunks are fixed for its life: ask, then fetch. */
	if (ioctl(dev, CCSHARED_HEAP_IOCTL_DMA_ADDRS, &args) < 0) {
		ret = -errno;
		goto out;
	}
	count = args.count;
	kchunks = calloc(count ? count : 1, sizeof(*kchunks));
	if (!kchunks) {
		ret = -ENOMEM;
		goto out;
	}
	args.count = count;
	args.chunks = (uintptr_t)kchunks;
	if (ioctl(dev, CCSHARED_HEAP_IOCTL_DMA_ADDRS, &args) < 0) {
		ret = -errno;
		goto out;
	}
	if (args.count != count) {
		ret = -EIO;
		goto out;
	}
	/* The same layout, but the library's own type, not the kernel's. */
	chunks = calloc(count ? count : 1, sizeof(*chunks));
	if (!chunks) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < count; i++) {
		chunks[i].dma_addr = kchunks[i].dma_addr;
		chunks[i].len = kchunks[i].len;
	}
	*chunksp = chunks;
	*countp = count;
	ret = 0;
out:
	free(kchunks);
	close(dev);
	return ret;
}

int ccshared_buf_allow_pin(struct ccshared_buf *buf)
{
	struct ccshared_heap_pinnable args = { 0 };
	int dev, ret = 0;

	if (!buf)
		return -EINVAL;
	/* Mappings made before the switch stay unpinnable. */
	if (ccshared_buf_addr(buf))
		return -EBUSY;
	ret = dma_addrs_open(NULL, &dev);
	if (ret)
		return ret;
	args.fd = buf->fd;
	if (ioctl(dev, CCSHARED_HEAP_IOCTL_PINNABLE, &args) < 0)
		/* A module from before the call has the device, not the call. */
		ret = errno == ENOTTY ? -ENOTSUP : -errno;
	close(dev);
	return ret;
}
