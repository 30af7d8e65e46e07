#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `mxlockctl monitor` follows every change as it happens: each replace,
# add, del and flush, and each settings change (mode, ports, action: a
# "config" event, the command that made it), is one event that names the
# command, the netlink portid of the socket that made it (the maker's:
# another mxlockctl, so non-zero, and with netlink's autobind the maker's
# pid) and the resulting generation, one more each time and the one
# stats then reports, with the whole resulting state. `-j monitor` prints
# the same events as one JSON object a line. Events stay in their network
# namespace, reads and refused changes make none, and listening needs no
# privilege (reads never do): a monitor run as nobody gets them too.
#
# Waiting for a monitor to subscribe, deterministically: mxlockctl joins
# the events group and then nlctrl's group before it waits for events,
# and /proc/net/netlink (per namespace) shows each generic netlink
# socket's group bitmap. Once as many generic netlink sockets in the
# namespace have a non-zero bitmap as monitors were started there, each
# monitor has joined the events group, and every later event is queued
# on its socket. No event is made just to find out, so each monitor's
# --count is exactly the number of changes the test makes.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd python3 setpriv
ktap_begin 8

setup_ns MX MX2 || ktap_bail "cannot create the namespaces"

# wait_subscribed NS N: N generic netlink sockets (protocol 16) in NS
# have joined a multicast group.
wait_subscribed() {
	local ns=$1 want=$2 n i
	for ((i = 0; i < 100; i++)); do
		# shellcheck disable=SC2016  # an awk program
		n=$(ip netns exec "$ns" awk '$2 == 16 && $4 != "00000000" { n++ } END { print n + 0 }' \
			/proc/net/netlink)
		[ "$n" -ge "$want" ] && return 0
		sleep 0.1
	done
	echo "only $n of $want monitors subscribed in $ns after 10 s:" >&2
	ip netns exec "$ns" cat /proc/net/netlink >&2
	return 1
}

