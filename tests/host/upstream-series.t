#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The patch series in upstream/ is ready to send: each patch is clean under
# checkpatch --strict (Debian's linux-source-7.3), and the series applies,
# in order, to that source.  (Part 2's conformance suite runs the patched
# heap; tests/upstream-heap/build applies the same series.)
set -uo pipefail
. "$(dirname "$0")/../vm/lib.sh"
src=$("$TOP/tests/vm/kernel-source") || { echo "Bail out! cannot unpack linux-source-7.3"; exit 1; }
. "$VERSIONS_ENV"
cd "$TOP"
patches=(upstream/*.patch)
[ -e "${patches[0]}" ] || { echo "Bail out! no patches in upstream/"; exit 1; }
echo "1..$((${#patches[@]} + 1))"
n=0 failed=0
for p in "${patches[@]}"; do
	n=$((n + 1))
	if out=$(chroot_run "$ROOT" perl "$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types "$p" 2>&1); then
		echo "ok $n - checkpatch --strict $p"
	else
		echo "not ok $n - checkpatch --strict $p"
		printf '%s\n' "$out" | sed 's/^/# /'
		failed=1
	fi
done
tmp=$(mktemp -d "$TOP/build/upstream-series.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/drivers/dma-buf/heaps"
cp "$src/drivers/dma-buf/heaps/system_heap.c" "$tmp/drivers/dma-buf/heaps/"
cp "$src/drivers/dma-buf/dma-heap.c" "$tmp/drivers/dma-buf/"
n=$((n + 1)) applied=1 out=
for p in "${patches[@]}"; do
	if ! out=$(chroot_run "$ROOT" patch -p1 -d "$tmp" -i "$TOP/$p" 2>&1); then
		out="$p: $out" applied=
		break
	fi
done
if [ -n "$applied" ]; then
	echo "ok $n - the series applies to linux-source-7.3, in order"
else
	echo "not ok $n - the series applies to linux-source-7.3, in order"
	printf '%s\n' "$out" | sed 's/^/# /'
	failed=1
fi
exit $failed
