// SPDX-License-Identifier: GPL-2.0
/*
 * Pinnable mappings, CCSHARED_HEAP_IOCTL_PINNABLE (heap/pin.c), and the
 * chunks the heap holds while a pin outlives their buffer.
 *
 * The default stays: a mapping made without the call, or before it,
 * refuses a long-term pin (io_uring's buffer registration, the same
 * pin_user_pages(FOLL_LONGTERM) VFIO type1 does) and a plain one
 * (process_vm_readv) with EFAULT.
 *
 * Right values: for buffers of 1, 513 (mixed chunk orders) and 16384
 * pages (2 MiB chunks), a mapping made after the call can be pinned both
 * ways, and what the pin reads is what the mapping wrote; a second
 * mapping at a page offset sees the same bytes at the same offsets.
 *
 * Only the process that asked: a child inherits no pinnable mapping, its own
 * mapping of the fd cannot be pinned, and its asking fails with EBUSY; the
 * parent's mapping still can.
 *
 * A pin that outlives its buffer: the buffer's 513 pages stay out of
 * circulation, counted in held_pages (and buffer_pages, so the page
 * accounting still adds up), while the buffer itself is gone; a buffer
 * of the same size allocated meanwhile does not get them (with the bug
 * this guards against, the pool would hand them straight back); once the
 * pin goes they return within seconds and nothing leaked.
 *
 * Unloading (the misc-device heap of 6.12, which can be unloaded) while a
 * freed buffer's pages are still pinned succeeds, and says that it leaks
 * them: the heap keeps its reference, so they are never freed while shared.
 *
 * Bad input: flags (EINVAL), a closed fd (EBADF), a file that is no
 * dma-buf and a dma-buf of the system heap (EINVAL), an unreadable
 * argument (EFAULT), no CAP_SYS_ADMIN (EPERM); a private or too long
 * mapping of a pinnable buffer is refused as for any buffer (EINVAL).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ccshared_heap.h>
#include <linux/io_uring.h>

#include "heaptest.h"

#define DEV "/dev/ccshared_heap"
#define PAGE 4096UL

static int dev_fd;

static int pinnable(int dev, int fd, unsigned int flags)
{
	struct ccshared_heap_pinnable args = { .fd = fd, .flags = flags };

	return ioctl(dev, CCSHARED_HEAP_IOCTL_PINNABLE, &args) < 0 ? -errno : 0;
}

/* An io_uring with @addr registered as a fixed buffer: a long-term pin. */
static int uring_pin(void *addr, size_t len, int *ring)
{
	struct io_uring_params params = { 0 };
	struct iovec iov = { .iov_base = addr, .iov_len = len };
	int fd, ret;

	fd = syscall(__NR_io_uring_setup, 4, &params);
	if (fd < 0)
		tap_bail("io_uring_setup: %s", strerror(errno));
	ret = syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS, &iov, 1);
	if (ret < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	*ring = fd;
	return 0;
}

static void uring_unpin(int ring)
{
	if (syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS, NULL, 0) < 0)
		tap_diag("IORING_UNREGISTER_BUFFERS: %s", strerror(errno));
	close(ring);
}

/* Read @len bytes at @addr of this process through get_user_pages(). */
static int gup_read(void *addr, size_t len, void *out)
{
	struct iovec local = { .iov_base = out, .iov_len = len };
	struct iovec remote = { .iov_base = addr, .iov_len = len };
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static void *map(int fd, size_t len, off_t offset)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);

	return p == MAP_FAILED ? NULL : p;
}

