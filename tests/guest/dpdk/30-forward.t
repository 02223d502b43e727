#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# No hugepages: --no-huge EAL, two net_null ports.  100,000 packets are
# forwarded, every one of them in the shared buffer, and the heap is empty
# after exit.  Small pools forward too: DPDK refuses a per-lcore cache
# above n / 1.5, so the sample sizes it to the pool; 32 mbufs (one Rx
# burst) is the smallest pool net_null can forward from.  Then an
# open-ended run that stops cleanly on SIGINT.
. "$(dirname "$0")/dpdk-setup.sh"
dpdk_ready || { echo "1..0 # SKIP $dpdk_missing_reason"; exit 0; }
ccshared_heap_ready || { echo "1..0 # SKIP $heap_missing_reason"; exit 0; }
plan 20
N=100000
start=$SECONDS
out=$("$fwd" "${EAL[@]}" --vdev=net_null0 --vdev=net_null1 -- -n $N 2>&1)
status=$?
printf '# %s\n' "$out" | grep -v '^# EAL: Detected'
is "forwarding $N packets exits with status 0" $status 0
check "all $N were received and sent" grep -q "^rx $N tx $N dropped 0 packets" <<<"$out"
check "none of them was outside the shared buffer" \
	grep -q "^shared: 0 of $N received mbufs outside the buffer" <<<"$out"
check "the pool walk at exit found no bad mbuf" grep -q " 0 bad mbufs$" <<<"$out"
is_heap_empty "the heap is empty after exit"
echo "# $N packets in $((SECONDS - start)) s including EAL start-up"

# 374 was the largest pool that failed with the fixed cache of 250.
for m in 32 33 64 374 375; do
	out=$("$fwd" "${EAL[@]}" --vdev=net_null0 --vdev=net_null1 -- -n 1000 -m $m 2>&1)
	is "a pool of $m mbufs forwards: status 0" $? 0 || printf '# %s\n' "$out"
	check "... all 1000 packets, none outside the buffer" \
		grep -q "^shared: 0 of 1000 received mbufs outside the buffer; .* 0 bad mbufs$" <<<"$out"
done

log=$(mktemp)
"$fwd" "${EAL[@]}" --vdev=net_null0 --vdev=net_null1 -- -v 1 >"$log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "^forwarding on" "$log" && break; sleep 0.1; done
sleep 2
is "while it runs the heap holds one buffer" "$(heap_stat buffers)" 1
kill -INT $pid
wait $pid
is "SIGINT stops it with status 0" $? 0
out=$(cat "$log")
rm -f "$log"
check "it forwarded packets until then" grep -Eq "^rx [1-9][0-9]* tx [1-9]" <<<"$out" ||
	printf '# %s\n' "$out"
check "the periodic pool walks found no bad mbuf" \
	grep -Eq "^shared: 0 of [0-9]+ received mbufs outside the buffer; ([2-9]|[1-9][0-9]+) pool walks, 0 bad mbufs$" <<<"$out" ||
	printf '# %s\n' "$out"
is_heap_empty "the heap is empty after SIGINT"
done_testing
