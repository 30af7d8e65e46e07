#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mxlock filters connection attempts, not connections. A session that
# was let in stays up when a replace takes its source out of the list:
# data keeps flowing both ways. Only a NEW connection from that source is
# refused afterwards, and a sender the new list admits gets in.
source "$(dirname "$0")/lib.sh"

require_mxlock
ktap_begin 8

topology || ktap_bail "cannot build the topology"

check "replace $PROVIDER" mx "$MX" replace "$PROVIDER"

# good opens a session (in this shell, so it outlives each check): the
# banner arrives and a line we send comes back.
session_open "$GOOD" "$MX_ADDR" 25
before() {
	session_expect "$BANNER" || return 1
	session_send "before-replace" || return 1
	session_expect "before-replace"
}
check "good opens a session: banner and echo" before

# The provider moves: the new list holds only other's network.
moved() {
	local g
	g=$(gen "$MX")
	mx "$MX" replace 203.0.113.0/24 || return 1
	expect_eq "list" "203.0.113.0/24" "$(entries "$MX")" || return 1
	expect_eq "generation" $((g + 1)) "$(gen "$MX")" || return 1
	expect_exit 1 mx "$MX" test "$GOOD_ADDR"
}
check "replace with 203.0.113.0/24 takes good out of the list" moved

# The established session does not notice: client -> server and server
# -> client both still work (the echo proves both directions).
after() {
	session_send "after-replace" || return 1
	session_expect "after-replace" || return 1
	session_send "and-again" || return 1
	session_expect "and-again"
}
check "the established session from good still carries data both ways" after

# Its segments are ACKs from a source the list now refuses. The hook lets
# such an ACK through without a look when early demux has found its
# socket; with early demux off it must find the connection itself, or it
# would take the session for a cookie ACK and drop it.
no_demux() {
	local c rc=0
	c=$(stat "$MX" ack_dropped) || return 1
	ip netns exec "$MX" sysctl -qw net.ipv4.ip_early_demux=0 || return 1
	session_send "no-early-demux" || rc=1
	session_expect "no-early-demux" || rc=1
	ip netns exec "$MX" sysctl -qw net.ipv4.ip_early_demux=1 || rc=1
	expect_eq "ack_dropped" "$c" "$(stat "$MX" ack_dropped)" || rc=1
	return "$rc"
}
check "with early demux off the session still carries data; no ACK dropped" no_demux

# But a new connection from good is now dropped ...
check "a new connection from good times out" connect_fails "$GOOD" "$MX_ADDR" 25

# ... while other, now listed, gets in.
check "other ($OTHER_ADDR) now connects" connect_ok "$OTHER" "$MX_ADDR" 25

# And the old session, still alive through all this, closes cleanly.
closing() {
	session_send "last-line" || return 1
	session_expect "last-line" || return 1
	session_close
}
check "the old session still works at the end and closes" closing

ktap_finish
