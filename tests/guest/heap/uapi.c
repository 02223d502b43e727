// SPDX-License-Identifier: GPL-2.0
/*
 * The heap device answers like the dma-heap core (drivers/dma-buf/
 * dma-heap.c) of the same kernel: the same inputs go to /dev/dma_heap/
 * system and to system_cc_shared, and each must give the same result, the
 * same errno, and leave the same file descriptors behind.  On 7.x both
 * are the core's; on 6.12 system_cc_shared is the module's misc device,
 * which must copy the core's answers.
 *
 * Inputs: allocation structs shorter and longer than today's, every ioctl
 * direction, unknown numbers and types, fd_flags, heap_flags, lengths,
 * unreadable and unwritable arguments, the node opened O_RDONLY, O_WRONLY
 * and O_RDWR, read, write, pread, lseek, poll, mmap, fstat, fdinfo and the
 * generic ioctls the VFS answers itself.
 *
 * The exception (docs/heap.md): the core matches only the ioctl number,
 * so a command of another type numbered 0 (DMA_BUF_IOCTL_SYNC sent to the
 * heap by mistake, say), or one whose output is too short to carry the new
 * fd, allocates a buffer and installs an fd that the caller never learns
 * about.  The misc device refuses those (ENOTTY for another type, EINVAL
 * for no room to return the fd) and installs nothing;
 * on 7.x the core answers for our heap too, so there both leak alike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/fs.h>

#include "heaptest.h"

#define SYSTEM_HEAP "/dev/dma_heap/system"
#define PAGE 4096UL
#define MAX_IOC_SIZE ((1U << _IOC_SIZEBITS) - 1)

/* What one call did: its return value, errno, and an fd it left behind. */
struct outcome {
	long ret;
	int err;
	bool new_fd;		/* an fd was installed at the lowest free number */
	bool new_fd_told;	/* ... and the struct handed back named it */
	char detail[96];	/* anything else to compare */
};

static bool misc;		/* system_cc_shared is the 6.12 misc device */
static unsigned char *arena;	/* MAX_IOC_SIZE bytes, then an inaccessible page */
static size_t arena_len;

static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		tap_bail("cannot open /dev/null: %s", strerror(errno));
	close(fd);
	return fd;
}

