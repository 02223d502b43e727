# SPDX-License-Identifier: GPL-2.0
# The body of tests/guest/dpdk-nic-{va,pa}/10-forward.t, sourced with MODE
# set to va (intel-iommu, vfio-pci, IOVA as VA) or pa (no IOMMU,
# uio_pci_generic, IOVA as PA).
#
# Two igb NICs (ports 0 and 1), each cabled to a virtio-net peer the kernel
# drives.  dpdk-frames sends COUNT known frames from one peer and checks
# that each comes out of the other peer unchanged, both ways.  What the
# NICs DMA to is read from QEMU's trace of the igb model, the device's own
# side, and compared with the pool's data rooms, the ring memzones and the
# shared buffer.  First with a plain DPDK pool (the bed works, and the
# trace check sees what the device does), then with a ccshared pool, and
# last with a ccshared pool asked for without CAP_SYS_ADMIN (refused).
. "$(dirname "${BASH_SOURCE[0]}")/nic-setup.sh"
dpdk_require
[ -x "$nic_fwd" ] || { echo "Bail out! $nic_fwd is not built"; exit 1; }
ccshared_heap_require
trace_mark
plan 25
COUNT=${COUNT:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$MODE" = va ]; then
	driver=vfio-pci
	EAL_NIC=(-l 0 --no-telemetry -m 128 --iova-mode=va -a "${NICS[0]}" -a "${NICS[1]}")
	check "the IOMMU translates: intel_iommu=on, $(ls /sys/class/iommu 2>/dev/null | head -1)" \
		test -d /sys/class/iommu/dmar0
else
	driver=uio_pci_generic
	EAL_NIC=(-l 0 --no-telemetry -m 128 --iova-mode=pa -a "${NICS[0]}" -a "${NICS[1]}")
	check "no IOMMU translates" test ! -e /sys/class/iommu/dmar0
fi
check "both igb NICs (${NICS[*]}) bound to $driver" nic_bind "$driver"
# Not through check: nic_peers sets PEER0 and PEER1 here.
nic_peers >"$work/peers.log" 2>&1
_tap_result $? "the peers are up: ${PEER0:-none} and ${PEER1:-none}"
sed 's/^/# /' "$work/peers.log"
# EAL's own memory: hugepages (PA mode cannot use --no-huge).
check "64 hugepages for EAL" hugepages_on 64

# forward_and_check POOL WHAT: forward COUNT frames each way with POOL;
# 5 results.  Sets dev and ranges to the device's and the program's ranges.
forward_and_check() {
	local pool=$1 what=$2 log=$work/$1.log
	ranges=$work/$pool.ranges dev=$work/$pool.device
	trace_mark
	if ! nic_fwd_run "$pool" "$ranges" "$log" "${EAL_NIC[@]}"; then
		nic_fwd_stop
		held_leak_check "$what"
		held_release
		_tap_result 1 "$what: dpdk-nic-fwd starts on both NICs"
		for d in "$PEER0 -> $PEER1" "$PEER1 -> $PEER0"; do
			_tap_result 1 "$what: $COUNT frames $d unchanged (not run: it did not start)"
		done
		_tap_result 1 "$what: SIGINT stops it with status 0 (not run)"
		: >"$ranges"
		: >"$dev"
		return 1
	fi
	_tap_result 0 "$what: dpdk-nic-fwd starts on both NICs"
	check "$what: $COUNT frames $PEER0 -> $PEER1 come out unchanged" "$helpers/dpdk-frames" "$PEER0" "$PEER1" "$COUNT"
	check "$what: $COUNT frames $PEER1 -> $PEER0 come out unchanged" "$helpers/dpdk-frames" "$PEER1" "$PEER0" "$COUNT"
	nic_fwd_stop
	held_leak_check "$what"
	held_release
	is "$what: SIGINT stops it with status 0" "$held_exit" 0
	grep -Ev '^EAL: (Detected|Multi-process)' "$log" | sed 's/^/# /'
	device_ranges >"$dev"
	printf '# the device: %s\n' "$(cut -d' ' -f1 "$dev" | sort | uniq -c | tr -s ' \n' ' ')"
}

# held_leak_check WHAT: the process, held at its exit whether it worked
# or failed, has given every dma-buf back and the heap is empty; one result.
held_leak_check() {
	held_check "$1: as it exits, it holds no dma-buf and the heap is empty" nothing_held
}
nothing_held() { dmabufs_are 0 && heap_is_empty; }

forward_and_check private "plain pool"
check "plain pool: every frame the NIC wrote lies in an mbuf's data room" ranges_check data rxbuf "$ranges" "$dev"
check "plain pool: every buffer the NIC read for Tx lies in an mbuf's data room" ranges_check data txbuf "$ranges" "$dev"
check "plain pool: every ring the NIC was given is a ring memzone" ranges_check ring ring "$ranges" "$dev"
check "plain pool: every Rx descriptor the NIC read lies in a ring memzone" ranges_check ring rxdesc "$ranges" "$dev"

forward_and_check ccshared "ccshared pool"
check "ccshared pool: every frame the NIC wrote lies in the shared buffer" \
	ranges_check shared rxbuf "$ranges" "$dev"
check "ccshared pool: every buffer the NIC read for Tx lies in the shared buffer" \
	ranges_check shared txbuf "$ranges" "$dev"
check "ccshared pool: every ring the NIC was given lies in shared memory" \
	ranges_check shared ring "$ranges" "$dev"
check "ccshared pool: every Rx descriptor the NIC read lies in shared memory" \
	ranges_check shared rxdesc "$ranges" "$dev"

# Bad input on the NIC: a process that dropped CAP_SYS_ADMIN after EAL
# start-up asks for the ccshared pool.  PA mode cannot learn the DMA
# addresses (EPERM); VA mode cannot make the buffer pinnable, so VFIO
# refuses it (EFAULT), and the log says why.  Either way it holds no
# dma-buf as it exits; 2 results.
if [ "$MODE" = va ]; then
	why="Couldn't DMA-map [0-9]+ bytes at IOVA 0x[0-9a-f]+ for [^ ]+: Bad address \(the buffer's mapping cannot be pinned: Operation not permitted\)"
	errno_text="Bad address"
else
	why="Couldn't find the DMA addresses of the buffer for PA mode: /dev/ccshared_heap needs CAP_SYS_ADMIN"
	errno_text="Operation not permitted"
fi
log=$work/unprivileged.log
if nic_fwd_run ccshared-unprivileged "$work/unprivileged.ranges" "$log" "${EAL_NIC[@]}"; then
	nic_fwd_stop
fi
hold_wait
held_leak_check "without CAP_SYS_ADMIN"
held_release
unprivileged_refused() {
	[ "$held_exit" = 1 ] && grep -Eq "$why" "$log" &&
		grep -q "^Couldn't create the ccshared pool: $errno_text\$" "$log"
}
check "without CAP_SYS_ADMIN: the ccshared pool is refused ($errno_text), saying why, exit status 1" \
	unprivileged_refused
is_heap_empty "the heap is empty afterwards"
done_testing
