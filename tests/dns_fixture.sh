#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The DNS fixture of tests/lib-dns.sh does what it says, seen through
# unbound-host, which resolves with libunbound as `mxlockctl sync` will:
# forward mode to nsd, the signed zone's DS as the only trust anchor.
# provider.test is signed, plain.test is not. Each case prints its time.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dns.sh"

require_dns
ktap_begin 13
T0=$EPOCHREALTIME

# The "a" and "mx" terms need an A and an MX; "include:" a second TXT.
dns_zone provider.test
dns_rr provider.test '_spf IN TXT "v=spf1 ip4:198.51.100.0/24 " "include:_b.provider.test -all"'
dns_rr provider.test '_b IN TXT "v=spf1 ip6:2001:db8:a::/48 -all"'
dns_rr provider.test '@ IN MX 10 mx.provider.test.'
dns_rr provider.test 'mx IN A 192.0.2.25'
dns_sign provider.test || ktap_bail "cannot sign provider.test"
dns_zone plain.test
dns_rr plain.test '_spf IN TXT "v=spf1 a mx -all"'
dns_rr plain.test '@ IN MX 10 mail.plain.test.'
dns_rr plain.test 'mail IN A 203.0.113.25'

setup_ns NS || ktap_bail "cannot make a namespace"
dns_serve "$NS" 10.53.0.1 fd53::1 || ktap_bail "nsd does not serve"
UB=$DNS_DIR/ub.conf
dns_unbound_conf "$UB"
ktap_diag "$(awk -v a="$T0" -v b="$EPOCHREALTIME" \
	'BEGIN { printf "zones made, signed and served in %.2f s", b - a }')"

# timed DESC FN: check, then how long it took (a diagnostic).
timed() {
	local t0=$EPOCHREALTIME
	check "$@"
	ktap_diag "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "took %.2f s", b - a }')"
}

# expect_host DESC LINE ARGS...: unbound-host ARGS (our config) prints
# LINE (a regex: the whole of one line of its output).
expect_host() {
	local what=$1 want=$2 out
	shift 2
	out=$(dns_host "$UB" "$@" 2>&1)
	expect_match "$what" "^$want\$" "$out"
}

# The server is authoritative only: AA, no RA, and REFUSED for names
# outside its zones. Forward mode works with it all the same (below).
authoritative() {
	local out
	out=$(ip netns exec "$NS" drill @"$DNS_ADDR" _spf.provider.test TXT) || return 1
	expect_match "flags" '^;; flags: qr aa rd ;' "$out" || return 1
	out=$(ip netns exec "$NS" drill @"$DNS_ADDR" nowhere.test TXT) || return 1
	expect_match "rcode" 'rcode: REFUSED' "$out"
}
timed "nsd answers authoritatively (aa, no ra), REFUSED outside its zones" authoritative

# Without 'local-zone: "test." nodefault' unbound answers every .test
# name NXDOMAIN itself (an RFC 6761 default zone), never asking nsd.
default_zone() {
	local out
	grep -v 'local-zone' "$UB" >"$DNS_DIR/ub-default.conf"
	out=$(dns_host "$DNS_DIR/ub-default.conf" -t TXT _spf.provider.test 2>&1)
	expect_match "without nodefault" 'not found: 3\(NXDOMAIN\)' "$out"
}
timed "without local-zone test. nodefault: NXDOMAIN from unbound itself" default_zone

# A TXT of several strings comes back as those strings, each quoted, in
# order (libunbound's data: each one length-prefixed, to concatenate).
split_txt() {
	expect_host "split TXT" '_spf\.provider\.test has TXT record "v=spf1 ip4:198\.51\.100\.0/24 " "include:_b\.provider\.test -all" \(secure\)' \
		-t TXT _spf.provider.test
}
timed "signed zone: a TXT of two strings, both, (secure)" split_txt

unsigned_txt() {
	expect_host "unsigned TXT" '_spf\.plain\.test has TXT record "v=spf1 a mx -all" \(insecure\)' \
		-t TXT _spf.plain.test
}
timed "unsigned zone: TXT (insecure)" unsigned_txt

mx_a() {
	expect_host "MX" 'provider\.test mail is handled by 10 mx\.provider\.test\. \(secure\)' \
		-t MX provider.test || return 1
	expect_host "A" 'mx\.provider\.test has address 192\.0\.2\.25 \(secure\)' \
		-t A mx.provider.test || return 1
	expect_host "MX" 'plain\.test mail is handled by 10 mail\.plain\.test\. \(insecure\)' \
		-t MX plain.test || return 1
	expect_host "A" 'mail\.plain\.test has address 203\.0\.113\.25 \(insecure\)' \
		-t A mail.plain.test
}
timed "MX and A records resolve, (secure) and (insecure)" mx_a

# Void lookups (RFC 7208 4.6.4): NXDOMAIN and NODATA, proven in the
# signed zone (NSEC), plain in the other.
nxdomain() {
	expect_host "NXDOMAIN" 'Host nope\.provider\.test not found: 3\(NXDOMAIN\)\. \(secure\)' \
		-t TXT nope.provider.test || return 1
	expect_host "NXDOMAIN" 'Host nope\.plain\.test not found: 3\(NXDOMAIN\)\. \(insecure\)' \
		-t TXT nope.plain.test
}
timed "NXDOMAIN, (secure) and (insecure)" nxdomain