/* Close an fd the call installed at @probe, and say whether it is a dma-buf. */
static bool reap_fd(int probe)
{
	char path[64], target[128];
	ssize_t n;

	if (fcntl(probe, F_GETFD) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", probe);
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	if (!strstr(target, "dmabuf"))
		tap_diag("fd %d after the call is not a dma-buf: %s", probe, target);
	close(probe);
	return true;
}

static bool same(const struct outcome *a, const struct outcome *b)
{
	return a->ret == b->ret && a->err == b->err && a->new_fd == b->new_fd &&
	       a->new_fd_told == b->new_fd_told && !strcmp(a->detail, b->detail);
}

static void describe(const struct outcome *o, char *buf, size_t size)
{
	snprintf(buf, size, "%ld%s%s%s%s%s%s", o->ret, o->ret < 0 ? " " : "",
		 o->ret < 0 ? strerrorname_np(o->err) : "",
		 o->new_fd ? (o->new_fd_told ? ", an fd" : ", an fd the caller is not told") : "",
		 o->detail[0] ? " [" : "", o->detail, o->detail[0] ? "]" : "");
}

/*
 * Same result on both heaps, or, for an exception, a refusal on the misc
 * device.  @refused is the errno the misc device refuses with where
 * it leaves the core (0: nowhere): ENOTTY for another type, as in
 * upstream/0005, EINVAL for no room to return the fd.
 */
static void compare_refused(const char *what, const struct outcome *sys,
			    const struct outcome *cc, int refused)
{
	bool exception = refused != 0;
	char s[192], c[192];

	describe(sys, s, sizeof(s));
	describe(cc, c, sizeof(c));
	if (exception && misc) {
		tap_ok(sys->ret == 0 && sys->new_fd && cc->ret == -1 && cc->err == refused &&
		       !cc->new_fd,
		       "%s: refused with %s, nothing installed (the core: %s; documented exception) (%s)",
		       what, refused == ENOTTY ? "ENOTTY" : "EINVAL", s, c);
		return;
	}
	tap_ok(same(sys, cc), "%s: %s, as the system heap%s (%s)", what, c,
	       exception ? " (the core's flaw, documented)" : "", s);
}

/* compare_refused() for the struct-level exceptions, which are all EINVAL. */
static void compare(const char *what, const struct outcome *sys, const struct outcome *cc,
		    bool exception)
{
	compare_refused(what, sys, cc, exception ? EINVAL : 0);
}

/*
 * ioctl(@cmd) on a heap fd with @len bytes of @arg placed at the end of
 * the arena, right before the inaccessible page (so a longer access
 * faults), the rest of the command's size zeroed before it.
 */
static struct outcome heap_ioctl(int heap_fd, unsigned int cmd, const void *arg, size_t len,
				 size_t place)
{
	unsigned char *p = arena + arena_len - place;
	const size_t fd_end = offsetof(struct dma_heap_allocation_data, fd_flags);
	const size_t struct_len = sizeof(struct dma_heap_allocation_data);
	struct outcome o = {};
	int probe = lowest_free_fd();
	uint32_t fd = 0;

	memset(arena, 0xee, arena_len);
	memset(p, 0, place);
	memcpy(p, arg, len);
	o.ret = ioctl(heap_fd, cmd, p);
	o.err = o.ret < 0 ? errno : 0;
	if (place >= fd_end)
		memcpy(&fd, p + offsetof(struct dma_heap_allocation_data, fd), sizeof(fd));
	o.new_fd = reap_fd(probe);
	o.new_fd_told = o.new_fd && place >= fd_end && (int)fd == probe;
	/* What came back beyond the struct: the core writes the user's bytes back. */
	if (place > struct_len) {
		size_t i, changed = 0;

		for (i = struct_len; i < place; i++)
			changed += p[i] != 0;
		snprintf(o.detail, sizeof(o.detail), "%zu trailing bytes changed", changed);
	}
	return o;
}

static void cmp_ioctl(int sys_fd, int cc_fd, const char *what, unsigned int cmd,
		      const void *arg, size_t len, size_t place, bool exception)
{
	struct outcome sys = heap_ioctl(sys_fd, cmd, arg, len, place);
	struct outcome cc = heap_ioctl(cc_fd, cmd, arg, len, place);

	compare_refused(what, &sys, &cc,
			!exception ? 0 : _IOC_TYPE(cmd) != DMA_HEAP_IOC_MAGIC ? ENOTTY : EINVAL);
}

static struct dma_heap_allocation_data alloc_data(unsigned long long len, unsigned int fd_flags,
						  unsigned long long heap_flags)
{
	struct dma_heap_allocation_data d = {
		.len = len,
		.fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};

	return d;
}

static void test_struct_sizes(int sys_fd, int cc_fd)
{
	static const unsigned int sizes[] = { 0, 4, 8, 11, 12, 16, 20, 23, 24, 25, 32, 128, 129,
					      4096, MAX_IOC_SIZE };
	struct dma_heap_allocation_data d = alloc_data(4096, O_RDWR | O_CLOEXEC, 0);
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned int size = sizes[i];
		char what[96];

		snprintf(what, sizeof(what), "_IOWR('H', 0, %u bytes)", size);
		cmp_ioctl(sys_fd, cc_fd, what, _IOC(_IOC_READ | _IOC_WRITE, 'H', 0, size), &d,
			  size < sizeof(d) ? size : sizeof(d), size,
			  size < offsetof(struct dma_heap_allocation_data, fd_flags) && size > 0);
	}

	/* A struct that runs into the inaccessible page: unreadable, so EFAULT. */
	cmp_ioctl(sys_fd, cc_fd, "_IOWR('H', 0, 32 bytes), 8 of them unreadable",
		  _IOC(_IOC_READ | _IOC_WRITE, 'H', 0, 32), &d, sizeof(d), sizeof(d), false);
}

