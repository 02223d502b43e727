// SPDX-License-Identifier: GPL-2.0
/*
 * Pinning is bounded: each attachment pins its dma-buf for as long as it
 * lives, so the driver limits, per open file and per device, how many
 * attachments there are and how many bytes they pin (the module
 * parameters max_attachments_per_file, max_pinned_mb_per_file,
 * max_attachments_per_device, max_pinned_mb_per_device).  The attach
 * that would go past a limit fails with ENOSPC before anything is
 * mapped; everything attached before it keeps working; detach and close
 * give the budget back.  Each limit is tried at its value and one past it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edutest.h"

#define MOD "ccshared_edu"
#define DEFAULT_ATTACH_FILE 64

static const struct { const char *name; long value; } defaults[] = {
	{ "max_attachments_per_file", DEFAULT_ATTACH_FILE },
	{ "max_pinned_mb_per_file", 256 },
	{ "max_attachments_per_device", 256 },
	{ "max_pinned_mb_per_device", 1024 },
};

/* A heap buffer of @len bytes attached to @dev: 0 or -errno. */
static int attach_new(int dev, size_t len, uint32_t *handle, int *buf)
{
	int fd = heap_alloc(CC_HEAP, len), ret;

	if (fd < 0)
		tap_bail("cannot allocate %zu bytes from %s: %s", len, CC_HEAP, strerror(-fd));
	ret = edu_attach(dev, fd, handle);
	if (buf)
		*buf = fd;
	else
		close(fd);	/* the attachment keeps its own reference */
	return ret;
}

static void expect(int got, int want, const char *what)
{
	tap_ok(got == want, "%s: %s (got %s)", what, want ? strerror(-want) : "success",
	       got ? strerror(-got) : "success");
}

static void expectf(int got, int want, const char *fmt, int i)
{
	char what[128];

	snprintf(what, sizeof(what), fmt, i);
	expect(got, want, what);
}

/* A pattern through the device and back, on a buffer of @len bytes. */
static bool works(int dev, uint32_t handle, int buf, size_t len, unsigned int seed)
{
	unsigned char *map = buf_map(buf, len);
	bool ok;

	if (!map)
		return false;
	ok = round_trip(dev, handle, buf, map, len, 0, 4096, seed);
	munmap(map, len);
	return ok;
}

static void test_defaults(void)
{
	uint32_t h[DEFAULT_ATTACH_FILE + 1];
	bool all = true;
	size_t i;
	int dev, n, ret = 0;

	edu_load("dma_bits=64");
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		long v = module_param_value(MOD, defaults[i].name);

		if (v != defaults[i].value) {
			tap_diag("%s is %ld, want %ld", defaults[i].name, v, defaults[i].value);
			all = false;
		}
	}
	tap_ok(all, "the limits' defaults are %d attachments and 256 MiB per file, 256 and 1 GiB per device",
	       DEFAULT_ATTACH_FILE);

	dev = edu_open(0);
	for (n = 0; n < DEFAULT_ATTACH_FILE && !ret; n++)
		ret = attach_new(dev, 4 * KiB, &h[n], NULL);
	tap_ok(!ret, "default limits: one file attaches %d buffers (%s after %d)", DEFAULT_ATTACH_FILE,
	       ret ? strerror(-ret) : "ok", n);
	expect(attach_new(dev, 4 * KiB, &h[n], NULL), -ENOSPC, "default limits: the next attach");
	tap_ok(edu_dma(dev, h[0], CCSHARED_EDU_TO_DEVICE, 0, 16) == 0 &&
	       edu_dma(dev, h[n - 1], CCSHARED_EDU_TO_DEVICE, 0, 16) == 0,
	       "the first and the last attachment still DMA");
	close(dev);
	edu_unload();
}

