#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every kernel source file in the project is clean under checkpatch --strict
# (from Debian's linux-source-7.3).  One TAP line per file.
set -uo pipefail
. "$(dirname "$0")/../vm/lib.sh"
top=$TOP
src=$("$top/tests/vm/kernel-source") || { echo "Bail out! cannot unpack linux-source-7.3"; exit 1; }
. "$VERSIONS_ENV"
cd "$top"
mapfile -t files < <(git ls-files -co --exclude-standard -- 'heap/*.[ch]' 'consumer-driver/*.[ch]' \
	'tests/vm/smoke/*.[ch]' 'tests/vm/coco-emul/*.[ch]' 'tests/vm/fake-exporter/*.[ch]' 'tests/vm/testkit/*.[ch]' 'tests/rdma-provider/*.[ch]' | sort)
echo "1..${#files[@]}"
n=0 failed=0
for f in "${files[@]}"; do
	n=$((n + 1))
	# The root's perl: a minimal host has only perl-base.
	if out=$(chroot_run "$ROOT" perl "$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types -f "$f" 2>&1); then
		echo "ok $n - checkpatch --strict $f"
	else
		echo "not ok $n - checkpatch --strict $f"
		printf '%s\n' "$out" | sed 's/^/# /'
		failed=1
	fi
done
exit $failed
