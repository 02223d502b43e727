#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# perftest's --use_dmabuf_heap (tests/perftest) on bad input, before the
# heap is loaded (this test sorts before anything loads it).  Each case
# fails while the options are parsed, before any device or peer is
# needed, with a message and exit status 1:
#   - the default heap, system_cc_shared, is missing: the message names
#     its path and the error, and lists the heaps there are;
#   - a heap that does not exist, up to a name of NAME_MAX (255) bytes;
#   - names that are not one entry of /dev/dma_heap: empty, ".", "..",
#     with a '/', 256 bytes;
#   - another memory type given as well.
# An existing heap (the kernel's "system") passes the parser: the run then
# stops at the missing device.  Needs no RDMA device: runs on every kernel.
. "$(dirname "$0")/rdma-setup.sh"
. "$(dirname "$0")/perftest.sh"
. "$CCSHARED_SRC/tests/lib/tap.sh"
tests=(ib_write_bw ib_read_bw ib_send_bw)
name255=$(printf 'h%.0s' $(seq 255))
name256=${name255}h
missing=("ccshared_no_such_heap" "$name255")
invalid=("" "." ".." "../system" "a/b" "/dev/dma_heap/system" "$name256")
plan $((${#tests[@]} * (4 + 2 * ${#missing[@]} + 2 * ${#invalid[@]} + 3)))
msg=$(perftest_built) || { echo "Bail out! $msg"; exit 1; }
if [ -e /dev/dma_heap/system_cc_shared ]; then
	echo "Bail out! system_cc_shared is there already: 0-perftest-no-heap must run before anything loads the heap"
	exit 1
fi
heaps=$(ls /dev/dma_heap 2>/dev/null | tr '\n' ' ')
heaps=${heaps% }

# run TEST ARGS...: sets out (its output) and status; bounded, as a
# parser that let a bad option through would wait for a peer.
run() {
	local test=$1
	shift
	out=$(timeout -k 5 30 "$PERFTEST_BIN/$test" "$@" 2>&1)
	status=$?
}

for t in "${tests[@]}"; do
	run "$t" --use_dmabuf_heap
	is "$t --use_dmabuf_heap, no heap loaded: exit status 1" "$status" 1
	printf '%s\n' "$out" | sed 's/^/# /'
	check "... the message names the default heap's path and the error" \
		grep -q "^ Couldn't open DMA-BUF heap /dev/dma_heap/system_cc_shared: No such file or directory$" <<<"$out"
	if [ -n "$heaps" ]; then
		check "... and lists the heaps there are ($heaps)" grep -qx " Heaps in /dev/dma_heap: $heaps" <<<"$out"
	else
		check "... and says there are no heaps" grep -q "^ No DMA-BUF heaps on this system\| Heaps in /dev/dma_heap: none" <<<"$out"
	fi
	check "... and it is the parser that stopped it" grep -q "Parser function exited with Error" <<<"$out"

	for name in "${missing[@]}"; do
		run "$t" "--use_dmabuf_heap=$name"
		is "$t, a heap that does not exist (name of ${#name} bytes): exit status 1" "$status" 1
		check "... the message names /dev/dma_heap/<name>: No such file or directory" \
			grep -q "^ Couldn't open DMA-BUF heap /dev/dma_heap/$name: No such file or directory$" <<<"$out"
	done
	for name in "${invalid[@]}"; do
		run "$t" "--use_dmabuf_heap=$name"
		is "$t --use_dmabuf_heap='${name:0:24}' (${#name} bytes): exit status 1" "$status" 1
		check "... the message says the name is invalid" \
			grep -q "^ Invalid DMA-BUF heap name '$name': give the name of an entry of /dev/dma_heap$" <<<"$out"
	done

	run "$t" --mmap=/dev/zero --use_dmabuf_heap=ccshared_no_such_heap
	is "$t --mmap and --use_dmabuf_heap: exit status 1" "$status" 1
	check "... the message says only one memory type can be used" grep -q "Can't use multiple memory types" <<<"$out"

	# The control: a heap that exists gets past the parser.
	run "$t" --use_dmabuf_heap=system -d ccshared_no_such_device
	check "$t --use_dmabuf_heap=system (a heap there is) passes the parser and stops at the missing device (status $status)" \
		bash -c '! grep -q "Parser function exited with Error\|DMA-BUF heap" <<<"$1" &&
			grep -q "Unable to find the Infiniband/RoCE device\|IB device ccshared_no_such_device not found\|Did not detect devices" <<<"$1"' bash "$out"
done
done_testing
