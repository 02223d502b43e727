# SPDX-License-Identifier: GPL-2.0
# Sourced by the DPDK guest tests.
#   fwd                   the built ccshared_fwd
#   EAL                   EAL options for a hugepage-less run on one lcore
#   dpdk_require          bail out unless the sample and helpers are built
#   ccshared_heap_require load ccshared_heap unless the heap is there, or
#                         bail out (tests/lib/guest-heap.sh)
#   heap_stat NAME        a counter of the heap module's statistics
#   is_heap_empty DESC    no buffer left and every page accounted for
#   dmabuf_count          the dma-bufs the kernel holds (bufinfo)
#   dmabufs_are N, heap_is_empty: the same as commands for check
#   hold_at_exit ...      run a command held at its exit: see below
. "$CCSHARED_SRC/tests/lib/tap.sh"
. "$CCSHARED_SRC/tests/lib/guest-heap.sh"
fwd=$CCSHARED_BUILD/samples/dpdk/ccshared_fwd
helpers=$CCSHARED_BUILD/tests/guest/dpdk
EAL=(--no-huge -m 128 --no-pci -l 0 --no-telemetry)

# The build requires DPDK (-Ddpdk=enabled): a missing sample is a failure.
dpdk_require() {
	local f
	for f in "$fwd" "$helpers/dpdk-pool-test" "$helpers/dpdk-frames" "$helpers/dpdk-rx-check"; do
		[ -x "$f" ] && continue
		echo "Bail out! $f is not built (tests/vm/build builds it with -Ddpdk=enabled)"
		exit 1
	done
}

# is_heap_empty DESC: no buffer left in the heap, and every page it took
# from the page allocator accounted for (tests/lib/guest-heap.sh).
is_heap_empty() {
	local got
	got="$(heap_stat buffers) buffers, $(heap_stat bytes) bytes, $(heap_stat held_pages) pages held, $(heap_pages_unaccounted) pages unaccounted for"
	is "$1" "$got" "0 buffers, 0 bytes, 0 pages held, 0 pages unaccounted for"
}

# dmabuf_count: the number of dma-bufs the kernel holds, from debugfs
# bufinfo; fails, printing nothing, when bufinfo cannot be read.
dmabuf_count() {
	local info
	info=$(cat /sys/kernel/debug/dma_buf/bufinfo 2>/dev/null) || return 1
	grep -c '^[0-9]' <<<"$info"
	return 0
}

# dmabufs_are N: the kernel holds exactly N dma-bufs (says how many if not).
dmabufs_are() {
	local n
	n=$(dmabuf_count) || { echo "debugfs dma_buf/bufinfo is unreadable"; return 1; }
	[ "$n" = "$1" ] || { echo "$n dma-bufs, want $1"; return 1; }
}

# heap_is_empty: no buffer in the heap, every page accounted for (a
# command, for check and held_check; says what it found otherwise).
heap_is_empty() {
	local got
	got="$(heap_stat buffers) buffers, $(heap_stat bytes) bytes, $(heap_stat held_pages) pages held, $(heap_pages_unaccounted) pages unaccounted for"
	[ "$got" = "0 buffers, 0 bytes, 0 pages held, 0 pages unaccounted for" ] || { echo "$got"; return 1; }
}

# A process's leaks are invisible once it has exited: the kernel closes
# its fds and unmaps its memory.  hold_at_exit OUT CMD... runs CMD in the
# background under strace, which stops it when it calls exit_group():
# still alive, with every fd and mapping it did not give up itself.  It
# returns once CMD is held there (1 if it never got there), with CMD's
# output going to OUT.  held_check DESC CMD... then checks something while
# it is held, and held_release lets it exit and sets held_exit to its exit
# status (exit_group's argument).  hold_at_exit --bg OUT CMD... returns at
# once instead (held_child is the command's pid, to signal it); hold_wait
# then waits until it is held.
hold_at_exit() {
	local out bg=
	[ "$1" != --bg ] || { bg=1; shift; }
	out=$1
	shift
	held_trace=$(mktemp)
	held_pid= held_exit=
	# Not -f: the process's own exit_group(), from its main thread.  The
	# delay is longer than any check; held_release ends it.
	strace -qq -o "$held_trace" -e trace=exit_group \
		-e inject=exit_group:delay_enter=300s "$@" >"$out" 2>&1 &
	held_strace=$!
	[ -n "$bg" ] || hold_wait
}

hold_wait() {
	local i line
	for i in $(seq 1200); do
		line=$(grep -m 1 '^exit_group(' "$held_trace")
		if [ -n "$line" ]; then
			held_pid=$(held_child)
			held_exit=$(sed -n 's/^exit_group(\([0-9]*\).*/\1/p' <<<"$line")
			return 0
		fi
		kill -0 "$held_strace" 2>/dev/null || break
		sleep 0.1
	done
	printf '# strace: %s\n' "$(cat "$held_trace")"
	return 1
}

held_child() {
	awk '{ print $1 }' "/proc/$held_strace/task/$held_strace/children" 2>/dev/null
}

held_alive() {
	[ -n "$held_pid" ] && grep -q '^State:[[:space:]]*t' "/proc/$held_pid/status" 2>/dev/null
}

held_check() {
	local desc=$1 out status
	shift
	if ! held_alive; then
		_tap_result 1 "$desc (not checked: the process was not held at its exit)"
		return 1
	fi
	out=$("$@" 2>&1)
	status=$?
	if [ $status = 0 ] && ! held_alive; then
		status=1
		out="$out${out:+$'\n'}the process was let go before the check ended: it proves nothing"
	fi
	_tap_result $status "$desc"
	[ $status = 0 ] || printf '# %s\n' "$out"
	return $status
}

# held_release: strace goes (SIGKILL: it would finish the delay before
# acting on SIGTERM), the kernel lets the process go on into exit_group(),
# and it exits with the status it asked for, held_exit.
held_release() {
	local i
	kill -KILL "$held_strace" 2>/dev/null
	wait "$held_strace" 2>/dev/null
	for i in $(seq 100); do
		[ -n "$held_pid" ] && [ -d "/proc/$held_pid" ] || break
		sleep 0.1
	done
	rm -f "$held_trace"
	[ -n "$held_exit" ] || held_exit=none
}
