// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ccshared_heap, CCSHARED_HEAP_IOCTL_DMA_ADDRS (heap/addr.c): the DMA
 * address of every chunk of a buffer, for privileged userspace drivers.
 *
 * Right values: for buffers of 1, 3, 513 and 16384 pages the chunks cover
 * the buffer exactly, each a power-of-two number of pages at an address
 * aligned to its size, inside System RAM of /proc/iomem, none overlapping
 * another (in the buffer or in a second live buffer), and their lowest and
 * highest address are the buffer's physical range as the test importer
 * (a DMA-API mapping, through other code) reports it; in a guest without
 * memory encryption the unencrypted DMA address is the physical one.
 *
 * The count protocol at the limit: room for exactly the chunks, one more
 * (the extra entry untouched), one fewer (E2BIG, the count set, nothing
 * written) and none (the count only).  Bad input: a closed fd and a
 * number never opened (EBADF), a file that is no dma-buf and a dma-buf of
 * the system heap (EINVAL), flags and reserved bits (EINVAL), unreadable
 * arguments and an unwritable array (EFAULT), another ioctl (ENOTTY).
 * Privilege: the node is root's, 0600; without CAP_SYS_ADMIN the open
 * fails and so does an ioctl on an fd opened with it (EPERM).  Nothing
 * leaks: the buffers go when their fds close.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ccshared_heap.h>
#include <linux/dma-heap.h>

#include "heaptest.h"

#define DEV "/dev/ccshared_heap"
#define PAGE 4096ULL

static int dev_fd;

static int dma_addrs(int dev, int fd, uint32_t *count, struct ccshared_heap_chunk *chunks)
{
	struct ccshared_heap_dma_addrs args = {
		.fd = fd, .count = *count, .chunks = (uintptr_t)chunks,
	};
	int ret = ioctl(dev, CCSHARED_HEAP_IOCTL_DMA_ADDRS, &args);

	*count = args.count;
	return ret < 0 ? -errno : 0;
}

struct ram { unsigned long long lo, hi; };

static int system_ram(struct ram *ram, int max)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		/* Top-level ranges only: no leading blanks. */
		if (line[0] != ' ' && strstr(line, ": System RAM") &&
		    sscanf(line, "%llx-%llx", &ram[n].lo, &ram[n].hi) == 2)
			n++;
	}
	fclose(f);
	return n;
}

static bool in_ram(const struct ram *ram, int n, unsigned long long lo,
		   unsigned long long len)
{
	for (int i = 0; i < n; i++)
		if (lo >= ram[i].lo && lo + len - 1 <= ram[i].hi)
			return true;
	return false;
}

static bool overlap(const struct ccshared_heap_chunk *a, uint32_t na,
		    const struct ccshared_heap_chunk *b, uint32_t nb, bool same)
{
	for (uint32_t i = 0; i < na; i++)
		for (uint32_t j = same ? i + 1 : 0; j < nb; j++)
			if (a[i].dma_addr < b[j].dma_addr + b[j].len &&
			    b[j].dma_addr < a[i].dma_addr + a[i].len)
				return true;
	return false;
}

/* Check the chunks of a buffer of @pages pages; returns them (malloc'd). */
static struct ccshared_heap_chunk *check_buffer(int fd, unsigned long long pages,
						uint32_t *countp)
{
	unsigned long long lo = ~0ULL, hi = 0, plo, phi, total = 0;
	struct ccshared_heap_chunk *c;
	struct ram ram[64];
	int nram = system_ram(ram, 64);
	uint32_t count = 0;
	bool shape = true, ram_ok = true;

	is_int(dma_addrs(dev_fd, fd, &count, NULL), 0, "%llu pages: count query", pages);
	ok(count >= 1 && count <= pages, "%llu pages: %u chunks", pages, count);
	c = calloc(count + 1, sizeof(*c));
	if (!c)
		tap_bail("out of memory");
	is_int(dma_addrs(dev_fd, fd, &count, c), 0, "%llu pages: the chunks", pages);
	for (uint32_t i = 0; i < count; i++) {
		unsigned long long len = c[i].len;

		if (!len || len % PAGE || (len & (len - 1)) || c[i].dma_addr % len)
			shape = false;
		if (!in_ram(ram, nram, c[i].dma_addr, len))
			ram_ok = false;
		total += len;
		lo = c[i].dma_addr < lo ? c[i].dma_addr : lo;
		hi = c[i].dma_addr + len - 1 > hi ? c[i].dma_addr + len - 1 : hi;
	}
	is_int(total, pages * PAGE, "%llu pages: the chunks add up to the buffer", pages);
	ok(shape, "%llu pages: each chunk a power of two of pages, aligned to its size", pages);
	ok(nram > 0 && ram_ok, "%llu pages: every chunk inside System RAM (%d ranges)", pages, nram);
	ok(!overlap(c, count, c, count, true), "%llu pages: no two chunks overlap", pages);
	if (heap_buffer_phys(fd, &plo, &phi)) {
		ok(0, "%llu pages: the test importer reports the physical range", pages);
	} else {
		ok(lo == plo && hi == phi,
		   "%llu pages: lowest and highest address %#llx-%#llx are the importer's %#llx-%#llx",
		   pages, lo, hi, plo, phi);
	}
	*countp = count;
	return c;
}

