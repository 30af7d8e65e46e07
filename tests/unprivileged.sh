#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Changing the allowlist takes CAP_NET_ADMIN. An ordinary user (nobody,
# no capabilities, through setpriv) is refused every change with EPERM,
# whether through mxlockctl or a raw netlink request, and the list, mode
# and generation stay as they were. Reading is open to everyone: stats,
# list and test work and say what root sees.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_nlclient
require_cmd setpriv
ktap_begin 6

setup_ns MX || ktap_bail "cannot create a namespace"
mx "$MX" replace "$PROVIDER" || ktap_bail "cannot load the list"
LIST=$(entries "$MX")
GEN=$(gen "$MX")

# Every change through mxlockctl: exit 2, a message about permission.
ctl_refused() {
	local args err rc bad=0
	for args in "replace 192.0.2.0/24" "add 192.0.2.0/24" "del 199.89.0.0/24" \
		"flush" "mode monitor"; do
		# shellcheck disable=SC2086
		err=$(as_nobody "$MX" "$MXLOCKCTL" $args 2>&1)
		rc=$?
		if [ "$rc" -ne 2 ] || ! grep -qiE 'not permitted|EPERM|permission' <<<"$err"; then
			echo "mxlockctl $args as nobody: exit $rc, said: $err" >&2
			bad=1
		fi
	done
	[ "$bad" -eq 0 ] || return 1
	unchanged "$MX" "$LIST" "$GEN" || return 1
	expect_eq "mode" enforce "$(stat "$MX" mode)"
}
check "mxlockctl replace/add/del/flush/mode as nobody: EPERM, exit 2, nothing changes" ctl_refused

# The same from the independent client: the kernel itself says EPERM.
nl_refused() {
	local bad=0
	as_nobody "$MX" "$NLCLIENT" -e EPERM entry c0000200 prefix 24 >&2 || bad=1
	as_nobody "$MX" "$NLCLIENT" -e EPERM -c add entry c0000200 prefix 24 >&2 || bad=1
	as_nobody "$MX" "$NLCLIENT" -e EPERM -c del entry c7590000 prefix 24 >&2 || bad=1
	as_nobody "$MX" "$NLCLIENT" -e EPERM flush >&2 || bad=1
	as_nobody "$MX" "$NLCLIENT" -e EPERM mode 1 >&2 || bad=1
	as_nobody "$MX" "$NLCLIENT" -e EPERM replace-chunks 3 1 >&2 || bad=1
	[ "$bad" -eq 0 ] || return 1
	unchanged "$MX" "$LIST" "$GEN"
}
check "raw REPLACE/ADD/DEL/FLUSH/SET_MODE as nobody: errno EPERM from the kernel" nl_refused

reads() {
	expect_eq "stats as nobody" "$(mx "$MX" stats)" "$(as_nobody "$MX" "$MXLOCKCTL" stats)" || return 1
	expect_eq "list as nobody" "$LIST" "$(as_nobody "$MX" "$MXLOCKCTL" list | strip_hits)" || return 1
	expect_eq "mode as nobody" enforce "$(as_nobody "$MX" "$MXLOCKCTL" mode)"
}
check "stats, list and mode read as nobody say what root sees" reads

tests() {
	expect_exit 0 as_nobody "$MX" "$MXLOCKCTL" test 199.89.0.10 || return 1
	expect_exit 1 as_nobody "$MX" "$MXLOCKCTL" test 198.51.100.10
}
check "test as nobody: exit 0 inside, 1 outside" tests

proc() {
	expect_eq "/proc as nobody" "$(stats "$MX")" "$(as_nobody "$MX" cat "$STATS")"
}
check "/proc/net/mxlock/stats is readable by nobody" proc

nl_reads() {
	as_nobody "$MX" "$NLCLIENT" state >/dev/null || return 1
	as_nobody "$MX" "$NLCLIENT" list >/dev/null || return 1
	as_nobody "$MX" "$NLCLIENT" test c759000a >/dev/null
}
check "GET_STATE, GET_ENTRIES and TEST need no privilege" nl_reads

ktap_finish
