# SPDX-License-Identifier: GPL-2.0
# Sourced by the RDMA guest tests.  rdma_setup brings up the test-only rxe
# that takes dma-buf MRs (tests/rdma-provider): the heap, the patched
# rdma_rxe on a dummy netdev (rxe0 on ccs0, 10.99.0.1), and the patched
# provider copied over the stock one in the guest's tmpfs overlay (the stock
# one is kept in $RDMA_STOCK_PROVIDER).  Idempotent: the tests of the part
# share one boot.
RDMA_PROVIDER_DIR=$CCSHARED_BUILD/rdma-provider
RDMA_PROVIDER_LIB=/usr/lib/x86_64-linux-gnu/libibverbs/librxe-rdmav34.so
RDMA_STOCK_PROVIDER=/run/ccshared-rdma/librxe-rdmav34.so.stock
RDMA_ADDR=10.99.0.1
PATH=$CCSHARED_BUILD/samples/rdma:$PATH
. "$CCSHARED_SRC/tests/lib/guest-heap.sh"

# The rxe patches target Debian's 7.3 and 6.12 kernels, the two the test
# bed boots: elsewhere the test skips by design.  On those the test rxe is
# required: not built, it bails out.
rdma_skip_unless_supported() {
	case $(uname -r) in
	7.3.*|6.12.*) ;;
	*) echo "1..0 # SKIP by design: the test rxe with dma-buf MRs is built for Debian's 7.3 and 6.12 kernels only, this is $(uname -r)"; exit 0 ;;
	esac
	if [ ! -e "$RDMA_PROVIDER_DIR/$(uname -r)/rdma_rxe.ko" ] ||
	   [ ! -e "$RDMA_PROVIDER_DIR/librxe-rdmav34.so" ]; then
		echo "Bail out! tests/rdma-provider is not built in $RDMA_PROVIDER_DIR (tests/vm/build builds it)"
		exit 1
	fi
}

rdma_heap() {
	ccshared_heap_ready || { echo "$heap_missing_reason" >&2; return 1; }
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
}

# rdma_rxe_up NETDEV ADDR/PREFIX: the patched rdma_rxe, and rxe0 on NETDEV.
rdma_rxe_up() {
	local dev=$1 addr=$2 m
	for m in ib_core ib_uverbs rdma_ucm udp_tunnel ip6_udp_tunnel; do
		modprobe "$m" || return 1
	done
	if [ ! -d /sys/module/rdma_rxe ]; then
		insmod "$RDMA_PROVIDER_DIR/$(uname -r)/rdma_rxe.ko" || return 1
	fi
	[ -e /sys/bus/platform/devices/rxe_dmabuf ] || {
		echo "rdma_rxe is loaded but is not the test copy (no rxe_dmabuf device)" >&2
		return 1
	}
	ip addr show dev "$dev" | grep -q "inet ${addr%/*}/" || ip addr add "$addr" dev "$dev" || return 1
	ip link set "$dev" up || return 1
	[ -d /sys/class/infiniband/rxe0 ] || rdma link add rxe0 type rxe netdev "$dev" || return 1
	if [ ! -e "$RDMA_STOCK_PROVIDER" ]; then
		mkdir -p "${RDMA_STOCK_PROVIDER%/*}"
		cp "$RDMA_PROVIDER_LIB" "$RDMA_STOCK_PROVIDER" || return 1
	fi
	rdma_provider patched
}

# rdma_provider patched|stock: which rxe provider new processes load.
rdma_provider() {
	if [ "$1" = stock ]; then
		cp "$RDMA_STOCK_PROVIDER" "$RDMA_PROVIDER_LIB"
	else
		cp "$RDMA_PROVIDER_DIR/librxe-rdmav34.so" "$RDMA_PROVIDER_LIB"
	fi
}

# One guest: rxe0 on a dummy netdev; client and server talk over it.
rdma_setup() {
	rdma_heap || return 1
	modprobe dummy || return 1
	ip link show ccs0 >/dev/null 2>&1 || ip link add ccs0 mtu 9000 type dummy || return 1
	rdma_rxe_up ccs0 "$RDMA_ADDR/24"
}

# rdma_setup_or_bail: rdma_setup, its output as diagnostics; a setup that
# fails ends the test with "Bail out!".
rdma_setup_or_bail() {
	local out status
	out=$(rdma_setup 2>&1)
	status=$?
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# setup: /'
	if [ $status != 0 ] || [ ! -d /sys/class/infiniband/rxe0 ]; then
		echo "Bail out! the test rxe did not come up (status $status)"
		exit 1
	fi
}

# rdma_pair ARGS...: run a server and a client with the same ARGS over
# rxe0; print both outputs as diagnostics; fail unless both exit 0.  The
# sample bounds its own waits (-t), and timeout(1) bounds each side again
# (RDMA_PAIR_TIMEOUT, default 120 s), so that a hang ends with both sides'
# output and the name of the side that hung, not with the part's timeout.
rdma_pair() {
	local port=$((20000 + RANDOM % 10000)) limit=${RDMA_PAIR_TIMEOUT:-120}
	local out status=0 sstatus spid side
	out=$(mktemp -d)
	timeout -k 5 "$limit" ccshared_rdma_write -p "$port" -b "$RDMA_ADDR" "$@" >"$out/server" 2>&1 &
	spid=$!
	for _ in $(seq 100); do
		grep -q listening "$out/server" && break
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
	timeout -k 5 "$limit" ccshared_rdma_write -p "$port" "$@" "$RDMA_ADDR" >"$out/client" 2>&1 || status=$?
	# A client that never connected leaves the server waiting (-t bounds it).
	[ $status = 0 ] || kill "$spid" 2>/dev/null
	wait "$spid"
	sstatus=$?
	for side in client server; do
		case $([ $side = client ] && echo $status || echo $sstatus) in
		124|137) echo "# $side: still running after $limit s: killed (timeout)" ;;
		esac
	done
	[ $status != 0 ] || status=$sstatus
	sed -E 's/^(server: )?/# server: /' "$out/server"
	sed -E 's/^(client: )?/# client: /' "$out/client"
	rm -rf "$out"
	return $status
}