static void limits(int fd)
{
	struct ccshared_heap_chunk *c, *w;
	uint32_t n = 0, count;

	dma_addrs(dev_fd, fd, &n, NULL);
	c = calloc(n + 2, sizeof(*c));
	w = calloc(n + 2, sizeof(*w));
	if (!c || !w)
		tap_bail("out of memory");

	memset(c, 0xa5, (n + 2) * sizeof(*c));
	count = n + 1;
	is_int(dma_addrs(dev_fd, fd, &count, c), 0, "room for %u chunks, one more than needed", n + 1);
	is_int(count, n, "... the count is the buffer's");
	memset(w, 0xa5, sizeof(*w));
	ok(!memcmp(&c[n], w, sizeof(*w)), "... the extra entry is untouched");

	count = n;
	is_int(dma_addrs(dev_fd, fd, &count, c), 0, "room for exactly %u chunks", n);

	memset(c, 0xa5, (n + 2) * sizeof(*c));
	memset(w, 0xa5, (n + 2) * sizeof(*w));
	count = n - 1;
	is_int(dma_addrs(dev_fd, fd, &count, c), -E2BIG, "room for %u, one fewer: E2BIG", n - 1);
	is_int(count, n, "... and the count says how many");
	ok(!memcmp(c, w, (n + 2) * sizeof(*c)), "... and nothing was written");
	free(c);
	free(w);
}

static void bad_input(int fd, int heap_fd)
{
	struct ccshared_heap_dma_addrs args = { .fd = fd };
	struct ccshared_heap_chunk c[64];
	uint32_t count = 0;
	int sys_heap, sys_buf, null_fd, closed;
	void *ro;

	closed = dup(fd);
	close(closed);
	is_int(dma_addrs(dev_fd, closed, &count, NULL), -EBADF, "a closed fd: EBADF");
	count = 0;
	is_int(dma_addrs(dev_fd, 999999, &count, NULL), -EBADF, "a number never opened: EBADF");
	count = 0;
	is_int(dma_addrs(dev_fd, -1, &count, NULL), -EBADF, "fd -1: EBADF");
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	count = 0;
	is_int(dma_addrs(dev_fd, null_fd, &count, NULL), -EINVAL, "a file that is no dma-buf: EINVAL");
	close(null_fd);
	count = 0;
	is_int(dma_addrs(dev_fd, heap_fd, &count, NULL), -EINVAL, "the heap's own fd: EINVAL");

	sys_heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (sys_heap >= 0 && heap_alloc(sys_heap, PAGE, O_RDWR | O_CLOEXEC, 0, &sys_buf) == 0) {
		count = 0;
		is_int(dma_addrs(dev_fd, sys_buf, &count, NULL), -EINVAL,
		       "a dma-buf of the system heap: EINVAL");
		close(sys_buf);
	} else {
		ok(0, "a dma-buf of the system heap (cannot allocate one: %s)", strerror(errno));
	}
	if (sys_heap >= 0)
		close(sys_heap);

	args.flags = 1;
	ok(ioctl(dev_fd, CCSHARED_HEAP_IOCTL_DMA_ADDRS, &args) < 0 && errno == EINVAL,
	   "flags 1: EINVAL");
	args.flags = 1U << 31;
	ok(ioctl(dev_fd, CCSHARED_HEAP_IOCTL_DMA_ADDRS, &args) < 0 && errno == EINVAL,
	   "flags bit 31: EINVAL");
	args.flags = 0;
	args.reserved = 1;
	ok(ioctl(dev_fd, CCSHARED_HEAP_IOCTL_DMA_ADDRS, &args) < 0 && errno == EINVAL,
	   "reserved 1: EINVAL");
	args.reserved = 0;

	ok(ioctl(dev_fd, CCSHARED_HEAP_IOCTL_DMA_ADDRS, (void *)16) < 0 && errno == EFAULT,
	   "an unreadable argument: EFAULT");
	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(c, &args, sizeof(args));
	args.count = 64;
	args.chunks = (uintptr_t)ro;
	ok(ioctl(dev_fd, CCSHARED_HEAP_IOCTL_DMA_ADDRS, &args) < 0 && errno == EFAULT,
	   "a read-only chunk array: EFAULT");
	args.chunks = 8;
	ok(ioctl(dev_fd, CCSHARED_HEAP_IOCTL_DMA_ADDRS, &args) < 0 && errno == EFAULT,
	   "an unmapped chunk array: EFAULT");
	munmap(ro, PAGE);
	ok(ioctl(dev_fd, _IOWR(CCSHARED_HEAP_IOC_MAGIC, 0x41, struct ccshared_heap_dma_addrs),
		 &args) < 0 && errno == ENOTTY, "another command number: ENOTTY");
	ok(ioctl(dev_fd, _IOR(CCSHARED_HEAP_IOC_MAGIC, 0x40, struct ccshared_heap_dma_addrs),
		 &args) < 0 && errno == ENOTTY, "the number with another direction: ENOTTY");
}

