// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ccshared: show the platform and the heap, watch the heap's statistics,
 * allocate buffers and run a self-test.  A libccshared user, and a short
 * tour of its API.
 *
 * Exit status (also in usage() and docs/userspace.md):
 *   0  success
 *   1  an operation or a self-test check failed
 *   2  bad usage
 *   3  the heap, its module or its statistics are not available
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ccshared.h"

#define EXIT_OK		0
#define EXIT_FAILED	1
#define EXIT_USAGE	2
#define EXIT_NO_HEAP	3

#define MODULE_PARAMS_DIR "/sys/module/ccshared_heap/parameters"
#define STATS_FILE "/sys/kernel/debug/ccshared_heap/stats"

static const char *progname = "ccshared";
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* ---- usage --------------------------------------------------------------- */

static void usage_main(FILE *out)
{
	fprintf(out,
		"Usage: %s [--help] [--version] COMMAND [OPTIONS]\n"
		"\n"
		"Shared (decrypted) DMA memory for confidential-computing guests.\n"
		"\n"
		"Commands:\n"
		"  info       the platform, the kernel, the heaps, the module's parameters and statistics\n"
		"  stat       the heap module's statistics, once or every few seconds\n"
		"  alloc      allocate a buffer, optionally fill it and hold it\n"
		"  selftest   allocate, map, check zeros, sync, write, read back and free\n"
		"\n"
		"Options:\n"
		"  -h, --help       show this help; COMMAND --help shows a command's options\n"
		"  -V, --version    show the version\n"
		"\n"
		"Exit status: 0 success, 1 an operation or check failed, 2 bad usage,\n"
		"3 the heap, its module or its statistics are not available.\n",
		progname);
}

static void usage_info(FILE *out)
{
	fprintf(out,
		"Usage: %s info [--json]\n"
		"\n"
		"Show the platform (none, sev, sev-es, sev-snp, tdx, cca) and how it was\n"
		"detected, the kernel release, the dma-buf heaps present, who serves\n"
		"system_cc_shared, and the ccshared_heap module's parameters and statistics.\n"
		"\n"
		"Options:\n"
		"  -j, --json    print one JSON object\n"
		"  -h, --help    show this help\n",
		progname);
}

static void usage_stat(FILE *out)
{
	fprintf(out,
		"Usage: %s stat [--json] [--watch SECONDS]\n"
		"\n"
		"Show the ccshared_heap module's statistics from %s.\n"
		"\n"
		"Options:\n"
		"  -j, --json             print JSON (one object per line with --watch)\n"
		"  -w, --watch SECONDS    print again every SECONDS until interrupted\n"
		"  -h, --help             show this help\n",
		progname, STATS_FILE);
}

static void usage_alloc(FILE *out)
{
	fprintf(out,
		"Usage: %s alloc SIZE [--hold SECONDS] [--fill BYTE] [--heap NAME] [--dev]\n"
		"\n"
		"Allocate SIZE bytes, map them, and free them again.  SIZE is a whole number\n"
		"of bytes with an optional K, M, G or T (powers of 1024, any case) and an\n"
		"optional B or iB: 4096, 64K, 64KB, 1g, 1GiB.\n"
		"\n"
		"Options:\n"
		"  -H, --hold SECONDS    keep the buffer for SECONDS before freeing it\n"
		"  -f, --fill BYTE       write BYTE (0-255, or 0x00-0xff) to every byte\n"
		"  -n, --heap NAME       allocate from heap NAME (default %s)\n"
		"  -d, --dev             development mode: on a machine that is not a\n"
		"                        confidential guest, fall back to the system heap\n"
		"  -h, --help            show this help\n",
		progname, CCSHARED_HEAP_DEFAULT);
}

static void usage_selftest(FILE *out)
{
	fprintf(out,
		"Usage: %s selftest [--heap NAME] [--dev] [--size SIZE]\n"
		"\n"
		"For 4 KiB, 4 KiB + 1, 3 MiB and SIZE: allocate, map, check that the memory\n"
		"reads zero, write a pattern inside sync brackets, read it back, name the\n"
		"buffer and free it.  Prints one line per check and a summary.\n"
		"\n"
		"Options:\n"
		"  -n, --heap NAME    test heap NAME (default %s)\n"
		"  -d, --dev          development mode (see alloc --help)\n"
		"  -s, --size SIZE    also test a buffer of SIZE (default 64M)\n"
		"  -h, --help         show this help\n",
		progname, CCSHARED_HEAP_DEFAULT);
}

