// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter revokes a mapping (the heap's debugfs revoke calls the
 * dma-buf core's invalidation for every attachment of a buffer, as an
 * exporter does before it moves or takes away memory):
 *  1. ccshared_edu gives the mapping back: DMA on the handle fails with
 *     ENODEV in both directions and leaves the memory alone, INFO reports
 *     REVOKED, the kernel log says so; detach still works;
 *  2. every importer is told: two devices, and closing the file with the
 *     revoked handle still attached releases everything;
 *  3. a revocation that comes while a transfer is in flight returns only
 *     once the device is done with the memory, and the transfer completes;
 *  4. the knob's own bad input gets an errno.
 * Nothing leaks: the heap's live buffers are back where they started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edutest.h"
#include "inflight.h"

#define SIZE (1 * MiB)
#define BIG (4 * MiB)
#define BOUNDARY (2 * MiB)

static void expect(int got, int want, const char *what)
{
	tap_ok(got == want, "%s: %s (got %s)", what, want ? strerror(-want) : "success",
	       got ? strerror(-got) : "success");
}

static bool revoked(int dev, uint32_t handle)
{
	struct ccshared_edu_info info;

	return edu_info(dev, handle, &info) == 0 && (info.flags & CCSHARED_EDU_INFO_REVOKED);
}

static int write_knob(const char *value)
{
	int fd = open("/sys/kernel/debug/ccshared_heap/revoke", O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static void test_revoke(void)
{
	unsigned char *map;
	uint32_t h;
	int dev, buf;
	bool untouched = true;
	size_t i;

	dev = edu_open(0);
	buf = heap_alloc(CC_HEAP, SIZE);
	map = buf < 0 ? NULL : buf_map(buf, SIZE);
	if (dev < 0 || !map || edu_attach(dev, buf, &h))
		tap_bail("setup failed");
	tap_ok(round_trip(dev, h, buf, map, SIZE, 0, 4096, 1) && !revoked(dev, h),
	       "before: DMA works, INFO does not say revoked");

	dmesg_clear();
	expect(heap_revoke(buf), 0, "the heap revokes the buffer's mappings");
	tap_ok(revoked(dev, h), "INFO reports REVOKED");
	tap_ok(dmesg_contains("revoked"), "the kernel log says the mapping was revoked");

	/* The device holds the round trip's pattern; it must not come back. */
	buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	memset(map, 0x5a, 8192);
	buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	expect(edu_dma(dev, h, CCSHARED_EDU_FROM_DEVICE, 0, 4096), -ENODEV,
	       "DMA from the device after the revocation");
	expect(edu_dma(dev, h, CCSHARED_EDU_TO_DEVICE, 4096, 4096), -ENODEV,
	       "DMA to the device after the revocation");
	buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (i = 0; i < 8192; i++)
		untouched = untouched && map[i] == 0x5a;
	buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	tap_ok(untouched, "the memory is as the CPU left it");

	expect(edu_detach(dev, h), 0, "detach a revoked handle");
	expect(edu_detach(dev, h), -ENOENT, "detach it again");
	munmap(map, SIZE);
	close(buf);
	close(dev);
}

static void test_two_importers(void)
{
	uint32_t h0, h1;
	int d0, d1, buf;

	d0 = edu_open(0);
	d1 = edu_open(1);
	buf = heap_alloc(CC_HEAP, SIZE);
	if (d0 < 0 || d1 < 0 || buf < 0 || edu_attach(d0, buf, &h0) || edu_attach(d1, buf, &h1))
		tap_bail("setup failed (two edu devices needed: --edu 2)");
	expect(heap_revoke(buf), 0, "two devices attached: revoke");
	tap_ok(revoked(d0, h0) && revoked(d1, h1) &&
	       edu_dma(d0, h0, CCSHARED_EDU_TO_DEVICE, 0, 16) == -ENODEV &&
	       edu_dma(d1, h1, CCSHARED_EDU_TO_DEVICE, 0, 16) == -ENODEV,
	       "both attachments are revoked and refuse DMA");
	close(d0);	/* h0 still attached */
	close(d1);
	close(buf);
}

static void test_in_flight(void)
{
	struct inflight t;
	uint32_t h;
	long irqs;
	int dev, buf, ret;

	dev = edu_open(0);
	buf = heap_alloc(CC_HEAP, BIG);
	if (dev < 0 || buf < 0 || edu_attach(dev, buf, &h))
		tap_bail("setup failed");
	if (!inflight_start(&t, dev, h, BOUNDARY))
		tap_bail("could not catch the transfer in flight");
	ret = heap_revoke(buf);
	irqs = inflight_irqs(&t);
	tap_ok(ret == 0 && irqs == 2,
	       "a revocation during a transfer returns once the device is done (%s; %ld of 2 runs done)",
	       ret ? strerror(-ret) : "revoked", irqs);
	ret = inflight_finish(&t);
	expect(ret, 0, "the transfer in flight completes");
	tap_ok(revoked(dev, h) && edu_dma(dev, h, CCSHARED_EDU_TO_DEVICE, 0, 16) == -ENODEV,
	       "and the next one gets ENODEV");
	close(dev);
	close(buf);
}

static void test_bad_input(void)
{
	int null = open("/dev/null", O_RDONLY), fake;
	char value[16];

	expect(write_knob("abc"), -EINVAL, "revoke: not a number");
	expect(write_knob("-1"), -EBADF, "revoke: fd -1");
	snprintf(value, sizeof(value), "%d", null);
	expect(write_knob(value), -EINVAL, "revoke: /dev/null is not a dma-buf");
	fake_exporter_load();
	fake = fake_alloc(4096);
	expect(fake < 0 ? fake : heap_revoke(fake), -EINVAL, "revoke: another exporter's dma-buf");
	close(fake);
	close(null);
	fake_exporter_unload();
}

int main(void)
{
	long base;

	tap_plan(21);
	heap_ensure(false);
	edu_load("dma_bits=64");
	base = heap_stat("buffers");

	test_revoke();
	test_two_importers();
	tap_ok(heap_stat("buffers") == base,
	       "closing the files with revoked handles attached released everything (%ld live)",
	       heap_stat("buffers") - base);
	test_in_flight();
	test_bad_input();

	tap_ok(heap_stat("buffers") == base, "no buffer leaked (heap buffers %ld, was %ld)",
	       heap_stat("buffers"), base);
	tap_ok(edu_unload() == 0, "ccshared_edu unloads");
	return tap_done();
}
