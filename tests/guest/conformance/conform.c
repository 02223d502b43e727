// SPDX-License-Identifier: GPL-2.0
/*
 * heap-conformance: the same checks for every cc-shared heap, under the
 * CoCo memory model (ccshared_coco_mem) and with ccshared_testkit's
 * importer.  tests/guest/conformance/20-heaps.t runs it once per heap.
 *
 * usage: heap-conformance HEAP MODULE [SETTLE]
 *   HEAP    the heap's name in /dev/dma_heap
 *   MODULE  the module that converts its pages (the model's caller name)
 *   SETTLE  a file to write "1" to, to make the heap give back what it
 *           keeps shared after a free (ccshared_heap's drain_pool); a heap
 *           without a cache has none
 *
 * Each result line is "ID: what it checks", with a fixed ID per check
 * (tests/guest/conformance/table turns them into the docs' table); what
 * was seen follows as diagnostics.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "tap.h"

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define PAGE 4096ULL

#define MODEL "/sys/kernel/debug/ccshared_coco_mem"
#define KIT "/sys/kernel/debug/ccshared_testkit"

/* Several chunk orders; at least three chunks with every order table. */
#define LEN_ZERO (4 * MiB + 64 * KiB + 4 * KiB)
#define LEN_FAIL (3 * MiB + 64 * KiB + 4 * KiB)
#define LEN_MAP (1 * MiB + 8 * KiB)

static const char *heap_name, *module_name, *settle_path, *selftest_path;
static char heap_path[256];

/* ---- Files ------------------------------------------------------------------- */

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

static int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* "key: value" in a file with one per line, or -1. */
static long file_value(const char *path, const char *key)
{
	char line[256];
	size_t len = strlen(key);
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* KEY=value in the space-separated text @s, or -1. */
static long long kv(const char *s, const char *key)
{
	size_t len = strlen(key);
	const char *p = s;

	while (p && *p) {
		if (!strncmp(p, key, len) && p[len] == '=')
			return strtoll(p + len + 1, NULL, 0);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return -1;
}

/* "key value" in /proc/vmstat, or -1. */
static long vmstat(const char *key)
{
	size_t len = strlen(key);
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ' ') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* ---- The model --------------------------------------------------------------- */

struct caller {
	long long to_shared, to_shared_pages, to_private, to_private_pages;
	long long shared, unknown;
};

struct rules {
	long v[3];
};

static void model_caller(struct caller *c)
{
	char line[1024];
	size_t len = strlen(module_name);
	FILE *f = fopen(MODEL "/callers", "re");

	memset(c, 0, sizeof(*c));
	if (!f)
		tap_bail("cannot read " MODEL "/callers: is ccshared_coco_mem loaded?");
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, module_name, len) || line[len] != ' ')
			continue;
		c->to_shared = kv(line, "to_shared");
		c->to_shared_pages = kv(line, "to_shared_pages");
		c->to_private = kv(line, "to_private");
		c->to_private_pages = kv(line, "to_private_pages");
		c->shared = kv(line, "shared");
		c->unknown = kv(line, "unknown");
	}
	fclose(f);
}

static void model_rules(struct rules *r)
{
	r->v[0] = file_value(MODEL "/violations", "to_private_not_shared");
	r->v[1] = file_value(MODEL "/violations", "freed_not_private");
	r->v[2] = file_value(MODEL "/violations", "to_shared_already_shared");
}

/* Violations between @a and @b, printed; true if there were none. */
static bool no_violation(const struct rules *a, const struct rules *b)
{
	long d0 = b->v[0] - a->v[0], d1 = b->v[1] - a->v[1], d2 = b->v[2] - a->v[2];

	if (d0 || d1 || d2)
		tap_diag("violations: %ld to private not shared, %ld freed not private, %ld to shared already shared",
			 d0, d1, d2);
	return !d0 && !d1 && !d2;
}

static void inject(const char *dir, long long nth)
{
	char n[32];

	snprintf(n, sizeof(n), "%lld", nth);
	if (write_str(MODEL "/fail_caller", nth ? module_name : "") ||
	    write_str(dir, n))
		tap_bail("cannot set up fault injection in " MODEL);
}