/* ---- helpers ------------------------------------------------------------- */

/*
 * getopt's own messages are off (opterr = 0; optstrings start with ':'):
 * they name argv[0] and the command instead of "ccshared:", as every other
 * error does.  'opt' is what getopt_long() returned, '?' or ':'.
 */
static int bad_option(const char *command, int opt, char **argv, void (*usage)(FILE *))
{
	const char *arg = argv[optind - 1];
	char where[32] = "";

	if (command)
		snprintf(where, sizeof(where), "%s: ", command);
	if (opt == ':' && strncmp(arg, "--", 2) == 0)
		fprintf(stderr, "%s: %soption '%s' needs an argument\n", progname, where, arg);
	else if (opt == ':')
		fprintf(stderr, "%s: %soption '-%c' needs an argument\n", progname, where, optopt);
	else if (strncmp(arg, "--", 2) != 0)
		fprintf(stderr, "%s: %sunknown option '-%c'\n", progname, where, optopt);
	else if (optopt)	/* a known long option given '=VALUE' it takes none of */
		fprintf(stderr, "%s: %soption '%.*s' takes no argument\n", progname, where,
			(int)strcspn(arg, "="), arg);
	else
		fprintf(stderr, "%s: %sunknown option '%s'\n", progname, where, arg);
	usage(stderr);
	return EXIT_USAGE;
}

/* "64 KiB", "3 MiB"; sizes that are not a whole number of a unit stay in
 * bytes ("4097 B"), so a rounded figure never hides an odd size. */
static void format_size(char *out, size_t out_len, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int unit = 0;
	size_t value = size;

	while (value && value % 1024 == 0 && unit < sizeof(units) / sizeof(units[0]) - 1) {
		value /= 1024;
		unit++;
	}
	snprintf(out, out_len, "%zu %s", value, units[unit]);
}

static int parse_seconds(const char *text, const char *option, unsigned int *seconds)
{
	unsigned long value;
	char *end;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (!isdigit((unsigned char)*text) || *end || errno || value > UINT_MAX) {
		fprintf(stderr, "%s: %s takes whole seconds, 0 to %u, not '%s'\n", progname, option,
			UINT_MAX, text);
		return -EINVAL;
	}
	*seconds = (unsigned int)value;
	return 0;
}

/*
 * A size the heap could ever allocate: 1 byte up to SIZE_MAX rounded down
 * to a page (the kernel rounds up to whole pages, and refuses a size that
 * wraps; so does libccshared).  Anything else is bad usage, so that no
 * size is refused by the kernel as an invalid argument instead.
 */
static int parse_size_arg(const char *text, size_t *size)
{
	size_t max = SIZE_MAX - (size_t)sysconf(_SC_PAGESIZE) + 1;
	int ret = ccshared_parse_size(text, size);

	if (!ret && !*size)
		ret = -EINVAL;
	if (!ret && *size > max)
		ret = -ERANGE;
	if (ret == -ERANGE)
		fprintf(stderr, "%s: '%s' is not a size: too large; the largest is %zu bytes\n"
			"hint: that is SIZE_MAX rounded down to a page; the heap can supply at most\n"
			"      the machine's free memory\n",
			progname, text, max);
	else if (ret)
		fprintf(stderr, "%s: '%s' is not a size\n"
			"hint: write a positive whole number of bytes with an optional K, M, G or T\n"
			"      (powers of 1024, any case, then an optional B or iB): 4096, 64K, 1g, 1GiB\n",
			progname, text);
	return ret;
}

/* How the module gets loaded: not only by modprobe, and not everywhere. */
static void print_load_hint(void)
{
	struct ccshared_platform_info platform;

	if (ccshared_detect(NULL, &platform))
		platform.platform = CCSHARED_PLATFORM_NONE;
	fprintf(stderr,
		"hint: load the ccshared_heap module: 'modprobe ccshared_heap' once it is installed\n"
		"      (DKMS, docs/heap.md), or 'insmod ccshared_heap.ko' from a build tree; a kernel\n"
		"      with CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED serves the heap itself\n");
	if (platform.platform == CCSHARED_PLATFORM_NONE)
		fprintf(stderr,
			"hint: this is not a confidential guest, so the module registers the heap only\n"
			"      when loaded with force_non_coco=1 (bring-up and test machines); or use\n"
			"      --dev to fall back to the system heap\n");
}