static void test_directions_and_types(int sys_fd, int cc_fd)
{
	struct dma_heap_allocation_data d = alloc_data(4096, O_RDWR | O_CLOEXEC, 0);
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	struct termios tio;

	cmp_ioctl(sys_fd, cc_fd, "DMA_HEAP_IOCTL_ALLOC", DMA_HEAP_IOCTL_ALLOC, &d, sizeof(d),
		  sizeof(d), false);
	cmp_ioctl(sys_fd, cc_fd, "_IOW('H', 0, 24 bytes) (no output)",
		  _IOW('H', 0, struct dma_heap_allocation_data), &d, sizeof(d), sizeof(d), true);
	cmp_ioctl(sys_fd, cc_fd, "_IOR('H', 0, 24 bytes) (no input)",
		  _IOR('H', 0, struct dma_heap_allocation_data), &d, sizeof(d), sizeof(d), false);
	cmp_ioctl(sys_fd, cc_fd, "_IO('H', 0)", _IO('H', 0), &d, sizeof(d), sizeof(d), false);
	cmp_ioctl(sys_fd, cc_fd, "_IOWR('X', 0, 24 bytes) (another type)",
		  _IOWR('X', 0, struct dma_heap_allocation_data), &d, sizeof(d), sizeof(d), true);
	cmp_ioctl(sys_fd, cc_fd, "DMA_BUF_IOCTL_SYNC (a dma-buf ioctl, number 0)",
		  DMA_BUF_IOCTL_SYNC, &sync, sizeof(sync), sizeof(sync), true);
	cmp_ioctl(sys_fd, cc_fd, "_IOWR('H', 1, 24 bytes) (unknown number)",
		  _IOWR('H', 1, struct dma_heap_allocation_data), &d, sizeof(d), sizeof(d), false);
	cmp_ioctl(sys_fd, cc_fd, "_IOWR('H', 255, 24 bytes)",
		  _IOWR('H', 255, struct dma_heap_allocation_data), &d, sizeof(d), sizeof(d), false);
	cmp_ioctl(sys_fd, cc_fd, "_IO('H', 1)", _IO('H', 1), &d, 0, 0, false);
	cmp_ioctl(sys_fd, cc_fd, "TCGETS", TCGETS, &tio, 0, sizeof(tio), false);
	cmp_ioctl(sys_fd, cc_fd, "FIONREAD", FIONREAD, &d, 0, sizeof(int), false);
	cmp_ioctl(sys_fd, cc_fd, "FIOQSIZE", FIOQSIZE, &d, 0, sizeof(long long), false);
	cmp_ioctl(sys_fd, cc_fd, "FIGETBSZ", FIGETBSZ, &d, 0, sizeof(int), false);
	cmp_ioctl(sys_fd, cc_fd, "FIOCLEX", FIOCLEX, &d, 0, 0, false);
	cmp_ioctl(sys_fd, cc_fd, "FIONCLEX", FIONCLEX, &d, 0, 0, false);

	/* Pointers the kernel cannot use. */
	{
		struct outcome sys = {}, cc = {};
		int probe = lowest_free_fd();

		sys.ret = ioctl(sys_fd, DMA_HEAP_IOCTL_ALLOC, NULL);
		sys.err = sys.ret < 0 ? errno : 0;
		sys.new_fd = reap_fd(probe);
		cc.ret = ioctl(cc_fd, DMA_HEAP_IOCTL_ALLOC, NULL);
		cc.err = cc.ret < 0 ? errno : 0;
		cc.new_fd = reap_fd(probe);
		compare("DMA_HEAP_IOCTL_ALLOC with a NULL argument", &sys, &cc, false);
	}
	{
		struct outcome sys = {}, cc = {};
		unsigned char *ro = arena + arena_len - 2 * PAGE;
		int probe;

		/* Readable but not writable: the copy back fails, and no fd may be left. */
		memcpy(ro, &d, sizeof(d));
		if (mprotect(ro, PAGE, PROT_READ))
			tap_bail("mprotect: %s", strerror(errno));
		probe = lowest_free_fd();
		sys.ret = ioctl(sys_fd, DMA_HEAP_IOCTL_ALLOC, ro);
		sys.err = sys.ret < 0 ? errno : 0;
		sys.new_fd = reap_fd(probe);
		cc.ret = ioctl(cc_fd, DMA_HEAP_IOCTL_ALLOC, ro);
		cc.err = cc.ret < 0 ? errno : 0;
		cc.new_fd = reap_fd(probe);
		mprotect(ro, PAGE, PROT_READ | PROT_WRITE);
		compare("DMA_HEAP_IOCTL_ALLOC with a read-only argument", &sys, &cc, false);
	}
}

