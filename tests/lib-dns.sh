# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/lib-dns.sh: a real DNS server for the tests of `mxlockctl sync`. Source
# it after tests/lib.sh. It builds zones, signs some of them (DNSSEC), and
# serves them with nsd in a network namespace the caller made (setup_ns,
# or mailhost: the tool then resolves from the namespace it runs in):
#
#   source "$(dirname "$0")/lib-dns.sh"
#   require_dns
#   setup_ns NS
#   dns_zone provider.test
#   dns_rr provider.test '_spf 300 IN TXT "v=spf1 ip4:198.51.100.0/24 -all"'
#   dns_sign provider.test              # its DS goes to $DNS_TA
#   dns_zone plain.test                 # not signed: insecure
#   dns_serve "$NS" 10.53.0.1           # nsd on 10.53.0.1:53 in $NS
#   dns_unbound_conf "$DNS_DIR/ub.conf" # for unbound-host -C
#   ...
#   dns_rr_set provider.test _spf TXT '"v=spf1 ip4:192.0.2.0/24 -all"'
#   dns_reload                          # re-signed, served, serial seen
#
# Zones must all be made before dns_serve (nsd reads its zone list once).
# Everything lives under $DNS_DIR (inside lib.sh's $TMPD: gone at exit);
# nsd runs under lib.sh's spawn, so lib.sh's cleanup ends it.
#
# How a resolver must be set up to use it (what dns_unbound_conf writes),
# the same for libunbound (mxlockctl) and unbound-host:
#   - forward mode to the server: ub_ctx_set_fwd(ctx, "10.53.0.1"), i.e.
#     forward-zone "." forward-addr. It works against this authoritative
#     server (it answers with AA, RA=0, and REFUSED outside its zones).
#   - the trust anchors in $DNS_TA only (DS lines), no root anchor:
#     ub_ctx_add_ta_file(ctx, DNS_TA). Zones under no anchor are insecure.
#   - unbound's built-in local zone "test." (RFC 6761) answers NXDOMAIN
#     for every .test name before any query leaves. It has to go:
#     ub_ctx_zone_remove(ctx, "test.") or ub_ctx_set_option(ctx,
#     "local-zone:", "test. transparent"), or "local-zone: "test."
#     nodefault" in a config file. (ub_ctx_set_option with "test.
#     nodefault" is accepted and does NOTHING: libunbound 1.17.1.)
#
# Failures to provoke:
#   SERVFAIL  a name under no zone nsd serves (nowhere.test): nsd says
#             REFUSED, the resolver SERVFAIL. A forwarder address with no
#             route, or a blackhole route, fails the same way at once
#             (connect() fails).
#   timeout   dns_blackhole ADDR, then forward to ADDR: queries leave and
#             vanish. libunbound gives up by itself, with SERVFAIL, after
#             ~17 s (18 s in the TCG guest), retrying with rising timeouts.
#   bogus     dns_tamper: a changed RRset under its old signature.
#
# What ub_resolve() returns for each (libunbound 1.17.1, Debian 12):
#   case               rcode havedata nxdomain secure bogus data
#   TXT, signed zone     0      1        0       1      0   set
#   TXT, unsigned zone   0      1        0       0      0   set
#   NXDOMAIN             3      0        1      1/0     0   set, empty
#   NODATA               0      0        0      1/0     0   set, empty
#   tampered RRset       0      1        0       0      1   set (!)
#   REFUSED, timeout     2      0        0       0      0   NULL (!)
# data[i] is the raw rdata: for TXT its strings, each after a length
# byte ("\027v=spf1 ip4:198.51.100.0/24 \029include:..."), to be joined
# with nothing between (RFC 7208 3.3). A bogus answer still has its data
# (why_bogus says "validation failure <...>: ECDSA signature verification
# failed from 10.53.0.1"): check bogus. On SERVFAIL data is NULL: check
# rcode/havedata before reading it. (secure/insecure 1/0 above: signed
# zone / unsigned zone.)

# shellcheck disable=SC2034  # variables for the scripts that source this

