#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# usage (in a guest of tests/vm/run-pair):
#   perftest-pair.sh [-r ROUNDS] [-n ITERS] [-s SIZE] [-t TX_DEPTH] ROLE
# ib_write_bw, ib_read_bw and ib_send_bw (tests/perftest) between two
# guests over the test rxe on eth0 (10.99.1.ROLE): guest 1 serves, guest 2
# connects.  Each round runs every test on system_cc_shared buffers
# (--use_dmabuf_heap, DMA-BUF MRs) and on host memory (ibv_reg_mr), the
# two kinds taking turns in going first.  For each run, each side prints
#   PERFTEST test=T kind=shared|host round=R status=S dmabuf_mr=N bw=MIB_S
#            secs=S [COUNTER=DELTA...]
# N: the MRs it registered as DMA-BUF MRs; bw: the client's average in
# MiB/s, "-" on the server; secs: the run's wall time; then each rxe
# hardware counter that moved during the run, other than the packet, byte,
# operation and deferred-ACK counts every run moves: retransmissions and
# sequence errors, which tell a lossy run from a slow one.  Last,
# "PERFTEST-DONE failures=N seconds=S".  Defaults: 1 round of 100
# iterations of 64 KiB messages, small enough for the test suite
# (two-guests.host, which does not judge the bandwidth; on 6.12 a write
# run can crawl at under 1 MiB/s), and perftest's own send queue depth
# (-t, 128 for these tools).
here=$(dirname "$0")
. "$here/rdma-setup.sh"
. "$here/perftest.sh"
rounds=1 iters=100 size=65536 depth=
while getopts r:n:s:t: o; do
	case $o in
	r) rounds=$OPTARG ;;
	n) iters=$OPTARG ;;
	s) size=$OPTARG ;;
	t) depth=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
role=$1
server=10.99.1.1
limit=180

if ! msg=$(perftest_built); then
	echo "PERFTEST-DONE failures=1 ($msg)"
	exit 1
fi
if [ ! -d /sys/class/infiniband/rxe0 ]; then
	modprobe virtio_net && sleep 1
	{ rdma_heap && rdma_rxe_up eth0 "10.99.1.$role/24"; } 2>&1 | sed 's/^/setup: /'
fi
[ -d /sys/class/infiniband/rxe0 ] || { echo "PERFTEST-DONE failures=1 (the test rxe did not come up)"; exit 1; }

# counters: NAME VALUE lines of the rxe's port counters.
counters() {
	local f
	for f in /sys/class/infiniband/rxe0/ports/1/hw_counters/*; do
		[ -f "$f" ] && echo "$(basename "$f") $(cat "$f")"
	done
}

# counter_deltas BEFORE AFTER: NAME=DELTA for each counter that moved,
# leaving out the ones every run moves.
counter_deltas() {
	awk 'NR == FNR { v[$1] = $2; next }
	     $1 !~ /^(sent_pkts|rcvd_pkts|sent_bytes|rcvd_bytes|rdma_sends|rdma_recvs|ack_deferred)$/ && $2 != v[$1] {
		printf " %s=%d", $1, $2 - v[$1] }' "$1" "$2"
}

start=$SECONDS
out=$(mktemp)
before=$(mktemp) after=$(mktemp)
trap 'rm -f "$out" "$before" "$after"' EXIT
failures=0 port=18600
for round in $(seq "$rounds"); do
	if [ $((round % 2)) = 1 ]; then kinds="shared host"; else kinds="host shared"; fi
	for test in ib_write_bw ib_read_bw ib_send_bw; do
		for kind in $kinds; do
			port=$((port + 1))
			args=(-d rxe0 -p "$port" -s "$size" -n "$iters" ${depth:+-t "$depth"})
			[ "$kind" = host ] || args+=(--use_dmabuf_heap)
			status=0 t0=$SECONDS
			counters >"$before"
			if [ "$role" = 1 ]; then
				timeout -k 5 "$limit" "$PERFTEST_BIN/$test" "${args[@]}" >"$out" 2>&1 || status=$?
				bw=-
			else
				perftest_client "$limit" "$out" "$test" "${args[@]}" "$server" || status=$?
				bw=$(perftest_bw "$out")
				[ -n "$bw" ] || bw=none
			fi
			counters >"$after"
			mrs=$(grep -c '^Calling ibv_reg_dmabuf_mr(' "$out")
			echo "PERFTEST test=$test kind=$kind round=$round status=$status dmabuf_mr=$mrs bw=$bw" \
				"secs=$((SECONDS - t0))$(counter_deltas "$before" "$after")"
			if [ $status != 0 ] || [ "$bw" = none ]; then
				failures=$((failures + 1))
				sed "s/^/  $test $kind: /" "$out"
			fi
		done
	done
done
echo "PERFTEST-DONE failures=$failures seconds=$((SECONDS - start))"
[ $failures = 0 ]
