#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Monitor mode is the dry run: senders outside the list get in, but each
# such SYN is counted as syn_monitored, so an admin can see what enforce
# would refuse before turning it on. Switching back to enforce drops them
# again at once. The mode is independent of the list.
source "$(dirname "$0")/lib.sh"

require_mxlock
ktap_begin 8

topology || ktap_bail "cannot build the topology"

check "replace $PROVIDER" mx "$MX" replace "$PROVIDER"

mode_is() { # expected
	expect_eq "mxlockctl mode" "$1" "$(mx "$MX" mode)" || return 1
	expect_eq "mode in stats" "$1" "$(stat "$MX" mode)"
}
check "the mode starts as enforce" mode_is enforce

to_monitor() {
	local g
	g=$(gen "$MX")
	mx "$MX" mode monitor || return 1
	mode_is monitor || return 1
	expect_eq "generation after a mode change" $((g + 1)) "$(gen "$MX")" || return 1
	expect_eq "list" "$PROVIDER" "$(entries "$MX")"
}
check "mode monitor: reported by mode and stats; list kept; generation +1" to_monitor

# Outside senders now connect, and are counted as monitored, not dropped;
# inside ones are still plain allowed.
let_in() {
	local c
	c=$(counters "$MX")
	connect_ok "$BAD" "$MX_ADDR" 25 || return 1
	connect_ok "$OTHER" "$MX_ADDR" 25 || return 1
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	c=$(bump "$c" syn_monitored 2)
	c=$(bump "$c" syn_allowed 1)
	c=$(bump "$c" syn_seen 3)
	expect_counters "$MX" "$c"
}
check "monitor: bad and other connect (syn_monitored +2), good allowed +1" let_in

# test ADDR reports what would be dropped even though it passes now.
verdicts() {
	expect_exit 1 mx "$MX" test "$BAD_ADDR" || return 1
	expect_exit 0 mx "$MX" test "$GOOD_ADDR"
}
check "monitor: test exits 1 for an outside address, 0 inside" verdicts

# Back to enforce: the same sender is dropped again.
back() {
	local c
	mx "$MX" mode enforce || return 1
	mode_is enforce || return 1
	c=$(counters "$MX")
	connect_fails "$BAD" "$MX_ADDR" 25 || return 1
	expect_ge "syn_dropped" $(($(cget "$c" syn_dropped) + 1)) "$(stat "$MX" syn_dropped)" || return 1
	expect_counters "$MX" "syn_monitored=$(cget "$c" syn_monitored) syn_allowed=$(cget "$c" syn_allowed)"
}
check "back to enforce: bad times out again, syn_dropped moves, monitored does not" back

# The mode survives a replace and a flush (it belongs to the namespace,
# not to a list).
sticky() {
	mx "$MX" mode monitor || return 1
	mx "$MX" replace 203.0.113.0/24 || return 1
	mode_is monitor || return 1
	mx "$MX" flush || return 1
	mode_is monitor || return 1
	mx "$MX" replace "$PROVIDER" || return 1
	mode_is monitor
}
check "the mode survives replace and flush" sticky

# Bad mode names are refused and change nothing.
bad_mode() {
	local g
	g=$(gen "$MX")
	expect_exit 2 mx "$MX" mode permissive || return 1
	mode_is monitor || return 1
	expect_eq "generation" "$g" "$(gen "$MX")"
}
check "mode permissive is refused (exit 2), nothing changes" bad_mode

ktap_finish
