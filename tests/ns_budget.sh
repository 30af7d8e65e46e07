#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What an unprivileged user can make the module stage by making network
# namespaces. Each namespace allows 16 open replace transactions of up to
# MXLOCK_MAX_ENTRIES entries, and any user may `unshare -Urn` as often as
# user.max_net_namespaces allows: per-namespace limits alone multiply. So
# every staged and live interval is charged to a module-wide budget, and
# namespaces owned by a user namespace other than the initial one draw
# from one shared, smaller pool of it (module parameter userns_budget).
#
# The attacker is nobody: NSN times it makes a user and a network
# namespace and in it opens 16 sockets, each staging PER entries and
# never committing (nlclient stage-hold), the holders kept alive until
# the end. A staging of PER = 25000 entries has room for 32768 intervals
# (it doubles from 64), 1 MiB, and is charged that much; the pool is set
# to POOL = 20 such stagings. Asserted: exactly 20 sockets hold their
# staging, all the others are refused with ENOSPC and the budget's
# extack; MemAvailable (kernel memory; staging is kvmalloc'd, outside
# the slab figures) drops by no more than the pool's 20 MiB plus 16 MiB
# for the namespaces, sockets and processes; the module's budget_used
# (/proc/net/mxlock/stats) is what the holders staged; a namespace of
# root's (owned by the initial user namespace, drawing from the module's
# budget like the initial namespace) still loads a list of 1M entries,
# more than the whole pool; closing the sockets gives everything back.
#
# Staging is netlink work, not the packet path: conntrack changes
# nothing here, so the test runs once, without it.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_nlclient
require_cmd unshare setpriv
ktap_begin 6

NSN=6
K=16			# MXLOCK_MAX_TXNS: transactions a namespace may open
PER=25000
ROOM=32768		# the staging's room for PER entries: charged
POOL=$((20 * ROOM))
HOLD_MAX_KB=$(((POOL * 32 + (16 << 20)) / 1024))	# 32 B an interval
PARAM=/sys/module/mxlock/parameters/userns_budget

if [ -r /proc/sys/kernel/unprivileged_userns_clone ]; then
	old=$(cat /proc/sys/kernel/unprivileged_userns_clone)
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone
	defer "echo $old >/proc/sys/kernel/unprivileged_userns_clone"
fi
setup_ns MX || ktap_bail "cannot create a namespace"

avail() { # MemAvailable, kB
	awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo
}

kv() { # KEY FILE: the value of KEY in a stats file
	awk -v k="$1" '$1 == k { print $2 }' "$2"
}

OLD_POOL=$(cat "$PARAM" 2>/dev/null) && defer "echo $OLD_POOL >$PARAM"
set_pool() {
	[ -w "$PARAM" ] || { echo "no writable $PARAM" >&2; return 1; }
	echo "$POOL" >"$PARAM" || return 1
	expect_eq "userns_budget" "$POOL" "$(cat "$PARAM")"
}
check "userns_budget is a module parameter, set to $POOL intervals" set_pool

# nobody's holders wait for this file; the scratch directory is root's.
chmod 755 "$TMPD"
RELEASE=$TMPD/release
M0=$(avail)
for ((n = 0; n < NSN; n++)); do
	spawn setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all -- unshare --user --map-root-user --net \
		"$NLCLIENT" stage-hold "$K" "$PER" "$RELEASE" >"$TMPD/hold.$n"
	# One at a time: the first namespaces fill the pool.
	for ((i = 0; i < $(slow 1200); i++)); do
		grep -q '^holding$' "$TMPD/hold.$n" && break
		sleep 0.1
	done
done
M1=$(avail)
ktap_diag "holders said: $(cat "$TMPD"/hold.* | grep -v '^pid ' | sort | uniq -c)"
ktap_diag "MemAvailable: $M0 kB before, $M1 kB while held ($(((M0 - M1) / 1024)) MiB down)"

staged=0 refused=0
for ((n = 0; n < NSN; n++)); do
	read -r _ s _ r < <(grep '^staged ' "$TMPD/hold.$n")
	staged=$((staged + ${s:-0})) refused=$((refused + ${r:-0}))
done
PID=$(sed -n 's/^pid //p' "$TMPD/hold.0")

stops() {
	local n
	for ((n = 0; n < NSN; n++)); do
		expect_match "holder $n" '^holding$' "$(cat "$TMPD/hold.$n")" || return 1
	done
	expect_eq "sockets holding their staging, refused" \
		"$((POOL / ROOM)) $((NSN * K - POOL / ROOM))" "$staged $refused" || return 1
	# One kind of refusal: the budget's.
	expect_eq "kinds of refusal" 1 "$(cat "$TMPD"/hold.* | grep '^errno=' | sort -u | grep -c .)" || return 1
	expect_match "refusal" '^errno=28 \(ENOSPC\) extack=.*userns_budget' \
		"$(cat "$TMPD"/hold.* | grep '^errno=' | sort -u)"
}
check "nobody stages in $NSN namespaces x $K sockets: the pool holds $((POOL / ROOM)), the rest get ENOSPC naming userns_budget" stops

memory() {
	expect_ge "MemAvailable while held (kB, at least before - $HOLD_MAX_KB)" \
		$((M0 - HOLD_MAX_KB)) "$M1"
}
check "kernel memory while held: down by less than $((HOLD_MAX_KB / 1024)) MiB" memory

figure() {
	local f=/proc/$PID/net/mxlock/stats
	[ -r "$f" ] || { echo "no $f" >&2; return 1; }
	expect_eq "budget_used in nobody's namespace" $((staged * ROOM)) "$(kv budget_used "$f")" || return 1
	expect_eq "budget_limit in nobody's namespace" "$POOL" "$(kv budget_limit "$f")" || return 1
	# The module's budget holds the pool and root's namespaces besides.
	expect_ge "budget_used of the initial namespace's pool" $((staged * ROOM)) \
		"$(kv budget_used /proc/net/mxlock/stats)"
}
check "budget_used and budget_limit in /proc/net/mxlock/stats say what the holders staged" figure

roots() {
	nl "$MX" replace-chunks 1000000 200 || return 1
	expect_eq "ranges in root's namespace" 1000000 "$(stat "$MX" ranges)"
}
check "meanwhile root's namespace loads 1000000 entries, more than the whole pool" roots

released() {
	local n i used
	touch "$RELEASE"
	for ((n = 0; n < NSN; n++)); do
		for ((i = 0; i < $(slow 100); i++)); do
			grep -q '^closed$' "$TMPD/hold.$n" && break
			sleep 0.1
		done
		expect_match "holder $n" '^closed$' "$(cat "$TMPD/hold.$n")" || return 1
	done
	# The pool as a new namespace of nobody's sees it (holders may take
	# a moment to exit after saying so).
	for ((i = 0; i < $(slow 50); i++)); do
		used=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
			unshare --user --map-root-user --net \
			sed -n 's/^budget_used //p' /proc/net/mxlock/stats)
		[ "$used" = 0 ] && break
		sleep 0.2
	done
	expect_eq "budget_used of the pool after closing" 0 "$used"
}
check "closing the sockets gives the pool back: budget_used 0" released

ktap_finish
