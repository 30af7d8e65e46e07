#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the design card promises: `insmod kmod/mxlock.ko` on a mail gateway,
# with no other netfilter module loaded. The module links against nothing
# that lives in a module (modinfo lists no dependency); action reject's
# RST senders, in nf_reject_ipv4 and nf_reject_ipv6, are loaded and held
# only when a namespace first chooses reject, released when mxlock goes;
# and where they cannot be loaded, reject is a clear error that changes
# nothing. Run first in a freshly booted VM (scripts/check does), this is
# exactly the admin's case; later in a suite it unloads what it can first.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd ip socat timeout insmod rmmod modinfo
require_tool
[ -f "$MXLOCK_KO" ] || ktap_skip_all "no module file $MXLOCK_KO"
# A kernel with the RST helpers built in (the debug kernel) has nothing to
# load or hold: the case does not arise there.
modinfo -n nf_reject_ipv4 2>/dev/null | grep -q '\.ko' ||
	ktap_skip_all "nf_reject_ipv4 is not a module on this kernel"
ktap_begin 6

loaded() { [ -d "/sys/module/$1" ]; }
refcnt() { cat "/sys/module/$1/refcnt" 2>/dev/null; }

# No mxlock, no RST helpers: as after boot (unloaded if an earlier test
# loaded them; nothing else uses them in the suite).
mxlock_unload
for m in nf_reject_ipv6 nf_reject_ipv4; do
	loaded $m && rmmod $m
done
ktap_diag "modules before insmod: $(lsmod | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' ')"

plain() {
	loaded nf_reject_ipv4 && { echo "nf_reject_ipv4 is loaded already" >&2; return 1; }
	loaded nf_reject_ipv6 && { echo "nf_reject_ipv6 is loaded already" >&2; return 1; }
	insmod "$MXLOCK_KO" || return 1
	loaded mxlock || return 1
	loaded nf_reject_ipv4 && { echo "insmod pulled nf_reject_ipv4 in" >&2; return 1; }
	expect_eq "modinfo depends" "" "$(modinfo -F depends "$MXLOCK_KO")"
}
check "insmod mxlock.ko with no nf_reject module loaded: works, pulls none in" plain \
	|| ktap_bail "the module did not load"

topology6 || ktap_bail "cannot build the topology"
mx "$MX" replace "$PROVIDER" "$PROVIDER6" || ktap_bail "cannot load the list"

drop_works() {
	connect_ok "$GOOD" "$MX_ADDR" 25 || return 1
	connect_fails "$BAD" "$MX_ADDR" 25
}
check "armed: good connects, bad times out (drop needs no other module)" drop_works

# A kernel without the RST helpers: modprobe that cannot load anything.
no_helpers() {
	local old rc out
	old=$(cat /proc/sys/kernel/modprobe)
	echo /bin/false >/proc/sys/kernel/modprobe
	out=$(mx "$MX" action reject 2>&1)
	rc=$?
	echo "$old" >/proc/sys/kernel/modprobe
	echo "mxlockctl action reject: exit $rc: $out" >&2
	[ "$rc" -ne 0 ] || return 1
	expect_match "the error" "nf_reject_ipv4" "$out" || return 1
	expect_eq "action" drop "$(stat "$MX" action)" || return 1
	connect_fails "$BAD" "$MX_ADDR" 25
}
check "no RST helpers to be had: action reject fails naming them, drop stays" no_helpers

reject_loads() {
	mx "$MX" action reject || return 1
	loaded nf_reject_ipv4 || { echo "nf_reject_ipv4 not loaded" >&2; return 1; }
	loaded nf_reject_ipv6 || { echo "nf_reject_ipv6 not loaded" >&2; return 1; }
	expect_eq "nf_reject_ipv4 refcnt (held by mxlock)" 1 "$(refcnt nf_reject_ipv4)" || return 1
	expect_eq "nf_reject_ipv6 refcnt (held by mxlock)" 1 "$(refcnt nf_reject_ipv6)" || return 1
	connect_refused "$BAD" "$MX_ADDR" 25 || return 1
	connect_refused "$BAD" "$MX_ADDR6" 25
}
check "action reject loads both RST helpers and holds them; bad is refused (IPv4, IPv6)" reject_loads

# Held while in use: the helpers cannot go from under a namespace.
held() {
	mx "$MX" action drop || return 1
	if rmmod nf_reject_ipv4 2>/dev/null; then
		echo "nf_reject_ipv4 could be removed while mxlock holds it" >&2
		return 1
	fi
	connect_fails "$BAD" "$MX_ADDR" 25
}
check "back to drop: the helpers stay held (rmmod nf_reject_ipv4 is refused)" held

released() {
	mxlock_unload || return 1
	expect_eq "nf_reject_ipv4 refcnt" 0 "$(refcnt nf_reject_ipv4)" || return 1
	expect_eq "nf_reject_ipv6 refcnt" 0 "$(refcnt nf_reject_ipv6)" || return 1
	rmmod nf_reject_ipv6 && rmmod nf_reject_ipv4 || return 1
	mxlock_load
}
check "rmmod mxlock releases them (refcnt 0, they unload); mxlock loads again" released

ktap_finish