static void print_heap_hint(int err, const char *name)
{
	if (err == -ENOENT && strcmp(name, CCSHARED_HEAP_DEFAULT) == 0) {
		fprintf(stderr, "hint: the heap is missing: /dev/dma_heap/%s does not exist\n", name);
		print_load_hint();
	} else if (err == -ENOENT) {
		fprintf(stderr, "hint: /dev/dma_heap/%s does not exist; 'ccshared info' lists the heaps\n", name);
	} else if (err == -EACCES || err == -EPERM) {
		fprintf(stderr, "hint: /dev/dma_heap/%s is not accessible to this user; run as root or\n"
			"      grant access with a udev rule\n", name);
	} else if (err == -ENOMEM) {
		fprintf(stderr, "hint: the heap is out of memory; try a smaller size\n");
	}
}

static int open_heap(const char *name, unsigned int flags, struct ccshared_heap **heap)
{
	int ret = ccshared_heap_open(name, flags, heap);

	/* The flags are ours and valid: -EINVAL is about the name alone. */
	if (ret == -EINVAL) {
		fprintf(stderr, "%s: '%s' is not a heap name\n"
			"hint: a heap is named by its entry in /dev/dma_heap, like system or %s,\n"
			"      never a path; 'ccshared info' lists them\n",
			progname, name, CCSHARED_HEAP_DEFAULT);
		return EXIT_USAGE;
	}
	if (ret) {
		fprintf(stderr, "%s: Couldn't open heap %s: %s\n", progname,
			name ? name : CCSHARED_HEAP_DEFAULT, strerror(-ret));
		print_heap_hint(ret, name ? name : CCSHARED_HEAP_DEFAULT);
		if (ret == -ENOENT && (flags & CCSHARED_HEAP_DEVELOPMENT))
			fprintf(stderr, "hint: development mode falls back to the system heap only outside\n"
				"      a confidential guest, and only if /dev/dma_heap/system exists\n");
		return EXIT_NO_HEAP;
	}
	if (ccshared_heap_is_fallback(*heap))
		fprintf(stderr,
			"%s: development mode: %s is missing and this is not a confidential guest;\n"
			"using the '%s' heap, whose memory is ordinary, not shared for DMA\n",
			progname, name ? name : CCSHARED_HEAP_DEFAULT, ccshared_heap_name(*heap));
	return EXIT_OK;
}

/* Length of the valid UTF-8 sequence at 'p' (RFC 3629), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p)
{
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	for (i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return len;
}

/*
 * A JSON string (RFC 8259).  The text comes from the kernel and from file
 * names, which need not be UTF-8: an invalid byte becomes U+FFFD, so the
 * output always parses.
 */
