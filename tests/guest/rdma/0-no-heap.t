#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Before the heap is loaded (this test sorts first): the sample says what
# is missing and exits 3.  Bad usage exits 2: every numeric option at its
# limit is taken (the run then stops at the missing heap, 3), one beyond
# it is bad usage, for the server and the client alike.
. "$(dirname "$0")/rdma-setup.sh"
. "$CCSHARED_SRC/tests/lib/tap.sh"
rdma_skip_unless_supported
# status ARGS...: the sample's exit status.
status() { ccshared_rdma_write "$@" >/dev/null 2>&1; echo $?; }
max=18446744073709547520	# the largest buffer: SIZE_MAX rounded down to a page
taken=(
	"-p 1" "-p 2" "-p 65534" "-p 65535" "-s 1" "-s 2147483647" "-s 2G" "-s 2147483648"
	"-n 1" "-n 4294967294" "-n 4294967295" "-S 1" "-S 4294967294" "-S 4294967295"
	"-t 1" "-t 2" "-t 86399" "-t 86400"
	"-o 18446744073709543423 -s 4096" "-o 18446744073709543424 -s 4096" "-S 4294967295 -s 2G"
)
bad=(
	"-p 0" "-p 65536" "-p 70000" "-p -1" "-p http" "-p 0x50" "-s 0" "-s 2147483649"
	"-n 0" "-n 4294967296" "-n 010x" "-S 0" "-S 4294967296" "-t 0" "-t 86401"
	"-o $max -s 1" "-o 18446744073709551615" "--size nonsense"
)
plan $((3 + 2 * ${#taken[@]} + 2 * ${#bad[@]}))
if [ -e /dev/dma_heap/system_cc_shared ]; then
	echo "Bail out! system_cc_shared is there already: 0-no-heap must run before anything loads the heap"
	exit 1
fi
out=$(ccshared_rdma_write 2>&1)
is "no heap: exit status 3" $? 3
printf '%s\n' "$out" | sed 's/^/# /'
check "no heap: the message says to load ccshared_heap" grep -q "load ccshared_heap" <<<"$out"
check "no heap: the hint does not assume modprobe, and names force_non_coco" \
	grep -q "'insmod ccshared_heap.ko'.*\|force_non_coco=1" <<<"$out"
for args in "${taken[@]}"; do
	# shellcheck disable=SC2086
	is "server $args is taken" "$(status $args)" 3
	# shellcheck disable=SC2086
	is "client $args is taken" "$(status $args 10.99.0.1)" 3
done
for args in "${bad[@]}"; do
	# shellcheck disable=SC2086
	is "server $args is bad usage" "$(status $args)" 2
	# shellcheck disable=SC2086
	is "client $args is bad usage" "$(status $args 10.99.0.1)" 2
done
done_testing
