// SPDX-License-Identifier: GPL-2.0
/*
 * rdma-core 65's CoCo API with libccshared-verbs, on the test rxe (rxe0,
 * set up by rdma-core-sid.t), whose test provider allocates ibv_alloc_buf()
 * buffers from system_cc_shared as mlx5 does on a CoCo device:
 * ibv_alloc_buf() / ibv_reg_buf_mr() / ibv_export_buf_dmabuf_fd(),
 * ccshared_verbs_import_ibv_buf() and ccshared_verbs_plain_mr_refused(),
 * a loopback RDMA WRITE between an ibv_reg_buf_mr() MR and a
 * ccshared_verbs_reg_buf() MR, both ways, and bad input.  TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include <ccshared.h>
#include <ccshared-verbs.h>

#include "tap.h"		/* tests/lib/tap.h */

#define SIZE (1u << 20)
#define RW (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ)

struct loop {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp[2];
	union ibv_gid gid;
	int gid_idx;
};

static uint64_t live_buffers(void)
{
	struct ccshared_stats st;

	return ccshared_stats_read(NULL, &st) ? UINT64_MAX : st.buffers;
}

/* The RoCE v2 GID of rxe0's IPv4 address (::ffff:a.b.c.d). */
static int pick_gid(struct loop *l)
{
	static const uint8_t v4[12] = { [10] = 0xff, [11] = 0xff };
	struct ibv_port_attr port;

	if (ibv_query_port(l->ctx, 1, &port))
		return -1;
	for (int i = 0; i < port.gid_tbl_len; i++)
		if (!ibv_query_gid(l->ctx, 1, i, &l->gid) && !memcmp(l->gid.raw, v4, sizeof(v4)))
			return l->gid_idx = i, 0;
	return -1;
}

static int connect_qp(struct loop *l, struct ibv_qp *qp, uint32_t peer)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT, .port_num = 1,
		.qp_access_flags = IBV_ACCESS_REMOTE_WRITE,
	};

	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			  IBV_QP_ACCESS_FLAGS))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = peer;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	a.ah_attr.is_global = 1;
	a.ah_attr.grh.dgid = l->gid;
	a.ah_attr.grh.sgid_index = l->gid_idx;
	a.ah_attr.grh.hop_limit = 1;
	a.ah_attr.port_num = 1;
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
			  IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 1;
	return ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
			     IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC) ? -1 : 0;
}

static int loop_up(struct loop *l)
{
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4, .max_send_sge = 1, .max_recv_sge = 1 },
	};

	if (pick_gid(l))
		return -1;
	l->cq = ibv_create_cq(l->ctx, 8, NULL, NULL, 0);
	if (!l->cq)
		return -1;
	init.send_cq = init.recv_cq = l->cq;
	for (int i = 0; i < 2; i++)
		if (!(l->qp[i] = ibv_create_qp(l->pd, &init)))
			return -1;
	return connect_qp(l, l->qp[0], l->qp[1]->qp_num) ||
	       connect_qp(l, l->qp[1], l->qp[0]->qp_num) ? -1 : 0;
}

/* RDMA WRITE len bytes from (laddr, lkey) to (raddr, rkey), QP 0 to QP 1. */
static int rdma_write(struct loop *l, uint64_t laddr, uint32_t lkey, uint64_t raddr,
		      uint32_t rkey, uint32_t len)
{
	struct ibv_sge sge = { .addr = laddr, .length = len, .lkey = lkey };
	struct ibv_send_wr wr = {
		.sg_list = &sge, .num_sge = 1, .opcode = IBV_WR_RDMA_WRITE,
		.send_flags = IBV_SEND_SIGNALED,
		.wr.rdma = { .remote_addr = raddr, .rkey = rkey },
	}, *bad;
	struct timespec start, now;
	struct ibv_wc wc;
	int n;

	if (ibv_post_send(l->qp[0], &wr, &bad))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!(n = ibv_poll_cq(l->cq, 1, &wc))) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 30) {
			tap_diag("no completion within 30 s");
			return -1;
		}
	}
	if (n < 0 || wc.status != IBV_WC_SUCCESS) {
		tap_diag("completion: %s", n < 0 ? "poll failed" : ibv_wc_status_str(wc.status));
		return -1;
	}
	return 0;
}

static void fill(unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static bool check(const unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 31 + seed))
			return false;
	return true;
}

