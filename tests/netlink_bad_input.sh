#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel does not trust its clients: whatever mxlockctl would catch
# first, the module must refuse by itself. tests/nlclient builds requests
# byte by byte, so here malformed ones reach the kernel. Each must be
# refused with an errno and an extended-ack message saying why, and leave
# the list and its generation exactly as they were. A well-formed request
# from the same client must go through, so a refusal is the kernel's doing
# and not the client's.
source "$(dirname "$0")/lib.sh"

require_root
require_nlclient
mxlock_load
case $? in
0) ;;
4) ktap_skip_all "no mxlock module" ;;
*) ktap_bail "cannot load the module" ;;
esac
ktap_begin 32

setup_ns MX || ktap_bail "cannot create a namespace"
# 199.89.0.0/21, loaded by the independent client itself.
nl "$MX" entry c7590000 prefix 21 >/dev/null || ktap_bail "cannot load the first list"
BEFORE=$(nl "$MX" list)

check "host bits (199.89.0.1/21): EINVAL with extack" nl_refused_nochange EINVAL entry c7590001 prefix 21
check "prefix 33 is refused" nl_refused_nochange any entry c7590000 prefix 33
check "a 5-byte address is refused" nl_refused_nochange any entry c759000001
check "a 3-byte address is refused" nl_refused_nochange any entry c75900
check "ADDR_END below ADDR is refused" nl_refused_nochange any entry c6336414 end c633640a
check "ADDR_END of another length than ADDR is refused" nl_refused_nochange any entry c7590000 end c75907ff00
check "PREFIXLEN and ADDR_END together are refused" nl_refused_nochange any entry c7590000 prefix 21 end c75907ff
check "PREFIXLEN sent as a u32 (wrong length) is refused" nl_refused_nochange any entry c7590000 prefix32 21
check "an unknown attribute inside an entry is refused" nl_refused_nochange any entry c7590000 prefix 21 junk
check "an unknown top-level attribute is refused" nl_refused_nochange any junk-top
check "an unknown REPLACE_FLAGS bit is refused" nl_refused_nochange any flags 0x80
check "committing an empty ENTRIES nest is refused" nl_refused_nochange any empty-commit
check "a REPLACE commit with no entries at all is refused" nl_refused_nochange any noentries
check "ADD without ENTRIES is refused" nl_refused_nochange any -c add noentries
check "DEL without ENTRIES is refused" nl_refused_nochange any -c del noentries
check "DEL of an unlisted range: ENOENT" nl_refused_nochange ENOENT -c del entry cb007100 prefix 24
check "DEL that would empty the list: EINVAL" nl_refused_nochange EINVAL -c del entry c7590000 prefix 21

bad_mode() {
	nl_refused_nochange any mode 7 || return 1
	expect_eq "mode" enforce "$(stat "$MX" mode)"
}
check "SET_MODE with an unknown mode (7) is refused; mode unchanged" bad_mode

check "TEST with a 5-byte address is refused" nl_refused_nochange any test c759000a01

# Framing a buggy or hostile client gets wrong: nests whose lengths do not
# add up (bytes laid out by hand in nlclient, no libnl builder in between).
# The core's strict parsing refuses what it checks ("bytes leftover after
# parsing attributes", "Array element too short"); inside an entry list
# it stops at the first malformed element, and the module refuses the
# leftover itself: nothing before it may be applied.
check "truncated: ENTRIES' nla_len runs 64 bytes past the message end" \
	nl_refused_nochange EINVAL malformed nest-past-end
check "truncated: an ENTRY ends in the middle of its ADDR" \
	nl_refused_nochange EINVAL malformed entry-cut
check "truncated: an ENTRIES header with nla_len 2 (< NLA_HDRLEN)" \
	nl_refused_nochange EINVAL malformed short-nest
check "truncated: a good entry, then an ENTRY header with nla_len 3" \
	nl_refused_nochange EINVAL malformed short-entry
check "an ENTRY with 2 bytes of payload: ERANGE" nl_refused_nochange ERANGE malformed tiny-entry
check "a nest in a nest: an ENTRY overruns ENTRIES (REPLACE_FLAGS follows)" \
	nl_refused_nochange EINVAL malformed entry-overrun
check "ADD: a good entry, then an ENTRY header with nla_len 3" \
	nl_refused_nochange EINVAL -c add malformed short-entry
check "2 stray bytes after the last entry" nl_refused_nochange EINVAL malformed trailing
check "an empty ENTRY nest" nl_refused_nochange EINVAL malformed empty-entry
check "MXLOCK_A_ENTRIES twice in one REPLACE (the core would keep the last)" \
	nl_refused_nochange EINVAL two-nests

bad_ports() {
	local p0
	p0=$(stat "$MX" ports)
	nl_refused_nochange EINVAL malformed ports-trailing || return 1
	expect_eq "ports" "$p0" "$(stat "$MX" ports)"
}
check "SET_CONFIG: a good port, then 2 stray bytes in PORTS; ports unchanged" bad_ports

# nlmsg_len larger than what was sent: the netlink core drops the message
# before any family sees it, unanswered (af_netlink.c netlink_rcv_skb).
# The same socket must still be answered, and nothing may change.
long_nlmsg() {
	nl "$MX" long-nlmsg >&2 || return 1
	nl_unchanged
}
check "nlmsg_len 256 bytes past what was sent: dropped unanswered, socket still served" long_nlmsg

# The same client, a good request: accepted and in force.
good() {
	nl "$MX" -e ok entry c6336400 prefix 24 >&2 || return 1
	expect_eq "list" "198.51.100.0-198.51.100.255" "$(nl "$MX" list | tail -n 1)"
}
check "a well-formed REPLACE from nlclient is accepted" good

ktap_finish
