#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The sample's error paths: with rdma-core's stock rxe provider, which
# cannot take dma-buf MRs, it says so and exits 4; a peer that is not
# there (no server; no host) exits 5.
. "$(dirname "$0")/rdma-setup.sh"
. "$CCSHARED_SRC/tests/lib/tap.sh"
rdma_skip_unless_supported
plan 5
rdma_setup_or_bail

rdma_provider stock
out=$(ccshared_rdma_write -p 18516 "$RDMA_ADDR" 2>&1)
is "stock provider: exit status 4" $? 4
printf '%s\n' "$out" | sed 's/^/# /'
check "stock provider: the message names EOPNOTSUPP" grep -q "EOPNOTSUPP" <<<"$out"
rdma_provider patched

out=$(timeout 120 ccshared_rdma_write -p 18517 "$RDMA_ADDR" 2>&1)
is "no server listening: exit status 5" $? 5
printf '%s\n' "$out" | sed 's/^/# /'
check "no server listening: the message asks whether the server runs" grep -q "is the server running" <<<"$out"

out=$(timeout 120 ccshared_rdma_write -p 18517 10.99.0.2 2>&1)
is "no such host: exit status 5" $? 5
printf '%s\n' "$out" | sed 's/^/# /'
done_testing
