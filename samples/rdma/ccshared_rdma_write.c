// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ccshared_rdma_write: RDMA WRITE between two system_cc_shared buffers.
 *
 * Each side allocates a buffer from the ccshared heap and registers it as a
 * dma-buf MR: in a confidential guest that is the only kind of MR the
 * kernel accepts for shared memory.  The sides connect with librdmacm and
 * swap the buffer's address and rkey in the connection's private data.
 * Then, per iteration, the client RDMA-WRITEs a pattern into the server's
 * buffer and says so with WRITE_WITH_IMM; the server checks the pattern
 * through its own mapping and writes a pattern of its own back the same way,
 * which the client checks.
 *
 *   server: ccshared_rdma_write [options]
 *   client: ccshared_rdma_write [options] SERVER
 *
 * Once a connection is under way, every wait watches both the connection's
 * rdma_cm event channel and the completion channel, and gives up after
 * --timeout seconds: a peer that dies makes the kernel's CM disconnect, and
 * a peer that stops answering runs out the clock.  Either way the survivor
 * says so and exits 1, instead of blocking on a completion that will never
 * come.  A server that refuses a client tells it why in the reject's
 * private data.
 *
 * Exit status: see usage().
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rdma/rdma_cma.h>
#include <rdma/rdma_verbs.h>

#include <ccshared.h>
#include <ccshared-verbs.h>

enum exit_status {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* an operation failed, or data did not match */
	EXIT_USAGE = 2,
	EXIT_NO_HEAP = 3,	/* system_cc_shared is missing */
	EXIT_NO_DMABUF_MR = 4,	/* the provider cannot take dma-buf MRs */
	EXIT_UNREACHABLE = 5,	/* the peer cannot be reached */
};

/* Writes per batch before waiting for a completion: bounds the send queue. */
#define BATCH 32

/* The largest RDMA message InfiniBand allows (and rxe takes): 2 GiB. */
#define MAX_MSG_SIZE (UINT64_C(1) << 31)

/* The longest wait --timeout allows: a day. */
#define MAX_TIMEOUT 86400

struct options {
	const char *server;	/* NULL: be the server */
	const char *bind;	/* server: address to listen on */
	char port[6];		/* 1 to 65535, in decimal */
	size_t size;		/* bytes per region */
	size_t offset;		/* the MR starts this far into the buffer */
	unsigned int iters;
	unsigned int slices;	/* slab mode: this many regions; 0: off */
	unsigned int timeout;	/* seconds any one wait for the peer may take */
	bool quiet;
};

/* What each side tells the other in the connection's private data. */
struct peer_info {
	uint64_t addr;		/* iova of region 0 */
	uint64_t stride;	/* region k is at addr + k * stride */
	uint64_t size;		/* bytes per region */
	uint32_t rkey;
	uint32_t count;		/* number of regions */
};

/*
 * What a server that refuses a client puts in the reject's private data, so
 * the client can tell "refused, because ..." (exit 1) from "nobody there"
 * (exit 5).  InfiniBand's REJ carries 148 bytes of private data.
 */
#define REJECT_MAGIC "ccsrdmaw"

struct reject_info {
	char magic[8];		/* REJECT_MAGIC, without its NUL */
	char reason[140];	/* NUL-terminated */
};

struct ctx {
	struct options *opt;
	struct rdma_cm_id *listen_id;
	struct rdma_cm_id *id;
	/* The connection's own CM event channel, once the id is migrated to it. */
	struct rdma_event_channel *cm;
	bool peer_gone;		/* the CM said the connection is over */
	struct ibv_pd *pd;
	struct ibv_comp_channel *channel;
	struct ibv_cq *cq;
	struct ccshared_heap *heap;
	/* normal mode: one buffer and an MR on [offset, offset + size) */
	struct ccshared_buf *buf;
	struct ibv_mr *mr;
	/* slab mode: one slab, one MR, 'slices' regions */
	struct ccshared_slab *slab;
	struct ccshared_slice *slice;
	uint32_t count;		/* regions: 1, or the number of slices */
	struct peer_info local, remote;
	/* Immediates received and not yet consumed by wait_imm() */
	unsigned int imms;
	uint32_t imm;
	bool connected;
};

