// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle: the driver holds its own reference to an attached dma-buf;
 * closing the device file, or unbinding the device through sysfs, while
 * buffers are attached releases them; open files then see -ENODEV; the
 * device binds again; rmmod is refused while a file is open and works
 * once everything is closed.  "Nothing leaked" is the heap's count of
 * live buffers, back where it started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edutest.h"

#define SIZE (256 * KiB)

static long live(long base)
{
	return heap_stat("buffers") - base;
}

static bool sysfs_write(const char *path, const char *value)
{
	return run("echo %s > %s", value, path) == 0;
}

int main(void)
{
	char link[PATH_MAX], bdf[64];
	uint32_t h, h2;
	unsigned char *map;
	int dev, buf, buf2, ret;
	ssize_t n;
	long base;

	tap_plan(14);
	heap_ensure(false);
	edu_load("dma_bits=64");
	base = heap_stat("buffers");

	/* 1. The dma-buf fd and mapping go away; the attachment keeps it. */
	dev = edu_open(0);
	buf = heap_alloc(CC_HEAP, SIZE);
	map = buf < 0 ? NULL : buf_map(buf, SIZE);
	if (dev < 0 || !map)
		tap_bail("setup failed");
	buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	fill_pattern(map, 4096, 7);
	buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	ret = edu_attach(dev, buf, &h);
	munmap(map, SIZE);
	close(buf);
	tap_ok(ret == 0 && live(base) == 1,
	       "the buffer outlives its fd and mapping while attached (%ld live)", live(base));
	tap_ok(edu_dma(dev, h, CCSHARED_EDU_TO_DEVICE, 0, 4096) == 0 &&
	       edu_dma(dev, h, CCSHARED_EDU_FROM_DEVICE, SIZE - 4096, 4096) == 0,
	       "DMA still works through the driver's own reference");
	tap_ok(edu_detach(dev, h) == 0 && live(base) == 0, "detach releases the last reference");

	/* 2. Close the device file with attachments live. */
	buf = heap_alloc(CC_HEAP, SIZE);
	buf2 = heap_alloc(CC_HEAP, SIZE);
	ret = edu_attach(dev, buf, &h) || edu_attach(dev, buf2, &h2);
	close(buf);
	close(buf2);
	tap_ok(!ret && live(base) == 2, "two buffers attached, their fds closed");
	close(dev);
	tap_ok(live(base) == 0, "closing the device file releases both (%ld live)", live(base));

	/* 3. Unbind the device while a buffer is attached and the file open. */
	n = readlink("/sys/class/misc/ccshared_edu0/device", link, sizeof(link) - 1);
	if (n <= 0)
		tap_bail("cannot find edu0's PCI device");
	link[n] = 0;
	snprintf(bdf, sizeof(bdf), "%s", basename(link));
	dev = edu_open(0);
	buf = heap_alloc(CC_HEAP, SIZE);
	ret = edu_attach(dev, buf, &h);
	tap_ok(sysfs_write("/sys/bus/pci/drivers/ccshared_edu/unbind", bdf),
	       "unbind %s with a buffer attached", bdf);
	tap_ok(edu_dma(dev, h, CCSHARED_EDU_TO_DEVICE, 0, 16) == -ENODEV,
	       "the open file gets ENODEV");
	tap_ok(edu_detach(dev, h) == -ENODEV, "detach too");
	close(buf);
	tap_ok(!ret && live(base) == 0, "unbinding released the attachment (%ld live)", live(base));
	close(dev);
	tap_ok(sysfs_write("/sys/bus/pci/drivers/ccshared_edu/bind", bdf) &&
	       access("/dev/ccshared_edu0", F_OK) == 0, "bind %s again", bdf);

	/* 4. rmmod: refused while a file is open, fine afterwards. */
	dev = edu_open(0);
	buf = heap_alloc(CC_HEAP, SIZE);
	ret = edu_attach(dev, buf, &h);
	tap_ok(!ret && edu_dma(dev, h, CCSHARED_EDU_TO_DEVICE, 0, 64) == 0,
	       "the rebound device works");
	tap_ok(run("rmmod ccshared_edu 2>/dev/null") != 0, "rmmod is refused while a file is open");
	close(dev);
	close(buf);
	tap_ok(live(base) == 0, "closing released everything (%ld live)", live(base));
	tap_ok(edu_unload() == 0 && access("/sys/module/ccshared_edu", F_OK) != 0,
	       "rmmod after everything is closed");
	return tap_done();
}