static void default_refuses(int heap_fd)
{
	void *p, *q, *tmp = malloc(4 * PAGE);
	int fd, ring = -1;

	if (heap_alloc(heap_fd, 4 * PAGE, O_RDWR | O_CLOEXEC, 0, &fd) || !tmp)
		tap_bail("cannot allocate 4 pages");
	p = map(fd, 4 * PAGE, 0);
	if (!p)
		tap_bail("cannot map 4 pages: %s", strerror(errno));
	is_int(uring_pin(p, 4 * PAGE, &ring), -EFAULT,
	       "a default mapping refuses a long-term pin (io_uring buffer): EFAULT");
	is_int(gup_read(p, 4 * PAGE, tmp), -EFAULT,
	       "a default mapping refuses get_user_pages (process_vm_readv): EFAULT");

	is_int(pinnable(dev_fd, fd, 0), 0, "CCSHARED_HEAP_IOCTL_PINNABLE on a mapped buffer");
	is_int(uring_pin(p, 4 * PAGE, &ring), -EFAULT,
	       "a mapping made before the call still refuses a pin");
	q = map(fd, 4 * PAGE, 0);
	ok(q && uring_pin(q, 4 * PAGE, &ring) == 0, "a mapping made after it can be pinned");
	if (ring >= 0)
		uring_unpin(ring);
	is_int(pinnable(dev_fd, fd, 0), 0, "asking twice is no error");
	if (q)
		munmap(q, 4 * PAGE);
	munmap(p, 4 * PAGE);
	close(fd);
	free(tmp);
}

static void right_values(int heap_fd, unsigned long pages)
{
	size_t len = pages * PAGE;
	unsigned long off = pages > 8 ? 7 : 0;
	unsigned char *p, *q, *copy = malloc(len);
	int fd, ring;

	if (heap_alloc(heap_fd, len, O_RDWR | O_CLOEXEC, 0, &fd) || !copy)
		tap_bail("cannot allocate %lu pages", pages);
	if (pinnable(dev_fd, fd, 0))
		tap_bail("CCSHARED_HEAP_IOCTL_PINNABLE: %s", strerror(errno));
	p = map(fd, len, 0);
	if (!p)
		tap_bail("cannot map %lu pinnable pages: %s", pages, strerror(errno));
	ok(all_zero(p, len), "%lu pages: a pinnable mapping reads zeroes first", pages);
	fill_pattern(p, len, pages);
	ok(gup_read(p, len, copy) == 0 && check_pattern(copy, len, pages),
	   "%lu pages: get_user_pages reads what the mapping wrote", pages);
	q = map(fd, len - off * PAGE, off * PAGE);
	ok(q && !memcmp(q, p + off * PAGE, len - off * PAGE),
	   "%lu pages: a mapping at page offset %lu sees the same bytes", pages, off);
	if (q)
		munmap(q, len - off * PAGE);
	ok(uring_pin(p, len, &ring) == 0, "%lu pages: a long-term pin of the whole buffer", pages);
	uring_unpin(ring);
	munmap(p, len);
	close(fd);
	free(copy);
}

