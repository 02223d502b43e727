// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of a dma-buf, compared errno for errno with the kernel's own
 * "system" heap: every access mode a buffer can be allocated with
 * (fd_flags O_RDONLY, O_WRONLY, O_RDWR and the bare O_ACCMODE that
 * DMA_HEAP_VALID_FD_FLAGS lets through), every mapping type (MAP_SHARED,
 * MAP_SHARED_VALIDATE, MAP_PRIVATE) and protection, then mprotect() of
 * each shared mapping to every protection.
 *
 * The kernel decides most of these before the heap sees the mapping (no
 * read access: EACCES; PROT_WRITE on a file not open for writing: EACCES;
 * mprotect past VM_MAYWRITE: EACCES), so the results must be the same.
 * For a read-only file it also turns a MAP_SHARED mapping into one
 * without VM_SHARED (but with VM_MAYSHARE): the heap must still take it.
 * The one intended difference: system_cc_shared refuses MAP_PRIVATE with
 * EINVAL wherever the kernel lets it through to the heap, because a
 * private copy would be private memory the device never sees.  (The
 * system heap takes MAP_PRIVATE only when one remap_pfn_range() covers
 * the whole mapping: a single chunk on 7.3, a single page on 6.12.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heaptest.h"

#define LEN (64 * KiB)
#define SYSTEM_HEAP "/dev/dma_heap/system"

static const struct {
	unsigned int flags;
	const char *name;
} modes[] = {
	{ O_RDONLY, "O_RDONLY" },
	{ O_WRONLY, "O_WRONLY" },
	{ O_RDWR, "O_RDWR" },
	{ O_ACCMODE, "O_ACCMODE" },
};

static const struct {
	int flags;
	const char *name;
} types[] = {
	{ MAP_SHARED, "MAP_SHARED" },
	{ MAP_SHARED_VALIDATE, "MAP_SHARED_VALIDATE" },
	{ MAP_PRIVATE, "MAP_PRIVATE" },
};

static const struct {
	int prot;
	const char *name;
} prots[] = {
	{ PROT_NONE, "PROT_NONE" },
	{ PROT_READ, "PROT_READ" },
	{ PROT_WRITE, "PROT_WRITE" },
	{ PROT_READ | PROT_WRITE, "PROT_READ|PROT_WRITE" },
	{ PROT_READ | PROT_EXEC, "PROT_READ|PROT_EXEC" },
	{ PROT_READ | PROT_WRITE | PROT_EXEC, "PROT_READ|PROT_WRITE|PROT_EXEC" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* 0 or an errno; *map is the mapping on success. */
static int try_mmap(int fd, int prot, int flags, unsigned char **map)
{
	*map = mmap(NULL, LEN, prot, flags, fd, 0);
	return *map == MAP_FAILED ? errno : 0;
}

static const char *result(int err)
{
	return err ? strerrorname_np(err) : "mapped";
}

/* A mapping that succeeded works: readable ones read zeros, writable ones keep a write. */
static bool mapping_works(unsigned char *p, int prot)
{
	if ((prot & PROT_READ) && !all_zero(p, LEN))
		return false;
	if (prot & PROT_WRITE) {
		p[LEN - 1] = 0x5a;
		if ((prot & PROT_READ) && p[LEN - 1] != 0x5a)
			return false;
		p[LEN - 1] = 0;
	}
	return true;
}

static void compare_mprotect(unsigned char *sys, unsigned char *cc, const char *what)
{
	size_t i;

	for (i = 0; i < N(prots); i++) {
		int sys_err = mprotect(sys, LEN, prots[i].prot) ? errno : 0;
		int cc_err = mprotect(cc, LEN, prots[i].prot) ? errno : 0;

		tap_ok(sys_err == cc_err, "%s, then mprotect(%s): %s, as the system heap (%s)",
		       what, prots[i].name, cc_err ? strerrorname_np(cc_err) : "allowed",
		       sys_err ? strerrorname_np(sys_err) : "allowed");
	}
}

int main(void)
{
	int heap_fd, sys_heap_fd, sys_fd[N(modes)], cc_fd[N(modes)];
	size_t m, t, p;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	sys_heap_fd = open(SYSTEM_HEAP, O_RDONLY | O_CLOEXEC);
	if (sys_heap_fd < 0)
		tap_bail("cannot open %s: %s", SYSTEM_HEAP, strerror(errno));
	heap_fd = heap_open();

	for (m = 0; m < N(modes); m++) {
		if (heap_alloc(sys_heap_fd, LEN, modes[m].flags | O_CLOEXEC, 0, &sys_fd[m]) ||
		    heap_alloc(heap_fd, LEN, modes[m].flags | O_CLOEXEC, 0, &cc_fd[m]))
			tap_bail("cannot allocate %lu bytes with fd_flags %s from both heaps",
				 LEN, modes[m].name);
	}

	for (m = 0; m < N(modes); m++) {
		for (t = 0; t < N(types); t++) {
			for (p = 0; p < N(prots); p++) {
				unsigned char *sys, *cc;
				int sys_err, cc_err, want;
				char what[128];

				snprintf(what, sizeof(what), "fd_flags %s, %s, %s", modes[m].name,
					 types[t].name, prots[p].name);
				sys_err = try_mmap(sys_fd[m], prots[p].prot, types[t].flags, &sys);
				cc_err = try_mmap(cc_fd[m], prots[p].prot, types[t].flags, &cc);

				want = sys_err;
				if (types[t].flags == MAP_PRIVATE && (!sys_err || sys_err == EINVAL))
					want = EINVAL;
				if (want != sys_err)
					tap_ok(cc_err == want,
					       "%s: %s (by design: no private copies; the system heap: %s)",
					       what, result(cc_err), result(sys_err));
				else
					tap_ok(cc_err == want, "%s: %s, as the system heap (%s)",
					       what, result(cc_err), result(sys_err));

				if (!cc_err)
					tap_ok(mapping_works(cc, prots[p].prot),
					       "%s: the mapping reads zeros and keeps a write", what);
				if (!sys_err && !cc_err && types[t].flags != MAP_PRIVATE &&
				    prots[p].prot == PROT_READ)
					compare_mprotect(sys, cc, what);
				if (!sys_err)
					munmap(sys, LEN);
				if (!cc_err)
					munmap(cc, LEN);
			}
		}
	}

	/* MAP_SHARED_VALIDATE checks the flags the file supports: a dma-buf has none. */
	{
		unsigned char *sys, *cc;
		int sys_err = try_mmap(sys_fd[2], PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, &sys);
		int cc_err = try_mmap(cc_fd[2], PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, &cc);

		tap_ok(cc_err == sys_err && cc_err == EOPNOTSUPP,
		       "MAP_SHARED_VALIDATE|MAP_SYNC: %s, as the system heap (%s)",
		       result(cc_err), result(sys_err));
		if (!sys_err)
			munmap(sys, LEN);
		if (!cc_err)
			munmap(cc, LEN);
	}

	for (m = 0; m < N(modes); m++) {
		close(sys_fd[m]);
		close(cc_fd[m]);
	}
	close(sys_heap_fd);
	close(heap_fd);
	heap_teardown();
	return tap_done();
}
