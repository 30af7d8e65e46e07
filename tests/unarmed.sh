#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A namespace nobody has configured is "unarmed": mxlock must not get in
# the way of any mail there, but it still counts the SYNs it sees, so an
# admin can look at the traffic before locking anything down.
source "$(dirname "$0")/lib.sh"

require_mxlock
ktap_begin 7

topology || ktap_bail "cannot build the topology"

# A fresh namespace starts unarmed, in enforce mode, guarding port 25
# (drop, no log), with an empty list and every counter at zero. (The ABI does not say what
# number the generation starts from, only that every change bumps it.)
fresh() {
	expect_eq "stats of a fresh namespace (generation aside)" "mode enforce
action drop
log off
ports 25
armed 0
ranges 0
generation N
syn_seen 0
syn_allowed 0
syn_dropped 0
syn_monitored 0
syn_unarmed 0
ack_dropped 0
ack_monitored 0
budget_used N
budget_limit 16777216
rst_limited 0" "$(stats "$MX" | sed -e 's/^generation [0-9][0-9]*$/generation N/' \
		-e 's/^budget_used [0-9][0-9]*$/budget_used N/')"
}
check "a fresh namespace is unarmed, enforce, port 25, all counters 0" fresh

# Nothing is listed, and list says so with no output at all.
empty_list() {
	local out
	out=$(mx "$MX" list) || return 1
	expect_eq "list output" "" "$out"
}
check "list prints nothing when unarmed" empty_list

# Senders from inside and from outside the provider's range both get
# through; each successful connection is exactly one SYN, counted as
# syn_unarmed.
both_pass() {
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	connect_ok "$BAD" "$MX_ADDR" 25 || return 1
	connect_ok "$OTHER" "$MX_ADDR" 25 || return 1
	expect_counters "$MX" "syn_seen=3 syn_unarmed=3 syn_allowed=0 syn_dropped=0 syn_monitored=0"
}
check "good, bad and other all get the banner; syn_unarmed=3" both_pass

# A lone raw SYN from outside is counted too: exactly one more.
raw_syn() {
	send_segment "$BAD" "$BAD_ADDR" "$MX_ADDR" 25 || return 1
	wait_stat "$MX" syn_unarmed 4 || return 1
	expect_counters "$MX" "syn_seen=4 syn_unarmed=4"
}
check "one raw SYN from outside: syn_unarmed +1" raw_syn

# Segments that are not a connection attempt (SYN+ACK, a bare ACK) are not
# SYNs in mxlock's sense and must not be counted.
not_syn() {
	# A SYN+ACK, an ACK, then a real SYN as a marker: once the marker is
	# counted, the two before it (sent first on the same path) were seen.
	send_segment "$BAD" "$BAD_ADDR" "$MX_ADDR" 25 SA A S || return 1
	wait_stat "$MX" syn_unarmed 5 || return 1
	expect_counters "$MX" "syn_seen=5 syn_unarmed=5"
}
check "SYN+ACK and ACK segments to port 25 are not counted" not_syn

# test ADDR: every address is "unarmed", exit status 0.
verdicts() {
	expect_exit 0 mx "$MX" test "$GOOD_ADDR" || return 1
	expect_exit 0 mx "$MX" test "$BAD_ADDR" || return 1
	expect_exit 0 mx "$MX" test 0.0.0.0 || return 1
	expect_exit 0 mx "$MX" test 255.255.255.255
}
check "test ADDR exits 0 for any address when unarmed" verdicts

# Switching to monitor while unarmed changes nothing for traffic: the SYN
# is still "unarmed", not "monitored".
monitor_unarmed() {
	mx "$MX" mode monitor || return 1
	connect_ok "$BAD" "$MX_ADDR" 25 || return 1
	expect_counters "$MX" "syn_seen=6 syn_unarmed=6 syn_monitored=0" || return 1
	expect_eq "armed" 0 "$(stat "$MX" armed)"
}
check "in monitor mode an unarmed namespace still counts syn_unarmed" monitor_unarmed

ktap_finish
