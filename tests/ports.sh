#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A mail host takes mail on more than port 25: submission (587) goes
# around the filter just as well. `mxlockctl ports 25,587` guards both:
# a sender outside the list times out on either, one inside connects to
# either, and a port left out (2525) stays open to all and uncounted.
# The ports are reported by `mxlockctl ports` and /proc/net/mxlock/stats.
# Bad input (port 0, 65536, a port twice, 17 ports, junk) is refused with
# exit status 2 and changes nothing; 16 ports is the most. Setting ports
# replaces them: `ports 2525` leaves 25 unguarded.
#
# The module parameter port= is the default of every namespace the module
# starts: rmmod, insmod port=2525, and a new namespace guards 2525 and
# not 25. The module is loaded again without it at the end (and on any
# exit), so the scripts after this one find it as usual.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd python3 rmmod
ktap_begin 9

# Whatever happens, leave the module loaded with its defaults.
restore_module() {
	[ "$(cat /sys/module/mxlock/parameters/port 2>/dev/null)" = 25 ] && return 0
	mxlock_unload
	mxlock_load
}
defer restore_module

topology || ktap_bail "cannot build the topology"
listener "$MX" "$MX_ADDR" 587 "$BANNER" || ktap_bail "cannot listen on 587"
mx "$MX" replace "$PROVIDER" || ktap_bail "cannot load the list"

ports_are() { # text: what mxlockctl ports and /proc say
	expect_eq "mxlockctl ports" "$1" "$(mx "$MX" ports)" || return 1
	expect_eq "ports in $STATS" "$1" "$(stat "$MX" ports)"
}

set_two() {
	local g
	ports_are 25 || return 1
	g=$(gen "$MX")
	mx "$MX" ports 25,587 || return 1
	ports_are 25,587 || return 1
	expect_eq "generation" $((g + 1)) "$(gen "$MX")"
}
check "ports start as 25; ports 25,587: mxlockctl ports and /proc say 25,587, generation +1" set_two

# Real connections on both guarded ports.
both_guarded() {
	connect_fails "$BAD" "$MX_ADDR" 587 || return 1
	connect_fails "$BAD" "$MX_ADDR" 25 || return 1
	connect_ok "$GOOD" "$MX_ADDR" 587 || return 1
	connect_ok "$GOOD" "$MX_ADDR" 25
}
check "bad times out on 587 and on 25; good connects to both" both_guarded

# Exact: raw SYNs to 587 are judged, raw SYNs to 2525 are not even seen;
# a final SYN to 25 marks the end of the batch.
exact() {
	local c
	c=$(counters "$MX")
	send_segment "$BAD" "$BAD_ADDR" "$MX_ADDR" 2525 S S || return 1
	send_segment "$GOOD" "$GOOD_ADDR" "$MX_ADDR" 587 S || return 1
	send_segment "$BAD" "$BAD_ADDR" "$MX_ADDR" 587 S S || return 1
	send_segment "$BAD" "$BAD_ADDR" "$MX_ADDR" 25 S || return 1
	c=$(bump "$c" syn_dropped 3)
	c=$(bump "$c" syn_allowed 1)
	c=$(bump "$c" syn_seen 4)
	wait_stat "$MX" syn_seen "$(cget "$c" syn_seen)" || return 1
	expect_counters "$MX" "$c"
}
check "raw SYNs: 2 bad + 1 good to 587, 1 bad to 25 judged; 2 to 2525 not counted" exact

unguarded() {
	local c
	c=$(counters "$MX")
	connect_ok "$BAD" "$MX_ADDR" 2525 || return 1
	expect_counters "$MX" "$c"
}
check "2525 is left unguarded: bad connects, no counter moves" unguarded

# Every bad input: exit 2, and neither the ports nor the generation move.
bad_input() {
	local g arg bad=0
	g=$(gen "$MX")
	for arg in 0 65536 99999 25,25 25,587,25 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17 \
		smtp 25x -25 +25 025 "25," ,25 25,,587 0x19 ""; do
		expect_exit 2 mx "$MX" ports "$arg" || { echo "  (ports '$arg')" >&2; bad=1; }
	done
	expect_exit 2 mx "$MX" ports 25 25 || bad=1
	[ "$bad" -eq 0 ] || return 1
	ports_are 25,587 || return 1
	expect_eq "generation" "$g" "$(gen "$MX")"
}
check "ports 0, 65536, 25,25, 17 ports, junk: exit 2, ports and generation unchanged" bad_input

sixteen() {
	local p16=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16
	mx "$MX" ports "$p16" || return 1
	ports_are "$p16" || return 1
	# Given as separate arguments, in another order: kept in that order.
	mx "$MX" ports 587 25 || return 1
	ports_are 587,25
}
check "16 ports are accepted; ports 587 25 (two arguments) gives 587,25" sixteen

# Setting ports replaces them: 25 is open once it is left out.
replaced() {
	mx "$MX" ports 2525 || return 1
	ports_are 2525 || return 1
	connect_ok "$BAD" "$MX_ADDR" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR" 2525
}
check "ports 2525: bad now connects to 25 and times out on 2525" replaced

# The module parameter: the default for namespaces the module starts.
# (check runs this in a subshell: the new namespace is deleted here, as
# cleanup would not know it.)
fresh_ports() {
	local rc=0
	setup_ns FRESH || return 1
	expect_eq "ports in a new namespace's $STATS" 2525 "$(stat "$FRESH" ports)" || rc=1
	expect_eq "mxlockctl ports in a new namespace" 2525 "$(mx "$FRESH" ports)" || rc=1
	del_ns "$FRESH" || rc=1
	return "$rc"
}

param() {
	mxlock_unload || return 1
	mxlock_load port=2525 || return 1
	expect_eq "parameter" 2525 "$(cat /sys/module/mxlock/parameters/port)" || return 1
	fresh_ports || return 1
	expect_eq "ports of MX, started again by the module" 2525 "$(stat "$MX" ports)" || return 1
	mx "$MX" replace "$PROVIDER" || return 1
	connect_fails "$BAD" "$MX_ADDR" 2525 || return 1
	connect_ok "$BAD" "$MX_ADDR" 25
}
check "insmod port=2525: new namespaces guard 2525 (bad times out there) and not 25" param

restored() {
	restore_module || return 1
	expect_eq "parameter" 25 "$(cat /sys/module/mxlock/parameters/port)" || return 1
	expect_eq "ports of MX" 25 "$(stat "$MX" ports)" || return 1
	mx "$MX" replace "$PROVIDER" || return 1
	connect_fails "$BAD" "$MX_ADDR" 25 || return 1
	connect_ok "$BAD" "$MX_ADDR" 2525
}
check "insmod without port=: ports 25 again; bad times out on 25, connects to 2525" restored

ktap_finish
