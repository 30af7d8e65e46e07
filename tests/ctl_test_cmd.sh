#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mxlockctl test ADDR answers "what would a SYN from ADDR meet now?" by
# its exit status: 0 allowed (or unarmed: it passes), 1 it would be refused
# (enforce: dropped; monitor: passed, but outside the list), 2 error. The
# kernel answers the same question for nlclient (verdict names), so the
# two implementations are checked against each other.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_nlclient
ktap_begin 6

setup_ns MX || ktap_bail "cannot create a namespace"

# verdict ADDR-DOTTED: nlclient's view of ADDR, one word.
verdict() {
	local o
	IFS=. read -ra o <<<"$1"
	nl "$MX" test "$(printf '%02x' "${o[@]}")" | sed -n 's/^verdict //p'
}

# both ADDR STATUS VERDICT: mxlockctl test exits STATUS, nlclient says VERDICT.
both() {
	expect_exit "$2" mx "$MX" test "$1" || return 1
	expect_eq "verdict for $1" "$3" "$(verdict "$1")"
}

unarmed() {
	both 199.89.0.10 0 unarmed && both 198.51.100.10 0 unarmed
}
check "unarmed: exit 0, verdict unarmed" unarmed

enforce() {
	mx "$MX" replace "$PROVIDER" || return 1
	both 199.89.0.0 0 allow || return 1
	both 199.89.7.255 0 allow || return 1
	both 199.89.8.0 1 drop || return 1
	both 199.88.255.255 1 drop || return 1
	both 0.0.0.0 1 drop || return 1
	both 255.255.255.255 1 drop
}
check "enforce: inside exit 0 (allow), outside exit 1 (drop), edges exact" enforce

monitor() {
	mx "$MX" mode monitor || return 1
	both 199.89.3.3 0 allow || return 1
	both 198.51.100.10 1 monitor
}
check "monitor: inside exit 0 (allow), outside exit 1 (monitor)" monitor

errors() {
	expect_exit 2 mx "$MX" test 199.89.0.256 || return 1
	expect_exit 2 mx "$MX" test 199.89.0.0/21 || return 1
	expect_exit 2 mx "$MX" test mail.example.com || return 1
	expect_exit 2 mx "$MX" test
}
check "a bad or missing address: exit 2" errors

# test is a question, not a SYN: it moves no counter and no generation.
no_side_effects() {
	local before
	before=$(stats "$MX")
	mx "$MX" test 198.51.100.10 >/dev/null
	mx "$MX" test 199.89.0.10 >/dev/null
	expect_eq "stats" "$before" "$(stats "$MX")"
}
check "test moves no counter and not the generation" no_side_effects

# After flush, back to unarmed.
flushed() {
	mx "$MX" flush || return 1
	both 198.51.100.10 0 unarmed
}
check "after flush: exit 0, verdict unarmed again" flushed

ktap_finish
