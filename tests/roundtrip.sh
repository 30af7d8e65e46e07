#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Save and restore: what `mxlockctl list` prints is valid input for
# `mxlockctl replace -f` (its "# hits N" comments included), and loading
# it gives back the very same list. The admin's way to save a list and
# load it again, after a flush, a reboot or on another host:
#
#   mxlockctl list > f; mxlockctl flush; mxlockctl replace -f f
#
# The list mixes IPv4 and IPv6, CIDR blocks, a-b ranges and single
# addresses, some touching so that they merge, and carries hits. Loaded
# again over itself, even the hits stay (the intervals are kept whole);
# after a flush the entries come back exactly and the hits from zero. It
# also goes through standard input, into another namespace, from the
# entries of `-j list`, and at the extremes (all of IPv4 and IPv6, the
# first and last addresses). A saved file spoiled by one bad line is
# refused whole.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd python3
ktap_begin 9

# Only what the story needs: the mail host's address and one sender.
setup_ns MX BARE || ktap_bail "cannot create the namespaces"
ip -n "$MX" addr add "$MX_ADDR/32" dev lo || ktap_bail "cannot add $MX_ADDR"
sender GOOD "$MX" "$GOOD_ADDR" || ktap_bail "cannot add the sender"

SAVED=$TMPD/saved.conf

# Given in no order, with pieces that touch (192.0.2.21, the two /64s).
LIST="2001:db8:ff::1 203.0.113.7 2001:db8:2:1::/64 199.89.0.0/21
192.0.2.10-192.0.2.20 2001:db8:1::5-2001:db8:1::9 198.51.100.0-198.51.100.255
2001:db8:a::/48 192.0.2.21 2001:db8:2::/64"
# As list prints it: merged, IPv4 first, each part ascending, blocks as
# CIDR (a single address too), other intervals as ranges.
CANON="192.0.2.10-192.0.2.21
198.51.100.0/24
199.89.0.0/21
203.0.113.7/32
2001:db8:1::5-2001:db8:1::9
2001:db8:2::/63
2001:db8:a::/48
2001:db8:ff::1/128"

# all_zero: each line of stdin ends in "# hits 0".
all_zero() {
	local out
	out=$(grep -v ' # hits 0$')
	[ -z "$out" ] && return 0
	printf 'lines with hits left:\n%s\n' "$out" >&2
	return 1
}

load() {
	# shellcheck disable=SC2086  # one word per entry
	mx "$MX" replace $LIST || return 1
	expect_eq "entries" "$CANON" "$(entries "$MX")" || return 1
	send_segment "$GOOD" "$GOOD_ADDR" "$MX_ADDR" 25 S S || return 1
	wait_stat "$MX" syn_allowed 2 || return 1
	expect_match "list" "^199\.89\.0\.0/21 # hits 2$" "$(mx "$MX" list)"
}
check "a mixed IPv4/IPv6 list of CIDRs, ranges and addresses is listed merged and sorted; 2 hits" load

# Loaded over itself: the intervals are kept whole, so even the hits stay.
over_itself() {
	mx "$MX" list >"$SAVED" || return 1
	expect_match "saved list" " # hits 2$" "$(cat "$SAVED")" || return 1
	mx "$MX" replace -f "$SAVED" || return 1
	expect_eq "list after replace -f of itself" "$(cat "$SAVED")" "$(mx "$MX" list)"
}
check "list > f; replace -f f: exactly the same list, hits included" over_itself

# The admin's save and restore.
restore() {
	local after
	mx "$MX" list >"$SAVED" || return 1
	mx "$MX" flush || return 1
	expect_eq "armed after flush" 0 "$(stat "$MX" armed)" || return 1
	mx "$MX" replace -f "$SAVED" || return 1
	after=$(mx "$MX" list) || return 1
	expect_eq "entries" "$(strip_hits <"$SAVED")" "$(strip_hits <<<"$after")" || return 1
	expect_eq "entries" "$CANON" "$(strip_hits <<<"$after")" || return 1
	all_zero <<<"$after"
}
check "list > f; flush; replace -f f: the same entries exactly, hits from 0" restore

# With hits at 0 on both sides, the whole text is the same.
whole_text() {
	mx "$MX" list >"$SAVED" || return 1
	mx "$MX" flush || return 1
	mx "$MX" replace -f "$SAVED" || return 1
	expect_eq "list" "$(cat "$SAVED")" "$(mx "$MX" list)"
}
check "saved with hits 0: flush, replace -f reproduces the whole text" whole_text

stdin() {
	mx "$MX" flush || return 1
	ip netns exec "$MX" "$MXLOCKCTL" replace -f - <"$SAVED" || return 1
	expect_eq "list" "$(cat "$SAVED")" "$(mx "$MX" list)"
}
check "replace -f - (standard input) from the saved list: the same text" stdin

other_ns() {
	mx "$BARE" replace -f "$SAVED" || return 1
	expect_eq "list in another namespace" "$(cat "$SAVED")" "$(mx "$BARE" list)"
}
check "the saved list loaded in another namespace: the same text" other_ns

# The "entry" fields of -j list are entries too.
from_json() {
	local e
	e=$(mx "$MX" -j list | python3 -c '
import json, sys
print("\n".join(o["entry"] for o in json.load(sys.stdin)))') || return 1
	mx "$BARE" flush || return 1
	# shellcheck disable=SC2086  # one word per entry
	mx "$BARE" replace $e || return 1
	expect_eq "list" "$(cat "$SAVED")" "$(mx "$BARE" list)"
}
check "replace with the 'entry' fields of -j list: the same text" from_json

# roundtrip NS "ENTRY...": load, save, flush, load the saved list: the
# same list. Prints the list on failure.
roundtrip() {
	local ns=$1 first
	# shellcheck disable=SC2086  # one word per entry
	mx "$ns" replace $2 || return 1
	first=$(mx "$ns" list) || return 1
	mx "$ns" list >"$SAVED" || return 1
	mx "$ns" flush || return 1
	mx "$ns" replace -f "$SAVED" || return 1
	expect_eq "list of [$2]" "$first" "$(mx "$ns" list)"
}

extremes() {
	roundtrip "$BARE" "0.0.0.0/0 ::/0" || return 1
	roundtrip "$BARE" "0.0.0.0 255.255.255.255 :: ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" || return 1
	roundtrip "$BARE" "0.0.0.1-255.255.255.254 ::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"
}
check "the extremes round-trip: 0.0.0.0/0 and ::/0; the first and last addresses; all but them" extremes

# A saved file edited badly is refused whole: the list in force stays.
spoiled() {
	local g
	g=$(gen "$MX")
	{ cat "$SAVED"; echo "199.89.0.1/21"; } >"$TMPD/spoiled.conf"
	expect_exit 2 mx "$MX" replace -f "$TMPD/spoiled.conf" || return 1
	unchanged "$MX" "$CANON" "$g"
}
check "the saved list with a bad line added (host bits set): exit 2, the list in force stays" spoiled

ktap_finish
