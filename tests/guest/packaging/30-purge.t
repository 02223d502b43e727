#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
# dpkg --purge leaves nothing behind: no file any package listed, no
# DKMS tree, no module under /usr/lib/modules, no dpkg state.  The
# ccshared group stays, as system groups do on Debian (files elsewhere
# may carry its gid).  On 6.12 the heap unloads first; on 7.x it cannot
# (dma_heap_add has no inverse), stays registered until reboot, and the
# package's postrm hands the node back to root.
. "$(dirname "$0")/lib.sh"
release=$(uname -r)
version=$(dkms_version)

# What the packages own, before they go.
for pkg in "${PACKAGES[@]}"; do
	dpkg -L "$pkg"
done | sort -u >"$STATE/files"
check "dpkg -L lists the packages' files ($(wc -l <"$STATE/files") paths)" test -s "$STATE/files"

if [ -d /sys/class/misc/system_cc_shared ]; then
	check "the misc-device heap (6.12) unloads: rmmod ccshared_heap" rmmod ccshared_heap
	check "... and its node is gone" test ! -e "$HEAP"
else
	check "the dma-heap heap (7.x) stays registered: rmmod refuses" sh -c "! rmmod ccshared_heap 2>/dev/null"
fi

check "dpkg --purge removes all six" dpkg --purge "${PACKAGES[@]}"
is "dpkg knows none of them any more" \
	"$(dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' "${PACKAGES[@]}" 2>/dev/null | grep -v '^un ')" ""
left=$(while read -r path; do
	[ "$path" != /. ] || continue
	[ -e "$path" ] || [ -L "$path" ] || continue
	# A directory stays when another package owns it too (/usr/lib, ...).
	[ -d "$path" ] && [ ! -L "$path" ] && dpkg-query -S "$path" >/dev/null 2>&1 && continue
	echo "$path"
done <"$STATE/files")
is "no file or directory of theirs is left" "$left" ""
is "no maintainer scripts or file lists are left in dpkg's database" \
	"$(for pkg in "${PACKAGES[@]}"; do compgen -G "/var/lib/dpkg/info/$pkg.*" "/var/lib/dpkg/info/$pkg:*.*"; done)" ""
is "dkms status knows no $DKMS_MODULE" "$(dkms status -m "$DKMS_MODULE" 2>&1)" ""
check "DKMS's tree has no $DKMS_MODULE (/var/lib/dkms/$DKMS_MODULE)" test ! -e "/var/lib/dkms/$DKMS_MODULE"
check "no source is left in /usr/src/$DKMS_MODULE-$version" test ! -e "/usr/src/$DKMS_MODULE-$version"
is "no ccshared_heap.ko* is left under /usr/lib/modules/$release" \
	"$(find "/usr/lib/modules/$release/" -name 'ccshared_heap.ko*' 2>&1)" ""
check "modprobe no longer finds ccshared_heap" sh -c "! modprobe -n ccshared_heap 2>/dev/null"
check "the udev rule is gone" test ! -e /usr/lib/udev/rules.d/60-ccshared.rules
check "the $GROUP group stays (Debian keeps system groups)" getent group "$GROUP"

if [ -e "$HEAP" ]; then
	# 7.x: the heap outlives the package and its rule.
	is "postrm handed the still-registered heap back to root" "$(node_perms)" "600 root:root"
	is "... and $MEMBER gets EACCES" "$(heap_rw "$MEMBER" 4096)" "open: EACCES"
fi

echo "1..$_tap_n"
done_testing