static void other_process(int heap_fd)
{
	const size_t len = 16 * PAGE;
	unsigned char *p, *copy = malloc(len);
	int fd, status, bits = -1;
	pid_t pid;

	if (heap_alloc(heap_fd, len, O_RDWR | O_CLOEXEC, 0, &fd) || !copy ||
	    pinnable(dev_fd, fd, 0) || !(p = map(fd, len, 0)))
		tap_bail("cannot set up a pinnable buffer of 16 pages");
	pid = fork();
	if (pid == 0) {
		void *q = map(fd, len, 0);

		_exit((gup_read(p, len, copy) == -EFAULT) |
		      (q && gup_read(q, len, copy) == -EFAULT) << 1 |
		      (pinnable(dev_fd, fd, 0) == -EBUSY) << 2);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		bits = WEXITSTATUS(status);
	ok(bits >= 0 && (bits & 1), "a child inherits no pinnable mapping (EFAULT at its address)");
	ok(bits >= 0 && (bits & 2), "a child's own mapping of the fd cannot be pinned (EFAULT)");
	ok(bits >= 0 && (bits & 4), "a child asking for it, with CAP_SYS_ADMIN: EBUSY");
	ok(gup_read(p, len, copy) == 0, "the parent's mapping can still be pinned");
	munmap(p, len);
	close(fd);
	free(copy);
}

static bool chunks_overlap(const struct ccshared_heap_chunk *a, uint32_t na,
			   const struct ccshared_heap_chunk *b, uint32_t nb)
{
	for (uint32_t i = 0; i < na; i++)
		for (uint32_t j = 0; j < nb; j++)
			if (a[i].dma_addr < b[j].dma_addr + b[j].len &&
			    b[j].dma_addr < a[i].dma_addr + a[i].len)
				return true;
	return false;
}

static struct ccshared_heap_chunk *chunks_of(int fd, uint32_t *n)
{
	struct ccshared_heap_dma_addrs args = { .fd = fd };
	struct ccshared_heap_chunk *c;

	if (ioctl(dev_fd, CCSHARED_HEAP_IOCTL_DMA_ADDRS, &args) < 0)
		tap_bail("DMA_ADDRS: %s", strerror(errno));
	c = calloc(args.count, sizeof(*c));
	args.chunks = (uintptr_t)c;
	if (!c || ioctl(dev_fd, CCSHARED_HEAP_IOCTL_DMA_ADDRS, &args) < 0)
		tap_bail("DMA_ADDRS: %s", strerror(errno));
	*n = args.count;
	return c;
}

static long held_pages(void)
{
	char buf[2048], *at;

	if (read_file(HEAP_DEBUGFS "/stats", buf, sizeof(buf)) < 0 ||
	    !(at = strstr(buf, "held_pages: ")))
		tap_bail("cannot read held_pages from " HEAP_DEBUGFS "/stats");
	return strtol(at + strlen("held_pages: "), NULL, 10);
}

static void held(int heap_fd, const struct heap_stats *before)
{
	const unsigned long pages = 513;
	struct ccshared_heap_chunk *old, *new;
	uint32_t n_old, n_new;
	struct heap_stats st;
	int fd, fd2, ring;
	unsigned char *p;
	long h = -1;

	if (heap_alloc(heap_fd, pages * PAGE, O_RDWR | O_CLOEXEC, 0, &fd) ||
	    pinnable(dev_fd, fd, 0) || !(p = map(fd, pages * PAGE, 0)))
		tap_bail("cannot set up a pinnable buffer of %lu pages", pages);
	fill_pattern(p, pages * PAGE, 1);
	if (uring_pin(p, pages * PAGE, &ring))
		tap_bail("cannot pin the buffer");
	old = chunks_of(fd, &n_old);
	munmap(p, pages * PAGE);
	close(fd);

	heap_read_stats(&st);
	is_int(st.buffers, before->buffers, "pinned past its end: the buffer itself is gone");
	is_int(held_pages(), pages, "its %lu pages are held", pages);
	is_int(heap_pages_unaccounted(&st), 0, "held pages are accounted for (in buffer_pages)");
	is_int(st.leaked_pages, before->leaked_pages, "held, not leaked");

	if (heap_alloc(heap_fd, pages * PAGE, O_RDWR | O_CLOEXEC, 0, &fd2))
		tap_bail("cannot allocate a second buffer");
	new = chunks_of(fd2, &n_new);
	ok(!chunks_overlap(old, n_old, new, n_new),
	   "a buffer allocated meanwhile gets none of the held pages");
	close(fd2);
	free(new);
	free(old);

	uring_unpin(ring);
	for (int i = 0; i < 100 && (h = held_pages()) != 0; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	is_int(h, 0, "once unpinned, the held pages go back within 10 s");
}

static void bad_input(int heap_fd)
{
	int fd, closed, null_fd, sys_heap, sys_fd;
	pid_t pid;
	int status;

	if (heap_alloc(heap_fd, PAGE, O_RDWR | O_CLOEXEC, 0, &fd) ||
	    heap_alloc(heap_fd, PAGE, O_RDWR | O_CLOEXEC, 0, &closed))
		tap_bail("cannot allocate a page");
	close(closed);
	is_int(pinnable(dev_fd, fd, 1), -EINVAL, "flags: EINVAL");
	is_int(pinnable(dev_fd, closed, 0), -EBADF, "a closed fd: EBADF");
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	is_int(pinnable(dev_fd, null_fd, 0), -EINVAL, "a file that is no dma-buf: EINVAL");
	close(null_fd);
	sys_heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (sys_heap >= 0 && heap_alloc(sys_heap, PAGE, O_RDWR | O_CLOEXEC, 0, &sys_fd) == 0) {
		is_int(pinnable(dev_fd, sys_fd, 0), -EINVAL, "a dma-buf of the system heap: EINVAL");
		close(sys_fd);
	} else {
		ok(0, "a dma-buf of the system heap (cannot allocate one: %s)", strerror(errno));
	}
	if (sys_heap >= 0)
		close(sys_heap);
	ok(ioctl(dev_fd, CCSHARED_HEAP_IOCTL_PINNABLE, (void *)8) < 0 && errno == EFAULT,
	   "an unreadable argument: EFAULT");

	pid = fork();
	if (pid == 0) {
		if (heap_drop_sys_admin())
			_exit(100);
		_exit(-pinnable(dev_fd, fd, 0));
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	   WEXITSTATUS(status) == EPERM, "without CAP_SYS_ADMIN, on an fd opened with it: EPERM");

	if (pinnable(dev_fd, fd, 0))
		tap_bail("CCSHARED_HEAP_IOCTL_PINNABLE: %s", strerror(errno));
	ok(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0) == MAP_FAILED &&
	   errno == EINVAL, "a private mapping of a pinnable buffer: EINVAL");
	ok(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
	   errno == EINVAL, "a pinnable mapping past the end: EINVAL");
	close(fd);
}

/* The module goes; the pinned chunk stays, with the heap's reference. */
static void unload_while_pinned(void)
{
	const char *said = "still pinned: leaking them";
	int heap_fd = heap_open(), fd, ring, before = klog_count(said);
	unsigned char *p;

	dev_fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0 || heap_alloc(heap_fd, 16 * PAGE, O_RDWR | O_CLOEXEC, 0, &fd) ||
	    pinnable(dev_fd, fd, 0) || !(p = map(fd, 16 * PAGE, 0)) ||
	    uring_pin(p, 16 * PAGE, &ring))
		tap_bail("cannot set up a pinned buffer of 16 pages");
	munmap(p, 16 * PAGE);
	close(fd);
	close(heap_fd);
	close(dev_fd);
	ok(system("rmmod ccshared_heap >&2") == 0,
	   "unloading while a freed buffer is still pinned succeeds");
	ok(klog_count(said) > before, "... and says that it leaks the pinned pages");
	uring_unpin(ring);
}

