#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Namespaces come and go (containers). Deleting one with an armed list,
# with counters, with live connections or with a client holding a staged
# replace must free its mxlock state quietly (a leak or use-after-free
# shows as a splat, which fails the VM run), and must not disturb any
# other namespace. At the end the module must still unload.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_nlclient
ktap_begin 7

topology || ktap_bail "cannot build the topology"
mx "$MX" replace "$PROVIDER" || ktap_bail "cannot load the list"

# A namespace with an armed list and a changed mode, then deleted.
setup_ns VICTIM || ktap_bail "cannot create a namespace"
one() {
	mx "$VICTIM" replace 192.0.2.0/24 198.51.100.0/24 || return 1
	mx "$VICTIM" mode monitor || return 1
	expect_eq "armed" 1 "$(stat "$VICTIM" armed)"
}
check "a namespace gets an armed list and monitor mode" one
check "... and is deleted" del_ns "$VICTIM"

# Twenty more, each armed with 300 ranges, deleted in turn.
many() {
	local i ns
	awk 'BEGIN { for (i = 0; i < 300; i++) printf "10.%d.%d.0/24\n", int(i / 128), (i % 128) * 2 }' \
		>"$TMPD/list.conf"
	for i in $(seq 20); do
		ns=mxdel-$$-$i
		ip netns add "$ns" || return 1
		mx "$ns" replace -f "$TMPD/list.conf" || { ip netns del "$ns"; return 1; }
		expect_eq "ranges in $ns" 300 "$(stat "$ns" ranges)" || { ip netns del "$ns"; return 1; }
		ip netns del "$ns" || return 1
	done
}
check "20 namespaces armed with 300 ranges each, deleted" many

# A third mail host, deleted while its listener and a session from its
# sender still live: the namespace outlives its name until they end.
first=${#PGID_LIST[@]}
mailhost MX3 || ktap_bail "cannot build a third mail host"
MX3_PGIDS=("${PGID_LIST[@]:first}")
sender GOOD3 "$MX3" "$GOOD_ADDR" || ktap_bail "cannot add its sender"
mx "$MX3" replace "$PROVIDER" || ktap_bail "cannot arm it"
session_open "$GOOD3" "$MX_ADDR" 25
del_ns "$MX3"
midsession() {
	session_expect "$BANNER" || return 1
	session_send "after-netns-del" || return 1
	session_expect "after-netns-del"
}
check "a mail host deleted mid-session: the session goes on until it ends" midsession
for pg in "${MX3_PGIDS[@]}"; do stop "$pg"; done
session_close

# A namespace deleted while a client in it holds a staged replace: it
# lives on until the socket closes, then goes.
setup_ns HELD || ktap_bail "cannot create a namespace"
staged() {
	local pid
	mx "$HELD" replace 192.0.2.0/24 || return 1
	ip netns exec "$HELD" "$NLCLIENT" replace-hold 500 3 >"$TMPD/held.out" &
	pid=$!
	for _ in $(seq "$(slow 100)"); do grep -q staged "$TMPD/held.out" && break; sleep 0.1; done
	grep -q staged "$TMPD/held.out" || { echo "nlclient never staged" >&2; return 1; }
	ip netns del "$HELD" || return 1
	wait "$pid"
}
check "a namespace deleted while its client holds a staged replace" staged

# The others did not notice.
others() {
	expect_eq "list in MX" "$PROVIDER" "$(entries "$MX")" || return 1
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR" 25
}
check "the remaining mail host still enforces its list" others

# All those pernet states are gone for good: the module unloads (namespace
# teardown is asynchronous; rmmod waits for it) and loads again for
# whoever comes next.
unload() {
	rmmod mxlock || return 1
	mxlock_load
}
check "the module still unloads, and loads again" unload

ktap_finish
