#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The attacker's side. A spammer outside the provider's range wants the
# mail host's listener on port 25 to answer. It cannot change its address
# (the answer must come back to it), but it can shape its packets and it
# can hope the admin's own setup hands its SYN to the listener some way
# mxlock does not look: fragments, extension headers, odd flags, a
# redirect to lo, a SYNPROXY, a REDIRECT or TPROXY in front of the MTA, a
# syncookie. Every case asks the listener, not mxlock: did a SYN-ACK come
# back, did accept() return (the banner came)? Each crafted case runs from
# a refused source (must get nothing) and, as its control, from an
# allowed one (must get in, or the packets were not what the kernel takes
# and the case would prove nothing); where the kernel itself throws the
# packets away for everyone, that is said, and only the refusal is
# asserted.
#
# Everything runs twice: with no connection tracking in the mail host's
# namespace, then with nf_conntrack (and so nf_defrag_ipv4/ipv6 in
# PREROUTING, ahead of mxlock) enabled there by an nft rule.
#
# tests/pktcraft sends the crafted packets (AF_PACKET, from the sender's
# side of the veth, nothing in between to tidy them up).
source "$(dirname "$0")/lib.sh"

PKTCRAFT=${PKTCRAFT:-$top/tests/pktcraft}
VOUCH=$top/tests/bpf/vouch.bpf.o
TC_ATTACH=$top/tests/bpf/tc_attach

require_mxlock
require_cmd nft tc socat
[ -x "$PKTCRAFT" ] || ktap_skip_all "no $PKTCRAFT (make -C tests)"
[ -x "$TC_ATTACH" ] && [ -s "$VOUCH" ] ||
	ktap_skip_all "no $TC_ATTACH or $VOUCH (make -C tests)"
# The kfunc a BPF syncookie needs came in 6.9: on older kernels a load
# failure is expected; on newer ones it is a failure of the case.
BPF_COOKIE_SKIP=
IFS=.- read -r kmaj kmin _ <<<"$(uname -r)"
[ "$kmaj" -gt 6 ] || { [ "$kmaj" -eq 6 ] && [ "$kmin" -ge 9 ]; } ||
	BPF_COOKIE_SKIP="bpf_sk_assign_tcp_reqsk() is in Linux 6.9 and later, this is $(uname -r)"

# Crafted cases the listener answers when they come from an allowed
# source, and those the kernel drops for every source: SYN+FIN (discarded
# in LISTEN), overlapping fragments (RFC 5722: the whole datagram goes)
# and, in IPv6, a first fragment without the whole TCP header (RFC 7112).
CASES4=(syn syn-urg syn-psh syn-ece-cwr syn-data frag frag-reversed frag-tiny ip-options)
#
# The split-* cases put extension headers after the fragment header and
# cut the chain before TCP: the first fragment holds only part of it
# (split-inside: part of one header), so the hook cannot walk it to a TCP
# header, while the stack queues it all the same and answers the
# reassembled SYN. split-ah ends in an AH no SA takes: the kernel drops
# it for everyone (an AH it does take is re-injected through PREROUTING
# and LOCAL_IN, and judged whole there).
CASES6=(syn syn-urg syn-psh syn-ece-cwr syn-data frag frag-reversed atomic
	atomic-reserved hbh-frag dstopt-frag routing-frag frag-dstopt
	split-dstopt split-dstopt-reversed split-routing split-three
	split-three-reversed split-inside)
