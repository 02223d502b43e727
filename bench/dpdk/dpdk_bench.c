// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dpdk_bench: forwarding rate with Rx mbufs from a ccshared pool against a
 * normal rte_pktmbuf_pool_create() pool, and an extbuf pool on ordinary
 * memory, side by side in one run.
 *
 *   dpdk_bench [EAL options] -- [-n PACKETS] [-r ROUNDS]
 *
 * Needs an even number of ports (net_null, say).  Each round forwards
 * PACKETS packets with each pool in turn, rotating which goes first;
 * the ports' Rx queues are set up again for every pool.  It prints one
 * line per round, then the medians and the ratios of ccshared to each.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <ccshared-dpdk.h>

#define N_MBUFS 8191
#define CACHE_SIZE 250
#define RING_SIZE 1024
#define BURST_SIZE 32
#define MAX_ROUNDS 64
#define N_POOLS 3

static const char *const pool_names[N_POOLS] = { "normal", "extbuf", "ccshared" };

/*
 * The middle column: the same extbuf mechanics as the ccshared pool, on
 * ordinary DPDK memory.  It separates what external buffers cost in DPDK
 * (a shared-info cache line per mbuf on free) from what the memory costs.
 */
static struct rte_mempool *private_extbuf_pool(void **mem)
{
	struct rte_pktmbuf_extmem ext = {
		.elt_size = RTE_MBUF_DEFAULT_BUF_SIZE,
		.buf_len = (size_t)N_MBUFS * RTE_MBUF_DEFAULT_BUF_SIZE,
	};

	ext.buf_ptr = rte_malloc("extbuf", ext.buf_len, RTE_CACHE_LINE_SIZE);
	if (!ext.buf_ptr)
		return NULL;
	ext.buf_iova = rte_malloc_virt2iova(ext.buf_ptr);
	*mem = ext.buf_ptr;
	return rte_pktmbuf_pool_create_extbuf("extbuf", N_MBUFS, CACHE_SIZE, 0,
					      RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id(), &ext, 1);
}

/* Point every port's Rx queue at 'mp' and start it. */
static void ports_use(struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port) {
		int ret;

		rte_eth_dev_stop(port);
		ret = rte_eth_dev_configure(port, 1, 1, &conf);
		if (!ret)
			ret = rte_eth_rx_queue_setup(port, 0, RING_SIZE, rte_eth_dev_socket_id(port),
						     NULL, mp);
		if (!ret)
			ret = rte_eth_tx_queue_setup(port, 0, RING_SIZE, rte_eth_dev_socket_id(port),
						     NULL);
		if (!ret)
			ret = rte_eth_dev_start(port);
		if (ret)
			rte_exit(1, "Couldn't set up port %u: %s\n", port, rte_strerror(-ret));
	}
}

/* Forward 'packets' packets; returns packets per second. */
static double forward(uint64_t packets)
{
	uint64_t done = 0, start = rte_get_timer_cycles();

	while (done < packets) {
		uint16_t port;

		RTE_ETH_FOREACH_DEV(port) {
			struct rte_mbuf *bufs[BURST_SIZE];
			uint16_t nb_rx = rte_eth_rx_burst(port, 0, bufs, BURST_SIZE), nb_tx;

			if (!nb_rx)
				continue;
			nb_tx = rte_eth_tx_burst(port ^ 1, 0, bufs, nb_rx);
			if (nb_tx < nb_rx)
				rte_pktmbuf_free_bulk(bufs + nb_tx, nb_rx - nb_tx);
			done += nb_tx;
		}
	}
	return done * (double)rte_get_timer_hz() / (rte_get_timer_cycles() - start);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	double rate[N_POOLS][MAX_ROUNDS];
	struct rte_mempool *pools[N_POOLS];
	void *private_mem;
	struct ccshared_dpdk_pool *shared;
	unsigned long rounds = 5;
	uint64_t packets = 2000000;
	uint16_t port;
	int ret, c;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(2, "Couldn't initialise EAL: %s\n", rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	while ((c = getopt(argc, argv, "n:r:h")) != -1) {
		switch (c) {
		case 'n':
			packets = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			rounds = strtoul(optarg, NULL, 0);
			break;
		default:
			printf("usage: dpdk_bench [EAL options] -- [-n PACKETS (2000000)] [-r ROUNDS (5, at most %d)]\n",
			       MAX_ROUNDS);
			return c == 'h' ? 0 : 2;
		}
	}
	if (!packets || !rounds || rounds > MAX_ROUNDS)
		rte_exit(2, "Couldn't run: PACKETS and ROUNDS (1-%d) must be positive\n", MAX_ROUNDS);
	if (rte_eth_dev_count_avail() < 2 || rte_eth_dev_count_avail() % 2)
		rte_exit(2, "Couldn't pair the ports: need an even number\n");

	pools[0] = rte_pktmbuf_pool_create("normal", N_MBUFS, CACHE_SIZE, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	shared = ccshared_dpdk_pool_create("ccshared", N_MBUFS, CACHE_SIZE,
					   RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id(), 0);
	pools[1] = private_extbuf_pool(&private_mem);
	if (!pools[0] || !pools[1] || !shared)
		rte_exit(3, "Couldn't create the pools: %s\n", rte_strerror(rte_errno));
	pools[2] = ccshared_dpdk_pool_mempool(shared);

	printf("%-6s %16s %16s %16s   (packets/s)\n", "round", pool_names[0], pool_names[1],
	       pool_names[2]);
	for (unsigned int r = 0; r < rounds; r++) {
		for (unsigned int k = 0; k < N_POOLS; k++) {
			unsigned int which = (r + k) % N_POOLS;	/* rotate the order */

			ports_use(pools[which]);
			forward(packets / 10);			/* warm the caches */
			rate[which][r] = forward(packets);
		}
		printf("%-6u %16.0f %16.0f %16.0f\n", r + 1, rate[0][r], rate[1][r], rate[2][r]);
	}
	double normal = median(rate[0], rounds), ext = median(rate[1], rounds);
	double cc = median(rate[2], rounds);

	printf("median %16.0f %16.0f %16.0f\n", normal, ext, cc);
	printf("ratio ccshared/normal: %.3f   ccshared/extbuf: %.3f\n", cc / normal, cc / ext);

	RTE_ETH_FOREACH_DEV(port) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	ccshared_dpdk_pool_destroy(shared);
	rte_mempool_free(pools[0]);
	rte_mempool_free(pools[1]);
	rte_free(private_mem);
	rte_eal_cleanup();
	return 0;
}
