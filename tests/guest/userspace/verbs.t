#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# libccshared-verbs on rxe over a dummy netdev (verbs.c): rxe cannot take
# dma-buf MRs, so this checks the EOPNOTSUPP path end to end.  The heap and
# the rxe device are required: without either the test bails out.
. "$CCSHARED_SRC/tests/lib/guest-heap.sh"
ccshared_heap_require
if [ ! -d /sys/class/infiniband/rxe_ccs ]; then
	out=$({
		modprobe dummy && modprobe rdma_rxe && modprobe ib_uverbs &&
		{ ip link show ccs0 >/dev/null 2>&1 || ip link add ccs0 type dummy; } &&
		ip link set ccs0 up &&
		rdma link add rxe_ccs type rxe netdev ccs0
	} 2>&1)
	status=$?
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# rxe setup: /'
	if [ $status != 0 ] || [ ! -d /sys/class/infiniband/rxe_ccs ]; then
		echo "Bail out! the rxe device rxe_ccs could not be set up (status $status)"
		exit 1
	fi
fi
exec "$CCSHARED_BUILD/tests/guest/userspace/verbs-test"