int main(void)
{
	struct ibv_device_attr_ex attr;
	struct ibv_device **list;
	struct ccshared_heap *heap;
	struct ccshared_buf *cbuf, *imported;
	struct ibv_buf *ibuf, *other;
	struct ibv_mr *bmr, *cmr, *mr;
	struct loop l = { 0 };
	struct ibv_pd *pd2;
	unsigned char *iaddr, *caddr;
	void *addr2;
	uint64_t base;
	bool refused = true;
	int fd, ret, err;

	tap_plan(24);
	list = ibv_get_device_list(NULL);
	for (int i = 0; list && list[i]; i++)
		if (!strcmp(ibv_get_device_name(list[i]), "rxe0"))
			l.ctx = ibv_open_device(list[i]);
	l.pd = l.ctx ? ibv_alloc_pd(l.ctx) : NULL;
	pd2 = l.ctx ? ibv_alloc_pd(l.ctx) : NULL;
	if (!l.pd || !pd2 || ccshared_heap_open(NULL, 0, &heap))
		tap_bail("no rxe0 or no heap");
	base = live_buffers();
	if (base == UINT64_MAX)
		tap_bail("Couldn't read the heap's statistics");

	/* The capability, against the raw query. */
	memset(&attr, 0, sizeof(attr));
	ret = ccshared_verbs_plain_mr_refused(l.ctx, &refused);
	ok(!ret && !ibv_query_device_ex(l.ctx, NULL, &attr) &&
	   refused == !!(attr.device_cap_flags_ex & IBV_DEVICE_CC_DMA_BOUNCE) && !refused,
	   "plain_mr_refused: false, as IBV_DEVICE_CC_DMA_BOUNCE says (rxe has no DMA device) (%d)", ret);

	/* rdma-core's buffer: a system_cc_shared dma-buf from the test provider. */
	iaddr = ibv_alloc_buf(l.pd, SIZE, &ibuf);
	ok(iaddr && live_buffers() == base + 1, "ibv_alloc_buf: 1 MiB, one more heap buffer");
	if (!iaddr)
		tap_bail("ibv_alloc_buf: %s", strerror(errno));
	fd = ibv_export_buf_dmabuf_fd(ibuf);
	ok(fd >= 0 && lseek(fd, 0, SEEK_END) == SIZE && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	   "ibv_export_buf_dmabuf_fd: a new close-on-exec fd of 1 MiB");
	close(fd);
	bmr = ibv_reg_buf_mr(l.pd, ibuf, iaddr, SIZE, RW);
	ok(bmr && bmr->length == SIZE && bmr->addr == NULL,
	   "ibv_reg_buf_mr: a dma-buf MR whose addr is the offset (0), not the address");
	if (!bmr)
		tap_bail("ibv_reg_buf_mr: %s", strerror(errno));

	/* Both together: the same memory as a ccshared_buf. */
	ret = ccshared_verbs_import_ibv_buf(ibuf, &imported);
	ok(!ret && ccshared_buf_size(imported) == SIZE && live_buffers() == base + 1,
	   "import_ibv_buf: the same dma-buf, no new heap buffer: %s", ccshared_verbs_strerror(ret));
	if (ret)
		tap_bail("import failed");
	ok(!ccshared_buf_map(imported, &addr2) && addr2 != iaddr,
	   "... mapped at a second address");
	fill(iaddr, 4096, 7);
	ok(check(addr2, 4096, 7), "... which shows what was written through ibv_alloc_buf's");

	/* ccshared's buffer, with ccshared's MR, on the same PD. */
	if (ccshared_buf_alloc(heap, SIZE, CCSHARED_BUF_MAP_EAGER, &cbuf))
		tap_bail("Couldn't allocate 1 MiB");
	caddr = ccshared_buf_addr(cbuf);
	ret = ccshared_verbs_reg_buf(l.pd, cbuf, RW, &cmr);
	ok(!ret, "ccshared_verbs_reg_buf: %s", ccshared_verbs_strerror(ret));
	if (ret)
		tap_bail("registration failed");

	/* Loopback RDMA WRITE, both ways; the iova of each MR is its address. */
	if (loop_up(&l))
		tap_bail("Couldn't connect two QPs on rxe0: %s", strerror(errno));
	fill(iaddr, SIZE, 1);
	memset(caddr, 0, SIZE);
	ok(!rdma_write(&l, (uintptr_t)iaddr, bmr->lkey, (uintptr_t)caddr, cmr->rkey, SIZE) &&
	   !ccshared_buf_sync_begin(cbuf, CCSHARED_SYNC_READ) && check(caddr, SIZE, 1) &&
	   !ccshared_buf_sync_end(cbuf, CCSHARED_SYNC_READ),
	   "RDMA WRITE 1 MiB from the ibv_reg_buf_mr MR to the ccshared MR");
	fill(caddr + 4096, 8192, 2);
	memset(iaddr, 0, SIZE);
	ok(!rdma_write(&l, (uintptr_t)caddr + 4096, cmr->lkey, (uintptr_t)iaddr + 12345, bmr->rkey, 8192) &&
	   check(iaddr + 12345, 8192, 2) && check(addr2 + 12345, 8192, 2) &&
	   iaddr[12344] == 0 && iaddr[12345 + 8192] == 0,
	   "RDMA WRITE 8 KiB back, to ibv_alloc_buf's address + 12345: exactly there, seen through both mappings");
	/* The imported buffer in another PD, through ccshared's registration. */
	ret = ccshared_verbs_reg_slice(pd2, imported, 4096, 4096, CCSHARED_VERBS_IOVA_MAPPED, RW, &mr);
	ok(!ret && !ibv_dereg_mr(mr), "the imported buffer registers in another PD: %s",
	   ccshared_verbs_strerror(ret));

	/* Bad input: clear errors, nothing leaked. */
	errno = 0;
	mr = ibv_reg_buf_mr(pd2, ibuf, iaddr, SIZE, RW);
	err = errno;
	ok(!mr && err == EINVAL, "ibv_reg_buf_mr in another PD: EINVAL (%s)", strerror(err));
	errno = 0;
	mr = ibv_reg_buf_mr(l.pd, ibuf, iaddr + 4096, SIZE, RW);
	err = errno;
	ok(!mr && err == EINVAL, "ibv_reg_buf_mr past the buffer's end: EINVAL (%s)", strerror(err));
	errno = 0;
	mr = ibv_reg_buf_mr(l.pd, ibuf, iaddr - 4096, 4096, RW);
	err = errno;
	ok(!mr && err == EINVAL, "ibv_reg_buf_mr before the buffer: EINVAL (%s)", strerror(err));
	errno = 0;
	mr = ibv_reg_buf_mr(l.pd, ibuf, iaddr + SIZE - 4096, 4096, RW);
	err = errno;
	ok(mr && !ibv_dereg_mr(mr), "ibv_reg_buf_mr of the last page: taken (%s)", strerror(err));
	errno = 0;
	mr = ibv_reg_buf_mr(l.pd, ibuf, iaddr, 4096, IBV_ACCESS_REMOTE_WRITE);
	err = errno;
	ok(!mr && err == EINVAL, "ibv_reg_buf_mr, remote write without local write: EINVAL (%s)",
	   strerror(err));
	errno = 0;
	addr2 = ibv_alloc_buf(l.pd, 0, &other);
	err = errno;
	ok(!addr2 && err == EINVAL, "ibv_alloc_buf of 0 bytes: EINVAL (%s)", strerror(err));
	errno = 0;
	addr2 = ibv_alloc_buf(l.pd, (size_t)1 << 50, &other);
	err = errno;
	ok(!addr2 && err == ENOMEM && live_buffers() == base + 2,
	   "ibv_alloc_buf of 1 PiB: ENOMEM, nothing leaked (%s)", strerror(err));
	addr2 = ccshared_buf_addr(imported);
	is_int(ccshared_verbs_import_ibv_buf(NULL, &imported), -EINVAL, "import_ibv_buf(NULL): -EINVAL");

	/* Lifetimes: every holder keeps the dma-buf; the last one frees it. */
	ibv_free_buf(ibuf);
	ok(live_buffers() == base + 2, "ibv_free_buf with an MR and an import alive: the buffer stays");
	ok(!ibv_dereg_mr(bmr) && live_buffers() == base + 2, "deregistered: the import still holds it");
	ok(check(addr2 + 12345, 8192, 2), "... and its contents");
	ccshared_buf_free(imported);
	ok(live_buffers() == base + 1, "the import freed: the buffer is gone");
	ibv_dereg_mr(cmr);
	ccshared_buf_free(cbuf);
	ok(live_buffers() == base, "stats back where they were");

	ibv_destroy_qp(l.qp[0]);
	ibv_destroy_qp(l.qp[1]);
	ibv_destroy_cq(l.cq);
	ibv_dealloc_pd(pd2);
	ibv_dealloc_pd(l.pd);
	ibv_close_device(l.ctx);
	ibv_free_device_list(list);
	ccshared_heap_close(heap);
	return tap_done();
}
