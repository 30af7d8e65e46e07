#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `mxlockctl list` says how many SYNs each interval let in ("# hits N"),
# so an admin can see which of a provider's ranges are in use. Raw SYNs
# make every count exact. The counts belong to the intervals and follow
# them through changes, as include/uapi/linux/mxlock.h says: an interval
# kept whole keeps its hits (a replace with the same list, however it is
# written: the systemd reload case); intervals merged into a larger one
# by an add carry the sum; an interval split by a del starts again from
# zero (both halves), while intervals the del did not touch keep theirs.
# A flush and a new replace start everything from zero.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd python3
ktap_begin 9

topology || ktap_bail "cannot build the topology"
# good also sends from the second range.
sender_addr "$GOOD" 199.89.16.1 || ktap_bail "cannot add 199.89.16.1"

A=199.89.0.0/21
B=199.89.16.0/21
C=203.0.113.0/24		# other's range: other is allowed in this story

# hits_are "LINE..." : the list, hits included, is exactly that.
hits_are() {
	expect_eq "list" "$1" "$(mx "$MX" list)"
}

# syns "NS SRC N" ...: N raw SYNs from SRC in NS for each argument, then
# wait until the mail host has seen them all.
syns() {
	local arg ns src n s i total=0 before
	before=$(stat "$MX" syn_seen) || return 1
	for arg in "$@"; do
		read -r ns src n <<<"$arg"
		s=''
		for ((i = 0; i < n; i++)); do s+=" S"; done
		# shellcheck disable=SC2086  # one word per SYN
		send_segment "$ns" "$src" "$MX_ADDR" 25 $s || return 1
		total=$((total + n))
	done
	wait_stat "$MX" syn_seen $((before + total))
}

fresh() {
	mx "$MX" replace "$A" "$B" "$C" || return 1
	hits_are "$A # hits 0
$B # hits 0
$C # hits 0"
}
check "replace $A $B $C: each listed with '# hits 0'" fresh

exact() {
	local c
	c=$(counters "$MX")
	syns "$GOOD $GOOD_ADDR 3" "$GOOD 199.89.16.1 2" "$OTHER $OTHER_ADDR 1" \
		"$BAD $BAD_ADDR 2" || return 1
	c=$(bump "$c" syn_allowed 6)
	c=$(bump "$c" syn_dropped 2)
	c=$(bump "$c" syn_seen 8)
	expect_counters "$MX" "$c" || return 1
	hits_are "$A # hits 3
$B # hits 2
$C # hits 1"
}
check "raw SYNs: 3 into $A, 2 into $B, 1 into $C, 2 from bad: hits 3, 2, 1" exact

# A real connection: hits move with syn_allowed (one SYN, or more if the
# client retransmitted it).
connection() {
	local before k
	before=$(stat "$MX" syn_allowed)
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	k=$(($(stat "$MX" syn_allowed) - before))
	expect_ge "syn_allowed moved by" 1 "$k" || return 1
	hits_are "$A # hits $((3 + k))
$B # hits 2
$C # hits 1"
}
check "a connection from good: $A's hits grow as syn_allowed does" connection
# A's count from here on.
HA=$(mx "$MX" list | sed -n "s|^$A # hits ||p")

# The reload case: the same list again keeps every count.
same() {
	mx "$MX" replace "$A" "$B" "$C" || return 1
	hits_are "$A # hits $HA
$B # hits 2
$C # hits 1"
}
check "replace with the same list (a reload): hits kept" same

# The same intervals written another way are the same intervals.
same_other_words() {
	mx "$MX" replace 199.89.0.0/22 199.89.4.0-199.89.7.255 203.0.113.128/25 \
		"$B" 203.0.113.7 203.0.113.0/25 || return 1
	hits_are "$A # hits $HA
$B # hits 2
$C # hits 1"
}
check "replace with the same intervals in other pieces (merged to the same): hits kept" same_other_words

# add fills the gap between A and B: one interval with the sum.
merged() {
	mx "$MX" add 199.89.8.0/21 || return 1
	hits_are "199.89.0.0-199.89.23.255 # hits $((HA + 2))
$C # hits 1" || return 1
	syns "$GOOD 199.89.16.1 1" || return 1
	hits_are "199.89.0.0-199.89.23.255 # hits $((HA + 3))
$C # hits 1"
}
check "add 199.89.8.0/21 merges $A and $B: the merged interval carries the sum, and counts on" merged

# del splits the merged interval: both halves start from zero; C is
# untouched and keeps its count.
split() {
	mx "$MX" del 199.89.4.0/24 || return 1
	hits_are "199.89.0.0/22 # hits 0
199.89.5.0-199.89.23.255 # hits 0
$C # hits 1" || return 1
	syns "$GOOD 199.89.16.1 2" "$OTHER $OTHER_ADDR 1" || return 1
	hits_are "199.89.0.0/22 # hits 0
199.89.5.0-199.89.23.255 # hits 2
$C # hits 2"
}
check "del 199.89.4.0/24 splits it: both halves restart from 0, $C keeps its hits" split

# Hits follow the interval, not the source: what 199.89.0.10 sends now
# counts in the first half only.
halves() {
	syns "$GOOD $GOOD_ADDR 1" || return 1
	hits_are "199.89.0.0/22 # hits 1
199.89.5.0-199.89.23.255 # hits 2
$C # hits 2"
}
check "a SYN from $GOOD_ADDR counts in 199.89.0.0/22 only" halves

restart() {
	mx "$MX" flush || return 1
	mx "$MX" replace "$A" "$B" "$C" || return 1
	hits_are "$A # hits 0
$B # hits 0
$C # hits 0"
}
check "flush, then replace: every interval starts from 0" restart

ktap_finish