static struct outcome alloc_outcome(int heap_fd, struct dma_heap_allocation_data d)
{
	struct outcome o = heap_ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d, sizeof(d), sizeof(d));

	return o;
}

/* Allocate, then describe the fd it gave: status flags and close-on-exec. */
static struct outcome alloc_flags_outcome(int heap_fd, struct dma_heap_allocation_data d)
{
	struct outcome o = {};

	o.ret = ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d);
	o.err = o.ret < 0 ? errno : 0;
	if (o.ret == 0) {
		o.new_fd = o.new_fd_told = true;
		snprintf(o.detail, sizeof(o.detail), "F_GETFL %#o F_GETFD %d",
			 fcntl(d.fd, F_GETFL), fcntl(d.fd, F_GETFD));
		close(d.fd);
	}
	return o;
}

static void test_fields(int sys_fd, int cc_fd)
{
	static const struct {
		unsigned int flags;
		const char *name;
	} fd_flags[] = {
		{ O_RDWR | O_CLOEXEC, "O_RDWR|O_CLOEXEC" },
		{ O_RDONLY, "O_RDONLY" },
		{ O_WRONLY | O_CLOEXEC, "O_WRONLY|O_CLOEXEC" },
		{ O_ACCMODE, "O_ACCMODE" },
		{ O_CLOEXEC, "O_CLOEXEC alone" },
		{ O_RDWR | O_NONBLOCK, "O_RDWR|O_NONBLOCK" },
		{ O_RDWR | O_APPEND, "O_RDWR|O_APPEND" },
		{ O_RDWR | O_SYNC, "O_RDWR|O_SYNC" },
		{ 1U << 31, "bit 31" },
	};
	static const struct {
		unsigned long long len;
		const char *name;
	} lens[] = {
		{ 0, "0" },
		{ 1, "1" },
		{ PAGE - 1, "a page - 1" },
		{ PAGE + 1, "a page + 1" },
		{ ~0ULL, "2^64 - 1 (rounds up to 0)" },
		{ ~0ULL - PAGE + 2, "2^64 - 4094 (rounds up to 0)" },
	};
	struct dma_heap_allocation_data d;
	struct outcome sys, cc;
	char what[96];
	size_t i;

	for (i = 0; i < sizeof(fd_flags) / sizeof(fd_flags[0]); i++) {
		d = alloc_data(PAGE, fd_flags[i].flags, 0);
		sys = alloc_flags_outcome(sys_fd, d);
		cc = alloc_flags_outcome(cc_fd, d);
		snprintf(what, sizeof(what), "fd_flags %s", fd_flags[i].name);
		compare(what, &sys, &cc, false);
	}
	for (i = 0; i < 64; i += 63) {
		d = alloc_data(PAGE, O_RDWR, 1ULL << i);
		sys = alloc_outcome(sys_fd, d);
		cc = alloc_outcome(cc_fd, d);
		snprintf(what, sizeof(what), "heap_flags bit %zu", i);
		compare(what, &sys, &cc, false);
	}
	d = alloc_data(PAGE, O_RDWR, 0);
	d.fd = 3;
	sys = alloc_outcome(sys_fd, d);
	cc = alloc_outcome(cc_fd, d);
	compare("a non-zero fd on input", &sys, &cc, false);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		d = alloc_data(lens[i].len, O_RDWR | O_CLOEXEC, 0);
		sys = alloc_outcome(sys_fd, d);
		cc = alloc_outcome(cc_fd, d);
		snprintf(what, sizeof(what), "len %s", lens[i].name);
		compare(what, &sys, &cc, false);
	}
}

