#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/lib.sh: helpers for the mxlock selftests, in the spirit of the
# kernel's tools/testing/selftests/net/lib.sh and kselftest/ktap_helpers.sh.
#
# A test script sources this file, states its requirements, declares its
# plan and then tells its story one subtest at a time:
#
#   source "$(dirname "$0")/lib.sh"
#   require_root; require_mxlock
#   ktap_begin 3
#   topology                       # $MX, $GOOD, $BAD, $OTHER
#   check "good sender gets the banner" connect_ok "$GOOD" "$MX_ADDR" 25
#   ...
#   ktap_finish
#
# Output is KTAP version 1: "ok N desc", "not ok N desc",
# "ok N desc # SKIP reason", diagnostics as "# ..." lines. Exit status is
# kselftest's: 0 pass, 1 fail, 4 skip. Namespaces, listeners and other
# leftovers are removed by an EXIT trap, whatever happens.
#
# Runs in the QEMU guest (scripts/vm-run) or as root on a real host with the
# module loaded or installed. Environment:
#   MXLOCK_KO      module to insmod when it is not loaded yet
#                  (default $top/kmod/mxlock.ko; if absent: modprobe mxlock)
#   MXLOCKCTL      control tool (default $top/ctl/mxlockctl)
#   NLCLIENT       independent netlink client (default $top/tests/nlclient)
#   MXLOCK_DROP_WAIT  seconds a connect to a dropped port is given before it
#                  counts as timed out (default 2)
#   MXLOCK_SLOW    integer factor for every wait that bounds how long
#                  something *should* take (default 1; scripts/check-debug
#                  sets 3: its KASAN/lockdep kernel runs ~3x slower).
#                  Waits for something that must *not* happen (a dropped
#                  connect) keep their length: they are no slower to fail.

# shellcheck disable=SC2034  # many variables here are for the scripts
# shellcheck disable=SC2016  # awk programs in single quotes

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MXLOCK_KO=${MXLOCK_KO:-$top/kmod/mxlock.ko}
MXLOCKCTL=${MXLOCKCTL:-$top/ctl/mxlockctl}
NLCLIENT=${NLCLIENT:-$top/tests/nlclient}
MXLOCK_DROP_WAIT=${MXLOCK_DROP_WAIT:-2}
MXLOCK_SLOW=${MXLOCK_SLOW:-1}
[[ $MXLOCK_SLOW =~ ^[1-9][0-9]*$ ]] || MXLOCK_SLOW=1

slow() { # N: N scaled by MXLOCK_SLOW
	echo $(($1 * MXLOCK_SLOW))
}
STATS=/proc/net/mxlock/stats

ksft_pass=0
ksft_fail=1
ksft_skip=4

# The mail host's address (on its loopback) and the senders' addresses.
MX_ADDR=192.0.2.25
PROVIDER=199.89.0.0/21		# the provider's range, from its guide
GOOD_ADDR=199.89.0.10		# inside the provider's range
BAD_ADDR=198.51.100.10		# outside it
OTHER_ADDR=203.0.113.7		# outside it too
BANNER="220 mx ESMTP"		# what the listener on port 25 says first
BANNER_2525="220 mx unguarded"	# ... and the one on port 2525

# The same cast over IPv6 (topology6), from the documentation prefix.
MX_ADDR6=2001:db8:25::25	# on the mail host's loopback too
PROVIDER6=2001:db8:a::/48	# the provider's IPv6 range
GOOD_ADDR6=2001:db8:a::10	# inside it
BAD_ADDR6=2001:db8:bad::10	# outside it
OTHER_ADDR6=2001:db8:7::7	# outside it too
MX_LL6=fe80::25			# the mail host's link-local on every sender
				# link: the senders' next hop to $MX_ADDR6

# A scratch directory of our own; the work tree may be read-only.
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/mxlock-test.XXXXXX") || exit $ksft_fail

# ---------------------------------------------------------------- KTAP ----

KTAP_PLAN=
KTAP_NUM=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0

