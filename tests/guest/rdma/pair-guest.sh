#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# usage (in a guest of tests/vm/run-pair): pair-guest.sh ARGS... ROLE
# One side of two-guests.host: rxe0 on eth0 (10.99.1.ROLE), then guest 1
# serves and guest 2 connects, with ARGS for ccshared_rdma_write.  Prints
# "PAIR-RESULT <exit status>", or "PAIR-SKIP <reason>".  Then, in the same
# boot, perftest on shared and on host memory (perftest-pair.sh: its
# PERFTEST lines).
. "$(dirname "$0")/rdma-setup.sh"
role=${*: -1}
set -- "${@:1:$#-1}"
case $(uname -r) in
7.3.*|6.12.*) ;;
*) echo "PAIR-SKIP the test rxe with dma-buf MRs is built for Debian's 7.3 and 6.12 kernels only, this is $(uname -r)"; exit 0 ;;
esac
modprobe virtio_net && sleep 1
{ rdma_heap && rdma_rxe_up eth0 "10.99.1.$role/24"; } 2>&1 | sed 's/^/setup: /'
[ -d /sys/class/infiniband/rxe0 ] || { echo "PAIR-RESULT 1"; exit 1; }
status=0
if [ "$role" = 1 ]; then
	# The client's guest may boot well after this one: wait for it longer
	# than the sample's default 30 s.
	timeout 240 ccshared_rdma_write -b 10.99.1.1 -t 200 "$@" || status=$?
else
	# The server may still be booting: retry while it is unreachable.
	for _ in $(seq 60); do
		status=0
		timeout 240 ccshared_rdma_write "$@" 10.99.1.1 2>&1 || status=$?
		[ $status = 5 ] || break
		sleep 1
	done
fi
echo "PAIR-RESULT $status"
"$(dirname "$0")/perftest-pair.sh" "$role" || status=1
exit $status
