// SPDX-License-Identifier: GPL-2.0
/* A transfer kept in flight; see inflight.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "edutest.h"
#include "inflight.h"

static void *inflight_run(void *arg)
{
	struct inflight *t = arg;

	t->result = edu_dma(t->dev, t->handle, CCSHARED_EDU_FROM_DEVICE, t->offset,
			    CCSHARED_EDU_DMA_MAX);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

bool inflight_start(struct inflight *t, int dev, uint32_t handle, uint64_t boundary)
{
	double deadline = now() + 20;

	t->dev = dev;
	t->handle = handle;
	t->offset = boundary - CCSHARED_EDU_DMA_MAX / 2;
	t->irq_base = edu_irq_count(0);
	t->result = -EINPROGRESS;
	if (t->irq_base < 0 || pthread_create(&t->thread, NULL, inflight_run, t))
		tap_bail("cannot count edu0's interrupts or start a thread");

	while (inflight_irqs(t) < 1 && now() < deadline)
		usleep(200);
	if (inflight_irqs(t) != 1) {
		tap_diag("edu0 took %ld interrupts, not 1, in the first run of a transfer",
			 inflight_irqs(t));
		return false;
	}
	return true;
}

long inflight_irqs(const struct inflight *t)
{
	return edu_irq_count(0) - t->irq_base;
}

int inflight_finish(struct inflight *t)
{
	pthread_join(t->thread, NULL);
	return t->result;
}