static void usage(const char *argv0)
{
	printf("usage: %s [options]          start a server\n", argv0);
	printf("       %s [options] SERVER   connect to SERVER\n\n", argv0);
	printf("Options:\n");
	printf("  -p, --port=PORT       port to listen on or connect to, 1-65535 (default 18515)\n");
	printf("  -b, --bind=ADDR       server: address to listen on (default: all)\n");
	printf("  -s, --size=SIZE       bytes per write, 1 to 2G: 4096, 64K, 1M... (default 4096)\n");
	printf("  -n, --iters=N         round trips, 1 to 4294967295 (default 1)\n");
	printf("  -o, --offset=BYTES    register the MR this far into the buffer (default 0)\n");
	printf("  -S, --slab=N          slab mode: N slices of SIZE in one MR, all written\n");
	printf("                        (1 to 4294967295)\n");
	printf("  -t, --timeout=SECONDS give up when the peer is silent this long, 1 to 86400;\n");
	printf("                        also how long a server waits for its client (default 30)\n");
	printf("  -q, --quiet           print only the result line\n");
	printf("  -h, --help            this text\n\n");
	printf("Both sides must use the same size and slab options; a server refuses a client\n");
	printf("whose options differ, and says why.\n\n");
	printf("Exit status:\n");
	printf("  0  success: every byte arrived as written, both ways\n");
	printf("  1  an operation failed, the data did not match, the peer went away or\n");
	printf("     fell silent, or the server refused the client's options\n");
	printf("  2  bad usage\n");
	printf("  3  no system_cc_shared heap: load ccshared_heap\n");
	printf("  4  the RDMA provider cannot take dma-buf MRs (EOPNOTSUPP)\n");
	printf("  5  the peer cannot be reached\n");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The pattern of one region in one iteration and direction: a counter mixed
 * with all three, so a stale, misplaced or truncated write shows up.
 */
static uint64_t pattern(uint64_t word, unsigned int iter, uint32_t region,
			bool from_client)
{
	uint64_t x = word ^ ((uint64_t)iter << 32) ^ ((uint64_t)region << 48) ^
		     (from_client ? 0 : 0x8000000000000000ull);

	x *= 0x9e3779b97f4a7c15ull;
	return x ^ (x >> 29);
}

static void fill(void *addr, size_t size, unsigned int iter, uint32_t region,
		 bool from_client)
{
	uint64_t *p = addr;
	size_t i;

	for (i = 0; i < size / 8; i++)
		p[i] = pattern(i, iter, region, from_client);
	for (i = size & ~7ul; i < size; i++)
		((uint8_t *)addr)[i] = (uint8_t)pattern(size / 8, iter, region, from_client);
}

/* Returns the offset of the first wrong word or byte, or SIZE_MAX. */
static size_t check(const void *addr, size_t size, unsigned int iter,
		    uint32_t region, bool from_client)
{
	const uint64_t *p = addr;
	uint8_t tail = (uint8_t)pattern(size / 8, iter, region, from_client);
	size_t i;

	for (i = 0; i < size / 8; i++)
		if (p[i] != pattern(i, iter, region, from_client))
			return i * 8;
	for (i = size & ~7ul; i < size; i++)
		if (((const uint8_t *)addr)[i] != tail)
			return i;
	return SIZE_MAX;
}

static struct ccshared_buf *region_buf(struct ctx *c)
{
	return c->slab ? ccshared_slab_buf(c->slab) : c->buf;
}

static void *region_addr(struct ctx *c, uint32_t k)
{
	if (c->slab)
		return c->slice[k].addr;
	return (char *)ccshared_buf_addr(c->buf) + c->opt->offset;
}

static uint32_t region_lkey(struct ctx *c)
{
	return c->slab ? ccshared_slab_mr(c->slab)->lkey : c->mr->lkey;
}

/* The heap and the buffers: the first thing that can fail on a new host. */
static int alloc_buffers(struct ctx *c)
{
	struct options *opt = c->opt;
	int ret;

	ret = ccshared_heap_open(NULL, 0, &c->heap);
	if (ret == -ENOENT) {
		fprintf(stderr, "Couldn't open /dev/dma_heap/%s: no such heap\n"
			"hint: load ccshared_heap ('modprobe ccshared_heap' once it is installed, 'insmod ccshared_heap.ko'\n"
			"      from a build tree; outside a confidential guest only with force_non_coco=1), or use a\n"
			"      kernel with CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED; see docs/heap.md\n",
			CCSHARED_HEAP_DEFAULT);
		return EXIT_NO_HEAP;
	}
	if (ret) {
		fprintf(stderr, "Couldn't open the ccshared heap: %s\n", strerror(-ret));
		return EXIT_FAILED;
	}
	if (opt->slices)
		return EXIT_OK;	/* the slab allocates once a PD exists */

	ret = ccshared_buf_alloc(c->heap, opt->offset + opt->size,
				 CCSHARED_BUF_MAP_EAGER, &c->buf);
	if (ret) {
		fprintf(stderr, "Couldn't allocate %zu bytes: %s\n",
			opt->offset + opt->size, strerror(-ret));
		return EXIT_FAILED;
	}
	ccshared_buf_set_name(c->buf, "ccshared_rdma_write");
	return EXIT_OK;
}

static int reg_error(int ret, const char *what)
{
	fprintf(stderr, "Couldn't register %s as a dma-buf MR: %s\n", what,
		ccshared_verbs_strerror(ret));
	if (ret == -EOPNOTSUPP) {
		fprintf(stderr, "hint: this RDMA provider cannot take dma-buf MRs (EOPNOTSUPP); see docs/rdma.md for providers that can\n");
		return EXIT_NO_DMABUF_MR;
	}
	return EXIT_FAILED;
}

/* PD, MR, CQ and QP on the device the connection runs on. */
static int setup_verbs(struct ctx *c)
{
	struct options *opt = c->opt;
	int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	struct ibv_qp_init_attr attr = {
		.cap = { .max_send_wr = BATCH + 1, .max_recv_wr = 4,
			 .max_send_sge = 1, .max_recv_sge = 1 },
		.qp_type = IBV_QPT_RC,
	};
	uint32_t k;
	int ret;

	struct ibv_port_attr port;

	/* IB allows 2 GiB per message; a device may allow less. */
	if (!ibv_query_port(c->id->verbs, c->id->port_num, &port) && opt->size > port.max_msg_sz) {
		fprintf(stderr, "Couldn't use %zu-byte writes: %s takes at most %u bytes per message\n",
			opt->size, ibv_get_device_name(c->id->verbs->device), port.max_msg_sz);
		return EXIT_FAILED;
	}
	c->pd = ibv_alloc_pd(c->id->verbs);
	if (!c->pd) {
		fprintf(stderr, "Couldn't allocate PD\n");
		return EXIT_FAILED;
	}
	if (opt->slices) {
		ret = ccshared_slab_create(c->pd, c->heap, opt->size, opt->slices,
					   access, &c->slab);
		if (ret)
			return reg_error(ret, "the slab");
		c->count = opt->slices;
		c->slice = calloc(c->count, sizeof(*c->slice));
		if (!c->slice)
			return EXIT_FAILED;
		/* Take every slice; keep them by index so both sides agree. */
		for (k = 0; k < c->count; k++) {
			struct ccshared_slice s;

			ret = ccshared_slab_get(c->slab, &s);
			if (ret) {
				fprintf(stderr, "Couldn't take a slice: %s\n", strerror(-ret));
				return EXIT_FAILED;
			}
			c->slice[s.index] = s;
		}
		c->local.addr = c->slice[0].iova;
		c->local.stride = c->count > 1 ? c->slice[1].iova - c->slice[0].iova : 0;
		c->local.rkey = c->slice[0].rkey;
	} else {
		ret = ccshared_verbs_reg_slice(c->pd, c->buf, opt->offset, opt->size,
					       CCSHARED_VERBS_IOVA_MAPPED, access, &c->mr);
		if (ret)
			return reg_error(ret, "the buffer");
		c->count = 1;
		c->local.addr = (uintptr_t)region_addr(c, 0);
		c->local.stride = 0;
		c->local.rkey = c->mr->rkey;
	}
	c->channel = ibv_create_comp_channel(c->id->verbs);
	if (c->channel)
		c->cq = ibv_create_cq(c->id->verbs, 2 * BATCH + 8, NULL, c->channel, 0);
	/* Non-blocking: waits poll() the channel, bounded, then drain it. */
	if (!c->cq || ibv_req_notify_cq(c->cq, 0) ||
	    fcntl(c->channel->fd, F_SETFL, fcntl(c->channel->fd, F_GETFL) | O_NONBLOCK)) {
		fprintf(stderr, "Couldn't create CQ\n");
		return EXIT_FAILED;
	}
	attr.send_cq = c->cq;
	attr.recv_cq = c->cq;
	if (rdma_create_qp(c->id, c->pd, &attr)) {
		fprintf(stderr, "Couldn't create QP: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* A receive with no buffer: WRITE_WITH_IMM only consumes it. */
static int post_recv(struct ctx *c)
{
	struct ibv_recv_wr wr = { .wr_id = 0 }, *bad;

	return ibv_post_recv(c->id->qp, &wr, &bad);
}

/*
 * Take one event from the connection's CM channel (it is readable).  After
 * the connection is established the only news is bad: the peer
 * disconnected (it exited, or was killed and its kernel tore the
 * connection down), or the device went away.
 */
static void handle_cm_event(struct ctx *c)
{
	struct rdma_cm_event *event;

	if (rdma_get_cm_event(c->cm, &event))
		return;		/* EAGAIN: nothing after all */
	switch (event->event) {
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
		c->peer_gone = true;
		break;
	default:
		fprintf(stderr, "Ignoring rdma_cm event %s\n", rdma_event_str(event->event));
		break;
	}
	if (c->peer_gone && !c->opt->quiet)
		fprintf(stderr, "rdma_cm: %s\n", rdma_event_str(event->event));
	rdma_ack_cm_event(event);
}

/*
 * Wait for one completion, at most --timeout seconds, watching the CM
 * channel too; fail on any error completion.  The peer's immediate may
 * arrive while we wait for our own write: count it.  The CQ is polled once
 * more after a disconnect, because a peer that finished and closed sends
 * its last write before its disconnect.
 */
static int wait_completion(struct ctx *c, struct ibv_wc *wc)
{
	struct pollfd fds[2] = {
		{ .fd = c->channel->fd, .events = POLLIN },
		{ .fd = c->cm->fd, .events = POLLIN },
	};
	bool timed_out = false;
	struct ibv_cq *cq;
	void *cq_ctx;
	int n;

	for (;;) {
		n = ibv_poll_cq(c->cq, 1, wc);
		if (n < 0) {
			fprintf(stderr, "Couldn't poll the CQ\n");
			return -1;
		}
		if (n == 1 && timed_out)
			fprintf(stderr, "note: a completion came without a completion event\n");
		if (n == 1)
			break;
		if (c->peer_gone) {
			fprintf(stderr, "The peer disconnected: it exited or was killed\n");
			return -1;
		}
		if (timed_out) {
			fprintf(stderr, "No completion for %u s: the peer stopped answering (-t sets the limit)\n",
				c->opt->timeout);
			return -1;
		}
		n = poll(fds, 2, (int)c->opt->timeout * 1000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "Couldn't wait for a completion: %s\n", strerror(errno));
			return -1;
		}
		/* Look at the CQ once more: an event may have gone missing. */
		timed_out = n == 0;
		if (fds[1].revents)
			handle_cm_event(c);
		if (fds[0].revents && ibv_get_cq_event(c->channel, &cq, &cq_ctx) == 0) {
			ibv_ack_cq_events(cq, 1);
			if (ibv_req_notify_cq(cq, 0))
				return -1;
		}
	}
	if (wc->status != IBV_WC_SUCCESS) {
		fprintf(stderr, "Completion failed: %s (wr %" PRIu64 ")%s\n",
			ibv_wc_status_str(wc->status), wc->wr_id,
			c->peer_gone ? ": the peer disconnected" : "");
		return -1;
	}
	if (wc->opcode == IBV_WC_RECV_RDMA_WITH_IMM) {
		c->imms++;
		c->imm = ntohl(wc->imm_data);
	}
	return 0;
}

/*
 * Write our regions into the peer's, in batches; the last write carries
 * the iteration number as immediate data, which tells the peer it's done.
 */
static int write_all(struct ctx *c, unsigned int iter)
{
	uint32_t k, pending = 0;
	struct ibv_wc wc;

	for (k = 0; k < c->count; k++) {
		bool last = k == c->count - 1;
		struct ibv_sge sge = {
			.addr = (uintptr_t)region_addr(c, k),
			.length = c->opt->size,
			.lkey = region_lkey(c),
		};
		struct ibv_send_wr wr = {
			.wr_id = k,
			.sg_list = &sge,
			.num_sge = 1,
			.opcode = last ? IBV_WR_RDMA_WRITE_WITH_IMM : IBV_WR_RDMA_WRITE,
			.send_flags = (last || ++pending == BATCH) ? IBV_SEND_SIGNALED : 0,
			.imm_data = htonl(iter),
			.wr.rdma = {
				.remote_addr = c->remote.addr + k * c->remote.stride,
				.rkey = c->remote.rkey,
			},
		}, *bad;

		if (ibv_post_send(c->id->qp, &wr, &bad)) {
			fprintf(stderr, "Couldn't post RDMA WRITE: %s\n", strerror(errno));
			return -1;
		}
		if (wr.send_flags & IBV_SEND_SIGNALED) {
			pending = 0;
			do {
				if (wait_completion(c, &wc))
					return -1;
			} while (wc.opcode != IBV_WC_RDMA_WRITE || wc.wr_id != k);
		}
	}
	return 0;
}

static int wait_imm(struct ctx *c, unsigned int iter)
{
	struct ibv_wc wc;

	while (!c->imms)
		if (wait_completion(c, &wc))
			return -1;
	c->imms--;
	if (c->imm != iter) {
		fprintf(stderr, "Got iteration %u, expected %u\n", c->imm, iter);
		return -1;
	}
	return post_recv(c);
}

static void fill_all(struct ctx *c, unsigned int iter, bool from_client)
{
	uint32_t k;

	ccshared_buf_sync_begin(region_buf(c), CCSHARED_SYNC_WRITE);
	for (k = 0; k < c->count; k++)
		fill(region_addr(c, k), c->opt->size, iter, k, from_client);
	ccshared_buf_sync_end(region_buf(c), CCSHARED_SYNC_WRITE);
}

/* Check what the peer wrote, through our mapping, inside a read sync. */
static int check_all(struct ctx *c, unsigned int iter, bool from_client)
{
	size_t bad = SIZE_MAX;
	uint32_t k;

	ccshared_buf_sync_begin(region_buf(c), CCSHARED_SYNC_READ);
	for (k = 0; k < c->count && bad == SIZE_MAX; k++)
		bad = check(region_addr(c, k), c->opt->size, iter, k, from_client);
	ccshared_buf_sync_end(region_buf(c), CCSHARED_SYNC_READ);
	if (bad != SIZE_MAX) {
		fprintf(stderr, "Data mismatch: iteration %u, region %u, byte %zu\n",
			iter, k - 1, bad);
		return -1;
	}
	return 0;
}

/*
 * Does the peer's buffer info (from the connection's private data) match
 * ours?  If not, 'why' says how they differ, for both sides to print.
 */
static bool peer_matches(struct ctx *c, const void *data, size_t len, char *why, size_t why_len)
{
	if (!data || len < sizeof(c->remote)) {
		snprintf(why, why_len, "the peer sent no buffer info: is it ccshared_rdma_write?");
		return false;
	}
	memcpy(&c->remote, data, sizeof(c->remote));
	if (c->remote.size != c->local.size || c->remote.count != c->local.count) {
		snprintf(why, why_len,
			 "the %s writes %u x %" PRIu64 " bytes, the %s %u x %" PRIu64 ": use the same -s and -S on both sides",
			 c->opt->server ? "client" : "server", c->local.count, c->local.size,
			 c->opt->server ? "server" : "client", c->remote.count, c->remote.size);
		return false;
	}
	return true;
}

/* Wait until 'fd' is readable, at most --timeout seconds.  0, or -1 with errno. */
static int wait_readable(struct ctx *c, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, (int)c->opt->timeout * 1000);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0 ? 0 : -1;
}

/*
 * Move the connection's id to an event channel of our own, non-blocking:
 * from here on every CM event is waited for with poll() and a bound, next
 * to the completion channel, instead of inside librdmacm's synchronous
 * calls, which wait as long as the kernel's CM does.
 */
static int attach_cm_channel(struct ctx *c)
{
	c->cm = rdma_create_event_channel();
	if (!c->cm || fcntl(c->cm->fd, F_SETFL, fcntl(c->cm->fd, F_GETFL) | O_NONBLOCK) ||
	    rdma_migrate_id(c->id, c->cm)) {
		fprintf(stderr, "Couldn't set up the rdma_cm event channel: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* The next event on the connection's channel, at most --timeout away; ack it. */
static struct rdma_cm_event *next_cm_event(struct ctx *c)
{
	struct rdma_cm_event *event;

	for (;;) {
		if (wait_readable(c, c->cm->fd))
			return NULL;
		if (rdma_get_cm_event(c->cm, &event) == 0)
			return event;
		if (errno != EAGAIN)
			return NULL;
	}
}

/* Refuse the client, and tell it why in the reject's private data. */
static void reject(struct ctx *c, const char *why)
{
	struct reject_info info;

	memset(&info, 0, sizeof(info));
	memcpy(info.magic, REJECT_MAGIC, sizeof(info.magic));
	snprintf(info.reason, sizeof(info.reason), "%s", why);
	fprintf(stderr, "Refusing the client: %s\n", why);
	if (rdma_reject(c->id, &info, sizeof(info)))
		fprintf(stderr, "Couldn't reject the client: %s\n", strerror(errno));
}

/* The server's reason, when a reject carries one. */
static const char *reject_reason(const struct rdma_cm_event *event, char *why, size_t why_len)
{
	const struct reject_info *info = event->param.conn.private_data;

	if (!info || event->param.conn.private_data_len < sizeof(*info) ||
	    memcmp(info->magic, REJECT_MAGIC, sizeof(info->magic)) != 0)
		return NULL;
	snprintf(why, why_len, "%.*s", (int)sizeof(info->reason), info->reason);
	return why;
}

static int run_server(struct ctx *c)
{
	struct options *opt = c->opt;
	struct rdma_addrinfo hints = { .ai_flags = RAI_PASSIVE,
				       .ai_port_space = RDMA_PS_TCP }, *res;
	struct rdma_conn_param param = { .private_data = &c->local,
					 .private_data_len = sizeof(c->local),
					 .retry_count = 7, .rnr_retry_count = 7 };
	struct rdma_cm_event *event;
	char why[sizeof(((struct reject_info *)0)->reason)];
	unsigned int i;
	int ret;

	ret = rdma_getaddrinfo(opt->bind, opt->port, &hints, &res);
	if (ret) {
		fprintf(stderr, "Couldn't resolve %s:%s: %s\n", opt->bind ? opt->bind : "*",
			opt->port, strerror(errno));
		return EXIT_FAILED;
	}
	ret = rdma_create_ep(&c->listen_id, res, NULL, NULL);
	rdma_freeaddrinfo(res);
	if (ret || rdma_listen(c->listen_id, 1)) {
		fprintf(stderr, "Couldn't listen on port %s: %s\n", opt->port, strerror(errno));
		return EXIT_FAILED;
	}
	if (!opt->quiet)
		printf("server: listening on port %s\n", opt->port);
	fflush(stdout);
	/* rdma_get_request() would wait forever: wait for its event first. */
	if (wait_readable(c, c->listen_id->channel->fd) || rdma_get_request(c->listen_id, &c->id)) {
		fprintf(stderr, "Couldn't get a connection request%s: %s\n",
			errno == ETIMEDOUT ? " (no client came)" : "", strerror(errno));
		return EXIT_FAILED;
	}
	/* Before anything is allocated for it: a client that differs is told why. */
	if (!peer_matches(c, c->id->event->param.conn.private_data,
			  c->id->event->param.conn.private_data_len, why, sizeof(why))) {
		reject(c, why);
		return EXIT_FAILED;
	}
	ret = setup_verbs(c);
	if (ret) {
		reject(c, "the server could not set up its buffer or queues; its output says why");
		return ret;
	}
	if (attach_cm_channel(c))
		return EXIT_FAILED;
	if (post_recv(c) || rdma_accept(c->id, &param)) {
		fprintf(stderr, "Couldn't accept the connection: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	event = next_cm_event(c);
	if (!event || event->event != RDMA_CM_EVENT_ESTABLISHED) {
		fprintf(stderr, "Couldn't establish the connection: %s\n",
			event ? rdma_event_str(event->event) : strerror(errno));
		if (event)
			rdma_ack_cm_event(event);
		return EXIT_FAILED;
	}
	rdma_ack_cm_event(event);
	c->connected = true;

	for (i = 0; i < opt->iters; i++) {
		ret = wait_imm(c, i) || check_all(c, i, true);
		if (!ret) {
			fill_all(c, i, false);
			ret = write_all(c, i);
		}
		if (ret) {
			fprintf(stderr, "Couldn't finish round trip %u of %u\n", i + 1, opt->iters);
			return EXIT_FAILED;
		}
	}
	printf("server: verified %u x %" PRIu64 " bytes x %u iterations from the client\n",
	       c->count, c->local.size, opt->iters);
	return EXIT_OK;
}

static int run_client(struct ctx *c)
{
	struct options *opt = c->opt;
	struct rdma_addrinfo hints = { .ai_port_space = RDMA_PS_TCP }, *res;
	struct rdma_conn_param param = { .private_data = &c->local,
					 .private_data_len = sizeof(c->local),
					 .retry_count = 7, .rnr_retry_count = 7 };
	char why[sizeof(((struct reject_info *)0)->reason) + 32];
	struct rdma_cm_event *event;
	double t0, busy = 0, t;
	unsigned int i;
	uint64_t bytes;
	bool matches;
	int ret;

	ret = rdma_getaddrinfo(opt->server, opt->port, &hints, &res);
	if (ret) {
		fprintf(stderr, "Couldn't resolve %s: %s\n", opt->server, strerror(errno));
		return EXIT_UNREACHABLE;
	}
	/*
	 * Resolves the address and the route, each bounded by librdmacm
	 * (2 s): this picks the RDMA device.
	 */
	ret = rdma_create_ep(&c->id, res, NULL, NULL);
	rdma_freeaddrinfo(res);
	if (ret) {
		fprintf(stderr, "Couldn't reach %s over RDMA: %s\n"
			"hint: is %s on a network with an RDMA device (rdma link show)?\n",
			opt->server, strerror(errno), opt->server);
		return EXIT_UNREACHABLE;
	}
	if (attach_cm_channel(c))
		return EXIT_FAILED;
	ret = setup_verbs(c);
	if (ret)
		return ret;
	if (post_recv(c))
		return EXIT_FAILED;
	if (rdma_connect(c->id, &param)) {
		fprintf(stderr, "Couldn't connect to %s:%s: %s\n", opt->server, opt->port,
			strerror(errno));
		return EXIT_UNREACHABLE;
	}
	event = next_cm_event(c);
	if (!event) {
		fprintf(stderr, "Couldn't connect to %s:%s: %s\n", opt->server, opt->port,
			errno == ETIMEDOUT ? "no answer (-t sets how long to wait)" : strerror(errno));
		return EXIT_UNREACHABLE;
	}
	switch (event->event) {
	case RDMA_CM_EVENT_ESTABLISHED:
		matches = peer_matches(c, event->param.conn.private_data,
				       event->param.conn.private_data_len, why, sizeof(why));
		rdma_ack_cm_event(event);
		c->connected = true;
		if (!matches) {
			fprintf(stderr, "Couldn't use the connection: %s\n", why);
			return EXIT_FAILED;
		}
		break;
	case RDMA_CM_EVENT_REJECTED:
		/* The server was reached: a reason means it refused us. */
		if (reject_reason(event, why, sizeof(why))) {
			fprintf(stderr, "Couldn't connect to %s:%s: the server refused: %s\n",
				opt->server, opt->port, why);
			rdma_ack_cm_event(event);
			return EXIT_FAILED;
		}
		rdma_ack_cm_event(event);
		fprintf(stderr, "Couldn't connect to %s:%s: %s\n"
			"hint: is the server running (ccshared_rdma_write -p %s)?\n",
			opt->server, opt->port, strerror(ECONNREFUSED), opt->port);
		return EXIT_UNREACHABLE;
	default:
		fprintf(stderr, "Couldn't connect to %s:%s: %s (status %d)\n", opt->server,
			opt->port, rdma_event_str(event->event), event->status);
		rdma_ack_cm_event(event);
		return EXIT_UNREACHABLE;
	}

	t0 = now();
	for (i = 0; i < opt->iters; i++) {
		t = now();
		fill_all(c, i, true);
		busy -= now() - t;
		if (write_all(c, i) || wait_imm(c, i)) {
			fprintf(stderr, "Couldn't finish round trip %u of %u\n", i + 1, opt->iters);
			return EXIT_FAILED;
		}
		t = now();
		if (check_all(c, i, false))
			return EXIT_FAILED;
		busy -= now() - t;
	}
	t = now() - t0 + busy;	/* the wire's share: without fill and check */
	bytes = 2ull * c->count * opt->size * opt->iters;
	printf("client: %" PRIu64 " bytes in %u round trips of %u x %zu bytes, verified both ways: %.2f MB/s, %.1f usec per round trip\n",
	       bytes, opt->iters, c->count, opt->size, bytes / t / 1e6,
	       t / opt->iters * 1e6);
	return EXIT_OK;
}

static void teardown(struct ctx *c)
{
	if (c->id) {
		/*
		 * Tell a live peer we are done.  On our own channel this does
		 * not wait for the peer's answer, so a dead peer costs nothing.
		 */
		if (c->connected && !c->peer_gone)
			rdma_disconnect(c->id);
		if (c->id->qp)
			rdma_destroy_qp(c->id);
	}
	if (c->cq)
		ibv_destroy_cq(c->cq);
	if (c->channel)
		ibv_destroy_comp_channel(c->channel);
	if (c->mr)
		ibv_dereg_mr(c->mr);
	if (c->slab) {
		uint32_t k;

		for (k = 0; k < c->count; k++)
			ccshared_slab_put(c->slab, &c->slice[k]);
		ccshared_slab_destroy(c->slab);
	}
	free(c->slice);
	if (c->pd)
		ibv_dealloc_pd(c->pd);
	if (c->id)
		rdma_destroy_ep(c->id);
	if (c->cm)
		rdma_destroy_event_channel(c->cm);
	if (c->listen_id)
		rdma_destroy_ep(c->listen_id);
	ccshared_buf_free(c->buf);
	ccshared_heap_close(c->heap);
}

/* A decimal number in [min, max]: no sign, no spaces, no octal or hex. */
static bool parse_uint(const char *s, unsigned long min, unsigned long max, unsigned int *v)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n < min || n > max)
		return false;
	*v = n;
	return true;
}

static int bad_usage(const char *what, const char *value, const char *rule)
{
	fprintf(stderr, "Bad %s '%s': %s\n", what, value, rule);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 's' },
		{ "iters", required_argument, NULL, 'n' },
		{ "offset", required_argument, NULL, 'o' },
		{ "slab", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct options opt = { .port = "18515", .size = 4096, .iters = 1, .timeout = 30 };
	struct ctx c = { .opt = &opt };
	size_t max_buf = SIZE_MAX - (size_t)sysconf(_SC_PAGESIZE) + 1, stride;
	unsigned int port;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, "p:b:s:n:o:S:t:qh", long_options, NULL)) != -1) {
		switch (ch) {
		case 'p':
			/* A port is 16 bits: 70000 must not become 4464. */
			if (!parse_uint(optarg, 1, 65535, &port))
				return bad_usage("port", optarg, "give a number from 1 to 65535");
			snprintf(opt.port, sizeof(opt.port), "%u", port);
			break;
		case 'b':
			opt.bind = optarg;
			break;
		case 's':
			if (ccshared_parse_size(optarg, &opt.size) || !opt.size || opt.size > MAX_MSG_SIZE)
				return bad_usage("size", optarg,
						 "give 1 byte to 2G (2147483648), the largest RDMA message");
			break;
		case 'o':
			if (ccshared_parse_size(optarg, &opt.offset))
				return bad_usage("offset", optarg, "give a size in bytes: 0, 8K, 12345...");
			break;
		case 'n':
			if (!parse_uint(optarg, 1, UINT32_MAX, &opt.iters))
				return bad_usage("iteration count", optarg,
						 "give a number from 1 to 4294967295");
			break;
		case 'S':
			if (!parse_uint(optarg, 1, UINT32_MAX, &opt.slices))
				return bad_usage("slice count", optarg,
						 "give a number from 1 to 4294967295");
			break;
		case 't':
			if (!parse_uint(optarg, 1, MAX_TIMEOUT, &opt.timeout))
				return bad_usage("timeout", optarg,
						 "give whole seconds from 1 to 86400");
			break;
		case 'q':
			opt.quiet = true;
			break;
		case 'h':
			usage(argv[0]);
			return EXIT_OK;
		default:
			usage(argv[0]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		opt.server = argv[optind++];
	if (optind < argc || (opt.slices && opt.offset)) {
		fprintf(stderr, optind < argc ? "Too many arguments\n"
			: "--offset and --slab do not go together\n");
		return EXIT_USAGE;
	}
	/* The buffer must be one the heap could ever allocate. */
	if (opt.offset > max_buf - opt.size) {
		fprintf(stderr, "Bad offset: %zu + %zu bytes is larger than a buffer can be (%zu bytes)\n",
			opt.offset, opt.size, max_buf);
		return EXIT_USAGE;
	}
	/* Only a 32-bit size_t gets here: 2 GiB x UINT32_MAX fits in 64 bits. */
	stride = (opt.size + CCSHARED_SLAB_ALIGN - 1) & ~(size_t)(CCSHARED_SLAB_ALIGN - 1);
	if (opt.slices && stride > max_buf / opt.slices) {
		fprintf(stderr, "Bad slab: %u slices of %zu bytes are larger than a buffer can be (%zu bytes)\n",
			opt.slices, stride, max_buf);
		return EXIT_USAGE;
	}
	c.local.size = opt.size;
	c.local.count = opt.slices ? opt.slices : 1;

	ret = alloc_buffers(&c);
	if (!ret)
		ret = opt.server ? run_client(&c) : run_server(&c);
	teardown(&c);
	return ret;
}
