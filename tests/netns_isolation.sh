#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every network namespace has its own mxlock: its own list, mode,
# generation, counters and /proc/net/mxlock/stats. Two mail hosts side by
# side: locking one down must not touch the other, and the namespace the
# test runs from (the host's) must not be touched at all.
source "$(dirname "$0")/lib.sh"

require_mxlock
ktap_begin 7

topology || ktap_bail "cannot build the topology"
# A second mail host, with its own bad sender from the same address.
mailhost MX2 || ktap_bail "cannot build the second mail host"
sender BAD2 "$MX2" "$BAD_ADDR" || ktap_bail "cannot add the second sender"

init_state=$("$MXLOCKCTL" stats | grep -E '^(mode|armed|ranges|generation) ')

arm_one() {
	local g2
	g2=$(gen "$MX2")
	mx "$MX" replace "$PROVIDER" || return 1
	mx "$MX" mode monitor || return 1
	mx "$MX" mode enforce || return 1
	expect_eq "armed in MX" 1 "$(stat "$MX" armed)" || return 1
	expect_eq "armed in MX2" 0 "$(stat "$MX2" armed)" || return 1
	expect_eq "list in MX2" "" "$(entries "$MX2")" || return 1
	expect_eq "generation in MX2" "$g2" "$(gen "$MX2")"
}
check "a list loaded in MX leaves MX2 unarmed, empty, generation unchanged" arm_one

# The same source address is dropped by MX and let in by MX2.
same_source() {
	connect_fails "$BAD" "$MX_ADDR" 25 || return 1
	connect_ok "$BAD2" "$MX_ADDR" 25
}
check "$BAD_ADDR times out at MX but connects to MX2" same_source

# Each namespace counted its own SYNs only.
own_counters() {
	expect_counters "$MX2" "syn_unarmed=1 syn_dropped=0 syn_allowed=0" || return 1
	expect_ge "syn_dropped in MX" 1 "$(stat "$MX" syn_dropped)" || return 1
	expect_counters "$MX" "syn_unarmed=0 syn_allowed=0"
}
check "counters are per namespace" own_counters

# The /proc file is the namespace's own (same path, different content).
own_proc() {
	local a b
	a=$(stats "$MX") b=$(stats "$MX2")
	expect_match "MX's stats" '^armed 1$' "$a" || return 1
	expect_match "MX2's stats" '^armed 0$' "$b"
}
check "/proc/net/mxlock/stats differs between MX and MX2" own_proc

# A different list in MX2 lives beside MX's.
two_lists() {
	mx "$MX2" replace 198.51.100.0/24 || return 1
	expect_eq "MX list" "$PROVIDER" "$(entries "$MX")" || return 1
	expect_eq "MX2 list" "198.51.100.0/24" "$(entries "$MX2")" || return 1
	connect_ok "$BAD2" "$MX_ADDR" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR" 25
}
check "MX2 gets its own list; each host enforces its own" two_lists

# Flushing one leaves the other armed.
flush_one() {
	mx "$MX" flush || return 1
	expect_eq "MX armed" 0 "$(stat "$MX" armed)" || return 1
	expect_eq "MX2 armed" 1 "$(stat "$MX2" armed)" || return 1
	expect_eq "MX2 list" "198.51.100.0/24" "$(entries "$MX2")" || return 1
	connect_ok "$BAD" "$MX_ADDR" 25
}
check "flush in MX leaves MX2's list in force" flush_one

# None of this reached the namespace the tests run in.
init_untouched() {
	expect_eq "mode/armed/ranges/generation of the initial namespace" "$init_state" \
		"$("$MXLOCKCTL" stats | grep -E '^(mode|armed|ranges|generation) ')"
}
check "the initial namespace's state did not change" init_untouched

ktap_finish
