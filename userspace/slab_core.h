/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The slab's free list, kept apart from the registration so it can be
 * tested without an RDMA device.  Not part of the ABI.
 */
#ifndef CCSHARED_SLAB_CORE_H
#define CCSHARED_SLAB_CORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct slab_core {
	pthread_mutex_t lock;
	uint32_t count;
	uint32_t available;
	uint32_t head;		/* first free index, or count when empty */
	uint32_t *next;		/* next free index after i */
	bool *taken;		/* catches double and foreign puts */
};

int slab_core_init(struct slab_core *core, uint32_t count);
void slab_core_fini(struct slab_core *core);
int slab_core_get(struct slab_core *core, uint32_t *index);
int slab_core_put(struct slab_core *core, uint32_t index);
uint32_t slab_core_available(struct slab_core *core);

#endif /* CCSHARED_SLAB_CORE_H */
