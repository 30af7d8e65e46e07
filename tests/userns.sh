#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who may change a list: whoever holds CAP_NET_ADMIN over the network
# namespace, and nobody else. An unprivileged user may create a user
# namespace and, as its root, lock a network namespace it creates there;
# that root may not touch a namespace it does not own, nor the initial one.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd unshare setpriv
require_nlclient
ktap_begin 5

topology || ktap_bail "cannot build the topology"

# Debian lets unprivileged users create user namespaces; make sure of it
# here (and put the setting back afterwards).
if [ -r /proc/sys/kernel/unprivileged_userns_clone ]; then
	old=$(cat /proc/sys/kernel/unprivileged_userns_clone)
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone
	defer "echo $old >/proc/sys/kernel/unprivileged_userns_clone"
fi

check "$MX is armed with $PROVIDER" mx "$MX" replace "$PROVIDER"
LIST=$(entries "$MX") GEN=$(gen "$MX")
INIT_GEN=$(sed -n 's/^generation //p' /proc/net/mxlock/stats)

# nobody -> new user namespace (root inside) -> new network namespace.
own_ns() {
	local out
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user --net sh -c \
		"'$MXLOCKCTL' replace 192.0.2.0/24 && '$MXLOCKCTL' stats && '$MXLOCKCTL' list") ||
		return 1
	expect_match "stats in nobody's namespace" '^armed 1$' "$out" || return 1
	expect_match "list in nobody's namespace" '192\.0\.2\.0/24' "$out"
}
check "nobody, as root of its own user namespace, locks a network namespace it made" own_ns

# Root of a fresh user namespace, but in $MX, which the initial user
# namespace owns.
foreign_ns() {
	expect_exit 2 ip netns exec "$MX" setpriv --reuid=65534 --regid=65534 \
		--clear-groups unshare --user --map-root-user \
		"$MXLOCKCTL" replace 10.0.0.0/8 || return 1
	unchanged "$MX" "$LIST" "$GEN"
}
check "root of a user namespace is refused on a network namespace it does not own" foreign_ns

init_ns() {
	expect_exit 2 setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user "$MXLOCKCTL" replace 10.0.0.0/8 ||
		return 1
	expect_exit 2 setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user "$MXLOCKCTL" mode monitor ||
		return 1
	expect_eq "generation of the initial namespace" "$INIT_GEN" \
		"$(sed -n 's/^generation //p' /proc/net/mxlock/stats)"
}
check "root of a user namespace is refused on the initial network namespace" init_ns

# The refusal is the kernel's (EPERM), whatever the client: nlclient too.
raw_refused() {
	ip netns exec "$MX" setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user "$NLCLIENT" -e EPERM flush || return 1
	unchanged "$MX" "$LIST" "$GEN"
}
check "a raw FLUSH from that root gets EPERM from the kernel" raw_refused

ktap_finish
