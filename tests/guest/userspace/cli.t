#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The ccshared CLI in the guest: help on every command, every row of the
# rules table in docs/userspace.md ("The rules"), each number at its limit
# and one beyond, the missing-heap hints before the module is loaded, info
# --json against the truth, alloc, stat and selftest on the system heap and
# on system_cc_shared.
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

# re TEXT: TEXT as an extended regular expression that matches only itself.
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }

# expect_status DESC STATUS CMD...: CMD exits with STATUS (whatever it says).
expect_status() {
	local desc=$1 want=$2 err status
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	status=$?
	if [ "$status" = "$want" ]; then
		_tap_result 0 "$desc"
	else
		_tap_result 1 "$desc"
		printf '# command: %s\n# status: %s (want %s)\n# stderr: %s\n' "$*" "$status" "$want" "$err"
	fi
}

# Before the module is loaded (this test sorts first in the part): the
# missing-heap rows.  The hints say how the module may be loaded, not
# modprobe alone, and name force_non_coco for this non-CoCo guest.
expect_fail "system_cc_shared missing: status 3" 3 \
	"^ccshared: Couldn't open heap system_cc_shared: No such file or directory" "$ccshared" alloc 4K
expect_fail "... hint: how the module may be loaded" 3 \
	"hint: load the ccshared_heap module: 'modprobe ccshared_heap' once it is installed" "$ccshared" alloc 4K
expect_fail "... hint: insmod from a build tree, or the kernel's own heap" 3 \
	"'insmod ccshared_heap.ko' from a build tree.*|CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED" "$ccshared" alloc 4K
expect_fail "... hint: force_non_coco=1 outside a confidential guest, or --dev" 3 \
	"not a confidential guest, so the module registers the heap only|force_non_coco=1" "$ccshared" selftest
expect_fail "stat without the module: status 3, with the same hints" 3 \
	"hint: the ccshared_heap module is not loaded|hint: load the ccshared_heap module" "$ccshared" stat
check "alloc --dev falls back to the system heap and says so" sh -c \
	"'$ccshared' alloc 4K --dev 2>&1 | grep -q 'development mode: system_cc_shared is missing'"
# With the heap module, from here on.
ccshared_heap_require
heap_ready=1

# The rules, row by row.  COMMAND.
expect_fail "no command: status 2" 2 "^ccshared: no command given" "$ccshared"
expect_fail "unknown command: status 2" 2 "^ccshared: unknown command 'frobnicate'" "$ccshared" frobnicate
# Options: getopt's own messages carried no "ccshared:" and named the command.
expect_fail "unknown global option: status 2" 2 "^ccshared: unknown option '--bogus'" "$ccshared" --bogus
expect_fail "unknown global short option: status 2" 2 "^ccshared: unknown option '-x'" "$ccshared" -x
expect_fail "alloc -1: unknown option, status 2" 2 "^ccshared: alloc: unknown option '-1'" "$ccshared" alloc -1
expect_fail "info with an unknown option: status 2" 2 "^ccshared: info: unknown option '--bogus'" "$ccshared" info --bogus
expect_fail "info -jx: status 2" 2 "^ccshared: info: unknown option '-x'" "$ccshared" info -jx
expect_fail "alloc --hold without its argument: status 2" 2 \
	"^ccshared: alloc: option '--hold' needs an argument" "$ccshared" alloc 4K --hold
expect_fail "alloc -H without its argument: status 2" 2 \
	"^ccshared: alloc: option '-H' needs an argument" "$ccshared" alloc 4K -H
expect_fail "info --json=1: status 2" 2 "^ccshared: info: option '--json' takes no argument" \
	"$ccshared" info --json=1
expect_status "a unique abbreviation is taken (--ho 0)" 0 "$ccshared" alloc 4K --ho 0 --heap system
expect_fail "an ambiguous abbreviation is not (--h)" 2 "^ccshared: alloc: unknown option '--h'" \
	"$ccshared" alloc 4K --h 0
# Arguments.
expect_fail "info with an argument: status 2" 2 "^ccshared: info takes no arguments" "$ccshared" info extra
expect_fail "stat with an argument: status 2" 2 "^ccshared: stat takes no arguments" "$ccshared" stat extra
expect_fail "selftest with an argument: status 2" 2 "^ccshared: selftest takes no arguments" "$ccshared" selftest extra
expect_fail "alloc without SIZE: status 2" 2 "^ccshared: alloc takes exactly one SIZE" "$ccshared" alloc
expect_fail "alloc with two SIZEs: status 2" 2 "^ccshared: alloc takes exactly one SIZE" "$ccshared" alloc 4K 4K

# SIZE: each form is taken.  A heap that does not exist fails after the
# parse, with 3, so the forms cost no memory.
for size in 1 4096 64K 64k 64KB 64kb 64KiB 64kib 1g 1G 1Gb 1GB 1GiB 1gib 3T 3tib \
	18446744073709547519 18446744073709547520 17179869183G; do
	expect_status "SIZE $size is taken" 3 "$ccshared" alloc "$size" --heap ccshared-no-such-heap
