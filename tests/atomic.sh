#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A change is atomic, even under load. List A and list B both hold good's
# address (199.89.0.10) and neither holds bad's (198.51.100.10). While the
# two replace each other thousands of times, a flood of SYNs from good must
# be let in every single time -- a packet that met a half-built list, or
# none, would be dropped -- and a flood from bad must be refused every
# single time. Then the module goes away and comes back in the middle of
# a flood: no splat, and the lock works again afterwards.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_nlclient
require_cmd nft
ktap_begin 5

topology || ktap_bail "cannot build the topology"
FLIPS=${MXLOCK_FLIPS:-2000}

check "list A armed" mx "$MX" replace 199.89.0.0/21 192.0.2.0/24

# flip_under_flood NS SRC: flood from SRC while A and B flip FLIPS times;
# sets SENT (SYNs sent) and the counter deltas DA (allowed), DD (dropped).
flip_under_flood() {
	local ns=$1 src=$2 a0 d0 g0 stopf=$TMPD/stop.$RANDOM pid
	a0=$(stat "$MX" syn_allowed) d0=$(stat "$MX" syn_dropped)
	g0=$(gen "$MX")
	syn_flood "$ns" "$src" "$MX_ADDR" 25 "$stopf" >"$TMPD/sent" &
	pid=$!
	# The flood must be going before the first flip.
	flood_started "$stopf" || { touch "$stopf"; wait $pid; return 1; }
	nl "$MX" flip "$FLIPS" || { touch "$stopf"; wait $pid; return 1; }
	touch "$stopf"
	wait $pid || return 1
	SENT=$(cat "$TMPD/sent")
	DA=$(($(stat "$MX" syn_allowed) - a0))
	DD=$(($(stat "$MX" syn_dropped) - d0))
	expect_eq "generation after $FLIPS flips" $((g0 + FLIPS)) "$(gen "$MX")"
}

good_flood() {
	flip_under_flood "$GOOD" "$GOOD_ADDR" || return 1
	ktap_diag "good: $SENT SYNs during $FLIPS flips"
	expect_ge "SYNs sent from good" 100 "$SENT" || return 1
	expect_eq "SYNs from good dropped" 0 "$DD" || return 1
	expect_eq "SYNs from good let in" "$SENT" "$DA"
}
check "a flood from good while A and B flip: every SYN let in, none dropped" good_flood

bad_flood() {
	flip_under_flood "$BAD" "$BAD_ADDR" || return 1
	ktap_diag "bad: $SENT SYNs during $FLIPS flips"
	expect_ge "SYNs sent from bad" 100 "$SENT" || return 1
	expect_eq "SYNs from bad let in" 0 "$DA" || return 1
	expect_eq "SYNs from bad dropped" "$SENT" "$DD"
}
check "a flood from bad while A and B flip: every SYN dropped, none let in" bad_flood

# The module goes away under a flood, and comes back under it. An empty
# nft input chain holds the kernel's LOCAL_IN static key on meanwhile: when
# mxlock's hook was the only one, unregistering it under the flood patched
# ip_local_deliver()'s jump while the other vCPU ran it, and once (6.12,
# QEMU TCG) that CPU hit the patch's int3 after it was gone. What is
# tested here is mxlock's own unregistering under traffic, not the
# kernel's text patching.
rmmod_under_flood() {
	local stopf=$TMPD/stop.rmmod pid
	ip netns exec "$MX" nft -f - <<'EOF' || return 1
table inet mxlock_hold {
	chain in { type filter hook input priority 100; }
}
EOF
	defer "ip netns exec $MX nft delete table inet mxlock_hold 2>/dev/null"
	syn_flood "$BAD" "$BAD_ADDR" "$MX_ADDR" 25 "$stopf" >/dev/null &
	pid=$!
	flood_started "$stopf" || { touch "$stopf"; wait $pid; return 1; }
	mxlock_unload || { touch "$stopf"; wait $pid; return 1; }
	sleep 0.5
	mxlock_load || { touch "$stopf"; wait $pid; return 1; }
	sleep 0.5
	touch "$stopf"
	wait $pid
}
check "rmmod and insmod in the middle of a SYN flood" rmmod_under_flood

relocked() {
	expect_eq "armed after the reload" 0 "$(stat "$MX" armed)" || return 1
	mx "$MX" replace "$PROVIDER" || return 1
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR" 25
}
check "after the reload: unarmed, and a new list locks again" relocked

ktap_finish
