#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A container on an ipvlan slave in L3S mode: its packets run the hooks of
# the master's namespace, not its own (ipvlan_l3s.c switches skb->dev to
# the slave in the master's LOCAL_IN). So the container's own list never
# judges them, and arming it says so in a warning; the host's list, in the
# master's namespace, does judge them: that is how such a container is
# locked (docs/security.md, "What the hook does not see").
#
# The cast: the host ($MX) with a link to a sender namespace holding a
# provider address and an outside one; the container ($CT) on an ipvlan
# L3S slave of the host's end of that link, with a listener on port 25.
source "$(dirname "$0")/lib.sh"

CT_ADDR=192.0.2.50

require_mxlock
require_cmd socat
modprobe ipvlan 2>/dev/null
ktap_begin 6

setup() {
	local mac
	mailhost MX || return 1
	sender SND "$MX" "$GOOD_ADDR" "$BAD_ADDR" || return 1
	setup_ns CT || return 1
	ip -n "$MX" link add link "${SENDER_DEV[$SND]}" name ipvl0 \
		type ipvlan mode l3s || return 1
	ip -n "$MX" link set ipvl0 netns "$CT" || return 1
	ip -n "$CT" addr add "$CT_ADDR/32" dev ipvl0 || return 1
	ip -n "$CT" link set ipvl0 up || return 1
	ip -n "$CT" route add default dev ipvl0 || return 1
	ip -n "$SND" route add "$CT_ADDR/32" dev eth0 src "$GOOD_ADDR" || return 1
	# An L3 slave answers no ARP: the sender is told the master's MAC,
	# as a router in front of such a host would be.
	mac=$(ip -n "$MX" link show "${SENDER_DEV[$SND]}" | awk '/link\/ether/ { print $2 }')
	ip -n "$SND" neigh add "$CT_ADDR" lladdr "$mac" dev eth0 || return 1
	listener "$CT" "$CT_ADDR" 25 "$BANNER"
}
if ! setup 2>"$TMPD/setup.err"; then
	cat "$TMPD/setup.err" >&2
	grep -qi "ipvlan\|not supported\|Unknown device type" "$TMPD/setup.err" &&
		ktap_skip_all "no ipvlan L3S in this kernel"
	ktap_bail "cannot build the topology"
fi

# Arming the container's namespace works, and warns.
arm_ct() {
	mx "$CT" replace "$PROVIDER" 2>"$TMPD/arm.err" || return 1
	expect_match "mxlockctl's warning" "warning: .*ipvlan L3S" "$(cat "$TMPD/arm.err")"
}
check "the container's namespace arms, with a warning that names ipvlan L3S" arm_ct

# A namespace without such a device arms without one.
arm_host() {
	mx "$MX" replace "$PROVIDER" 2>"$TMPD/arm-host.err" || return 1
	mx "$MX" flush || return 1
	expect_eq "mxlockctl's stderr" "" "$(cat "$TMPD/arm-host.err")"
}
check "the host's namespace (the master's) arms with no warning" arm_host

# What the warning means: with only the container armed, its list is not
# asked. Asserted so that the warning (and the doc) stay true.
check "container armed, host not: a refused source still reaches the container" \
	connect_ok "$SND" "$CT_ADDR" 25 "$BAD_ADDR"

# The answer: lock the master's namespace. Its list and ports judge the
# container's connections; the provider still gets in.
check "replace $PROVIDER in the host's namespace" mx "$MX" replace "$PROVIDER"
check "host armed: an outside source is kept out of the container" \
	connect_fails "$SND" "$CT_ADDR" 25 "$BAD_ADDR"
check "host armed: the provider reaches the container" \
	connect_ok "$SND" "$CT_ADDR" 25 "$GOOD_ADDR"

ktap_finish