static void json_string(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len;

	putchar('"');
	while (*p) {
		len = utf8_len(p);
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else if (!len)
			fputs("\\ufffd", stdout);
		else
			fwrite(p, 1, len, stdout);
		p += len ? len : 1;
	}
	putchar('"');
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the entries of 'dir'; NULL-terminated, caller frees. */
static char **list_dir(const char *dir)
{
	struct dirent *entry;
	size_t count = 0, cap = 8;
	char **names;
	DIR *d;

	names = calloc(cap + 1, sizeof(*names));
	if (!names)
		return NULL;
	d = opendir(dir);
	if (!d)
		return names;
	while ((entry = readdir(d))) {
		if (entry->d_name[0] == '.')
			continue;
		if (count == cap) {
			char **bigger = realloc(names, (cap * 2 + 1) * sizeof(*names));

			if (!bigger)
				break;
			names = bigger;
			cap *= 2;
		}
		names[count] = strdup(entry->d_name);
		if (names[count])
			count++;
		names[count] = NULL;
	}
	closedir(d);
	qsort(names, count, sizeof(*names), compare_names);
	return names;
}

static void free_names(char **names)
{
	size_t i;

	for (i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

static void read_param(const char *name, char *value, size_t value_len)
{
	char path[PATH_MAX];
	FILE *file;

	value[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", MODULE_PARAMS_DIR, name);
	file = fopen(path, "re");
	if (!file)
		return;
	if (!fgets(value, (int)value_len, file))
		value[0] = '\0';
	value[strcspn(value, "\n")] = '\0';
	fclose(file);
}

#define STATS_FIELDS(X) \
	X(buffers) X(bytes) X(conversions_to_shared) X(conversions_to_private) \
	X(leaked_pages) X(pool_pages) X(alloc_failures)

static void print_stats_json(const struct ccshared_stats *stats, const char *indent, bool one_line)
{
	const char *sep = "";

	printf("{");
#define X(f) printf("%s%s%s\"%s\": %" PRIu64, sep, one_line ? "" : "\n", one_line ? "" : indent, \
		    #f, stats->f); sep = one_line ? ", " : ",";
	STATS_FIELDS(X)
#undef X
	printf("%s%s}", one_line ? "" : "\n", one_line ? "" : indent + 2);
}

static void print_stats_text(const struct ccshared_stats *stats, const char *indent)
{
#define X(f) printf("%s%-24s %" PRIu64 "\n", indent, #f ":", stats->f);
	STATS_FIELDS(X)
#undef X
}

/* ---- info ---------------------------------------------------------------- */

static int cmd_info(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ccshared_platform_info platform;
	struct ccshared_stats stats;
	char **heaps, **params, value[256];
	bool json = false;
	int opt, ret, stats_ret;
	size_t i;

	while ((opt = getopt_long(argc, argv, ":jh", options, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'h': usage_info(stdout); return EXIT_OK;
		default: return bad_option("info", opt, argv, usage_info);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: info takes no arguments, got '%s'\n", progname, argv[optind]);
		usage_info(stderr);
		return EXIT_USAGE;
	}

	ret = ccshared_detect(NULL, &platform);
	if (ret) {
		fprintf(stderr, "%s: Couldn't detect the platform: %s\n", progname, strerror(-ret));
		return EXIT_FAILED;
	}
	heaps = list_dir("/dev/dma_heap");
	params = list_dir(MODULE_PARAMS_DIR);
	stats_ret = ccshared_stats_read(NULL, &stats);

	if (json) {
		printf("{\n  \"platform\": ");
		json_string(ccshared_platform_name(platform.platform));
		printf(",\n  \"confidential_guest\": %s", platform.platform != CCSHARED_PLATFORM_NONE ? "true" : "false");
		printf(",\n  \"evidence\": ");
		json_string(platform.evidence);
		printf(",\n  \"kernel\": ");
		json_string(platform.kernel_release);
		printf(",\n  \"heap\": ");
		json_string(CCSHARED_HEAP_DEFAULT);
		printf(",\n  \"heap_provider\": ");
		json_string(ccshared_heap_provider_name(platform.heap_provider));
		printf(",\n  \"heaps\": [");
		for (i = 0; heaps && heaps[i]; i++) {
			printf("%s", i ? ", " : "");
			json_string(heaps[i]);
		}
		printf("],\n  \"module_loaded\": %s", access("/sys/module/ccshared_heap", F_OK) == 0 ? "true" : "false");
		printf(",\n  \"dma_addrs\": %s", ccshared_dma_addrs_present(NULL) ? "true" : "false");
		printf(",\n  \"parameters\": {");
		for (i = 0; params && params[i]; i++) {
			read_param(params[i], value, sizeof(value));
			printf("%s\n    ", i ? "," : "");
			json_string(params[i]);
			printf(": ");
			json_string(value);
		}
		printf("%s},\n  \"stats\": ", i ? "\n  " : "");
		if (stats_ret)
			printf("null");
		else
			print_stats_json(&stats, "    ", false);
		printf("\n}\n");
	} else {
		printf("platform:       %s (%s)\n", ccshared_platform_name(platform.platform),
		       platform.evidence);
		printf("kernel:         %s\n", platform.kernel_release[0] ? platform.kernel_release : "unknown");
		printf("heaps:         ");
		for (i = 0; heaps && heaps[i]; i++)
			printf(" %s", heaps[i]);
		printf("%s\n", i ? "" : " none (/dev/dma_heap is empty or missing)");
		printf("%s: %s\n", CCSHARED_HEAP_DEFAULT,
		       platform.heap_provider == CCSHARED_HEAP_MODULE ? "served by ccshared_heap" :
		       platform.heap_provider == CCSHARED_HEAP_BUILTIN ? "served by the kernel's built-in heap" :
		       "missing");
		printf("dma addresses:  %s\n", ccshared_dma_addrs_present(NULL) ?
		       "/" CCSHARED_DMA_ADDRS_DEVICE " (privileged; DPDK's IOVA-as-PA mode needs it)" :
		       "unavailable (no /" CCSHARED_DMA_ADDRS_DEVICE ": the kernel's own heap, or an older ccshared_heap)");
		if (params && params[0]) {
			printf("module parameters:\n");
			for (i = 0; params[i]; i++) {
				read_param(params[i], value, sizeof(value));
				printf("  %-22s %s\n", params[i], value);
			}
		}
		if (!stats_ret) {
			printf("statistics:\n");
			print_stats_text(&stats, "  ");
		} else if (platform.heap_provider == CCSHARED_HEAP_MODULE) {
			printf("statistics:     unavailable (%s: %s)\n", STATS_FILE, strerror(-stats_ret));
		}
		if (platform.heap_provider == CCSHARED_HEAP_MISSING)
			print_heap_hint(-ENOENT, CCSHARED_HEAP_DEFAULT);
	}
	free_names(heaps);
	free_names(params);
	return EXIT_OK;
}

/* ---- stat ---------------------------------------------------------------- */

static int cmd_stat(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ccshared_stats stats;
	unsigned int watch = 0;
	bool json = false, watching = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, ":jw:h", options, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'w':
			if (parse_seconds(optarg, "--watch", &watch))
				return EXIT_USAGE;
			if (!watch) {
				fprintf(stderr, "%s: --watch needs at least 1 second\n", progname);
				return EXIT_USAGE;
			}
			watching = true;
			break;
		case 'h': usage_stat(stdout); return EXIT_OK;
		default: return bad_option("stat", opt, argv, usage_stat);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: stat takes no arguments, got '%s'\n", progname, argv[optind]);
		usage_stat(stderr);
		return EXIT_USAGE;
	}

	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	do {
		ret = ccshared_stats_read(NULL, &stats);
		if (ret) {
			fprintf(stderr, "%s: Couldn't read the heap statistics from %s: %s\n",
				progname, STATS_FILE, strerror(-ret));
			if (access("/sys/module/ccshared_heap", F_OK) != 0) {
				fprintf(stderr, "hint: the ccshared_heap module is not loaded; only it keeps these statistics\n");
				print_load_hint();
			} else if (ret == -ENOENT)
				fprintf(stderr, "hint: mount debugfs: mount -t debugfs none /sys/kernel/debug\n");
			else if (ret == -EACCES)
				fprintf(stderr, "hint: debugfs is readable by root only\n");
			return EXIT_NO_HEAP;
		}
		if (json) {
			print_stats_json(&stats, "  ", watching);
			printf("\n");
		} else {
			if (watching) {
				time_t now = time(NULL);
				char stamp[32];

				strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&now));
				printf("%s\n", stamp);
			}
			print_stats_text(&stats, "");
		}
		fflush(stdout);
		if (watching && !interrupted)
			sleep(watch);
	} while (watching && !interrupted);
	return EXIT_OK;
}

/* ---- alloc --------------------------------------------------------------- */

static int cmd_alloc(int argc, char **argv)
{
	static const struct option options[] = {
		{ "hold", required_argument, NULL, 'H' },
		{ "fill", required_argument, NULL, 'f' },
		{ "heap", required_argument, NULL, 'n' },
		{ "dev", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *heap_name = NULL;
	struct ccshared_heap *heap;
	struct ccshared_buf *buf;
	unsigned int hold = 0, flags = 0;
	int opt, ret, fill = -1;
	unsigned long value;
	char pretty[32], *end;
	struct timespec start, done;
	size_t size;
	void *addr;

	while ((opt = getopt_long(argc, argv, ":H:f:n:dh", options, NULL)) != -1) {
		switch (opt) {
		case 'H':
			if (parse_seconds(optarg, "--hold", &hold))
				return EXIT_USAGE;
			break;
		case 'f':
			/* Decimal, or hex after 0x: never octal, so 010 is ten. */
			errno = 0;
			value = strtoul(optarg, &end, strncasecmp(optarg, "0x", 2) ? 10 : 16);
			fill = !errno && isdigit((unsigned char)*optarg) && !*end && value <= 255 ?
			       (int)value : -1;
			if (fill < 0) {
				fprintf(stderr, "%s: --fill takes a byte, 0-255 or 0x00-0xff, not '%s'\n",
					progname, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n': heap_name = optarg; break;
		case 'd': flags |= CCSHARED_HEAP_DEVELOPMENT; break;
		case 'h': usage_alloc(stdout); return EXIT_OK;
		default: return bad_option("alloc", opt, argv, usage_alloc);
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s: alloc takes exactly one SIZE\n", progname);
		usage_alloc(stderr);
		return EXIT_USAGE;
	}
	if (parse_size_arg(argv[optind], &size))
		return EXIT_USAGE;

	ret = open_heap(heap_name, flags, &heap);
	if (ret)
		return ret;
	clock_gettime(CLOCK_MONOTONIC, &start);
	ret = ccshared_buf_alloc(heap, size, CCSHARED_BUF_MAP_EAGER, &buf);
	clock_gettime(CLOCK_MONOTONIC, &done);
	if (ret) {
		fprintf(stderr, "%s: Couldn't allocate %s from %s: %s\n", progname, argv[optind],
			ccshared_heap_name(heap), strerror(-ret));
		print_heap_hint(ret, ccshared_heap_name(heap));
		ccshared_heap_close(heap);
		return EXIT_FAILED;
	}
	ccshared_buf_set_name(buf, "ccshared-cli");	/* cosmetic: fdinfo */
	ccshared_buf_map(buf, &addr);
	if (fill >= 0) {
		ret = ccshared_buf_sync_begin(buf, CCSHARED_SYNC_WRITE);
		if (!ret) {
			memset(addr, fill, ccshared_buf_size(buf));
			ret = ccshared_buf_sync_end(buf, CCSHARED_SYNC_WRITE);
		}
		if (ret) {
			fprintf(stderr, "%s: Couldn't sync the buffer for writing: %s\n", progname,
				strerror(-ret));
			ccshared_buf_free(buf);
			ccshared_heap_close(heap);
			return EXIT_FAILED;
		}
	}
	format_size(pretty, sizeof(pretty), ccshared_buf_size(buf));
	printf("allocated %s from %s in %.3f ms: fd %d, mapped at %p%s\n", pretty,
	       ccshared_heap_name(heap),
	       (double)(done.tv_sec - start.tv_sec) * 1e3 + (double)(done.tv_nsec - start.tv_nsec) / 1e6,
	       ccshared_buf_fd(buf), addr, fill >= 0 ? ", filled" : "");
	fflush(stdout);
	if (hold) {
		signal(SIGINT, on_interrupt);
		signal(SIGTERM, on_interrupt);
		printf("holding it for %u s (pid %d)\n", hold, (int)getpid());
		fflush(stdout);
		for (unsigned int left = hold; left && !interrupted; left--)
			sleep(1);
	}
	ccshared_buf_free(buf);
	ccshared_heap_close(heap);
	return EXIT_OK;
}

/* ---- selftest ------------------------------------------------------------ */

struct selftest {
	unsigned int checks;
	unsigned int failures;
};

static bool check(struct selftest *st, bool ok, const char *what, size_t size, int err)
{
	char pretty[32];

	format_size(pretty, sizeof(pretty), size);
	st->checks++;
	if (!ok)
		st->failures++;
	printf("%s %-10s %s%s%s\n", ok ? "ok  " : "FAIL", pretty, what,
	       !ok && err ? ": " : "", !ok && err ? strerror(-err) : "");
	return ok;
}

static void selftest_size(struct selftest *st, struct ccshared_heap *heap, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	struct ccshared_buf *buf;
	unsigned char *bytes;
	size_t i, bad;
	void *addr;
	int ret;

	ret = ccshared_buf_alloc(heap, size, 0, &buf);
	if (!check(st, !ret, "allocate", size, ret))
		return;
	check(st, ccshared_buf_size(buf) >= size && ccshared_buf_size(buf) % (size_t)page == 0,
	      "size rounded up to whole pages", size, 0);
	ret = ccshared_buf_map(buf, &addr);
	if (!check(st, !ret, "map", size, ret))
		goto out;
	bytes = addr;

	ret = ccshared_buf_sync_begin(buf, CCSHARED_SYNC_READ);
	for (bad = 0, i = 0; !ret && i < ccshared_buf_size(buf); i++)
		bad += bytes[i] != 0;
	if (!ret)
		ret = ccshared_buf_sync_end(buf, CCSHARED_SYNC_READ);
	check(st, !ret && !bad, "reads zero", size, ret);

	ret = ccshared_buf_sync_begin(buf, CCSHARED_SYNC_WRITE);
	for (i = 0; !ret && i < ccshared_buf_size(buf); i++)
		bytes[i] = (unsigned char)(i * 7 + 1);
	if (!ret)
		ret = ccshared_buf_sync_end(buf, CCSHARED_SYNC_WRITE);
	check(st, !ret, "write inside sync", size, ret);

	ret = ccshared_buf_sync_begin(buf, CCSHARED_SYNC_READ);
	for (bad = 0, i = 0; !ret && i < ccshared_buf_size(buf); i++)
		bad += bytes[i] != (unsigned char)(i * 7 + 1);
	if (!ret)
		ret = ccshared_buf_sync_end(buf, CCSHARED_SYNC_READ);
	check(st, !ret && !bad, "reads back", size, ret);

	ret = ccshared_buf_set_name(buf, "ccshared-selftest");
	check(st, !ret, "set name", size, ret);
out:
	ccshared_buf_free(buf);
}

static int cmd_selftest(int argc, char **argv)
{
	static const struct option options[] = {
		{ "heap", required_argument, NULL, 'n' },
		{ "dev", no_argument, NULL, 'd' },
		{ "size", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	size_t sizes[] = { 4096, 4096 + 1, 3 << 20, 64 << 20 };
	struct selftest st = { 0 };
	const char *heap_name = NULL;
	struct ccshared_heap *heap;
	unsigned int flags = 0;
	int opt, ret;
	size_t i;

	while ((opt = getopt_long(argc, argv, ":n:ds:h", options, NULL)) != -1) {
		switch (opt) {
		case 'n': heap_name = optarg; break;
		case 'd': flags |= CCSHARED_HEAP_DEVELOPMENT; break;
		case 's':
			if (parse_size_arg(optarg, &sizes[3]))
				return EXIT_USAGE;
			break;
		case 'h': usage_selftest(stdout); return EXIT_OK;
		default: return bad_option("selftest", opt, argv, usage_selftest);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: selftest takes no arguments, got '%s'\n", progname, argv[optind]);
		usage_selftest(stderr);
		return EXIT_USAGE;
	}
	ret = open_heap(heap_name, flags, &heap);
	if (ret)
		return ret;
	printf("selftest of heap %s\n", ccshared_heap_name(heap));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		selftest_size(&st, heap, sizes[i]);
	printf("selftest %s: %u of %u checks passed on %s\n", st.failures ? "FAILED" : "passed",
	       st.checks - st.failures, st.checks, ccshared_heap_name(heap));
	ccshared_heap_close(heap);
	return st.failures ? EXIT_FAILED : EXIT_OK;
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "info", cmd_info },
		{ "stat", cmd_stat },
		{ "alloc", cmd_alloc },
		{ "selftest", cmd_selftest },
	};
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int opt;
	size_t i;

	/* '+': stop at the command; its options are its own. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'h': usage_main(stdout); return EXIT_OK;
		case 'V': printf("ccshared %s\n", CCSHARED_CLI_VERSION); return EXIT_OK;
		default: return bad_option(NULL, opt, argv, usage_main);
		}
	}
	if (optind == argc) {
		fprintf(stderr, "%s: no command given\n", progname);
		usage_main(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			argc -= optind;
			argv += optind;
			optind = 0;	/* glibc: restart scanning for the command */
			return commands[i].run(argc, argv);
		}
	}
	fprintf(stderr, "%s: unknown command '%s'\n", progname, argv[optind]);
	usage_main(stderr);
	return EXIT_USAGE;
}
