// SPDX-License-Identifier: GPL-2.0
/*
 * dpdk-pa-test: libccshared-dpdk in IOVA-as-PA mode, from inside one
 * process.  EAL runs on hugepages with --iova-mode=pa and two net_null
 * ports; run by 55-pa-mode.t.
 *
 * Every mbuf's buf_iova, and the IOVA of its data in DPDK's memseg table,
 * must be the heap's DMA address for that byte of the buffer (from
 * /dev/ccshared_heap through libccshared), never the VA.  Then the same
 * process drops CAP_SYS_ADMIN from its effective set, as an application
 * that lowers its privileges after EAL start-up does: create must fail
 * with EPERM and hold no shared memory; with the capability back it works
 * again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include <ccshared.h>
#include <ccshared-dpdk.h>

#include "tap.h"		/* tests/lib/tap.h */

static uint64_t live_buffers(void)
{
	struct ccshared_stats s = { 0 };

	return ccshared_stats_read(NULL, &s) ? UINT64_MAX : s.buffers;
}

static int set_sys_admin(bool on)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	if (on)
		data[0].effective |= 1U << CAP_SYS_ADMIN;
	else
		data[0].effective &= ~(1U << CAP_SYS_ADMIN);
	return syscall(SYS_capset, &hdr, data) ? -1 : 0;
}

/* The heap's DMA address of byte 'off' of the buffer, or RTE_BAD_IOVA. */
static rte_iova_t heap_iova(const struct ccshared_chunk *c, size_t n, size_t off)
{
	for (size_t i = 0; i < n; i++) {
		if (off < c[i].len)
			return c[i].dma_addr + off;
		off -= c[i].len;
	}
	return RTE_BAD_IOVA;
}

/* DPDK's memseg view; rte_mem_virt2iova() reads pagemap in PA mode. */
static rte_iova_t memseg_iova(const void *addr)
{
	const struct rte_memseg *ms = rte_mem_virt2memseg(addr, NULL);

	return ms && ms->iova != RTE_BAD_IOVA ? ms->iova + RTE_PTR_DIFF(addr, ms->addr) :
						RTE_BAD_IOVA;
}

static void check_iovas(struct ccshared_dpdk_pool *pool, unsigned int n)
{
	struct rte_mempool *mp = ccshared_dpdk_pool_mempool(pool);
	struct rte_mbuf **m = calloc(n, sizeof(*m));
	struct ccshared_chunk *chunks = NULL;
	unsigned int bad_iova = 0, bad_virt2iova = 0, as_va = 0;
	size_t n_chunks = 0;
	int ret;

	ret = ccshared_buf_dma_addrs(ccshared_dpdk_pool_buf(pool), &chunks, &n_chunks);
	ok(ret == 0 && n_chunks > 0, "the heap tells the buffer's %zu chunks (%s)", n_chunks,
	   strerror(-ret));
	if (!m || rte_pktmbuf_alloc_bulk(mp, m, n)) {
		ok(0, "allocate all %u mbufs", n);
		ok(0, "their IOVAs");
		ok(0, "DPDK's own view of their IOVAs");
		free(m);
		free(chunks);
		return;
	}
	ok(1, "allocate all %u mbufs", n);
	for (unsigned int i = 0; i < n; i++) {
		size_t off = (char *)m[i]->buf_addr - (char *)ccshared_dpdk_pool_addr(pool);
		rte_iova_t want = heap_iova(chunks, n_chunks, off);

		if (m[i]->buf_iova != want || want == RTE_BAD_IOVA)
			bad_iova++;
		if (memseg_iova(m[i]->buf_addr) != want)
			bad_virt2iova++;
		if (m[i]->buf_iova == (uintptr_t)m[i]->buf_addr)
			as_va++;
	}
	ok(bad_iova == 0 && as_va == 0,
	   "every mbuf's buf_iova is the heap's DMA address of its data room (%u wrong, %u the VA)",
	   bad_iova, as_va);
	ok(bad_virt2iova == 0, "DPDK's memseg table agrees for every data room (%u wrong)",
	   bad_virt2iova);
	rte_pktmbuf_free_bulk(m, n);
	free(m);
	free(chunks);
}

int main(void)
{
	char *eal_args[] = { "dpdk-pa-test", "--iova-mode=pa", "-m", "64", "--no-pci", "-l", "0",
			     "--no-telemetry", "--vdev=net_null0", "--vdev=net_null1", NULL };
	struct ccshared_dpdk_pool *pool;
	struct ccshared_dpdk_ring *ring;
	const struct rte_memzone *mz;
	uint64_t before;
	int err;

	tap_plan(14);
	if (rte_eal_init((int)(sizeof(eal_args) / sizeof(eal_args[0])) - 1, eal_args) < 0)
		tap_bail("Couldn't initialise EAL: %s", rte_strerror(rte_errno));
	ok(rte_eal_iova_mode() == RTE_IOVA_PA, "EAL runs in IOVA-as-PA mode");
	before = live_buffers();

	pool = ccshared_dpdk_pool_create("pa", 4095, 32, RTE_MBUF_DEFAULT_BUF_SIZE,
					 SOCKET_ID_ANY, 0);
	ok(pool != NULL, "create a pool of 4095 mbufs in PA mode (%s)",
	   pool ? "ok" : rte_strerror(rte_errno));
	if (!pool)
		tap_bail("no pool");
	ok(ccshared_dpdk_pool_verify(pool) == 0, "every mbuf of the pool verifies");
	check_iovas(pool, 4095);
	ccshared_dpdk_pool_destroy(pool);
	ok(live_buffers() == before, "destroy gives the buffer back");

	ring = ccshared_dpdk_ring_reserve(0, 0, "rx_ring", 65536, 128);
	mz = ring ? ccshared_dpdk_ring_memzone(ring) : NULL;
	ok(mz && mz->iova != RTE_BAD_IOVA && mz->iova != (uintptr_t)mz->addr &&
	   memseg_iova(mz->addr) == mz->iova,
	   "a shared ring in PA mode has the heap's DMA address as its IOVA (%s)",
	   ring ? "ok" : rte_strerror(rte_errno));
	ccshared_dpdk_ring_free(ring);

	if (set_sys_admin(false))
		tap_bail("Couldn't drop CAP_SYS_ADMIN: %s", strerror(errno));
	pool = ccshared_dpdk_pool_create("pa-unprivileged", 63, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					 SOCKET_ID_ANY, 0);
	err = rte_errno;
	ok(!pool && err == EPERM, "without CAP_SYS_ADMIN, create fails with EPERM (%s)",
	   pool ? "created" : rte_strerror(err));
	ccshared_dpdk_pool_destroy(pool);
	ok(live_buffers() == before, "... and holds no shared memory");
	ring = ccshared_dpdk_ring_reserve(0, 0, "rx_ring", 65536, 128);
	err = rte_errno;
	ok(!ring && err == EPERM && live_buffers() == before,
	   "... and so does a shared ring, holding nothing (%s)",
	   ring ? "reserved" : rte_strerror(err));
	ccshared_dpdk_ring_free(ring);
	if (set_sys_admin(true))
		tap_bail("Couldn't get CAP_SYS_ADMIN back: %s", strerror(errno));
	pool = ccshared_dpdk_pool_create("pa-again", 63, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					 SOCKET_ID_ANY, 0);
	ok(pool != NULL, "with it back, create works again (%s)",
	   pool ? "ok" : rte_strerror(rte_errno));
	ccshared_dpdk_pool_destroy(pool);
	ok(live_buffers() == before, "nothing is left in the heap");
	rte_eal_cleanup();
	return tap_done();
}
