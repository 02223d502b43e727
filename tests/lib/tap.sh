# SPDX-License-Identifier: GPL-2.0
# TAP for shell tests.  Source it, then:
#   plan N                   print the plan
#   check DESC CMD [ARG...]  "ok" if CMD succeeds, else "not ok" with its output
#   is DESC GOT WANT         "ok" if GOT = WANT, else "not ok" showing both
#   skip DESC REASON         REASON starts with "by design: " or
#                            "hardware absent: " (tests/lib/run-producers
#                            fails any other skip)
#   skip_all REASON          "1..0 # SKIP REASON" and exit 0: the whole test
#   done_testing             exit 1 if anything failed (a "# TODO" result,
#                            an expected failure, is not a failure)
_tap_n=0
_tap_failed=0
plan() { echo "1..$1"; }
_tap_result() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		# A TODO result is an expected failure: it fails nothing.
		[[ $2 =~ \#[[:space:]]*TODO([[:space:]]|$) ]] || _tap_failed=1
	fi
}
check() {
	local desc=$1 out status
	shift
	out=$("$@" 2>&1)
	status=$?
	_tap_result $status "$desc"
	[ $status = 0 ] || printf '%s\n' "# command: $*" "# status: $status" "$out" | sed '3,$s/^/# /'
	return $status
}
is() {
	local status=0
	[ "$2" = "$3" ] || status=1
	_tap_result $status "$1"
	[ $status = 0 ] || printf '#   got: %s\n# want: %s\n' "$2" "$3"
	return $status
}
skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
done_testing() { exit $_tap_failed; }
