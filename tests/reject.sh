#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `action reject` makes a refused sender fail at once instead of timing
# out: its SYN is answered with a TCP reset, so socat reports "Connection
# refused" (where drop gives "Connection timed out"), over IPv4 and IPv6
# alike. The reset comes before the client's first retransmission (1 s):
# the module sees exactly one SYN per refused connection. A rejected SYN
# is still counted as syn_dropped (kmod/hook.c counts the verdict before
# it acts) and recorded in the table of refused sources. Senders in the
# list, unguarded ports and monitor mode are not affected by the action.
# `action drop` brings the silence back.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd python3
ktap_begin 8

topology6 || ktap_bail "cannot build the IPv6 topology"
mx "$MX" replace "$PROVIDER" "$PROVIDER6" || ktap_bail "cannot load the list"

action_is() { # expected
	expect_eq "mxlockctl action" "$1" "$(mx "$MX" action)" || return 1
	expect_eq "action in stats" "$1" "$(stat "$MX" action)"
}

to_reject() {
	local g
	action_is drop || return 1
	g=$(gen "$MX")
	mx "$MX" action reject || return 1
	action_is reject || return 1
	expect_eq "generation" $((g + 1)) "$(gen "$MX")"
}
check "action starts as drop; action reject: reported by action and stats, generation +1" to_reject

# refused_once NS DST: refused with a reset after exactly one SYN: the
# reset beat the client's first retransmission (1 s), which is what
# "fast" means here. The wall time, process start-ups included, is held
# only to a generous bound below socat's 15 s connect timeout (a loaded
# TCG guest can take seconds to start ip and socat).
refused_once() {
	local c
	c=$(counters "$MX")
	connect_refused "$1" "$2" 25 || return 1
	c=$(bump "$c" syn_dropped 1)
	c=$(bump "$c" syn_seen 1)
	expect_counters "$MX" "$c" || return 1
	awk -v t="$REFUSED_SECS" 'BEGIN { exit !(t < 12) }' || {
		echo "refused, but only after ${REFUSED_SECS}s" >&2
		return 1
	}
	echo "refused after ${REFUSED_SECS}s" >&2
}
check "IPv4: bad gets 'Connection refused' after one SYN (syn_dropped +1)" refused_once "$BAD" "$MX_ADDR"
check "IPv6: bad gets 'Connection refused' after one SYN (syn_dropped +1)" refused_once "$BAD" "$MX_ADDR6"

# Raw SYNs: each rejected one counts as dropped and in the refused table.
raw() {
	local c d
	mx "$MX" denied flush || return 1
	c=$(counters "$MX")
	send_segment "$OTHER" "$OTHER_ADDR" "$MX_ADDR" 25 S S S || return 1
	send_segment "$OTHER" "$OTHER_ADDR6" "$MX_ADDR6" 25 S S || return 1
	c=$(bump "$c" syn_dropped 5)
	c=$(bump "$c" syn_seen 5)
	wait_stat "$MX" syn_seen "$(cget "$c" syn_seen)" || return 1
	expect_counters "$MX" "$c" || return 1
	d=$(mx "$MX" denied) || return 1
	expect_match "denied" "^$OTHER_ADDR6 count 2 " "$d" || return 1
	expect_match "denied" "^$OTHER_ADDR count 3 " "$d"
}
check "raw SYNs under reject: 3 IPv4 + 2 IPv6 from other: syn_dropped +5, denied counts 3 and 2" raw

# The action is for refused SYNs only.
others_untouched() {
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	connect_ok "$GOOD" "$MX_ADDR6" 25 || return 1
	connect_ok "$BAD" "$MX_ADDR" 2525 || return 1
	connect_ok "$BAD" "$MX_ADDR6" 2525
}
check "reject leaves good (IPv4, IPv6) and the unguarded port 2525 alone" others_untouched

# Monitor mode lets outside senders in: no reset for them.
monitor_mode() {
	local c
	mx "$MX" mode monitor || return 1
	c=$(counters "$MX")
	connect_ok "$BAD" "$MX_ADDR" 25 || return 1
	connect_ok "$BAD" "$MX_ADDR6" 25 || return 1
	mx "$MX" mode enforce || return 1
	expect_ge "syn_monitored" $(($(cget "$c" syn_monitored) + 2)) "$(stat "$MX" syn_monitored)" || return 1
	expect_counters "$MX" "syn_dropped=$(cget "$c" syn_dropped)"
}
check "monitor mode with action reject: bad connects (IPv4, IPv6), monitored, not dropped" monitor_mode

# Back to drop: no answer at all, over both families.
to_drop() {
	mx "$MX" action drop || return 1
	action_is drop || return 1
	connect_fails "$BAD" "$MX_ADDR" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR6" 25
}
check "action drop: bad times out again over IPv4 and IPv6 (no reset)" to_drop

bad_action() {
	local g
	g=$(gen "$MX")
	expect_exit 2 mx "$MX" action refuse || return 1
	expect_exit 2 mx "$MX" action reject drop || return 1
	action_is drop || return 1
	expect_eq "generation" "$g" "$(gen "$MX")"
}
check "action refuse (unknown) or two actions: exit 2, nothing changes" bad_action

ktap_finish
