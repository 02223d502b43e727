#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A guest kernel crash is a failure, never a pass: with panic=-1 the guest
# reboots, QEMU (-no-reboot) exits 0 and no result line was written.  A
# WARNING in the kernel log fails an otherwise passing command too.
. "$(dirname "$0")/../lib/tap.sh"
run=$(dirname "$0")/../vm/run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plan 4
"$run" --kernel "${CCSHARED_KERNEL:-7.3}" --no-build --log "$tmp/crash.log" -- \
	sh -c 'echo c >/proc/sysrq-trigger; exit 0' >/dev/null 2>"$tmp/stderr" </dev/null
is "a kernel crash exits with 125" "$?" 125
check "the runner says the guest died" grep -q 'stopped without reporting' "$tmp/stderr"
check "the crash is in the kernel log" grep -q 'sysrq triggered crash' "$tmp/crash.log"
# The runner scans the kernel log for warnings; plant one through /dev/kmsg.
"$run" --kernel "${CCSHARED_KERNEL:-7.3}" --no-build -- \
	sh -c 'echo "WARNING: CPU: 0 PID: 1 planted by the harness test" >/dev/kmsg; exit 0' \
	>/dev/null 2>"$tmp/stderr" </dev/null
is "a kernel WARNING fails a command that exited 0" "$?" 125
done_testing
