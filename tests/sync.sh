#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mxlockctl sync against a real DNS server (nsd, tests/lib-dns.sh): the
# provider publishes its relays in SPF records, signed (provider.example)
# or not (plain.example), and the mail host follows them.
#
# The story: the mail host syncs the provider's ranges (nested includes,
# a redirect, a record split into several strings, a and mx terms, and a
# local extra entry); a change in the records is picked up by the next
# sync, previewed first with --dry-run. Everything that can go wrong in
# DNS (an include loop, more than 10 lookups, too many void lookups, a
# term with no ranges, a malformed CIDR length, a record that admits all
# of IPv4, SERVFAIL, a server that never answers, a forged
# answer on the signed zone, an unsigned answer where one must be signed)
# leaves the live list exactly as it was. Then the provider moves a relay
# while the old one still sends: the guard refuses the sync and the old
# relay keeps delivering (its SYN-ACK is asserted, not a counter); once it
# has been quiet between two syncs, the change goes through; --force
# applies a refused change at once. Refused senders the new list admits
# are named; the unprivileged may preview but not apply.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dns.sh"

require_mxlock
require_dns
require_cmd python3
ktap_begin 27

P=provider.example
topology || ktap_bail "cannot build the topology"
# A relay of the provider that will move: it sends from 203.0.113.0/24
# ($OTHER's address) and moves to 198.51.100.0/24 ($BAD's).
dns_zone "$P"
dns_rr "$P" '_spf IN TXT "v=spf1 include:_net1.provider.example " "a:relay.provider.example mx:provider.example redirect=_more.provider.example"'
dns_rr "$P" '_net1 IN TXT "v=spf1 ip4:199.89.0.0/22 include:_net2.provider.example -all"'
dns_rr "$P" '_net2 IN TXT "v=spf1 ip4:199.89.4.0/22 ip6:2001:db8:42::/48 -all"'
dns_rr "$P" '_more IN TXT "v=spf1 ip4:192.0.2.128/28 -all"'
dns_rr "$P" 'relay IN A 192.0.2.200'
dns_rr "$P" '@ IN MX 10 mx1.provider.example.'
dns_rr "$P" 'mx1 IN A 192.0.2.201'
dns_rr "$P" 'relays IN TXT "v=spf1 ip4:199.89.0.0/21 ip4:203.0.113.0/24 -all"'
dns_rr "$P" 'loop1 IN TXT "v=spf1 include:loop2.provider.example -all"'
dns_rr "$P" 'loop2 IN TXT "v=spf1 ip4:10.0.0.0/8 include:loop1.provider.example -all"'
dns_sign "$P"
dns_zone plain.example
dns_rr plain.example '_spf IN TXT "v=spf1 ip4:199.89.0.0/21 -all"'
many='"v=spf1 include:i1.plain.example include:i2.plain.example include:i3.plain.example" " include:i4.plain.example include:i5.plain.example include:i6.plain.example"'
many+=' " a:h1.plain.example a:h2.plain.example a:h3.plain.example a:h4.plain.example a:h5.plain.example -all"'
dns_rr plain.example "many IN TXT $many"
for i in 1 2 3 4 5 6; do
	dns_rr plain.example "i$i IN TXT \"v=spf1 ip4:10.$i.0.0/16\""
done
for i in 1 2 3 4 5; do
	dns_rr plain.example "h$i IN A 10.7.0.$i"
done
dns_rr plain.example 'voids IN TXT "v=spf1 ip4:199.89.0.0/21 a:n1.plain.example mx:n2.plain.example a:n3.plain.example"'
dns_rr plain.example 'ptr IN TXT "v=spf1 ip4:199.89.0.0/21 ptr -all"'
dns_rr plain.example 'pall IN TXT "v=spf1 ip4:199.89.0.0/21 +all"'
dns_rr plain.example 'long IN TXT "v=spf1 ip4:199.89.0.0/21 ip4:192.0.2.1/4294967296 -all"'
dns_rr plain.example 'zero IN TXT "v=spf1 ip4:199.89.0.0/21 ip4:0.0.0.0/0 -all"'
dns_rr plain.example 'gone IN TXT "v=spf1 ip4:199.89.0.0/21 include:_spf.elsewhere.example -all"'
dns_serve "$MX" 10.53.0.1 || ktap_bail "cannot serve the test zones"

