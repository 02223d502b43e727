// SPDX-License-Identifier: GPL-2.0
/*
 * Test 6: 4 threads x 2,500 cycles of allocate, mmap, touch, unmap and
 * free, of random sizes from 4 KiB to 8 MiB.  Afterwards no buffer is
 * left, every page the heap took is accounted for, and once the pool is
 * drained free memory is back within 1%.
 *
 * The sizes are spread evenly over the powers of two, not over the pages:
 * every chunk order is drawn as often as any other, where evenly spread
 * pages made 99% of the buffers larger than 80 KiB, and the test spends
 * its time on races between the threads rather than on zeroing (a 4 MiB
 * mean took 140 s under TCG).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "heaptest.h"

#define THREADS 4
/* Per thread; HEAPTEST_STRESS_CYCLES overrides it (99-planted-leak.t). */
#define CYCLES 2500

static int cycles = CYCLES;

struct worker {
	pthread_t thread;
	int heap_fd;
	unsigned int seed;
	int failures;
	const char *first_error;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < cycles; i++) {
		/* 1 << k to (2 << k) - 1 pages for k in 0..10, or 2048. */
		unsigned int k = rand_r(&w->seed) % 12;
		size_t pages = k == 11 ? 2048 :
			((size_t)1 << k) + (size_t)rand_r(&w->seed) % ((size_t)1 << k);
		size_t len = pages * 4096;
		volatile unsigned char *p;
		int fd;

		if (heap_alloc(w->heap_fd, len, O_RDWR | O_CLOEXEC, 0, &fd)) {
			w->failures++;
			w->first_error = w->first_error ? w->first_error : "alloc";
			continue;
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			w->failures++;
			w->first_error = w->first_error ? w->first_error : "mmap";
		} else {
			if (p[0] || p[len - 1]) {
				w->failures++;
				w->first_error = w->first_error ? w->first_error : "not zero";
			}
			p[0] = 1;
			p[len - 1] = 1;
			munmap((void *)p, len);
		}
		close(fd);
	}
	return NULL;
}

int main(void)
{
	struct worker workers[THREADS];
	struct heap_stats before, after;
	long free_before, free_after, total;
	struct timespec t0, t1;
	int i, failures = 0;

	if (getenv("HEAPTEST_STRESS_CYCLES"))
		cycles = atoi(getenv("HEAPTEST_STRESS_CYCLES"));
	if (heap_setup())
		tap_bail("cannot load ccshared_heap " HEAP_LOAD_ARGS);
	tap_plan(4);

	heap_drain_pool();
	heap_read_stats(&before);
	free_before = free_memory_kb();
	total = meminfo_kb("MemTotal");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < THREADS; i++) {
		workers[i] = (struct worker){ .heap_fd = heap_open(), .seed = 1234 + i };
		if (pthread_create(&workers[i].thread, NULL, work, &workers[i]))
			tap_bail("pthread_create");
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(workers[i].thread, NULL);
		close(workers[i].heap_fd);
		failures += workers[i].failures;
		if (workers[i].first_error)
			tap_diag("thread %d: %d failures, first: %s", i,
				 workers[i].failures, workers[i].first_error);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_diag("%d cycles in %.1f s", THREADS * cycles,
		 (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);

	tap_ok(failures == 0, "%d cycles without a failure (%d failed)", THREADS * cycles,
	       failures);
	heap_read_stats(&after);
	heap_print_stats("after", &after);
	tap_ok(after.buffers == 0 && after.bytes == 0, "buffers and bytes are 0");
	heap_ok_nothing_leaked(&before, "nothing leaked: every page is accounted for");
	heap_drain_pool();
	free_after = free_memory_kb();
	/*
	 * Only a shortfall would be a leak: the kernel may well have freed
	 * other memory (page cache, per-cpu lists) in the meantime.
	 */
	tap_ok((free_before - free_after) * 100 <= total,
	       "free memory is back within 1%% of MemTotal after draining (%ld -> %ld KiB)",
	       free_before, free_after);

	heap_teardown();
	return tap_done();
}
