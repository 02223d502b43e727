// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The slab's free list, without an RDMA device: every index handed out
 * once, O(1) refusal when empty, bad puts caught, and 4 threads hammering
 * it with no slice owned twice and none lost.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "slab_core.h"
#include "tap.h"		/* tests/lib/tap.h */

#define COUNT		64
#define THREADS		4
#define ROUNDS		100000
#define HOLD_MAX	8

static struct slab_core core;
static _Atomic int owner[COUNT];	/* 0 = free, else thread number + 1 */
static atomic_int overlaps, failures;

static void single_thread(void)
{
	bool seen[COUNT] = { false };
	uint32_t index, i;
	int distinct = 0;

	is_int(slab_core_init(&core, 0), -EINVAL, "a slab of 0 slices is refused");
	is_int(slab_core_init(&core, COUNT), 0, "init with %d slices", COUNT);
	is_int(slab_core_available(&core), COUNT, "all are available");
	for (i = 0; i < COUNT; i++) {
		if (slab_core_get(&core, &index) == 0 && index < COUNT && !seen[index]) {
			seen[index] = true;
			distinct++;
		}
	}
	is_int(distinct, COUNT, "%d gets hand out %d distinct slices", COUNT, COUNT);
	is_int(slab_core_get(&core, &index), -ENOBUFS, "the next get finds none: -ENOBUFS");
	is_int(slab_core_available(&core), 0, "none available");
	is_int(slab_core_put(&core, COUNT), -EINVAL, "putting an index out of range");
	is_int(slab_core_put(&core, 5), 0, "putting slice 5");
	is_int(slab_core_put(&core, 5), -EINVAL, "putting slice 5 twice");
	is_int(slab_core_get(&core, &index), 0, "getting again");
	is_int(index, 5, "... returns the slice just freed (LIFO, cache-warm)");
	for (i = 0; i < COUNT; i++)
		slab_core_put(&core, i);
	is_int(slab_core_available(&core), COUNT, "after putting all back, all are available");
	slab_core_fini(&core);
}

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg + 1, expected;
	uint32_t held[HOLD_MAX], index;
	unsigned int seed = (unsigned int)me, n = 0, want;

	for (int round = 0; round < ROUNDS; round++) {
		want = (unsigned int)rand_r(&seed) % HOLD_MAX + 1;
		while (n < want && slab_core_get(&core, &index) == 0) {
			expected = 0;
			if (!atomic_compare_exchange_strong(&owner[index], &expected, me))
				atomic_fetch_add(&overlaps, 1);
			held[n++] = index;
		}
		while (n > want / 2) {
			index = held[--n];
			expected = me;
			if (!atomic_compare_exchange_strong(&owner[index], &expected, 0))
				atomic_fetch_add(&overlaps, 1);
			if (slab_core_put(&core, index))
				atomic_fetch_add(&failures, 1);
		}
	}
	while (n) {
		index = held[--n];
		atomic_store(&owner[index], 0);
		if (slab_core_put(&core, index))
			atomic_fetch_add(&failures, 1);
	}
	return NULL;
}

static void four_threads(void)
{
	pthread_t threads[THREADS];
	int i, started = 0;

	/* Fewer slices than 4 threads can hold, so the empty path races too. */
	is_int(slab_core_init(&core, 24), 0, "init with 24 slices for %d threads", THREADS);
	for (i = 0; i < THREADS; i++)
		started += pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i) == 0;
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	is_int(started, THREADS, "%d threads ran %d rounds each", THREADS, ROUNDS);
	is_int(atomic_load(&overlaps), 0, "no slice was ever held by two threads");
	is_int(atomic_load(&failures), 0, "every put was accepted");
	is_int(slab_core_available(&core), 24, "no slice leaked: all 24 are free again");
	slab_core_fini(&core);
}

int main(void)
{
	single_thread();
	four_threads();
	return tap_done();
}
