#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The sample's failures, each with a clear message and its exit status, and
# the heap empty as the process exits (held at its exit, still alive) and
# after: a pool larger than the guest's memory; bad usage, with every
# numeric option tried at its limits.  PA mode is 55-pa-mode.t.
. "$(dirname "$0")/dpdk-setup.sh"
dpdk_require
ccshared_heap_require
plan 20
nulls=(--vdev=net_null0 --vdev=net_null1)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# 4 M mbufs of 2176 bytes: 8.5 GiB, more than the guest has.
hold_at_exit "$out" "$fwd" "${EAL[@]}" "${nulls[@]}" -- -m 4194304 -n 1
held_check "a pool larger than memory: as it exits, the heap is empty" heap_is_empty
held_release
is "a pool larger than memory exits with status 4" "$held_exit" 4
check "it says how much it could not allocate" \
	grep -q "Couldn't allocate [0-9]* bytes from system_cc_shared: Cannot allocate memory" "$out" ||
	sed 's/^/# /' "$out"
is_heap_empty "the heap is empty after the failure"

"$fwd" "${EAL[@]}" "${nulls[@]}" -- -n many >/dev/null 2>&1
is "a bad packet count exits with status 2" $? 2

# Each option at its limit is taken (the run then stops at a pool larger
# than memory, status 4); one beyond it is bad usage, status 2.
# status ARGS...: the sample's exit status with ARGS after --.
status() { "$fwd" "${EAL[@]}" "${nulls[@]}" -- "$@" >/dev/null 2>&1; echo $?; }
is "-m 4294967294 is taken" "$(status -m 4294967294)" 4
is "-m 4294967295 (the largest) is taken" "$(status -m 4294967295)" 4
is "-m 4294967296 is bad usage" "$(status -m 4294967296)" 2
is "-m 31 (less than one Rx burst) is bad usage" "$(status -m 31)" 2
msg=$("$fwd" "${EAL[@]}" "${nulls[@]}" -- -m 31 2>&1)
check "it names the range" grep -q "bad value '31' for -m: give a whole number from 32" <<<"$msg"
is "-n 18446744073709551615 (the largest) is taken" \
	"$(status -n 18446744073709551615 -m 4294967295)" 4
is "-n 18446744073709551616 is bad usage" "$(status -n 18446744073709551616)" 2
is "-n -1 is bad usage" "$(status -n -1)" 2
is "-n ' 5' is bad usage" "$(status -n ' 5')" 2
is "-v 86399 is taken" "$(status -v 86399 -m 4294967295)" 4
is "-v 86400 (the largest) is taken" "$(status -v 86400 -m 4294967295)" 4
is "-v 86401 is bad usage" "$(status -v 86401)" 2
is "-v 0x10 is bad usage (decimal only)" "$(status -v 0x10)" 2
msg=$("$fwd" "${EAL[@]}" --vdev=net_null0 -- -n 1 2>&1)
is "an odd number of ports exits with status 2" $? 2
check "it says why" grep -q "Couldn't pair the ports: 1 found" <<<"$msg"
done_testing
