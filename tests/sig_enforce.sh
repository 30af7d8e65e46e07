#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A host whose kernel loads only signed modules, as Secure Boot makes
# Debian's (lockdown, and IMA's arch policy sets module.sig_enforce):
# mxlock.service must fail loudly, naming the reason and the fix, and mail
# must still flow (mxlock fails open). The guest boots with
# module.sig_enforce=1 (scripts/check gives this test a boot of its own;
# run-all.sh leaves it out of the default suite); the module is installed
# with `make install` into overlays, as tests/service.sh does, and the
# unit's ExecStart lines are run as systemd runs them.
#
# Two modules the kernel refuses: the one built here (unsigned), and the
# same signed with a key of the test's own, the way DKMS signs with
# /var/lib/dkms/mok.key before that key is enrolled.

if [ -z "${MXLOCK_SIG_UNSHARED:-}" ] && [ "$(id -u)" -eq 0 ] &&
   command -v unshare >/dev/null; then
	MXLOCK_SIG_UNSHARED=1 exec unshare --mount --propagation private \
		bash "$0" "$@"
fi

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-unit.sh"

require_root
require_cmd make modprobe depmod modinfo mount openssl socat ip
require_tool
[ -n "${MXLOCK_SIG_UNSHARED:-}" ] || ktap_skip_all "unshare not found"
[ -f "$MXLOCK_KO" ] || ktap_skip_all "module not built ($MXLOCK_KO; make module)"
[ -d /sys/module/mxlock ] && ktap_skip_all "mxlock is loaded: this test needs a boot where it cannot be"
[ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" = Y ] ||
	ktap_skip_all "the kernel does not enforce module signatures (boot with module.sig_enforce=1: scripts/check does)"

KVER=$(uname -r)
[ "$(modinfo -F vermagic "$MXLOCK_KO" | cut -d' ' -f1)" = "$KVER" ] ||
	ktap_skip_all "$MXLOCK_KO is not built for the running kernel $KVER"
SIGN_FILE=
for f in "/usr/lib/linux-kbuild-${KVER%.*}/scripts/sign-file" \
	"/lib/modules/$KVER/build/scripts/sign-file"; do
	[ -x "$f" ] && { SIGN_FILE=$f; break; }
done
[ -n "$SIGN_FILE" ] || ktap_skip_all "no sign-file for $KVER (linux-kbuild)"
modprobe -q overlay 2>/dev/null
grep -qw overlay /proc/filesystems ||
	ktap_skip_all "this kernel has no overlay file system (CONFIG_OVERLAY_FS)"

ktap_begin 6

UNIT=/usr/local/lib/systemd/system/mxlock.service
INSTALLED=/lib/modules/$KVER/extra/mxlock.ko

depmod_stand_in || ktap_bail "cannot find mxlock's dependencies with modinfo"
writable || ktap_bail "cannot make /etc, /usr/local, /lib/modules/$KVER writable"
defer mxlock_unload

t_install() {
	make -o all install DEPMOD="$TMPD/depmod" MODULE_KO="$MXLOCK_KO" >&2 || return 1
	expect_eq "modinfo -n mxlock" "$INSTALLED" "$(modinfo -n mxlock 2>&1)" || return 1
	# The kernel's own refusal, which the unit must explain.
	local out
	out=$(insmod "$INSTALLED" 2>&1) && { echo "insmod of an unsigned module worked"; return 1; }
	expect_match "insmod's error" "Key was rejected by service" "$out"
}
check "installed; the kernel refuses the unsigned module (Key was rejected)" t_install ||
	ktap_bail "nothing to run without the installed unit"

# start_fails PATTERN...: ExecStart fails at `mxlockctl load`, its message
# matches every PATTERN, the module is not loaded, and the lines after it
# (the list) were not run.
start_fails() {
	local out p bad=0
	out=$(unit_run ExecStart 2>&1) && { echo "$out"; echo "ExecStart succeeded"; return 1; }
	echo "$out"
	expect_match "the failing line" "^ExecStart=.*mxlockctl load: exit status 2" "$out" || bad=1
	for p in "$@"; do
		expect_match "the message" "$p" "$out" || bad=1
	done
	[ ! -d /sys/module/mxlock ] || { echo "mxlock is loaded"; bad=1; }
	if grep -q 'mxlockctl ports' <<<"$out"; then
		echo "ExecStart went on after load failed"; bad=1
	fi
	return "$bad"
}

t_unsigned() {
	start_fails "NOTHING IS LOCKED" "module signatures are enforced" \
		"$INSTALLED is not signed" "SECURE BOOT"
}
check "ExecStart, unsigned module: the unit fails and says: signatures enforced, not signed" t_unsigned

# The test's own key, as DKMS makes its own (dkms 3: openssl req, CN
# "DKMS module signing key"), never known to the kernel.
t_signed() {
	openssl req -new -x509 -nodes -days 1 -newkey rsa:2048 -outform DER \
		-subj "/CN=mxlock test MOK/" -keyout "$TMPD/mok.key" \
		-out "$TMPD/mok.pub" >/dev/null 2>&1 || { echo "openssl failed"; return 1; }
	"$SIGN_FILE" sha256 "$TMPD/mok.key" "$TMPD/mok.pub" "$INSTALLED" || return 1
	expect_eq "the signer" "mxlock test MOK" "$(modinfo -F signer "$INSTALLED")" || return 1
	start_fails "NOTHING IS LOCKED" "module signatures are enforced" \
		"signed by 'mxlock test MOK', which it does not trust" \
		"mokutil --import /var/lib/dkms/mok.pub" "reboot"
}
check "ExecStart, module signed by a key not enrolled: the unit fails and says how to enroll it" t_signed

t_stats() {
	local out
	out=$("$MXLOCKCTL" stats 2>&1) && { echo "$out"; echo "stats worked"; return 1; }
	expect_match "mxlockctl stats" "module is not loaded" "$out"
}
check "mxlockctl stats: the module is not loaded" t_stats

# The monitoring plugin sees it: CRITICAL, exit 2, naming the module.
t_check() {
	local out rc
	out=$(ctl_check)
	rc=$?
	echo "$out"
	expect_eq "mxlockctl check's exit status" 2 "$rc" || return 1
	expect_match "its status line" "^MXLOCK CRITICAL - .*not loaded" "$out"
}
ctl_check() { "$MXLOCKCTL" check 2>&1; }
check "mxlockctl check: CRITICAL (exit 2), the module is not loaded" t_check

# Fail open, as documented: with no module, a sender outside the
# provider's ranges reaches the MTA.
topology || ktap_bail "cannot build the topology"
t_open() {
	connect_ok "$BAD" "$MX_ADDR" 25
}
check "mail still flows: a source outside the list gets the banner (fail open)" t_open

ktap_finish
