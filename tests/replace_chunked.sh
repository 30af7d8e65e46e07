#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A long list goes to the kernel in chunks that build a staging list bound
# to the sending socket; only the last chunk (without F_MORE) commits it,
# in one step. If the client dies half-way, or a chunk is refused, the old
# list must stay in force untouched: same intervals, same generation, and
# the traffic it admits and drops is still admitted and dropped. Staging
# lists are per socket: two clients cannot mix their chunks.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_nlclient
ktap_begin 14

topology || ktap_bail "cannot build the topology"
mx "$MX" replace "$PROVIDER" || ktap_bail "cannot load the list"
LIST=$(entries "$MX")
GEN=$(gen "$MX")

still_in_force() {
	unchanged "$MX" "$LIST" "$GEN" || return 1
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR" 25
}

# The client stages 5000 entries over 5 chunks, each acknowledged, then
# kills itself with SIGKILL before committing.
die() {
	local out rc
	out=$(nl "$MX" replace-die 5000 2>&1)
	rc=$?
	echo "$out" >&2
	expect_eq "nlclient's fate (128 + SIGKILL)" 137 "$rc" || return 1
	expect_match "nlclient output" '^staged 5000 entries' "$out" || return 1
	still_in_force
}
check "a client killed after staging 5000 entries: the old list stays in force" die

# The same with an orderly exit: the socket closes with nothing committed.
hold() {
	nl "$MX" replace-hold 2000 1 >&2 || return 1
	still_in_force
}
check "a client that closes its socket with a staged list: old list stays" hold

# A refused chunk discards the whole staging list: a commit after it does
# not install the chunks staged before the bad one.
bad_chunk() {
	nl "$MX" bad-chunk "$@" >&2 || return 1
	still_in_force
}
check "a refused chunk discards the staging list; the old list stays" bad_chunk
# A chunk the attribute policy refuses never reaches the module, so the
# transaction stays open; the commit says how many entries were sent
# (MXLOCK_A_REPLACE_COUNT, as mxlockctl's does), and one is missing.
for how in policy top flags; do
	check "a chunk the policy refuses ($how): a commit with its count is refused" \
		bad_chunk "$how" count
done
# A client that goes on after the error and sends no count has its
# commit refused all the same: a chunked commit must carry one.
check "a chunk the policy refuses, then a commit without a count: refused" \
	bad_chunk policy

# The count must be exact: one fewer than sent is refused, nothing changes.
miscount() {
	local out
	out=$(nl "$MX" -e EBADMSG replace-chunks 3000 3 2999) || { echo "$out" >&2; return 1; }
	expect_match "the answer" 'extack=.*count' "$out" || return 1
	still_in_force
}
check "a commit whose count is one short of what was sent is refused (EBADMSG)" miscount

# No count at all on a chunked commit, every chunk good: refused, nothing
# changes (a one-message replace needs none: the rest of this suite).
nocount() {
	local out
	out=$(nl "$MX" -e EINVAL replace-chunks 3000 3 none) || { echo "$out" >&2; return 1; }
	expect_match "the answer" 'extack=.*count' "$out" || return 1
	still_in_force
}
check "a chunked commit without MXLOCK_A_REPLACE_COUNT is refused (EINVAL)" nocount

# A transaction that does complete: 5000 /32s in 5 chunks, one commit.
chunks() {
	nl "$MX" replace-chunks 5000 5 >&2 || return 1
	expect_eq "ranges" 5000 "$(stat "$MX" ranges)" || return 1
	expect_eq "generation (one commit, one bump)" $((GEN + 1)) "$(gen "$MX")" || return 1
	expect_eq "first interval" 100.64.0.0/32 "$(entries "$MX" | head -n 1)" || return 1
	expect_eq "last interval" 100.64.39.14/32 "$(entries "$MX" | tail -n 1)" || return 1
	connect_fails "$GOOD" "$MX_ADDR" 25
}
check "5000 entries in 5 chunks commit as one list (generation +1)" chunks

# Two sockets: A's staged chunk and B's committed list do not mix; A's
# later commit replaces B's list with A's own two chunks.
interleave() {
	nl "$MX" interleave >&2 || return 1
	expect_eq "list" "192.0.2.0/24
203.0.113.0/24" "$(entries "$MX")"
}
check "staging is per socket: interleaved transactions do not mix" interleave

# mxlockctl sends a long file in chunks too; it arrives whole.
big_file() {
	local g
	awk 'BEGIN { for (i = 0; i < 20000; i++)
		printf "100.%d.%d.%d\n", 64 + int(i / 32768), int(i % 32768 / 128), (i % 128) * 2 }' \
		>"$TMPD/big.conf"
	g=$(gen "$MX")
	mx "$MX" replace -f "$TMPD/big.conf" || return 1
	expect_eq "ranges" 20000 "$(stat "$MX" ranges)" || return 1
	expect_eq "generation" $((g + 1)) "$(gen "$MX")" || return 1
	expect_eq "list lines" 20000 "$(mx "$MX" list | wc -l)"
}
check "mxlockctl replace -f with 20000 entries: all there, generation +1" big_file

# ... and its list output round-trips even at that size.
big_round_trip() {
	mx "$MX" list >"$TMPD/big.list" || return 1
	mx "$MX" replace -f "$TMPD/big.list" || return 1
	expect_eq "list" "$(cat "$TMPD/big.list")" "$(mx "$MX" list)"
}
check "the 20000-interval list round-trips through replace -f" big_round_trip

# Back to the provider's list, and traffic behaves as at the start.
restore() {
	mx "$MX" replace "$PROVIDER" || return 1
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR" 25
}
check "back to $PROVIDER: good in, bad out" restore

ktap_finish
