#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 900
# Installing again after a purge works as the first time did: DKMS builds
# and installs the module again, and with udevd running the heap comes
# back with the group's access by itself (6.12: modprobe's add event; 7.x,
# where the heap never left: postinst's retrigger).
. "$(dirname "$0")/lib.sh"
release=$(uname -r)
version=$(dkms_version)

mapfile -t debs < <(deb_files)
check "udevd is still running" udevd_running
check "dpkg -i installs all six again (DKMS builds the module again)" dpkg -i "${debs[@]}" ||
	tail -n 30 /var/lib/dkms/"$DKMS_MODULE"/"$version"/build/make.log 2>&1 | sed 's/^/# make.log: /'
is "dkms status: $DKMS_MODULE/$version installed for $release" \
	"$(dkms status -m "$DKMS_MODULE" -v "$version" -k "$release" 2>&1)" \
	"$DKMS_MODULE/$version, $release, $(uname -m): installed"
check "modprobe finds ccshared_heap in DKMS's updates/dkms again" module_from_dkms

if [ -e "$HEAP" ]; then
	udevadm settle --timeout=30
	is "postinst gave the still-registered heap back to $GROUP" "$(node_perms)" "660 root:$GROUP"
else
	check "modprobe ccshared_heap registers the heap again" modprobe ccshared_heap
	udevadm settle --timeout=30
	is "udev gave the new node to $GROUP" "$(node_perms)" "660 root:$GROUP"
fi
is "$MEMBER allocates, maps, writes and reads back again" "$(heap_rw "$MEMBER" $((1 << 20)))" "ok"
is "$OUTSIDER still gets EACCES" "$(heap_rw "$OUTSIDER" 4096)" "open: EACCES"
check "ccshared info: system_cc_shared is served by ccshared_heap" sh -c \
	"/usr/bin/ccshared info | grep -qx 'system_cc_shared: served by ccshared_heap'"

udevadm control --exit
rm -f "$MODPROBE_CONF"
echo "1..$_tap_n"
done_testing
