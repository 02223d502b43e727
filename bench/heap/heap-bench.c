// SPDX-License-Identifier: GPL-2.0
/*
 * heap-bench: allocation and free throughput of dma-buf heaps, and the
 * page-state conversions each allocation of system_cc_shared costs.
 *
 * First, conversions to shared per cold allocation (pool drained and
 * disabled) for each size, ours beside the in-tree heap's.  The in-tree
 * count is measured where its heap runs as the test module
 * upstream_cc_shared (tests/upstream-heap) under the CoCo memory model
 * ccshared_coco_mem, which counts the conversions of each module; else it
 * is computed from the in-tree heap's orders (8, 4, 0: 1 MiB, 64 KiB,
 * 4 KiB, largest first) and labelled so.
 *
 * Then throughput, for each size: the kernel's "system" heap;
 * system_cc_shared cold (pool disabled, so every allocation converts and
 * every free converts back); and system_cc_shared pool-warm (buffers
 * reused from the pool).  One line per case, MiB/s for allocation and for
 * free.  Needs ccshared_heap loaded and debugfs mounted; run it as root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#define STATS "/sys/kernel/debug/ccshared_heap/stats"
#define POOL_MAX "/sys/module/ccshared_heap/parameters/pool_max_mb"
#define DRAIN "/sys/kernel/debug/ccshared_heap/drain_pool"
#define MODEL_CALLERS "/sys/kernel/debug/ccshared_coco_mem/callers"
#define IN_TREE "upstream_cc_shared"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long conversions_to_shared(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen(STATS, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "conversions_to_shared: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* @module's conversions to shared as the CoCo memory model counts them, or -1. */
static long model_conversions(const char *module)
{
	char line[512], name[64];
	long v = -1, n;
	FILE *f = fopen(MODEL_CALLERS, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s to_shared=%ld", name, &n) == 2 && !strcmp(name, module))
			v = n;
	fclose(f);
	return v < 0 ? 0 : v;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, s, strlen(s)) < 0)
		ret = -1;
	close(fd);
	return ret;
}

static int alloc_one(int heap_fd, size_t len)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data))
		return -1;
	return data.fd;
}

/* Allocate @n buffers, then free them; time each half. */
static int run(const char *heap, const char *mode, size_t len, int n)
{
	double t0, t_alloc, t_free, mib = (double)len * n / (1 << 20);
	long conv_before = conversions_to_shared();
	char path[128];
	int heap_fd, i, *fds;

	/* mode NULL: allocate and free without printing (fills the pool) */

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	heap_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (heap_fd < 0) {
		fprintf(stderr, "Couldn't open %s: %s\n", path, strerror(errno));
		return -1;
	}
	fds = calloc(n, sizeof(*fds));
	if (!fds)
		return -1;

	t0 = now();
	for (i = 0; i < n; i++) {
		fds[i] = alloc_one(heap_fd, len);
		if (fds[i] < 0) {
			fprintf(stderr, "Couldn't allocate %zu bytes from %s: %s\n",
				len, heap, strerror(errno));
			return -1;
		}
	}
	t_alloc = now() - t0;
	t0 = now();
	for (i = 0; i < n; i++)
		close(fds[i]);
	t_free = now() - t0;

	if (!mode) {	/* only filling the pool */
		free(fds);
		close(heap_fd);
		return 0;
	}
	printf("| %-16s | %-9s | %8zu KiB | %11.0f | %10.0f | ", heap, mode,
	       len >> 10, mib / t_alloc, mib / t_free);
	if (strcmp(heap, "system"))
		printf("%10.2f |\n", (double)(conversions_to_shared() - conv_before) / n);
	else
		printf("%10s |\n", "-");
	free(fds);
	close(heap_fd);
	return 0;
}

/*
 * The in-tree heap's conversions for @len: one per chunk of its orders,
 * largest first, after the dma-heap core rounds @len up to a page.
 */
static long in_tree_computed(size_t len)
{
	static const unsigned int orders[] = { 8, 4, 0 };
	size_t left = (len + 4095) & ~(size_t)4095;
	long chunks = 0;
	unsigned int i;

	for (i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		chunks += left / (4096UL << orders[i]);
		left %= 4096UL << orders[i];
	}
	return chunks;
}

/*
 * Conversions to shared of one cold allocation of @len from @heap, as
 * @count reads them before and after; the average of @reps.  -1 on error.
 */
