#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job: once the provider's range 199.89.0.0/21 is loaded, only
# senders inside it reach port 25. Inside: the connection completes and
# counts as syn_allowed. Outside: the SYN is silently dropped (the client
# times out, it is not refused) and counts as syn_dropped. The edges of
# the range are checked address by address with single raw SYNs, so every
# counter can be held to an exact value.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd python3
ktap_begin 9

topology || ktap_bail "cannot build the topology"
# A sender that owns the addresses at the edges of the range.
sender EDGE "$MX" 199.89.0.0 || ktap_bail "cannot add the edge sender"
for a in 199.89.7.255 199.88.255.255 199.89.8.0; do
	sender_addr "$EDGE" $a || ktap_bail "cannot add $a"
done

arm() {
	mx "$MX" replace "$PROVIDER" || return 1
	expect_eq "armed" 1 "$(stat "$MX" armed)" || return 1
	expect_eq "ranges" 1 "$(stat "$MX" ranges)" || return 1
	expect_eq "list" "$PROVIDER" "$(entries "$MX")"
}
check "replace $PROVIDER arms the namespace with one range" arm

# A sender inside the range gets the banner and its echo; one SYN allowed.
inside() {
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	expect_counters "$MX" "syn_seen=1 syn_allowed=1 syn_dropped=0 syn_monitored=0 syn_unarmed=0"
}
check "good ($GOOD_ADDR) connects; syn_allowed=1" inside

# A sender outside the range times out. TCP retransmits the SYN while it
# waits, so syn_dropped rises by at least one and nothing else moves.
outside() {
	connect_fails "$BAD" "$MX_ADDR" 25 || return 1
	expect_ge "syn_dropped" 1 "$(stat "$MX" syn_dropped)" || return 1
	expect_counters "$MX" "syn_allowed=1 syn_monitored=0 syn_unarmed=0"
}
check "bad ($BAD_ADDR) times out; syn_dropped moves, nothing else" outside

outside2() {
	connect_fails "$OTHER" "$MX_ADDR" 25 || return 1
	expect_counters "$MX" "syn_allowed=1 syn_monitored=0 syn_unarmed=0"
}
check "other ($OTHER_ADDR) times out as well" outside2

# Exact counts: three single SYNs from outside, two from inside.
exact() {
	local c
	c=$(counters "$MX")
	send_segment "$BAD" "$BAD_ADDR" "$MX_ADDR" 25 S S || return 1
	send_segment "$OTHER" "$OTHER_ADDR" "$MX_ADDR" 25 S || return 1
	send_segment "$GOOD" "$GOOD_ADDR" "$MX_ADDR" 25 S S || return 1
	c=$(bump "$c" syn_dropped 3)
	c=$(bump "$c" syn_allowed 2)
	c=$(bump "$c" syn_seen 5)
	wait_stat "$MX" syn_seen "$(cget "$c" syn_seen)" || return 1
	expect_counters "$MX" "$c"
}
check "3 raw SYNs from outside, 2 from inside: dropped +3, allowed +2" exact

# The first and the last address of the range are in; the addresses just
# before and just after it are out. Real connections, from each address.
edges() {
	local bad=0
	connect_ok "$EDGE" "$MX_ADDR" 25 199.89.0.0 || bad=1
	connect_ok "$EDGE" "$MX_ADDR" 25 199.89.7.255 || bad=1
	connect_fails "$EDGE" "$MX_ADDR" 25 199.88.255.255 || bad=1
	connect_fails "$EDGE" "$MX_ADDR" 25 199.89.8.0 || bad=1
	return "$bad"
}
check "edges: 199.89.0.0 and 199.89.7.255 in, 199.88.255.255 and 199.89.8.0 out" edges

# The same four, one raw SYN each: exactly 2 allowed and 2 dropped.
edges_exact() {
	local c a
	c=$(counters "$MX")
	for a in 199.89.0.0 199.89.7.255 199.88.255.255 199.89.8.0; do
		send_segment "$EDGE" "$a" "$MX_ADDR" 25 || return 1
	done
	c=$(bump "$c" syn_allowed 2)
	c=$(bump "$c" syn_dropped 2)
	c=$(bump "$c" syn_seen 4)
	wait_stat "$MX" syn_seen "$(cget "$c" syn_seen)" || return 1
	expect_counters "$MX" "$c"
}
check "edges, one raw SYN each: allowed +2, dropped +2" edges_exact

# Only a connection attempt is filtered: SYN+ACK or ACK segments from
# outside are neither counted nor (by mxlock) dropped.
not_syn() {
	local c
	c=$(counters "$MX")
	# SYN+ACK, ACK, then a SYN as a marker on the same path: once the
	# marker is counted, the two before it have been seen too.
	send_segment "$BAD" "$BAD_ADDR" "$MX_ADDR" 25 SA A S || return 1
	c=$(bump "$c" syn_dropped 1)
	c=$(bump "$c" syn_seen 1)
	wait_stat "$MX" syn_dropped "$(cget "$c" syn_dropped)" || return 1
	expect_counters "$MX" "$c"
}
check "SYN+ACK and ACK segments from outside are not counted" not_syn

# And the verdicts mxlockctl test gives agree with what the traffic met.
verdicts() {
	expect_exit 0 mx "$MX" test "$GOOD_ADDR" || return 1
	expect_exit 0 mx "$MX" test 199.89.0.0 || return 1
	expect_exit 0 mx "$MX" test 199.89.7.255 || return 1
	expect_exit 1 mx "$MX" test 199.88.255.255 || return 1
	expect_exit 1 mx "$MX" test 199.89.8.0 || return 1
	expect_exit 1 mx "$MX" test "$BAD_ADDR"
}
check "test ADDR agrees with the traffic (0 inside, 1 outside)" verdicts

ktap_finish
