#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# modprobe registers the heap with the parameters of a modprobe.d file;
# the packaged udev rule, and nothing else, gives the ccshared group access
# to it: a member allocates, maps and writes, a user outside the group gets
# EACCES.  The guest has no init that starts udevd, so this test starts
# systemd-udevd itself, after the node exists, and shows the node's
# permissions before udev, with the rule, with the rule masked and with
# it back.
. "$(dirname "$0")/lib.sh"

echo "options ccshared_heap force_non_coco=1" >"$MODPROBE_CONF"
check "modprobe ccshared_heap (force_non_coco=1 from $MODPROBE_CONF)" modprobe ccshared_heap
check "the heap is registered at $HEAP" test -c "$HEAP"
is "modprobe.d's force_non_coco=1 reached the module" \
	"$(cat /sys/module/ccshared_heap/parameters/force_non_coco 2>&1)" "Y"
# 7.x kernels make it a dma-heap device, 6.12 a misc device (heap/compat.c).
if [ -d /sys/class/dma_heap/system_cc_shared ]; then
	class=dma_heap
else
	class=misc
fi
check "the device is in the $class class" test -d "/sys/class/$class/system_cc_shared"

# Two users, alike but for the group.
useradd --system --no-create-home --user-group --shell /usr/sbin/nologin --groups "$GROUP" "$MEMBER" &&
	useradd --system --no-create-home --user-group --shell /usr/sbin/nologin "$OUTSIDER"
in_group() { id -nG "$1" | tr ' ' '\n' | grep -qx "$GROUP"; }
check "$MEMBER is in $GROUP" in_group "$MEMBER"
check "$OUTSIDER is not" sh -c "! id -nG $OUTSIDER | tr ' ' '\n' | grep -qx $GROUP"

# Before udev: what the kernel alone gives (devtmpfs).
check "udevd is not running yet" sh -c "! udevadm control --ping 2>/dev/null"
is "without udev the node is root's alone" "$(node_perms)" "600 root:root"
is "without udev $MEMBER gets EACCES" "$(heap_rw "$MEMBER" 4096)" "open: EACCES"

check "systemd-udevd starts" start_udevd
check "udev replays the heap's add event" udev_retrigger add
is "with the rule the node is $GROUP's, mode 0660" "$(node_perms)" "660 root:$GROUP"
syspath=$(udevadm info --query=path --name="$HEAP" 2>&1)
check "udevadm test names 60-ccshared.rules for $syspath" sh -c \
	"udevadm test --action=add '$syspath' 2>&1 | grep -q '60-ccshared.rules'"

is "$MEMBER allocates 4 MiB, maps it, writes and reads it back" "$(heap_rw "$MEMBER" $((4 << 20)))" "ok"
out=$(as_user "$MEMBER" /usr/bin/ccshared alloc 2M --fill 0xa5 2>&1)
check "$MEMBER: ccshared alloc 2M --fill 0xa5" grep -q "^allocated 2 MiB from system_cc_shared .*, filled$" <<<"$out" ||
	printf '# %s\n' "$out"
is "$OUTSIDER gets EACCES" "$(heap_rw "$OUTSIDER" 4096)" "open: EACCES"
out=$(as_user "$OUTSIDER" /usr/bin/ccshared alloc 4K 2>&1)
is "$OUTSIDER: ccshared alloc exits 3" $? 3
check "$OUTSIDER: ccshared alloc says Permission denied" grep -q "Permission denied" <<<"$out" ||
	printf '# %s\n' "$out"

# Nothing else gives that access: with the rule masked (a link to
# /dev/null in /etc/udev/rules.d, the documented way to turn it off), a
# node put back as the kernel made it stays so through udev's add event;
# with the rule back, the same event gives the group access again.  (udev
# never takes back what a rule gave; hence the reset.)
ln -s /dev/null /etc/udev/rules.d/60-ccshared.rules
udevadm control --reload
chown root:root "$HEAP" && chmod 0600 "$HEAP"
check "with the rule masked, udev replays the add event" udev_retrigger add
is "with the rule masked the node stays root's alone" "$(node_perms)" "600 root:root"
is "with the rule masked $MEMBER gets EACCES" "$(heap_rw "$MEMBER" 4096)" "open: EACCES"
rm /etc/udev/rules.d/60-ccshared.rules
udevadm control --reload
check "with the rule back, udev replays a change event" udev_retrigger change
is "with the rule back the node is $GROUP's again" "$(node_perms)" "660 root:$GROUP"
is "with the rule back $MEMBER allocates again" "$(heap_rw "$MEMBER" 65536)" "ok"

# The misc-device heap (6.12) unloads: load it again with udevd running,
# and the kernel's own add event, not a replayed one, gets the rule.
if [ $class = misc ]; then
	check "rmmod ccshared_heap" rmmod ccshared_heap
	check "modprobe ccshared_heap with udevd running" modprobe ccshared_heap
	udevadm settle --timeout=30
	is "the new node is $GROUP's from the start" "$(node_perms)" "660 root:$GROUP"
else
	skip "a fresh add event for a new node" "by design: the dma-heap heap (7.x) cannot be unloaded"
fi

# The packaged CLI reports the packaged module.
info=$(/usr/bin/ccshared info 2>&1)
check "ccshared info: system_cc_shared is served by ccshared_heap" \
	grep -qx "system_cc_shared: served by ccshared_heap" <<<"$info"
check "ccshared info: the module's force_non_coco is Y" \
	grep -qE "^  force_non_coco +Y$" <<<"$info"
check "ccshared info --json: module_loaded, heap_provider ccshared_heap" sh -c \
	"/usr/bin/ccshared info --json | python3 -c 'import json, sys; i = json.load(sys.stdin); sys.exit(not (i[\"module_loaded\"] and i[\"heap_provider\"] == \"ccshared_heap\"))'"
[ $_tap_failed = 0 ] || printf '# %s\n' "$info"

echo "1..$_tap_n"
done_testing
