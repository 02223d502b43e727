#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make deb` as part of every run: the six Debian packages build in the
# trixie root (dpkg-buildpackage with Debian's hardened flags and -O2,
# which warn where the project's own build does not) and lintian finds no
# error in them.  tests/vm/build-debs skips the build when the source has
# not changed.  The packaging guest part (`make check-packaging`) installs
# what this builds.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/deb
. "$top/tests/lib/tap.sh"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$top/tests/vm/build-debs" >"$log" 2>&1
status=$?
is "make deb succeeds" "$status" 0 || sed 's/^/# /' "$log"
if [ -e "$out/lintian.log" ]; then
	grep -E '^[EWIP]: ' "$out/lintian.log" | sed 's/^/# lintian: /'
	is "lintian reports no errors ($(grep -c '^W: ' "$out/lintian.log") warnings)" \
		"$(grep -c '^E: ' "$out/lintian.log")" 0
else
	_tap_result 1 "lintian ran"
fi
for pkg in libccshared0 libccshared-verbs0 libccshared-dpdk0 libccshared-dev ccshared-tools ccshared-dkms; do
	check "$pkg is built" compgen -G "$out/${pkg}_*.deb"
done

# What ccshared-dkms ships must be all Kbuild needs: build it as DKMS's
# make command does (make -C <headers> M=<source>), against the headers of
# both kernels in the root, from a copy of the package's tree.
. "$top/tests/vm/lib.sh"
. "$VERSIONS_ENV"
deb=$(compgen -G "$out/ccshared-dkms_*.deb" | head -n 1)
tree=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$tree"' EXIT
if [ -n "$deb" ] && dpkg-deb -x "$deb" "$tree"; then
	src=$(compgen -G "$tree/usr/src/ccshared-*" | head -n 1)
	for release in "$KERNEL_7_3" "$KERNEL_6_12"; do
		rm -rf "$tree/build" && cp -a "$src" "$tree/build"
		"$VM_DIR/in-root" "$ROOT" --bind "$tree" make -C "/usr/src/linux-headers-$release" \
			M="$tree/build" modules >"$log" 2>&1
		status=$?
		is "ccshared-dkms's source builds for $release as DKMS builds it" "$status" 0 ||
			grep -E 'rror|No such file' "$log" | head -n 20 | sed 's/^/# /'
		check "... into ccshared_heap.ko" test -f "$tree/build/ccshared_heap.ko"
	done
else
	_tap_result 1 "ccshared-dkms unpacks (dpkg-deb -x)"
fi
echo "1..$_tap_n"
done_testing
