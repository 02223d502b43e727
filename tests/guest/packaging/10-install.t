#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 900
# Install the six packages with dpkg, as a user would install downloaded
# .debs: DKMS builds ccshared_heap for the running kernel, the ccshared
# group is created, and the library, headers and CLI are where
# pkg-config and the dynamic linker find them.
. "$(dirname "$0")/lib.sh"
release=$(uname -r)

mapfile -t debs < <(deb_files)
check "the six packages are built (${PACKAGES[*]})" test ${#debs[@]} = ${#PACKAGES[@]} ||
	{ echo "1..$_tap_n"; done_testing; }
version=$(dkms_version)

# DKMS needs this kernel's headers at the build link (stage2 puts it in
# the modules overlay, as linux-headers-* does on an installed system).
check "the kernel's headers are at /usr/lib/modules/$release/build" \
	test -e "/usr/lib/modules/$release/build/Makefile"
check "nothing of ccshared is installed yet" sh -c \
	"! dpkg-query -W -f='\${Status}\n' ${PACKAGES[*]} 2>/dev/null | grep -q ' installed$'"

check "dpkg -i installs all six (DKMS builds the module)" dpkg -i "${debs[@]}" ||
	tail -n 30 /var/lib/dkms/"$DKMS_MODULE"/"$version"/build/make.log 2>&1 | sed 's/^/# make.log: /'
for pkg in "${PACKAGES[@]}"; do
	is "$pkg is installed" "$(dpkg-query -W -f='${Status}' "$pkg" 2>&1)" "install ok installed"
done

# dkms's own verdict, for this kernel.
is "dkms status: $DKMS_MODULE/$version installed for $release" \
	"$(dkms status -m "$DKMS_MODULE" -v "$version" -k "$release" 2>&1)" \
	"$DKMS_MODULE/$version, $release, $(uname -m): installed"
check "modprobe finds ccshared_heap in DKMS's updates/dkms" module_from_dkms
is "the module's vermagic names the running kernel" \
	"$(modinfo -F vermagic ccshared_heap 2>&1 | cut -d' ' -f1)" "$release"
check "the module is not loaded at install (loading is opt-in)" test ! -d /sys/module/ccshared_heap
check "nothing loads it at boot unless told to" sh -c \
	"! grep -rsqw ccshared_heap /etc/modules-load.d /usr/lib/modules-load.d /etc/modules"

gid=$(getent group "$GROUP" | cut -d: -f3)
check "the $GROUP group exists and is a system group (gid $gid)" \
	test -n "$gid" -a "${gid:-1000}" -lt 1000
check "the udev rule is installed" test -f /usr/lib/udev/rules.d/60-ccshared.rules

# The CLI runs on the packaged library, not on the build tree's.
lib=$(ldd /usr/bin/ccshared | awk '$1 == "libccshared.so.0" { print $3 }')
is "ccshared uses the packaged libccshared.so.0" "$(readlink -f "$lib")" \
	"/usr/lib/$(gcc -print-multiarch)/libccshared.so.$version"
is "ccshared --version" "$(/usr/bin/ccshared --version 2>&1)" "ccshared $version"

# libccshared-dev: a program builds against the installed headers with
# pkg-config and runs against the installed library.
tmp=$(mktemp -d)
cat >"$tmp/hello.c" <<'C'
#include <stdio.h>
#include <ccshared.h>

int main(void)
{
	struct ccshared_platform_info info;

	if (ccshared_detect(NULL, &info))
		return 1;
	printf("%s\n", ccshared_platform_name(info.platform));
	return 0;
}
C
is "pkg-config knows ccshared, ccshared-verbs and ccshared-dpdk" \
	"$(pkg-config --modversion ccshared ccshared-verbs ccshared-dpdk 2>&1 | tr '\n' ' ')" \
	"$version $version $version "
check "a program builds with pkg-config --cflags --libs ccshared" sh -c \
	"cc -Wall -Werror -o '$tmp/hello' '$tmp/hello.c' \$(pkg-config --cflags --libs ccshared)"
is "... and runs on the installed library" "$("$tmp/hello" 2>&1)" "none"
# The other two headers and libraries, with what their .pc files require.
cat >"$tmp/all.c" <<'C'
#include <stdio.h>
#include <ccshared.h>
#include <ccshared-verbs.h>
#include <ccshared-dpdk.h>

/* Linked, not called: it needs an EAL. */
static unsigned int (*volatile verify)(const struct ccshared_dpdk_pool *) =
	ccshared_dpdk_pool_verify;

int main(void)
{
	printf("%s|%d\n", ccshared_verbs_strerror(0), verify != NULL);
	return 0;
}
C
check "a program builds with ccshared-verbs.h and ccshared-dpdk.h (pkg-config ccshared-verbs ccshared-dpdk)" sh -c \
	"cc -Wall -Werror -o '$tmp/all' '$tmp/all.c' \$(pkg-config --cflags --libs ccshared-verbs ccshared-dpdk)"
out=$("$tmp/all" 2>&1)
check "... and runs on the installed libraries ($out)" test "${out##*|}" = 1
for lib in libccshared-verbs.so.0 libccshared-dpdk.so.0; do
	is "... $lib comes from the package" \
		"$(ldd "$tmp/all" | awk -v l=$lib '$1 == l { print $3 }' | xargs -r readlink -f)" \
		"/usr/lib/$(gcc -print-multiarch)/${lib%.0}.$version"
done
rm -rf "$tmp"

echo "1..$_tap_n"
done_testing
