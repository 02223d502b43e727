#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Received mbufs are in the shared buffer, checked independently of the
# library's and ccshared_fwd's own accounts (rx-check.c): against the
# system_cc_shared mapping the kernel shows in fdinfo and /proc/self/maps,
# with a plain pool as the control that must fail the same check.
. "$(dirname "$0")/dpdk-setup.sh"
dpdk_require
ccshared_heap_require
exec "$helpers/dpdk-rx-check"