static void settle(void)
{
	if (settle_path && write_str(settle_path, "1"))
		tap_bail("cannot write %s", settle_path);
}

/* ---- The heap ---------------------------------------------------------------- */

static int heap_open(void)
{
	int fd = open(heap_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		tap_bail("cannot open %s: %s", heap_path, strerror(errno));
	return fd;
}

/* A dma-buf fd, or -errno. */
static int heap_alloc(int heap_fd, unsigned long long len)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -errno;
	return (int)data.fd;
}

static void sync_buf(int fd, unsigned long long flags)
{
	struct dma_buf_sync s = { .flags = flags | DMA_BUF_SYNC_RW };

	if (ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) < 0)
		tap_diag("DMA_BUF_IOCTL_SYNC: %s", strerror(errno));
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 12) + 1);
}

static uint64_t fnv1a(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Offset of the first non-zero byte of the buffer, or -1; -2 on error. */
static long long first_nonzero(int fd, size_t len, unsigned char *byte)
{
	unsigned char *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	long long at = -1;
	size_t i;

	if (p == MAP_FAILED) {
		tap_diag("mmap: %s", strerror(errno));
		return -2;
	}
	sync_buf(fd, DMA_BUF_SYNC_START);
	for (i = 0; i < len; i++)
		if (p[i]) {
			at = (long long)i;
			*byte = p[i];
			break;
		}
	sync_buf(fd, DMA_BUF_SYNC_END);
	munmap(p, len);
	return at;
}

static int fill(int fd, size_t len, int byte)
{
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	size_t i;

	if (p == MAP_FAILED)
		return -errno;
	sync_buf(fd, DMA_BUF_SYNC_START);
	for (i = 0; i < len; i++)
		p[i] = byte < 0 ? pattern(i) : (unsigned char)byte;
	sync_buf(fd, DMA_BUF_SYNC_END);
	munmap(p, len);
	return 0;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* ---- Checks ------------------------------------------------------------------ */

/* Memory reads zero, with pages converted for this allocation. */
static void check_zero_fresh(int heap_fd)
{
	struct caller a, b;
	unsigned char byte = 0;
	long long at = -2, converted;
	int fd;

	settle();
	model_caller(&a);
	fd = heap_alloc(heap_fd, LEN_ZERO);
	model_caller(&b);
	converted = b.to_shared_pages - a.to_shared_pages;
	if (fd >= 0) {
		at = first_nonzero(fd, LEN_ZERO, &byte);
		close(fd);
	} else {
		tap_diag("allocation failed: %s", strerror(-fd));
	}
	tap_diag("%llu bytes, %lld pages converted to shared for it", LEN_ZERO, converted);
	if (at >= 0)
		tap_diag("byte %lld reads %#04x, not 0 (the model's poison is 0xa5)", at, byte);
	if (converted < (long long)(LEN_ZERO / PAGE))
		tap_diag("fewer pages converted than the buffer has: this is not fresh memory");
	tap_ok(at == -1 && converted >= (long long)(LEN_ZERO / PAGE),
	       "zero-fresh: memory reads zero after allocation, fresh pages");
}

/* Memory reads zero again once a written buffer is freed and reallocated. */
static void check_zero_reuse(int heap_fd)
{
	struct caller a, b;
	unsigned char byte = 0;
	long long at = -2;
	int fd;

	fd = heap_alloc(heap_fd, LEN_ZERO);
	if (fd >= 0) {
		if (fill(fd, LEN_ZERO, 0xff))
			tap_diag("cannot fill the first buffer");
		close(fd);
	}
	model_caller(&a);
	fd = heap_alloc(heap_fd, LEN_ZERO);
	model_caller(&b);
	if (fd >= 0) {
		at = first_nonzero(fd, LEN_ZERO, &byte);
		close(fd);
	} else {
		tap_diag("allocation failed: %s", strerror(-fd));
	}
	tap_diag("the second allocation converted %lld pages (0: all reused shared)",
		 b.to_shared_pages - a.to_shared_pages);
	if (at >= 0)
		tap_diag("byte %lld reads %#04x, not 0", at, byte);
	settle();
	tap_ok(at == -1, "zero-reuse: memory reads zero after allocation, reused memory");
}

/* How many conversions to shared a fresh LEN_FAIL allocation makes, or -1. */
static long long chunks_of(int heap_fd)
{
	struct caller a, b;
	int fd;

	settle();
	model_caller(&a);
	fd = heap_alloc(heap_fd, LEN_FAIL);
	model_caller(&b);
	if (fd < 0)
		return -1;
	close(fd);
	settle();
	return b.to_shared - a.to_shared;
}

static long long nth_of(long long chunks, int where)
{
	return where == 0 ? 1 : where == 1 ? (chunks + 1) / 2 : chunks;
}

static const char *const where_names[] = { "first", "middle", "last" };

/*
 * A conversion to shared fails at one chunk: the allocation fails, no rule
 * is broken, and once the heap has settled none of its pages is shared.
 */
static void check_share_fails(int heap_fd, int where)
{
	long long chunks = 0, nth = 0, injected0, injected1 = 0;
	struct caller a = { 0 }, b = { 0 };
	struct rules ra = { { 0 } }, rb = { { 0 } };
	bool fired = false, failed = false, ok;
	int attempt, fd = 0;

	for (attempt = 0; attempt < 2 && !fired; attempt++) {
		chunks = chunks_of(heap_fd);
		if (chunks < 3) {
			tap_diag("a %llu-byte allocation made %lld conversions; need 3 or more",
				 LEN_FAIL, chunks);
			break;
		}
		nth = nth_of(chunks, where);
		model_caller(&a);
		model_rules(&ra);
		injected0 = file_value(MODEL "/stats", "injected_to_shared");
		inject(MODEL "/fail_to_shared", nth);
		fd = heap_alloc(heap_fd, LEN_FAIL);
		inject(MODEL "/fail_to_shared", 0);
		failed = fd < 0;
		if (fd >= 0)
			close(fd);
		settle();
		model_caller(&b);
		model_rules(&rb);
		injected1 = file_value(MODEL "/stats", "injected_to_shared");
		fired = injected1 - injected0 == 1;
	}
	tap_diag("conversion %lld of %lld failed: allocation %s%s; %lld pages left unknown (leaked), %lld more shared",
		 nth, chunks, failed ? "failed with " : "succeeded",
		 failed ? strerror(-fd) : "", b.unknown - a.unknown, b.shared - a.shared);
	if (!fired)
		tap_diag("the injected failure did not fire");
	ok = fired && failed;
	ok = no_violation(&ra, &rb) && ok;
	ok = ok && b.shared == a.shared;
	tap_ok(ok, "share-fails-%s: a failed conversion to shared at the %s chunk breaks no rule and leaves nothing shared",
	       where_names[where], where_names[where]);
}

/*
 * A conversion back to private fails at one chunk on free: no rule is
 * broken (the chunk is leaked, not freed), and every other page is
 * private again once the heap has settled.
 */
static void check_unshare_fails(int heap_fd, int where)
{
	long long chunks = 0, nth = 0, injected0, injected1 = 0;
	struct caller a = { 0 }, b = { 0 }, c = { 0 };
	struct rules ra = { { 0 } }, rb = { { 0 } };
	bool fired = false, ok;
	int attempt, fd;

	for (attempt = 0; attempt < 2 && !fired; attempt++) {
		settle();
		model_caller(&a);
		fd = heap_alloc(heap_fd, LEN_FAIL);
		if (fd < 0) {
			tap_diag("allocation failed: %s", strerror(-fd));
			break;
		}
		model_caller(&b);
		chunks = b.to_shared - a.to_shared;
		if (chunks < 3) {
			tap_diag("a %llu-byte allocation made %lld conversions; need 3 or more",
				 LEN_FAIL, chunks);
			close(fd);
			break;
		}
		nth = nth_of(chunks, where);
		model_rules(&ra);
		injected0 = file_value(MODEL "/stats", "injected_to_private");
		inject(MODEL "/fail_to_private", nth);
		close(fd);
		settle();
		inject(MODEL "/fail_to_private", 0);
		model_caller(&c);
		model_rules(&rb);
		injected1 = file_value(MODEL "/stats", "injected_to_private");
		fired = injected1 - injected0 == 1;
	}
	tap_diag("conversion back %lld of %lld failed; %lld pages left unknown (leaked), %lld left shared",
		 nth, chunks, c.unknown - a.unknown, c.shared - a.shared);
	if (!fired)
		tap_diag("the injected failure did not fire");
	ok = no_violation(&ra, &rb) && fired;
	ok = ok && c.shared == a.shared && c.unknown > a.unknown;
	tap_ok(ok, "unshare-fails-%s: a failed conversion to private at the %s chunk breaks no rule and frees no shared page",
	       where_names[where], where_names[where]);
}

/* Every page shared for a buffer is private again after free. */
static void check_free_unshares(int heap_fd)
{
	struct caller a, b, c;
	struct rules ra, rb;
	long long shared, back;
	int fd;

	settle();
	model_caller(&a);
	model_rules(&ra);
	fd = heap_alloc(heap_fd, LEN_FAIL);
	model_caller(&b);
	if (fd >= 0)
		close(fd);
	settle();
	model_caller(&c);
	model_rules(&rb);
	shared = b.to_shared_pages - a.to_shared_pages;
	back = c.to_private_pages - b.to_private_pages;
	tap_diag("%lld pages converted to shared, %lld back to private; %lld still shared",
		 shared, back, c.shared - a.shared);
	tap_ok(fd >= 0 && shared > 0 && back == shared && c.shared == a.shared &&
	       no_violation(&ra, &rb),
	       "free-unshares: free converts every page back");
}

static long meminfo(const char *key)
{
	return file_value("/proc/meminfo", key);
}

/*
 * Allocate @len in a child; stop it if it takes more than a quarter of
 * RAM.  Returns the child's errno (0: the allocation succeeded), or -1 if
 * it had to be stopped.
 */
static int alloc_in_child(unsigned long long len, long *taken_kb, double *secs)
{
	long total = meminfo("MemTotal"), free0 = meminfo("MemFree"), least = free0;
	struct timespec t0, t1;
	int pipefd[2], status, err = -1;
	bool stopped = false;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		tap_bail("pipe: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (!pid) {
		int heap_fd = open(heap_path, O_RDONLY | O_CLOEXEC), fd;

		/* If the OOM killer does come, it takes this process first. */
		write_str("/proc/self/oom_score_adj", "1000");
		fd = heap_fd < 0 ? -errno : heap_alloc(heap_fd, len);
		err = fd < 0 ? -fd : 0;
		if (write(pipefd[1], &err, sizeof(err)) < 0)
			_exit(2);
		_exit(0);
	}
	close(pipefd[1]);
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		long f;

		if (poll(&p, 1, 10) > 0) {
			if (read(pipefd[0], &err, sizeof(err)) != sizeof(err))
				err = -1;
			break;
		}
		f = meminfo("MemFree");
		if (f < least)
			least = f;
		if (free0 - least > total / 4) {
			kill(pid, SIGKILL);
			stopped = true;
			break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waitpid(pid, &status, 0);
	close(pipefd[0]);
	*taken_kb = free0 - least;
	*secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return stopped ? -1 : err;
}

/* One page beyond RAM, and far beyond: ENOMEM, no memory taken, no OOM kill. */
static void check_beyond_ram(void)
{
	unsigned long long sizes[] = { meminfo("MemTotal") * KiB + PAGE, 1ULL << 50 };
	long oom0 = vmstat("oom_kill"), total = meminfo("MemTotal");
	bool ok = true;
	unsigned int i;

	for (i = 0; i < 2 && ok; i++) {
		long taken, oom1;
		double secs;
		int err = alloc_in_child(sizes[i], &taken, &secs);

		oom1 = vmstat("oom_kill");
		if (err < 0)
			tap_diag("%llu bytes: still allocating after %.1f s, with %ld MiB taken; stopped (left alone, it ends in the OOM killer)",
				 sizes[i], secs, taken / 1024);
		else
			tap_diag("%llu bytes: %s after %.2f s, %ld MiB taken at most, %ld OOM kills",
				 sizes[i], err ? strerror(err) : "succeeded", secs,
				 taken / 1024, oom1 - oom0);
		/* Not a timing: failing without taking a sixteenth of RAM is "fast". */
		ok = err == ENOMEM && taken < total / 16 && oom1 == oom0;
	}
	tap_ok(ok, "beyond-ram: an allocation beyond RAM fails fast, with no OOM killer");
}

/* The kernel's selftest, with this heap alone in a private /dev/dma_heap. */
static void check_selftest(void)
{
	int pipefd[2], status, oks = 0, fails = 0;
	struct stat st;
	char line[512];
	pid_t pid;
	FILE *out;

	if (stat(heap_path, &st) || !S_ISCHR(st.st_mode))
		tap_bail("%s is not a character device", heap_path);
	if (pipe2(pipefd, O_CLOEXEC))
		tap_bail("pipe: %s", strerror(errno));
	pid = fork();
	if (!pid) {
		char node[300];

		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		snprintf(node, sizeof(node), "/dev/dma_heap/%s", heap_name);
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", "/dev/dma_heap", "tmpfs", 0, "mode=0755") ||
		    mknod(node, S_IFCHR | 0600, st.st_rdev)) {
			printf("cannot set up a private /dev/dma_heap: %s\n", strerror(errno));
			_exit(127);
		}
		execl(selftest_path, selftest_path, (char *)NULL);
		printf("cannot run %s: %s\n", selftest_path, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	out = fdopen(pipefd[0], "r");
	while (fgets(line, sizeof(line), out)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "ok ", 3))
			oks++;
		else if (!strncmp(line, "not ok ", 7))
			fails++;
		tap_diag("selftest: %s", line);
	}
	fclose(out);
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && !WEXITSTATUS(status) && oks > 0 && !fails,
	       "selftest: the kernel's dmabuf-heaps selftest passes");
}

/* mmap: whole, at page offsets, and refused beyond the end. */
static void check_mmap(int heap_fd)
{
	unsigned char *p;
	bool ok = true;
	size_t i, off;
	int fd;

	fd = heap_alloc(heap_fd, LEN_MAP);
	if (fd < 0) {
		tap_diag("allocation failed: %s", strerror(-fd));
		tap_ok(false, "mmap: mmap reads and writes the buffer at any page offset, not beyond it");
		return;
	}
	if (fill(fd, LEN_MAP, -1)) {
		tap_diag("mmap of the whole buffer failed");
		ok = false;
	}
	for (off = 0; ok && off < LEN_MAP; off += LEN_MAP / 2 - PAGE) {
		size_t len = off ? PAGE * 2 > LEN_MAP - off ? LEN_MAP - off : PAGE * 2 : LEN_MAP;

		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
		if (p == MAP_FAILED) {
			tap_diag("mmap at offset %zu: %s", off, strerror(errno));
			ok = false;
			break;
		}
		for (i = 0; i < len; i++)
			if (p[i] != pattern(off + i)) {
				tap_diag("offset %zu reads %#04x, wrote %#04x", off + i, p[i],
					 pattern(off + i));
				ok = false;
				break;
			}
		munmap(p, len);
	}
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)LEN_MAP);
	if (p != MAP_FAILED) {
		tap_diag("mmap of the page after the end succeeded");
		munmap(p, PAGE);
		ok = false;
	}
	p = mmap(NULL, LEN_MAP + PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		tap_diag("mmap one page longer than the buffer succeeded");
		munmap(p, LEN_MAP + PAGE);
		ok = false;
	}
	close(fd);
	tap_ok(ok, "mmap: mmap reads and writes the buffer at any page offset, not beyond it");
}

