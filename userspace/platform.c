// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Platform detection: which kind of confidential guest this is, and who
 * serves the system_cc_shared heap.  Everything comes from files the kernel
 * exposes, read under a configurable root so tests can use fixture trees.
 * The kernel log is not an interface and is never read.
 *
 * Sources, strongest first:
 *  - Arm CCA: arch/arm64/kernel/rsi.c registers the platform device
 *    RSI_PDEV_NAME, "arm-cca-dev" (6.13+, still so in 7.3), only when the
 *    kernel runs in a realm, so /sys/bus/platform/devices/arm-cca-dev marks
 *    a realm.
 *  - Intel TDX: X86_FEATURE_TDX_GUEST, shown as the /proc/cpuinfo flag
 *    "tdx_guest" (5.19+), set only when the TDX module answered at boot.
 *  - AMD SEV family.  No kernel up to 7.3 exports the SEV_STATUS MSR to
 *    userspace (only the boot log prints it), so:
 *    - /sys/devices/system/cpu/sev/ exists only in SEV-SNP guests
 *      (6.10+, arch/x86/coco/sev/core.c sev_sysfs_init(), documented in
 *      Documentation/ABI/testing/sysfs-devices-system-cpu).
 *    - Otherwise the cpuinfo flags "sev", "sev_es", "sev_snp" together with
 *      "hypervisor".  The kernel drops these flags at boot unless memory
 *      encryption is enabled (early_detect_mem_encrypt()), and "hypervisor"
 *      tells a guest from an SEV-capable host, whose cpuinfo has the same
 *      flags.  This is the weakest source and the evidence string says so.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccshared.h"
#include "internal.h"

/* Only the first CPU's block is read; its "flags" line is a few KiB. */
#define CPUINFO_MAX		(64 * 1024)

int ccs_path(char *out, size_t out_len, const char *root, const char *relative)
{
	int len;

	if (!root || !*root)
		root = "/";
	while (*relative == '/')
		relative++;
	len = snprintf(out, out_len, "%s%s%s", root,
		       root[strlen(root) - 1] == '/' ? "" : "/", relative);
	if (len < 0 || (size_t)len >= out_len)
		return -ENAMETOOLONG;
	return 0;
}

bool ccs_exists(const char *root, const char *relative)
{
	char path[PATH_MAX];
	struct stat st;

	return ccs_path(path, sizeof(path), root, relative) == 0 &&
	       stat(path, &st) == 0;
}

long ccs_read_file(const char *root, const char *relative, char *out, size_t out_len)
{
	char path[PATH_MAX];
	size_t len;
	FILE *file;
	int ret;

	ret = ccs_path(path, sizeof(path), root, relative);
	if (ret)
		return ret;
	file = fopen(path, "re");
	if (!file)
		return -errno;
	len = fread(out, 1, out_len - 1, file);
	ret = ferror(file) ? -EIO : 0;
	fclose(file);
	if (ret)
		return ret;
	out[len] = '\0';
	return (long)len;
}

/* Does the first "flags" line of cpuinfo list 'flag'? */
static bool cpuinfo_has_flag(const char *cpuinfo, const char *flag)
{
	size_t flag_len = strlen(flag);
	const char *line, *end, *p;

	for (line = cpuinfo; *line; line = end + (*end == '\n')) {
		end = strchrnul(line, '\n');
		if (strncmp(line, "flags", 5) != 0)
			continue;
		p = memchr(line, ':', (size_t)(end - line));
		if (!p)
			continue;
		for (p++; p < end; ) {
			const char *word_end;

			while (p < end && *p == ' ')
				p++;
			word_end = p;
			while (word_end < end && *word_end != ' ')
				word_end++;
			if ((size_t)(word_end - p) == flag_len &&
			    memcmp(p, flag, flag_len) == 0)
				return true;
			p = word_end;
		}
		return false;
	}
	return false;
}

static void set_platform(struct ccshared_platform_info *info,
			 enum ccshared_platform platform, const char *evidence)
{
	info->platform = platform;
	snprintf(info->evidence, sizeof(info->evidence), "%s", evidence);
}

