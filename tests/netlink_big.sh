#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Oversized requests. One MXLOCK_A_ENTRIES nest holds at most 64 KiB
# (nla_len is 16 bits), some 5000 entries; a longer list goes in REPLACE
# chunks, at most MXLOCK_MAX_ENTRIES in all. A client that ignores this
# must get a clean error, never a stall, a partial list or a crash:
#  - a request larger than the socket's send buffer (212992 bytes by
#    default) is refused by sendto() itself, EMSGSIZE: it never reaches
#    the module;
#  - with the send buffer forced to 8 MiB (SO_SNDBUFFORCE, root), a 4.8 MB
#    REPLACE or ADD reaches the module, which refuses its repeated ENTRIES
#    (the core would keep only the last nest);
#  - a chunked REPLACE that passes MXLOCK_MAX_ENTRIES is refused at that
#    chunk (E2BIG) and its staging freed: the next CONTINUE chunk finds no
#    transaction (ENOENT), and the kernel's memory is back (the staging of
#    4M entries takes 128 MiB);
#  - DEL is bounded by MXLOCK_MAX_ENTRIES too, splits counted: with a list
#    of exactly that many intervals (4194303 /32s and 10.0.0.0/8), deleting
#    10.0.0.1 would split the /8 and is refused (E2BIG, nothing changed);
#    after one /32 is deleted, the same split fits and is accepted.
# The list and its generation stay as they were throughout.
source "$(dirname "$0")/lib.sh"

require_root
require_nlclient
mxlock_load
case $? in
0) ;;
4) ktap_skip_all "no mxlock module" ;;
*) ktap_bail "cannot load the module" ;;
esac
ktap_begin 7

setup_ns MX || ktap_bail "cannot create a namespace"
nl "$MX" entry c7590000 prefix 21 >/dev/null || ktap_bail "cannot load the first list"
BEFORE=$(nl "$MX" list)

check "30000 entries (360 kB) in one request: EMSGSIZE from sendto" \
	nl_refused_nochange EMSGSIZE big 30000
check "REPLACE of 400000 entries (4.8 MB, send buffer forced to 8 MiB): EINVAL" \
	nl_refused_nochange EINVAL big 400000 8388608
check "ADD of 400000 entries (4.8 MB): EINVAL" \
	nl_refused_nochange EINVAL -c add big 400000 8388608

# Kernel memory in kB: slab, vmalloc (the staging arrays) and percpu.
kmem() {
	awk '/^(Slab|VmallocUsed|Percpu):/ { kb += $2 } END { print kb }' /proc/meminfo
}

over_limit() {
	local m0 m1 n=$((4194304 + 1))
	m0=$(kmem)
	nl "$MX" over-limit "$n" >&2 || return 1
	m1=$(kmem)
	echo "kernel memory: $m0 kB before, $m1 kB after" >&2
	# 4 MiB of slack: the staging alone was 128 MiB.
	[ $((m1 - m0)) -le 4096 ] || { echo "the staging was not freed" >&2; return 1; }
	nl_unchanged
}
check "a chunked REPLACE past MXLOCK_MAX_ENTRIES (4194305): E2BIG, staging freed" over_limit

# ranges and generation of $MX, one line.
rg() {
	echo "ranges $(stat "$MX" ranges) generation $(stat "$MX" generation)"
}

del_limit() {
	local max=4194304 before out
	nl "$MX" replace-chunks $((max - 1)) 839 >&2 || return 1
	nl "$MX" -c add entry 0a000000 prefix 8 >&2 || return 1
	expect_eq "ranges" "$max" "$(stat "$MX" ranges)" || return 1
	before=$(rg)
	out=$(nl "$MX" -e E2BIG -c del entry 0a000001) || { echo "DEL 10.0.0.1: $out" >&2; return 1; }
	echo "DEL 10.0.0.1 at the limit: $out" >&2
	expect_match "the answer" 'errno=7 .* extack=.+' "$out" || return 1
	expect_eq "ranges and generation after the refused DEL" "$before" "$(rg)" || return 1
	nl "$MX" -c del entry 64400000 >&2 || return 1
	nl "$MX" -c del entry 0a000001 >&2 || return 1
	expect_eq "ranges after deleting a /32, then splitting the /8" "$max" "$(stat "$MX" ranges)"
}
check "DEL that splits an interval of a list of MXLOCK_MAX_ENTRIES: E2BIG, list unchanged; one less first: accepted" del_limit

# The same client, a good chunked replace, still accepted.
good() {
	nl "$MX" -e ok replace-chunks 12000 3 >&2 || return 1
	expect_eq "ranges" 12000 "$(stat "$MX" ranges)"
}
check "then a good chunked REPLACE of 12000 entries is accepted" good
check "the module unloads and loads again" eval 'mxlock_unload && mxlock_load'

ktap_finish
