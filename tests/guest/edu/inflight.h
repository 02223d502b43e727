/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A transfer kept in flight long enough to do something else meanwhile,
 * for tests/guest/edu.  QEMU's edu device takes about 100 ms per DMA run
 * and raises an interrupt after each; a transfer across a boundary between
 * two DMA segments is two runs.  inflight_start() starts one from a second
 * thread and returns once the first run is done, with the second one still
 * going on /dev/ccshared_edu0; what the caller does next happens while the device is using the
 * mapping.  inflight_irqs() then says how many of the two runs are done.
 */
#ifndef INFLIGHT_H
#define INFLIGHT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct inflight {
	int dev;
	uint32_t handle;
	uint64_t offset;	/* a segment boundary minus half a transfer */
	long irq_base;		/* the device's interrupts before the transfer */
	int result;		/* of the transfer: 0 or -errno */
	pthread_t thread;
};

/* On edu0's @handle; false (and a diagnostic) if the first run never finished. */
bool inflight_start(struct inflight *t, int dev, uint32_t handle, uint64_t boundary);
/* Runs of the transfer done so far: 0, 1 or 2. */
long inflight_irqs(const struct inflight *t);
/* Wait for the transfer; its result. */
int inflight_finish(struct inflight *t);

#endif /* INFLIGHT_H */
