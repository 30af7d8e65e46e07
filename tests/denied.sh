#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who is knocking: `mxlockctl denied` (and /proc/net/mxlock/denied) lists
# the sources refused lately, most recently seen first, each with the
# number of SYNs refused and when it was first and last seen (ISO 8601
# UTC in the tool, Unix seconds in /proc). Raw SYNs make the counts
# exact. Monitor mode records the sources it would have refused; a source
# in the list never appears. Anyone may read the table, only root may
# `denied flush` it.
#
# Each CPU keeps its own table of the sources it refused; the view merges
# them. A veth delivers a SYN on the CPU that sent it, so senders pinned
# with taskset choose the table (checked in /proc/net/softnet_stat): the
# same source refused on both vCPUs is one row whose count is the total,
# and a flush empties both tables, also the one no SYN has touched since.
#
# `log on` writes "refused SYN from ADDR to port 25" to the kernel log at
# a new source's first refused SYN, and not again at the next ones (rate
# limited per source and CPU, so these senders stay on one CPU); `log
# off`, the default, writes nothing. Only lines after this script's own
# marker in the kernel log count, so earlier scripts of the same boot
# cannot interfere.
#
# The table is bounded: after SYNs from 1100 distinct sources (spoofed
# from 198.18.0.0/15 with IP_HDRINCL by a small python sender in the bad
# namespace; the mail host routes that prefix back to it) on one CPU it
# holds exactly as many as a CPU's table, SLOTS: 1024 (MXLOCK_DENIED_MAX)
# with 2 possible CPUs, fewer with more (kmod/denied.c). The last SLOTS
# sources in order; the first ones and everything older evicted. With 600
# sources on each vCPU (1200; with 1024 slots no CPU's table is full) the
# merged view shows the 1024 most recently seen, across both CPUs.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd python3 setpriv dmesg taskset
ktap_begin 15

topology6 || ktap_bail "cannot build the IPv6 topology"
mx "$MX" replace "$PROVIDER" "$PROVIDER6" || ktap_bail "cannot load the list"

MARK="mxlock-selftest: denied.sh $$.$RANDOM"
echo "$MARK" >/dev/kmsg || ktap_bail "cannot write to /dev/kmsg"
PROC_DENIED=/proc/net/mxlock/denied

proc_denied() { # NS
	ip netns exec "$1" cat "$PROC_DENIED"
}

# pinned CPU CMD...: CMD (a shell function too) run pinned to CPU.
pinned() {
	local cpu=$1
	shift
	(taskset -pc "$cpu" "$BASHPID" >/dev/null && "$@")
}

# Two CPUs to spread SYNs over.
TWO_CPUS=
[ "$(nproc)" -ge 2 ] && TWO_CPUS=1

