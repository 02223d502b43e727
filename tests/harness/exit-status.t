#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/vm/run hands back COMMAND's output and exit status, and --share
# makes a host directory writable in the guest at the same path.
. "$(dirname "$0")/../lib/tap.sh"
run=$(dirname "$0")/../vm/run
kernel=${CCSHARED_KERNEL:-7.3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plan 4
out=$("$run" --kernel "$kernel" --no-build --share "$tmp" -- \
	sh -c "echo hello from \$(uname -r); echo written >$tmp/from-guest; exit 3" 2>"$tmp/stderr" </dev/null)
status=$?
is "COMMAND's exit status comes back" "$status" 3
check "COMMAND's output comes back" grep -q "^hello from $kernel" <<<"$out"
is "the shared directory was written by the guest" "$(cat "$tmp/from-guest" 2>/dev/null)" written
is "nothing on stderr for a clean run" "$(cat "$tmp/stderr")" ""
done_testing
