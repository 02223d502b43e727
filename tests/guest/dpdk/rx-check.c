// SPDX-License-Identifier: GPL-2.0
/*
 * dpdk-rx-check: received mbufs are in system_cc_shared memory, checked
 * without the library's (or ccshared_fwd's) own bookkeeping.  The shared
 * memory is found as the kernel shows it: the fds whose fdinfo names the
 * exporter system_cc_shared, and the mappings in /proc/self/maps of those
 * files (same inode).  Port 0 of two net_null ports receives into a
 * ccshared pool, port 1 into a plain rte_pktmbuf_pool_create() pool, the
 * control that shows the check can fail.  Run by 25-rx-check.t.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <ccshared-dpdk.h>

#include "tap.h"		/* tests/lib/tap.h */

#define BURST 32
#define PACKETS 512

struct range {
	uintptr_t start, end;
};

static struct range shared[16];
static unsigned int n_shared;

/* Does fd's fdinfo name system_cc_shared as its exporter? */
static bool fd_is_cc_shared(int fd)
{
	char path[64], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strcmp(line, "exp_name:\tsystem_cc_shared\n");
	fclose(f);
	return found;
}

/* The address ranges where system_cc_shared dma-bufs are mapped. */
static int find_shared_mappings(void)
{
	unsigned long inodes[64];
	unsigned int n_inodes = 0, i;
	char line[512];
	struct stat st;
	FILE *maps;
	int fd;

	for (fd = 0; fd < 1024 && n_inodes < 64; fd++)
		if (fd_is_cc_shared(fd) && !fstat(fd, &st))
			inodes[n_inodes++] = st.st_ino;
	maps = fopen("/proc/self/maps", "re");
	if (!maps)
		return -errno;
	n_shared = 0;
	while (fgets(line, sizeof(line), maps) && n_shared < 16) {
		unsigned long start, end, inode;
		char path[256] = "";

		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %255s", &start, &end, &inode, path) < 3)
			continue;
		for (i = 0; i < n_inodes; i++) {
			if (inode == inodes[i] && !strncmp(path, "/dmabuf:", 8)) {
				shared[n_shared++] = (struct range){ start, end };
				tap_diag("system_cc_shared mapping: %s", strtok(line, "\n"));
			}
		}
	}
	fclose(maps);
	return (int)n_inodes;
}

/* Mappings of any dma-buf left in this process. */
static int count_dmabuf_mappings(void)
{
	char line[512];
	int n = 0;
	FILE *maps = fopen("/proc/self/maps", "re");

	if (!maps)
		return -1;
	while (fgets(line, sizeof(line), maps))
		n += strstr(line, " /dmabuf:") != NULL;
	fclose(maps);
	return n;
}

static bool in_shared(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	for (unsigned int i = 0; i < n_shared; i++)
		if (a >= shared[i].start && a + len <= shared[i].end)
			return true;
	return false;
}

static int port_start(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (!ret)
		ret = rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL, mp);
	if (!ret)
		ret = rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL);
	if (!ret)
		ret = rte_eth_dev_start(port);
	return ret;
}

/* Receive PACKETS on @port; count those whose data room is shared. */
static void receive(uint16_t port, const struct ccshared_dpdk_pool *pool,
		    unsigned int *got, unsigned int *inside, unsigned int *agree)
{
	struct rte_mbuf *m[BURST];

	*got = *inside = *agree = 0;
	for (int tries = 0; *got < PACKETS && tries < 1000; tries++) {
		uint16_t n = rte_eth_rx_burst(port, 0, m, BURST);

		for (uint16_t i = 0; i < n; i++) {
			bool ours = in_shared(m[i]->buf_addr, m[i]->buf_len);

			*inside += ours;
			*agree += !pool || ours == ccshared_dpdk_mbuf_is_shared(pool, m[i]);
		}
		*got += n;
		rte_pktmbuf_free_bulk(m, n);
	}
}

int main(void)
{
	char *eal_args[] = { "dpdk-rx-check", "--no-huge", "-m", "64", "--no-pci", "-l", "0",
			     "--no-telemetry", "--vdev=net_null0", "--vdev=net_null1", NULL };
	struct ccshared_dpdk_pool *pool;
	struct rte_mempool *plain;
	unsigned int got, inside, agree;
	int ret;

	tap_plan(7);
	ret = rte_eal_init((int)(sizeof(eal_args) / sizeof(eal_args[0])) - 1, eal_args);
	if (ret < 0)
		tap_bail("Couldn't initialise EAL: %s", rte_strerror(rte_errno));
	if (rte_eth_dev_count_avail() != 2)
		tap_bail("two net_null ports expected, %u found", rte_eth_dev_count_avail());

	pool = ccshared_dpdk_pool_create("rx-check", 1023, 32, RTE_MBUF_DEFAULT_BUF_SIZE,
					 SOCKET_ID_ANY, 0);
	plain = rte_pktmbuf_pool_create("rx-check-plain", 1023, 32, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (!pool || !plain)
		tap_bail("Couldn't create the pools: %s", rte_strerror(rte_errno));

	ret = find_shared_mappings();
	ok(ret == 1 && n_shared == 1,
	   "one system_cc_shared dma-buf, mapped once (%d fds, %u mappings)", ret, n_shared);
	ok(n_shared && shared[0].end - shared[0].start >= ccshared_dpdk_pool_size(pool),
	   "the mapping is as large as the pool's buffer (%zu bytes)", ccshared_dpdk_pool_size(pool));
	ok(port_start(0, ccshared_dpdk_pool_mempool(pool)) == 0 && port_start(1, plain) == 0,
	   "port 0 receives into the ccshared pool, port 1 into a plain pool");

	receive(0, pool, &got, &inside, &agree);
	ok(got >= PACKETS && inside == got,
	   "%u of %u mbufs received on port 0 have their data room in the shared mapping",
	   inside, got);
	ok(agree == got, "ccshared_dpdk_mbuf_is_shared() agrees on all %u of them", agree);
	receive(1, NULL, &got, &inside, &agree);
	ok(got >= PACKETS && inside == 0,
	   "control: %u of %u mbufs received into the plain pool are in it (the check can fail)",
	   inside, got);

	rte_eth_dev_stop(0);
	rte_eth_dev_stop(1);
	rte_eth_dev_close(0);
	rte_eth_dev_close(1);
	rte_mempool_free(plain);
	ccshared_dpdk_pool_destroy(pool);
	ret = count_dmabuf_mappings();
	ok(ret == 0 && find_shared_mappings() == 0,
	   "once the pool is destroyed no dma-buf is mapped or open (%d mappings)", ret);
	rte_eal_cleanup();
	return tap_done();
}
