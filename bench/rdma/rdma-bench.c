// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rdma-bench: dma-buf MRs on system_cc_shared against ibv_reg_mr() MRs on
 * malloc'd memory, side by side in one process, on one device.
 *
 * Two RC QPs on the same device are connected to each other (the device's
 * own GID), so RDMA WRITEs loop back through the one provider.  For each
 * memory kind the program measures
 *   - registration: register and deregister one large region, repeatedly,
 *     reported as milliseconds per GiB;
 *   - bandwidth: RDMA WRITE from a source MR into a destination MR of the
 *     same kind, for each message size.
 * The kinds take turns in every round (A/B, then B/A), so both see the same
 * noise; the table reports medians over the rounds and their ratio.
 *
 *   rdma-bench [options]
 *
 * Exit status: see usage().
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include <ccshared.h>
#include <ccshared-verbs.h>

enum exit_status {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* an operation failed, or data did not match */
	EXIT_USAGE = 2,
	EXIT_NO_HEAP = 3,	/* system_cc_shared is missing */
	EXIT_NO_DMABUF_MR = 4,	/* the provider cannot take dma-buf MRs */
};

enum kind { KIND_DMABUF, KIND_MALLOC, NKINDS };

static const char *const kind_name[NKINDS] = {
	[KIND_DMABUF] = "dma-buf MR, system_cc_shared",
	[KIND_MALLOC] = "ibv_reg_mr, malloc",
};

#define MAX_SIZES 4
#define MAX_ROUNDS 101
#define ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE)

struct options {
	const char *ib_devname;	/* NULL: the first device */
	int ib_port;
	int gid_idx;		/* -1: the first IPv4 GID */
	size_t sizes[MAX_SIZES];
	unsigned int nsizes;
	size_t buf_size;	/* bytes per source and destination buffer */
	size_t bytes;		/* bytes written per measurement */
	unsigned int rounds;
	unsigned int depth;	/* writes in flight */
	size_t reg_size;	/* bytes per registration */
	unsigned int reg_iters;
	bool poll;		/* busy-poll the CQ instead of sleeping on events */
};

/* Memory of one kind and its MR. */
struct region {
	enum kind kind;
	size_t size;
	void *addr;
	struct ccshared_buf *buf;	/* KIND_DMABUF */
	struct ibv_mr *mr;
};

struct ctx {
	struct options *opt;
	struct ibv_context *context;
	struct ibv_pd *pd;
	struct ibv_comp_channel *channel;
	struct ibv_cq *cq;		/* the sender's; the receiver's sees nothing */
	struct ibv_cq *rcq;
	struct ibv_qp *qp[2];		/* qp[0] writes into qp[1]'s memory */
	struct ccshared_heap *heap;
	union ibv_gid gid;
	enum ibv_mtu mtu;
	struct region src[NKINDS], dst[NKINDS];
};

