# SPDX-License-Identifier: GPL-2.0
# Sourced by the tests of the parts dpdk-nic-va and dpdk-nic-pa, which boot
# with two QEMU igb NICs, each cabled to a virtio-net peer (tests/vm/run
# --nic igb --nic igb), and QEMU tracing the NIC model's DMA (--trace).
#   NICS                  the two igb NICs' PCI addresses (ports 0 and 1)
#   nic_bind DRIVER       bind both to DRIVER (vfio-pci, uio_pci_generic)
#   nic_peers             set PEER0 and PEER1, the peers' interfaces
#   hugepages_on N        N 2 MiB hugepages mounted at /dev/hugepages
#   trace_mark            remember where QEMU's trace log ends now
#   device_ranges         what the NICs touched since trace_mark, as the
#                         device model saw it (nic-trace.py ranges)
#   ranges_check KIND DEV RANGES DEVICE
#                         every DEV range of DEVICE lies inside a KIND range
#                         of RANGES (nic-trace.py check)
. "$(dirname "${BASH_SOURCE[0]}")/dpdk-setup.sh"
NICS=(0000:00:08.0 0000:00:0a.0)
nic_fwd=$helpers/dpdk-nic-fwd

nic_bind() {
	local d
	modprobe "$1" || return
	for d in "${NICS[@]}"; do
		[ "$(cat "/sys/bus/pci/devices/$d/vendor" "/sys/bus/pci/devices/$d/device" | tr '\n' ' ')" = "0x8086 0x10c9 " ] ||
			{ echo "$d is not an 82576 (igb)"; return 1; }
		echo "$1" >"/sys/bus/pci/devices/$d/driver_override" &&
			echo "$d" >/sys/bus/pci/drivers_probe || return
		[ "$(basename "$(readlink "/sys/bus/pci/devices/$d/driver")")" = "$1" ] ||
			{ echo "$d did not bind to $1"; return 1; }
	done
}

# The peers by MAC (tests/vm/run gives peer N 52:54:00:cc:1N:02); promiscuous,
# because the test frames are not addressed to them.
nic_peers() {
	local n i
	modprobe virtio_net || return
	PEER0= PEER1=
	for _ in $(seq 50); do
		for n in /sys/class/net/*; do
			for i in 0 1; do
				[ "$(cat "$n/address")" = "52:54:00:cc:1$i:02" ] && printf -v "PEER$i" %s "${n##*/}"
			done
		done
		[ -n "$PEER0" ] && [ -n "$PEER1" ] && break
		sleep 0.1
	done
	[ -n "$PEER0" ] && [ -n "$PEER1" ] || { echo "peers not found"; return 1; }
	sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link set "$PEER0" up promisc on && ip link set "$PEER1" up promisc on
}

hugepages_on() {
	mkdir -p /dev/hugepages
	mountpoint -q /dev/hugepages || mount -t hugetlbfs none /dev/hugepages || return
	echo "$1" >/proc/sys/vm/nr_hugepages
	[ "$(cat /proc/sys/vm/nr_hugepages)" = "$1" ] || { echo "only $(cat /proc/sys/vm/nr_hugepages) hugepages"; return 1; }
}

trace_mark() {
	[ -r "${CCSHARED_QEMU_TRACE:-}" ] || { echo "Bail out! no QEMU trace log (tests/vm/run --trace)"; exit 1; }
	trace_from=$(($(wc -l <"$CCSHARED_QEMU_TRACE") + 1))
}

# device_ranges: what the NICs did since trace_mark (nic-trace.py ranges).
device_ranges() {
	"$CCSHARED_SRC/tests/guest/dpdk/nic-trace.py" ranges "$CCSHARED_QEMU_TRACE" "$trace_from"
}

# ranges_check KIND DEV RANGES DEVICE (nic-trace.py check).
ranges_check() {
	"$CCSHARED_SRC/tests/guest/dpdk/nic-trace.py" check "$@"
}

# nic_fwd_run POOL RANGES LOG EAL...: start dpdk-nic-fwd with POOL (private,
# ccshared) in the background, held at its exit (hold_at_exit), and wait
# until it forwards; status 1, with its log, if it does not.
nic_fwd_run() {
	local pool=$1 ranges=$2 log=$3
	shift 3
	hold_at_exit --bg "$log" "$nic_fwd" "$@" -- "$pool" "$ranges"
	for _ in $(seq 600); do
		grep -q "^forwarding with" "$log" && return 0
		[ -n "$(held_child)" ] || kill -0 "$held_strace" 2>/dev/null || break
		grep -q '^exit_group(' "$held_trace" && break
		sleep 0.1
	done
	sed 's/^/# /' "$log"
	return 1
}

# nic_fwd_stop: SIGINT, and wait until it is held at its exit (then
# held_check, held_release).
nic_fwd_stop() {
	local child
	child=$(held_child)
	[ -z "$child" ] || kill -INT "$child"
	hold_wait
}
