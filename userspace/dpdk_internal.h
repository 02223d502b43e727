/* SPDX-License-Identifier: GPL-2.0 */
/* What the pool (dpdk.c) and the rings (dpdk_ring.c) of libccshared-dpdk share. */
#ifndef CCSHARED_DPDK_INTERNAL_H
#define CCSHARED_DPDK_INTERNAL_H

#include "ccshared.h"

/*
 * In IOVA-as-VA mode a device behind VFIO reaches a buffer only if VFIO can
 * pin its pages, which the heap allows per buffer, on request, before the
 * buffer is mapped (ccshared_buf_allow_pin()).  Ask for it then, and only
 * then (VA mode, with VFIO in use): elsewhere nothing should pin the
 * buffer, and a pinnable mapping is one more way for shared memory to
 * reach kernel paths that treat it as private.  Returns 0 when
 * the mapping will be pinnable or need not be, else the positive errno that
 * explains a later EFAULT from VFIO; logs why at debug level.  'what'
 * names the buffer in the log.
 */
int ccshared_dpdk_allow_pin(const struct ccshared_heap *heap, struct ccshared_buf *buf,
			    const char *what);

#endif /* CCSHARED_DPDK_INTERNAL_H */