ktap_diag() { # text... : one or more "# " lines, never mistaken for results
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

ktap_begin() { # N: the header and the plan
	KTAP_PLAN=$1
	echo "KTAP version 1"
	echo "1..$KTAP_PLAN"
}

ktap_ok() { # desc
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_NUM $1"
}

ktap_not_ok() { # desc
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_NUM $1"
}

ktap_skip() { # desc reason
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_NUM $1 # SKIP $2"
}

ktap_skip_all() { # reason: nothing can run here; exits 4
	echo "KTAP version 1"
	echo "1..0 # SKIP $*"
	exit $ksft_skip
}

ktap_bail() { # reason: the environment broke; the rest fails, exits 1
	ktap_diag "bailing out: $*"
	if [ -z "$KTAP_PLAN" ]; then
		ktap_begin 1
	fi
	while [ "$KTAP_NUM" -lt "$KTAP_PLAN" ]; do
		ktap_not_ok "not run: $*"
	done
	ktap_finish
}

ktap_finish() { # totals, then exit 0/1/4
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
	if [ "$KTAP_NUM" -ne "$KTAP_PLAN" ]; then
		ktap_diag "planned $KTAP_PLAN tests but ran $KTAP_NUM"
		exit $ksft_fail
	fi
	[ "$KTAP_FAIL" -eq 0 ] || exit $ksft_fail
	[ "$KTAP_PASS" -gt 0 ] || [ "$KTAP_SKIP" -eq 0 ] || exit $ksft_skip
	exit $ksft_pass
}

# check DESC CMD...: one subtest, ok iff CMD exits 0. CMD runs in a
# subshell (state it sets is lost); whatever it prints is shown as
# diagnostics if it fails, and swallowed otherwise.
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		ktap_ok "$desc"
	else
		[ -n "$out" ] && ktap_diag "$out"
		ktap_diag "(exit status $rc from: $*)"
		ktap_not_ok "$desc"
	fi
	return $rc
}

# ------------------------------------------------------------ asserts ----
# Small predicates for use inside a subtest function: each says what was
# wrong on stderr and returns non-zero.

expect_eq() { # what expected actual
	[ "$2" = "$3" ] && return 0
	printf '%s: expected [%s], got [%s]\n' "$1" "$2" "$3" >&2
	return 1
}

expect_ge() { # what minimum actual
	[[ $3 =~ ^[0-9]+$ ]] && [ "$3" -ge "$2" ] && return 0
	printf '%s: expected at least %s, got [%s]\n' "$1" "$2" "$3" >&2
	return 1
}

expect_match() { # what extended-regex text
	grep -Eq -- "$2" <<<"$3" && return 0
	printf '%s: expected to match /%s/, got:\n%s\n' "$1" "$2" "$3" >&2
	return 1
}

expect_exit() { # expected-status CMD...: CMD's output goes to stderr
	local want=$1 rc
	shift
	"$@" >&2
	rc=$?
	[ "$rc" -eq "$want" ] && return 0
	printf 'exit status of [%s]: expected %s, got %s\n' "$*" "$want" "$rc" >&2
	return 1
}

# -------------------------------------------------------- requirements ----

require_root() {
	[ "$(id -u)" -eq 0 ] || ktap_skip_all "must run as root"
}

require_cmd() { # cmd...
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || ktap_skip_all "'$c' not found"
	done
}

require_tool() { # the control tool must exist
	[ -x "$MXLOCKCTL" ] || ktap_skip_all "mxlockctl not built ($MXLOCKCTL)"
}

require_nlclient() {
	[ -x "$NLCLIENT" ] || ktap_skip_all "nlclient not built ($NLCLIENT; make -C tests)"
}

# mxlock_load [PARAM=VALUE...]: make sure the module is in, loading it
# with those module parameters if it is not. 0 loaded, 1 failed to load
# (that is a failure, not a skip), 4 no module to be had.
# shellcheck disable=SC2120  # most callers want the defaults
mxlock_load() {
	[ -d /sys/module/mxlock ] && return 0
	if [ -f "$MXLOCK_KO" ]; then
		# insmod, unlike modprobe, loads no dependencies (nf_reject_*).
		local dep
		for dep in $(modinfo -F depends "$MXLOCK_KO" | tr , ' '); do
			modprobe "$dep" || return 1
		done
		insmod "$MXLOCK_KO" "$@" || return 1
	elif modinfo mxlock >/dev/null 2>&1; then
		modprobe mxlock "$@" || return 1
	else
		return 4
	fi
	[ -d /sys/module/mxlock ] || return 1
}