KDROP4=(syn-fin frag-overlap)
KDROP6=(syn-fin frag-overlap frag-tiny split-ah)
# With conntrack, Debian's 6.1 also drops a datagram fragmented behind
# destination options or a routing header once nf_defrag_ipv6 has put it
# together (Ip6InHdrErrors, with or without mxlock loaded): those cases
# are the kernel's too in that pass.
KDROP6_CT=(dstopt-frag routing-frag)
# Per mode: the crafted cases, then the setups below.
SETUPS=12
PER_MODE=$((${#CASES4[@]} + ${#KDROP4[@]} + ${#CASES6[@]} + ${#KDROP6[@]} + SETUPS))
ktap_begin $((1 + 2 * PER_MODE))

# A second address on the mail host for a listener of our own, started
# after TCP Fast Open is on (a listener takes the setting when it starts)
# and transparent (so that TPROXY may hand it connections).
MX_ALT=192.0.2.26
BANNER_ALT="220 mx alternate"
BANNER_NAT="220 mx behind a redirect"	# the listener on 10025
MX_LINK=192.0.2.254			# the mail host's end of each link

setup() {
	topology6 || return 1
	ip -n "$MX" addr add "$MX_ALT/32" dev lo || return 1
	local ns
	for ns in "$GOOD" "$BAD"; do
		ip -n "$ns" route add "$MX_ALT/32" dev eth0 || return 1
	done
	# Fast Open for everyone, no cookie needed: a SYN with data is a
	# connection at once (accept() returns before the handshake ends).
	ip netns exec "$MX" sysctl -qw net.ipv4.tcp_fastopen=0x602 || return 1
	spawn ip netns exec "$MX" socat -t "$(slow 10)" \
		"TCP4-LISTEN:25,bind=$MX_ALT,fork,reuseaddr,transparent" \
		"SYSTEM:echo $BANNER_ALT; exec cat" 2>>"$TMPD/listeners.log"
	wait_listen "$MX" 25 -4 || return 1
	listener "$MX" 0.0.0.0 10025 "$BANNER_NAT" || return 1
	mx "$MX" replace "$PROVIDER" "$PROVIDER6"
}
setup || ktap_bail "cannot build the topology"
check "replace $PROVIDER $PROVIDER6" true

# The mail host's end of NS's link: where pktcraft sends its frames.
peer_mac() { # NS
	ip -n "$MX" link show "${SENDER_DEV[$1]}" | awk '/link\/ether/ { print $2 }'
}
MAC_GOOD=$(peer_mac "$GOOD")
MAC_BAD=$(peer_mac "$BAD")

craft() { # NS SRC DST CASE [pktcraft options]: what came back
	local ns=$1 src=$2 dst=$3 c=$4 mac=$MAC_GOOD
	shift 4
	[ "$ns" = "$BAD" ] && mac=$MAC_BAD
	ip netns exec "$ns" "$PKTCRAFT" -i eth0 -m "$mac" -s "$src" -d "$dst" \
		-p 25 "$@" "$c"
}

# hear NS DST PORT: connect and listen a few seconds. HEARD is the first
# line the listener sent (empty when none came), CONNECTED 1 when the
# handshake completed (with the listener or with a proxy in front).
hear() {
	local d
	sockhost d "$2"
	timeout "$(slow 20)" ip netns exec "$1" socat -t "$(slow 4)" - \
		"TCP:$d:$3,connect-timeout=$MXLOCK_DROP_WAIT" \
		</dev/null >"$TMPD/heard" 2>"$TMPD/heard.err"
	HEARD=$(head -n 1 "$TMPD/heard")
	CONNECTED=1
	grep -qiE 'timed out|timeout|refused' "$TMPD/heard.err" && CONNECTED=0
	return 0
}

# gets_in NS DST PORT WANT / kept_out NS DST PORT: the listener accepted
# and said WANT; or it never said anything.
gets_in() {
	hear "$1" "$2" "$3"
	expect_eq "what $1 heard from $2:$3" "$4" "$HEARD"
}
kept_out() {
	hear "$1" "$2" "$3"
	expect_eq "what $1 heard from $2:$3" "" "$HEARD"
}

# crafted FAM MODE: every crafted case of the family from the refused
# source, all at once (each pktcraft waits for its own answer on its own
# port), then from the allowed one.
crafted() {
	local fam=$1 mode=$2 g=$GOOD_ADDR b=$BAD_ADDR d=$MX_ADDR c
	local -n all=CASES$fam kd=KDROP$fam
	local dir=$TMPD/crafted$fam.$mode cases=() kdrop=("${kd[@]}") pids=()
	[ "$fam" = 6 ] && g=$GOOD_ADDR6 b=$BAD_ADDR6 d=$MX_ADDR6
	[ "$fam$mode" = 6conntrack ] && kdrop+=("${KDROP6_CT[@]}")
	for c in "${all[@]}"; do
		[[ " ${kdrop[*]} " == *" $c "* ]] || cases+=("$c")
	done
	mkdir -p "$dir"
	for c in "${cases[@]}" "${kdrop[@]}"; do
		craft "$BAD" "$b" "$d" "$c" -w 3000 -x syn-ack >"$dir/$c.bad" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	# The controls one at a time: each ends at its SYN-ACK.
	for c in "${cases[@]}" "${kdrop[@]}"; do
		craft "$GOOD" "$g" "$d" "$c" -w "$(slow 5000)" -x syn-ack \
			>"$dir/$c.good" 2>&1
	done
	for c in "${cases[@]}"; do
		check "$mode: IPv$fam $c: no SYN-ACK for a refused source; one for an allowed source" \
			expect_both "$dir/$c" syn-ack
	done
	for c in "${kdrop[@]}"; do
		ktap_diag "$mode: IPv$fam $c from an allowed source: $(cat "$dir/$c.good") (the kernel's own verdict)"
		check "$mode: IPv$fam $c: no SYN-ACK for a refused source" \
			expect_eq "answer" none "$(cat "$dir/$c.bad")"
	done
}
expect_both() { # FILE-PREFIX GOOD-WANT
	expect_eq "the refused source's answer" none "$(cat "$1.bad")" || return 1
	expect_eq "the allowed source's answer" "$2" "$(cat "$1.good")"
}

# quiet on|off: pktcraft's senders have no socket for the answers they
# provoke, and their kernels reset what the listener made of them; quiet
# keeps them from it while a connection must live (a Fast Open one, a
# cookie's). Only then: the request socks it leaves behind would fill
# the listener's SYN queue.
quiet() {
	local ns
	for ns in "$GOOD" "$BAD"; do
		if [ "$1" = off ]; then
			ip netns exec "$ns" nft delete table inet quiet || return 1
			continue
		fi
		ip netns exec "$ns" nft -f - <<'EOF' || return 1
table inet quiet {
	chain out {
		type filter hook output priority 0;
		tcp flags & rst != 0 drop
	}
}
EOF
	done
}

# TCP Fast Open: a SYN carrying data to the Fast Open listener. From an
# allowed source accept() returns at once and the banner comes back before
# the handshake is done; a refused source gets nothing.
fast_open() {
	local b g
	quiet on || return 1
	b=$(craft "$BAD" "$BAD_ADDR" "$MX_ALT" syn-data -w 3000 -x data)
	g=$(craft "$GOOD" "$GOOD_ADDR" "$MX_ALT" syn-data -w "$(slow 8000)" -x data)
	quiet off || return 1
	expect_eq "the refused source's answer" none "$b" || return 1
	expect_eq "the allowed source's answer" data "$g"
}

# A remote source's SYN delivered through lo: tc mirred redirects what
# arrives on the senders' links for port 25 to lo's ingress.
via_lo() { # FAM
	local fam=$1 proto=ip d=$MX_ADDR ns rc=0
	[ "$fam" = 6 ] && proto=ipv6 d=$MX_ADDR6
	for ns in "$GOOD" "$BAD"; do
		local dev=${SENDER_DEV[$ns]}
		tc -n "$MX" qdisc add dev "$dev" clsact || return 1
		tc -n "$MX" filter add dev "$dev" ingress protocol "$proto" \
			flower ip_proto tcp dst_port 25 \
			action mirred ingress redirect dev lo || return 1
	done
	gets_in "$GOOD" "$d" 25 "$BANNER" || rc=1
	kept_out "$BAD" "$d" 25 || rc=1
	# bad's SYNs did take the way through lo.
	expect_match "bad's redirect" "Sent [0-9]+ bytes [1-9][0-9]* pkt" \
		"$(tc -n "$MX" -s filter show dev "${SENDER_DEV[$BAD]}" ingress)" || rc=1
	for ns in "$GOOD" "$BAD"; do
		tc -n "$MX" qdisc del dev "${SENDER_DEV[$ns]}" clsact || rc=1
	done
	return "$rc"
}

# TPROXY: connections to $MX_ALT:2525 handed to the listener on port 25.
# mxlock guards port 25: the socket's port counts, not only the header's.
tproxy() {
	local rc=0
	ip netns exec "$MX" nft -f - <<EOF || return 1
table ip bypass_tproxy {
	chain pre {
		type filter hook prerouting priority mangle;
		ip daddr $MX_ALT tcp dport 2525 tproxy to $MX_ALT:25
	}
}
EOF
	gets_in "$GOOD" "$MX_ALT" 2525 "$BANNER_ALT" || rc=1
	kept_out "$BAD" "$MX_ALT" 2525 || rc=1
	ip netns exec "$MX" nft delete table ip bypass_tproxy || rc=1
	return "$rc"
}

# REDIRECT 25 -> 10025 in front of an MTA listening on 10025: "port 25"
# is the port the sender aimed at. And DNAT 2525 -> 25: the port it is
# delivered to counts too.
redirect() {
	local rc=0 ns
	# REDIRECT sends to the incoming link's first address: give the
	# links one, for as long as this lasts.
	for ns in "$GOOD" "$BAD"; do
		ip -n "$MX" addr add "$MX_LINK/32" dev "${SENDER_DEV[$ns]}" || return 1
	done
	ip netns exec "$MX" nft -f - <<EOF || return 1
table ip bypass_nat {
	chain pre {
		type nat hook prerouting priority dstnat;
		tcp dport 25 redirect to :10025
		tcp dport 2525 dnat to $MX_ADDR:25
	}
}
EOF
	# good hears the listener on 10025: the redirect is in force.
	gets_in "$GOOD" "$MX_ADDR" 25 "$BANNER_NAT" || rc=1
	kept_out "$BAD" "$MX_ADDR" 25 || rc=1
	# The other way round: 2525 (unguarded) led to the listener on 25.
	gets_in "$GOOD" "$MX_ADDR" 2525 "$BANNER" || rc=1
	kept_out "$BAD" "$MX_ADDR" 2525 || rc=1
	# Straight to the port the REDIRECT delivers to: no NAT, so only
	# 10025 itself can say it is guarded; README tells to guard it.
	mx "$MX" ports 25,10025 || rc=1
	gets_in "$GOOD" "$MX_ADDR" 10025 "$BANNER_NAT" || rc=1
	kept_out "$BAD" "$MX_ADDR" 10025 || rc=1
	gets_in "$GOOD" "$MX_ADDR" 25 "$BANNER_NAT" || rc=1
	kept_out "$BAD" "$MX_ADDR" 25 || rc=1
	mx "$MX" ports 25 || rc=1
	ip netns exec "$MX" nft delete table ip bypass_nat || rc=1
	# Taking a link's last IPv4 address takes its routes with it
	# (fib_disable_ip()): put good's and bad's back.
	ip -n "$MX" addr del "$MX_LINK/32" dev "${SENDER_DEV[$GOOD]}" || rc=1
	ip -n "$MX" addr del "$MX_LINK/32" dev "${SENDER_DEV[$BAD]}" || rc=1
	ip -n "$MX" route replace "$GOOD_ADDR/32" dev "${SENDER_DEV[$GOOD]}" || rc=1
	ip -n "$MX" route replace "$BAD_ADDR/32" dev "${SENDER_DEV[$BAD]}" || rc=1
	return "$rc"
}

# SYNPROXY ahead of mxlock (input priority -150): it answers the client's
# SYN itself, and after the client's ACK sends the server a SYN with the
# client's address through lo. The client's handshake always completes
# (with the proxy); the listener's banner must come only to good.
synproxy() {
	local rc=0
	# As SYNPROXY's documentation says: the client's ACK must be
	# INVALID to conntrack (not picked up mid-stream) to reach the proxy.
	ip netns exec "$MX" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 || return 1
	ip netns exec "$MX" nft -f - <<EOF || return 1
table ip bypass_synproxy {
	chain raw {
		type filter hook prerouting priority raw;
		tcp dport 25 tcp flags syn notrack
	}
	chain in {
		type filter hook input priority -150;
		tcp dport 25 ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm
		ct state invalid drop
	}
}
EOF
	gets_in "$GOOD" "$MX_ADDR" 25 "$BANNER" || rc=1
	kept_out "$BAD" "$MX_ADDR" 25 || rc=1
	# ... although bad's handshake completed: the proxy was in force.
	expect_eq "bad's handshake (with the proxy)" 1 "$CONNECTED" || rc=1
	ip netns exec "$MX" nft delete table ip bypass_synproxy || rc=1
	ip netns exec "$MX" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1 || rc=1
	return "$rc"
}

# Syncookies: the listener answers every SYN with a cookie and keeps no
# state; a bare ACK carrying a valid cookie is a connection. bad's source
# is admitted while it gets a cookie, then refused: its ACK must not make
# a connection. The control: the same with bad still admitted.
cookie() { # FAM
	local fam=$1 b=$BAD_ADDR d=$MX_ADDR rc=0 got
	[ "$fam" = 6 ] && b=$BAD_ADDR6 d=$MX_ADDR6
	ip netns exec "$MX" sysctl -qw net.ipv4.tcp_syncookies=2 || return 1
	quiet on || return 1
	mx "$MX" replace "$PROVIDER" "$PROVIDER6" "$b" || return 1
	got=$(craft "$BAD" "$b" "$d" cookie-syn -f "$TMPD/ck.ctl" -w "$(slow 8000)" -x syn-ack)
	expect_eq "admitted: the cookie SYN-ACK" syn-ack "$got" || rc=1
	got=$(craft "$BAD" "$b" "$d" cookie-ack -f "$TMPD/ck.ctl" -w "$(slow 8000)" -x data)
	expect_eq "admitted: its ACK is a connection (the banner)" data "$got" || rc=1
	got=$(craft "$BAD" "$b" "$d" cookie-syn -f "$TMPD/ck" -w "$(slow 8000)" -x syn-ack)
	expect_eq "admitted: another cookie" syn-ack "$got" || rc=1
	mx "$MX" replace "$PROVIDER" "$PROVIDER6" || rc=1
	got=$(craft "$BAD" "$b" "$d" cookie-ack -f "$TMPD/ck" -w 3000 -x data)
	expect_eq "refused now: its ACK with the valid cookie" none "$got" || rc=1
	ip netns exec "$MX" sysctl -qw net.ipv4.tcp_syncookies=1 || rc=1
	quiet off || rc=1
	return "$rc"
}

# A BPF syncookie server (bpf_sk_assign_tcp_reqsk(), Linux 6.9 and later)
# answers SYNs at tc and hands TCP, with the ACK, a request socket its
# cookie vouched for: no SYN ever reaches LOCAL_IN, and TCP turns the ACK
# into a connection. tests/bpf/vouch stands in for such a server on the
# mail host's links and vouches for every bare ACK to port 25, so any
# numbers make a handshake. The control: good's ACK is a connection.
bpf_cookie() { # FAM
	local fam=$1 g=$GOOD_ADDR b=$BAD_ADDR d=$MX_ADDR rc=0 got ns
	[ "$fam" = 6 ] && g=$GOOD_ADDR6 b=$BAD_ADDR6 d=$MX_ADDR6
	for ns in "$GOOD" "$BAD"; do
		ip netns exec "$MX" "$TC_ATTACH" "${SENDER_DEV[$ns]}" "$VOUCH" vouch ||
			return 1
	done
	quiet on || return 1
	# sport seq isn, as pktcraft's cookie-syn would have kept them.
	echo "$((20000 + RANDOM % 10000)) $RANDOM $RANDOM" >"$TMPD/vouched"
	got=$(craft "$GOOD" "$g" "$d" cookie-ack -f "$TMPD/vouched" -w "$(slow 8000)" -x data)
	expect_eq "allowed: the vouched ACK is a connection (the banner)" data "$got" || rc=1
	got=$(craft "$BAD" "$b" "$d" cookie-ack -f "$TMPD/vouched" -w 3000 -x data)
	expect_eq "refused: its vouched ACK" none "$got" || rc=1
	quiet off || rc=1
	for ns in "$GOOD" "$BAD"; do
		tc -n "$MX" qdisc del dev "${SENDER_DEV[$ns]}" clsact || rc=1
	done
	return "$rc"
}

# Local submission: the mail host's own programs still reach port 25 from
# its own addresses (the only exemption left), over both families.
local_mail() {
	gets_in "$MX" "$MX_ADDR" 25 "$BANNER" || return 1
	gets_in "$MX" "$MX_ADDR6" 25 "$BANNER"
}

ct_on() {
	ip netns exec "$MX" nft -f - <<'EOF' || return 1
table inet bypass_ct {
	chain pre {
		type filter hook prerouting priority 0;
		ct state new counter
	}
}
EOF
	# It tracks: the connection just made is in the table.
	gets_in "$GOOD" "$MX_ADDR" 25 "$BANNER" || return 1
	expect_ge "nf_conntrack_count" 1 "$(ct_count)"
}

ct_count() {
	ip netns exec "$MX" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0
}

run_mode() { # noct | conntrack
	local mode=$1
	if [ "$mode" = conntrack ]; then
		# Any ct expression makes the namespace track (and defragment
		# in PREROUTING) both families.
		check "$mode: nf_conntrack enabled in the mail host's namespace" ct_on
	else
		check "$mode: no connection tracking in the mail host's namespace" \
			expect_eq "nf_conntrack_count" 0 "$(ct_count)"
	fi
	crafted 4 "$mode"
	crafted 6 "$mode"
	check "$mode: SYN with data to a Fast Open listener: accept() only for an allowed source" fast_open
	check "$mode: IPv4 through lo (tc mirred): an allowed source gets in, a refused one does not" via_lo 4
	check "$mode: IPv6 through lo (tc mirred): an allowed source gets in, a refused one does not" via_lo 6
	check "$mode: TPROXY 2525 -> a listener on 25: judged as port 25" tproxy
	if [ "$mode" = conntrack ]; then
		check "$mode: SYNPROXY ahead of mxlock: the server's SYN through lo is judged" synproxy
		check "$mode: REDIRECT 25 -> 10025 and DNAT 2525 -> 25: judged as port 25; straight to 10025 with ports 25,10025: kept out" redirect
	else
		ktap_skip "$mode: SYNPROXY ahead of mxlock" "SYNPROXY needs conntrack: run in the conntrack pass"
		ktap_skip "$mode: REDIRECT 25 -> 10025 and DNAT 2525 -> 25" "NAT needs conntrack: run in the conntrack pass"
	fi
	check "$mode: IPv4 syncookie completed by a source refused since: no connection" cookie 4
	check "$mode: IPv6 syncookie completed by a source refused since: no connection" cookie 6
	if [ -z "$BPF_COOKIE_SKIP" ]; then
		check "$mode: IPv4 BPF syncookie (a request socket made at tc): judged as an ACK" bpf_cookie 4
		check "$mode: IPv6 BPF syncookie (a request socket made at tc): judged as an ACK" bpf_cookie 6
	else
		ktap_skip "$mode: IPv4 BPF syncookie" "$BPF_COOKIE_SKIP"
		ktap_skip "$mode: IPv6 BPF syncookie" "$BPF_COOKIE_SKIP"
	fi
	check "$mode: local submission from the mail host's own addresses still gets in" local_mail
}

run_mode noct
run_mode conntrack

ktap_finish
