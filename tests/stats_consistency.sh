#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# There are three ways to read the state of a namespace: the /proc file,
# mxlockctl stats, and the GET_STATE reply read by a second, independent
# netlink client (tests/nlclient, libnl). After traffic of every kind they
# must all say the same thing, key for key, in the documented order.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_nlclient
ktap_begin 5

topology || ktap_bail "cannot build the topology"

# Make every counter move: unarmed, allowed, dropped, monitored.
traffic() {
	connect_ok "$BAD" "$MX_ADDR" 25 || return 1		# unarmed
	mx "$MX" replace "$PROVIDER" || return 1
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1		# allowed
	connect_fails "$BAD" "$MX_ADDR" 25 || return 1		# dropped
	mx "$MX" mode monitor || return 1
	connect_ok "$OTHER" "$MX_ADDR" 25 || return 1		# monitored
	expect_counters "$MX" "syn_allowed=1 syn_monitored=1 syn_unarmed=1"
}
check "traffic of every kind: each counter moved, syn_seen is the sum" traffic

keys='mode
action
log
ports
armed
ranges
generation
syn_seen
syn_allowed
syn_dropped
syn_monitored
syn_unarmed
ack_dropped
ack_monitored
budget_used
budget_limit
rst_limited'

order() {
	expect_eq "keys of /proc/net/mxlock/stats, in order" "$keys" \
		"$(stats "$MX" | awk '{ print $1 }')" || return 1
	expect_eq "number of fields on each line" "" \
		"$(stats "$MX" | awk 'NF != 2')"
}
check "/proc lists the fifteen documented keys in order, 'key value' each" order

# Nothing moves while we read (no traffic), so the three must be equal.
same_ctl() {
	expect_eq "mxlockctl stats vs /proc" "$(stats "$MX")" "$(mx "$MX" stats)"
}
check "mxlockctl stats prints exactly what /proc says" same_ctl

same_nl() {
	expect_eq "nlclient state vs /proc" "$(stats "$MX")" "$(nl "$MX" state)"
}
check "GET_STATE read by nlclient says exactly what /proc says" same_nl

# The dump read by nlclient carries the list and the generation of the
# change that made it; a settings change bumps the namespace's generation
# but is no change to the list, so the dump keeps the list's own.
same_list() {
	local out g
	mx "$MX" replace "$PROVIDER" || return 1
	g=$(gen "$MX")
	out=$(nl "$MX" list) || return 1
	expect_eq "nlclient list right after a replace" "generation $g
199.89.0.0-199.89.7.255" "$out" || return 1
	mx "$MX" mode enforce || return 1
	expect_eq "state generation after a settings change" $((g + 1)) \
		"$(gen "$MX")" || return 1
	out=$(nl "$MX" list) || return 1
	expect_eq "nlclient list after a settings change" "generation $g
199.89.0.0-199.89.7.255" "$out"
}
check "GET_ENTRIES read by nlclient: the list's generation and 199.89.0.0-199.89.7.255" same_list

ktap_finish
