// SPDX-License-Identifier: GPL-2.0
/*
 * dma-buf MRs on the test rxe (rxe0, set up by mr.t): lifetimes against the
 * heap's statistics, and bad input.  TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include <ccshared.h>
#include <ccshared-verbs.h>

#include "tap.h"		/* tests/lib/tap.h */

static uint64_t live_buffers(void)
{
	struct ccshared_stats st;

	if (ccshared_stats_read(NULL, &st))
		return UINT64_MAX;
	return st.buffers;
}

static struct ccshared_buf *alloc(struct ccshared_heap *heap, size_t size)
{
	struct ccshared_buf *buf;

	if (ccshared_buf_alloc(heap, size, CCSHARED_BUF_MAP_EAGER, &buf)) {
		tap_bail("Couldn't allocate %zu bytes", size);
	}
	return buf;
}

/* ibv_reg_dmabuf_mr directly, so the kernel sees exactly these arguments. */
static int reg_raw(struct ibv_pd *pd, struct ccshared_buf *buf, uint64_t offset,
		   size_t length, uint64_t iova, int access, struct ibv_mr **mr)
{
	*mr = ibv_reg_dmabuf_mr(pd, offset, length, iova, ccshared_buf_fd(buf), access);
	return *mr ? 0 : errno;
}

int main(void)
{
	const int rw = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
		       IBV_ACCESS_REMOTE_READ;
	struct ibv_device **list;
	struct ibv_context *ctx = NULL;
	struct ccshared_heap *heap;
	struct ccshared_buf *buf;
	struct ibv_mr *mr;
	struct ibv_pd *pd;
	uint64_t base;
	int i, err;

	tap_plan(10);
	list = ibv_get_device_list(NULL);
	for (i = 0; list && list[i]; i++)
		if (!strcmp(ibv_get_device_name(list[i]), "rxe0"))
			ctx = ibv_open_device(list[i]);
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	if (!pd || ccshared_heap_open(NULL, 0, &heap)) {
		tap_bail("no rxe0 or no heap");
	}
	base = live_buffers();
	if (base == UINT64_MAX) {
		tap_bail("Couldn't read the heap's statistics");
	}

	/* Lifetimes. */
	buf = alloc(heap, 1 << 20);
	err = ccshared_verbs_reg_buf(pd, buf, rw, &mr);
	ok(!err, "register a 1 MiB buffer");
	ccshared_buf_free(buf);	/* unmaps and closes the only fd */
	ok(live_buffers() == base + 1,
	   "fd closed after registration: the MR keeps the buffer alive");
	if (mr)
		ibv_dereg_mr(mr);
	ok(live_buffers() == base, "deregistration frees it: stats back to where they were");

	buf = alloc(heap, 64 << 10);
	err = ccshared_verbs_reg_buf(pd, buf, rw, &mr);
	ok(!err && !ibv_dereg_mr(mr), "deregister, then free");
	ccshared_buf_free(buf);
	ok(live_buffers() == base, "deregister, then free: stats back");

	/* Bad input: the kernel must refuse, and leave nothing behind. */
	buf = alloc(heap, 64 << 10);
	base = live_buffers();
	err = reg_raw(pd, buf, 0, (64 << 10) + 4096, 0, rw, &mr);
	ok(err == EINVAL, "MR longer than the buffer: EINVAL");
	err = reg_raw(pd, buf, 60 << 10, 8192, 0, rw, &mr);
	ok(err == EINVAL, "MR running past the buffer's end: EINVAL");
	err = reg_raw(pd, buf, 100, 4096, 0, rw, &mr);
	ok(err == EINVAL, "iova and offset in different places in a page: EINVAL");
	err = reg_raw(pd, buf, 0, 4096, 0, IBV_ACCESS_REMOTE_WRITE, &mr);
	ok(err == EINVAL, "remote write without local write: EINVAL");
	err = reg_raw(pd, buf, 0, 4096, 0, rw | (1 << 30), &mr);
	ok(err == EINVAL && live_buffers() == base,
	   "unknown access bit: EINVAL; nothing leaked");
	ccshared_buf_free(buf);

	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	ibv_free_device_list(list);
	ccshared_heap_close(heap);
	return tap_done();
}
