#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `log on` in one namespace cannot silence another's log. Each namespace
# has its own rate limit for "refused SYN" lines (a burst of 10 every 5 s,
# kmod/denied.c), instead of the host's shared net_ratelimit() budget, and
# every line names its namespace by inode number ("mxlock: netns INUM:
# refused SYN from ADDR to port 25"), as `stat -L -c %i /run/netns/NAME`
# and `readlink /proc/PID/ns/net` show it.
#
# Two mail hosts, A ($MX) and B ($MX2), both armed with log on. A is
# flooded with SYNs from 1000 new sources (each one's first refused SYN
# asks for a line); once A has logged its burst, and while the flood goes
# on, one SYN from a new source reaches B: B's line is there. A logged
# far fewer lines than it had new sources. With one budget for everyone
# (the module before this change) A's flood used it up, and B's line was
# lost.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd python3 dmesg stat readlink
ktap_begin 4

topology || ktap_bail "cannot build the topology"
mailhost MX2 || ktap_bail "cannot build the second mail host"
sender BAD2 "$MX2" "$OTHER_ADDR" || ktap_bail "cannot build B's sender"
for ns in "$MX" "$MX2"; do
	mx "$ns" replace "$PROVIDER" && mx "$ns" log on ||
		ktap_bail "cannot arm $ns with log on"
done
ip -n "$MX" route add 198.18.0.0/15 dev "${SENDER_DEV[$BAD]}" ||
	ktap_bail "cannot route the spoofed sources"

MARK="mxlock-selftest: log_netns.sh $$.$RANDOM"
echo "$MARK" >/dev/kmsg || ktap_bail "cannot write to /dev/kmsg"
klog() { # the kernel log after our marker
	dmesg | awk -v m="$MARK" 'seen; index($0, m) { seen = 1 }'
}

INUM_A=$(command stat -L -c %i "/run/netns/$MX")
INUM_B=$(command stat -L -c %i "/run/netns/$MX2")
inums() {
	expect_eq "A's inode from readlink" "net:[$INUM_A]" "$(ip netns exec "$MX" readlink /proc/self/ns/net)" || return 1
	expect_eq "B's inode from readlink" "net:[$INUM_B]" "$(ip netns exec "$MX2" readlink /proc/self/ns/net)" || return 1
	[ "$INUM_A" != "$INUM_B" ] || { echo "A and B have the same inode $INUM_A" >&2; return 1; }
}
check "A and B: distinct namespace inodes ($INUM_A, $INUM_B), the same from stat and readlink" inums

# (Counted whatever namespace they name: that is the last check's business.)
lines_a() { # A's refusal lines so far
	klog | grep -c "refused SYN from 198\.18\."
}

B_LINE="refused SYN from $OTHER_ADDR to port 25"
flood_then_b() {
	local i n before
	before=$(stat "$MX" syn_dropped)
	flood_sources "$BAD" "$MX_ADDR" 0 1000 &
	# Wait for A's burst (10 lines), so that a shared budget would be
	# used up by now.
	for ((i = 0; i < $(slow 300); i++)); do
		n=$(lines_a)
		[ "$n" -ge 10 ] && break
		sleep 0.1
	done
	expect_ge "A's lines before B's SYN" 10 "$n" || { wait; return 1; }
	send_segment "$BAD2" "$OTHER_ADDR" "$MX_ADDR" 25 S || { wait; return 1; }
	wait_stat "$MX2" syn_dropped 1 || { wait; return 1; }
	wait
	wait_stat "$MX" syn_dropped $((before + 1000)) 60 || return 1
	# The line is printed just after the SYN is counted.
	for ((i = 0; i < $(slow 50); i++)); do
		klog | grep -qF "$B_LINE" && return 0
		sleep 0.1
	done
	echo "no [$B_LINE] in the kernel log; A logged $(lines_a) lines" >&2
	return 1
}
check "A flooded by 1000 new sources, B's first refused SYN meanwhile: B's line is logged" flood_then_b

a_limited() {
	local n
	n=$(lines_a)
	echo "A logged $n lines for 1000 new sources" >&2
	expect_ge "A's lines" 1 "$n" || return 1
	[ "$n" -lt 1000 ] || { echo "A was not rate limited" >&2; return 1; }
}
check "A's lines are rate limited: fewer than its 1000 new sources" a_limited

named() {
	local other
	other=$(klog | grep 'refused SYN from' | grep -v -e "mxlock: netns $INUM_A: " -e "mxlock: netns $INUM_B: ")
	expect_eq "refusal lines naming neither A nor B" "" "$other" || return 1
	expect_eq "A's lines naming A" "$(lines_a)" "$(klog | grep -c "mxlock: netns $INUM_A: refused SYN from 198\.18\.")" || return 1
	expect_eq "B's lines" "mxlock: netns $INUM_B: $B_LINE" "$(klog | grep -o "mxlock: netns .*: refused SYN from 203.*")"
}
check "every refusal line names its namespace's inode: A's lines A, B's one line B" named

ktap_finish
