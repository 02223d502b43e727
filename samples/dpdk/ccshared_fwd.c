// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ccshared_fwd: forward packets between pairs of ports (0<->1, 2<->3, ...)
 * with every received packet in system_cc_shared memory.
 *
 * It is DPDK's examples/skeleton with one change that matters: the Rx
 * mbuf pool comes from ccshared_dpdk_pool_create() instead of
 * rte_pktmbuf_pool_create(), so a device in a confidential guest DMAs
 * packets straight into memory the host can see, without bouncing.  The
 * rest proves it: each received mbuf is checked against the shared buffer,
 * the whole pool is walked every few seconds and at exit, and the exit
 * status tells a script what happened.
 *
 *   ccshared_fwd [EAL options] -- [-n PACKETS] [-m MBUFS] [-v SECONDS] [--dev]
 *                [--shared-rings]
 *
 * Exit status: 0 done; 1 an mbuf outside the shared buffer or a port
 * failure; 2 bad usage; 3 the heap is missing or not accessible; 4 not
 * enough shared memory for the pool.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <ccshared-dpdk.h>

#define RX_RING_SIZE 1024
#define TX_RING_SIZE 1024
#define MBUF_CACHE_SIZE 250u
#define BURST_SIZE 32

enum fwd_exit {
	FWD_EXIT_OK = 0,
	FWD_EXIT_FAILED = 1,
	FWD_EXIT_USAGE = 2,
	FWD_EXIT_NO_HEAP = 3,
	FWD_EXIT_NO_MEMORY = 4,
};

struct fwd_options {
	uint64_t max_packets;		/* 0: until SIGINT or SIGTERM */
	unsigned int n_mbufs;
	unsigned int verify_seconds;
	bool development;
	bool shared_rings;
};

/*
 * --shared-rings: each port's queue 0 rings, reserved in shared memory
 * before queue setup.  The PMD takes a ring memzone only if it is at
 * least as large as the PMD's largest ring; 256 KiB covers igb and em
 * (4096 descriptors of 16 bytes) with room to spare.
 */
#define SHARED_RING_BYTES (256u << 10)
#define SHARED_RING_ALIGN 4096u
static const char *const ring_names[2] = { "rx_ring", "tx_ring" };
static struct ccshared_dpdk_ring *rings[RTE_MAX_ETHPORTS][2];

/*
 * PMDs whose queue setup reserves "rx_ring" and "tx_ring" through
 * rte_eth_dma_zone_reserve() (DPDK 24.11 sources).  Nothing at run time
 * tells whether a PMD looked the memzone up: one that allocates its rings
 * some other way (virtio, mlx5) or has none (net_null, net_ring) would
 * leave the reservation unused and its rings private, so others are
 * refused.
 */
static const char *const ring_pmds[] = {
	"net_e1000_igb", "net_e1000_em", "net_igc", "net_ixgbe",
};

static bool pmd_reserves_rings(const char *driver)
{
	for (size_t i = 0; i < RTE_DIM(ring_pmds); i++)
		if (strcmp(driver, ring_pmds[i]) == 0)
			return true;
	return false;
}

struct fwd_stats {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t dropped;
	uint64_t outside;		/* received mbufs not in the shared buffer */
	uint64_t pool_walks;
	uint64_t pool_bad;		/* pool mbufs not in the shared buffer */
};

static volatile sig_atomic_t force_quit;

static void on_signal(int signum)
{
	(void)signum;
	force_quit = 1;
}

