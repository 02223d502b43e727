// SPDX-License-Identifier: GPL-2.0
/*
 * dpdk-nic-fwd: forward between ports 0 and 1 (real NICs) with Rx mbufs
 * from a plain rte_pktmbuf_pool_create() pool and descriptor rings in EAL
 * memory ("private"), or from a ccshared pool with each port's rx_ring and
 * tx_ring in shared memory (ccshared_dpdk_ring_reserve(), "ccshared"),
 * until SIGINT or SIGTERM, and write down
 * what the device may DMA to, for the test to compare with what the
 * device did (QEMU's trace of the NIC model):
 *
 *   dpdk-nic-fwd [EAL options] -- private|ccshared|ccshared-unprivileged RANGES_FILE
 *
 * ccshared-unprivileged drops CAP_SYS_ADMIN after EAL start-up, as an
 * application that lowers its privileges does, and then asks for the
 * ccshared pool, which must fail: PA mode cannot learn the DMA addresses,
 * VA mode cannot make the buffer pinnable for VFIO.
 *
 * RANGES_FILE gets, once the ports are started, one line per range in
 * IOVAs, hexadecimal, end exclusive:
 *   data START END     the data room of each mbuf of the Rx pool
 *   ring NAME START END each descriptor ring memzone of the ports
 *   shared START END   the ccshared pool's buffer, as DPDK has its IOVAs
 *                      registered (its memsegs, page by page), and each
 *                      shared ring's buffer
 * The test program does no checking of its own: the test does it.
 *
 * Exit status: 0 stopped by a signal; 1 a failure, with a message.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include <ccshared-dpdk.h>

#define N_MBUFS 2047
#define CACHE 250
#define RING 512
#define BURST 32
/* What igb, em, igc and ixgbe ask for is at most 64 KiB (4096 descriptors). */
#define RING_BYTES (256u << 10)
#define RING_ALIGN 4096u

static const char *const ring_names[2] = { "rx_ring", "tx_ring" };
static struct ccshared_dpdk_ring *rings[2][2];

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void write_data_range(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	const struct rte_mbuf *m = obj;

	(void)mp;
	(void)idx;
	fprintf(arg, "data %" PRIx64 " %" PRIx64 "\n", m->buf_iova, m->buf_iova + m->buf_len);
}

static void write_ring_range(const struct rte_memzone *mz, void *arg)
{
	/* ethdev names them eth_p<port>_q<queue>_rx_ring / _tx_ring. */
	if (strstr(mz->name, "_ring"))
		fprintf(arg, "ring %s %" PRIx64 " %" PRIx64 "\n", mz->name, mz->iova,
			mz->iova + mz->len);
}

/*
 * The shared buffer's IOVAs, page by page as DPDK has them registered
 * (IOVA as VA: one range; as PA: the physically contiguous runs).
 */
static void write_shared_ranges(const struct ccshared_dpdk_pool *pool, FILE *f)
{
	const size_t page = sysconf(_SC_PAGESIZE), size = ccshared_dpdk_pool_size(pool);
	char *addr = ccshared_dpdk_pool_addr(pool);
	rte_iova_t start = RTE_BAD_IOVA, end = RTE_BAD_IOVA;

	for (size_t off = 0; off < size; off += page) {
		/*
		 * The memseg table, not rte_mem_virt2iova(): in PA mode that
		 * reads pagemap, which shows nothing of a VM_PFNMAP mapping.
		 */
		const struct rte_memseg *ms = rte_mem_virt2memseg(addr + off, NULL);
		rte_iova_t iova = ms && ms->iova != RTE_BAD_IOVA ?
				  ms->iova + (rte_iova_t)(addr + off - (char *)ms->addr) :
				  RTE_BAD_IOVA;

		if (iova != RTE_BAD_IOVA && iova == end) {
			end += page;
			continue;
		}
		if (start != RTE_BAD_IOVA)
			fprintf(f, "shared %" PRIx64 " %" PRIx64 "\n", start, end);
		start = iova;
		end = iova == RTE_BAD_IOVA ? RTE_BAD_IOVA : iova + page;
	}
	if (start != RTE_BAD_IOVA)
		fprintf(f, "shared %" PRIx64 " %" PRIx64 "\n", start, end);
}

/*
 * With shared rings, the PMD finds the memzones reserved for it by name
 * when the queues are set up on SOCKET_ID_ANY (docs/dpdk.md, "Shared
 * rings"); whether it did is checked after the setup.
 */
