#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A hung command is ended by the runner's timeout and reported as such.
# The timeout counts from boot, so it leaves room for a slow, loaded host.
. "$(dirname "$0")/../lib/tap.sh"
run=$(dirname "$0")/../vm/run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plan 3
out=$("$run" --kernel "${CCSHARED_KERNEL:-7.3}" --no-build --timeout 60 -- \
	sh -c 'echo started; sleep 100000' 2>"$tmp/stderr" </dev/null)
status=$?
is "a hang exits with 124" "$status" 124
check "the command had started" grep -q '^started' <<<"$out"
check "the runner says it timed out" grep -q 'timed out after 60s' "$tmp/stderr"
done_testing
