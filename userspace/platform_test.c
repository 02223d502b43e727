// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Platform and heap detection from fixture trees in testdata/. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ccshared.h"
#include "tap.h"		/* tests/lib/tap.h */

static const char *testdata;

static void expect(const char *tree, enum ccshared_platform platform,
		   enum ccshared_heap_provider provider, bool system_heap,
		   const char *release)
{
	struct ccshared_platform_info info;
	char root[PATH_MAX];
	int ret;

	snprintf(root, sizeof(root), "%s/%s", testdata, tree);
	ret = ccshared_detect(root, &info);
	is_int(ret, 0, "%s: detect succeeds", tree);
	ok(info.platform == platform, "%s: platform is %s (got %s, evidence: %s)", tree,
	   ccshared_platform_name(platform), ccshared_platform_name(info.platform), info.evidence);
	ok(info.heap_provider == provider, "%s: system_cc_shared is %s (got %s)", tree,
	   ccshared_heap_provider_name(provider), ccshared_heap_provider_name(info.heap_provider));
	ok(info.system_heap_present == system_heap, "%s: system heap %s", tree,
	   system_heap ? "present" : "absent");
	ok(strcmp(info.kernel_release, release) == 0, "%s: kernel release '%s' (got '%s')", tree,
	   release, info.kernel_release);
}

int main(int argc, char **argv)
{
	struct ccshared_platform_info info;

	testdata = argc > 1 ? argv[1] : "testdata";
	expect("none", CCSHARED_PLATFORM_NONE, CCSHARED_HEAP_MISSING, true, "7.3.4+deb13-amd64");
	expect("sev-host", CCSHARED_PLATFORM_NONE, CCSHARED_HEAP_MISSING, false, "6.12.117+deb13-amd64");
	expect("sev", CCSHARED_PLATFORM_SEV, CCSHARED_HEAP_MISSING, false, "6.12.117+deb13-amd64");
	expect("sev-es", CCSHARED_PLATFORM_SEV_ES, CCSHARED_HEAP_MISSING, false, "6.12.117+deb13-amd64");
	expect("sev-snp", CCSHARED_PLATFORM_SEV_SNP, CCSHARED_HEAP_MODULE, true, "7.3.4+deb13-amd64");
	/* An SNP guest before 6.10: no /sys/devices/system/cpu/sev, flags only. */
	expect("sev-snp-flags", CCSHARED_PLATFORM_SEV_SNP, CCSHARED_HEAP_MISSING, false, "");
	expect("tdx", CCSHARED_PLATFORM_TDX, CCSHARED_HEAP_BUILTIN, false, "7.3.4+deb13-amd64");
	expect("cca", CCSHARED_PLATFORM_CCA, CCSHARED_HEAP_MISSING, false, "6.13.0-arm64");
	expect("empty", CCSHARED_PLATFORM_NONE, CCSHARED_HEAP_MISSING, false, "");

	is_int(ccshared_detect(testdata, NULL), -EINVAL, "detect refuses a NULL result");
	is_int(ccshared_detect("/nonexistent-ccshared-root", &info), 0,
	       "a root without any files detects, not fails");
	ok(info.platform == CCSHARED_PLATFORM_NONE && info.heap_provider == CCSHARED_HEAP_MISSING,
	   "... as no platform and no heap");
	ok(strcmp(ccshared_platform_name(CCSHARED_PLATFORM_SEV_SNP), "sev-snp") == 0,
	   "platform names");
	ok(strcmp(ccshared_platform_name((enum ccshared_platform)99), "unknown") == 0,
	   "an unknown platform value names itself unknown");
	ok(strcmp(ccshared_heap_provider_name(CCSHARED_HEAP_MODULE), "ccshared_heap") == 0,
	   "provider names");
	is_int(ccshared_detect(NULL, &info), 0, "detecting the running system works");
	tap_diag("this machine: %s (%s), system_cc_shared %s",
		 ccshared_platform_name(info.platform), info.evidence,
		 ccshared_heap_provider_name(info.heap_provider));
	ok(info.kernel_release[0] != '\0', "the running kernel's release is read");
	return tap_done();
}