/* vmap, attach and unmap attributes, through ccshared_testkit's importer. */
static void check_import(int heap_fd)
{
	long long ret = -1, dma_bytes = -1, matches = 0, maps = -1, unmaps = -1;
	long long map_attrs = -1, unmap_attrs = -2, hash = 0;
	unsigned long long want_hash = 0;
	char n[16], result[512] = "";
	unsigned char *p;
	int fd;

	fd = heap_alloc(heap_fd, LEN_MAP);
	if (fd >= 0 && !fill(fd, LEN_MAP, -1)) {
		p = mmap(NULL, LEN_MAP, PROT_READ, MAP_SHARED, fd, 0);
		if (p != MAP_FAILED) {
			want_hash = fnv1a(p, LEN_MAP);
			munmap(p, LEN_MAP);
		}
		snprintf(n, sizeof(n), "%d", fd);
		if (write_str(KIT "/import", n) || read_str(KIT "/import", result, sizeof(result)))
			tap_bail("cannot use " KIT "/import: is ccshared_testkit loaded?");
		result[strcspn(result, "\n")] = '\0';
		tap_diag("importer: %s", result);
		ret = kv(result, "ret");
		dma_bytes = kv(result, "dma_bytes");
		matches = kv(result, "dma_matches_cpu");
		maps = kv(result, "maps");
		unmaps = kv(result, "unmaps");
		map_attrs = kv(result, "map_attrs");
		unmap_attrs = kv(result, "unmap_attrs");
		hash = kv(result, "hash");
	} else {
		tap_diag("allocation or fill failed");
	}
	if (fd >= 0)
		close(fd);
	tap_ok(ret == 0 && (unsigned long long)hash == want_hash,
	       "vmap: an importer's vmap reads what mmap wrote");
	tap_ok(ret == 0 && dma_bytes == (long long)LEN_MAP && matches == 1 && maps > 0,
	       "attach: an importer's mapping covers the buffer, at the addresses of its pages");
	if (maps < 0)
		tap_diag("the importer could not see the DMA API calls");
	tap_ok(ret == 0 && maps > 0 && unmaps == maps && map_attrs == unmap_attrs,
	       "unmap-attrs: the exporter unmaps with the DMA attributes it mapped with");
}

