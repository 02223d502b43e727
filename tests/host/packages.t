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
echo "1..$_tap_n"
done_testing
