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
# An event of a change to the list also says what it did: how many
# intervals of addresses were added and removed ("N added, M removed",
# "added" and "removed" in JSON), counted on the list before and after
# (an address listed in both counts in neither), and, when 8 or fewer,
# which ("+RANGE", "-RANGE"; "added_entries", "removed_entries"), IPv4
# ones first, then IPv6, each ascending.
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
ktap_begin 16

setup_ns MX MX2 MX3 || ktap_bail "cannot create the namespaces"

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
	want="generation $((g + 1)): replace by portid P1: armed 1 ranges 1 mode enforce action drop log off ports 25: 1 added, 0 removed: +199.89.0.0/21
generation $((g + 2)): add by portid P2: armed 1 ranges 2 mode enforce action drop log off ports 25: 1 added, 0 removed: +203.0.113.0/24
generation $((g + 3)): del by portid P3: armed 1 ranges 1 mode enforce action drop log off ports 25: 0 added, 1 removed: -203.0.113.0/24
generation $((g + 4)): flush by portid P4: armed 0 ranges 0 mode enforce action drop log off ports 25: 0 added, 1 removed: -199.89.0.0/21
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

# same_facts TEXT JSON N: N events in each file, each JSON line an object
# with the same facts as the text line: a list change's counts and
# entries as "added", "removed", "added_entries", "removed_entries" (the
# lists only when the text gives entries), a settings change without them.
same_facts() {
	python3 - "$@" <<'EOF'
import json, re, sys
text = open(sys.argv[1]).read().splitlines()
js = open(sys.argv[2]).read().splitlines()
n = int(sys.argv[3])
assert len(text) == len(js) == n, "%d text, %d JSON lines" % (len(text), len(js))
for t, j in zip(text, js):
    o = json.loads(j)
    m = re.fullmatch(r"generation (\d+): (\w+) by portid (\d+): armed (\d) ranges (\d+)"
                     r" mode (\w+) action (\w+) log (\w+) ports ([\d,]+)"
                     r"(?:: (\d+) added, (\d+) removed(?::((?: [+-]\S+)+))?)?", t)
    assert m, "text event: %r" % t
    g, cmd, portid, armed, ranges, mode, action, log, ports, add, rem, ents = m.groups()
    want = {"generation": int(g), "command": cmd, "portid": int(portid),
            "armed": armed == "1", "ranges": int(ranges), "mode": mode,
            "action": action, "log": log == "on",
            "ports": [int(p) for p in ports.split(",")]}
    assert (add is None) == (cmd == "config"), "counts on a %s event: %r" % (cmd, t)
    if add is not None:
        want["added"] = int(add)
        want["removed"] = int(rem)
        ents = (ents or "").split()
        if any(e[0] == "+" for e in ents):
            want["added_entries"] = [e[1:] for e in ents if e[0] == "+"]
        if any(e[0] == "-" for e in ents):
            want["removed_entries"] = [e[1:] for e in ents if e[0] == "-"]
    assert o == want and all(type(o[k]) is type(want[k]) for k in want), \
        "JSON %r\n text %r" % (o, t)
EOF
}