int main(void)
{
	static const unsigned long sizes[] = { 1, 513, 16384 };
	struct heap_stats before;
	int heap_fd;

	tap_plan(6 + 3 * 4 + 4 + 6 + 8 + 1 + 2);
	if (heap_setup())
		tap_bail("cannot load ccshared_heap");
	heap_read_stats(&before);
	dev_fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		tap_bail("cannot open " DEV ": %s", strerror(errno));
	heap_fd = heap_open();

	default_refuses(heap_fd);
	for (int i = 0; i < 3; i++)
		right_values(heap_fd, sizes[i]);
	other_process(heap_fd);
	held(heap_fd, &before);
	bad_input(heap_fd);

	close(heap_fd);
	close(dev_fd);
	heap_ok_nothing_leaked(&before, "every buffer went with its fd, and every pin with its ring");
	if (heap_is_misc()) {
		unload_while_pinned();	/* and so the teardown */
	} else {
		tap_skip(TAP_BY_DESIGN "a heap added with dma_heap_add() (7.x) cannot be unloaded",
			 "unloading while pinned");
		tap_skip(TAP_BY_DESIGN "a heap added with dma_heap_add() (7.x) cannot be unloaded",
			 "... says that it leaks the pinned pages");
		heap_teardown();
	}
	return tap_done();
}