static int port_init(uint16_t port, struct rte_mempool *mp, bool shared_rings)
{
	unsigned int socket = shared_rings ? (unsigned int)SOCKET_ID_ANY :
					     (unsigned int)rte_eth_dev_socket_id(port);
	struct rte_eth_conf conf = { 0 };
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	for (int i = 0; !ret && shared_rings && i < 2; i++) {
		rings[port][i] = ccshared_dpdk_ring_reserve(port, 0, ring_names[i],
							    RING_BYTES, RING_ALIGN);
		if (!rings[port][i])
			ret = -rte_errno;
	}
	if (!ret)
		ret = rte_eth_rx_queue_setup(port, 0, RING, socket, NULL, mp);
	if (!ret)
		ret = rte_eth_tx_queue_setup(port, 0, RING, socket, NULL);
	for (int i = 0; !ret && shared_rings && i < 2; i++) {
		if (!ccshared_dpdk_ring_in_place(rings[port][i])) {
			fprintf(stderr, "port %u: the PMD did not take the shared %s\n",
				port, ring_names[i]);
			ret = -ENOTSUP;
		}
	}
	if (!ret)
		ret = rte_eth_dev_start(port);
	/* The frames are not addressed to the NIC's own MAC. */
	if (!ret)
		ret = rte_eth_promiscuous_enable(port);
	return ret;
}

static void drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		rte_exit(1, "capget: %s\n", strerror(errno));
	data[0].effective &= ~(1U << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		rte_exit(1, "capset: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
	struct ccshared_dpdk_pool *pool = NULL;
	struct rte_mempool *mp;
	uint64_t rx = 0, tx = 0;
	FILE *ranges;
	int ret, status = 0;
	bool shared;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(1, "Couldn't initialise EAL: %s\n", rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	if (argc != 3 || (strcmp(argv[1], "private") && strcmp(argv[1], "ccshared") &&
			  strcmp(argv[1], "ccshared-unprivileged")))
		rte_exit(1, "usage: dpdk-nic-fwd [EAL options] -- private|ccshared|ccshared-unprivileged RANGES_FILE\n");
	if (rte_eth_dev_count_avail() != 2)
		rte_exit(1, "need 2 ports, found %u\n", rte_eth_dev_count_avail());
	shared = strcmp(argv[1], "private") != 0;
	if (!strcmp(argv[1], "ccshared-unprivileged"))
		drop_sys_admin();
	if (shared) {
		pool = ccshared_dpdk_pool_create("nic", N_MBUFS, CACHE, RTE_MBUF_DEFAULT_BUF_SIZE,
						 rte_socket_id(), 0);
		if (!pool)
			rte_exit(1, "Couldn't create the ccshared pool: %s\n",
				 rte_strerror(rte_errno));
		mp = ccshared_dpdk_pool_mempool(pool);
	} else {
		mp = rte_pktmbuf_pool_create("nic", N_MBUFS, CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					     rte_socket_id());
		if (!mp)
			rte_exit(1, "Couldn't create the pool: %s\n", rte_strerror(rte_errno));
	}
	for (uint16_t port = 0; port < 2; port++) {
		ret = port_init(port, mp, shared);
		if (ret) {
			fprintf(stderr, "Couldn't start port %u: %s\n", port, rte_strerror(-ret));
			status = 1;
			goto out;
		}
	}

	ranges = fopen(argv[2], "w");
	if (!ranges) {
		fprintf(stderr, "Couldn't open %s: %s\n", argv[2], strerror(errno));
		status = 1;
		goto out;
	}
	rte_mempool_obj_iter(mp, write_data_range, ranges);
	rte_memzone_walk(write_ring_range, ranges);
	if (shared)
		write_shared_ranges(pool, ranges);
	for (uint16_t port = 0; shared && port < 2; port++) {
		for (int i = 0; i < 2; i++) {
			const struct rte_memzone *mz = ccshared_dpdk_ring_memzone(rings[port][i]);

			fprintf(ranges, "shared %" PRIx64 " %" PRIx64 "\n", mz->iova,
				mz->iova + mz->len);
		}
	}
	fclose(ranges);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("forwarding with a %s pool\n", argv[1]);
	fflush(stdout);
	while (!quit) {
		for (uint16_t port = 0; port < 2; port++) {
			struct rte_mbuf *bufs[BURST];
			uint16_t n = rte_eth_rx_burst(port, 0, bufs, BURST), sent;

			if (!n)
				continue;
			rx += n;
			sent = rte_eth_tx_burst(port ^ 1, 0, bufs, n);
			tx += sent;
			rte_pktmbuf_free_bulk(bufs + sent, n - sent);
		}
	}
	printf("rx %" PRIu64 " tx %" PRIu64 "\n", rx, tx);
out:
	for (uint16_t port = 0; port < 2; port++) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	/* After the close: the PMD has freed the memzones at queue release. */
	for (uint16_t port = 0; port < 2; port++)
		for (int i = 0; i < 2; i++)
			ccshared_dpdk_ring_free(rings[port][i]);
	if (pool)
		ccshared_dpdk_pool_destroy(pool);
	else
		rte_mempool_free(mp);
	rte_eal_cleanup();
	return status;
}
