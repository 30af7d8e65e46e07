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
# `action drop` brings the silence back. The resets go to whatever source
# a SYN claims, so a namespace sends at most reject_rate (module
# parameter) a second: a storm of forged SYNs gets that many, the rest are
# dropped silently and counted as rst_limited, and a sender that comes
# back a second later gets its reset again.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd python3
ktap_begin 11

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

# rst_storm NS SRC DST PORT RATE: raw SYNs from SRC as fast as one
# process sends them, reading the resets that come back as it goes (so no
# socket buffer loses any), until it has sent three times as many as RATE
# a second allows over the time it took: then, after a second for the
# stragglers, prints "SENT RSTS SECS". Each SYN has its own source port.
rst_storm() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" "$5" <<'EOF'
import math, random, socket, struct, sys, time
src, dst, port, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
sock.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE
sock.bind((src, 0))
sock.setblocking(False)
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, 20)
ports, rsts = set(), set()
def drain():
    while True:
        try:
            pkt = sock.recv(4096)
        except BlockingIOError:
            return
        ihl = (pkt[0] & 15) * 4
        sport, dport = struct.unpack("!HH", pkt[ihl:ihl + 4])
        if pkt[12:16] == socket.inet_aton(dst) and sport == port and \
                pkt[ihl + 13] & 4 and dport in ports:
            rsts.add(dport)
start = time.monotonic()
sent = 0
while sent < 20000:
    secs = time.monotonic() - start
    if sent >= 3 * rate * (math.ceil(secs) + 1):
        break
    sp = 10000 + sent
    h = struct.pack("!HHIIBBHHH", sp, port, random.getrandbits(32), 0,
                    5 << 4, 2, 64240, 0, 0)
    s = sum(struct.unpack("!16H", pseudo + h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    ports.add(sp)
    try:
        sock.sendto(h[:16] + struct.pack("!H", ~s & 0xffff) + h[18:], (dst, 0))
    except BlockingIOError:
        ports.discard(sp)
        time.sleep(0.001)
        continue
    sent += 1
    drain()
secs = time.monotonic() - start
end = time.monotonic() + 1
while time.monotonic() < end:
    drain()
    time.sleep(0.01)
print(sent, len(rsts), math.ceil(secs))
EOF
}

# A storm of forged SYNs: the listener's host answers at most reject_rate
# of them per second, in any window: over S whole seconds of sending (and
# the second after), at most reject_rate * (S + 2). Every SYN is still
# dropped, and every one not answered is counted as rst_limited.
rst_rate() {
	local rate=100 c out sent rsts secs limited0 limited
	[ -r /sys/module/mxlock/parameters/reject_rate ] &&
		rate=$(cat /sys/module/mxlock/parameters/reject_rate)
	expect_eq "reject_rate (module parameter, default)" 100 "$rate" || return 1
	c=$(counters "$MX")
	limited0=$(stat "$MX" rst_limited 2>/dev/null || echo 0)
	out=$(rst_storm "$OTHER" "$OTHER_ADDR" "$MX_ADDR" 25 "$rate") || return 1
	read -r sent rsts secs <<< "$out"
	echo "sent $sent SYNs in ${secs}s (rounded up), $rsts RSTs came back" >&2
	expect_ge "RSTs (some refusals are answered)" 1 "$rsts" || return 1
	expect_ge "RST budget $((rate * (secs + 2))) minus the RSTs" 0 \
		$((rate * (secs + 2) - rsts)) || return 1
	c=$(bump "$c" syn_dropped "$sent")
	c=$(bump "$c" syn_seen "$sent")
	wait_stat "$MX" syn_seen "$(cget "$c" syn_seen)" || return 1
	expect_counters "$MX" "$c" || return 1
	limited=$(stat "$MX" rst_limited) || return 1
	limited=$((limited - limited0))
	expect_eq "RSTs + rst_limited" "$sent" $((rsts + limited))
}
check "a storm of forged SYNs under reject: at most reject_rate RSTs a second, the rest dropped as rst_limited" rst_rate

# The limit is a rate, not a fuse: a second on, a refused sender gets its
# reset after one SYN again.
rst_recovers() {
	sleep 1.1
	refused_once "$BAD" "$MX_ADDR"
}
check "a second after the storm, bad gets 'Connection refused' again" rst_recovers

# The same storm with nf_conntrack tracking in the mail host's namespace
# (defragmentation and tracking in PREROUTING, ahead of mxlock): the same
# limit, and still nothing but RSTs back.
rst_rate_ct() {
	local rc=0
	ip netns exec "$MX" nft -f - <<'EOF' || return 1
table inet reject_ct {
	chain pre {
		type filter hook prerouting priority 0;
		ct state new counter
	}
}
EOF
	expect_match "conntrack in the mail host's namespace" . \
		"$(ip netns exec "$MX" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null)" || rc=1
	sleep 1.1
	[ $rc -eq 0 ] && { rst_rate || rc=1; }
	ip netns exec "$MX" nft delete table inet reject_ct || rc=1
	return $rc
}
check "with nf_conntrack in the mail host's namespace: the same storm, the same limit" rst_rate_ct

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
