// SPDX-License-Identifier: GPL-2.0
/*
 * Test 1: on a machine without memory encryption the module refuses to
 * load unless force_non_coco=1 is given, says why in the kernel log, and
 * leaves no heap behind.  With force_non_coco=1 it registers, taints the
 * kernel (TAINT_USER) and warns.  Runs first: a heap added with
 * dma_heap_add() cannot be removed later in the boot, so this is the only
 * place to see the kernel before the module is loaded.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heaptest.h"

#define REASON "memory encryption is not active"
#define FORCED "force_non_coco=1: registering system_cc_shared without memory encryption"
#define TAINT_USER_BIT (1UL << 6)

static unsigned long tainted(void)
{
	char buf[32];

	if (read_file("/proc/sys/kernel/tainted", buf, sizeof(buf)) < 0)
		return ~0UL;
	return strtoul(buf, NULL, 10);
}

int main(void)
{
	unsigned long taint_before;
	int status;

	/* It sorts first in its part: nothing can have loaded a heap yet. */
	if (access("/sys/module/ccshared_heap", F_OK) == 0)
		tap_bail("ccshared_heap is already loaded in this boot: this test must run first");
	if (access(HEAP_PATH, F_OK) == 0)
		tap_bail("the kernel has a system_cc_shared heap of its own");

	tap_plan(8);

	status = system("ccshared-load ccshared_heap >&2");
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) != 0,
	       "loading without force_non_coco fails (status %d)", status);
	tap_ok(access("/sys/module/ccshared_heap", F_OK) != 0,
	       "the module is not loaded");
	tap_ok(access(HEAP_PATH, F_OK) != 0, "%s does not exist", HEAP_PATH);
	tap_ok(system("dmesg | grep -q 'ccshared_heap: .*" REASON "'") == 0,
	       "the kernel log says: " REASON);
	tap_ok(system("grep -q ccshared_heap_ /proc/kallsyms") != 0,
	       "no symbol of the module remains");

	taint_before = tainted();
	tap_ok(heap_setup() == 0, "with force_non_coco=1 the module loads and the heap appears");
	tap_ok(!(taint_before & TAINT_USER_BIT) && (tainted() & TAINT_USER_BIT),
	       "force_non_coco=1 taints the kernel (U; %lu -> %lu)", taint_before, tainted());
	tap_ok(system("dmesg | grep -q 'ccshared_heap: " FORCED "'") == 0,
	       "the kernel log warns: " FORCED);
	heap_teardown();
	return tap_done();
}