static double cold_conversions(const char *heap, size_t len, int reps,
			       long (*count)(const char *), const char *who)
{
	char path[128];
	long before, total = 0;
	int heap_fd, fd, i;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	heap_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (heap_fd < 0)
		return -1;
	for (i = 0; i < reps; i++) {
		write_str(DRAIN, "1");
		before = count(who);
		fd = alloc_one(heap_fd, len);
		if (fd < 0) {
			fprintf(stderr, "Couldn't allocate %zu bytes from %s: %s\n",
				len, heap, strerror(errno));
			close(heap_fd);
			return -1;
		}
		total += count(who) - before;
		close(fd);
	}
	close(heap_fd);
	return (double)total / reps;
}

static long own_conversions(const char *unused)
{
	(void)unused;
	return conversions_to_shared();
}

static int conversions_table(int reps)
{
	static const struct {
		size_t len;
		const char *name;
	} sizes[] = {
		{ 64 << 10, "64 KiB" },
		{ 1 << 20, "1 MiB" },
		{ 3 << 19, "1.5 MiB" },
		{ 2 << 20, "2 MiB" },
		{ 3 << 20, "3 MiB" },
		{ 64 << 20, "64 MiB" },
		{ (4 << 10) + 1, "4 KiB + 1" },
		{ (1 << 20) + (4 << 10), "1 MiB + 4 KiB" },
		{ 33 << 20, "33 MiB" },
	};
	bool measured = model_conversions(IN_TREE) >= 0 &&
			access("/dev/dma_heap/" IN_TREE, F_OK) == 0;
	size_t i;

	printf("Conversions to shared per cold allocation (average of %d)\n\n", reps);
	printf("| size          | ccshared | in-tree | in-tree count |\n");
	printf("|---------------|---------:|--------:|---------------|\n");
	write_str(POOL_MAX, "0");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double ours, theirs;

		ours = cold_conversions("system_cc_shared", sizes[i].len, reps,
					own_conversions, NULL);
		if (ours < 0)
			return -1;
		theirs = measured ? cold_conversions(IN_TREE, sizes[i].len, reps,
						     model_conversions, IN_TREE) :
				    in_tree_computed(sizes[i].len);
		if (theirs < 0)
			return -1;
		printf("| %-13s | %8.2f | %7.2f | %-13s |\n", sizes[i].name, ours, theirs,
		       measured ? "measured" : "computed");
	}
	write_str(POOL_MAX, "64");
	printf("\n");
	return 0;
}

static void usage(const char *argv0)
{
	printf("usage: %s [options]\n", argv0);
	printf("  -n, --count N     buffers per case (default 32)\n");
	printf("  -c, --conversions only the table of conversions per allocation\n");
	printf("  -h, --help        this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "conversions", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	static const size_t sizes[] = { 64 << 10, 1 << 20, 2 << 20, 8 << 20 };
	bool only_conversions = false;
	int n = 32, c;
	size_t i;

	while ((c = getopt_long(argc, argv, "n:ch", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'c':
			only_conversions = true;
			break;
		case 'h':
			usage(argv[0]);
			return 0;
		default:
			usage(argv[0]);
			return 1;
		}
	}
	if (n < 1 || conversions_to_shared() < 0) {
		fprintf(stderr, "Couldn't read %s: is ccshared_heap loaded?\n", STATS);
		return 1;
	}

	if (conversions_table(4))
		return 1;
	if (only_conversions)
		return 0;

	printf("| heap             | mode      | size         | alloc MiB/s | free MiB/s | conv/alloc |\n");
	printf("|------------------|-----------|--------------|------------:|-----------:|-----------:|\n");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (run("system", "-", sizes[i], n))
			return 1;
		/* Cold: no pool, every allocation converts, every free converts back. */
		write_str(POOL_MAX, "0");
		write_str(DRAIN, "1");
		if (run("system_cc_shared", "cold", sizes[i], n))
			return 1;
		/* Pool-warm: fill the pool once, then measure. */
		write_str(POOL_MAX, "1024");
		if (run("system_cc_shared", NULL, sizes[i], n))
			return 1;
		if (run("system_cc_shared", "pool-warm", sizes[i], n))
			return 1;
		write_str(POOL_MAX, "64");
		write_str(DRAIN, "1");
	}
	return 0;
}