DNS_DIR=$TMPD/dns		# zones, keys, nsd's files
DNS_TA=$DNS_DIR/ta		# trust anchors (DS) of the signed zones
DNS_ADDR=10.53.0.1		# nsd's (first) address, set by dns_serve
DNS_NS=				# its namespace
DNS_NSD_PID=
DNS_TTL=300			# of every record dns_rr_set writes
DNS_ZONES=()			# in the order made
declare -A DNS_SERIAL		# zone -> the SOA serial it must serve
declare -A DNS_KEY		# signed zone -> its key's file name base
declare -A DNS_DIRTY		# zone -> 1: changed since last published
mkdir -p "$DNS_DIR" || exit 1
: >"$DNS_TA"

require_dns() { # nsd, the ldns tools, unbound-host (lib.sh's require_cmd)
	require_root
	require_cmd nsd ldns-keygen ldns-signzone drill unbound-host ip
}

_dns_fail() { # message: say it, fail
	echo "dns: $*" >&2
	return 1
}

# dns_zone NAME: a new zone: SOA (serial 1), NS ns.NAME, ns.NAME's A.
dns_zone() {
	local z=$1
	DNS_ZONES+=("$z")
	DNS_SERIAL[$z]=1
	DNS_DIRTY[$z]=1
	cat >"$DNS_DIR/$z.zone" <<EOF
\$ORIGIN $z.
\$TTL $DNS_TTL
@ IN SOA ns.$z. hostmaster.$z. 1 3600 600 86400 60
@ IN NS ns.$z.
ns IN A $DNS_ADDR
EOF
}

# dns_rr NAME "LINE": append a record in zone file syntax (owner relative
# to the zone, or absolute with a dot).
dns_rr() {
	[ -f "$DNS_DIR/$1.zone" ] || _dns_fail "no zone $1" || return 1
	printf '%s\n' "$2" >>"$DNS_DIR/$1.zone"
	DNS_DIRTY[$1]=1
}

# _dns_fqdn ZONE OWNER: OWNER ("@", relative or absolute) absolute, lower.
_dns_fqdn() {
	local o=${2,,} z=${1,,}
	case $o in
	@) echo "$z." ;;
	*.) echo "$o" ;;
	*) echo "$o.$z." ;;
	esac
}

# _dns_drop ZONE FILE OWNER TYPE: print FILE without OWNER's TYPE records
# (owner [ttl] [class] [ttl] type rdata; "$" lines and comments kept).
_dns_drop() {
	local owner
	owner=$(_dns_fqdn "$1" "$3")
	awk -v zone="${1,,}." -v owner="$owner" -v type="${4^^}" '
	/^[$;]/ || NF == 0 { print; next }
	{
		o = tolower($1)
		if (o == "@") o = zone
		else if (o !~ /\.$/) o = o "." zone
		i = 2
		if ($i ~ /^[0-9]+$/) i++
		if (toupper($i) == "IN") i++
		if ($i ~ /^[0-9]+$/) i++
		if (o == owner && toupper($i) == type) next
		print
	}' "$2"
}

# dns_rr_set NAME OWNER TYPE "RDATA": OWNER's TYPE records are now just
# this one (RDATA "" deletes them). Served after dns_reload.
dns_rr_set() {
	local z=$1 f=$DNS_DIR/$1.zone
	[ -f "$f" ] || _dns_fail "no zone $z" || return 1
	_dns_drop "$z" "$f" "$2" "$3" >"$f.new" || return 1
	[ -z "$4" ] || printf '%s %s IN %s %s\n' "$(_dns_fqdn "$z" "$2")" \
		"$DNS_TTL" "${3^^}" "$4" >>"$f.new"
	mv "$f.new" "$f"
	DNS_DIRTY[$z]=1
}

# dns_sign NAME: NAME is signed from now on: one ECDSA P-256 key (a KSK
# signing everything: one key is enough for a validator) whose DS goes
# to $DNS_TA, in the "-y"/trust-anchor-file format.
dns_sign() {
	local z=$1 k
	[ -f "$DNS_DIR/$z.zone" ] || _dns_fail "no zone $z" || return 1
	k=$(cd "$DNS_DIR" && ldns-keygen -a ECDSAP256SHA256 -k "$z") ||
		_dns_fail "ldns-keygen $z failed" || return 1
	DNS_KEY[$z]=$k
	cat "$DNS_DIR/$k.ds" >>"$DNS_TA"
	DNS_DIRTY[$z]=1
}

