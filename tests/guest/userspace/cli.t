#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The ccshared CLI in the guest: help on every command, bad arguments give
# a non-zero status and a message; before the heap module is loaded (this
# test sorts first in its part), what every command says without it; then,
# with it, info --json against the truth, alloc, stat and selftest on the
# system heap and on system_cc_shared.
. "$CCSHARED_SRC/tests/lib/tap.sh"
. "$CCSHARED_SRC/tests/lib/guest-heap.sh"
ccshared=$CCSHARED_BUILD/userspace/ccshared
if [ -e /dev/dma_heap/system_cc_shared ]; then
	echo "Bail out! system_cc_shared is there already: cli.t must run before anything loads the heap"
	exit 1
fi

# expect_fail DESC STATUS PATTERN CMD...: CMD exits with STATUS and says PATTERN on stderr.
expect_fail() {
	local desc=$1 want=$2 pattern=$3 err status
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	status=$?
	if [ "$status" = "$want" ] && grep -qE -- "$pattern" <<<"$err"; then
		_tap_result 0 "$desc"
	else
		_tap_result 1 "$desc"
		printf '# command: %s\n# status: %s (want %s)\n# stderr: %s\n' "$*" "$status" "$want" "$err"
	fi
}

for cmd in "" info stat alloc selftest; do
	check "ccshared $cmd --help exits 0 and shows usage" \
		sh -c "'$ccshared' $cmd --help | grep -q '^Usage: ccshared'"
done
check "every option of every command is in its --help" sh -c "
	'$ccshared' --help | grep -q -- '--version' &&
	'$ccshared' info --help | grep -q -- '--json' &&
	'$ccshared' stat --help | grep -q -- '--watch SECONDS' &&
	'$ccshared' alloc --help | grep -q -- '--hold SECONDS' &&
	'$ccshared' alloc --help | grep -q -- '--fill BYTE' &&
	'$ccshared' selftest --help | grep -q -- '--size SIZE'"

expect_fail "no command: status 2" 2 "no command given" "$ccshared"
expect_fail "unknown command: status 2" 2 "unknown command 'frobnicate'" "$ccshared" frobnicate
expect_fail "unknown global option: status 2" 2 "unrecognized option" "$ccshared" --bogus
expect_fail "info with an argument: status 2" 2 "info takes no arguments" "$ccshared" info extra
expect_fail "info with an unknown option: status 2" 2 "unrecognized option" "$ccshared" info --bogus
expect_fail "stat --watch 0: status 2" 2 "at least 1 second" "$ccshared" stat --watch 0
expect_fail "stat --watch abc: status 2" 2 "whole seconds" "$ccshared" stat --watch abc
expect_fail "stat with an argument: status 2" 2 "stat takes no arguments" "$ccshared" stat extra
expect_fail "alloc without SIZE: status 2" 2 "exactly one SIZE" "$ccshared" alloc
expect_fail "alloc 64X: status 2" 2 "'64X' is not a size" "$ccshared" alloc 64X
expect_fail "alloc 0: status 2" 2 "'0' is not a size" "$ccshared" alloc 0
expect_fail "alloc 99999999T: status 2" 2 "too large" "$ccshared" alloc 99999999T
expect_fail "alloc --fill 256: status 2" 2 "--fill takes a byte" "$ccshared" alloc 4K --fill 256
expect_fail "alloc --hold -1: status 2" 2 "whole seconds" "$ccshared" alloc 4K --hold -1
expect_fail "alloc from a missing heap: status 3 with a hint" 3 \
	"Couldn't open heap nope.*|hint: /dev/dma_heap/nope does not exist" "$ccshared" alloc 4K --heap nope
expect_fail "selftest --size bad: status 2" 2 "is not a size" "$ccshared" selftest --size 1.5G
expect_fail "selftest with an argument: status 2" 2 "selftest takes no arguments" "$ccshared" selftest extra
expect_fail "selftest on a missing heap: status 3" 3 "Couldn't open heap nope" "$ccshared" selftest --heap nope

# Without the heap module.
expect_fail "selftest without the heap: status 3, hint to load ccshared_heap" 3 \
	"hint: the heap is missing; load ccshared's module" "$ccshared" selftest
expect_fail "... and says this is not a CoCo guest" 3 \
	"not a confidential guest" "$ccshared" alloc 4K
expect_fail "stat without the module: status 3 with a hint" 3 \
	"hint: the ccshared_heap module is not loaded" "$ccshared" stat
check "alloc --dev falls back to the system heap and says so" sh -c \
	"'$ccshared' alloc 4K --dev 2>&1 | grep -q 'development mode: system_cc_shared is missing'"

# With it, from here on.
ccshared_heap_require
heap_ready=1

