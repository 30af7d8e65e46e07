#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module can go away at any time: with lists armed in live
# namespaces, while a session it let in is open, and while a client holds
# a half-built (staged) replace. rmmod must work then, leave nothing
# behind (no /proc entry, no filtering), and a fresh insmod must start
# every namespace unarmed. Any kernel splat on the way fails the run
# (scripts/vm-run watches the console).
#
# On a real host this unloads the real module, dropping its lists: run it
# where that is fine.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_nlclient
ktap_begin 7

topology || ktap_bail "cannot build the topology"
setup_ns MX2 || ktap_bail "cannot create a second namespace"

armed() {
	mx "$MX" replace "$PROVIDER" || return 1
	mx "$MX2" replace 192.0.2.0/24 198.51.100.0/24 || return 1
	mx "$MX2" mode monitor || return 1
	connect_fails "$BAD" "$MX_ADDR" 25
}
check "two namespaces armed; bad is dropped" armed

# A session from good stays open across the unload, and a client holds a
# staged replace (its socket open) while the module goes.
session_open "$GOOD" "$MX_ADDR" 25
spawn ip netns exec "$MX" "$NLCLIENT" replace-hold 1000 30 >"$TMPD/hold.out"
HOLDER=$SPAWNED
for _ in $(seq "$(slow 100)"); do grep -q staged "$TMPD/hold.out" && break; sleep 0.1; done

unload() {
	grep -q staged "$TMPD/hold.out" || { echo "nlclient never staged" >&2; return 1; }
	session_expect "$BANNER" || return 1
	rmmod mxlock || return 1
	[ ! -d /sys/module/mxlock ] || { echo "/sys/module/mxlock still there" >&2; return 1; }
}
check "rmmod works with armed lists, a live session and a staged replace" unload

gone() {
	local bad=0
	ip netns exec "$MX" test -e /proc/net/mxlock && { echo "/proc/net/mxlock left in MX" >&2; bad=1; }
	ip netns exec "$MX2" test -e /proc/net/mxlock && { echo "/proc/net/mxlock left in MX2" >&2; bad=1; }
	test -e /proc/net/mxlock && { echo "/proc/net/mxlock left in the initial namespace" >&2; bad=1; }
	expect_exit 2 mx "$MX" list || bad=1
	return "$bad"
}
check "no /proc/net/mxlock anywhere, mxlockctl finds no family (exit 2)" gone

# Nothing filters now; the session is still there; the holder closes its
# socket after the module has gone.
no_filter() {
	connect_ok "$BAD" "$MX_ADDR" 25 || return 1
	session_send "after-rmmod" || return 1
	session_expect "after-rmmod" || return 1
	stop "$HOLDER"
}
check "without the module bad connects and the old session still works" no_filter

reload() {
	mxlock_load || return 1
	expect_eq "MX stats after insmod (generation aside)" "mode enforce
action drop
log off
ports 25
armed 0
ranges 0
syn_seen 0
syn_allowed 0
syn_dropped 0
syn_monitored 0
syn_unarmed 0
ack_dropped 0
ack_monitored 0
budget_used 0
budget_limit 16777216
rst_limited 0" "$(stats "$MX" | grep -v '^generation ')" || return 1
	expect_eq "MX2 armed" 0 "$(stat "$MX2" armed)" || return 1
	expect_eq "MX2 mode" enforce "$(stat "$MX2" mode)" || return 1
	expect_eq "MX list" "" "$(entries "$MX")"
}
check "insmod again: every namespace starts unarmed, enforce, counters 0" reload

unarmed_traffic() {
	connect_ok "$BAD" "$MX_ADDR" 25 || return 1
	expect_counters "$MX" "syn_unarmed=1 syn_seen=1"
}
check "after the reload bad connects, counted as syn_unarmed" unarmed_traffic

rearm() {
	mx "$MX" replace "$PROVIDER" || return 1
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR" 25 || return 1
	session_send "still-here" || return 1
	session_expect "still-here" || return 1
	session_close
}
check "the reloaded module arms and enforces again" rearm

ktap_finish
