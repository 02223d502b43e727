// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A LIFO free list of slice indices under one mutex.  Get and put are O(1)
 * and allocate nothing; the arrays are sized once at init.  LIFO reuse
 * hands back the slice most likely to be warm in the cache.  A mutex
 * rather than a lock-free stack: the critical section is a few loads and
 * stores, and a lock-free pop needs ABA tagging that is easy to get wrong.
 */
#include <errno.h>
#include <stdlib.h>

#include "slab_core.h"

int slab_core_init(struct slab_core *core, uint32_t count)
{
	uint32_t i;
	int ret;

	if (!count)
		return -EINVAL;
	core->next = calloc(count, sizeof(*core->next));
	core->taken = calloc(count, sizeof(*core->taken));
	if (!core->next || !core->taken) {
		ret = -ENOMEM;
		goto free_arrays;
	}
	ret = -pthread_mutex_init(&core->lock, NULL);
	if (ret)
		goto free_arrays;
	for (i = 0; i < count; i++)
		core->next[i] = i + 1;
	core->count = count;
	core->available = count;
	core->head = 0;
	return 0;

free_arrays:
	free(core->taken);
	free(core->next);
	return ret;
}

void slab_core_fini(struct slab_core *core)
{
	pthread_mutex_destroy(&core->lock);
	free(core->taken);
	free(core->next);
}

int slab_core_get(struct slab_core *core, uint32_t *index)
{
	uint32_t i;

	pthread_mutex_lock(&core->lock);
	i = core->head;
	if (i == core->count) {
		pthread_mutex_unlock(&core->lock);
		return -ENOBUFS;
	}
	core->head = core->next[i];
	core->taken[i] = true;
	core->available--;
	pthread_mutex_unlock(&core->lock);
	*index = i;
	return 0;
}

int slab_core_put(struct slab_core *core, uint32_t index)
{
	if (index >= core->count)
		return -EINVAL;
	pthread_mutex_lock(&core->lock);
	if (!core->taken[index]) {
		pthread_mutex_unlock(&core->lock);
		return -EINVAL;
	}
	core->taken[index] = false;
	core->next[index] = core->head;
	core->head = index;
	core->available++;
	pthread_mutex_unlock(&core->lock);
	return 0;
}

uint32_t slab_core_available(struct slab_core *core)
{
	uint32_t available;

	pthread_mutex_lock(&core->lock);
	available = core->available;
	pthread_mutex_unlock(&core->lock);
	return available;
}
