#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The userspace unit tests built against Debian sid's rdma-core (65) in
# build/guest-sid, under ASan/UBSan, as build/host-asan builds them against
# trixie's 56 (tests/vm/build builds both).  Each unit test's results
# count, through tests/lib/meson-tap.
set -uo pipefail
. "$(dirname "$0")/../vm/lib.sh"
. "$VERSIONS_ENV"
cd "$TOP"
if [ ! -e build/guest-sid/build.ninja ]; then
	echo "Bail out! build/guest-sid is not built (tests/vm/build builds it)"
	exit 1
fi
chroot_run "$ROOT" sh -c 'rm -f build/guest-sid/meson-logs/testlog.json;
	meson test -C build/guest-sid --suite userspace --no-rebuild >/dev/null 2>&1;
	tests/lib/meson-tap build/guest-sid'
