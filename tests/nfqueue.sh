#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An NFQUEUE in front of mxlock. The admin queues port 25 to a user-space
# program (an IDS, a rate limiter) at LOCAL_IN ahead of mxlock; the
# program's verdicts come back through nf_reinject(), which runs the rest
# of the hooks, mxlock's too, in the program's process context with BHs
# enabled. There a softirq on the same CPU can interrupt mxlock half-way
# through its per-CPU tables, and (on a preemptible kernel) the task can
# move CPUs under it. Both ways in at once, then: a flood of refused SYNs
# from 1000 sources through the queue, and another refused source's flood
# straight in (softirq), on the same two CPUs. Afterwards the table of
# refused sources holds each source exactly once, its counts add up to
# what mxlock dropped, and the listener still serves the provider. Run
# without conntrack and with it; scripts/check runs this on a
# preempt=full boot too.
source "$(dirname "$0")/lib.sh"

NFQ=${NFQ_ACCEPT:-$top/tests/nfq_accept}
QUEUE=3
SOURCES=1000

require_mxlock
require_cmd nft python3
[ -x "$NFQ" ] || ktap_skip_all "no $NFQ (make -C tests)"
ktap_begin 12

# Which preemption model runs this (scripts/check boots preempt=full too).
ktap_diag "preemption: $(cat /sys/kernel/debug/sched/preempt 2>/dev/null || echo unknown)"
topology || ktap_bail "cannot build the topology"
ip -n "$MX" route add 198.18.0.0/15 dev "${SENDER_DEV[$BAD]}" ||
	ktap_bail "cannot route the flood's sources back"
check "replace $PROVIDER" mx "$MX" replace "$PROVIDER"

# queue_on MODE: nfq_accept bound to the queue, and port 25 queued to it
# ahead of mxlock (priority -100 < mxlock's -1), other's SYNs excepted.
# No "bypass": with no program listening, queued packets are dropped.
# (Not in a check: the program must outlive the subshell.)
queue_on() {
	local i ct=
	[ "$1" = conntrack ] && ct="ct state new counter"
	spawn ip netns exec "$MX" "$NFQ" "$QUEUE" >"$TMPD/nfq.out" 2>&1
	NFQ_PID=$SPAWNED
	for ((i = 0; i < $(slow 100); i++)); do
		grep -q '^ready$' "$TMPD/nfq.out" && break
		sleep 0.1
	done
	ip netns exec "$MX" nft -f - <<EOF || return 1
table inet mxq {
	chain in {
		type filter hook input priority -100;
		$ct
		ip saddr != $OTHER_ADDR tcp dport 25 queue num $QUEUE
	}
}
EOF
}
queue_off() {
	ip netns exec "$MX" nft delete table inet mxq
	stop "$NFQ_PID"
}

# verdicts: how many packets nfq_accept has answered (from its counters
# in /proc/net/netfilter/nfnetlink_queue: queue, portid, waiting, mode,
# range, dropped, user-dropped, id sequence).
verdicts() {
	# shellcheck disable=SC2016  # an awk program
	ip netns exec "$MX" awk -v q="$QUEUE" '$1 == q { print $8 }' \
		/proc/net/netfilter/nfnetlink_queue
}

queued() { # status of queue_on
	expect_eq "nfq_accept" ready "$(cat "$TMPD/nfq.out")" || return 1
	expect_eq "queue_on" 0 "$1" || return 1
	ip netns exec "$MX" nft list table inet mxq >/dev/null
}

through_queue() {
	local v0
	v0=$(verdicts)
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	expect_ge "packets through the queue" $((${v0:-0} + 3)) "$(verdicts)"
}

# Both floods at once, then the table: SOURCES + 1 rows, no source twice,
# the counts adding up to the SYNs dropped meanwhile.
both_floods() {
	local d0 sent stopf=$TMPD/stop.$1 out rows uniq sum pid
	mx "$MX" denied flush || return 1
	d0=$(stat "$MX" syn_dropped) || return 1
	rm -f "$stopf" "$stopf.started"
	syn_flood "$OTHER" "$OTHER_ADDR" "$MX_ADDR" 25 "$stopf" >"$TMPD/flood.out" &
	pid=$!
	flood_started "$stopf" || return 1
	flood_sources "$BAD" "$MX_ADDR" 0 "$SOURCES" || return 1
	touch "$stopf"
	wait "$pid"
	sent=$(cat "$TMPD/flood.out")
	echo "other sent $sent SYNs straight in; $SOURCES sources through the queue" >&2
	wait_stat "$MX" syn_dropped $((d0 + SOURCES + sent)) 60 || return 1
	out=$(mx "$MX" denied) || return 1
	rows=$(grep -c . <<<"$out")
	uniq=$(awk '{ print $1 }' <<<"$out" | sort -u | grep -c .)
	sum=$(awk '{ s += $3 } END { print s + 0 }' <<<"$out")
	expect_eq "rows" $((SOURCES + 1)) "$rows" || return 1
	expect_eq "distinct sources" "$rows" "$uniq" || return 1
	expect_eq "other's count" "$sent" "$(awk -v a="$OTHER_ADDR" '$1 == a { print $3 }' <<<"$out")" || return 1
	expect_eq "counts in all" $((SOURCES + sent)) "$sum" || return 1
	expect_eq "syn_dropped" $((d0 + SOURCES + sent)) "$(stat "$MX" syn_dropped)"
}

run_mode() {
	local mode=$1 qrc=0
	queue_on "$mode" || qrc=1
	check "$mode: nfq_accept bound to queue $QUEUE, port 25 queued ahead of mxlock" \
		queued "$qrc"
	check "$mode: good connects through the queue (banner and echo)" through_queue
	check "$mode: bad gets no SYN-ACK through the queue" connect_fails "$BAD" "$MX_ADDR" 25
	check "$mode: $SOURCES refused sources through the queue while other floods straight in: each source once, counts add up" \
		both_floods "$mode"
	check "$mode: good still connects through the queue" through_queue
	queue_off
}

run_mode noct
run_mode conntrack
ctn() {
	expect_ge "nf_conntrack_count" 1 \
		"$(ip netns exec "$MX" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null)"
}
check "conntrack: the namespace tracked connections meanwhile" ctn

ktap_finish
