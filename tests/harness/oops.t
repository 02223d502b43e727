#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A guest kernel crash is a failure, never a pass: with panic=-1 the guest
# reboots, QEMU (-no-reboot) exits 0 and no result line was written.  A
# WARNING in the kernel log fails an otherwise passing command too, and
# --allow-kernel-warning REGEX lets through only the report it matches:
# any other warning in the same boot still fails it.
. "$(dirname "$0")/../lib/tap.sh"
run=$(dirname "$0")/../vm/run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plan 6
"$run" --kernel "${CCSHARED_KERNEL:-7.3}" --no-build --log "$tmp/crash.log" -- \
	sh -c 'echo c >/proc/sysrq-trigger; exit 0' >/dev/null 2>"$tmp/stderr" </dev/null
is "a kernel crash exits with 125" "$?" 125
check "the runner says the guest died" grep -q 'stopped without reporting' "$tmp/stderr"
check "the crash is in the kernel log" grep -q 'sysrq triggered crash' "$tmp/crash.log"
# The runner scans the kernel log for warnings; plant reports through
# /dev/kmsg, shaped like the kernel's own: 7.x prints a WARN's message on
# the line before "WARNING:", older kernels put "[ cut here ]" first.
report_7x() {
	printf 'echo "edu 0000:00:05.0: %s" >/dev/kmsg; ' "$1"
	printf 'echo "WARNING: planted.c:1 at planted+0x0/0x0, CPU#0: sh/1" >/dev/kmsg; '
	printf 'echo "Call Trace:" >/dev/kmsg; '
	printf 'echo "---[ end trace 0000000000000000 ]---" >/dev/kmsg; '
}
report_cut() {
	printf 'echo "------------[ cut here ]------------" >/dev/kmsg; '
	printf 'echo "WARNING: CPU: 0 PID: 1 at planted.c:1 %s" >/dev/kmsg; ' "$1"
	printf 'echo "---[ end trace 0000000000000000 ]---" >/dev/kmsg; '
}
allow=(--allow-kernel-warning 'planted by the harness: allowed')
"$run" --kernel "${CCSHARED_KERNEL:-7.3}" --no-build "${allow[@]}" -- \
	sh -c "$(report_7x 'planted by the harness: allowed') $(report_cut 'planted by the harness: allowed') exit 0" \
	>/dev/null 2>"$tmp/stderr" </dev/null
is "allowed warnings (both shapes) do not fail a command that exited 0" "$?" 0
"$run" --kernel "${CCSHARED_KERNEL:-7.3}" --no-build "${allow[@]}" -- \
	sh -c "$(report_7x 'planted by the harness: allowed') $(report_cut 'planted by the harness: another one') exit 0" \
	>/dev/null 2>"$tmp/stderr" </dev/null
is "any other warning in the same boot still fails it" "$?" 125
problems=$(awk '/the kernel reported problems/ { on = 1; next } /^---- guest kernel log/ { on = 0 } on' "$tmp/stderr")
names_the_other() { grep -q 'another one' <<<"$problems" && ! grep -q 'planted+0x0' <<<"$problems"; }
check "the runner names that one, and not the allowed one" names_the_other
done_testing
