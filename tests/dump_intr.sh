#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A dump of a long list spans many messages; a change in the middle of it
# must be flagged NLM_F_DUMP_INTR (the dump carries the list's generation
# in cb->seq, nl_dump_check_consistent() compares), so a client never
# takes half of one list and half of another for a list. nlclient reads
# the first message of a 20000-entry dump (some 35 messages), changes
# the list from a second socket, and reads the rest: some message, at the
# latest NLMSG_DONE, must carry the flag; a dump left alone must carry none.
# mxlockctl list dumps again when flagged (ctl/genl.c, mx_genl_dump, up
# to 5 times): while two 3000-entry lists replace each other, every list
# it prints is exactly one of them, never a mix.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_nlclient
ktap_begin 5

setup_ns MX || ktap_bail "cannot create a namespace"
N=20000

check "an undisturbed dump of $N entries: no message flagged, every entry seen" \
	nl "$MX" dump-intr "$N" none
check "ADD after the dump's first message: NLM_F_DUMP_INTR" nl "$MX" dump-intr "$N" add
check "FLUSH after the dump's first message: NLM_F_DUMP_INTR" nl "$MX" dump-intr "$N" flush

# The two lists as mxlockctl prints them when left alone.
if ! { nl "$MX" flip-big 1 >/dev/null && A=$(entries "$MX") &&
	nl "$MX" flip-big 2 >/dev/null && B=$(entries "$MX"); }; then
	ktap_bail "cannot load the flip lists"
fi

never_mixed() {
	local i out na=0 nb=0 nintr=0 g0 g1 runs=${MXLOCK_DUMP_RUNS:-20}
	g0=$(gen "$MX")
	spawn ip netns exec "$MX" "$NLCLIENT" flip-big 1000000 20
	for ((i = 0; i < runs; i++)); do
		if out=$(mx "$MX" list 2>&1); then
			out=$(strip_hits <<<"$out")
			if [ "$out" = "$A" ]; then
				na=$((na + 1))
			elif [ "$out" = "$B" ]; then
				nb=$((nb + 1))
			else
				echo "list $i is neither A nor B:" >&2
				diff <(echo "$A") <(echo "$out") | head -n 5 >&2
				stop "$SPAWNED"
				return 1
			fi
		elif grep -q "interrupted by changes" <<<"$out"; then
			nintr=$((nintr + 1))	# 5 tries in a row overlapped: clean
		else
			echo "mxlockctl list failed: $out" >&2
			stop "$SPAWNED"
			return 1
		fi
	done
	g1=$(gen "$MX")
	stop "$SPAWNED"
	echo "$runs lists: $na A, $nb B, $nintr given up after 5 interrupted dumps; $((g1 - g0)) flips meanwhile" >&2
	echo "$runs lists: $na A, $nb B, $nintr given up; $((g1 - g0)) flips meanwhile" >"$TMPD/mix"
	expect_ge "flips during the lists" "$runs" $((g1 - g0)) || return 1
	expect_ge "lists printed whole" 1 $((na + nb))
}
check "mxlockctl list under concurrent flips of two 3000-entry lists: always exactly A or B" never_mixed
[ -s "$TMPD/mix" ] && ktap_diag "$(cat "$TMPD/mix")"
check "the module unloads and loads again" eval 'mxlock_unload && mxlock_load'

ktap_finish
