// SPDX-License-Identifier: GPL-2.0
/*
 * The non-TDISP policy asks the heap which dma-bufs are shared memory, and
 * does not go by the exporter's name: private memory from another exporter
 * that calls its buffers "system_cc_shared" (tests/vm/fake-exporter) is
 * refused like any private buffer.  Where the policy lets it through (the
 * device needs no unencrypted DMA, or allow_bounce=1) it attaches, but INFO
 * does not call it shared.  A real system_cc_shared buffer is shared in
 * every case.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "edutest.h"

#define SIZE (64 * KiB)

/* The exporter name the dma-buf core shows for @fd, in @name. */
static void exp_name_of(int fd, char *name, size_t size)
{
	char path[64], line[256], value[256];
	FILE *f;

	name[0] = 0;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* Into a buffer of its own: sscanf must not write what it reads. */
		if (sscanf(line, "exp_name: %255s", value) == 1) {
			/* A name too long for @name is no name we know. */
			if (strlen(value) < size)
				memcpy(name, value, strlen(value) + 1);
			break;
		}
	}
	fclose(f);
}

/* Attach @buf, read INFO's flags into *flags, detach: 0 or -errno. */
static int attach_flags(int dev, int buf, uint32_t *flags)
{
	struct ccshared_edu_info info;
	uint32_t handle;
	int ret;

	*flags = 0;
	ret = edu_attach(dev, buf, &handle);
	if (ret)
		return ret;
	ret = edu_info(dev, handle, &info);
	*flags = info.flags;
	edu_detach(dev, handle);
	return ret;
}

int main(void)
{
	char name[64];
	uint32_t flags;
	int dev, fake, real, ret;

	tap_plan(9);
	heap_ensure(false);
	fake_exporter_load();

	fake = fake_alloc(SIZE);
	real = heap_alloc(CC_HEAP, SIZE);
	if (fake < 0 || real < 0)
		tap_bail("cannot allocate from the fake exporter or %s", CC_HEAP);
	exp_name_of(fake, name, sizeof(name));
	tap_ok(!strcmp(name, CC_HEAP), "the fake exporter's buffer is named '%s' (fdinfo: '%s')",
	       CC_HEAP, name);

	/* 1. The device needs unencrypted DMA: the policy is on. */
	edu_load("dma_bits=64 unencrypted_dma=1");
	dev = edu_open(0);
	if (dev < 0)
		tap_bail("cannot open /dev/ccshared_edu0");
	dmesg_clear();
	ret = attach_flags(dev, fake, &flags);
	tap_ok(ret == -EPERM, "policy on: the impostor is refused with EPERM (got %s)",
	       ret ? strerror(-ret) : "success");
	tap_ok(dmesg_contains("refusing a dma-buf from exporter 'system_cc_shared'"),
	       "the kernel log names the exporter it refused");
	ret = attach_flags(dev, real, &flags);
	tap_ok(ret == 0 && (flags & CCSHARED_EDU_INFO_SHARED),
	       "policy on: a real %s buffer attaches and is shared (%s, flags %#x)", CC_HEAP,
	       ret ? strerror(-ret) : "ok", flags);
	close(dev);
	edu_unload();

	/* 2. allow_bounce=1: the user accepts private memory. */
	edu_load("dma_bits=64 unencrypted_dma=1 allow_bounce=1");
	dev = edu_open(0);
	ret = attach_flags(dev, fake, &flags);
	tap_ok(ret == 0 && !(flags & CCSHARED_EDU_INFO_SHARED),
	       "allow_bounce=1: the impostor attaches, not reported shared (%s, flags %#x)",
	       ret ? strerror(-ret) : "ok", flags);
	close(dev);
	edu_unload();

	/* 3. The device needs no unencrypted DMA: any dma-buf will do. */
	edu_load("dma_bits=64");
	dev = edu_open(0);
	ret = attach_flags(dev, fake, &flags);
	tap_ok(ret == 0 && !(flags & CCSHARED_EDU_INFO_SHARED),
	       "policy off: the impostor attaches, not reported shared (%s, flags %#x)",
	       ret ? strerror(-ret) : "ok", flags);
	ret = attach_flags(dev, real, &flags);
	tap_ok(ret == 0 && (flags & CCSHARED_EDU_INFO_SHARED),
	       "policy off: a real %s buffer is still reported shared (flags %#x)", CC_HEAP, flags);
	close(dev);

	close(real);
	edu_unload();

	/*
	 * 4. Without ccshared_heap nothing is known to be shared: Debian's
	 * kernels have no in-tree system_cc_shared heap whose name the driver
	 * could fall back on.  Only the misc-device heap (6.12) unloads.
	 */
	if (kernel_major() >= 7) {
		tap_skip("by design: 7.x cannot unload ccshared_heap", "policy on, no ccshared_heap: the impostor is refused");
	} else if (run("rmmod ccshared_heap")) {
		tap_ok(false, "policy on, no ccshared_heap: cannot unload ccshared_heap");
	} else {
		edu_load("dma_bits=64 unencrypted_dma=1");
		dev = edu_open(0);
		ret = attach_flags(dev, fake, &flags);
		tap_ok(ret == -EPERM, "policy on, no ccshared_heap: the impostor is refused (got %s)",
		       ret ? strerror(-ret) : "success");
		close(dev);
		edu_unload();
		heap_ensure(false);
	}

	close(fake);
	tap_ok(run("rmmod ccshared_fake_exporter") == 0,
	       "the fake exporter unloads: ccshared_edu left none of its buffers behind");
	return tap_done();
}
