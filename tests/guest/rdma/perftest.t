#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# perftest's --use_dmabuf_heap (tests/perftest) on the test rxe, server
# and client in one guest (rxe0 on a dummy netdev):
#   - ib_write_bw on system_cc_shared buffers completes on both sides,
#     registers DMA-BUF MRs and reports a bandwidth: the control for the
#     error cases below, which differ from it in one thing each;
#   - an allocation the heap refuses (4 GiB in a 2 GiB guest) fails on
#     both sides with the heap's error and exit status 1;
#   - with rdma-core's stock rxe provider, which has no DMA-BUF MRs, both
#     sides fail saying that DMA-BUF is not supported, and exit 1;
#   - afterwards the heap holds no buffer and has lost no page.
. "$(dirname "$0")/rdma-setup.sh"
. "$(dirname "$0")/perftest.sh"
. "$CCSHARED_SRC/tests/lib/tap.sh"
rdma_skip_unless_supported
plan 16
msg=$(perftest_built) || { echo "Bail out! $msg"; exit 1; }
rdma_setup_or_bail
dir=$(mktemp -d)
trap 'rdma_provider patched; kill -9 $spid 2>/dev/null; rm -rf "$dir"' EXIT
port=18700

# pair TEST ARGS...: a server and a client with the same ARGS over rxe0;
# sets sstatus and cstatus, outputs in $dir/server and $dir/client.
pair() {
	local test=$1
	shift
	port=$((port + 1))
	timeout -k 5 120 "$PERFTEST_BIN/$test" -d rxe0 -p "$port" "$@" >"$dir/server" 2>&1 &
	spid=$!
	cstatus=0
	perftest_client 120 "$dir/client" "$test" -d rxe0 -p "$port" "$@" "$RDMA_ADDR" || cstatus=$?
	sstatus=0
	wait "$spid" || sstatus=$?
	sed 's/^/# server: /' "$dir/server"
	sed 's/^/# client: /' "$dir/client"
}
both() { grep -q "$1" "$dir/server" && grep -q "$1" "$dir/client"; }

pair ib_write_bw --use_dmabuf_heap -s 65536 -n 200
is "system_cc_shared: the server exits 0" "$sstatus" 0
is "... the client exits 0" "$cstatus" 0
check "... both use /dev/dma_heap/system_cc_shared" both "^Using DMA-BUF heap /dev/dma_heap/system_cc_shared$"
check "... both register a DMA-BUF MR" both "^Calling ibv_reg_dmabuf_mr("
bw=$(perftest_bw "$dir/client")
check "... the client reports a bandwidth (${bw:-none} MiB/s)" grep -Eq '^[0-9.]*[1-9][0-9.]*$' <<<"$bw"

pair ib_write_bw --use_dmabuf_heap -s 2147483647 -n 5
is "4 GiB from the heap in a 2 GiB guest: the server exits 1" "$sstatus" 1
is "... the client exits 1" "$cstatus" 1
check "... both say the heap could not allocate it: Cannot allocate memory" \
	both "^Couldn't allocate [0-9]* bytes from DMA-BUF heap system_cc_shared: Cannot allocate memory$"
check "... and register no MR" sh -c "! grep -q 'Calling ibv_reg_dmabuf_mr' '$dir/server' '$dir/client'"

rdma_provider stock
pair ib_write_bw --use_dmabuf_heap -s 65536 -n 200
rdma_provider patched
is "stock provider (no DMA-BUF MRs): the server exits 1" "$sstatus" 1
is "... the client exits 1" "$cstatus" 1
check "... both tried a DMA-BUF MR" both "^Calling ibv_reg_dmabuf_mr("
check "... and both say it failed with EOPNOTSUPP (95), DMA-BUF not supported" sh -c "
	grep -q '^Couldn.t allocate MR with error=95$' '$dir/server' && grep -q '^Couldn.t allocate MR with error=95$' '$dir/client' &&
	grep -q 'does not support DMA-BUF' '$dir/server' && grep -q 'does not support DMA-BUF' '$dir/client'"

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
is "afterwards the heap has no buffer left" "$(heap_stat buffers)" 0
is "... no page unaccounted for" "$(heap_pages_unaccounted)" 0
check "... and perftest's processes are gone" sh -c "! pgrep -x 'ib_write_bw'"
done_testing