static void detect_platform(const char *root, struct ccshared_platform_info *info)
{
	char *cpuinfo;

	set_platform(info, CCSHARED_PLATFORM_NONE, "no confidential-guest marker found");
	if (ccs_exists(root, "sys/bus/platform/devices/arm-cca-dev")) {
		set_platform(info, CCSHARED_PLATFORM_CCA,
			     "/sys/bus/platform/devices/arm-cca-dev");
		return;
	}

	cpuinfo = malloc(CPUINFO_MAX);
	if (cpuinfo && ccs_read_file(root, "proc/cpuinfo", cpuinfo, CPUINFO_MAX) > 0) {
		bool guest = cpuinfo_has_flag(cpuinfo, "hypervisor");

		if (cpuinfo_has_flag(cpuinfo, "tdx_guest"))
			set_platform(info, CCSHARED_PLATFORM_TDX,
				     "/proc/cpuinfo flag tdx_guest");
		else if (ccs_exists(root, "sys/devices/system/cpu/sev"))
			set_platform(info, CCSHARED_PLATFORM_SEV_SNP,
				     "/sys/devices/system/cpu/sev (SEV-SNP guests only)");
		else if (guest && cpuinfo_has_flag(cpuinfo, "sev_snp"))
			set_platform(info, CCSHARED_PLATFORM_SEV_SNP,
				     "/proc/cpuinfo flags hypervisor and sev_snp");
		else if (guest && cpuinfo_has_flag(cpuinfo, "sev_es"))
			set_platform(info, CCSHARED_PLATFORM_SEV_ES,
				     "/proc/cpuinfo flags hypervisor and sev_es");
		else if (guest && cpuinfo_has_flag(cpuinfo, "sev"))
			set_platform(info, CCSHARED_PLATFORM_SEV,
				     "/proc/cpuinfo flags hypervisor and sev");
	} else if (ccs_exists(root, "sys/devices/system/cpu/sev")) {
		set_platform(info, CCSHARED_PLATFORM_SEV_SNP,
			     "/sys/devices/system/cpu/sev (SEV-SNP guests only)");
	}
	free(cpuinfo);
}

int ccshared_detect(const char *root, struct ccshared_platform_info *info)
{
	struct ccshared_platform_info found;
	long len;

	if (!info)
		return -EINVAL;
	memset(&found, 0, sizeof(found));
	detect_platform(root, &found);

	if (!ccs_exists(root, "dev/dma_heap/" CCSHARED_HEAP_DEFAULT))
		found.heap_provider = CCSHARED_HEAP_MISSING;
	else if (ccs_exists(root, "sys/module/ccshared_heap"))
		found.heap_provider = CCSHARED_HEAP_MODULE;
	else
		found.heap_provider = CCSHARED_HEAP_BUILTIN;
	found.system_heap_present = ccs_exists(root, "dev/dma_heap/" CCSHARED_HEAP_SYSTEM);

	len = ccs_read_file(root, "proc/sys/kernel/osrelease", found.kernel_release,
			    sizeof(found.kernel_release));
	if (len > 0)
		found.kernel_release[strcspn(found.kernel_release, "\n")] = '\0';
	else
		found.kernel_release[0] = '\0';

	*info = found;
	return 0;
}

const char *ccshared_platform_name(enum ccshared_platform platform)
{
	switch (platform) {
	case CCSHARED_PLATFORM_NONE: return "none";
	case CCSHARED_PLATFORM_SEV: return "sev";
	case CCSHARED_PLATFORM_SEV_ES: return "sev-es";
	case CCSHARED_PLATFORM_SEV_SNP: return "sev-snp";
	case CCSHARED_PLATFORM_TDX: return "tdx";
	case CCSHARED_PLATFORM_CCA: return "cca";
	}
	return "unknown";
}

const char *ccshared_heap_provider_name(enum ccshared_heap_provider provider)
{
	switch (provider) {
	case CCSHARED_HEAP_MISSING: return "missing";
	case CCSHARED_HEAP_MODULE: return "ccshared_heap";
	case CCSHARED_HEAP_BUILTIN: return "builtin";
	}
	return "unknown";
}
