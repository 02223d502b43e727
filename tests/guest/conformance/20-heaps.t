#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The heap conformance suite (heap-conformance, conform.c) against every
# cc-shared heap this kernel can run, under the CoCo memory model:
#   ccshared_heap               ours (both kernels);
#   upstream_cc_shared          the in-tree heap from Debian's 7.3 source,
#                               as a module (tests/upstream-heap), 7.3 only;
#   upstream_cc_shared_patched  the same with the series in upstream/
#                               applied, on its patched private dma-heap
#                               core, 7.3 only.
# The in-tree heap needs the 7.x dma-heap core and DMA_ATTR_CC_SHARED: on
# 6.12 each of its columns is one skip that says so.  Known failures are in
# expected-failures; they are reported as TODO, and one that passes fails.
. "$CCSHARED_SRC/tests/lib/tap.sh"
. "$CCSHARED_SRC/tests/lib/guest-heap.sh"
here=$CCSHARED_SRC/tests/guest/conformance
conform=$CCSHARED_BUILD/tests/guest/conformance/heap-conformance
upstream=$CCSHARED_BUILD/upstream-heap
export DMABUF_HEAP_SELFTEST=$upstream/dmabuf-heap
kernel=$(uname -r | cut -d. -f1,2)

n=0 failed=0
# emit "ok|not ok REST": one numbered result.  A TODO result is an expected
# failure: "not ok # TODO" is one, "ok # TODO" is an unexpected pass.
emit() {
	n=$((n + 1))
	case $1 in
	"not ok "*) echo "not ok $n - ${1#not ok }" ;;
	*) echo "ok $n - ${1#ok }" ;;
	esac
	case $1 in
	"not ok "*" # TODO "*) ;;
	"not ok "* | "ok "*" # TODO "*) failed=1 ;;
	esac
}

# expectation HEAP CHECK: the reason it is expected to fail here, or nothing.
expectation() {
	awk -v heap="$1" -v check="$2" -v kernel="$kernel" '
		/^#/ || NF < 4 { next }
		$1 == heap && $3 == check && ($2 == kernel || $2 == "*") {
			$1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit }' "$here/expected-failures"
}

# run_heap LABEL HEAP MODULE [SETTLE]: the suite against one heap.
run_heap() {
	local label=$1 line check rest reason planned=0 results=0
	shift
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ [0-9]+\ -\ ([a-z0-9-]+):\ (.*)$ ]]; then
			check=${BASH_REMATCH[2]} rest=${BASH_REMATCH[3]}
			results=$((results + 1))
			reason=$(expectation "$label" "$check")
			line="${BASH_REMATCH[1]}ok [$label] $check: $rest"
			[ -z "$reason" ] || line="$line # TODO expected to fail: $reason"
			emit "$line"
		elif [[ $line =~ ^1\.\.([0-9]+)$ ]]; then
			planned=${BASH_REMATCH[1]}
		else
			echo "# [$label] ${line#\# }"
		fi
	done < <("$conform" "$@" 2>&1; echo "# exit status $?")
	[ "$planned" -gt 0 ] && [ "$results" = "$planned" ] ||
		emit "not ok [$label] the suite printed $results of $planned results"
}

fail_setup() { emit "not ok [$1] $2"; }

ccshared-load ccshared_coco_mem || { echo "Bail out! cannot load ccshared_coco_mem"; exit 1; }
ccshared-load ccshared_testkit || { echo "Bail out! cannot load ccshared_testkit"; exit 1; }
# An importer for the selftest's import check; absent, that check skips.
modprobe vgem 2>/dev/null || echo "# vgem is not available: the selftest's import check skips"

if ccshared_heap_ready; then
	run_heap ccshared_heap system_cc_shared ccshared_heap /sys/kernel/debug/ccshared_heap/drain_pool
else
	fail_setup ccshared_heap "the heap is not available: $heap_missing_reason"
fi

case $kernel in
7.*)
	ko=$upstream/$(uname -r)
	if insmod "$ko/upstream_cc_shared.ko" && [ -c /dev/dma_heap/upstream_cc_shared ]; then
		run_heap upstream_cc_shared upstream_cc_shared upstream_cc_shared
	else
		fail_setup upstream_cc_shared "the in-tree heap module did not load from $ko"
	fi
	if insmod "$ko/upstream_dma_heap.ko" && insmod "$ko/upstream_cc_shared_patched.ko" &&
		[ -c /dev/dma_heap/upstream_cc_shared_patched ]; then
		run_heap upstream_cc_shared_patched upstream_cc_shared_patched upstream_cc_shared_patched
	else
		fail_setup upstream_cc_shared_patched "the patched in-tree heap modules did not load from $ko"
	fi
	;;
*)
	for label in upstream_cc_shared upstream_cc_shared_patched; do
		emit "ok [$label] # SKIP by design: the in-tree heap needs the 7.x dma-heap core and DMA_ATTR_CC_SHARED, so it runs on 7.3 only"
	done
	;;
esac

echo "# model: $(tr '\n' ' ' </sys/kernel/debug/ccshared_coco_mem/stats)"
sed 's/^/# model: /' /sys/kernel/debug/ccshared_coco_mem/callers
sed 's/^/# model log: /' /sys/kernel/debug/ccshared_coco_mem/log
echo "1..$n"
exit $failed
