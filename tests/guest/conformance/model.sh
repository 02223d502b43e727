# SPDX-License-Identifier: GPL-2.0
# Sourced by guest tests (in the guest): read and drive the CoCo memory
# model (ccshared_coco_mem) and the test kit (ccshared_testkit).
model=/sys/kernel/debug/ccshared_coco_mem
kit=/sys/kernel/debug/ccshared_testkit

# model_value FILE KEY: the value of "KEY: value" in the model's FILE.
model_value() { sed -n "s/^$2: //p" "$model/$1"; }

# model_caller NAME KEY: KEY=value from NAME's line in callers (0 if absent).
model_caller() {
	local v
	v=$(awk -v name="$1" -v key="$2" '$1 == name {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) print kv[2] } }' \
		"$model/callers")
	echo "${v:-0}"
}

# model_violations: the three counts, "a b c".
model_violations() {
	echo "$(model_value violations to_private_not_shared)" \
		"$(model_value violations freed_not_private)" \
		"$(model_value violations to_shared_already_shared)"
}

# kit_pages CMD ARG: run one page command; print its result line.
kit_pages() {
	echo "$1 $2" >"$kit/pages" 2>/dev/null
	cat "$kit/pages"
}

# kit_ret LINE / kit_slot LINE / kit_first LINE: fields of a result line.
kit_ret() { sed -n 's/.*ret=\([-0-9]*\).*/\1/p' <<<"$1"; }
kit_slot() { sed -n 's/.*slot=\([-0-9]*\).*/\1/p' <<<"$1"; }
kit_peek() { sed -n 's/.*first=\(0x[0-9a-f]*\) uniform=\([01]\).*/\1 \2/p' <<<"$1"; }

# kit_alloc ORDER: allocate a chunk; print its slot.
kit_alloc() { kit_slot "$(kit_pages alloc "$1")"; }