done
for size in 0 +64 " 64M" "64 M" 1.5G 0x10 64X 64MM 64Mx 1GiBB ""; do
	expect_fail "SIZE '$size' is not a size: status 2" 2 "^ccshared: '$(re "$size")' is not a size$" \
		"$ccshared" alloc "$size"
done
# The largest size is 16 EiB - 4 KiB; one byte more (or anything up to and
# past SIZE_MAX) would wrap in the kernel's page rounding.
for size in 18446744073709547521 18446744073709551615 18446744073709551616 16777216T 17179869184G; do
	expect_fail "SIZE $size: too large, status 2" 2 \
		"^ccshared: '$size' is not a size: too large; the largest is 18446744073709547520 bytes" \
		"$ccshared" alloc "$size"
done
expect_fail "a bad SIZE is bad usage even where the heap is missing" 2 "too large" \
	"$ccshared" alloc 18446744073709551615 --heap ccshared-no-such-heap
expect_fail "selftest --size 1.5G: status 2" 2 "^ccshared: '1.5G' is not a size" "$ccshared" selftest --size 1.5G
expect_fail "selftest --size 18446744073709551615: status 2" 2 "too large" \
	"$ccshared" selftest --size 18446744073709551615
expect_fail "the largest SIZE reaches the heap, which cannot supply it: status 1" 1 \
	"^ccshared: Couldn't allocate 18446744073709547520 from system_cc_shared: Cannot allocate memory|hint: the heap is out of memory" \
	"$ccshared" alloc 18446744073709547520

# SECONDS.
for seconds in 0 4294967294 4294967295; do
	expect_status "--hold $seconds is taken" 3 \
		"$ccshared" alloc 4K --hold $seconds --heap ccshared-no-such-heap
done
expect_fail "--hold 4294967296: status 2" 2 "^ccshared: --hold takes whole seconds, 0 to 4294967295, not '4294967296'" \
	"$ccshared" alloc 4K --hold 4294967296
expect_fail "--hold -1: status 2" 2 "^ccshared: --hold takes whole seconds" "$ccshared" alloc 4K --hold -1
expect_fail "--hold 1.5: status 2" 2 "^ccshared: --hold takes whole seconds" "$ccshared" alloc 4K --hold 1.5
expect_fail "stat --watch 0: status 2" 2 "^ccshared: --watch needs at least 1 second" "$ccshared" stat --watch 0
expect_fail "stat --watch abc: status 2" 2 "^ccshared: --watch takes whole seconds" "$ccshared" stat --watch abc
expect_fail "stat --watch 4294967296: status 2" 2 "^ccshared: --watch takes whole seconds" \
	"$ccshared" stat --watch 4294967296
# --watch 4294967295 prints once and sleeps: SIGINT ends it with 0 (3 when
# there are no statistics to print).
expect_status "stat --watch 4294967295 (the largest) is taken" "$([ -n "$heap_ready" ] && echo 0 || echo 3)" \
	timeout --preserve-status -s INT 3 "$ccshared" stat --watch 4294967295
check "stat --watch abc reports one error, not two" sh -c \
	"! '$ccshared' stat --watch abc 2>&1 | grep -q 'at least 1 second'"

# BYTE.
for byte in 0 254 255 0x00 0xfe 0xff 0XFF 010; do
	expect_status "--fill $byte is taken" 0 "$ccshared" alloc 4K --fill "$byte" --heap system
done
for byte in 256 0x100 -1 0x "" " 1" 0377 1.0; do
	expect_fail "--fill '$byte': status 2" 2 "^ccshared: --fill takes a byte, 0-255 or 0x00-0xff, not '$(re "$byte")'" \
		"$ccshared" alloc 4K --fill "$byte" --heap system
done

# NAME.
long=$(printf 'h%.0s' $(seq 255))
for name in "" . .. ../system a/b /dev/dma_heap/system "${long}h"; do
	expect_fail "--heap '${name:0:20}': not a heap name, status 2" 2 \
		"^ccshared: '.*' is not a heap name|^hint: a heap is named by its entry in /dev/dma_heap" \
		"$ccshared" alloc 4K --heap "$name"
done
expect_fail "--heap of 255 bytes that does not exist: status 3" 3 \
	"^ccshared: Couldn't open heap h+: No such file or directory" "$ccshared" alloc 4K --heap "$long"
expect_fail "alloc from a missing heap: status 3 with a hint" 3 \
	"hint: /dev/dma_heap/nope does not exist; 'ccshared info' lists the heaps" "$ccshared" alloc 4K --heap nope
expect_fail "selftest on a missing heap: status 3" 3 "^ccshared: Couldn't open heap nope" "$ccshared" selftest --heap nope
# A heap this user may not open.
if command -v setpriv >/dev/null && setpriv --reuid 65534 --regid 65534 --clear-groups true 2>/dev/null; then
	expect_fail "a heap nobody may open: status 3, hint" 3 \
		"^ccshared: Couldn't open heap system: Permission denied|hint: /dev/dma_heap/system is not accessible" \
		setpriv --reuid 65534 --regid 65534 --clear-groups "$ccshared" alloc 4K --heap system
else
	_tap_result 1 "a heap nobody may open (setpriv cannot drop to uid 65534 here)"
fi

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
    "dma_addrs": os.path.exists("/dev/ccshared_heap"),
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
