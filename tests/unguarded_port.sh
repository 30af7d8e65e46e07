#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mxlock guards port 25 only. With the list armed, a sender from outside
# the range still reaches the same host's other services (here port 2525),
# and those connections are not even counted: only SYNs to the guarded
# port are mxlock's business.
source "$(dirname "$0")/lib.sh"

require_mxlock
ktap_begin 4

topology || ktap_bail "cannot build the topology"

check "replace $PROVIDER" mx "$MX" replace "$PROVIDER"

port_2525() {
	local c
	c=$(counters "$MX")
	connect_ok "$BAD" "$MX_ADDR" 2525 || return 1
	connect_ok "$OTHER" "$MX_ADDR" 2525 || return 1
	connect_ok "$GOOD" "$MX_ADDR" 2525 || return 1
	expect_counters "$MX" "$c"
}
check "bad, other and good all reach port 2525; no counter moves" port_2525

# The guard is still there on 25 for the same sender.
check "bad still times out on port 25" connect_fails "$BAD" "$MX_ADDR" 25

port_stat() {
	expect_eq "ports" 25 "$(stat "$MX" ports)"
}
check "stats report the guarded port as 25" port_stat

ktap_finish