# _dns_publish NAME: write what nsd serves, $DNS_DIR/NAME.served: the
# zone with its serial bumped (a reload then shows), signed if it is.
_dns_publish() {
	local z=$1 f=$DNS_DIR/$1.zone s
	if [ -s "$DNS_DIR/$z.served" ]; then	# never served: keep serial 1
		s=$((DNS_SERIAL[$z] + 1))
		sed -i "s/^\(@ IN SOA [^ ]* [^ ]*\) [0-9]* /\1 $s /" "$f" || return 1
		DNS_SERIAL[$z]=$s
	fi
	if [ -n "${DNS_KEY[$z]:-}" ]; then
		# Valid from a day ago: a guest clock a little behind ours
		# must not see signatures from the future.
		ldns-signzone -i "$(date -u -d '1 day ago' +%Y%m%d%H%M%S)" \
			-e "$(date -u -d '30 days' +%Y%m%d%H%M%S)" \
			-f "$DNS_DIR/$z.served.new" "$f" "$DNS_DIR/${DNS_KEY[$z]}" ||
			_dns_fail "ldns-signzone $z failed" || return 1
	else
		cp "$f" "$DNS_DIR/$z.served.new" || return 1
	fi
	# A new file, renamed in: nsd sees a new mtime and never half a file.
	mv "$DNS_DIR/$z.served.new" "$DNS_DIR/$z.served"
	DNS_DIRTY[$z]=
}

# dns_tamper NAME OWNER TYPE "RDATA": the signed zone NAME is published
# (serial bumped, validly signed) and then OWNER's TYPE RRset is replaced
# by this one, keeping the old RRSIG: a validator finds it bogus, and the
# rest of the zone still secure. Served after dns_reload (which does not
# re-sign it); the next dns_rr/dns_rr_set on NAME undoes it.
dns_tamper() {
	local z=$1 f=$DNS_DIR/$1.served owner
	[ -n "${DNS_KEY[$z]:-}" ] || _dns_fail "zone $z is not signed" || return 1
	_dns_publish "$z" || return 1
	owner=$(_dns_fqdn "$z" "$2")
	grep -qP "^\Q$owner\E\t\d+\tIN\t${3^^}\t" "$f" ||
		_dns_fail "no $owner $3 in $z to tamper with" || return 1
	_dns_drop "$z" "$f" "$2" "$3" >"$f.new" || return 1
	printf '%s\t%s\tIN\t%s\t%s\n' "$owner" "$DNS_TTL" "${3^^}" "$4" >>"$f.new"
	mv "$f.new" "$f"
}

# dns_serial NAME: the SOA serial nsd serves for NAME (empty if none).
dns_serial() {
	ip netns exec "$DNS_NS" drill @"$DNS_ADDR" "$1" SOA 2>/dev/null |
		awk '/^[^;]/ && $4 == "SOA" { print $7; exit }'
}

# _dns_wait [hup]: every zone is served with the serial it must have.
# With "hup", nsd is sent SIGHUP (reread changed zone files) first and
# every 3 s after (not while it starts: SIGHUP would kill it then).
_dns_wait() {
	local i z ok
	for ((i = 0; i < $(slow 100); i++)); do
		if ((i % 30 == 0)); then
			kill -0 "$DNS_NSD_PID" 2>/dev/null ||
				_dns_fail "nsd is gone; its log:$(printf '\n%s' \
					"$(tail -n 20 "$DNS_DIR/nsd.log" 2>&1)")" ||
				return 1
			[ "${1:-}" = hup ] && kill -HUP "$DNS_NSD_PID"
		fi
		ok=1
		for z in "${DNS_ZONES[@]}"; do
			[ "$(dns_serial "$z")" = "${DNS_SERIAL[$z]}" ] || { ok=; break; }
		done
		[ -n "$ok" ] && return 0
		sleep 0.1
	done
	_dns_fail "after $(slow 10) s nsd serves $z with serial [$(dns_serial "$z")]," \
		"not ${DNS_SERIAL[$z]}; its log:$(printf '\n%s' "$(tail -n 20 "$DNS_DIR/nsd.log")")"
}

