#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real packets: two veth pairs, ccshared_fwd on one end of each through
# net_af_packet.  dpdk-frames sends a known set of frames (60 to 1514
# bytes) into one pair with a raw socket and checks that each comes out of
# the other pair byte for byte; then the other way round.  The heap is
# empty as ccshared_fwd exits (held at its exit) and after.
. "$(dirname "$0")/dpdk-setup.sh"
dpdk_require
ccshared_heap_require
plan 8
COUNT=500

# vda0 <-> vda1 [port 0]  ccshared_fwd  [port 1] vdb1 <-> vdb0
setup() {
	sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 &&
	ip link add vda0 type veth peer name vda1 &&
	ip link add vdb0 type veth peer name vdb1 &&
	for l in vda0 vda1 vdb0 vdb1; do ip link set "$l" up || return; done
}
check "create two veth pairs" setup

log=$(mktemp)
trap 'rm -f "$log"' EXIT
hold_at_exit --bg "$log" "$fwd" "${EAL[@]}" --vdev=net_af_packet0,iface=vda1 \
	--vdev=net_af_packet1,iface=vdb1 -- -v 1
for _ in $(seq 150); do grep -q "^forwarding on" "$log" && break; sleep 0.1; done
check "ccshared_fwd starts on the two af_packet ports" grep -q "^forwarding on 2 ports" "$log"

check "$COUNT frames from vda0 come out of vdb0 unchanged" "$helpers/dpdk-frames" vda0 vdb0 $COUNT
check "$COUNT frames from vdb0 come out of vda0 unchanged" "$helpers/dpdk-frames" vdb0 vda0 $COUNT

kill -INT "$(held_child)"
hold_wait
held_check "as it exits, ccshared_fwd has given its buffer back to the heap" heap_is_empty
held_release
is "SIGINT stops ccshared_fwd with status 0" "$held_exit" 0
grep -v '^EAL: Detected' "$log" | sed 's/^/# /'
check "every received mbuf was in the shared buffer" \
	grep -Eq "^shared: 0 of [1-9][0-9]* received mbufs outside the buffer; [0-9]+ pool walks, 0 bad mbufs$" "$log"
ip link del vda0
ip link del vdb0
is_heap_empty "the heap is empty after exit"
done_testing