/* An ioctl numbered 0 but of another type: ENOTTY, and no fd appears. */
static void check_foreign_ioctl(int heap_fd)
{
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	struct dma_heap_allocation_data data = { .len = PAGE, .fd_flags = O_RDWR | O_CLOEXEC };
	unsigned long foreign = _IOWR('x', 0, struct dma_heap_allocation_data);
	int before, after, ret, err, fd;
	bool ok = true;

	before = count_fds();
	ret = ioctl(heap_fd, DMA_BUF_IOCTL_SYNC, &sync);
	err = errno;
	after = count_fds();
	tap_diag("DMA_BUF_IOCTL_SYNC on the heap fd: %s; %d new fds", ret ? strerror(err) : "succeeded",
		 after - before);
	ok = ret == -1 && err == ENOTTY && after == before;

	before = after;
	ret = ioctl(heap_fd, foreign, &data);
	err = errno;
	after = count_fds();
	tap_diag("_IOWR('x', 0, struct dma_heap_allocation_data): %s; %d new fds",
		 ret ? strerror(err) : "succeeded", after - before);
	ok = ok && ret == -1 && err == ENOTTY && after == before;

	/* Close whatever the heap installed behind our back. */
	for (fd = 3; fd < 1024; fd++) {
		char link[64], target[256];
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		len = readlink(link, target, sizeof(target) - 1);
		if (len > 0) {
			target[len] = '\0';
			if (strstr(target, "dmabuf"))
				close(fd);
		}
	}
	tap_ok(ok, "foreign-ioctl: an ioctl of another type on the heap fails with ENOTTY and installs no fd");
}

int main(int argc, char **argv)
{
	int heap_fd, where;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: heap-conformance HEAP MODULE [SETTLE]\n");
		return 2;
	}
	heap_name = argv[1];
	module_name = argv[2];
	settle_path = argc > 3 ? argv[3] : NULL;
	selftest_path = getenv("DMABUF_HEAP_SELFTEST");
	if (!selftest_path)
		tap_bail("DMABUF_HEAP_SELFTEST names no selftest binary");
	snprintf(heap_path, sizeof(heap_path), "/dev/dma_heap/%s", heap_name);

	tap_plan(16);
	heap_fd = heap_open();
	check_zero_fresh(heap_fd);
	check_zero_reuse(heap_fd);
	for (where = 0; where < 3; where++)
		check_share_fails(heap_fd, where);
	for (where = 0; where < 3; where++)
		check_unshare_fails(heap_fd, where);
	check_free_unshares(heap_fd);
	check_mmap(heap_fd);
	check_import(heap_fd);
	check_foreign_ioctl(heap_fd);
	check_selftest();
	check_beyond_ram();
	close(heap_fd);
	return tap_done();
}
