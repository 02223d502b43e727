// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input: every ioctl gets each bad input it can get (a fd that is not
 * a dma-buf, out-of-range offsets and lengths, a wrong struct size, flags
 * and reserved fields, an unknown or foreign handle, a double detach) and
 * each gets its errno.  Nothing leaks: the heap's buffer count is back
 * where it started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "edutest.h"

#define SIZE (64 * KiB)

struct too_big { char bytes[64]; };

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static void expect(int got, int want, const char *what)
{
	tap_ok(got == want, "%s: %s (got %s)", what, want ? strerror(-want) : "success",
	       got ? strerror(-got) : "success");
}

int main(void)
{
	struct ccshared_edu_attach a;
	struct ccshared_edu_detach d;
	struct ccshared_edu_info i;
	struct too_big big = { { 0 } };
	uint32_t handle, other;
	long base;
	int dev, dev2, buf, null;

	tap_plan(30);
	heap_ensure(false);
	edu_load("dma_bits=64");
	base = heap_stat("buffers");

	dev = edu_open(0);
	dev2 = edu_open(0);
	buf = heap_alloc(CC_HEAP, SIZE);
	null = open("/dev/null", O_RDWR);
	if (dev < 0 || dev2 < 0 || buf < 0 || null < 0)
		tap_bail("setup failed");

	/* ATTACH */
	expect(edu_attach(dev, -1, &handle), -EBADF, "attach: fd -1");
	expect(edu_attach(dev, 999, &handle), -EBADF, "attach: a closed fd");
	expect(edu_attach(dev, null, &handle), -EINVAL, "attach: /dev/null is not a dma-buf");
	a = (struct ccshared_edu_attach){ .fd = buf, .flags = 1 };
	expect(xioctl(dev, CCSHARED_EDU_IOCTL_ATTACH, &a), -EINVAL, "attach: unknown flags");
	a = (struct ccshared_edu_attach){ .fd = buf, .reserved = 1 };
	expect(xioctl(dev, CCSHARED_EDU_IOCTL_ATTACH, &a), -EINVAL, "attach: reserved field set");
	expect(xioctl(dev, _IOWR(CCSHARED_EDU_MAGIC, 0x40, struct too_big), &big), -EINVAL,
	       "attach: wrong struct size");
	expect(edu_attach(dev, buf, &handle), 0, "attach: a good buffer");
	expect(edu_attach(dev2, buf, &other), 0, "attach: the same buffer on a second file");

	/* DMA */
	expect(edu_dma(dev, 0, CCSHARED_EDU_TO_DEVICE, 0, 16), -ENOENT, "dma: handle 0");
	expect(edu_dma(dev, handle + 100, CCSHARED_EDU_TO_DEVICE, 0, 16), -ENOENT, "dma: unknown handle");
	expect(edu_dma(dev, other, CCSHARED_EDU_TO_DEVICE, 0, 16), -ENOENT, "dma: another file's handle");
	expect(edu_dma(dev, handle, 0, 0, 16), -EINVAL, "dma: direction 0");
	expect(edu_dma(dev, handle, 3, 0, 16), -EINVAL, "dma: direction 3");
	expect(edu_dma(dev, handle, CCSHARED_EDU_TO_DEVICE, 0, 0), -EINVAL, "dma: length 0");
	expect(edu_dma(dev, handle, CCSHARED_EDU_TO_DEVICE, 0, CCSHARED_EDU_DMA_MAX + 1), -EINVAL,
	       "dma: longer than the device buffer");
	expect(edu_dma(dev, handle, CCSHARED_EDU_TO_DEVICE, SIZE, 1), -EINVAL, "dma: offset at the end");
	expect(edu_dma(dev, handle, CCSHARED_EDU_TO_DEVICE, SIZE - 8, 16), -EINVAL,
	       "dma: range past the end");
	expect(edu_dma(dev, handle, CCSHARED_EDU_TO_DEVICE, UINT64_MAX - 7, 16), -EINVAL,
	       "dma: offset + length overflows");
	expect(xioctl(dev, _IOW(CCSHARED_EDU_MAGIC, 0x42, struct too_big), &big), -EINVAL,
	       "dma: wrong struct size");

	/* INFO */
	expect(edu_info(dev, handle + 100, &i), -ENOENT, "info: unknown handle");
	i = (struct ccshared_edu_info){ .handle = handle, .map_ns = 1 };
	expect(xioctl(dev, CCSHARED_EDU_IOCTL_INFO, &i), -EINVAL, "info: output field not zero");
	expect(xioctl(dev, _IOWR(CCSHARED_EDU_MAGIC, 0x43, struct too_big), &big), -EINVAL,
	       "info: wrong struct size");

	/* DETACH */
	d = (struct ccshared_edu_detach){ .handle = handle, .flags = 1 };
	expect(xioctl(dev, CCSHARED_EDU_IOCTL_DETACH, &d), -EINVAL, "detach: unknown flags");
	expect(xioctl(dev, _IOW(CCSHARED_EDU_MAGIC, 0x41, struct too_big), &big), -EINVAL,
	       "detach: wrong struct size");
	expect(edu_detach(dev, other), -ENOENT, "detach: another file's handle");
	expect(edu_detach(dev, handle), 0, "detach");
	expect(edu_detach(dev, handle), -ENOENT, "detach again");

	/* Unknown requests */
	expect(xioctl(dev, _IOWR(CCSHARED_EDU_MAGIC, 0x4f, struct ccshared_edu_info), &i), -ENOTTY,
	       "unknown request number");
	expect(xioctl(dev, _IOWR('x', 0x40, struct ccshared_edu_attach), &a), -ENOTTY,
	       "another driver's magic");

	close(dev2);	/* detaches "other" */
	close(dev);
	close(buf);
	close(null);
	tap_ok(heap_stat("buffers") == base, "no buffer leaked (heap buffers %ld, was %ld)",
	       heap_stat("buffers"), base);
	edu_unload();
	return tap_done();
}
