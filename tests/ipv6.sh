#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real mail host is reached over IPv6 as well, and its provider lists
# IPv6 ranges next to IPv4 ones. One list holds both families, and each
# family is judged by its own entries: a sender inside the IPv6 range
# connects over IPv6, one outside it times out, and IPv4 senders meet the
# IPv4 entries only (an IPv4-only list refuses every IPv6 sender and the
# other way round). list prints the IPv4 part first; test and the
# counters (and the interval's hits) work for IPv6 as for IPv4.
#
# IPv4-mapped addresses (::ffff:a.b.c.d) belong to the IPv4 part: test of
# a mapped address answers what the IPv4 entries say, even ::/0 (all of
# IPv6) does not admit a mapped source the IPv4 part lacks, and the kernel
# itself refuses an IPv6 entry inside ::ffff:0:0/96 or a range with one
# end in it (sent raw by nlclient, since mxlockctl would map it to IPv4).
source "$(dirname "$0")/lib.sh"

require_mxlock
require_nlclient
require_cmd python3
ktap_begin 11

topology6 || ktap_bail "cannot build the IPv6 topology"

# Given IPv6 first on the command line, listed IPv4 first.
both() {
	mx "$MX" replace "$PROVIDER6" "$PROVIDER" || return 1
	expect_eq "armed" 1 "$(stat "$MX" armed)" || return 1
	expect_eq "ranges" 2 "$(stat "$MX" ranges)" || return 1
	expect_eq "list" "$PROVIDER
$PROVIDER6" "$(entries "$MX")"
}
check "replace $PROVIDER6 $PROVIDER: one list, 2 ranges, IPv4 listed first" both

# Over IPv6: inside connects (allowed moves), outside times out (dropped
# moves); nothing else moves.
over_ipv6() {
	local c
	c=$(counters "$MX")
	connect_ok "$GOOD" "$MX_ADDR6" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR6" 25 || return 1
	connect_fails "$OTHER" "$MX_ADDR6" 25 || return 1
	expect_ge "syn_allowed" $(($(cget "$c" syn_allowed) + 1)) "$(stat "$MX" syn_allowed)" || return 1
	expect_ge "syn_dropped" $(($(cget "$c" syn_dropped) + 2)) "$(stat "$MX" syn_dropped)" || return 1
	expect_counters "$MX" "syn_monitored=0 syn_unarmed=0"
}
check "IPv6: good ($GOOD_ADDR6) connects, bad and other time out" over_ipv6

# Exact counts from single raw IPv6 SYNs, and the IPv6 interval's hits.
exact6() {
	local c h4 h6 list
	list=$(mx "$MX" list) || return 1
	h4=$(sed -n "s|^$PROVIDER # hits ||p" <<<"$list")
	h6=$(sed -n "s|^$PROVIDER6 # hits ||p" <<<"$list")
	c=$(counters "$MX")
	send_segment "$BAD" "$BAD_ADDR6" "$MX_ADDR6" 25 S S || return 1
	send_segment "$GOOD" "$GOOD_ADDR6" "$MX_ADDR6" 25 S S S || return 1
	c=$(bump "$c" syn_dropped 2)
	c=$(bump "$c" syn_allowed 3)
	c=$(bump "$c" syn_seen 5)
	wait_stat "$MX" syn_seen "$(cget "$c" syn_seen)" || return 1
	expect_counters "$MX" "$c" || return 1
	list=$(mx "$MX" list) || return 1
	expect_eq "list with hits" "$PROVIDER # hits $h4
$PROVIDER6 # hits $((h6 + 3))" "$list"
}
check "raw IPv6 SYNs, 2 outside and 3 inside: dropped +2, allowed +3, $PROVIDER6 hits +3" exact6

# With both families listed, IPv4 is still judged by the IPv4 entries.
over_ipv4() {
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR" 25
}
check "IPv4 in the same list: good ($GOOD_ADDR) connects, bad ($BAD_ADDR) times out" over_ipv4

# Each family meets its own part only.
v4_only() {
	mx "$MX" replace "$PROVIDER" || return 1
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	connect_fails "$GOOD" "$MX_ADDR6" 25
}
check "an IPv4-only list: good connects over IPv4, times out over IPv6" v4_only

