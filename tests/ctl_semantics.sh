#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What add, del, flush, replace and list mean. The list is a set of
# addresses kept as merged intervals: overlapping or touching entries
# become one, list prints each interval once (as a.b.c.d/len when it is a
# CIDR block, else a.b.c.d-e.f.g.h) in ascending order, and that output
# fed back through replace -f gives the very same list. del removes
# addresses, splitting intervals; deleting what is not listed is an
# error. Every change bumps the generation by exactly one; a refused
# change leaves it alone.
source "$(dirname "$0")/lib.sh"

require_mxlock
ktap_begin 12

setup_ns MX || ktap_bail "cannot create a namespace"

# lists_as "expected list" CMD...: CMD succeeds, bumps the generation by
# one, and leaves exactly that list and range count.
lists_as() {
	local want=$1 g
	shift
	g=$(gen "$MX")
	mx "$MX" "$@" || return 1
	expect_eq "list after $*" "$want" "$(entries "$MX")" || return 1
	expect_eq "ranges" "$(grep -c . <<<"$want")" "$(stat "$MX" ranges)" || return 1
	expect_eq "generation" $((g + 1)) "$(gen "$MX")"
}

check "adjacent /25s merge into one /24" \
	lists_as "192.0.2.0/24" replace 192.0.2.128/25 192.0.2.0/25
check "overlapping entries merge; output is sorted" \
	lists_as "192.0.2.0/24
198.51.100.0/23" replace 198.51.101.0/24 192.0.2.0/24 198.51.100.0/24 198.51.100.128/25 192.0.2.7
check "a range that is no CIDR block prints as a-b; a single address as /32" \
	lists_as "198.51.100.10-198.51.100.20
203.0.113.7/32" replace 198.51.100.10-198.51.100.20 203.0.113.7
check "a range touching a block merges with it" \
	lists_as "198.51.100.0-198.51.100.20" replace 198.51.100.10-198.51.100.20 198.51.100.0-198.51.100.9
check "0.0.0.0/0 is one range" lists_as "0.0.0.0/0" replace 0.0.0.0/0
check "the edges of the address space: 0.0.0.0 and 255.255.255.255" \
	lists_as "0.0.0.0/32
255.255.255.255/32" replace 255.255.255.255 0.0.0.0

# A list with many kinds of interval survives list | replace -f unchanged.
round_trip() {
	local before after g
	mx "$MX" replace 192.0.2.0/24 198.51.100.3-198.51.100.77 203.0.113.128/25 \
		203.0.113.5 10.0.0.0/8 11.0.0.0/8 255.255.255.254-255.255.255.255 || return 1
	before=$(mx "$MX" list) || return 1
	echo "$before" >"$TMPD/list.conf"
	g=$(gen "$MX")
	mx "$MX" replace -f "$TMPD/list.conf" || return 1
	after=$(mx "$MX" list)
	expect_eq "list after replace -f of its own output" "$before" "$after" || return 1
	expect_eq "generation" $((g + 1)) "$(gen "$MX")" || return 1
	# The same through standard input.
	mx "$MX" replace -f - <<<"$before" || return 1
	expect_eq "list after replace -f -" "$before" "$(mx "$MX" list)"
}
check "list output round-trips through replace -f (file and stdin)" round_trip

# add merges new entries into the list.
add_merges() {
	mx "$MX" replace 192.0.2.0/24 198.51.100.0/24 || return 1
	lists_as "192.0.2.0/23
198.51.100.0/24" add 192.0.3.0/24 || return 1
	lists_as "192.0.2.0/23
198.51.100.0/24
203.0.113.0/24" add 203.0.113.0/25 203.0.113.128/25
}
check "add merges into the list (adjacent and new intervals)" add_merges

# add arms an unarmed namespace.
add_arms() {
	mx "$MX" flush || return 1
	lists_as "198.51.100.0/24" add 198.51.100.0/24 || return 1
	expect_eq "armed" 1 "$(stat "$MX" armed)"
}
check "add to an unarmed namespace arms it" add_arms

# del splits an interval when it cuts out its middle.
del_splits() {
	mx "$MX" replace 192.0.2.0/24 || return 1
	lists_as "192.0.2.0/25
192.0.2.192/26" del 192.0.2.128/26 || return 1
	lists_as "192.0.2.0-192.0.2.4
192.0.2.6-192.0.2.127
192.0.2.192/26" del 192.0.2.5 || return 1
	lists_as "192.0.2.0-192.0.2.4
192.0.2.6-192.0.2.127
192.0.2.192-192.0.2.254" del 192.0.2.255
}
check "del splits intervals (a /26 from a /24, then single addresses)" del_splits

# del of an address range that is not listed fails and changes nothing;
# so does a del that would leave the list empty (flush is for that).
del_refused() {
	local list g rc
	mx "$MX" replace 192.0.2.0/24 198.51.100.0/24 || return 1
	list=$(entries "$MX") g=$(gen "$MX")
	mx "$MX" del 203.0.113.0/24 >/dev/null 2>&1
	rc=$?
	expect_eq "exit status of del of an unlisted range" 2 "$rc" || return 1
	unchanged "$MX" "$list" "$g" || return 1
	mx "$MX" del 192.0.2.0/24 198.51.100.0/24 >/dev/null 2>&1
	rc=$?
	expect_eq "exit status of a del that empties the list" 2 "$rc" || return 1
	unchanged "$MX" "$list" "$g" || return 1
	mx "$MX" del 0.0.0.0/0 >/dev/null 2>&1
	rc=$?
	expect_eq "exit status of del 0.0.0.0/0" 2 "$rc" || return 1
	unchanged "$MX" "$list" "$g"
}
check "del of an unlisted range, or of everything, fails; nothing changes" del_refused

# flush disarms: empty list, armed 0, generation +1.
flushes() {
	local g
	mx "$MX" replace 192.0.2.0/24 || return 1
	g=$(gen "$MX")
	mx "$MX" flush || return 1
	expect_eq "list" "" "$(entries "$MX")" || return 1
	expect_eq "armed" 0 "$(stat "$MX" armed)" || return 1
	expect_eq "ranges" 0 "$(stat "$MX" ranges)" || return 1
	expect_eq "generation" $((g + 1)) "$(gen "$MX")"
}
check "flush disarms: empty list, armed 0, ranges 0, generation +1" flushes

ktap_finish