static void usage(const char *prog)
{
	printf("usage: %s [EAL options] -- [options]\n"
	       "Forward packets between ports 0<->1, 2<->3, ... from an mbuf pool in\n"
	       "system_cc_shared memory.\n\n"
	       "  -n, --packets N    stop after forwarding N packets (default 0: until SIGINT)\n"
	       "  -m, --mbufs N      mbufs in the pool, at least 32 (default 8191)\n"
	       "  -v, --verify S     walk the whole pool every S seconds (default 1, 0: only at exit)\n"
	       "      --dev          development mode: outside a confidential guest, fall back\n"
	       "                     to the system heap when system_cc_shared is missing\n"
	       "      --shared-rings put each port's rx_ring and tx_ring in shared memory (for\n"
	       "                     PMDs that use rte_eth_dma_zone_reserve: igb, em, ixgbe, ...);\n"
	       "                     fail if the PMD does not take them\n"
	       "  -h, --help         this text\n\n"
	       "Exit status: 0 done, 1 failure, 2 usage, 3 no heap, 4 not enough shared memory.\n",
	       prog);
}

/* A decimal number in [min, max]; no sign, no spaces, no octal or hex. */
static bool parse_number(const char *text, uint64_t min, uint64_t max, uint64_t *value)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)text[0]))
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*value = v;
	return true;
}