static void usage(const char *argv0)
{
	printf("usage: %s [options]\n\n", argv0);
	printf("RDMA WRITE bandwidth and MR registration time: dma-buf MRs on\n");
	printf("system_cc_shared against ibv_reg_mr() on malloc'd memory, on one\n");
	printf("device, through two RC QPs connected to each other.\n\n");
	printf("Options:\n");
	printf("  -d, --ib-dev=DEV      RDMA device (default: the first)\n");
	printf("  -i, --ib-port=PORT    its port (default 1)\n");
	printf("  -g, --gid-idx=N       GID index (default: the first IPv4 GID)\n");
	printf("  -s, --size=SIZE       message size; repeat for more (default 64K and 1M)\n");
	printf("  -b, --buf-size=SIZE   source and destination buffer per kind (default 16M)\n");
	printf("  -t, --bytes=SIZE      bytes written per measurement (default 128M)\n");
	printf("  -r, --rounds=N        rounds; the table gives medians (default 7)\n");
	printf("  -q, --depth=N         writes in flight (default 16)\n");
	printf("  -R, --reg-size=SIZE   region per registration (default 256M; 0: skip)\n");
	printf("  -n, --reg-iters=N     registrations per kind (default 5)\n");
	printf("  -P, --poll            busy-poll the CQ (default: sleep on completion\n");
	printf("                        events, which leaves the CPU to the provider)\n");
	printf("  -h, --help            this text\n\n");
	printf("Exit status:\n");
	printf("  0  success\n");
	printf("  1  an operation failed, or the data did not match\n");
	printf("  2  bad usage\n");
	printf("  3  no system_cc_shared heap: load ccshared_heap\n");
	printf("  4  the RDMA provider cannot take dma-buf MRs (EOPNOTSUPP)\n");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static const char *size_str(size_t size, char *str, size_t len)
{
	if (size >= (1 << 30) && size % (1 << 30) == 0)
		snprintf(str, len, "%zu GiB", size >> 30);
	else if (size >= (1 << 20) && size % (1 << 20) == 0)
		snprintf(str, len, "%zu MiB", size >> 20);
	else if (size >= (1 << 10) && size % (1 << 10) == 0)
		snprintf(str, len, "%zu KiB", size >> 10);
	else
		snprintf(str, len, "%zu B", size);
	return str;
}

/* ---- Memory and MRs ----------------------------------------------------- */

/* Allocate the memory, touched, so registration never faults it in. */
static int region_alloc(struct ctx *c, struct region *r, enum kind kind,
			size_t size)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->size = size;
	if (kind == KIND_DMABUF) {
		ret = ccshared_buf_alloc(c->heap, size, CCSHARED_BUF_MAP_EAGER, &r->buf);
		if (ret) {
			fprintf(stderr, "Couldn't allocate %zu bytes from %s: %s\n",
				size, ccshared_heap_name(c->heap), strerror(-ret));
			return -1;
		}
		r->addr = ccshared_buf_addr(r->buf);
		ccshared_buf_sync_begin(r->buf, CCSHARED_SYNC_WRITE);
		memset(r->addr, 0x5a, size);
		ccshared_buf_sync_end(r->buf, CCSHARED_SYNC_WRITE);
	} else {
		ret = posix_memalign(&r->addr, sysconf(_SC_PAGESIZE), size);
		if (ret) {
			fprintf(stderr, "Couldn't allocate %zu bytes: %s\n", size,
				strerror(ret));
			r->addr = NULL;
			return -1;
		}
		memset(r->addr, 0x5a, size);
	}
	return 0;
}

static void region_free(struct region *r)
{
	if (r->kind == KIND_DMABUF)
		ccshared_buf_free(r->buf);
	else
		free(r->addr);
	r->buf = NULL;
	r->addr = NULL;
}

static int region_reg(struct ctx *c, struct region *r)
{
	int ret;

	if (r->kind == KIND_DMABUF) {
		ret = ccshared_verbs_reg_buf(c->pd, r->buf, ACCESS, &r->mr);
		if (ret) {
			fprintf(stderr, "Couldn't register a dma-buf MR: %s\n",
				ccshared_verbs_strerror(ret));
			return ret == -EOPNOTSUPP ? EXIT_NO_DMABUF_MR : EXIT_FAILED;
		}
	} else {
		r->mr = ibv_reg_mr(c->pd, r->addr, r->size, ACCESS);
		if (!r->mr) {
			fprintf(stderr, "Couldn't register an MR on malloc'd memory: %s\n",
				strerror(errno));
			return EXIT_FAILED;
		}
	}
	return 0;
}

static int region_dereg(struct region *r)
{
	int ret = 0;

	if (r->mr) {
		ret = ibv_dereg_mr(r->mr);
		if (ret)
			fprintf(stderr, "Couldn't deregister an MR: %s\n", strerror(ret));
		r->mr = NULL;
	}
	return ret ? EXIT_FAILED : 0;
}

/* ---- Device and QPs ----------------------------------------------------- */

/* The first RoCE v2 IPv4 GID (::ffff:a.b.c.d), else the first non-zero one. */
static int pick_gid(struct ctx *c, int tbl_len)
{
	static const uint8_t v4[12] = { [10] = 0xff, [11] = 0xff };
	union ibv_gid gid;
	int i, first = -1;

	for (i = 0; i < tbl_len; i++) {
		if (ibv_query_gid(c->context, c->opt->ib_port, i, &gid))
			continue;
		if (!memcmp(gid.raw, v4, sizeof(v4)))
			return i;
		if (first < 0 && (gid.global.subnet_prefix || gid.global.interface_id))
			first = i;
	}
	return first;
}

