# SPDX-License-Identifier: GPL-2.0
# Shared by the test-bed scripts: where the cache lives, how we talk to
# Debian's mirror without touching the host's apt configuration, and how a
# command runs inside the trixie build root.  Sourced, never executed.

export PATH="$PATH:/usr/sbin:/sbin"
CCSHARED_CACHE=${CCSHARED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ccshared}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$VM_DIR/../.." && pwd)
# The test bed this tree uses (kernels, root, initramfs), written by setup.
# It lives in the tree's build directory: trees that share the cache may use
# different roots.
VERSIONS_ENV=$TOP/build/test-bed.env

# What the guest root holds.  Changing this list changes the root's cache key.
# It is the build root, the guest's root and where QEMU runs from, so it
# also holds what the host-side scripts use (QEMU, busybox-static for the
# initramfs, cpio, patch, zstd), and what `make deb` builds with and the
# packaging tests install with (debhelper, dh-dkms, help2man, lintian;
# dkms, udev), cmake for rdma-core 65 (tests/rdma-provider/rdma-core-sid),
# and what the patched perftest builds with (tests/perftest: autotools,
# and the build dependencies of Debian's perftest source).
ROOT_PACKAGES=(build-essential pkg-config meson ninja-build cmake libibverbs-dev
	librdmacm-dev rdma-core ibverbs-providers ibverbs-utils rdmacm-utils
	perftest libdpdk-dev dpdk iproute2 kmod busybox-static pciutils strace
	procps xz-utils zstd cpio patch qemu-system-x86
	debhelper dh-dkms help2man lintian dkms udev
	autoconf automake libtool libibumad-dev libpci-dev)

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
step() { [ -n "${QUIET:-}" ] || printf '==> %s\n' "$*" >&2; }

# The mirror is whatever this machine's apt already uses for Debian; we only
# read it.  CCSHARED_MIRROR overrides it.
debian_mirror() {
	if [ -n "${CCSHARED_MIRROR:-}" ]; then
		echo "$CCSHARED_MIRROR"
		return
	fi
	local uri
	uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { print $i; exit } }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1)
	[ -n "$uri" ] || die "cannot find a Debian mirror in /etc/apt; set CCSHARED_MIRROR"
	echo "${uri%/}"
}

APT_DIR=$CCSHARED_CACHE/apt
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# apt-get/apt-cache with our own sources and lists; the host's status file is
# used only when installing host packages (apt_host).
apt_opts() {
	echo "-o Dir::Etc::SourceList=$APT_DIR/$1.list -o Dir::Etc::SourceParts=/dev/null" \
		"-o Dir::State::Lists=$APT_DIR/lists-$1 -o Dir::Cache=$APT_DIR/cache-$1" \
		"-o APT::Sandbox::User=root -o Acquire::Languages=none"
}

# $1: name of the source set, rest: suites.  Refreshes lists older than a day
# (CCSHARED_REFRESH=1 forces it) so "newest kernel" means newest today.
apt_sources() {
	local set=$1 suite mirror
	shift
	mirror=$(debian_mirror)
	mkdir -p "$APT_DIR/lists-$set/partial" "$APT_DIR/cache-$set/archives/partial"
	: >"$APT_DIR/$set.list.new"
	for suite in "$@"; do
		echo "${APT_LINE_TYPE:-deb} [signed-by=$KEYRING] $mirror $suite main" >>"$APT_DIR/$set.list.new"
	done
	if ! cmp -s "$APT_DIR/$set.list.new" "$APT_DIR/$set.list"; then
		mv "$APT_DIR/$set.list.new" "$APT_DIR/$set.list"
		rm -f "$APT_DIR/lists-$set/.stamp"
	else
		rm -f "$APT_DIR/$set.list.new"
	fi
	if [ -n "${CCSHARED_REFRESH:-}" ] || [ ! -e "$APT_DIR/lists-$set/.stamp" ] ||
	   [ -n "$(find "$APT_DIR/lists-$set/.stamp" -mmin +1440)" ]; then
		step "apt-get update ($set: $*)"
		# shellcheck disable=SC2046
		apt-get $(apt_opts "$set") -q update >"$APT_DIR/update-$set.log" 2>&1 ||
			{ cat "$APT_DIR/update-$set.log" >&2; die "apt-get update failed"; }
		touch "$APT_DIR/lists-$set/.stamp"
	fi
}

# Like apt_sources, with deb-src lines: for `apt-get source --download-only`
# of a Debian source package we build parts of (rdma-core for the RDMA tests).
apt_src_sources() { APT_LINE_TYPE=deb-src apt_sources "$@"; }

apt_q() { local set=$1; shift; "$@" $(apt_opts "$set"); }

# apt, dpkg, util-linux and mount are part of every Debian system; mmdebstrap
# is the one tool we add.  It comes from the host's own suites: nothing the
# host's default suite holds beyond that is ever used.
HOST_TOOLS=(mmdebstrap)
ensure_host_tools() {
	local missing=() pkg cmd
	for pkg in "${HOST_TOOLS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' ||
			missing+=("$pkg")
	done
	for cmd in apt-get dpkg-deb unshare chroot mount flock; do
		command -v "$cmd" >/dev/null || die "the host lacks $cmd (a Debian or Ubuntu base system has it)"
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "cannot tell the host's release from /etc/os-release; install ${missing[*]} yourself"
	step "installing on the host: ${missing[*]} (from $codename)"
	apt_sources host "$codename" "$codename-updates"
	# shellcheck disable=SC2046
	DEBIAN_FRONTEND=noninteractive apt-get $(apt_opts host) -q -y \
		--no-install-recommends install "${missing[@]}" >"$APT_DIR/install-host.log" 2>&1 ||
		{ tail -n 30 "$APT_DIR/install-host.log" >&2; die "installing ${missing[*]} on the host failed (log: $APT_DIR/install-host.log)"; }
}

# One guest at a time on this machine: guests under TCG starve each other
# (and their tests' timeouts) when they share two cores.  tests/vm/run takes
# this lock for each boot, run-pair once for its two guests.  It lives in
# /dev/shm, which every chroot of ours shares (a fresh-machine check too).
GUEST_LOCK=${CCSHARED_GUEST_LOCK:-/dev/shm/ccshared-guests.lock}
guest_lock() {
	[ -z "${CCSHARED_GUEST_LOCK_HELD:-}" ] || return 0
	exec 7>>"$GUEST_LOCK"
	if ! flock -n 7; then
		# Only where someone watches: tests compare stderr.
		[ ! -t 2 ] || step "waiting for another guest on this machine to finish"
		flock 7
	fi
	export CCSHARED_GUEST_LOCK_HELD=1
}

# Run a command inside the trixie root (tests/vm/in-root): the build, QEMU
# and every other tool the test bed needs beyond apt, dpkg and mmdebstrap.
chroot_run() { "$VM_DIR/in-root" "$@"; }

# --help for the test-bed scripts: their header comment, after the SPDX line.
usage() {
	awk 'NR > 2 && !/^#/ { exit } NR > 2 { sub(/^# ?/, ""); print }' "$0"
}
