// SPDX-License-Identifier: GPL-2.0
/*
 * 7.3, emulated CoCo: the edu device needs unencrypted DMA (the
 * ccshared_coco_emul kretprobe, and unencrypted_dma=1 for the driver's
 * policy).  A 3 MiB system_cc_shared buffer is mapped direct, without
 * swiotlb, and patterns survive a round trip through the device at offset
 * 0, across a page boundary, across the heap's 2 MiB chunk boundary and at
 * the very end of the buffer.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edutest.h"

#define SIZE (3 * MiB)

/* The emulation is live: the DMA layer limits edu mappings to swiotlb's. */
static void check_emulation(void)
{
	char line[256] = "";
	FILE *f = fopen("/sys/kernel/debug/ccshared_coco_emul/check", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	line[strcspn(line, "\n")] = 0;
	tap_diag("emulation: %s", line);
	tap_ok(strstr(line, "max_mapping_size=262144") && strstr(line, "cc_shared_map=direct"),
	       "emulation: the DMA layer treats edu as needing unencrypted DMA, and maps DMA_ATTR_CC_SHARED direct (DMA address = physical)");
}

int main(void)
{
	static const struct { const char *what; uint64_t off, len; } cases[] = {
		{ "offset 0", 0, 4096 },
		{ "across a 4 KiB page boundary", 4096 - 100, 200 },
		{ "across the 2 MiB chunk boundary", 2 * MiB - 1000, 2000 },
		{ "the last 4096 bytes", SIZE - 4096, 4096 },
		{ "the last byte", SIZE - 1, 1 },
	};
	struct ccshared_edu_info info;
	long used_before, used_after;
	unsigned char *map;
	uint32_t handle;
	int dev, buf, ret;
	size_t i;

	if (kernel_major() < 7)
		tap_skip_all(TAP_BY_DESIGN "the CoCo emulation models 7.x (6.12 is modelled by swiotlb=force: edu-bounce)");

	tap_plan(5 + (int)(sizeof(cases) / sizeof(cases[0])));
	heap_ensure(false);
	emul_load();
	edu_load("dma_bits=64 unencrypted_dma=1");
	check_emulation();

	buf = heap_alloc(CC_HEAP, SIZE);
	if (buf < 0)
		tap_bail("cannot allocate %lu bytes from %s: %s", SIZE, CC_HEAP, strerror(-buf));
	map = buf_map(buf, SIZE);
	dev = edu_open(0);
	if (!map || dev < 0)
		tap_bail("cannot map the buffer or open /dev/ccshared_edu0");

	used_before = swiotlb_used_slots();
	ret = edu_attach(dev, buf, &handle);
	used_after = swiotlb_used_slots();
	tap_ok(ret == 0, "attach a %lu-byte %s buffer (%s)", SIZE, CC_HEAP, ret ? strerror(-ret) : "ok");
	if (ret)
		tap_bail("cannot go on without an attachment");

	edu_info(dev, handle, &info);
	edu_print_info(CC_HEAP, &info);
	tap_ok(!(info.flags & CCSHARED_EDU_INFO_BOUNCED) &&
	       (info.flags & CCSHARED_EDU_INFO_SHARED) &&
	       (info.flags & CCSHARED_EDU_INFO_UNENCRYPTED) &&
	       info.mapped_len == SIZE && info.nr_segments >= 2,
	       "mapped direct, shared, whole buffer, more than one segment");
	tap_diag("swiotlb slots in use: %ld before attach, %ld while attached", used_before, used_after);
	tap_ok(used_before >= 0 && used_after == used_before, "no swiotlb slot used by the mapping");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tap_ok(round_trip(dev, handle, buf, map, SIZE, cases[i].off, cases[i].len, i + 1),
		       "round trip %s (%llu+%llu)", cases[i].what,
		       (unsigned long long)cases[i].off, (unsigned long long)cases[i].len);

	tap_ok(edu_detach(dev, handle) == 0, "detach");
	close(dev);
	munmap(map, SIZE);
	close(buf);
	edu_unload();
	emul_unload();
	return tap_done();
}
