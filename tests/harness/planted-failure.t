#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The suite turns red whenever it does less than its manifest says, or
# anything fails.  Run tests/check itself, the same code as `make check`,
# on a planted tree (its own tests/guest, tests/host and tests/manifest)
# with a planted build failure, and check that every planted fault is
# named as a failure:
#   - guest tests that fail in every way the harness knows: a failing
#     line, a crash without TAP, silence, a hang, a broken plan, a
#     "Bail out!" after passing results;
#   - a skip for a reason outside the fixed list ("not built");
#   - a test below its minimum pass count; a test the manifest does not
#     list; a test that passes where the manifest says it skips by design;
#     a script that lost its run bit; a built test whose target is gone
#     (stale); a vm-options that turns the kernel-problem scan off;
#   - a part whose tests are not built (its subdir dropped from meson), and
#     a part the manifest lists that is gone;
#   - a host test that stops early with status 0 (its plan says more);
#   - a failed build: tests/vm/build with a planted failure of its first
#     ninja, whose later steps must still run;
#   - unit tests (tests/lib/meson-tap, on a planted meson log): one that
#     exits 0 before its plan, one meson skipped, and none at all.
# A skip by design is counted as a skip, and the suite's exit status is 1.
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
kernel=${CCSHARED_KERNEL:-7.3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

plant=$tmp/tests/guest/plant
built=$tmp/build/tests/guest/plant
mkdir -p "$plant" "$built" "$tmp/tests/guest/gone" "$tmp/tests/host" \
	"$tmp/tests/manifest/guest" "$tmp/build/meson-info"
script() { printf '#!/bin/sh\n%s\n' "$2" >"$1"; chmod +x "$1"; }
script "$plant/1-pass.t" 'echo 1..1; echo ok 1 - passes'
script "$plant/2-fail.t" 'echo 1..1; echo not ok 1 - fails; exit 1'
script "$plant/3-crash.t" 'echo about to crash; exit 2'
script "$plant/4-silent.t" 'exit 0'
script "$plant/5-hang.t" 'echo 1..1; sleep 1000'
script "$plant/6-short.t" 'echo 1..3; echo ok 1 - one of three'
script "$plant/7-bad-skip.t" 'echo "1..0 # SKIP ccshared_fwd is not built"'
script "$plant/8-design-skip.t" 'echo "1..0 # SKIP by design: planted, and allowed"'
script "$plant/9-norun.t" 'echo 1..1; echo ok 1 - runs only by hand'
chmod -x "$plant/9-norun.t"
script "$plant/10-below.t" 'echo 1..1; echo ok 1 - one of the two the manifest wants'
script "$plant/12-extra.t" 'echo 1..1; echo ok 1 - not in the manifest'
script "$plant/13-bail.t" 'echo 1..1; echo ok 1 - passes; echo "Bail out! planted"'
script "$plant/14-should-skip.t" 'echo 1..1; echo ok 1 - passes where it should skip'
echo '--allow-kernel-warnings' >"$plant/vm-options-planted"
# A test built before its source and meson entry went: no target makes it.
script "$built/11-stale.t" 'echo 1..1; echo ok 1 - stale, but passes'
echo '[]' >"$tmp/build/meson-info/intro-targets.json"
# A part whose subdir() was dropped from meson.build: sources, nothing built.
echo 'int main(void) { return 0; }' >"$tmp/tests/guest/gone/gone.c"
script "$tmp/tests/host/early.t" 'echo 1..3; echo ok 1 - the first of three; exit 0'

cat >"$tmp/tests/manifest/host" <<'EOF'
test    host
build      1
early      1
EOF
cat >"$tmp/tests/manifest/guest/plant" <<EOF
test            $kernel
1-pass          1
2-fail          1
3-crash         1
4-silent        1
5-hang          1
6-short         1
7-bad-skip      1
8-design-skip   -   # by design: planted, and allowed
9-norun         1
10-below        2
11-stale        1
13-bail         1
14-should-skip  -   # by design: planted, but it passes
EOF
printf 'test %s\n10-gone 1\n' "$kernel" >"$tmp/tests/manifest/guest/gone"
printf 'test %s\n10-vanished 1\n' "$kernel" >"$tmp/tests/manifest/guest/vanished"

plan 24
TEST_TIMEOUT=5 "$top/tests/check" --kernel "$kernel" --src "$tmp" --guest-build "$tmp/build" \
	--logs "$tmp/logs" \
	--build-cmd "CCSHARED_PLANT_BUILD_FAILURE=guest-ninja $top/tests/vm/build --host-tests" \
	>"$tmp/out" 2>&1
is "the suite exits 1" "$?" 1
logs=$tmp/logs
log() { cat "$logs/${1//\//_}.log" 2>/dev/null; }
has() { local what=$1; shift; grep -q -- "$what" <<<"$("$@")"; }
check "the verdict line ends the output" grep -Eq '^[0-9]+ passed, [1-9][0-9]* failed, 1 skipped$' \
	<(tail -n 1 "$tmp/out")
check "the failing test's log is printed" grep -q "^not ok .* plant/2-fail: fails" "$tmp/out"
check "a crash, silence, a hang and a short plan are each a failure" sh -c "
	grep -q 'plant/3-crash: exited with status 2' '$tmp/out' &&
	grep -q 'plant/4-silent: printed no test result' '$tmp/out' &&
	grep -q 'plant/5-hang: timed out' '$tmp/out' &&
	grep -q 'plant/6-short: planned 3 results, printed 1' '$tmp/out'"
check "a skip for no allowed reason is a failure" \
	has "not ok - $kernel/guest-plant: a skip without an allowed reason.*ccshared_fwd is not built" log "$kernel/guest-plant"
check "a skip by design is a skip, counted by its reason" grep -q '^skipped, by design: 1$' "$tmp/out"
check "\"Bail out!\" is a failure, even after passing results" \
	has "not ok .* plant/13-bail: Bail out! planted (status 0)" log "$kernel/guest-plant"
check "a test that passes where the manifest says it skips by design fails" \
	has "14-should-skip: .* says it skips here by design, but 1 passed" log manifest/results
check "a part's vm-options that turns the kernel-problem scan off fails" \
	has "tests/guest/plant/vm-options-planted has --allow-kernel-warnings" log manifest/tree
check "a test below its minimum fails the manifest's results" \
	has "10-below: 1 passed (0 failed, 0 skipped), .* wants at least 2" log manifest/results
check "a test the manifest does not list fails" \
	has "12-extra: found .*, which tests/manifest/guest/plant does not list" log "$kernel/guest-plant"
check "... and so does the tree against the manifest" has "12-extra is not in" log manifest/tree
check "a script without its run bit fails" \
	has "9-norun: .* is not executable (it lost its run bit)" log "$kernel/guest-plant"
check "... and so does the tree check" has "tests/guest/plant/9-norun.t starts with #! but is not executable" \
	log manifest/tree
check "a stale built test fails the tree check" \
	has "tests/guest/plant/11-stale.t is not built by any meson target" log manifest/tree
check "a part with nothing built fails, without a boot" \
	has "not ok 1 - none of the tests .* is in tests/guest/gone or built" log "$kernel/guest-gone"
check "a part the manifest lists that is gone fails" \
	has "not ok 1 - tests/guest/vanished does not exist" log "$kernel/guest-vanished"
check "a host test that exits 0 before its plan is done fails" \
	has "not ok - host/early: planned 3 results, printed 1" log host/early
check "the planted build failure fails the build result" \
	has "not ok 1 - the build failed" log host/build
check "the build went on after the failed step: the RDMA provider and the host build ran" sh -c "
	grep -q 'guest-ninja: planted failure' '$logs/build-output.txt' &&
	grep -q '==> build step rdma-provider: ok' '$logs/build-output.txt' &&
	grep -q '==> build step host-ninja: ok' '$logs/build-output.txt'"
# meson-tap (the unit tests' TAP) on planted meson logs, in the root.
meson_tap() {
	local d=$tmp/meson-$1
	mkdir -p "$d/meson-logs"
	printf '%s\n' "${@:2}" >"$d/meson-logs/testlog.json"
	"$top/tests/vm/in-root" "$ROOT" --bind "$tmp" python3 "$top/tests/lib/meson-tap" "$d"
}
. "$top/tests/vm/lib.sh"
. "$VERSIONS_ENV"
check "meson-tap: a unit test that exits 0 before its plan fails" has \
	"not ok .* - early: printed no plan" meson_tap early \
	'{"name": "early", "result": "OK", "stdout": "ok 1 - the first\n"}'
check "meson-tap: a unit test meson skipped fails" has "not ok .* - skipped: SKIP" meson_tap skip \
	'{"name": "skipped", "result": "SKIP", "stdout": ""}'
check "meson-tap: no unit test at all fails" has "not ok 1 - no unit test ran" meson_tap none ''
# run-part on its own (here, on the host): its exit status says a test failed.
CCSHARED_SRC=$tmp CCSHARED_BUILD=$tmp/build TEST_TIMEOUT=5 \
	"$top/tests/guest/run-part" plant 1-pass 2-fail >/dev/null 2>&1
is "run-part exits 1 when a test failed" "$?" 1
[ $_tap_failed = 0 ] || sed 's/^/# /' "$tmp/out"
done_testing
