#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The first `action reject` loads nf_reject_ipv4 and nf_reject_ipv6
# (request_module(): a usermode modprobe, as slow as it likes). It must
# not run under the namespace's mutex, which every other request of the
# namespace takes, and which a user namespace's root can so hold for as
# long as its modprobe takes. The kernel's modprobe is pointed at a
# stand-in that waits at a FIFO until released: while it waits, `mode
# monitor` in the same namespace must complete. (The timeout below only
# ends a wait that on the old module lasts until the release.)
#
# It reloads the module, so that the senders are looked up again: on a
# real host that drops the lists; run it in the VM.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd mkfifo
[ -w /proc/sys/kernel/modprobe ] || ktap_skip_all "cannot set kernel.modprobe"
ktap_begin 4

setup_ns MX || ktap_bail "cannot create a namespace"

# The kernel runs its helper in its own root: in scripts/vm-run's guest
# that is the initramfs, where the host's / (and so our /tmp) is /newroot.
helper_root=
[ -n "${MXLOCK_VM:-}" ] && [ -d /mnt/work ] && helper_root=/newroot
orig=$(cat /proc/sys/kernel/modprobe)
defer "echo '$orig' > /proc/sys/kernel/modprobe"
mkfifo "$TMPD/gate" || ktap_bail "mkfifo"
cat >"$TMPD/modprobe" <<EOF
#!/bin/sh
# Only the first call waits (there are two: nf_reject_ipv4, then ipv6).
if mkdir $helper_root$TMPD/first 2>/dev/null; then
	touch $helper_root$TMPD/started
	read x <$helper_root$TMPD/gate
fi
exec $orig "\$@"
EOF
chmod 755 "$TMPD/modprobe" || ktap_bail "chmod"

fresh() {
	mxlock_unload || return 1
	mxlock_load || return 1
	mx "$MX" replace "$PROVIDER" || return 1
	expect_eq "action" drop "$(mx "$MX" action)"
}
check "a fresh module: its reject senders not looked up yet; armed, action drop" fresh ||
	ktap_bail "no fresh module"

t_waiting() {
	echo "$helper_root$TMPD/modprobe" >/proc/sys/kernel/modprobe || return 1
	# check() runs this in a subshell and waits for its output to end:
	# the outcome goes to files, and nothing of check's is held open.
	( ip netns exec "$MX" "$MXLOCKCTL" action reject >"$TMPD/action.out" 2>&1
	  echo $? >"$TMPD/action.rc" ) >/dev/null 2>&1 </dev/null &
	local i
	for i in $(seq 1 "$(slow 100)"); do
		[ -e "$TMPD/started" ] && return 0
		sleep 0.2
	done
	echo "the stand-in modprobe was never called"
	return 1
}
check "action reject: the kernel's modprobe is called, and waits" t_waiting ||
	{ echo go >"$TMPD/gate" & ktap_bail "no waiting modprobe"; }

# wait_rc NAME: NAME's exit status, once $TMPD/NAME.rc appears (up to
# $(slow 20) s); fails if it does not.
wait_rc() {
	local i
	for i in $(seq 1 "$(slow 100)"); do
		[ -s "$TMPD/$1.rc" ] && { cat "$TMPD/$1.rc"; return 0; }
		sleep 0.2
	done
	return 1
}

t_meanwhile() {
	local rc
	# In the background: on the old module it sleeps, unkillable, in
	# mutex_lock() until modprobe is released (t_done does that).
	( ip netns exec "$MX" "$MXLOCKCTL" mode monitor >"$TMPD/mode.out" 2>&1
	  echo $? >"$TMPD/mode.rc" ) >/dev/null 2>&1 </dev/null &
	if ! rc=$(wait_rc mode); then
		echo "mode monitor still waits after $(slow 20) s, as long as modprobe does: it waits for the namespace's mutex"
		return 1
	fi
	[ "$rc" = 0 ] || { cat "$TMPD/mode.out"; return 1; }
	[ -e "$TMPD/first" ] && [ ! -e "$TMPD/released" ] ||
		{ echo "modprobe was released early"; return 1; }
	expect_eq "mode" monitor "$(mx "$MX" mode)"
}
check "while modprobe waits, mode monitor in the same namespace completes" t_meanwhile

t_done() {
	touch "$TMPD/released"
	echo go >"$TMPD/gate" || return 1
	local rc
	rc=$(wait_rc action) || { echo "action reject never returned"; return 1; }
	[ "$rc" = 0 ] || { cat "$TMPD/action.out"; echo "action reject failed"; return 1; }
	wait_rc mode >/dev/null || { echo "mode monitor never returned"; return 1; }
	echo "$orig" >/proc/sys/kernel/modprobe
	expect_eq "action" reject "$(mx "$MX" action)" || return 1
	expect_eq "mode" monitor "$(mx "$MX" mode)"
}
check "released: action reject applied, the mode set meanwhile kept" t_done

ktap_finish
