// SPDX-License-Identifier: GPL-2.0
/*
 * 7.3, emulated CoCo: a buffer from the kernel's "system" heap is private
 * memory.  The device could reach it only by bouncing, and in this guest
 * the DMA layer could not even do that (it warns and fails).  The driver's
 * non-TDISP policy refuses it first: -EPERM, a clear log line, and no
 * kernel warning (which would fail this run).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "edutest.h"

int main(void)
{
	uint32_t handle = 0;
	int dev, buf, ret;

	if (kernel_major() < 7)
		tap_skip_all(TAP_BY_DESIGN "the CoCo emulation models 7.x (6.12 is modelled by swiotlb=force: edu-bounce)");
	if (access("/dev/dma_heap/" SYS_HEAP, F_OK))
		tap_bail("this kernel has no system heap (Debian's kernels have one)");

	tap_plan(4);
	heap_ensure(false);
	emul_load();
	edu_load("dma_bits=64 unencrypted_dma=1");
	dmesg_clear();

	buf = heap_alloc(SYS_HEAP, 64 * KiB);
	dev = edu_open(0);
	if (buf < 0 || dev < 0)
		tap_bail("cannot allocate from the system heap or open the device");

	ret = edu_attach(dev, buf, &handle);
	tap_ok(ret == -EPERM, "a system-heap buffer is refused with EPERM (got %s)",
	       ret ? strerror(-ret) : "success");
	tap_ok(dmesg_contains("not known to be shared (non-TDISP policy)"),
	       "the kernel log says why");

	close(buf);
	buf = heap_alloc(CC_HEAP, 64 * KiB);
	ret = buf < 0 ? buf : edu_attach(dev, buf, &handle);
	tap_ok(ret == 0, "the same device still takes a %s buffer", CC_HEAP);
	tap_ok(ret == 0 && edu_detach(dev, handle) == 0, "and detaches it");

	close(buf);
	close(dev);
	edu_unload();
	emul_unload();
	return tap_done();
}