STATE=$TMPD/state
echo "192.0.2.99	# our own relay" >"$TMPD/extra.conf"
conf() { # DOMAIN [KEY VALUE]...: the sync.conf of every case
	{
		echo "provider $1"
		shift
		echo "extra $TMPD/extra.conf"
		echo "resolver 10.53.0.1"
		echo "trust-anchor $DNS_TA"
		echo "state-dir $STATE"
		echo "timeout 5"
		while [ $# -gt 1 ]; do echo "$1 $2"; shift 2; done
	} >"$TMPD/sync.conf"
}
conf "_spf.$P"
sync() { mx "$MX" sync -c "$TMPD/sync.conf" "$@"; }

WANT='192.0.2.99/32
192.0.2.128/28
192.0.2.200/31
199.89.0.0/21
2001:db8:42::/48'

# --- the records, followed -------------------------------------------------

first() {
	local out
	out=$(sync) || { echo "$out"; return 1; }
	expect_match "sync's report" "^spf: _spf.$P: 6 entries, 5 of 10 DNS-querying terms, secure$" "$out" || return 1
	expect_match "result" '^sync: applied$' "$out" || return 1
	expect_eq "list" "$WANT" "$(entries "$MX")" || return 1
	expect_eq "armed" 1 "$(stat "$MX" armed)"
}
check "sync: nested include, redirect, split TXT, a, mx, extras; secure" first

saved() {
	expect_eq "sync.list" "$(grep -v '^#' <<<"$WANT" | grep -v 192.0.2.99)" \
		"$(grep -v '^#' "$STATE/sync.list")" || return 1
	expect_match "sync.state" '^199\.89\.0\.0/21 # hits 0$' "$(cat "$STATE/sync.state")"
}
check "sync.list holds the provider's ranges, sync.state the hit counts" saved

again() {
	local g out
	g=$(gen "$MX")
	out=$(sync) || return 1
	expect_match "result" '^sync: unchanged$' "$out" || return 1
	unchanged "$MX" "$WANT" "$g"
}
check "a second sync of the same records changes nothing (same generation)" again

good_connects() {
	connect_ok "$GOOD" "$MX_ADDR" 25
}
check "a relay inside the synced ranges ($GOOD_ADDR) connects" good_connects

unsigned() {
	local out
	# Two providers, one signed and one not: each reported on its own.
	out=$(sync --dry-run _spf.plain.example "_spf.$P") || return 1
	expect_match "report" '^spf: _spf.plain.example: 1 entry, 0 of 10 DNS-querying terms, insecure$' "$out" || return 1
	expect_match "report" "^spf: _spf.$P: 6 entries, 5 of 10 DNS-querying terms, secure$" "$out" || return 1
	expect_match "nothing to change" '^sync: unchanged$' "$out"
}
check "two providers: the unsigned one reported insecure, the signed one secure" unsigned

# fails NAME REASON [DOMAIN]: sync exits 2 naming REASON; list and
# generation as they were.
fails() {
	local g out rc
	g=$(gen "$MX")
	out=$(sync "${@:3}" 2>&1)
	rc=$?
	expect_eq "exit status" 2 "$rc" || { echo "$out"; return 1; }
	expect_match "reason" "$2" "$out" || return 1
	expect_match "says so" 'nothing changed' "$out" || return 1
	unchanged "$MX" "$WANT" "$g"
}

require_signed() {
	local rc
	conf _spf.plain.example dnssec require
	fails insecure 'not signed \(insecure\)'
	rc=$?
	conf "_spf.$P"
	return "$rc"
}
check "dnssec require: an unsigned answer is refused, list untouched" require_signed

# --- a change in the records, previewed, then picked up --------------------

changed() {
	local g out mon
	g=$(gen "$MX")
	dns_rr_set "$P" _more TXT '"v=spf1 ip4:192.0.2.128/27 ip6:2001:db8:44::/48 -all"' || return 1
	dns_reload || return 1
	out=$(sync --dry-run) || return 1
	expect_match "diff" '^change: 2 added, 1 removed, 4 unchanged$' "$out" || return 1
	expect_match "added" '^\+ 192\.0\.2\.128/27$' "$out" || return 1
	expect_match "added v6" '^\+ 2001:db8:44::/48$' "$out" || return 1
	expect_match "removed" '^- 192\.0\.2\.128/28$' "$out" || return 1
	expect_match "kept" '^  199\.89\.0\.0/21$' "$out" || return 1
	expect_match "result" '^sync: would apply$' "$out" || return 1
	unchanged "$MX" "$WANT" "$g" || return 1
	# The event of the change says which addresses it let in.
	spawn ip netns exec "$MX" "$MXLOCKCTL" monitor --count 1 >"$TMPD/ev" 2>&1
	mon=$SPAWNED
	wait_subscribed "$MX" 1 || return 1
	out=$(sync) || return 1
	expect_eq "list" "${WANT/192.0.2.128\/28/192.0.2.128\/27}
2001:db8:44::/48" "$(entries "$MX")" || return 1
	wait "$mon"
	expect_match "monitor" "^generation $((g + 1)): replace by portid [0-9]+: .*: 2 added, 0 removed: \+192\.0\.2\.144/28 \+2001:db8:44::/48$" "$(cat "$TMPD/ev")"
}
check "a changed record: --dry-run shows the diff, the next sync loads it; monitor shows it" changed
WANT=$(entries "$MX")

json_preview() {
	local out
	dns_rr_set "$P" _more TXT '"v=spf1 ip4:192.0.2.128/28 -all"' || return 1
	dns_reload || return 1
	out=$(mx "$MX" -j sync -c "$TMPD/sync.conf" --dry-run) || return 1
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["added"] == ["192.0.2.128/28"], d["added"]
assert sorted(d["removed"]) == ["192.0.2.128/27", "2001:db8:44::/48"], d["removed"]
assert len(d["unchanged"]) == 4, d["unchanged"]
assert d["sources"][0]["dnssec"] == "secure", d["sources"]
assert d["sources"][0]["lookups"] == 5, d["sources"]
assert d["result"] == "would apply", d["result"]
assert d["refused"] == [] and d["admitted"] == [], d
' "$out"
}
check "-j --dry-run: the same as JSON" json_preview

replace_preview() {
	local g out
	g=$(gen "$MX")
	out=$(mx "$MX" replace --dry-run 199.89.0.0/21 -F "$TMPD/none.conf") || return 1
	expect_match "diff" '^change: 0 added, 5 removed, 1 unchanged$' "$out" || return 1
	unchanged "$MX" "$WANT" "$g"
}
check "replace --dry-run previews a file; -F takes a missing file as empty" replace_preview

# --- DNS failures leave the list untouched ---------------------------------

check "an include loop: exit 2, untouched" \
	fails loop 'include loop: loop1.provider.example -> loop2.provider.example -> loop1' "loop1.$P"
check "more than 10 DNS-querying terms: exit 2, untouched" \
	fails many 'more than 10 DNS-querying terms' many.plain.example
check "more than 2 void lookups: exit 2, untouched" \
	fails voids 'more than 2 lookups found nothing' voids.plain.example
check "a ptr term (no ranges to give): exit 2, untouched" \
	fails ptr "'ptr' in ptr.plain.example" ptr.plain.example
check "+all: exit 2, untouched" \
	fails pall "'\+all' in pall.plain.example: it authorizes every address" pall.plain.example

# widens NAME REASON DOMAIN: as fails, and a sender outside the list
# ($BAD) still gets no answer from the listener.
widens() {
	fails "$@" || return 1
	connect_fails "$BAD" "$MX_ADDR" 25
}
check "/4294967296 (was taken for /0): exit 2, untouched, outsiders still dropped" \
	widens long "'ip4:192.0.2.1/4294967296' in long.plain.example: bad prefix length" long.plain.example
check "ip4:0.0.0.0/0 (all of IPv4): exit 2, untouched, outsiders still dropped" \
	widens zero 'zero.plain.example: its record admits every IPv4 address' zero.plain.example
check "SERVFAIL on an include: exit 2, untouched" \
	fails servfail '_spf.elsewhere.example TXT: SERVFAIL' gone.plain.example

bad_extra() {
	local rc
	echo 199.89.8.0/33 >"$TMPD/bad.conf"
	conf "_spf.$P" extra "$TMPD/bad.conf"
	fails bad-extra "$TMPD/bad.conf:1: '199.89.8.0/33'"
	rc=$?
	conf "_spf.$P"
	return "$rc"
}
check "a bad line in an extra file: exit 2 naming it, untouched" bad_extra

timeout_case() {
	local rc
	dns_blackhole 10.53.0.9 || return 1
	conf "_spf.$P" timeout 3
	sed -i 's/^resolver 10.53.0.1$/resolver 10.53.0.9/' "$TMPD/sync.conf"
	fails timeout "_spf.$P TXT: no answer within 3 s"
	rc=$?
	conf "_spf.$P"
	return "$rc"
}
check "a server that never answers: exit 2 after the timeout, untouched" timeout_case

bogus() {
	local rc
	dns_tamper "$P" _net2 TXT '"v=spf1 ip4:6.6.6.0/24 ip4:199.89.4.0/22 -all"' || return 1
	dns_reload || return 1
	fails bogus '_net2.provider.example TXT: DNSSEC validation failed \(bogus\)'
	rc=$?
	dns_rr_set "$P" _net2 TXT '"v=spf1 ip4:199.89.4.0/22 ip6:2001:db8:42::/48 -all"' &&
		dns_reload && return "$rc"
}
check "a forged answer on the signed zone (bogus): exit 2, untouched" bogus

# --- the guard: a relay moves while the old one still sends ----------------

# From here the provider is relays.provider.example, with a relay at
# 203.0.113.0/24 ($OTHER), which delivers. (--force: the change drops
# every IPv6 range, which the guard would refuse.)
moved_setup() {
	conf "relays.$P"
	sync --force >/dev/null || return 1
	expect_match "list" '^203\.0\.113\.0/24$' "$(entries "$MX")" || return 1
	connect_ok "$OTHER" "$MX_ADDR" 25
}
check "the provider's relay at 203.0.113.0/24 is synced and delivers" moved_setup
WANT=$(entries "$MX")

guard_refuses() {
	local g out rc
	g=$(gen "$MX")
	# The relay moves to 198.51.100.0/24; the old address still sends.
	dns_rr_set "$P" relays TXT '"v=spf1 ip4:199.89.0.0/21 ip4:198.51.100.0/24 -all"' || return 1
	dns_reload || return 1
	connect_ok "$OTHER" "$MX_ADDR" 25 || return 1
	out=$(sync 2>&1)
	rc=$?
	expect_eq "exit status" 3 "$rc" || { echo "$out"; return 1; }
	expect_match "reason" 'guard: it would refuse 203\.0\.113\.0/24, which admitted [1-9][0-9]* SYNs? since the last sync' "$out" || return 1
	expect_match "result" '^sync: refused$' "$out" || return 1
	unchanged "$MX" "$WANT" "$g" || return 1
	# From outside: the old relay still gets through.
	connect_ok "$OTHER" "$MX_ADDR" 25
}
check "guard: a move that would cut off a relay still sending is refused; it still delivers" guard_refuses

quiet_then_applied() {
	local out rc
	# It connected after the refused sync: refused again. That sync
	# counts from now, and the relay stays quiet until the next one.
	out=$(sync 2>&1)
	rc=$?
	expect_eq "exit status" 3 "$rc" || { echo "$out"; return 1; }
	out=$(sync) || { echo "$out"; return 1; }
	expect_match "result" '^sync: applied$' "$out" || return 1
	expect_match "list" '^198\.51\.100\.0/24$' "$(entries "$MX")" || return 1
	connect_fails "$OTHER" "$MX_ADDR" 25 || return 1
	connect_ok "$BAD" "$MX_ADDR" 25
}
check "guard: once the old relay was quiet between two syncs, the move is applied" quiet_then_applied

force() {
	local out rc
	# The relay moves back; the one at 198.51.100.0/24 still sends.
	dns_rr_set "$P" relays TXT '"v=spf1 ip4:199.89.0.0/21 ip4:203.0.113.0/24 -all"' || return 1
	dns_reload || return 1
	connect_ok "$BAD" "$MX_ADDR" 25 || return 1
	out=$(mx "$MX" -j sync -c "$TMPD/sync.conf" --dry-run 2>/dev/null)
	rc=$?
	expect_eq "dry-run exit status" 3 "$rc" || return 1
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["result"] == "would be refused", d
assert d["refused"][0]["entry"] == "198.51.100.0/24" and d["refused"][0]["hits"] >= 1, d
assert any("198.51.100.0/24" in g for g in d["guard"]), d
' "$out" || return 1
	out=$(sync --force) || { echo "$out"; return 1; }
	expect_match "result" '^sync: applied \(guard overridden by --force\)$' "$out" || return 1
	connect_fails "$BAD" "$MX_ADDR" 25 || return 1
	connect_ok "$OTHER" "$MX_ADDR" 25
}
check "--force applies what the guard refuses; the cut-off relay times out" force

admitted() {
	local out
	# $BAD was just refused (denied table); a list that admits it says so.
	dns_rr_set "$P" relays TXT '"v=spf1 ip4:199.89.0.0/21 ip4:203.0.113.0/24 ip4:198.51.100.10 -all"' || return 1
	dns_reload || return 1
	out=$(sync --dry-run) || return 1
	expect_match "impact" "^impact: admitted from now: $BAD_ADDR, refused [1-9][0-9]* times?" "$out"
}
check "--dry-run names the refused sources the new list would admit" admitted

shrink() {
	local g list out rc
	g=$(gen "$MX") list=$(entries "$MX")
	dns_rr_set "$P" relays TXT '"v=spf1 ip4:199.89.0.0/24 ip4:203.0.113.0/24 -all"' || return 1
	dns_reload || return 1
	conf "relays.$P" max-shrink 50
	out=$(sync 2>&1)
	rc=$?
	expect_eq "exit status" 3 "$rc" || { echo "$out"; return 1; }
	expect_match "reason" 'remove 78% of the IPv4 addresses the list admits \(max-shrink 50%\)' "$out" || return 1
	unchanged "$MX" "$list" "$g"
}
check "guard: shrinking IPv4 by 78% (max-shrink 50%) is refused" shrink

unprivileged() {
	local g list out rc
	g=$(gen "$MX") list=$(entries "$MX")
	chmod -R a+rX "$TMPD"
	out=$(as_nobody "$MX" "$MXLOCKCTL" sync -c "$TMPD/sync.conf" --dry-run 2>&1)
	rc=$?
	# Readable by anyone: the preview runs (refused: the shrink).
	expect_eq "dry-run exit status" 3 "$rc" || { echo "$out"; return 1; }
	out=$(as_nobody "$MX" "$MXLOCKCTL" sync -c "$TMPD/sync.conf" --force 2>&1)
	rc=$?
	expect_eq "exit status" 2 "$rc" || { echo "$out"; return 1; }
	expect_match "reason" 'Operation not permitted' "$out" || return 1
	unchanged "$MX" "$list" "$g"
}
check "unprivileged: --dry-run works, applying is refused (EPERM), untouched" unprivileged

ktap_finish
