// SPDX-License-Identifier: GPL-2.0
/*
 * Test 1: on a machine without memory encryption the module refuses to
 * load unless force_non_coco=1 is given, says why in the kernel log, and
 * leaves no heap behind.  Runs first: a heap added with dma_heap_add()
 * cannot be removed later in the boot.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heaptest.h"

#define REASON "memory encryption is not active"

int main(void)
{
	int status;

	if (access("/sys/module/ccshared_heap", F_OK) == 0)
		tap_skip_all("ccshared_heap is already loaded in this boot");
	if (access(HEAP_PATH, F_OK) == 0)
		tap_skip_all("the kernel has its own system_cc_shared heap");

	tap_plan(5);

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
	return tap_done();
}
