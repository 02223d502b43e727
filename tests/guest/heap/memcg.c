// SPDX-License-Identifier: GPL-2.0
/*
 * Test 8: the heap charges its memory to the caller's memory cgroup.  In
 * a cgroup with memory.max = 32 MiB a small allocation is charged, and a
 * 64 MiB one fails with ENOMEM, without the OOM killer.  The pool holds
 * uncharged chunks from the root cgroup throughout: the cgroup's caller
 * must not take them (its buffer would escape the charge), and its charged
 * chunks must not enter the pool (the cgroup would stay charged).
 *
 * The page allocator charges the memcg of the allocating task (or the one
 * set_active_memcg() names), not that of its mm's owner.  The two differ
 * for a process that shares its parent's mm (clone(CLONE_VM)) and sits in
 * another cgroup: its allocation must not take from the pool either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heaptest.h"

#define CGROOT "/sys/fs/cgroup"
#define CG CGROOT "/ccshared-heap-test"

static long cg_read(const char *file, const char *key)
{
	char path[256], buf[1024], *line;
	size_t n = key ? strlen(key) : 0;

	snprintf(path, sizeof(path), CG "/%s", file);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	if (!key)
		return strtol(buf, NULL, 10);
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, key, n) && line[n] == ' ')
			return strtol(line + n + 1, NULL, 10);
	return -1;
}

/* In the child, inside the cgroup: 0 = as expected, else a step number. */
static int child(void)
{
	long before, charged;
	int heap_fd, fd, ret;

	if (write_file(CG "/cgroup.procs", "0"))
		return 1;
	heap_fd = heap_open();
	before = cg_read("memory.current", NULL);
	if (heap_alloc(heap_fd, 8 * MiB, O_RDWR | O_CLOEXEC, 0, &fd))
		return 2;
	charged = cg_read("memory.current", NULL) - before;
	printf("# 8 MiB buffer: memory.current grew by %ld KiB\n", charged / 1024);
	if (charged < (long)(8 * MiB))
		return 3;
	close(fd);
	ret = heap_alloc(heap_fd, 64 * MiB, O_RDWR | O_CLOEXEC, 0, &fd);
	printf("# 64 MiB buffer: %s\n", strerror(-ret));
	return ret == -ENOMEM ? 0 : 4;
}

/*
 * A process that shares the test's mm (the test stays the mm's owner) and
 * moves itself into the cgroup.  It shares the test's memory too, so it
 * reports through @clone_result and prints nothing.
 */
static struct {
	long before, after;
	int ret;
} clone_result;

static int clone_child(void *unused)
{
	int heap_fd, fd;

	(void)unused;
	if (write_file(CG "/cgroup.procs", "0"))
		return 1;
	heap_fd = open(HEAP_PATH, O_RDONLY | O_CLOEXEC);
	if (heap_fd < 0)
		return 2;
	clone_result.before = cg_read("memory.current", NULL);
	clone_result.ret = heap_alloc(heap_fd, 8 * MiB, O_RDWR | O_CLOEXEC, 0, &fd);
	if (clone_result.ret)
		return 3;
	clone_result.after = cg_read("memory.current", NULL);
	close(fd);
	close(heap_fd);
	return 0;
}

static void test_clone_vm(void)
{
	static char stack[256 * 1024] __attribute__((aligned(16)));
	struct heap_stats before, after;
	int status;
	pid_t pid;

	heap_read_stats(&before);
	fflush(stdout);
	pid = clone(clone_child, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL);
	if (pid < 0)
		tap_bail("clone: %s", strerror(errno));
	waitpid(pid, &status, 0);
	heap_read_stats(&after);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "a process sharing the test's mm allocates 8 MiB from the cgroup (step %d, %s)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1, strerror(-clone_result.ret));
	tap_ok(clone_result.after - clone_result.before >= (long)(8 * MiB) &&
	       after.pool_pages == before.pool_pages,
	       "its 8 MiB are charged to its own cgroup, not taken from the pool (memory.current grew by %ld KiB, pool %ld -> %ld pages)",
	       (clone_result.after - clone_result.before) / 1024, before.pool_pages,
	       after.pool_pages);
}

int main(void)
{
	struct heap_stats pooled, after;
	bool mounted = false;
	long oom, oom_kill;
	int heap_fd, fd;
	int status;
	pid_t pid;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	if (access(CGROOT "/cgroup.controllers", F_OK)) {
		if (mount("cgroup2", CGROOT, "cgroup2", 0, NULL))
			tap_bail("cannot mount cgroup2: %s", strerror(errno));
		mounted = true;
	}
	tap_plan(7);

	/* Uncharged chunks in the pool, allocated and freed in the root cgroup. */
	heap_drain_pool();
	heap_fd = heap_open();
	if (heap_alloc(heap_fd, 16 * MiB, O_RDWR | O_CLOEXEC, 0, &fd))
		tap_bail("cannot allocate in the root cgroup");
	close(fd);
	close(heap_fd);
	heap_read_stats(&pooled);
	if (pooled.pool_pages < (long)(16 * MiB / 4096))
		tap_bail("the pool did not keep the root cgroup's chunks");
	write_file(CGROOT "/cgroup.subtree_control", "+memory");
	mkdir(CG, 0755);
	tap_ok(write_file(CG "/memory.max", "32M") == 0,
	       "a cgroup with memory.max = 32 MiB");
	oom = cg_read("memory.events", "oom");
	oom_kill = cg_read("memory.events", "oom_kill");

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(child());
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status), "the allocating process was not killed (status %#x)", status);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "8 MiB is charged to the cgroup, 64 MiB fails with ENOMEM (step %d)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	tap_ok(cg_read("memory.events", "oom") == oom &&
	       cg_read("memory.events", "oom_kill") == oom_kill,
	       "memory.events shows no OOM and no OOM kill");
	test_clone_vm();

	heap_read_stats(&after);
	tap_ok(after.pool_pages == pooled.pool_pages &&
	       cg_read("memory.current", NULL) < (long)(2 * MiB),
	       "the cgroup took nothing from the pool and put nothing in it, its charge is gone (pool %ld -> %ld pages, memory.current %ld KiB)",
	       pooled.pool_pages, after.pool_pages, cg_read("memory.current", NULL) / 1024);

	heap_drain_pool();
	rmdir(CG);
	if (mounted)
		umount(CGROOT);
	heap_teardown();
	return tap_done();
}