v6_only() {
	mx "$MX" replace "$PROVIDER6" || return 1
	connect_ok "$GOOD" "$MX_ADDR6" 25 || return 1
	connect_fails "$GOOD" "$MX_ADDR" 25
}
check "an IPv6-only list: good connects over IPv6, times out over IPv4" v6_only

verdicts6() {
	local bad=0 a
	mx "$MX" replace "$PROVIDER" "$PROVIDER6" || return 1
	for a in "$GOOD_ADDR6" 2001:db8:a:: 2001:db8:a:ffff:ffff:ffff:ffff:ffff; do
		expect_exit 0 mx "$MX" test "$a" || bad=1
	done
	for a in "$BAD_ADDR6" "$OTHER_ADDR6" 2001:db8:9:ffff:ffff:ffff:ffff:ffff 2001:db8:b::; do
		expect_exit 1 mx "$MX" test "$a" || bad=1
	done
	return "$bad"
}
check "test IPv6: 0 inside $PROVIDER6 (edges too), 1 outside (just past the edges too)" verdicts6

# A mapped address is judged by the IPv4 part, whatever the IPv6 part says.
mapped() {
	expect_exit 0 mx "$MX" test "::ffff:$GOOD_ADDR" || return 1
	expect_exit 1 mx "$MX" test "::ffff:$BAD_ADDR" || return 1
	# Without the IPv4 range, the mapped good address is out.
	mx "$MX" replace "$PROVIDER6" || return 1
	expect_exit 1 mx "$MX" test "::ffff:$GOOD_ADDR"
}
check "test ::ffff:$GOOD_ADDR: 0 while $PROVIDER is listed, 1 once it is not" mapped

# ::/0 is all of IPv6 but not the mapped block: that belongs to IPv4.
all_v6() {
	mx "$MX" replace ::/0 || return 1
	expect_exit 0 mx "$MX" test "$BAD_ADDR6" || return 1
	expect_exit 1 mx "$MX" test "::ffff:$BAD_ADDR" || return 1
	expect_exit 1 mx "$MX" test "$BAD_ADDR" || return 1
	connect_ok "$BAD" "$MX_ADDR6" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR" 25
}
check "replace ::/0: bad connects over IPv6, but ::ffff:$BAD_ADDR stays refused" all_v6

# Raw entries the kernel must refuse, and nothing changes.
raw_mapped() {
	local list g bad=0 m=00000000000000000000ffff
	mx "$MX" replace "$PROVIDER" "$PROVIDER6" || return 1
	list=$(entries "$MX")
	g=$(gen "$MX")
	# Wholly inside ::ffff:0:0/96: one address, the /96 itself, a range.
	nl "$MX" -e EINVAL entry "${m}c7590001" >&2 || bad=1
	nl "$MX" -e EINVAL -c add entry "${m}c7590001" >&2 || bad=1
	nl "$MX" -e EINVAL entry "${m}00000000" prefix 96 >&2 || bad=1
	nl "$MX" -e EINVAL -c add entry "${m}c7590000" end "${m}c75907ff" >&2 || bad=1
	[ "$bad" -eq 0 ] || return 1
	unchanged "$MX" "$list" "$g"
}
check "raw IPv6 entries wholly inside ::ffff:0:0/96 (replace, add): EINVAL, nothing changes" raw_mapped

# A range with one end inside the block: from just below into it, from
# its last address to above it. Refused, not trimmed.
raw_straddle() {
	local list g bad=0 m=00000000000000000000ffff
	list=$(entries "$MX")
	g=$(gen "$MX")
	nl "$MX" -e EINVAL entry 00000000000000000000fffeffffffff end "${m}c7590005" >&2 || bad=1
	nl "$MX" -e EINVAL -c add entry 00000000000000000000fffeffffffff end "${m}c7590005" >&2 || bad=1
	nl "$MX" -e EINVAL -c add entry "${m}ffffffff" end 00000000000000000001000000000000 >&2 || bad=1
	[ "$bad" -eq 0 ] || return 1
	unchanged "$MX" "$list" "$g"
}
check "raw IPv6 ranges with one end in ::ffff:0:0/96: EINVAL, nothing changes" raw_straddle

ktap_finish