# SLOTS: the sources one CPU's table holds, sized as kmod/denied.c does:
# 2 * 1024 shared out over the possible CPUs, 64 to 1024, a power of 2.
POSSIBLE=0
for range in $(tr , ' ' </sys/devices/system/cpu/possible); do
	case $range in
	*-*) POSSIBLE=$((POSSIBLE + ${range#*-} - ${range%-*} + 1)) ;;
	*) POSSIBLE=$((POSSIBLE + 1)) ;;
	esac
done
SLOTS=$((2048 / POSSIBLE))
((SLOTS < 64)) && SLOTS=64
((SLOTS > 1024)) && SLOTS=1024
while ((SLOTS & (SLOTS - 1))); do SLOTS=$((SLOTS & (SLOTS - 1))); done
ktap_diag "$POSSIBLE possible CPUs: $SLOTS slots per CPU"

# processed CPU: packets CPU's backlog has taken in (softnet_stat column 1).
processed() {
	local line
	line=$(sed -n "$(($1 + 1))p" /proc/net/softnet_stat)
	echo $((16#${line%% *}))
}

# on_cpu CPU NS SRC DST N: N refused SYNs sent from CPU. A veth delivers
# them during the send, so they must be taken in on CPU (the table they
# land in), not the other one; fewer than N packets there meanwhile
# leaves room for stray ones (neighbour probes and the like).
on_cpu() {
	local cpu=$1 other=$((1 - $1)) n=$5 before a0 b0 a1 b1 i s=''
	before=$(stat "$MX" syn_dropped)
	for ((i = 0; i < n; i++)); do s+=" S"; done
	a0=$(processed "$cpu") b0=$(processed "$other")
	# shellcheck disable=SC2086  # one word per SYN
	pinned "$cpu" send_segment "$2" "$3" "$4" 25 $s || return 1
	a1=$(processed "$cpu") b1=$(processed "$other")
	wait_stat "$MX" syn_dropped $((before + n)) || return 1
	[ $((a1 - a0)) -ge "$n" ] && [ $((b1 - b0)) -lt "$n" ] && return 0
	echo "$n SYNs sent from CPU $cpu: CPU $cpu took in $((a1 - a0)) packets, CPU $other $((b1 - b0))" >&2
	return 1
}

# klog: the kernel log after our marker.
klog() {
	dmesg | awk -v m="$MARK" 'seen; index($0, m) { seen = 1 }'
}

# refused_syns NS SRC DST N: N raw SYNs to port 25, then wait until the
# mail host has counted them all as dropped (or monitored).
refused_syns() {
	local ns=$1 src=$2 dst=$3 n=$4 before key=syn_dropped i s=''
	[ "$(stat "$MX" mode)" = monitor ] && key=syn_monitored
	before=$(stat "$MX" "$key")
	for ((i = 0; i < n; i++)); do s+=" S"; done
	# shellcheck disable=SC2086  # one word per SYN
	send_segment "$ns" "$src" "$dst" 25 $s || return 1
	wait_stat "$MX" "$key" $((before + n))
}

empty() {
	expect_eq "mxlockctl denied" "" "$(mx "$MX" denied)" || return 1
	expect_eq "$PROC_DENIED" "" "$(proc_denied "$MX")"
}
check "no refused source yet: denied and $PROC_DENIED are empty" empty

# 3 SYNs from bad, 2 from other, 1 more from bad: bad is the most recent.
ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
T0=$EPOCHSECONDS
counts() {
	local out t1 lo hi
	refused_syns "$BAD" "$BAD_ADDR" "$MX_ADDR" 3 || return 1
	refused_syns "$OTHER" "$OTHER_ADDR" "$MX_ADDR" 2 || return 1
	# A second later, so that bad's last seen is after its first.
	sleep 1.1
	refused_syns "$BAD" "$BAD_ADDR" "$MX_ADDR" 1 || return 1
	t1=$EPOCHSECONDS
	out=$(mx "$MX" denied) || return 1
	expect_eq "sources, most recent first, with counts" "$BAD_ADDR 4
$OTHER_ADDR 2" "$(awk '{ print $1, $3 }' <<<"$out")" || return 1
	expect_match "line format" "^$BAD_ADDR count 4 first $ISO last $ISO\$" "$(sed -n 1p <<<"$out")" || return 1
	expect_match "line format" "^$OTHER_ADDR count 2 first $ISO last $ISO\$" "$(sed -n 2p <<<"$out")" || return 1
	# ISO times compare as strings: T0 <= first <= last <= t1, and
	# bad's first < last.
	awk '{ exit !($5 < $7) }' <<<"$out" || { echo "bad's first seen is not before its last: $out" >&2; return 1; }
	TZ=UTC printf -v lo '%(%Y-%m-%dT%H:%M:%SZ)T' "$T0"
	TZ=UTC printf -v hi '%(%Y-%m-%dT%H:%M:%SZ)T' "$t1"
	awk -v lo="$lo" -v hi="$hi" '
		!(lo <= $5 && $5 <= $7 && $7 <= hi) {
			printf "%s: expected %s <= first %s <= last %s <= %s\n", $1, lo, $5, $7, hi > "/dev/stderr"
			bad = 1
		}
		END { exit bad }' <<<"$out"
}
check "3+1 SYNs from bad, 2 from other: bad count 4 first, other count 2; ISO times, first <= last" counts

# /proc says the same, times as Unix seconds.
proc_same() {
	local out proc line a c f l ff ll rest conv=
	out=$(mx "$MX" denied) || return 1
	proc=$(proc_denied "$MX") || return 1
	while read -r a _ c _ f _ l rest; do
		[ -z "$rest" ] || { echo "$PROC_DENIED: trailing [$rest]" >&2; return 1; }
		TZ=UTC printf -v ff '%(%Y-%m-%dT%H:%M:%SZ)T' "$f"
		TZ=UTC printf -v ll '%(%Y-%m-%dT%H:%M:%SZ)T' "$l"
		printf -v line '%s count %s first %s last %s' "$a" "$c" "$ff" "$ll"
		conv+=$line$'\n'
	done <<<"$proc"
	expect_eq "$PROC_DENIED, times as ISO" "$out" "${conv%$'\n'}" || return 1
	expect_match "$PROC_DENIED" "^$BAD_ADDR count 4 first [0-9]+ last [0-9]+$" "$(sed -n 1p <<<"$proc")"
}
check "$PROC_DENIED: the same sources, counts and times (Unix seconds)" proc_same

# Sources in the list are never recorded, nor SYNs to unguarded ports.
allowed() {
	local before
	before=$(mx "$MX" denied) || return 1
	send_segment "$GOOD" "$GOOD_ADDR" "$MX_ADDR" 25 S S || return 1
	send_segment "$GOOD" "$GOOD_ADDR6" "$MX_ADDR6" 25 S || return 1
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	connect_ok "$GOOD" "$MX_ADDR6" 25 || return 1
	connect_ok "$OTHER" "$MX_ADDR" 2525 || return 1
	expect_eq "denied" "$before" "$(mx "$MX" denied)"
}
check "good's SYNs (raw and connections, IPv4 and IPv6) and other's to 2525 leave the table as it was" allowed

# Monitor mode: passed, but recorded as a source enforce would refuse.
monitor_mode() {
	local out
	mx "$MX" mode monitor || return 1
	refused_syns "$OTHER" "$OTHER_ADDR" "$MX_ADDR" 2 || return 1
	refused_syns "$BAD" "$BAD_ADDR6" "$MX_ADDR6" 1 || return 1
	mx "$MX" mode enforce || return 1
	out=$(mx "$MX" denied) || return 1
	expect_eq "sources, most recent first, with counts" "$BAD_ADDR6 1
$OTHER_ADDR 4
$BAD_ADDR 4" "$(awk '{ print $1, $3 }' <<<"$out")"
}
check "monitor mode records them too: other +2 (now 4), bad's IPv6 address new (1), order by recency" monitor_mode

# Reading is for everyone; flushing needs CAP_NET_ADMIN.
nobody() {
	local out
	out=$(mx "$MX" denied) || return 1
	expect_eq "denied as nobody" "$out" "$(as_nobody "$MX" "$MXLOCKCTL" denied)" || return 1
	expect_eq "$PROC_DENIED as nobody" "$(proc_denied "$MX")" \
		"$(as_nobody "$MX" cat "$PROC_DENIED")" || return 1
	expect_exit 2 as_nobody "$MX" "$MXLOCKCTL" denied flush || return 1
	expect_eq "denied after nobody's flush" "$out" "$(mx "$MX" denied)"
}
check "nobody reads the same table, and is refused denied flush (exit 2, table kept)" nobody

flushed() {
	mx "$MX" denied flush || return 1
	empty || return 1
	# And it fills again from scratch.
	refused_syns "$BAD" "$BAD_ADDR" "$MX_ADDR" 1 || return 1
	expect_match "denied" "^$BAD_ADDR count 1 first $ISO last $ISO\$" "$(mx "$MX" denied)"
}
check "denied flush as root empties it (tool and /proc); the next SYN starts at count 1" flushed

# The same source on both CPUs: one row, the counts summed, first the
# earliest and last the latest of the two.
both_cpus() {
	local out proc
	mx "$MX" denied flush || return 1
	on_cpu 0 "$BAD" "$BAD_ADDR" "$MX_ADDR" 20 || return 1
	sleep 1.1
	on_cpu 1 "$BAD" "$BAD_ADDR" "$MX_ADDR" 30 || return 1
	on_cpu 1 "$BAD" "$BAD_ADDR6" "$MX_ADDR6" 30 || return 1
	on_cpu 0 "$BAD" "$BAD_ADDR6" "$MX_ADDR6" 20 || return 1
	out=$(mx "$MX" denied) || return 1
	expect_eq "sources, most recent first, with counts" "$BAD_ADDR6 50
$BAD_ADDR 50" "$(awk '{ print $1, $3 }' <<<"$out")" || return 1
	proc=$(proc_denied "$MX") || return 1
	expect_eq "$PROC_DENIED sources and counts" "$BAD_ADDR6 50
$BAD_ADDR 50" "$(awk '{ print $1, $3 }' <<<"$proc")" || return 1
	# bad's first (CPU 0's) is before its last (CPU 1's), in /proc's seconds.
	awk -v a="$BAD_ADDR" '$1 == a { exit !($5 < $7) }' <<<"$proc" || { echo "bad's first seen is not before its last: $proc" >&2; return 1; }
}
if [ -n "$TWO_CPUS" ]; then
	check "bad refused 20 times on CPU 0, then 30 on CPU 1 (IPv6: 30 on 1, then 20 on 0): one row each, count 50" both_cpus
else
	ktap_skip "bad refused on both CPUs: one row each" "needs 2 CPUs"
fi

# After a flush, a SYN on CPU 1 starts a count of 1 while CPU 0's table
# still holds the old rows (no SYN has reached it since): they must not
# show. Then one on CPU 0: 2 in all.
both_cpus_flushed() {
	mx "$MX" denied flush || return 1
	empty || return 1
	pinned 1 refused_syns "$BAD" "$BAD_ADDR" "$MX_ADDR" 1 || return 1
	expect_eq "denied after a SYN on CPU 1" "$BAD_ADDR 1" "$(mx "$MX" denied | awk '{ print $1, $3 }')" || return 1
	pinned 0 refused_syns "$BAD" "$BAD_ADDR" "$MX_ADDR" 1 || return 1
	expect_eq "denied after one more on CPU 0" "$BAD_ADDR 2" "$(mx "$MX" denied | awk '{ print $1, $3 }')" || return 1
	expect_eq "$PROC_DENIED" "$BAD_ADDR 2" "$(proc_denied "$MX" | awk '{ print $1, $3 }')"
}
if [ -n "$TWO_CPUS" ]; then
	check "denied flush empties both CPUs' tables: then 1 SYN on CPU 1 shows count 1, 1 more on CPU 0 count 2" both_cpus_flushed
else
	ktap_skip "denied flush empties both CPUs' tables" "needs 2 CPUs"
fi

# Readers on CPU 0 while CPU 1 refuses as fast as one sender goes: every
# read shows bad's one row whole, its count never going back, and in the
# end the count is the number of SYNs sent.
read_during_flood() {
	local stopf=$TMPD/stop.read out n prev=0 i before sent
	mx "$MX" denied flush || return 1
	before=$(stat "$MX" syn_dropped)
	pinned 1 syn_flood "$BAD" "$BAD_ADDR" "$MX_ADDR" 25 "$stopf" >"$TMPD/read.sent" &
	flood_started "$stopf" || return 1
	for ((i = 0; i < 20; i++)); do
		out=$(pinned 0 proc_denied "$MX")
		# (The first SYN may still be on its way.)
		[ -z "$out" ] && [ "$prev" -eq 0 ] && continue
		if ! [[ $out =~ ^$BAD_ADDR\ count\ ([0-9]+)\ first\ [0-9]+\ last\ [0-9]+$ ]] ||
		   [ "${BASH_REMATCH[1]}" -lt "$prev" ]; then
			echo "read $i, after count $prev: [$out]" >&2
			touch "$stopf"
			wait
			return 1
		fi
		prev=${BASH_REMATCH[1]}
	done
	touch "$stopf"
	wait
	sent=$(cat "$TMPD/read.sent")
	expect_ge "SYNs sent" 1 "$sent" || return 1
	wait_stat "$MX" syn_dropped $((before + sent)) || return 1
	expect_eq "denied" "$BAD_ADDR $sent" "$(mx "$MX" denied | awk '{ print $1, $3 }')"
}
if [ -n "$TWO_CPUS" ]; then
	check "20 reads on CPU 0 during a flood from bad on CPU 1: one whole row, count never back; then the count is the SYNs sent" read_during_flood
else
	ktap_skip "reads on CPU 0 during a flood on CPU 1" "needs 2 CPUs"
fi

# Everything so far was refused with log off, the default: not one line.
log_off_default() {
	expect_eq "log" off "$(mx "$MX" log)" || return 1
	sleep 1
	expect_eq "refusal lines in the kernel log" "" "$(klog | grep 'refused SYN from')"
}
check "log is off by default: all those refusals wrote nothing to the kernel log" log_off_default

# klog_lines TEXT N: wait (up to 5 s: the line is printed just after
# the SYN is counted) until N lines after our marker contain TEXT; then
# exactly N must.
klog_lines() {
	local i n
	for ((i = 0; i < 50; i++)); do
		n=$(klog | grep -cF "$1")
		[ "$n" -ge "$2" ] && break
		sleep 0.1
	done
	expect_eq "kernel log lines with [$1]" "$2" "$n" || { klog | grep 'refused SYN' >&2; return 1; }
}

# A new source (after a flush) is logged at its first SYN, and then not
# again for a while, however many SYNs follow (rate limited per source).
log_on() {
	local l4="refused SYN from $BAD_ADDR to port 25" l6="refused SYN from $BAD_ADDR6 to port 25"
	mx "$MX" log on || return 1
	expect_eq "log" on "$(stat "$MX" log)" || return 1
	mx "$MX" denied flush || return 1
	refused_syns "$BAD" "$BAD_ADDR" "$MX_ADDR" 1 || return 1
	klog_lines "$l4" 1 || return 1
	refused_syns "$BAD" "$BAD_ADDR6" "$MX_ADDR6" 1 || return 1
	klog_lines "$l6" 1 || return 1
	refused_syns "$BAD" "$BAD_ADDR" "$MX_ADDR" 2 || return 1
	refused_syns "$BAD" "$BAD_ADDR6" "$MX_ADDR6" 2 || return 1
	sleep 1
	klog_lines "$l4" 1 || return 1
	klog_lines "$l6" 1
}
check "log on: 'refused SYN from ADDR to port 25' at a new source's first SYN, not again at the next two (IPv4, IPv6)" pinned 0 log_on

log_off() {
	mx "$MX" log off || return 1
	mx "$MX" denied flush || return 1
	refused_syns "$OTHER" "$OTHER_ADDR" "$MX_ADDR" 1 || return 1
	refused_syns "$OTHER" "$OTHER_ADDR6" "$MX_ADDR6" 1 || return 1
	sleep 1
	expect_eq "lines for other" "" "$(klog | grep -F -e "from $OTHER_ADDR " -e "from $OTHER_ADDR6 ")" || return 1
	expect_eq "denied" "$OTHER_ADDR6 1
$OTHER_ADDR 1" "$(mx "$MX" denied | awk '{ print $1, $3 }')"
}
check "log off again: new refused sources (other, IPv4 and IPv6) are recorded but not logged" pinned 0 log_off

bounded() {
	local before out want
	ip -n "$MX" route add 198.18.0.0/15 dev "${SENDER_DEV[$BAD]}" || return 1
	before=$(stat "$MX" syn_dropped)
	pinned 0 flood_sources "$BAD" "$MX_ADDR" 0 1100 || return 1
	wait_stat "$MX" syn_dropped $((before + 1100)) 60 || return 1
	out=$(mx "$MX" denied) || return 1
	expect_eq "sources in the table" "$SLOTS" "$(grep -c . <<<"$out")" || return 1
	# Exactly 198.18.0.0 + 1099 down to + 1100 - SLOTS, each once: the
	# first ones and the older other ones evicted.
	want=$(awk -v s="$SLOTS" 'BEGIN { for (i = 1099; i >= 1100 - s; i--)
		printf "198.18.%d.%d count 1\n", int(i / 256), i % 256 }')
	# A diff, not 2 x 1024 lines, if they differ. (Files: the VM has no
	# /dev/fd for process substitution.)
	echo "$want" >"$TMPD/want"
	awk '{ print $1, $2, $3 }' <<<"$out" >"$TMPD/got"
	diff "$TMPD/want" "$TMPD/got" | head -n 20 >&2
	[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "sources: not the newest $SLOTS, most recent first (diff above: < wanted, > got)" >&2; return 1; }
	expect_eq "lines in $PROC_DENIED" "$SLOTS" "$(proc_denied "$MX" | grep -c .)"
}
check "1100 distinct sources on CPU 0: the table holds exactly $SLOTS, the newest; the first and older ones evicted" bounded

# 600 sources on CPU 1, then 600 more on CPU 0: each table holds its
# newest 600 (or SLOTS), the view the 1024 most recent of those, in order
# across both CPUs.
bounded_merged() {
	local before out want rows=$((2 * (SLOTS < 600 ? SLOTS : 600)))
	((rows > 1024)) && rows=1024
	mx "$MX" denied flush || return 1
	before=$(stat "$MX" syn_dropped)
	pinned 1 flood_sources "$BAD" "$MX_ADDR" 0 600 || return 1
	pinned 0 flood_sources "$BAD" "$MX_ADDR" 600 600 || return 1
	wait_stat "$MX" syn_dropped $((before + 1200)) 60 || return 1
	out=$(mx "$MX" denied) || return 1
	expect_eq "sources shown" "$rows" "$(grep -c . <<<"$out")" || return 1
	want=$(awk -v s="$SLOTS" -v rows="$rows" 'BEGIN {
		k = s < 600 ? s : 600
		for (i = 1199; i >= 0 && n < rows; i--)
			if (i % 600 >= 600 - k) {
				printf "198.18.%d.%d count 1\n", int(i / 256), i % 256
				n++
			}
	}')
	echo "$want" >"$TMPD/want"
	awk '{ print $1, $2, $3 }' <<<"$out" >"$TMPD/got"
	diff "$TMPD/want" "$TMPD/got" | head -n 20 >&2
	[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "sources: not the newest $rows of both CPUs, most recent first (diff above: < wanted, > got)" >&2; return 1; }
	expect_eq "lines in $PROC_DENIED" "$rows" "$(proc_denied "$MX" | grep -c .)"
}
if [ -n "$TWO_CPUS" ]; then
	check "600 sources on CPU 1, then 600 on CPU 0: the view shows the newest $((SLOTS < 512 ? 2 * SLOTS : 1024)) of both tables, most recent first" bounded_merged
else
	ktap_skip "600 sources on each CPU: the newest of both" "needs 2 CPUs"
fi

ktap_finish
