# SPDX-License-Identifier: GPL-2.0
# Sourced by the perftest guest tests and bench: perftest built from
# Debian's source with the DMA-BUF heap memory type (tests/perftest), in
# $PERFTEST_BIN.  The root's stock perftest (/usr/bin) lacks the option:
# always run these by path.
PERFTEST_BIN=$CCSHARED_BUILD/perftest/bin

# perftest_built: the patched tools are there, and are the patched ones.
perftest_built() {
	local t
	for t in ib_write_bw ib_read_bw ib_send_bw; do
		[ -x "$PERFTEST_BIN/$t" ] || { echo "$PERFTEST_BIN/$t is not built (tests/vm/build builds tests/perftest)"; return 1; }
		"$PERFTEST_BIN/$t" --help 2>&1 | grep -q -- '--use_dmabuf_heap' ||
			{ echo "$PERFTEST_BIN/$t has no --use_dmabuf_heap"; return 1; }
	done
}

# perftest_bw FILE: the client's average bandwidth in MiB/s, from the row
# after the header ("BW average[MiB/sec]"; older perftest says "MB/sec"
# for the same 2^20 bytes per second).
perftest_bw() {
	awk '/BW average\[Mi?B\/sec\]/ { h = 1; next } h && $1 ~ /^[0-9]+$/ { print $4; exit }' "$1"
}

# perftest_client LIMIT OUT TEST ARGS...: run a client, retrying for up to
# 60 s while its server is not listening yet; each try is bounded by
# LIMIT seconds.  Its output goes to OUT; returns its exit status.
perftest_client() {
	local limit=$1 out=$2 test=$3 status
	shift 3
	for _ in $(seq 60); do
		status=0
		timeout -k 5 "$limit" "$PERFTEST_BIN/$test" "$@" >"$out" 2>&1 || status=$?
		grep -q "^Couldn't connect to " "$out" || break
		sleep 1
	done
	return $status
}