static int qp_connect(struct ctx *c, struct ibv_qp *qp, uint32_t dest_qpn)
{
	struct ibv_qp_attr attr = {
		.qp_state = IBV_QPS_INIT,
		.port_num = c->opt->ib_port,
		.pkey_index = 0,
		.qp_access_flags = IBV_ACCESS_REMOTE_WRITE,
	};
	int ret;

	ret = ibv_modify_qp(qp, &attr, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			    IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
	if (ret) {
		fprintf(stderr, "Couldn't modify QP to INIT: %s\n", strerror(ret));
		return -1;
	}

	memset(&attr, 0, sizeof(attr));
	attr.qp_state = IBV_QPS_RTR;
	attr.path_mtu = c->mtu;
	attr.dest_qp_num = dest_qpn;
	attr.rq_psn = 0;
	attr.max_dest_rd_atomic = 1;
	attr.min_rnr_timer = 12;
	attr.ah_attr.is_global = 1;
	attr.ah_attr.grh.dgid = c->gid;
	attr.ah_attr.grh.sgid_index = c->opt->gid_idx;
	attr.ah_attr.grh.hop_limit = 1;
	attr.ah_attr.port_num = c->opt->ib_port;
	ret = ibv_modify_qp(qp, &attr, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
			    IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			    IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER);
	if (ret) {
		fprintf(stderr, "Couldn't modify QP to RTR: %s\n", strerror(ret));
		return -1;
	}

	memset(&attr, 0, sizeof(attr));
	attr.qp_state = IBV_QPS_RTS;
	attr.timeout = 14;
	attr.retry_cnt = 7;
	attr.rnr_retry = 7;
	attr.sq_psn = 0;
	attr.max_rd_atomic = 1;
	ret = ibv_modify_qp(qp, &attr, IBV_QP_STATE | IBV_QP_TIMEOUT |
			    IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
			    IBV_QP_MAX_QP_RD_ATOMIC);
	if (ret) {
		fprintf(stderr, "Couldn't modify QP to RTS: %s\n", strerror(ret));
		return -1;
	}
	return 0;
}

static struct ibv_device *find_device(struct ibv_device **list, const char *name)
{
	int i;

	for (i = 0; list[i]; i++)
		if (!name || !strcmp(ibv_get_device_name(list[i]), name))
			return list[i];
	return NULL;
}

static int ctx_open(struct ctx *c)
{
	struct ibv_device **list;
	struct ibv_device *dev;
	struct ibv_port_attr port;
	struct ibv_qp_init_attr qp_attr;
	int i, ret;

	list = ibv_get_device_list(NULL);
	if (!list) {
		fprintf(stderr, "Couldn't get the RDMA device list: %s\n", strerror(errno));
		return -1;
	}
	dev = find_device(list, c->opt->ib_devname);
	if (!dev) {
		if (c->opt->ib_devname)
			fprintf(stderr, "Couldn't find RDMA device %s\n", c->opt->ib_devname);
		else
			fprintf(stderr, "Couldn't find an RDMA device (is rxe0 up?)\n");
		ibv_free_device_list(list);
		return -1;
	}
	c->context = ibv_open_device(dev);
	ibv_free_device_list(list);
	if (!c->context) {
		fprintf(stderr, "Couldn't open the RDMA device: %s\n", strerror(errno));
		return -1;
	}

	ret = ibv_query_port(c->context, c->opt->ib_port, &port);
	if (ret) {
		fprintf(stderr, "Couldn't query port %d: %s\n", c->opt->ib_port,
			strerror(ret));
		return -1;
	}
	if (port.state != IBV_PORT_ACTIVE) {
		fprintf(stderr, "Couldn't use port %d: it is not active\n", c->opt->ib_port);
		return -1;
	}
	c->mtu = port.active_mtu;
	if (c->opt->gid_idx < 0)
		c->opt->gid_idx = pick_gid(c, port.gid_tbl_len);
	if (c->opt->gid_idx < 0) {
		fprintf(stderr, "Couldn't find a GID on port %d (no address on the netdev?)\n",
			c->opt->ib_port);
		return -1;
	}
	ret = ibv_query_gid(c->context, c->opt->ib_port, c->opt->gid_idx, &c->gid);
	if (ret) {
		fprintf(stderr, "Couldn't read GID %d\n", c->opt->gid_idx);
		return -1;
	}

	c->pd = ibv_alloc_pd(c->context);
	if (!c->pd) {
		fprintf(stderr, "Couldn't allocate a PD: %s\n", strerror(errno));
		return -1;
	}
	if (!c->opt->poll) {
		c->channel = ibv_create_comp_channel(c->context);
		if (!c->channel) {
			fprintf(stderr, "Couldn't create a completion channel: %s\n",
				strerror(errno));
			return -1;
		}
	}
	c->cq = ibv_create_cq(c->context, c->opt->depth + 1, NULL, c->channel, 0);
	c->rcq = ibv_create_cq(c->context, 1, NULL, NULL, 0);
	if (!c->cq || !c->rcq) {
		fprintf(stderr, "Couldn't create a CQ: %s\n", strerror(errno));
		return -1;
	}

	for (i = 0; i < 2; i++) {
		memset(&qp_attr, 0, sizeof(qp_attr));
		qp_attr.send_cq = i ? c->rcq : c->cq;
		qp_attr.recv_cq = c->rcq;
		qp_attr.cap.max_send_wr = i ? 1 : c->opt->depth;
		qp_attr.cap.max_recv_wr = 1;
		qp_attr.cap.max_send_sge = 1;
		qp_attr.cap.max_recv_sge = 1;
		qp_attr.qp_type = IBV_QPT_RC;
		qp_attr.sq_sig_all = 0;
		c->qp[i] = ibv_create_qp(c->pd, &qp_attr);
		if (!c->qp[i]) {
			fprintf(stderr, "Couldn't create a QP: %s\n", strerror(errno));
			return -1;
		}
	}
	if (qp_connect(c, c->qp[0], c->qp[1]->qp_num) ||
	    qp_connect(c, c->qp[1], c->qp[0]->qp_num))
		return -1;

	ret = ccshared_heap_open(NULL, 0, &c->heap);
	if (ret == -ENOENT) {
		fprintf(stderr, "Couldn't open the system_cc_shared heap: load ccshared_heap\n");
		return EXIT_NO_HEAP;
	}
	if (ret) {
		fprintf(stderr, "Couldn't open the system_cc_shared heap: %s\n",
			strerror(-ret));
		return -1;
	}
	return 0;
}

static void ctx_close(struct ctx *c)
{
	int i;

	for (i = 0; i < NKINDS; i++) {
		region_dereg(&c->src[i]);
		region_dereg(&c->dst[i]);
		region_free(&c->src[i]);
		region_free(&c->dst[i]);
	}
	if (c->heap)
		ccshared_heap_close(c->heap);
	for (i = 1; i >= 0; i--)
		if (c->qp[i] && ibv_destroy_qp(c->qp[i]))
			fprintf(stderr, "Couldn't destroy a QP\n");
	if (c->rcq && ibv_destroy_cq(c->rcq))
		fprintf(stderr, "Couldn't destroy a CQ\n");
	if (c->cq && ibv_destroy_cq(c->cq))
		fprintf(stderr, "Couldn't destroy a CQ\n");
	if (c->channel && ibv_destroy_comp_channel(c->channel))
		fprintf(stderr, "Couldn't destroy the completion channel\n");
	if (c->pd && ibv_dealloc_pd(c->pd))
		fprintf(stderr, "Couldn't deallocate the PD\n");
	if (c->context && ibv_close_device(c->context))
		fprintf(stderr, "Couldn't close the device\n");
}

/* ---- RDMA WRITE --------------------------------------------------------- */

/* Wait for at least one completion; returns how many, or -1. */
static int wait_cq(struct ctx *c, struct ibv_wc *wc, int max)
{
	struct ibv_cq *ev_cq;
	void *ev_ctx;
	int n;

	for (;;) {
		n = ibv_poll_cq(c->cq, max, wc);
		if (n)
			break;
		if (c->opt->poll)
			continue;
		if (ibv_req_notify_cq(c->cq, 0)) {
			fprintf(stderr, "Couldn't request a CQ notification\n");
			return -1;
		}
		/* A completion may have arrived before the request. */
		n = ibv_poll_cq(c->cq, max, wc);
		if (n)
			break;
		if (ibv_get_cq_event(c->channel, &ev_cq, &ev_ctx)) {
			fprintf(stderr, "Couldn't get a CQ event\n");
			return -1;
		}
		ibv_ack_cq_events(ev_cq, 1);
	}
	if (n < 0)
		fprintf(stderr, "Couldn't poll the CQ\n");
	return n;
}

/*
 * Write 'count' messages of 'msg' bytes from src into dst, cycling through
 * the buffers, with up to 'depth' in flight.  One write in every depth / 4
 * asks for a completion; RC completes in order, so a completion covers the
 * writes before it.  Returns the elapsed seconds, or a negative value.
 */
static double write_msgs(struct ctx *c, enum kind kind, size_t msg, uint64_t count)
{
	struct region *src = &c->src[kind], *dst = &c->dst[kind];
	unsigned int depth = c->opt->depth, sig = depth >= 4 ? depth / 4 : 1;
	uint64_t slots = src->size / msg, posted = 0, done = 0, i;
	struct ibv_send_wr wrs[64], *bad;
	struct ibv_sge sges[64];
	struct ibv_wc wc[16];
	double t0 = now();
	unsigned int k;
	int n, j, ret;

	while (done < count) {
		k = 0;
		while (posted < count && posted - done < depth && k < 64) {
			i = posted++;
			sges[k] = (struct ibv_sge) {
				.addr = (uintptr_t)src->addr + (i % slots) * msg,
				.length = msg,
				.lkey = src->mr->lkey,
			};
			wrs[k] = (struct ibv_send_wr) {
				.wr_id = i,
				.sg_list = &sges[k],
				.num_sge = 1,
				.opcode = IBV_WR_RDMA_WRITE,
				.send_flags = ((i + 1) % sig == 0 || i + 1 == count) ?
					      IBV_SEND_SIGNALED : 0,
				.wr.rdma.remote_addr = (uintptr_t)dst->addr + (i % slots) * msg,
				.wr.rdma.rkey = dst->mr->rkey,
			};
			if (k)
				wrs[k - 1].next = &wrs[k];
			k++;
		}
		if (k) {
			ret = ibv_post_send(c->qp[0], wrs, &bad);
			if (ret) {
				fprintf(stderr, "Couldn't post an RDMA WRITE: %s\n",
					strerror(ret));
				return -1;
			}
		}
		n = wait_cq(c, wc, 16);
		if (n < 0)
			return -1;
		for (j = 0; j < n; j++) {
			if (wc[j].status != IBV_WC_SUCCESS) {
				fprintf(stderr, "Couldn't complete an RDMA WRITE: %s\n",
					ibv_wc_status_str(wc[j].status));
				return -1;
			}
			done = wc[j].wr_id + 1;
		}
	}
	return now() - t0;
}

/* One write of 'msg' bytes, checked byte for byte through the mappings. */
static int verify(struct ctx *c, enum kind kind, size_t msg)
{
	struct region *src = &c->src[kind], *dst = &c->dst[kind];
	uint8_t *s = src->addr, *d = dst->addr;
	size_t i;

	if (src->buf)
		ccshared_buf_sync_begin(src->buf, CCSHARED_SYNC_WRITE);
	for (i = 0; i < msg; i++)
		s[i] = (uint8_t)(i * 31 + kind + (i >> 12));
	if (src->buf)
		ccshared_buf_sync_end(src->buf, CCSHARED_SYNC_WRITE);
	if (dst->buf)
		ccshared_buf_sync_begin(dst->buf, CCSHARED_SYNC_WRITE);
	memset(d, 0, msg);
	if (dst->buf)
		ccshared_buf_sync_end(dst->buf, CCSHARED_SYNC_WRITE);

	if (write_msgs(c, kind, msg, 1) < 0)
		return -1;

	if (dst->buf)
		ccshared_buf_sync_begin(dst->buf, CCSHARED_SYNC_READ);
	i = memcmp(s, d, msg);
	if (dst->buf)
		ccshared_buf_sync_end(dst->buf, CCSHARED_SYNC_READ);
	if (i) {
		fprintf(stderr, "Couldn't verify the data: %s, the destination differs\n",
			kind_name[kind]);
		return -1;
	}
	return 0;
}

/* ---- The benchmark ------------------------------------------------------ */

struct results {
	double reg[NKINDS][MAX_ROUNDS];		/* ms per GiB */
	double dereg[NKINDS][MAX_ROUNDS];
	double bw[MAX_SIZES][NKINDS][MAX_ROUNDS];	/* MiB/s */
};

static int bench_reg(struct ctx *c, struct results *res)
{
	struct options *o = c->opt;
	struct region big[NKINDS] = { 0 };
	double gib = (double)o->reg_size / (1 << 30), t0, t1, t2;
	unsigned int it, k;
	int ret = EXIT_FAILED;
	enum kind kind;

	/* Warm-up: one registration per kind, not timed. */
	for (k = 0; k < NKINDS; k++) {
		if (region_alloc(c, &big[k], k, o->reg_size))
			goto out;
		ret = region_reg(c, &big[k]);
		if (!ret)
			ret = region_dereg(&big[k]);
		if (ret)
			goto out;
	}
	ret = EXIT_FAILED;
	for (it = 0; it < o->reg_iters; it++) {
		for (k = 0; k < NKINDS; k++) {
			kind = (it % 2) ? NKINDS - 1 - k : k;
			t0 = now();
			ret = region_reg(c, &big[kind]);
			if (ret)
				goto out;
			t1 = now();
			ret = region_dereg(&big[kind]);
			if (ret)
				goto out;
			t2 = now();
			res->reg[kind][it] = (t1 - t0) * 1e3 / gib;
			res->dereg[kind][it] = (t2 - t1) * 1e3 / gib;
		}
		printf("# registration %u: dma-buf %.1f + %.1f ms/GiB, ibv_reg_mr %.1f + %.1f ms/GiB (reg + dereg)\n",
		       it + 1, res->reg[KIND_DMABUF][it], res->dereg[KIND_DMABUF][it],
		       res->reg[KIND_MALLOC][it], res->dereg[KIND_MALLOC][it]);
		fflush(stdout);
	}
	ret = 0;
out:
	for (k = 0; k < NKINDS; k++) {
		region_dereg(&big[k]);
		region_free(&big[k]);
	}
	return ret;
}

static int bench_bw(struct ctx *c, struct results *res)
{
	struct options *o = c->opt;
	unsigned int r, s, k;
	enum kind kind;
	uint64_t count;
	double t;
	char str[32];

	/* Warm-up: one pass over the buffers per kind and size, not timed. */
	for (s = 0; s < o->nsizes; s++)
		for (k = 0; k < NKINDS; k++)
			if (write_msgs(c, k, o->sizes[s], o->buf_size / o->sizes[s]) < 0)
				return EXIT_FAILED;

	for (r = 0; r < o->rounds; r++) {
		printf("# round %u:", r + 1);
		for (s = 0; s < o->nsizes; s++) {
			count = o->bytes / o->sizes[s];
			if (!count)
				count = 1;
			for (k = 0; k < NKINDS; k++) {
				kind = (r % 2) ? NKINDS - 1 - k : k;
				t = write_msgs(c, kind, o->sizes[s], count);
				if (t < 0)
					return EXIT_FAILED;
				res->bw[s][kind][r] = count * o->sizes[s] / t / (1 << 20);
			}
			printf(" %s %.0f / %.0f MiB/s", size_str(o->sizes[s], str, sizeof(str)),
			       res->bw[s][KIND_DMABUF][r], res->bw[s][KIND_MALLOC][r]);
		}
		printf(" (dma-buf / malloc)\n");
		fflush(stdout);
	}
	return 0;
}

static void minmax(const double *v, unsigned int n, double *lo, double *hi)
{
	unsigned int i;

	*lo = *hi = v[0];
	for (i = 1; i < n; i++) {
		*lo = v[i] < *lo ? v[i] : *lo;
		*hi = v[i] > *hi ? v[i] : *hi;
	}
}

static void print_table(struct ctx *c, struct results *res)
{
	struct options *o = c->opt;
	double a, b, alo, ahi, blo, bhi;
	unsigned int s;
	char str[32];

	printf("\n| | %s | %s | dma-buf / malloc |\n", kind_name[KIND_DMABUF],
	       kind_name[KIND_MALLOC]);
	printf("|---|---:|---:|---:|\n");
	for (s = 0; s < o->nsizes; s++) {
		a = median(res->bw[s][KIND_DMABUF], o->rounds);
		b = median(res->bw[s][KIND_MALLOC], o->rounds);
		minmax(res->bw[s][KIND_DMABUF], o->rounds, &alo, &ahi);
		minmax(res->bw[s][KIND_MALLOC], o->rounds, &blo, &bhi);
		printf("| RDMA WRITE, %s messages | %.0f MiB/s (%.0f-%.0f) | %.0f MiB/s (%.0f-%.0f) | **%.2f** |\n",
		       size_str(o->sizes[s], str, sizeof(str)), a, alo, ahi,
		       b, blo, bhi, a / b);
	}
	if (o->reg_size && o->reg_iters) {
		size_str(o->reg_size, str, sizeof(str));
		a = median(res->reg[KIND_DMABUF], o->reg_iters);
		b = median(res->reg[KIND_MALLOC], o->reg_iters);
		printf("| register, %s region | %.1f ms/GiB | %.1f ms/GiB | %.2f |\n",
		       str, a, b, a / b);
		a = median(res->dereg[KIND_DMABUF], o->reg_iters);
		b = median(res->dereg[KIND_MALLOC], o->reg_iters);
		printf("| deregister, %s region | %.1f ms/GiB | %.1f ms/GiB | %.2f |\n",
		       str, a, b, a / b);
	}
	printf("\nBandwidth: median (min-max) of %u rounds, %s written per measurement,\n",
	       o->rounds, size_str(o->bytes, str, sizeof(str)));
	printf("%u writes in flight, %s.", o->depth,
	       o->poll ? "CQ polled" : "completions by event");
	if (o->reg_size && o->reg_iters)
		printf(" Registration: median of %u.", o->reg_iters);
	printf("\n");
}

static void print_setup(struct ctx *c)
{
	char thp[64] = "?", str[32];
	FILE *f;

	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f) {
		if (!fgets(thp, sizeof(thp), f))
			strcpy(thp, "?");
		thp[strcspn(thp, "\n")] = '\0';
		fclose(f);
	}
	printf("# device %s port %d, GID index %d, MTU %d, %s, buffers %s per kind and side\n",
	       ibv_get_device_name(c->context->device), c->opt->ib_port,
	       c->opt->gid_idx, 128 << c->mtu,
	       c->opt->poll ? "CQ polling" : "completion events",
	       size_str(c->opt->buf_size, str, sizeof(str)));
	printf("# heap %s, transparent hugepages: %s\n", ccshared_heap_name(c->heap), thp);
}