/* max_attachments_per_file=3, max_attachments_per_device=5 */
static void test_attachments(void)
{
	uint32_t h[4], h2[3], h3[3];
	int buf[3], dev, dev2, dev3, i;
	bool ok = true;

	dev = edu_open(0);
	for (i = 0; i < 3; i++)
		expectf(attach_new(dev, 64 * KiB, &h[i], &buf[i]), 0, "per file: attachment %d of 3",
			i + 1);
	expect(attach_new(dev, 64 * KiB, &h[3], NULL), -ENOSPC, "per file: attachment 4 of 3");
	for (i = 0; i < 3; i++)
		ok = works(dev, h[i], buf[i], 64 * KiB, i + 1) && ok;
	tap_ok(ok, "per file: the three attached before it still DMA");
	expect(edu_detach(dev, h[1]), 0, "per file: detach one");
	expect(attach_new(dev, 64 * KiB, &h[1], NULL), 0, "per file: detach gave its place back");
	expect(attach_new(dev, 64 * KiB, &h[3], NULL), -ENOSPC, "per file: and the limit holds again");
	close(dev);
	for (i = 0; i < 3; i++)
		close(buf[i]);

	dev2 = edu_open(0);
	dev3 = edu_open(0);
	for (i = 0; i < 3; i++)
		expectf(attach_new(dev2, 64 * KiB, &h2[i], NULL), 0,
			"per file: closing the file gave its places back (%d of 3)", i + 1);
	for (i = 0; i < 2; i++)
		expectf(attach_new(dev3, 64 * KiB, &h3[i], NULL), 0,
			"per device: attachment %d of 5, from a second file", i + 4);
	expect(attach_new(dev3, 64 * KiB, &h3[2], NULL), -ENOSPC,
	       "per device: attachment 6 of 5, the file's 3rd of 3");
	close(dev2);
	expect(attach_new(dev3, 64 * KiB, &h3[2], NULL), 0,
	       "per device: closing another file gave its places back");
	close(dev3);
}

/* max_pinned_mb_per_file=2, max_pinned_mb_per_device=3 */
static void test_bytes(void)
{
	uint32_t h[3], again, hb[2];
	int dev, deva, devb, buf;

	dev = edu_open(0);
	expect(attach_new(dev, 1 * MiB, &h[0], &buf), 0, "per file: 1 of 2 MiB pinned");
	expect(attach_new(dev, 1 * MiB, &h[1], NULL), 0, "per file: 2 of 2 MiB pinned");
	expect(attach_new(dev, 4 * KiB, &h[2], NULL), -ENOSPC, "per file: 4 KiB more");
	expect(edu_attach(dev, buf, &again), -ENOSPC,
	       "per file: the same 1 MiB buffer again (each attachment pins it)");
	tap_ok(works(dev, h[0], buf, 1 * MiB, 7), "per file: what was pinned before still DMAs");
	expect(edu_detach(dev, h[0]), 0, "per file: detach 1 MiB");
	expect(attach_new(dev, 4 * KiB, &h[2], NULL), 0, "per file: detach gave its bytes back");
	close(buf);
	close(dev);

	dev = edu_open(0);
	expect(attach_new(dev, 2 * MiB + 4 * KiB, &h[0], NULL), -ENOSPC,
	       "per file: one buffer of 2 MiB + 4 KiB");
	close(dev);

	deva = edu_open(0);
	devb = edu_open(0);
	expect(attach_new(deva, 2 * MiB, &h[0], NULL), 0, "per device: 2 of 3 MiB pinned");
	expect(attach_new(devb, 1 * MiB, &hb[0], NULL), 0, "per device: 3 of 3 MiB pinned");
	expect(attach_new(devb, 4 * KiB, &hb[1], NULL), -ENOSPC,
	       "per device: 4 KiB more, the file's 1 MiB + 4 KiB of 2 MiB");
	close(deva);
	expect(attach_new(devb, 4 * KiB, &hb[1], NULL), 0,
	       "per device: closing another file gave its bytes back");
	close(devb);
}

int main(void)
{
	long base;

	tap_plan(34);
	heap_ensure(false);
	base = heap_stat("buffers");

	test_defaults();

	edu_load("dma_bits=64 max_attachments_per_file=3 max_attachments_per_device=5 "
		 "max_pinned_mb_per_file=2 max_pinned_mb_per_device=3");
	dmesg_clear();
	test_attachments();
	tap_ok(dmesg_contains("max_attachments_per_file") &&
	       dmesg_contains("max_attachments_per_device"),
	       "the kernel log names the limits that refused an attach");
	test_bytes();

	tap_ok(heap_stat("buffers") == base, "no buffer leaked (heap buffers %ld, was %ld)",
	       heap_stat("buffers"), base);
	tap_ok(edu_unload() == 0, "ccshared_edu unloads");
	return tap_done();
}