# wait_gone PID [SECS]: the process has ended.
wait_gone() {
	local i
	for ((i = 0; i < ${2:-30} * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "process $1 still running after ${2:-30} s" >&2
	return 1
}

# The monitors: text and JSON in MX, one in MX2 that must see only MX2's.
G0=$(gen "$MX")
spawn ip netns exec "$MX" "$MXLOCKCTL" monitor --count 7 >"$TMPD/ev" 2>"$TMPD/ev.err"
MON=$SPAWNED
spawn ip netns exec "$MX" "$MXLOCKCTL" -j monitor --count 7 >"$TMPD/ev.json" 2>"$TMPD/ev.json.err"
MONJ=$SPAWNED
spawn ip netns exec "$MX2" "$MXLOCKCTL" monitor --count 1 >"$TMPD/ev2" 2>"$TMPD/ev2.err"
MON2=$SPAWNED

subscribed() {
	wait_subscribed "$MX" 2 || return 1
	wait_subscribed "$MX2" 1
}
check "monitor, -j monitor (in MX) and monitor (in MX2) subscribe" subscribed

# Seven changes, each by its own mxlockctl; its pid is its portid.
changes() {
	local args pid
	: >"$TMPD/pids"
	for args in "replace 199.89.0.0/21" "add 203.0.113.0/24" "del 203.0.113.0/24" \
		flush "mode monitor" "ports 25,587" "action reject"; do
		# shellcheck disable=SC2086  # the command and its arguments
		ip netns exec "$MX" "$MXLOCKCTL" $args &
		pid=$!
		wait "$pid" || { echo "mxlockctl $args failed" >&2; return 1; }
		echo "$pid" >>"$TMPD/pids"
	done
	wait_gone "$MON" || return 1
	wait_gone "$MONJ" || return 1
	expect_eq "monitor's stderr" "" "$(cat "$TMPD/ev.err")" || return 1
	expect_eq "-j monitor's stderr" "" "$(cat "$TMPD/ev.json.err")"
}
check "replace, add, del, flush, mode, ports, action; both monitors end after 7 events" changes

# The events, with the makers' portids replaced by P1..P7.
named() {
	local want g=$G0 i=0 p got
	got=$(cat "$TMPD/ev")
	while read -r p; do
		i=$((i + 1))
		got=${got//" by portid $p:"/" by portid P$i:"}
	done <"$TMPD/pids"
	want="generation $((g + 1)): replace by portid P1: armed 1 ranges 1 mode enforce action drop log off ports 25
generation $((g + 2)): add by portid P2: armed 1 ranges 2 mode enforce action drop log off ports 25
generation $((g + 3)): del by portid P3: armed 1 ranges 1 mode enforce action drop log off ports 25
generation $((g + 4)): flush by portid P4: armed 0 ranges 0 mode enforce action drop log off ports 25
generation $((g + 5)): config by portid P5: armed 0 ranges 0 mode monitor action drop log off ports 25
generation $((g + 6)): config by portid P6: armed 0 ranges 0 mode monitor action drop log off ports 25,587
generation $((g + 7)): config by portid P7: armed 0 ranges 0 mode monitor action reject log off ports 25,587"
	expect_eq "events (makers' pids as P1..P7)" "$want" "$got"
}
check "one event per change, in order: its command (config for settings), generation +1 each, the resulting state" named

makers() {
	local portids pids
	portids=$(sed -n 's/.* by portid \([0-9]*\):.*/\1/p' "$TMPD/ev")
	pids=$(cat "$TMPD/pids")
	expect_eq "portids, one a line" "$pids" "$portids" || return 1
	expect_eq "distinct non-zero portids" 7 "$(grep -v '^0$' <<<"$portids" | sort -u | grep -c .)"
}
check "each event's portid is its maker's (non-zero, its pid: netlink autobind), 7 distinct" makers

generations() {
	local last
	last=$(sed -n '$s/^generation \([0-9]*\):.*/\1/p' "$TMPD/ev")
	expect_eq "the last event's generation" "$(gen "$MX")" "$last" || return 1
	expect_eq "the last event's generation" $((G0 + 7)) "$last"
}
check "the last event's generation is what stats reports now ($((G0 + 7)))" generations

# -j monitor: one valid JSON object a line, the same facts as the text.
json_events() {
	python3 - "$TMPD/ev" "$TMPD/ev.json" <<'EOF'
import json, re, sys
text = open(sys.argv[1]).read().splitlines()
js = open(sys.argv[2]).read().splitlines()
assert len(text) == len(js) == 7, "%d text, %d JSON lines" % (len(text), len(js))
for t, j in zip(text, js):
    o = json.loads(j)
    m = re.fullmatch(r"generation (\d+): (\w+) by portid (\d+): armed (\d) ranges (\d+)"
                     r" mode (\w+) action (\w+) log (\w+) ports ([\d,]+)", t)
    assert m, "text event: %r" % t
    g, cmd, portid, armed, ranges, mode, action, log, ports = m.groups()
    want = {"generation": int(g), "command": cmd, "portid": int(portid),
            "armed": armed == "1", "ranges": int(ranges), "mode": mode,
            "action": action, "log": log == "on",
            "ports": [int(p) for p in ports.split(",")]}
    assert o == want and all(type(o[k]) is type(want[k]) for k in want), \
        "JSON %r\n text %r" % (o, t)
EOF
}
check "-j monitor: 7 lines, each a JSON object with the same facts as the text event" json_events

# MX2's monitor saw none of MX's seven: its one event is MX2's own change.
isolated() {
	local g2 pid got
	g2=$(gen "$MX2")
	expect_eq "MX2's monitor so far" "" "$(cat "$TMPD/ev2")" || return 1
	ip netns exec "$MX2" "$MXLOCKCTL" replace 192.0.2.0/24 &
	pid=$!
	wait "$pid" || return 1
	wait_gone "$MON2" || return 1
	got=$(cat "$TMPD/ev2")
	expect_eq "MX2's events" "generation $((g2 + 1)): replace by portid $pid: armed 1 ranges 1 mode enforce action drop log off ports 25" "$got"
}
check "a monitor in MX2 sees none of MX's events, then MX2's own replace" isolated

# An unprivileged monitor; reads and refused changes make no event, so
# its first event is the real change that follows them.
spawn ip netns exec "$MX" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all -- "$MXLOCKCTL" monitor --count 1 >"$TMPD/ev3" 2>"$TMPD/ev3.err"
MON3=$SPAWNED
nobody() {
	local got
	wait_subscribed "$MX" 1 || return 1
	# Reads, and changes the kernel or the tool refuses.
	mx "$MX" list >/dev/null && mx "$MX" stats >/dev/null && mx "$MX" denied >/dev/null || return 1
	expect_exit 2 as_nobody "$MX" "$MXLOCKCTL" mode enforce || return 1
	expect_exit 2 mx "$MX" del 203.0.113.0/24 || return 1
	expect_exit 2 mx "$MX" ports 0 || return 1
	mx "$MX" mode enforce || return 1
	wait_gone "$MON3" || return 1
	got=$(cat "$TMPD/ev3")
	expect_match "nobody's event" "^generation $((G0 + 8)): config by portid [1-9][0-9]*: armed 0 ranges 0 mode enforce action reject log off ports 25,587\$" "$got" || {
		cat "$TMPD/ev3.err" >&2
		return 1
	}
}
check "a monitor run as nobody gets events; reads and refused changes made none" nobody

ktap_finish
