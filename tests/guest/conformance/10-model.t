#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The CoCo memory model (tests/vm/coco-emul/ccshared_coco_mem.c) does what
# it claims.  ccshared_testkit converts and frees pages on command, as a
# heap would: a correct sequence (allocate, share, zero, unshare, free)
# breaks no rule, and each rule fires on a violation planted on purpose,
# rule 2 on each of the page allocator's free paths.  Conversions poison the
# pages; injected failures leave them unknown, count down only for the
# chosen caller, and fail with the chosen errno; reset clears the counters
# but not the pages' states.
. "$CCSHARED_SRC/tests/lib/tap.sh"
. "$CCSHARED_SRC/tests/guest/conformance/model.sh"
plan 28

check "load ccshared_coco_mem" ccshared-load ccshared_coco_mem || exit 1
check "load ccshared_testkit" ccshared-load ccshared_testkit || exit 1

# A correct sequence.
s=$(kit_alloc 2)
is "share a 4-page chunk" "$(kit_ret "$(kit_pages share "$s")")" 0
is "the model counts it shared" "$(model_value pages shared) $(model_caller ccshared_testkit shared)" "4 4"
is "its contents are the poison now, not what was there" "$(kit_peek "$(kit_pages peek "$s")")" "0xa5 1"
kit_pages zero "$s" >/dev/null
is "unshare it" "$(kit_ret "$(kit_pages unshare "$s")")" 0
is "and poison again after converting back" "$(kit_peek "$(kit_pages peek "$s")")" "0xa5 1"
kit_pages free "$s" >/dev/null
is "a correct sequence breaks no rule" "$(model_violations)" "0 0 0"
is "the caller's conversions and pages are counted" \
	"$(model_caller ccshared_testkit to_shared) $(model_caller ccshared_testkit to_shared_pages) $(model_caller ccshared_testkit to_private) $(model_caller ccshared_testkit to_private_pages) $(model_value pages shared)" \
	"1 4 1 4 0"

# Rule 1: to private, not shared.
s=$(kit_alloc 0)
kit_pages unshare "$s" >/dev/null
is "rule 1 fires on converting a private page to private" "$(model_violations)" "1 0 0"
check "the log names the caller and its function" \
	grep -q "testkit_pages_.*ccshared_testkit" "$model/log"
check "the log starts at the caller, not in the model" \
	sh -c "sed -n 2p $model/log | grep -q testkit_pages_"
kit_pages free "$s" >/dev/null
echo 1 >"$model/fail_to_shared"
s=$(kit_alloc 0)
is "an injected failure returns EIO" "$(kit_ret "$(kit_pages share "$s")")" -5
is "and leaves the page unknown" "$(model_value pages unknown) $(model_caller ccshared_testkit unknown)" "1 1"
kit_pages unshare "$s" >/dev/null
is "rule 1 fires on converting an unknown page to private" "$(model_violations)" "2 0 0"
kit_pages free "$s" >/dev/null

# Rule 3: to shared, already shared.
s=$(kit_alloc 0)
kit_pages share "$s" >/dev/null
kit_pages share "$s" >/dev/null
is "rule 3 fires on sharing a shared page" "$(model_violations)" "2 0 1"
kit_pages unshare "$s" >/dev/null
kit_pages free "$s" >/dev/null

# Rule 2 on every free path, for shared and unknown pages.
for path in free put batch; do
	s=$(kit_alloc 0)
	kit_pages share "$s" >/dev/null
	before=$(model_value violations freed_not_private)
	kit_pages "$path" "$s" >/dev/null
	is "rule 2 fires on a shared page freed through '$path'" \
		"$(model_value violations freed_not_private)" $((before + 1))
done
s=$(kit_alloc 3)
kit_pages share "$s" >/dev/null
kit_pages free "$s" >/dev/null
check "rule 2 counts every page of a freed chunk" grep -q "^freed_not_private by ccshared_testkit: 8 page" "$model/log"
echo 1 >"$model/fail_to_shared"
s=$(kit_alloc 0)
kit_pages share "$s" >/dev/null
kit_pages free "$s" >/dev/null
is "rule 2 fires on an unknown page freed" "$(model_violations)" "2 5 1"
is "a freed page is the allocator's: nothing is left shared or unknown" \
	"$(model_value pages shared) $(model_value pages unknown)" "0 0"

# Fault injection: the Nth call, the errno, the caller.
echo ccshared_heap >"$model/fail_caller"
echo 1 >"$model/fail_to_shared"
s=$(kit_alloc 0)
is "a failure for another module leaves this caller alone" \
	"$(kit_ret "$(kit_pages share "$s")") $(cat "$model/fail_to_shared")" "0 1"
echo >"$model/fail_caller"
echo 0 >"$model/fail_to_shared"
echo 12 >"$model/fail_errno"
echo 2 >"$model/fail_to_private"
r1=$(kit_ret "$(kit_pages unshare "$s")")
kit_pages share "$s" >/dev/null
r2=$(kit_ret "$(kit_pages unshare "$s")")
is "the 2nd conversion to private fails, with the chosen errno" "$r1 $r2" "0 -12"
is "and that page is unknown" "$(model_value pages unknown)" 1
echo 5 >"$model/fail_errno"
# An unknown page must never be freed: leak it, as a heap must.
kit_pages leak "$s" >/dev/null

echo 1 >"$model/reset"
is "reset clears the counters and violations" \
	"$(model_violations) $(model_value stats to_shared) $(model_caller ccshared_testkit to_shared) $(wc -c <"$model/log")" \
	"0 0 0 0 0 0"
is "but not the pages' states" "$(model_value pages unknown)" 1
is "the kretprobes missed no call" "$(model_value stats missed)" 0

rmmod ccshared_testkit
rmmod ccshared_coco_mem
done_testing