# info --json, parsed, against what the kernel says.
json=$("$ccshared" info --json)
check "info --json exits 0" test $? = 0
check "info --json matches the truth" python3 - "$json" "$(uname -r)" "$heap_ready" <<'PY'
import json, os, sys
info = json.loads(sys.argv[1])
release, heap_ready = sys.argv[2], sys.argv[3] == "1"
heaps = sorted(os.listdir("/dev/dma_heap"))
want = {
    "platform": "none",
    "confidential_guest": False,
    "kernel": release,
    "heap": "system_cc_shared",
    "heap_provider": "ccshared_heap" if heap_ready else "missing",
    "heaps": heaps,
    "module_loaded": os.path.isdir("/sys/module/ccshared_heap"),
}
bad = {k: (info.get(k), v) for k, v in want.items() if info.get(k) != v}
pdir = "/sys/module/ccshared_heap/parameters"
params = {p: open(os.path.join(pdir, p)).read().strip() for p in os.listdir(pdir)} if os.path.isdir(pdir) else {}
if info.get("parameters") != params:
    bad["parameters"] = (info.get("parameters"), params)
if heap_ready and info.get("stats") is not None:
    stats = dict(l.split(": ") for l in open("/sys/kernel/debug/ccshared_heap/stats").read().splitlines())
    for k, v in info["stats"].items():
        if k in stats and k not in ("buffers", "bytes", "pool_pages") and int(stats[k]) != v:
            bad["stats." + k] = (v, stats[k])
for k, (got, exp) in bad.items():
    print(f"{k}: got {got!r}, want {exp!r}")
sys.exit(1 if bad else 0)
PY
# Names the kernel lists are bytes, not UTF-8 text: info --json must escape
# quotes, backslashes and control characters and must not emit invalid UTF-8.
odd=$(printf '/dev/dma_heap/ccshared-test"q\\b\001\377')
odd_json=$(mktemp)
if touch "$odd" 2>/dev/null; then
	"$ccshared" info --json >"$odd_json"
	rm -f "$odd"
	check "info --json stays valid JSON with odd heap names" python3 - "$odd_json" <<'PY'
import json, sys
# Bytes in: json.loads() decodes them as strict UTF-8.
heaps = json.loads(open(sys.argv[1], "rb").read())["heaps"]
want = 'ccshared-test"q\\b\x01\ufffd'
if want not in heaps:
    print(f"# {want!r} not in {heaps!r}")
    sys.exit(1)
PY
else
	_tap_result 1 "info --json stays valid JSON with odd heap names (cannot create a file in /dev/dma_heap)"
fi
rm -f "$odd_json"
check "stat --watch abc reports one error, not two" sh -c \
	"! '$ccshared' stat --watch abc 2>&1 | grep -q 'at least 1 second'"
check "info (text) names the platform and the system heap" sh -c \
	"'$ccshared' info | grep -q '^platform: *none' && '$ccshared' info | grep -q '^heaps:.* system'"

# The system heap: alloc and selftest work everywhere.
check "alloc 64M --fill 0xab --heap system" sh -c \
	"'$ccshared' alloc 64M --fill 0xab --heap system | grep -q 'allocated 64 MiB from system in .* ms'"
check "alloc --hold 1 holds, then frees" sh -c \
	"'$ccshared' alloc 1M --hold 1 --heap system | grep -q 'holding it for 1 s'"
check "selftest --heap system passes" sh -c \
	"'$ccshared' selftest --heap system | tee /dev/stderr | grep -q '^selftest passed: 28 of 28 checks'"

check "selftest passes on system_cc_shared" sh -c \
	"'$ccshared' selftest | tee /dev/stderr | grep -q '^selftest passed: 28 of 28 checks passed on system_cc_shared'"
check "alloc 1G --fill 0 on system_cc_shared" sh -c \
	"'$ccshared' alloc 1G --fill 0 | grep -q 'allocated 1 GiB from system_cc_shared'"
check "--dev uses system_cc_shared when it is there" sh -c \
	"'$ccshared' alloc 4K --dev 2>&1 | grep -q 'from system_cc_shared' && ! '$ccshared' alloc 4K --dev 2>&1 | grep -q 'development mode'"
check "the heap's statistics are readable (debugfs)" test -r /sys/kernel/debug/ccshared_heap/stats
check "stat prints every counter" sh -c \
	"'$ccshared' stat | grep -c '^\(buffers\|bytes\|conversions_to_shared\|conversions_to_private\|leaked_pages\|pool_pages\|alloc_failures\): *[0-9]' | grep -qx 7"
check "stat --json is JSON with the counters" sh -c \
	"'$ccshared' stat --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert set(d) >= {\"buffers\",\"bytes\",\"leaked_pages\"}'"
check "stat --watch 1 --json repeats until interrupted" sh -c \
	"timeout -s INT 2.5 '$ccshared' stat --watch 1 --json | python3 -c 'import json,sys; l=[json.loads(x) for x in sys.stdin]; assert len(l) >= 2, l'"
echo "1..$_tap_n"
done_testing
