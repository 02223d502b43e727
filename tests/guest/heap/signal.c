// SPDX-License-Identifier: GPL-2.0
/*
 * Fatal signals.  An allocation checks for a fatal signal before every
 * chunk and stops with -EINTR, giving back every chunk it already took.
 * A child allocates 1 GiB with the pool off; once it has converted some
 * chunks, and before the buffer exists, it gets SIGKILL.  It must die of
 * it without the ioctl returning, the allocation must count as a failure
 * (a module that ignored the signal would finish it), it must stop well
 * short of the whole buffer, and everything must be back: no buffer, no
 * leaked page, as many conversions back to private as to shared, and
 * MemFree within 1% of MemTotal of where it was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "heaptest.h"

#define LEN (1 * GiB)
/* Kill once this many chunks were converted (a 1 GiB buffer has ~512). */
#define KILL_AFTER 24

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The child: say "go", allocate, and report the result if it ever returns. */
static void child(int wfd)
{
	int heap_fd = heap_open(), fd, ret;
	char msg[32];

	if (write(wfd, "g", 1) != 1)
		_exit(2);
	ret = heap_alloc(heap_fd, LEN, O_RDWR | O_CLOEXEC, 0, &fd);
	snprintf(msg, sizeof(msg), "r%d", ret);
	if (write(wfd, msg, strlen(msg)) < 0)
		_exit(2);
	_exit(0);
}

struct attempt {
	bool in_progress;	/* at the kill: chunks converted, no buffer yet */
	long converted_at_kill;
	bool killed;		/* died of SIGKILL */
	bool returned;		/* the ioctl returned to userspace */
	char result[32];
	double kill_to_reap;
};

static int attempt(const struct heap_stats *base, struct attempt *at)
{
	struct heap_stats st;
	int p[2], status;
	double t0, deadline;
	ssize_t n;
	pid_t pid;
	char c;

	memset(at, 0, sizeof(*at));
	if (pipe2(p, O_CLOEXEC))
		tap_bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		child(p[1]);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1 || c != 'g')
		tap_bail("the child did not start");

	/* Wait until the allocation has converted some chunks. */
	deadline = now() + 60;
	for (;;) {
		heap_read_stats(&st);
		if (st.buffers != base->buffers ||
		    st.conversions_to_shared - base->conversions_to_shared >= KILL_AFTER ||
		    now() > deadline)
			break;
		sleep_ms(1);
	}
	kill(pid, SIGKILL);
	t0 = now();
	at->converted_at_kill = st.conversions_to_shared - base->conversions_to_shared;
	at->in_progress = st.buffers == base->buffers && at->converted_at_kill > 0;
	if (waitpid(pid, &status, 0) != pid)
		tap_bail("waitpid: %s", strerror(errno));
	at->kill_to_reap = now() - t0;
	at->killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	n = read(p[0], at->result, sizeof(at->result) - 1);
	at->returned = n > 0;
	at->result[n > 0 ? n : 0] = '\0';
	close(p[0]);
	tap_diag("attempt: %ld chunks converted at the kill, %s, ioctl %s%s, reaped %.3f s after the kill",
		 at->converted_at_kill, at->in_progress ? "in progress" : "NOT in progress",
		 at->returned ? "returned " : "did not return", at->result, at->kill_to_reap);
	return 0;
}

int main(void)
{
	struct heap_stats base, calib, before, st, end;
	long memtotal, memfree0, memfree1;
	struct attempt at;
	double t, calib_s;
	int heap_fd, fd, i;

	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	tap_plan(10);

	heap_set_param("pool_max_mb", "0");
	heap_drain_pool();
	heap_read_stats(&base);
	heap_print_stats("baseline", &base);

	/* Calibration: how long does the whole allocation take, in how many chunks? */
	heap_fd = heap_open();
	t = now();
	if (heap_alloc(heap_fd, LEN, O_RDWR | O_CLOEXEC, 0, &fd))
		tap_bail("cannot allocate 1 GiB for the calibration");
	calib_s = now() - t;
	heap_read_stats(&calib);
	close(fd);
	close(heap_fd);
	calib.conversions_to_shared -= base.conversions_to_shared;
	tap_diag("calibration: 1 GiB in %.3f s, %ld chunks", calib_s,
		 calib.conversions_to_shared);
	ok(calib.conversions_to_shared > 4 * KILL_AFTER && calib_s > 0.1,
	   "calibration: 1 GiB takes %.3f s and %ld chunks, enough to be killed halfway",
	   calib_s, calib.conversions_to_shared);

	memtotal = meminfo_kb("MemTotal");
	sleep_ms(200);
	memfree0 = free_memory_kb();

	/* The kill must land inside the ioctl; retry if it was too late. */
	for (i = 0; i < 3; i++) {
		heap_read_stats(&before);
		attempt(&before, &at);
		if (at.in_progress || !at.returned)
			break;
		tap_diag("the child got the whole buffer before the kill; again");
	}
	ok(at.in_progress, "the kill came while the ioctl ran (%ld chunks converted, no buffer yet)",
	   at.converted_at_kill);
	ok(at.killed, "the child died of SIGKILL");
	ok(!at.returned, "the ioctl never returned to userspace");

	heap_read_stats(&end);
	heap_print_stats("after", &end);
	is_int(end.alloc_failures - before.alloc_failures, 1,
	       "the allocation stopped with an error (a module ignoring the signal would finish it)");
	ok(end.conversions_to_shared - before.conversions_to_shared <
	   calib.conversions_to_shared / 2,
	   "it stopped early: %ld of %ld chunks converted",
	   end.conversions_to_shared - before.conversions_to_shared,
	   calib.conversions_to_shared);
	ok(end.buffers == base.buffers && end.bytes == base.bytes,
	   "buffers and bytes are back to %ld, %ld", base.buffers, base.bytes);
	heap_ok_nothing_leaked(&base, "no page leaked: every page taken is accounted for");
	st.pool_pages = end.pool_pages - base.pool_pages;
	is_int((end.conversions_to_shared - base.conversions_to_shared) -
	       (end.conversions_to_private - base.conversions_to_private), st.pool_pages,
	       "every chunk shared went back to private (pool off: growth %ld)", st.pool_pages);
	sleep_ms(200);
	memfree1 = free_memory_kb();
	tap_diag("MemFree (with per-CPU lists) %ld -> %ld KiB of %ld (MemFree alone now %ld)",
		 memfree0, memfree1, memtotal, meminfo_kb("MemFree"));
	ok(memfree0 - memfree1 <= memtotal / 100,
	   "MemFree dropped by %ld KiB, at most 1%% of MemTotal", memfree0 - memfree1);

	heap_teardown();
	return tap_done();
}
