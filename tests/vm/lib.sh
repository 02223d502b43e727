# SPDX-License-Identifier: GPL-2.0
# Shared by the test-bed scripts: where the cache lives, how we talk to
# Debian's mirror without touching the host's apt configuration, and how a
# command runs inside the trixie build root.  Sourced, never executed.

export PATH="$PATH:/usr/sbin:/sbin"
CCSHARED_CACHE=${CCSHARED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ccshared}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$VM_DIR/../.." && pwd)

# What the guest root holds.  Changing this list changes the root's cache key.
ROOT_PACKAGES=(build-essential pkg-config meson ninja-build libibverbs-dev
	librdmacm-dev rdma-core ibverbs-providers ibverbs-utils rdmacm-utils
	perftest libdpdk-dev dpdk iproute2 kmod busybox pciutils strace
	procps xz-utils)

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

# Run a command inside the build root, in a private mount namespace, with
# the source tree bind-mounted at the same path it has on the host so that
# paths written by meson stay valid in the guest too.
chroot_run() {
	local root=$1
	shift
	unshare -m --propagation private -- /bin/sh -c '
		root=$1; top=$2; shift 2
		mount -t proc proc "$root/proc" &&
		mount --rbind /dev "$root/dev" &&
		mount -t sysfs sys "$root/sys" &&
		mount -t tmpfs tmp "$root/tmp" &&
		mkdir -p "$root$top" &&
		mount --bind "$top" "$root$top" &&
		cd "$root$top" &&
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" sh -c "cd \"\$0\" && exec \"\$@\"" "$top" "$@"
	' sh "$root" "$TOP" "$@"
}

# --help for the test-bed scripts: their header comment, after the SPDX line.
usage() {
	awk 'NR > 2 && !/^#/ { exit } NR > 2 { sub(/^# ?/, ""); print }' "$0"
}
