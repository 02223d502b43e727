# SPDX-License-Identifier: GPL-2.0
# Sourced by the packaging tests (in the guest).  They install what
# `make deb` built (build/deb; tests/host/packages.t builds it on
# the host first) and share one boot, in name order: 10 installs, 20
# proves the device access, 30 purges, 40 installs again.
. "$CCSHARED_SRC/tests/lib/tap.sh"

DEB_DIR=$CCSHARED_SRC/build/deb
PACKAGES=(libccshared0 libccshared-verbs0 libccshared-dpdk0 libccshared-dev
	ccshared-tools ccshared-dkms)
DKMS_MODULE=ccshared
HEAP=/dev/dma_heap/system_cc_shared
GROUP=ccshared
# Two users that differ only in their membership of $GROUP (20-access.t).
MEMBER=ccshared-member
OUTSIDER=ccshared-outsider
# Written by the tests, not by the packages: the heap registers on this
# non-CoCo guest only with force_non_coco=1.
MODPROBE_CONF=/etc/modprobe.d/ccshared-test.conf
# Kept across the tests of this boot.
STATE=/run/ccshared-packaging
mkdir -p "$STATE"

# The .deb files, in PACKAGES order; fails if one is missing.
deb_files() {
	local pkg f
	for pkg in "${PACKAGES[@]}"; do
		f=$(compgen -G "$DEB_DIR/${pkg}_*_*.deb" | head -n 1)
		[ -n "$f" ] || { echo "no ${pkg}_*.deb in $DEB_DIR (make deb builds them)" >&2; return 1; }
		echo "$f"
	done
}

# The version DKMS knows the module by: the package's upstream version.
dkms_version() { dpkg-deb -f "$(compgen -G "$DEB_DIR/ccshared-dkms_*.deb" | head -n 1)" Version; }

# Run a command as USER with USER's groups (from /etc/group).
as_user() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

# Does modprobe take ccshared_heap from where DKMS installs it?  (/lib is
# /usr/lib on Debian; modinfo may name either.)
module_from_dkms() {
	local ko
	ko=$(modinfo -n ccshared_heap 2>&1)
	[[ $(readlink -f "$ko") =~ ^/usr/lib/modules/"$(uname -r)"/updates/dkms/ccshared_heap\.ko(\.[a-z]+)?$ ]] ||
		{ echo "modinfo -n ccshared_heap: $ko"; return 1; }
}

# "MODE USER:GROUP" of the heap's device node.
node_perms() { stat -L -c '%a %U:%G' "$HEAP" 2>&1; }

# Allocate SIZE bytes from the heap as USER, map them, write a pattern and
# read it back (heap-rw.py prints "ok" or the errno's name).
heap_rw() { as_user "$1" python3 "$CCSHARED_SRC/tests/guest/packaging/heap-rw.py" "$HEAP" "$2" 2>&1; }

# udevd, as systemd would run it; the guest has no init that starts it.
udevd_running() { udevadm control --ping >/dev/null 2>&1; }
start_udevd() {
	udevd_running && return 0
	/usr/lib/systemd/systemd-udevd --daemon || return 1
	local i
	for i in $(seq 50); do
		udevd_running && return 0
		sleep 0.1
	done
	return 1
}
# Replay the heap's "add" event and wait for udevd to finish with it.
udev_retrigger() {
	udevadm trigger --action="${1:-add}" --sysname-match=system_cc_shared &&
		udevadm settle --timeout=30
}