# -j monitor: one valid JSON object a line, the same facts as the text.
json_events() {
	same_facts "$TMPD/ev" "$TMPD/ev.json" 7
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
	expect_eq "MX2's events" "generation $((g2 + 1)): replace by portid $pid: armed 1 ranges 1 mode enforce action drop log off ports 25: 1 added, 0 removed: +192.0.2.0/24" "$got"
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

# ---- what each change did, in MX3: text, JSON, and as nobody ----

# The changes, and the end of each one's event: what the list became and
# what the change added and removed ("" for a settings change). The /33
# and the range just above it touch: one interval. Nine addresses apart
# make more than 8 intervals: counted, not listed; eight are listed.
NINE="192.0.2.1 192.0.2.3 192.0.2.5 192.0.2.7 192.0.2.9 192.0.2.11 192.0.2.13 192.0.2.15 192.0.2.17"
EIGHT=(192.0.2.2 192.0.2.4 192.0.2.6 192.0.2.8 192.0.2.10 192.0.2.12 192.0.2.14 192.0.2.16)
TAIL6=2001:db8:8000::100-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff
DELTAS=(
	"replace 10.0.0.0/24|armed 1 ranges 1|1 added, 0 removed: +10.0.0.0/24"
	"replace 10.0.0.0/25 10.0.1.0/24|armed 1 ranges 2|1 added, 1 removed: +10.0.1.0/24 -10.0.0.128/25"
	"replace 10.0.1.0/24 10.0.0.0/25|armed 1 ranges 2|0 added, 0 removed"
	"add 10.0.1.16/28|armed 1 ranges 2|0 added, 0 removed"
	"add 10.0.2.0/24|armed 1 ranges 2|1 added, 0 removed: +10.0.2.0/24"
	"del 10.0.1.128/25|armed 1 ranges 3|0 added, 1 removed: -10.0.1.128/25"
	"flush|armed 0 ranges 0|0 added, 3 removed: -10.0.0.0/25 -10.0.1.0/25 -10.0.2.0/24"
	"replace 2001:db8::/32 198.51.100.0/24|armed 1 ranges 2|2 added, 0 removed: +198.51.100.0/24 +2001:db8::/32"
	"replace 2001:db8::/33 2001:db8:8000::-2001:db8:8000::ff 198.51.100.0/24|armed 1 ranges 2|0 added, 1 removed: -$TAIL6"
	"replace 2001:db8::/32 10.9.0.0/16|armed 1 ranges 2|2 added, 1 removed: +10.9.0.0/16 +$TAIL6 -198.51.100.0/24"
	"del 2001:db8:0:1::/64|armed 1 ranges 3|0 added, 1 removed: -2001:db8:0:1::/64"
	"add ::/0|armed 1 ranges 3|4 added, 0 removed: +::-::fffe:ffff:ffff +::1:0:0:0-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff +2001:db8:0:1::/64 +2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
	"replace 10.9.0.0/16 $NINE|armed 1 ranges 10|9 added, 2 removed: -::-::fffe:ffff:ffff -::1:0:0:0-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
	"replace 10.9.0.0/16 ${EIGHT[*]}|armed 1 ranges 9|8 added, 9 removed:$(printf ' +%s/32' "${EIGHT[@]}")"
	"replace 10.9.0.0/16|armed 1 ranges 1|0 added, 8 removed:$(printf ' -%s/32' "${EIGHT[@]}")"
	"mode monitor|armed 1 ranges 1|"
)
ND=${#DELTAS[@]}
G3=$(gen "$MX3")
spawn ip netns exec "$MX3" "$MXLOCKCTL" monitor --count "$ND" >"$TMPD/d" 2>"$TMPD/d.err"
MOND=$SPAWNED
spawn ip netns exec "$MX3" "$MXLOCKCTL" -j monitor --count "$ND" >"$TMPD/d.json" 2>"$TMPD/d.json.err"
MONDJ=$SPAWNED
spawn ip netns exec "$MX3" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all -- "$MXLOCKCTL" monitor --count "$ND" >"$TMPD/d.nobody" 2>"$TMPD/d.nobody.err"
MONDN=$SPAWNED

delta_changes() {
	local d args
	wait_subscribed "$MX3" 3 || return 1
	for d in "${DELTAS[@]}"; do
		args=${d%%|*}
		# shellcheck disable=SC2086  # the command and its arguments
		mx "$MX3" $args || { echo "mxlockctl $args failed" >&2; return 1; }
	done
	wait_gone "$MOND" && wait_gone "$MONDJ" && wait_gone "$MONDN" || return 1
	expect_eq "the monitors' stderr" "" \
		"$(cat "$TMPD/d.err" "$TMPD/d.json.err" "$TMPD/d.nobody.err")"
}
check "$ND changes in MX3 (lists of IPv4, IPv6, both; then a mode), seen by three monitors (-j, nobody's)" delta_changes

# want_deltas FROM TO: the text events of DELTAS[FROM..TO] (0-based),
# portids as P. The mode change is the last.
want_deltas() {
	local i d args rest what cmd mode
	for ((i = $1; i <= $2; i++)); do
		d=${DELTAS[i]}
		args=${d%%|*}
		rest=${d#*|}
		what=${rest#*|}
		cmd=${args%% *}
		mode=enforce
		if [ "$cmd" = mode ]; then
			cmd=config
			mode=monitor
		fi
		printf 'generation %s: %s by portid P: %s mode %s action drop log off ports 25%s\n' \
			$((G3 + i + 1)) "$cmd" "${rest%%|*}" "$mode" "${what:+: $what}"
	done
}

# expect_deltas FROM TO: the text events FROM..TO are as DELTAS says.
expect_deltas() {
	local got
	got=$(sed -n "$(($1 + 1)),$(($2 + 1))p" "$TMPD/d" |
		sed 's/ by portid [1-9][0-9]*:/ by portid P:/')
	expect_eq "events $1..$2" "$(want_deltas "$1" "$2")" "$got"
}

check "replace over an overlapping list: +10.0.1.0/24 -10.0.0.128/25; the same list again: 0 added, 0 removed" \
	expect_deltas 0 2
check "add inside an interval: 0 added, 0 removed; add extending one: +10.0.2.0/24; del splitting one: -10.0.1.128/25" \
	expect_deltas 3 5
check "flush: 3 removed, each listed" expect_deltas 6 6
check "IPv6: a /32, a range's 128-bit tail, both families at once (IPv4 first), a /64 cut out, ::/0 around ::ffff:0:0/96" \
	expect_deltas 7 11
check "more than 8: 9 added, 9 removed, counted and not listed; 8: listed; a settings change says nothing of the list" \
	expect_deltas 12 15

json_deltas() {
	same_facts "$TMPD/d" "$TMPD/d.json" "$ND" || return 1
	python3 - "$TMPD/d.json" <<'EOF'
import json, sys
ev = [json.loads(line) for line in open(sys.argv[1])]
def keys(i):
    return sorted(k for k in ev[i] if k in ("added", "removed", "added_entries", "removed_entries"))
assert keys(1) == ["added", "added_entries", "removed", "removed_entries"], ev[1]
assert ev[1]["added_entries"] == ["10.0.1.0/24"], ev[1]
assert ev[1]["removed_entries"] == ["10.0.0.128/25"], ev[1]
assert keys(2) == ["added", "removed"] and ev[2]["added"] == ev[2]["removed"] == 0, ev[2]
assert keys(-4) == ["added", "removed", "removed_entries"] and ev[-4]["added"] == 9, ev[-4]
assert keys(-3) == ["added", "added_entries", "removed"], ev[-3]
assert (ev[-3]["added"], len(ev[-3]["added_entries"]), ev[-3]["removed"]) == (8, 8, 9), ev[-3]
assert keys(-2) == ["added", "removed", "removed_entries"], ev[-2]
assert (ev[-2]["added"], ev[-2]["removed"], len(ev[-2]["removed_entries"])) == (0, 8, 8), ev[-2]
assert keys(-1) == [], ev[-1]
EOF
}
check "-j monitor: the same facts; *_entries for 1 to 8, none for 0 or 9; no counts for a settings change" json_deltas

nobody_deltas() {
	expect_eq "nobody's events" "$(cat "$TMPD/d")" "$(cat "$TMPD/d.nobody")"
}
check "a monitor run as nobody sees the same events, counts and entries" nobody_deltas

ktap_finish