nodata() {
	expect_host "NODATA" 'mx\.provider\.test has no TXT record \(secure\)' \
		-t TXT mx.provider.test || return 1
	expect_host "NODATA" 'mail\.plain\.test has no TXT record \(insecure\)' \
		-t TXT mail.plain.test
}
timed "NODATA (the name exists, no TXT), (secure) and (insecure)" nodata

# nsd's REFUSED reaches the client as SERVFAIL.
servfail() {
	expect_host "SERVFAIL" 'Host nowhere\.test not found: 2\(SERVFAIL\)\. \(error\)' \
		-t TXT nowhere.test
}
timed "a name nsd does not serve: SERVFAIL" servfail

# Over IPv6 as well: the same answer forwarded to [fd53::1].
ipv6() {
	local out
	dns_unbound_conf "$DNS_DIR/ub6.conf" fd53::1
	out=$(dns_host "$DNS_DIR/ub6.conf" -t TXT _b.provider.test 2>&1)
	expect_match "over IPv6" '^_b\.provider\.test has TXT record "v=spf1 ip6:2001:db8:a::/48 -all" \(secure\)$' "$out"
}
timed "forwarding to nsd's IPv6 address works too" ipv6

# A record changes between two syncs: served once dns_reload returns,
# re-signed (still secure), with a new serial.
change() {
	local s0=${DNS_SERIAL[provider.test]}
	dns_rr_set provider.test _spf TXT '"v=spf1 ip4:192.0.2.0/24 -all"' || return 1
	dns_reload || return 1
	expect_eq "serial" "$((s0 + 1))" "$(dns_serial provider.test)" || return 1
	expect_host "changed TXT" '_spf\.provider\.test has TXT record "v=spf1 ip4:192\.0\.2\.0/24 -all" \(secure\)' \
		-t TXT _spf.provider.test
}
timed "dns_rr_set + dns_reload: the new TXT, re-signed, (secure)" change

# A changed RRset under its old signature: BOGUS (libunbound still hands
# the data over, with bogus set: the tool must refuse it), and the rest
# of the zone still secure.
tamper() {
	dns_tamper provider.test _spf TXT '"v=spf1 ip4:0.0.0.0/0 -all"' || return 1
	dns_reload || return 1
	expect_host "tampered TXT" '_spf\.provider\.test has TXT record "v=spf1 ip4:0\.0\.0\.0/0 -all" \(BOGUS \(security failure\)\)' \
		-t TXT _spf.provider.test || return 1
	expect_host "why" 'validation failure <_spf\.provider\.test\. TXT IN>: .*signature.*' \
		-t TXT _spf.provider.test || return 1
	expect_host "untouched MX" 'provider\.test mail is handled by 10 mx\.provider\.test\. \(secure\)' \
		-t MX provider.test
}
timed "dns_tamper: (BOGUS), the rest of the zone (secure)" tamper

# The next change to the zone signs it afresh: the tampering is gone.
untamper() {
	dns_rr_set provider.test _b TXT '"v=spf1 ip6:2001:db8:b::/48 -all"' || return 1
	dns_reload || return 1
	expect_host "TXT" '_spf\.provider\.test has TXT record "v=spf1 ip4:192\.0\.2\.0/24 -all" \(secure\)' \
		-t TXT _spf.provider.test || return 1
	expect_host "TXT" '_b\.provider\.test has TXT record "v=spf1 ip6:2001:db8:b::/48 -all" \(secure\)' \
		-t TXT _b.provider.test
}
timed "the next dns_rr_set + dns_reload re-signs: (secure) again" untamper

# A forwarder that never answers: libunbound retries, then gives up by
# itself with SERVFAIL. How long it takes is printed (mxlockctl sync
# sets its own deadline); well over a second proves it waited.
timeout_case() {
	local out t0 secs
	dns_blackhole 10.53.0.99 || return 1
	dns_unbound_conf "$DNS_DIR/ub-void.conf" 10.53.0.99
	t0=$EPOCHREALTIME
	out=$(timeout 120 ip netns exec "$NS" unbound-host -C "$DNS_DIR/ub-void.conf" -v \
		-t TXT _spf.provider.test 2>&1)
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	echo "$secs" >"$TMPD/timeout_secs"	# check runs us in a subshell
	expect_match "answer" '^Host _spf\.provider\.test not found: 2\(SERVFAIL\)\. \(error\)$' "$out" || return 1
	awk -v s="$secs" 'BEGIN { exit !(s >= 5) }' ||
		{ echo "too fast for a timeout: $secs s" >&2; return 1; }
}
timed "a forwarder that never answers: SERVFAIL after libunbound's own timeout" timeout_case
ktap_diag "libunbound gave up by itself after $(cat "$TMPD/timeout_secs" 2>/dev/null) s"

ktap_finish
