#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A peer that dies, stops or refuses, and ccshared_rdma_write on the other
# side (one guest, one rxe device):
#   - SIGKILL the client, then the server, in the middle of many round
#     trips: the survivor sees the rdma_cm DISCONNECTED event, says the
#     peer went away and exits 1 within seconds;
#   - SIGSTOP the client: the server's -t bound runs out, it says the peer
#     stopped answering and exits 1; the client, continued, exits 1 too;
#   - a server that gets no client, and a client whose server never
#     answers, give up after -t;
#   - a server that refuses a client's options (-s, -S) tells it why: the
#     client prints the reason and exits 1, not "Connection refused" and 5.
. "$(dirname "$0")/rdma-setup.sh"
. "$CCSHARED_SRC/tests/lib/tap.sh"
rdma_skip_unless_supported
plan 24
rdma_setup 2>&1 | sed 's/^/# setup: /'
[ -d /sys/class/infiniband/rxe0 ] || { echo "Bail out! the test rxe did not come up"; exit 1; }
out=$(mktemp -d)
trap 'kill -9 $spid $cpid 2>/dev/null; rm -rf "$out"' EXIT

# serve ARGS...: a server on a fresh port (in $port) in the background (pid
# spid, output in $out/server); returns once it listens, 1 if it does not.
# The file is emptied first: the shell's own truncation happens in the
# child, and the last server's "listening" must not be read as this one's.
serve() {
	port=$((20000 + RANDOM % 10000))
	: >"$out/server"
	ccshared_rdma_write -p "$port" -b "$RDMA_ADDR" "$@" >"$out/server" 2>&1 &
	spid=$!
	for _ in $(seq 100); do grep -q listening "$out/server" && return 0; sleep 0.1; done
	return 1
}

# start SERVER_ARGS -- CLIENT_ARGS: a server, and once it listens a client,
# in the background (pids spid and cpid, output in $out/server, client).
start() {
	local sargs=()
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	serve "${sargs[@]}"
	: >"$out/client"
	ccshared_rdma_write -p "$port" "$@" "$RDMA_ADDR" >"$out/client" 2>&1 &
	cpid=$!
}

# established: both QPs of the pair are in RTS, so round trips are running.
established() {
	for _ in $(seq 200); do
		[ "$(rdma resource show qp 2>/dev/null | grep -c 'type RC .*state RTS')" -ge 2 ] && return 0
		sleep 0.1
	done
	return 1
}

# finish PID LIMIT: wait up to LIMIT s for PID (a child of this shell, so
# not in a subshell); sets r to "STATUS SECONDS", or to "running LIMIT"
# (and kills it) if it is still there.
finish() {
	local pid=$1 limit=$2 start=$SECONDS
	while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - start)) -lt "$limit" ]; do sleep 0.2; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		r="running $limit"
	else
		wait "$pid"
		r="$? $((SECONDS - start))"
	fi
}

diag() { sed "s/^/# $1: /" "$out/$1"; }

# within S "STATUS SECONDS": exit status 1, in at most S seconds.
within() { read -r st secs <<<"$2"; [ "$st" = 1 ] && [ "$secs" -le "$1" ]; }

# The survivor of a SIGKILL.
for victim in client server; do
	start -s 64K -n 100000000 -- -s 64K -n 100000000
	check "kill the $victim: the pair is established and running" established
	if [ $victim = client ]; then dead=$cpid alive=$spid survivor=server; else dead=$spid alive=$cpid survivor=client; fi
	kill -9 "$dead"
	wait "$dead" 2>/dev/null
	finish "$alive" 30
	check "... the $survivor exits 1 within 10 s (got: status, seconds = $r)" within 10 "$r"
	check "... and says the peer disconnected" grep -q "The peer disconnected: it exited or was killed" "$out/$survivor"
	diag "$survivor"
done

# A stopped client: the server's bound runs out.
start -t 3 -s 64K -n 100000000 -- -t 3 -s 64K -n 100000000
check "stop the client: the pair is established and running" established
kill -STOP "$cpid"
finish "$spid" 30
check "... the server exits 1 within 10 s (-t 3) (got $r)" within 10 "$r"
check "... and says the peer stopped answering" grep -q "No completion for 3 s: the peer stopped answering" "$out/server"
diag server
kill -CONT "$cpid"
finish "$cpid" 30
check "... the client, continued, exits 1 within 10 s (got $r)" within 10 "$r"
diag client

# A server that gets no client.
serve -t 2
finish "$spid" 30
check "a server with no client exits 1 after -t 2 (got $r)" within 8 "$r"
check "... and says no client came" grep -q "Couldn't get a connection request (no client came)" "$out/server"

# A client whose server never answers: the server is stopped once it listens.
serve	# not in check: that would run it in a subshell
is "a server for a client to wait on listens" $? 0
kill -STOP "$spid"
: >"$out/client"
ccshared_rdma_write -p "$port" -t 2 "$RDMA_ADDR" >"$out/client" 2>&1 &
cpid=$!
finish "$cpid" 60
read -r st secs <<<"$r"
is "a client whose server never answers exits 5 (unreachable)" "$st" 5
check "... after -t 2 (got $r)" test "$secs" -le 10
check "... and says there was no answer" grep -q "no answer (-t sets how long to wait)" "$out/client"
diag client
kill -9 "$spid"
wait "$spid" 2>/dev/null

# A refusal carries its reason.
for opts in "-s 4096 -- -s 4097" "-s 256 -S 10 -- -s 256 -S 11"; do
	read -r -a args <<<"$opts"
	start "${args[@]}"
	finish "$cpid" 60
	read -r st _ <<<"$r"
	is "server ${opts% --*}, client ${opts#*-- }: the client exits 1, not 5" "$st" 1
	check "... and prints the server's reason" \
		grep -q "the server refused: the server writes .* bytes, the client .*: use the same -s and -S on both sides" "$out/client"
	check "... not 'Connection refused' or 'is the server running?'" \
		sh -c "! grep -Eq 'Connection refused|is the server running' '$out/client'"
	diag client
	finish "$spid" 30
	read -r st _ <<<"$r"
	is "... the server exits 1, saying why it refused" "$st$(grep -c '^Refusing the client: ' "$out/server")" 11
done
done_testing