static int parse_size_opt(const char *arg, const char *what, size_t *size)
{
	if (ccshared_parse_size(arg, size)) {
		fprintf(stderr, "bad %s: %s\n", what, arg);
		return -1;
	}
	return 0;
}

static int parse_uint_opt(const char *arg, const char *what, unsigned int min,
			  unsigned int max, unsigned int *val)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || v < min || v > max) {
		fprintf(stderr, "bad %s: %s (%u to %u)\n", what, arg, min, max);
		return -1;
	}
	*val = v;
	return 0;
}

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "ib-dev", required_argument, NULL, 'd' },
		{ "ib-port", required_argument, NULL, 'i' },
		{ "gid-idx", required_argument, NULL, 'g' },
		{ "size", required_argument, NULL, 's' },
		{ "buf-size", required_argument, NULL, 'b' },
		{ "bytes", required_argument, NULL, 't' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "depth", required_argument, NULL, 'q' },
		{ "reg-size", required_argument, NULL, 'R' },
		{ "reg-iters", required_argument, NULL, 'n' },
		{ "poll", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct options o = {
		.ib_port = 1,
		.gid_idx = -1,
		.buf_size = 16 << 20,
		.bytes = 128 << 20,
		.rounds = 7,
		.depth = 16,
		.reg_size = 256 << 20,
		.reg_iters = 5,
	};
	struct ctx c = { .opt = &o };
	struct results *res;
	unsigned int v, s, k;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "d:i:g:s:b:t:r:q:R:n:Ph",
				  long_options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			o.ib_devname = optarg;
			break;
		case 'i':
			if (parse_uint_opt(optarg, "port", 1, 255, &v))
				return EXIT_USAGE;
			o.ib_port = v;
			break;
		case 'g':
			if (parse_uint_opt(optarg, "GID index", 0, 65535, &v))
				return EXIT_USAGE;
			o.gid_idx = v;
			break;
		case 's':
			if (o.nsizes == MAX_SIZES) {
				fprintf(stderr, "at most %d sizes\n", MAX_SIZES);
				return EXIT_USAGE;
			}
			if (parse_size_opt(optarg, "size", &o.sizes[o.nsizes]))
				return EXIT_USAGE;
			o.nsizes++;
			break;
		case 'b':
			if (parse_size_opt(optarg, "buffer size", &o.buf_size))
				return EXIT_USAGE;
			break;
		case 't':
			if (parse_size_opt(optarg, "bytes", &o.bytes))
				return EXIT_USAGE;
			break;
		case 'r':
			if (parse_uint_opt(optarg, "rounds", 1, MAX_ROUNDS, &o.rounds))
				return EXIT_USAGE;
			break;
		case 'q':
			if (parse_uint_opt(optarg, "depth", 1, 1024, &o.depth))
				return EXIT_USAGE;
			break;
		case 'R':
			if (parse_size_opt(optarg, "registration size", &o.reg_size))
				return EXIT_USAGE;
			break;
		case 'n':
			if (parse_uint_opt(optarg, "registrations", 1, MAX_ROUNDS, &o.reg_iters))
				return EXIT_USAGE;
			break;
		case 'P':
			o.poll = true;
			break;
		case 'h':
			usage(argv[0]);
			return EXIT_OK;
		default:
			usage(argv[0]);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(argv[0]);
		return EXIT_USAGE;
	}
	if (!o.nsizes) {
		o.sizes[o.nsizes++] = 64 << 10;
		o.sizes[o.nsizes++] = 1 << 20;
	}
	for (s = 0; s < o.nsizes; s++) {
		if (!o.sizes[s] || o.sizes[s] > o.buf_size || o.sizes[s] > (1u << 31)) {
			fprintf(stderr, "bad size: %zu (1 byte to the buffer size, at most 2 GiB)\n",
				o.sizes[s]);
			return EXIT_USAGE;
		}
	}

	res = calloc(1, sizeof(*res));
	if (!res) {
		fprintf(stderr, "Couldn't allocate the results\n");
		return EXIT_FAILED;
	}
	ret = ctx_open(&c);
	if (ret) {
		ret = ret > 0 ? ret : EXIT_FAILED;
		goto out;
	}
	print_setup(&c);

	for (k = 0; k < NKINDS; k++) {
		if (region_alloc(&c, &c.src[k], k, o.buf_size) ||
		    region_alloc(&c, &c.dst[k], k, o.buf_size)) {
			ret = EXIT_FAILED;
			goto out;
		}
		ret = region_reg(&c, &c.src[k]);
		if (!ret)
			ret = region_reg(&c, &c.dst[k]);
		if (ret)
			goto out;
		for (s = 0; s < o.nsizes; s++) {
			if (verify(&c, k, o.sizes[s])) {
				ret = EXIT_FAILED;
				goto out;
			}
		}
	}
	printf("# data verified for both kinds\n");

	if (o.reg_size && o.reg_iters) {
		ret = bench_reg(&c, res);
		if (ret)
			goto out;
	}
	ret = bench_bw(&c, res);
	if (ret)
		goto out;
	print_table(&c, res);
out:
	ctx_close(&c);
	free(res);
	return ret;
}
