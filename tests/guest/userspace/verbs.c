// SPDX-License-Identifier: GPL-2.0
/*
 * libccshared-verbs on the first RDMA device in the guest (verbs.t sets up
 * rxe).  rxe cannot take dma-buf MRs, so there the test checks that
 * registration and slab creation fail with -EOPNOTSUPP, explain why, and
 * leak nothing; on a device that can, it checks the MR and the slab.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ccshared-verbs.h"
#include "tap.h"		/* tests/lib/tap.h */

static void test_slab(struct ibv_pd *pd, struct ccshared_heap *heap)
{
	struct ccshared_slice slices[16], extra;
	struct ccshared_slab *slab = NULL;
	int ret, i, bad = 0;

	ret = ccshared_slab_create(pd, heap, 1000, 16, IBV_ACCESS_LOCAL_WRITE, &slab);
	ok(ret == 0, "slab of 16 x 1000 bytes: %s", ccshared_verbs_strerror(ret));
	if (ret)
		return;
	for (i = 0; i < 16; i++) {
		ret = ccshared_slab_get(slab, &slices[i]);
		bad += ret || slices[i].size != 1024 || slices[i].offset != slices[i].index * 1024u ||
		       slices[i].lkey != ccshared_slab_mr(slab)->lkey ||
		       slices[i].iova != (uint64_t)(uintptr_t)slices[i].addr;
	}
	ok(!bad, "16 slices with 64-byte-aligned stride, offsets, keys and iova");
	ok(ccshared_slab_get(slab, &extra) == -ENOBUFS, "the 17th: -ENOBUFS");
	ok(ccshared_slab_destroy(slab) == -EBUSY, "destroy with slices taken: -EBUSY");
	for (i = 0; i < 16; i++)
		bad += ccshared_slab_put(slab, &slices[i]) != 0;
	ok(!bad && ccshared_slab_put(slab, &slices[0]) == -EINVAL, "put all; a double put: -EINVAL");
	ok(ccshared_slab_destroy(slab) == 0, "destroy");
}

int main(void)
{
	struct ibv_device **devices;
	struct ccshared_stats before = { 0 }, after = { 0 };
	struct ccshared_heap *heap;
	struct ccshared_buf *buf;
	struct ccshared_slab *slab = NULL;
	struct ibv_context *context;
	struct ibv_mr *mr = NULL;
	struct ibv_pd *pd;
	int count, ret, stats_ret;
	bool refused;

	devices = ibv_get_device_list(&count);
	if (!devices || !count)
		tap_bail("no RDMA device (verbs.t sets up rxe_ccs)");
	context = ibv_open_device(devices[0]);
	pd = context ? ibv_alloc_pd(context) : NULL;
	if (!pd) {
		tap_ok(false, "Couldn't open %s and allocate a PD", ibv_get_device_name(devices[0]));
		return tap_done();
	}
	tap_diag("device %s", ibv_get_device_name(devices[0]));
	/* system_cc_shared itself: no development-mode fallback to "system". */
	if (ccshared_heap_open(NULL, 0, &heap) || ccshared_buf_alloc(heap, 1 << 20, 0, &buf)) {
		tap_ok(false, "Couldn't open system_cc_shared and allocate 1 MiB");
		return tap_done();
	}
	tap_diag("heap %s", ccshared_heap_name(heap));

	ret = ccshared_verbs_plain_mr_refused(context, &refused);
	ok(ret == 0 || ret == -EOPNOTSUPP, "plain_mr_refused answers, or says it cannot tell (%d)", ret);
	if (ret == 0)
		tap_diag("plain ibv_reg_mr refused on this device: %s", refused ? "yes" : "no");
	ok(ccshared_verbs_reg_slice(pd, buf, 4096, 1 << 20, CCSHARED_VERBS_IOVA_MAPPED,
				    IBV_ACCESS_LOCAL_WRITE, &mr) == -EINVAL,
	   "a slice beyond the buffer: -EINVAL");

	ret = ccshared_verbs_reg_buf(pd, buf, IBV_ACCESS_LOCAL_WRITE, &mr);
	if (strcmp(ibv_get_device_name(devices[0]), "rxe_ccs") == 0 || ret == -EOPNOTSUPP) {
		ok(ret == -EOPNOTSUPP, "rxe: registering a dma-buf MR gives -EOPNOTSUPP (%d)", ret);
		ok(strstr(ccshared_verbs_strerror(ret), "cannot register dma-buf memory") != NULL,
		   "... and the explanation says so: %s", ccshared_verbs_strerror(ret));
		stats_ret = ccshared_stats_read(NULL, &before);
		ret = ccshared_slab_create(pd, heap, 256, 64, IBV_ACCESS_LOCAL_WRITE, &slab);
		ok(ret == -EOPNOTSUPP && !slab, "rxe: creating a slab fails the same way");
		if (!stats_ret)
			stats_ret = ccshared_stats_read(NULL, &after);
		ok(!stats_ret && after.buffers == before.buffers,
		   "... and frees its buffer (%llu buffers; statistics %s)",
		   (unsigned long long)after.buffers, stats_ret ? strerror(-stats_ret) : "read");
	} else {
		ok(ret == 0 && mr && mr->length == 1 << 20 &&
		   mr->addr == ccshared_buf_addr(buf), "register the whole buffer at its address");
		if (mr)
			ibv_dereg_mr(mr);
		test_slab(pd, heap);
	}
	ccshared_buf_free(buf);
	ccshared_heap_close(heap);
	ibv_dealloc_pd(pd);
	ibv_close_device(context);
	ibv_free_device_list(devices);
	return tap_done();
}