# dns_serve NS ADDR [ADDR6]: nsd in namespace NS, on ADDR:53 (and
# [ADDR6]:53), UDP and TCP, both put on NS's lo here; returns once every
# zone answers with its serial, fails (with nsd's log) if not.
dns_serve() {
	local ns=$1 a z
	DNS_NS=$ns
	DNS_ADDR=$2
	shift
	for z in "${DNS_ZONES[@]}"; do
		_dns_publish "$z" || return 1
	done
	for a in "$@"; do
		case $a in
		*:*) ip -n "$ns" addr add "$a/128" dev lo nodad || return 1 ;;
		*) ip -n "$ns" addr add "$a/32" dev lo || return 1 ;;
		esac
	done
	{
		echo "server:"
		printf '\tip-address: %s\n' "$@"
		# Root, no chroot, no database: every file nsd writes is ours.
		cat <<EOF
	port: 53
	username: ""
	chroot: ""
	zonesdir: "$DNS_DIR"
	database: ""
	zonelistfile: "$DNS_DIR/nsd.zonelist"
	xfrdfile: "$DNS_DIR/nsd.xfrd"
	xfrdir: "$DNS_DIR"
	pidfile: "$DNS_DIR/nsd.pid"
	logfile: "$DNS_DIR/nsd.log"
	server-count: 1
	verbosity: 1
remote-control:
	control-enable: no
EOF
		for z in "${DNS_ZONES[@]}"; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.served"\n' "$z" "$z"
		done
	} >"$DNS_DIR/nsd.conf"
	nsd-checkconf "$DNS_DIR/nsd.conf" >&2 || _dns_fail "bad nsd.conf" || return 1
	# -d: in the foreground, so spawn's process group holds it.
	spawn ip netns exec "$ns" nsd -d -c "$DNS_DIR/nsd.conf" 2>>"$DNS_DIR/nsd.log"
	DNS_NSD_PID=$SPAWNED
	_dns_wait
}

# dns_reload: publish every zone changed since (re-signing signed ones;
# not a zone tampered with since), and wait until nsd serves them.
dns_reload() {
	local z
	for z in "${DNS_ZONES[@]}"; do
		[ -z "${DNS_DIRTY[$z]}" ] || _dns_publish "$z" || return 1
	done
	_dns_wait hup
}

dns_stop() {
	[ -n "$DNS_NSD_PID" ] && stop "$DNS_NSD_PID"
	DNS_NSD_PID=
}

# dns_blackhole ADDR: in the server's namespace, packets to ADDR vanish
# silently (routed into a dummy device, which discards what it is given):
# a resolver forwarding to ADDR times out. (Not a blackhole or unreachable
# route, nor an unrouted address: there connect() fails and the resolver
# gives SERVFAIL at once.)
dns_blackhole() {
	local dev=dnsvoid
	if ! ip -n "$DNS_NS" link show "$dev" >/dev/null 2>&1; then
		ip -n "$DNS_NS" link add "$dev" type dummy || return 1
		ip -n "$DNS_NS" link set "$dev" up || return 1
	fi
	ip -n "$DNS_NS" route add "$1/32" dev "$dev"
}

# dns_unbound_conf FILE [ADDR]: an unbound.conf for `unbound-host -C
# FILE` (libunbound's ub_ctx_config) that resolves as mxlockctl sync
# will: forward "." to ADDR (default the server), $DNS_TA as anchors.
dns_unbound_conf() {
	local addr=${2:-$DNS_ADDR} six=no
	case $addr in *:*) six=yes ;; esac
	{
		echo "server:"
		printf '\tdo-ip6: %s\n' "$six"
		# unbound answers "test." itself (NXDOMAIN) unless told not to.
		printf '\tlocal-zone: "test." nodefault\n'
		[ -s "$DNS_TA" ] && printf '\ttrust-anchor-file: "%s"\n' "$DNS_TA"
		printf 'forward-zone:\n\tname: "."\n\tforward-addr: %s\n' "$addr"
	} >"$1"
}

# dns_host CONF ARGS...: unbound-host -C CONF -v ARGS... in the server's
# namespace. Its exit status is 0 for NXDOMAIN and SERVFAIL too: read
# the output.
dns_host() {
	local conf=$1
	shift
	ip netns exec "$DNS_NS" unbound-host -C "$conf" -v "$@"
}
