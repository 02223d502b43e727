#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# libccshared-verbs built against Debian sid's rdma-core (65), on the test
# rxe: the build in build/guest-sid (ASan/UBSan) loads sid's libibverbs
# through its rpath, and sid's test rxe provider (librxe-rdmav65.so, with
# dma-buf MRs and ibv_alloc_buf() from system_cc_shared) through
# LD_LIBRARY_PATH.  Runs mr-test (the MR lifetimes and bad input of mr.t),
# ibv-buf-test (rdma-core 65's ibv_alloc_buf() family with ours, loopback)
# and one loopback pair of the sample; each program's results count here.
. "$(dirname "$0")/rdma-setup.sh"
. "$CCSHARED_SRC/tests/lib/tap.sh"
rdma_skip_unless_supported
SID_BUILD=$CCSHARED_SRC/build/guest-sid
SID_PREFIX=$CCSHARED_BUILD/rdma-core-sid
if [ ! -x "$SID_BUILD/tests/guest/rdma/ibv-buf-test" ] ||
   [ ! -e "$SID_PREFIX/lib/librxe-rdmav$(cut -d. -f1 "$SID_PREFIX/version").so" ]; then
	echo "Bail out! sid's rdma-core or the build against it is missing (tests/vm/build builds them)"
	exit 1
fi
rdma_setup_or_bail
export LD_LIBRARY_PATH=$SID_PREFIX/lib
# Trixie's /etc/libibverbs.d names every provider; sid's build has them all.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0

# sub NAME CMD...: CMD's TAP results as ours, prefixed with NAME; then one
# more: CMD exited 0 and ran as many tests as it planned.
sub() {
	local name=$1 out status planned ran
	shift
	out=$("$@" 2>&1)
	status=$?
	while IFS= read -r line; do
		case $line in
		ok\ *|not\ ok\ *)
			desc=$(printf '%s\n' "$line" | sed -E 's/^(not )?ok [0-9]+ -? ?//')
			case $line in ok*) _tap_result 0 "$name: $desc" ;; *) _tap_result 1 "$name: $desc" ;; esac ;;
		'#'*) printf '%s\n' "$line" ;;
		1..*) ;;
		*) printf '# %s\n' "$line" ;;
		esac
	done <<<"$out"
	planned=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\).*/\1/p' | head -n 1)
	ran=$(printf '%s\n' "$out" | grep -cE '^(not )?ok ')
	is "$name: exits 0 and runs its whole plan (status $status, $ran of ${planned:-no plan})" \
		"$status $ran" "0 ${planned:--}"
}

sub mr "$SID_BUILD/tests/guest/rdma/mr-test"
sub ibv-buf "$SID_BUILD/tests/guest/rdma/ibv-buf-test"
PATH=$SID_BUILD/samples/rdma:$PATH check "the sample built against sid's rdma-core: 1 MiB loopback, 2 round trips" rdma_pair -s 1M -n 2
plan $_tap_n
done_testing