mxlock_unload() {
	[ -d /sys/module/mxlock ] || return 0
	rmmod mxlock
}

# Everything most scripts need: root, the module, the tool, socat.
require_mxlock() {
	require_root
	require_cmd ip socat timeout
	require_tool
	mxlock_load
	case $? in
	0) ;;
	4) ktap_skip_all "no mxlock module ($MXLOCK_KO absent, modprobe mxlock unknown)" ;;
	*) echo "# insmod $MXLOCK_KO failed"; ktap_bail "cannot load the module" ;;
	esac
}

# ------------------------------------------------------------- cleanup ----

NS_LIST=()
PGID_LIST=()
DEFER=()

defer() { # "shell command": run at exit, last deferred first
	DEFER+=("$*")
}

cleanup() {
	local i ns pg
	for ((i = ${#DEFER[@]} - 1; i >= 0; i--)); do
		eval "${DEFER[i]}" >/dev/null 2>&1
	done
	for pg in "${PGID_LIST[@]}"; do
		kill -TERM -- "-$pg" 2>/dev/null
	done
	for pg in "${PGID_LIST[@]}"; do
		wait "$pg" 2>/dev/null
	done
	for ns in "${NS_LIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# spawn CMD...: start CMD in the background in its own process group, so
# cleanup can end it and everything it forked. Sets SPAWNED to its pid.
spawn() {
	setsid "$@" </dev/null &
	SPAWNED=$!
	PGID_LIST+=("$SPAWNED")
}

# stop PID: end a process group started by spawn, now.
stop() {
	kill -TERM -- "-$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# ---------------------------------------------------------- namespaces ----

# setup_ns VAR...: create a namespace per VAR, named VAR-<random>, with
# lo up, and set VAR to its name.
setup_ns() {
	local var name
	for var in "$@"; do
		name="${var,,}-$(mktemp -u XXXXXX)"
		ip netns add "$name" || return 1
		NS_LIST+=("$name")
		ip -n "$name" link set lo up || return 1
		printf -v "$var" '%s' "$name"
	done
}

# del_ns NAME: delete a namespace now (its listeners must be gone).
del_ns() {
	local i
	ip netns del "$1" || return 1
	for i in "${!NS_LIST[@]}"; do
		[ "${NS_LIST[i]}" = "$1" ] && unset 'NS_LIST[i]'
	done
	return 0
}

# ------------------------------------------------------- tools, proc ----

# wait_subscribed NS N: N generic netlink sockets (protocol 16) in NS
# have joined a multicast group: as many `mxlockctl monitor`s started
# there are listening (they join the events group, then nlctrl's).
wait_subscribed() {
	local ns=$1 want=$2 n i
	for ((i = 0; i < 100; i++)); do
		# shellcheck disable=SC2016  # an awk program
		n=$(ip netns exec "$ns" awk '$2 == 16 && $4 != "00000000" { n++ } END { print n + 0 }' \
			/proc/net/netlink)
		[ "$n" -ge "$want" ] && return 0
		sleep 0.1
	done
	echo "only $n of $want monitors subscribed in $ns after 10 s:" >&2
	ip netns exec "$ns" cat /proc/net/netlink >&2
	return 1
}


mx() { # NS args...: mxlockctl in NS
	local ns=$1
	shift
	ip netns exec "$ns" "$MXLOCKCTL" "$@"
}

nl() { # NS args...: nlclient in NS
	local ns=$1
	shift
	ip netns exec "$ns" "$NLCLIENT" "$@"
}

# nl_unchanged: the dump of $MX (generation and intervals) is still $BEFORE.
nl_unchanged() {
	expect_eq "generation and list" "$BEFORE" "$(nl "$MX" list)"
}

# nl_refused_nochange EXPECT ARGS...: `nlclient -e EXPECT ARGS` in $MX gets
# that answer (EXPECT "any": any errno) with a non-empty extack, and nothing
# changed (nl_unchanged). The answer starts its line, or follows what nlclient
# says it sent ("360044 bytes: errno=...").
nl_refused_nochange() {
	local exp=$1 out rc
	shift
	out=$(nl "$MX" -e "$exp" "$@")
	rc=$?
	echo "nlclient $*: $out" >&2
	expect_eq "nlclient exit status (0: the answer was $exp)" 0 "$rc" || return 1
	expect_match "the answer" '(^|bytes: )errno=[0-9]+ .* extack=.+' "$out" || return 1
	nl_unchanged
}

# flood_sources NS DST FROM N: N SYNs to DST:25 from N distinct sources
# 198.18.0.0 + FROM + i, in order, spoofed with IP_HDRINCL (the mail
# host must route 198.18.0.0/15 back to NS; needs python3).
flood_sources() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" <<'EOF'
import socket, struct, sys, time
dst, n = sys.argv[1], int(sys.argv[3])
base = struct.unpack("!I", socket.inet_aton("198.18.0.0"))[0] + int(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
def csum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
for i in range(n):
    src = struct.pack("!I", base + i)
    d = socket.inet_aton(dst)
    def tcp(c):
        return struct.pack("!HHIIBBHHH", 40000 + i % 20000, 25, i, 0, 5 << 4, 2,
                           64240, c, 0)
    t = tcp(csum(src + d + struct.pack("!BBH", 0, 6, 20) + tcp(0)))
    # The kernel fills in the total length, the id and the header checksum.
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, 6, 0, src, d)
    sock.sendto(ip + t, (dst, 0))
    if i % 100 == 99:
        time.sleep(0.02)	# never near the 1000-packet backlog
EOF
}

as_nobody() { # NS CMD...: CMD in NS as an unprivileged user, no caps
	local ns=$1
	shift
	ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all -- "$@"
}

stats() { # NS: the whole stats file of NS
	ip netns exec "$1" cat "$STATS"
}

stat() { # NS KEY: one value from NS's stats file; fails if KEY is absent
	ip netns exec "$1" awk -v k="$2" \
		'$1 == k { print $2; found = 1 } END { exit !found }' "$STATS"
}

# wait_stat NS KEY VALUE [SECS]: wait until KEY reaches VALUE (a SYN is
# counted when the mail host's stack gets it, a little after it was sent).
wait_stat() {
	local ns=$1 key=$2 want=$3 secs i v
	secs=$(slow "${4:-5}")
	for ((i = 0; i < secs * 10; i++)); do
		v=$(stat "$ns" "$key")
		[ "$v" = "$want" ] && return 0
		sleep 0.1
	done
	printf '%s in %s: expected %s, got [%s] after %ss\n' "$key" "$ns" "$want" "$v" "$secs" >&2
	return 1
}

# expect_counters NS "key=value ..." : each counter has that value, and
# syn_seen is the sum of the other four.
expect_counters() {
	local ns=$1 kv bad=0 v all key val
	local -A c
	# One read of the file: every process costs a lot under TCG.
	all=$(stats "$ns") || return 1
	while read -r key val; do
		c[$key]=$val
	done <<<"$all"
	for kv in syn_seen syn_allowed syn_dropped syn_monitored syn_unarmed; do
		[ -n "${c[$kv]:-}" ] || { echo "no $kv in $STATS" >&2; return 1; }
	done
	for kv in $2; do
		v=${c[${kv%%=*}]}
		[ "$v" = "${kv#*=}" ] || {
			echo "${kv%%=*}: expected ${kv#*=}, got [$v]" >&2
			bad=1
		}
	done
	v=$((c[syn_allowed] + c[syn_dropped] + c[syn_monitored] + c[syn_unarmed]))
	[ "${c[syn_seen]}" = "$v" ] || {
		echo "syn_seen ${c[syn_seen]} is not the sum of the others ($v)" >&2
		bad=1
	}
	[ $bad -eq 0 ] || printf '%s\n' "$all" >&2
	return $bad
}

# counters NS: "key=value" for the five counters, to hand to
# expect_counters later with some values changed.
counters() {
	ip netns exec "$1" awk '$1 ~ /^syn_/ { printf "%s=%s ", $1, $2 }' "$STATS"
}

# bump "k=v ..." KEY N: the same list with KEY raised by N.
bump() {
	local kv out=
	for kv in $1; do
		if [ "${kv%%=*}" = "$2" ]; then
			out+="$2=$((${kv#*=} + $3)) "
		else
			out+="$kv "
		fi
	done
	echo "$out"
}

# cget "k=v ..." KEY: the value of KEY in such a list.
cget() {
	local kv
	for kv in $1; do
		[ "${kv%%=*}" = "$2" ] && { echo "${kv#*=}"; return 0; }
	done
	return 1
}

# ------------------------------------------------------------ topology ----

# mailhost VAR: a mail host namespace with $MX_ADDR on its loopback and
# two listeners: port 25 (guarded) says "$BANNER", port 2525 (unguarded)
# says "$BANNER_2525"; both then echo every line back.
mailhost() {
	local var=$1 ns port banner
	setup_ns "$var" || return 1
	ns=${!var}
	ip -n "$ns" addr add "$MX_ADDR/32" dev lo || return 1
	for port in 25 2525; do
		banner=$BANNER
		[ $port = 2525 ] && banner=$BANNER_2525
		# -t 10: once the client half-closes, wait for the banner and
		# echo to drain (socat's default 0.5 s is too short under TCG).
		spawn ip netns exec "$ns" socat -t "$(slow 10)" \
			"TCP-LISTEN:$port,bind=$MX_ADDR,fork,reuseaddr" \
			"SYSTEM:echo $banner; exec cat" 2>>"$TMPD/listeners.log"
	done
	for port in 25 2525; do
		wait_listen "$ns" $port || return 1
	done
}

wait_listen() { # NS PORT [-4|-6]: a listener of that family (default any)
	local i
	for ((i = 0; i < $(slow 100); i++)); do
		[ -n "$(ip netns exec "$1" ss -Hltn ${3:+"$3"} "sport = :$2")" ] && return 0
		sleep 0.1
	done
	echo "nothing listens on port $2 in $1" >&2
	return 1
}

# sender VAR MAILNS ADDR...: a sender namespace linked to MAILNS by a veth
# pair. It owns the addresses ADDR... (the first is its default source)
# and reaches $MX_ADDR over the link; MAILNS routes ADDR... back.
SENDER_IDX=0
declare -A SENDER_MAIL SENDER_DEV
sender() {
	local var=$1 mail=$2 ns a dev
	shift 2
	setup_ns "$var" || return 1
	ns=${!var}
	SENDER_IDX=$((SENDER_IDX + 1))
	dev=to$SENDER_IDX
	SENDER_MAIL[$ns]=$mail
	SENDER_DEV[$ns]=$dev
	ip link add eth0 netns "$ns" type veth peer name "$dev" netns "$mail" || return 1
	ip -n "$ns" link set eth0 up || return 1
	ip -n "$mail" link set "$dev" up || return 1
	for a in "$@"; do
		ip -n "$ns" addr add "$a/32" dev eth0 || return 1
		ip -n "$mail" route add "$a/32" dev "$dev" || return 1
	done
	ip -n "$ns" route add "$MX_ADDR/32" dev eth0 src "$1" || return 1
}

# sender_addr NS ADDR: give a sender one more source address (routed
# back by its mail host).
sender_addr() {
	local ns=$1 a=$2
	ip -n "$ns" addr add "$a/32" dev eth0 || return 1
	ip -n "${SENDER_MAIL[$ns]}" route add "$a/32" dev "${SENDER_DEV[$ns]}"
}

# topology: the standard cast. $MX is the mail host; $GOOD sends from
# inside the provider's range, $BAD and $OTHER from outside it.
topology() {
	mailhost MX || return 1
	sender GOOD "$MX" "$GOOD_ADDR" || return 1
	sender BAD "$MX" "$BAD_ADDR" || return 1
	sender OTHER "$MX" "$OTHER_ADDR" || return 1
}

# listener NS ADDR PORT BANNER: one more listener like mailhost's, on
# ADDR:PORT (IPv4 or IPv6): says BANNER, then echoes every line back.
listener() {
	local ns=$1 addr=$2 port=$3 banner=$4 kind=TCP4 fam=-4
	case $addr in
	*:*) kind=TCP6 fam=-6 addr="[$addr]" ;;
	esac
	spawn ip netns exec "$ns" socat -t "$(slow 10)" \
		"$kind-LISTEN:$port,bind=$addr,fork,reuseaddr" \
		"SYSTEM:echo $banner; exec cat" 2>>"$TMPD/listeners.log"
	wait_listen "$ns" "$port" "$fam"
}

# mailhost6 NS: the mail host of mailhost() gets $MX_ADDR6 on its loopback
# and the same two listeners (25 and 2525) on it.
mailhost6() {
	local ns=$1
	ip -n "$ns" addr add "$MX_ADDR6/128" dev lo || return 1
	listener "$ns" "$MX_ADDR6" 25 "$BANNER" || return 1
	listener "$ns" "$MX_ADDR6" 2525 "$BANNER_2525"
}

# sender6 NS ADDR6...: a sender made by sender() gets IPv6 addresses too
# (nodad: usable at once), the first its source towards $MX_ADDR6, which
# it reaches through the mail host's link-local $MX_LL6 (a neighbour
# solicitation is only answered for an address on the link itself, not
# for one on the mail host's loopback). The mail host routes ADDR6...
# back. Two ip processes in all: TCG makes each one count.
sender6() {
	local ns=$1 mail=${SENDER_MAIL[$1]:-} dev=${SENDER_DEV[$1]:-} a cmds mcmds
	shift
	[ -n "$mail" ] || { echo "sender6: $ns is not a sender" >&2; return 1; }
	cmds='' mcmds="address add $MX_LL6/64 dev $dev nodad"$'\n'
	for a in "$@"; do
		cmds+="address add $a/128 dev eth0 nodad"$'\n'
		mcmds+="route add $a/128 dev $dev"$'\n'
	done
	cmds+="route add $MX_ADDR6/128 via $MX_LL6 dev eth0 src $1"$'\n'
	ip -n "$ns" -batch - <<<"$cmds" || return 1
	ip -n "$mail" -batch - <<<"$mcmds"
}

# sender_addr6 NS ADDR6: one more IPv6 source address for a sender6.
sender_addr6() {
	local ns=$1 a=$2
	ip -n "$ns" addr add "$a/128" dev eth0 nodad || return 1
	ip -n "${SENDER_MAIL[$ns]}" route add "$a/128" dev "${SENDER_DEV[$ns]}"
}

# topology6: topology() with IPv6 as well: $MX also has $MX_ADDR6 (same
# listeners), $GOOD sends from $GOOD_ADDR6 (inside $PROVIDER6), $BAD
# from $BAD_ADDR6 and $OTHER from $OTHER_ADDR6 (outside it).
topology6() {
	topology || return 1
	mailhost6 "$MX" || return 1
	sender6 "$GOOD" "$GOOD_ADDR6" || return 1
	sender6 "$BAD" "$BAD_ADDR6" || return 1
	sender6 "$OTHER" "$OTHER_ADDR6"
}

# ------------------------------------------------------------- traffic ----

# sockhost VAR ADDR: set VAR to ADDR as a socat address wants it: an
# IPv6 one in brackets. (No command substitution: no fork.)
sockhost() {
	case $2 in
	*:*) printf -v "$1" '[%s]' "$2" ;;
	*) printf -v "$1" '%s' "$2" ;;
	esac
}

# connect_ok NS DST PORT [SRC]: a TCP connection from NS (from SRC if given)
# gets the listener's banner and its echo of a line we send: a full round
# trip both ways. DST and SRC may be IPv4 or IPv6.
connect_ok() {
	local ns=$1 dst=$2 port=$3 src=${4:-} token out want d s
	token="hello-$RANDOM$RANDOM"
	want=$BANNER
	[ "$port" = 2525 ] && want=$BANNER_2525
	sockhost d "$dst"
	sockhost s "$src"
	out=$(echo "$token" | timeout "$(slow 30)" ip netns exec "$ns" \
		socat -t "$(slow 10)" -T "$(slow 20)" - \
		"TCP:$d:$port,connect-timeout=$(slow 5)${src:+,bind=$s}" 2>&1)
	if grep -qxF "$want" <<<"$out" && grep -qxF "$token" <<<"$out"; then
		return 0
	fi
	printf 'connect %s -> %s:%s%s: no banner+echo; got:\n%s\n' "$ns" "$dst" \
		"$port" "${src:+ from $src}" "$out" >&2
	if [ -s "$TMPD/listeners.log" ]; then
		echo "listeners' stderr so far:" >&2
		tail -n 5 "$TMPD/listeners.log" >&2
	fi
	return 1
}

# connect_fails NS DST PORT [SRC]: the connection times out, as it does
# when the SYN is dropped: no answer at all (not a refusal, not a banner)
# within $MXLOCK_DROP_WAIT seconds.
connect_fails() {
	local ns=$1 dst=$2 port=$3 src=${4:-} out rc d s
	sockhost d "$dst"
	sockhost s "$src"
	out=$(timeout 20 ip netns exec "$ns" socat -T 5 - \
		"TCP:$d:$port,connect-timeout=$MXLOCK_DROP_WAIT${src:+,bind=$s}" \
		</dev/null 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && grep -qiE 'timed out|timeout' <<<"$out"; then
		return 0
	fi
	printf 'connect %s -> %s:%s%s: expected a timeout, got exit %s:\n%s\n' "$ns" \
		"$dst" "$port" "${src:+ from $src}" "$rc" "$out" >&2
	return 1
}

# connect_refused NS DST PORT [SRC]: the connection is refused with a
# reset, as the reject action answers: socat says "Connection refused"
# (not a timeout, not a banner), although it would wait 15 s for an
# answer. Sets REFUSED_SECS to the wall time it took, process start-up
# included.
REFUSED_SECS=
connect_refused() {
	local ns=$1 dst=$2 port=$3 src=${4:-} out rc d s t0
	sockhost d "$dst"
	sockhost s "$src"
	t0=$EPOCHREALTIME
	out=$(timeout 30 ip netns exec "$ns" socat -T 5 - \
		"TCP:$d:$port,connect-timeout=15${src:+,bind=$s}" </dev/null 2>&1)
	rc=$?
	REFUSED_SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	if [ $rc -ne 0 ] && grep -qi 'connection refused' <<<"$out"; then
		return 0
	fi
	printf 'connect %s -> %s:%s%s: expected "Connection refused", got exit %s after %ss:\n%s\n' \
		"$ns" "$dst" "$port" "${src:+ from $src}" "$rc" "$REFUSED_SECS" "$out" >&2
	return 1
}

# send_segment NS SRC DST PORT [FLAGS...]: raw TCP segments from SRC in
# NS, one per FLAGS argument (a string of S A R F; default one SYN), in
# that order. Exactly those segments: no retransmission, so counters move
# by exactly as many. (One python per call: processes are slow under TCG.)
# SRC and DST are both IPv4 or both IPv6.
send_segment() {
	local ns=$1 src=$2 dst=$3 port=$4
	shift 4
	[ $# -gt 0 ] || set -- S
	ip netns exec "$ns" python3 - "$src" "$dst" "$port" "$@" <<'EOF'
import random, socket, struct, sys
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
bits = {"F": 1, "S": 2, "R": 4, "A": 16}
fam = socket.AF_INET6 if ":" in src else socket.AF_INET
sock = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
sock.bind((src, 0))
for flags in sys.argv[4:]:
    fl = sum(bits[c] for c in flags)
    sport = random.randint(20000, 60000)
    seq = random.getrandbits(32)
    ack = random.getrandbits(32) if "A" in flags else 0
    def hdr(csum):
        return struct.pack("!HHIIBBHHH", sport, port, seq, ack, 5 << 4, fl,
                           64240, csum, 0)
    if fam == socket.AF_INET6:
        pseudo = (socket.inet_pton(fam, src) + socket.inet_pton(fam, dst) +
                  struct.pack("!IxxxB", 20, 6))
    else:
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, 20)
    data = pseudo + hdr(0)
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    sock.sendto(hdr(~s & 0xffff), (dst, 0))
EOF
}

# syn_flood NS SRC DST PORT STOPFILE: raw SYNs from SRC (IPv4) in NS as
# fast as one process sends them, until STOPFILE exists; then prints how
# many it sent. Each is one segment: counters must move by exactly that.
# STOPFILE.started appears once the first SYN is out (flood_started).
syn_flood() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" "$5" <<'EOF'
import errno, os, random, socket, struct, sys, time
src, dst, port, stop = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
sock.bind((src, 0))
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, 20)
sent = 0
while sent % 64 or not os.path.exists(stop):
    h = struct.pack("!HHIIBBHHH", 1024 + sent % 60000, port,
                    random.getrandbits(32), 0, 5 << 4, 2, 64240, 0, 0)
    s = sum(struct.unpack("!16H", pseudo + h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    try:
        sock.sendto(h[:16] + struct.pack("!H", ~s & 0xffff) + h[18:], (dst, 0))
    except OSError as e:
        # A full device queue drops the SYN and says ENOBUFS: it never
        # left, so it is not counted; back off and send another.
        if e.errno != errno.ENOBUFS:
            raise
        time.sleep(0.001)
        continue
    sent += 1
    if sent == 1:
        open(stop + ".started", "w").close()
print(sent)
EOF
}

# flood_started STOPFILE: wait (up to 60 s) until syn_flood is sending.
flood_started() {
	local i
	for ((i = 0; i < $(slow 600); i++)); do
		[ -e "$1.started" ] && return 0
		sleep 0.1
	done
	echo "the flood did not start" >&2
	return 1
}

# -------------------------------------------------- a live connection ----

# session_open NS DST PORT: a TCP connection from NS kept open across
# later steps. Lines go in with session_send and come back (echoed) to a
# file that session_expect watches.
session_open() {
	local ns=$1 dst=$2 port=$3
	SESSION_IN=$TMPD/session.in
	SESSION_OUT=$TMPD/session.out
	rm -f "$SESSION_IN" "$SESSION_OUT"
	mkfifo "$SESSION_IN" || return 1
	: >"$SESSION_OUT"
	setsid ip netns exec "$ns" socat -T 120 - "TCP:$dst:$port,connect-timeout=5" \
		<"$SESSION_IN" >"$SESSION_OUT" 2>&1 &
	SESSION_PID=$!
	PGID_LIST+=("$SESSION_PID")
	exec {SESSION_FD}>"$SESSION_IN"
}

session_send() { # line
	echo "$1" >&"$SESSION_FD"
}

session_expect() { # line [SECS]: the line came back
	local i
	for ((i = 0; i < $(slow "${2:-5}") * 10; i++)); do
		grep -qxF "$1" "$SESSION_OUT" && return 0
		sleep 0.1
	done
	printf 'session: [%s] never came back; the session saw:\n%s\n' "$1" \
		"$(cat "$SESSION_OUT")" >&2
	return 1
}

session_close() {
	exec {SESSION_FD}>&-
	stop "$SESSION_PID"
}

# ---------------------------------------------------------------- misc ----

# gen NS: the list's generation number in NS.
gen() {
	stat "$1" generation
}

# strip_hits: mxlockctl list output without its "# hits N" comments.
strip_hits() {
	sed 's/ *# hits [0-9]*$//'
}

# entries NS: the intervals NS lists, one a line, without hit counts.
entries() {
	local out
	out=$(mx "$1" list) || return 1
	strip_hits <<<"$out"
}

# unchanged NS LIST GEN: NS still has exactly that list and generation.
unchanged() {
	local ns=$1 list=$2 g=$3 now
	now=$(entries "$ns") || { echo "mxlockctl list failed" >&2; return 1; }
	expect_eq "list" "$list" "$now" || return 1
	expect_eq "generation" "$g" "$(gen "$ns")"
}
