#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The suite turns red when a guest test fails.  Plant a part of guest tests
# that fail in every way the harness knows (a failing line, a crash without
# TAP, silence, a hang, a broken plan) next to ones that pass, run it through
# the same runner and counter as `make check`, and check the verdict.
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plant=$tmp/tests/guest/plant
mkdir -p "$plant"
printf '#!/bin/sh\necho 1..1\necho ok 1 - passes\n' >"$plant/1-pass.t"
printf '#!/bin/sh\necho 1..1\necho not ok 1 - fails\nexit 1\n' >"$plant/2-fail.t"
printf '#!/bin/sh\necho about to crash\nexit 2\n' >"$plant/3-crash.t"
printf '#!/bin/sh\nexit 0\n' >"$plant/4-silent.t"
printf '#!/bin/sh\necho 1..1\nsleep 1000\n' >"$plant/5-hang.t"
printf '#!/bin/sh\necho 1..3\necho ok 1 - one of three\n' >"$plant/6-short.t"
chmod +x "$plant"/*.t

plan 5
printf '%s\t%s\n' \
	plant/host "echo 'ok 1 - a passing host test'" \
	plant/guest "$top/tests/vm/run --kernel ${CCSHARED_KERNEL:-7.3} --no-build --share $tmp -- env CCSHARED_SRC=$tmp CCSHARED_BUILD=$tmp/none TEST_TIMEOUT=5 $top/tests/guest/run-part plant; s=\$?; echo \$s >$tmp/guest-status; exit \$s" |
	"$top/tests/lib/run-producers" "$tmp/logs" >"$tmp/out" 2>&1
is "the suite exits 1" "$?" 1
is "the verdict counts every planted failure" "$(tail -n 1 "$tmp/out")" "3 passed, 5 failed, 0 skipped"
check "the failing test's log is printed" grep -q '^not ok .* plant/2-fail: fails' "$tmp/out"
check "the hang is named as a timeout" grep -q 'plant/5-hang: timed out' "$tmp/out"
is "the guest part's own exit status says it failed" "$(cat "$tmp/guest-status" 2>/dev/null)" 1
[ $_tap_failed = 0 ] || sed 's/^/# /' "$tmp/out"
done_testing