static int parse_options(int argc, char **argv, struct fwd_options *opt)
{
	static const struct option longopts[] = {
		{ "packets", required_argument, NULL, 'n' },
		{ "mbufs", required_argument, NULL, 'm' },
		{ "verify", required_argument, NULL, 'v' },
		{ "dev", no_argument, NULL, 'D' },
		{ "shared-rings", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *range;
	uint64_t v;
	int c;

	*opt = (struct fwd_options){ .n_mbufs = 8191, .verify_seconds = 1 };
	while ((c = getopt_long(argc, argv, "n:m:v:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			range = "0 to 18446744073709551615";
			if (!parse_number(optarg, 0, UINT64_MAX, &opt->max_packets))
				goto bad;
			break;
		case 'm':
			/* Fewer mbufs than one Rx burst never receive anything. */
			range = "32 (one burst) to 4294967295";
			if (!parse_number(optarg, BURST_SIZE, UINT32_MAX, &v))
				goto bad;
			opt->n_mbufs = v;
			break;
		case 'v':
			range = "0 to 86400 seconds";
			if (!parse_number(optarg, 0, 86400, &v))
				goto bad;
			opt->verify_seconds = v;
			break;
		case 'D':
			opt->development = true;
			break;
		case 'R':
			opt->shared_rings = true;
			break;
		case 'h':
			usage(argv[0]);
			return 1;
		default:
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "%s: bad value '%s' for -%c: give a whole number from %s\n",
		argv[0], optarg, c, range);
	return -1;
}

/*
 * Reserve the port's rings in shared memory; the queues are then set up on
 * SOCKET_ID_ANY, so that the PMD finds them and keeps its own queue state
 * in private EAL memory.
 */
static int rings_reserve(uint16_t port)
{
	for (int i = 0; i < 2; i++) {
		rings[port][i] = ccshared_dpdk_ring_reserve(port, 0, ring_names[i],
							    SHARED_RING_BYTES, SHARED_RING_ALIGN);
		if (!rings[port][i])
			return -rte_errno;
	}
	return 0;
}

/* Are both still ours?  If the PMD freed or replaced one, it is private. */
static int rings_check(uint16_t port)
{
	for (int i = 0; i < 2; i++) {
		if (!ccshared_dpdk_ring_in_place(rings[port][i])) {
			fprintf(stderr, "port %u: the shared %s memzone is no longer in place; the PMD's ring is not in shared memory\n",
				port, ring_names[i]);
			return -ENOTSUP;
		}
	}
	printf("port %u: rx_ring and tx_ring in shared memory at IOVA 0x%" PRIx64 " and 0x%" PRIx64 "\n",
	       port, ccshared_dpdk_ring_memzone(rings[port][0])->iova,
	       ccshared_dpdk_ring_memzone(rings[port][1])->iova);
	return 0;
}

/* One Rx and one Tx queue, Rx mbufs from the shared pool. */
static int port_init(uint16_t port, struct rte_mempool *mp, bool shared_rings)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = RX_RING_SIZE, nb_txd = TX_RING_SIZE;
	unsigned int socket = shared_rings ? (unsigned int)SOCKET_ID_ANY :
					     (unsigned int)rte_eth_dev_socket_id(port);
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret)
		return ret;
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret)
		return ret;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (ret)
		return ret;
	if (shared_rings) {
		if (!pmd_reserves_rings(info.driver_name)) {
			fprintf(stderr, "port %u: %s does not reserve its rings with rte_eth_dma_zone_reserve(), so --shared-rings cannot share them (it works with net_e1000_igb, net_e1000_em, net_igc and net_ixgbe)\n",
				port, info.driver_name);
			return -ENOTSUP;
		}
		ret = rings_reserve(port);
		if (ret)
			return ret;
	}
	ret = rte_eth_rx_queue_setup(port, 0, nb_rxd, socket, NULL, mp);
	if (ret)
		return ret;
	ret = rte_eth_tx_queue_setup(port, 0, nb_txd, socket, NULL);
	if (ret)
		return ret;
	if (shared_rings) {
		ret = rings_check(port);
		if (ret)
			return ret;
	}
	ret = rte_eth_dev_start(port);
	if (ret)
		return ret;
	/* Forward whatever arrives; virtual ports may not know the mode. */
	ret = rte_eth_promiscuous_enable(port);
	if (ret && ret != -ENOTSUP)
		return ret;
	return 0;
}

static void verify_pool(const struct ccshared_dpdk_pool *pool, struct fwd_stats *st)
{
	st->pool_walks++;
	st->pool_bad += ccshared_dpdk_pool_verify(pool);
}

/*
 * The forwarding loop: receive a burst on one port of a pair, check that
 * every mbuf is shared, send it out of the other.
 */
static void forward(const struct ccshared_dpdk_pool *pool, const struct fwd_options *opt,
		    struct fwd_stats *st)
{
	uint64_t verify_period = opt->verify_seconds * rte_get_timer_hz();
	uint64_t next_verify = rte_get_timer_cycles() + verify_period;

	while (!force_quit) {
		uint16_t port;

		RTE_ETH_FOREACH_DEV(port) {
			struct rte_mbuf *bufs[BURST_SIZE];
			uint32_t lens[BURST_SIZE];
			uint16_t burst = BURST_SIZE, nb_rx, nb_tx;

			if (opt->max_packets) {
				uint64_t left = opt->max_packets - st->rx_packets;

				if (left == 0) {
					force_quit = 1;
					break;
				}
				burst = RTE_MIN(left, (uint64_t)BURST_SIZE);
			}
			nb_rx = rte_eth_rx_burst(port, 0, bufs, burst);
			if (nb_rx == 0)
				continue;
			st->rx_packets += nb_rx;
			for (uint16_t i = 0; i < nb_rx; i++) {
				if (!ccshared_dpdk_mbuf_is_shared(pool, bufs[i]))
					st->outside++;
				/* Once sent, an mbuf belongs to the PMD: measure it now. */
				lens[i] = rte_pktmbuf_pkt_len(bufs[i]);
			}
			nb_tx = rte_eth_tx_burst(port ^ 1, 0, bufs, nb_rx);
			st->tx_packets += nb_tx;
			for (uint16_t i = 0; i < nb_tx; i++)
				st->tx_bytes += lens[i];
			for (uint16_t i = nb_tx; i < nb_rx; i++)
				rte_pktmbuf_free(bufs[i]);
			st->dropped += nb_rx - nb_tx;
		}
		if (verify_period && rte_get_timer_cycles() >= next_verify) {
			verify_pool(pool, st);
			next_verify = rte_get_timer_cycles() + verify_period;
		}
	}
}

int main(int argc, char **argv)
{
	struct ccshared_dpdk_pool *pool;
	struct fwd_options opt;
	struct fwd_stats st = { 0 };
	uint16_t nb_ports, port;
	uint64_t start, cycles = 0;
	double seconds;
	int ret, status = FWD_EXIT_OK;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(FWD_EXIT_USAGE, "Couldn't initialise EAL: %s\n", rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	argv[0] = "ccshared_fwd";
	ret = parse_options(argc, argv, &opt);
	if (ret) {
		rte_eal_cleanup();
		return ret < 0 ? FWD_EXIT_USAGE : FWD_EXIT_OK;
	}

	nb_ports = rte_eth_dev_count_avail();
	if (nb_ports < 2 || nb_ports % 2)
		rte_exit(FWD_EXIT_USAGE, "Couldn't pair the ports: %u found, need an even number\n",
			 nb_ports);

	/*
	 * The one call that differs from the skeleton: Rx data is shared.
	 * DPDK refuses a per-lcore cache larger than the pool / 1.5, so a
	 * small pool gets a smaller cache.
	 */
	pool = ccshared_dpdk_pool_create("ccshared_fwd", opt.n_mbufs,
					 RTE_MIN(MBUF_CACHE_SIZE, (uint64_t)opt.n_mbufs * 2 / 3),
					 RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id(),
					 opt.development ? CCSHARED_DPDK_POOL_DEVELOPMENT : 0);
	if (!pool) {
		int err = rte_errno;

		rte_exit(err == ENOENT || err == EACCES ? FWD_EXIT_NO_HEAP :
			 err == ENOMEM ? FWD_EXIT_NO_MEMORY : FWD_EXIT_FAILED,
			 "Couldn't create the shared mbuf pool: %s\n", rte_strerror(err));
	}
	printf("pool: %u mbufs in %zu bytes of shared memory at %p, %u device(s) DMA-mapped%s\n",
	       opt.n_mbufs, ccshared_dpdk_pool_size(pool), ccshared_dpdk_pool_addr(pool),
	       ccshared_dpdk_pool_mapped_devices(pool),
	       ccshared_dpdk_pool_is_fallback(pool) ? " (development mode: NOT shared)" : "");

	RTE_ETH_FOREACH_DEV(port) {
		ret = port_init(port, ccshared_dpdk_pool_mempool(pool), opt.shared_rings);
		if (ret) {
			fprintf(stderr, "Couldn't start port %u: %s\n", port, rte_strerror(-ret));
			status = FWD_EXIT_FAILED;
			goto out_ports;
		}
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("forwarding on %u ports (%s); Ctrl-C to stop\n", nb_ports,
	       opt.max_packets ? "until the packet count" : "until a signal");
	fflush(stdout);
	start = rte_get_timer_cycles();
	forward(pool, &opt, &st);
	cycles = rte_get_timer_cycles() - start;

out_ports:
	RTE_ETH_FOREACH_DEV(port) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
		/* Closing released the queues, and with them the PMD's memzones. */
		for (int i = 0; i < 2; i++)
			ccshared_dpdk_ring_free(rings[port][i]);
	}
	/* Ports are closed: every mbuf is back in the pool for the last walk. */
	verify_pool(pool, &st);
	if (st.outside || st.pool_bad)
		status = FWD_EXIT_FAILED;
	seconds = (double)cycles / rte_get_timer_hz();
	printf("rx %" PRIu64 " tx %" PRIu64 " dropped %" PRIu64 " packets, %" PRIu64 " bytes\n",
	       st.rx_packets, st.tx_packets, st.dropped, st.tx_bytes);
	printf("shared: %" PRIu64 " of %" PRIu64 " received mbufs outside the buffer; "
	       "%" PRIu64 " pool walks, %" PRIu64 " bad mbufs\n",
	       st.outside, st.rx_packets, st.pool_walks, st.pool_bad);
	printf("forwarded %" PRIu64 " packets in %.2f s: %.0f packets/s\n", st.tx_packets,
	       seconds, seconds > 0 ? st.tx_packets / seconds : 0.0);
	ccshared_dpdk_pool_destroy(pool);
	rte_eal_cleanup();
	return status;
}