/* fdinfo without the inode number, which differs by nature. */
static void fdinfo(int fd, char *buf, size_t size)
{
	char path[64], line[128];
	size_t used = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "ino:", 4))
			continue;
		used += snprintf(buf + used, size - used, "%s%s", used ? ", " : "", line);
		if (used >= size)
			break;
	}
	fclose(f);
}

static void test_node(const char *cc_path)
{
	static const struct {
		int flags;
		const char *name;
	} opens[] = {
		{ O_RDONLY, "O_RDONLY" },
		{ O_WRONLY, "O_WRONLY" },
		{ O_RDWR, "O_RDWR" },
		{ O_RDWR | O_NONBLOCK, "O_RDWR|O_NONBLOCK" },
	};
	struct dma_heap_allocation_data d = alloc_data(PAGE, O_RDWR | O_CLOEXEC, 0);
	struct outcome sys, cc;
	char what[96], buf[16];
	size_t i;

	for (i = 0; i < sizeof(opens) / sizeof(opens[0]); i++) {
		int sys_fd = open(SYSTEM_HEAP, opens[i].flags | O_CLOEXEC);
		int cc_fd = open(cc_path, opens[i].flags | O_CLOEXEC);
		struct pollfd pfd[2] = {
			{ .fd = sys_fd, .events = POLLIN | POLLOUT | POLLPRI },
			{ .fd = cc_fd, .events = POLLIN | POLLOUT | POLLPRI },
		};
		struct stat sys_st, cc_st;
		void *sys_map, *cc_map;

		snprintf(what, sizeof(what), "node opened %s", opens[i].name);
		memset(&sys, 0, sizeof(sys));
		memset(&cc, 0, sizeof(cc));
		sys.ret = sys_fd < 0 ? -1 : 0;
		sys.err = sys_fd < 0 ? errno : 0;
		cc.ret = cc_fd < 0 ? -1 : 0;
		cc.err = cc_fd < 0 ? errno : 0;
		if (sys_fd >= 0)
			fdinfo(sys_fd, sys.detail, sizeof(sys.detail));
		if (cc_fd >= 0)
			fdinfo(cc_fd, cc.detail, sizeof(cc.detail));
		compare(what, &sys, &cc, false);
		if (sys_fd < 0 || cc_fd < 0)
			continue;

		snprintf(what, sizeof(what), "node opened %s: allocate", opens[i].name);
		sys = alloc_outcome(sys_fd, d);
		cc = alloc_outcome(cc_fd, d);
		compare(what, &sys, &cc, false);

#define CMP_CALL(label, call)						\
	do {								\
		int fd = sys_fd;					\
									\
		memset(&sys, 0, sizeof(sys));				\
		memset(&cc, 0, sizeof(cc));				\
		sys.ret = (call);					\
		sys.err = sys.ret < 0 ? errno : 0;			\
		fd = cc_fd;						\
		cc.ret = (call);					\
		cc.err = cc.ret < 0 ? errno : 0;			\
		snprintf(what, sizeof(what), "node opened %s: %s", opens[i].name, label); \
		compare(what, &sys, &cc, false);			\
	} while (0)

		CMP_CALL("read", read(fd, buf, sizeof(buf)));
		CMP_CALL("write", write(fd, buf, sizeof(buf)));
		CMP_CALL("pread", pread(fd, buf, sizeof(buf), 0));
		CMP_CALL("lseek", lseek(fd, 0, SEEK_SET));
		CMP_CALL("ftruncate", ftruncate(fd, 0));
		CMP_CALL("fsync", fsync(fd));
		CMP_CALL("fcntl(F_SETFL, O_NONBLOCK)", fcntl(fd, F_SETFL, O_NONBLOCK));
#undef CMP_CALL

		memset(&sys, 0, sizeof(sys));
		memset(&cc, 0, sizeof(cc));
		sys.ret = cc.ret = poll(pfd, 2, 0);
		snprintf(sys.detail, sizeof(sys.detail), "revents %#x", pfd[0].revents);
		snprintf(cc.detail, sizeof(cc.detail), "revents %#x", pfd[1].revents);
		snprintf(what, sizeof(what), "node opened %s: poll", opens[i].name);
		compare(what, &sys, &cc, false);

		memset(&sys, 0, sizeof(sys));
		memset(&cc, 0, sizeof(cc));
		sys_map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, sys_fd, 0);
		sys.ret = sys_map == MAP_FAILED ? -1 : 0;
		sys.err = sys_map == MAP_FAILED ? errno : 0;
		cc_map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, cc_fd, 0);
		cc.ret = cc_map == MAP_FAILED ? -1 : 0;
		cc.err = cc_map == MAP_FAILED ? errno : 0;
		snprintf(what, sizeof(what), "node opened %s: mmap", opens[i].name);
		compare(what, &sys, &cc, false);
		if (sys_map != MAP_FAILED)
			munmap(sys_map, PAGE);
		if (cc_map != MAP_FAILED)
			munmap(cc_map, PAGE);

		memset(&sys, 0, sizeof(sys));
		memset(&cc, 0, sizeof(cc));
		sys.ret = fstat(sys_fd, &sys_st);
		cc.ret = fstat(cc_fd, &cc_st);
		snprintf(sys.detail, sizeof(sys.detail), "mode %#o uid %u gid %u",
			 sys_st.st_mode, sys_st.st_uid, sys_st.st_gid);
		snprintf(cc.detail, sizeof(cc.detail), "mode %#o uid %u gid %u",
			 cc_st.st_mode, cc_st.st_uid, cc_st.st_gid);
		snprintf(what, sizeof(what), "node opened %s: fstat", opens[i].name);
		compare(what, &sys, &cc, false);

		close(sys_fd);
		close(cc_fd);
	}

	/* An O_PATH fd is no open file: every ioctl gets EBADF before the driver. */
	{
		int sys_fd = open(SYSTEM_HEAP, O_PATH | O_CLOEXEC);
		int cc_fd = open(cc_path, O_PATH | O_CLOEXEC);

		if (sys_fd < 0 || cc_fd < 0)
			tap_bail("cannot open the nodes O_PATH");
		sys = alloc_outcome(sys_fd, d);
		cc = alloc_outcome(cc_fd, d);
		compare("node opened O_PATH: allocate", &sys, &cc, false);
		close(sys_fd);
		close(cc_fd);
	}
}

int main(void)
{
	int sys_fd, cc_fd;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	misc = heap_is_misc();
	tap_diag("system_cc_shared is %s", misc ? "the module's misc device (6.12)" :
		 "a dma-heap of the core (7.x)");

	/* Room for the largest command, then an inaccessible page. */
	arena_len = (MAX_IOC_SIZE + PAGE - 1) / PAGE * PAGE + PAGE;
	arena = mmap(NULL, arena_len + PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED || mprotect(arena + arena_len, PAGE, PROT_NONE))
		tap_bail("cannot set up the argument arena: %s", strerror(errno));

	sys_fd = open(SYSTEM_HEAP, O_RDONLY | O_CLOEXEC);
	if (sys_fd < 0)
		tap_bail("cannot open %s: %s", SYSTEM_HEAP, strerror(errno));
	cc_fd = heap_open();

	test_struct_sizes(sys_fd, cc_fd);
	test_directions_and_types(sys_fd, cc_fd);
	test_fields(sys_fd, cc_fd);
	test_node(HEAP_PATH);

	close(sys_fd);
	close(cc_fd);
	heap_teardown();
	return tap_done();
}