/* In a child: @what is 0 for the ioctl on an inherited fd, 1 for the open. */
static int unprivileged(int fd, int what)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		uint32_t count = 0;
		int d;

		if (heap_drop_sys_admin())
			_exit(100);
		if (what == 0)
			_exit(-dma_addrs(dev_fd, fd, &count, NULL));
		d = open(DEV, O_RDWR | O_CLOEXEC);
		_exit(d < 0 ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void privilege(int fd)
{
	struct stat st = { 0 };

	int sret = stat(DEV, &st);

	ok(sret == 0 && S_ISCHR(st.st_mode) && (st.st_mode & 0777) == 0600 &&
	   st.st_uid == 0, DEV " is a character device, root's, mode 0600 (%o)",
	   (unsigned int)(st.st_mode & 0777));
	is_int(unprivileged(fd, 0), EPERM, "without CAP_SYS_ADMIN, an ioctl on an fd opened with it: EPERM");
	is_int(unprivileged(fd, 1), EPERM, "without CAP_SYS_ADMIN, open: EPERM");
}

int main(void)
{
	static const unsigned long long sizes[] = { 1, 3, 513, 16384 };
	struct ccshared_heap_chunk *c[4];
	uint32_t n[4];
	struct heap_stats before;
	int heap_fd, fds[4];

	tap_plan(4 * 8 + 1 + 7 + 14 + 3 + 1);
	if (heap_setup())
		tap_bail("cannot load ccshared_heap");
	heap_read_stats(&before);
	dev_fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		tap_bail("cannot open " DEV ": %s", strerror(errno));
	heap_fd = heap_open();

	for (int i = 0; i < 4; i++) {
		if (heap_alloc(heap_fd, sizes[i] * PAGE, O_RDWR | O_CLOEXEC, 0, &fds[i]))
			tap_bail("cannot allocate %llu pages", sizes[i]);
		c[i] = check_buffer(fds[i], sizes[i], &n[i]);
	}
	ok(!overlap(c[2], n[2], c[3], n[3], false) && !overlap(c[1], n[1], c[3], n[3], false),
	   "the chunks of two live buffers do not overlap");
	limits(fds[3]);
	bad_input(fds[0], heap_fd);
	privilege(fds[0]);

	for (int i = 0; i < 4; i++) {
		close(fds[i]);
		free(c[i]);
	}
	close(heap_fd);
	close(dev_fd);
	heap_ok_nothing_leaked(&before, "every buffer went with its fd");
	heap_teardown();
	return tap_done();
}
