#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mxlock.service does what a mail admin expects, with the real module:
# `make install` puts the module where `modprobe mxlock` finds it, then the
# unit's own ExecStart, ExecReload and ExecStop command lines, read from the
# installed unit file and run the way systemd runs them (its Environment=,
# its EnvironmentFile=, $VAR expansion, "-" prefixes), load and lock, re-
# apply an edited list and settings atomically, keep the old list when the
# new one has a typo, and disarm on stop. `make uninstall` takes it away.
#
# systemd itself is not run (the VM has none as PID 1): the unit's syntax
# is checked by tests/host/packaging.sh with systemd-analyze verify.
#
# The root filesystem is read-only in the VM (and must not be touched on a
# real host), so the test runs in a private mount namespace with tmpfs-
# backed overlays on /etc, /usr/local and /lib/modules/$(uname -r), into
# which `make install` installs for real; and in a network namespace of its
# own, which is what the unit's commands lock. Needs the module and
# mxlockctl built (make). The module is unloaded first (so that modprobe
# has real work) and at the end, so outside the VM the test skips if
# mxlock is loaded.

# Private mount and network namespaces first; everything below runs in
# them.
if [ -z "${MXLOCK_SERVICE_UNSHARED:-}" ] && [ "$(id -u)" -eq 0 ] &&
   command -v unshare >/dev/null; then
	MXLOCK_SERVICE_UNSHARED=1 exec unshare --mount --net --propagation private \
		bash "$0" "$@"
fi

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-unit.sh"

require_root
require_cmd make modprobe depmod modinfo rmmod mount
require_tool
[ -n "${MXLOCK_SERVICE_UNSHARED:-}" ] || ktap_skip_all "unshare not found"
[ -f "$MXLOCK_KO" ] || ktap_skip_all "module not built ($MXLOCK_KO; make module)"

# It unloads the module: on a host where mxlock is at work, that would
# take the lock away.
if [ -z "${MXLOCK_VM:-}" ] && [ -d /sys/module/mxlock ]; then
	ktap_skip_all "mxlock is loaded on this host and this test unloads it (run it in the VM: scripts/vm-run -- tests/run-all.sh tests/service.sh)"
fi

KVER=$(uname -r)
# make install installs for the kernel of KDIR (scripts/check-kernel
# passes the one it built $MXLOCK_KO for), else the one scripts/kdir picks
# (the distro's headers); on another running kernel (the debug lane's)
# the installed module could not load.
inst_kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"${KDIR:-$("$top/scripts/kdir" 2>/dev/null)}/include/generated/utsrelease.h" 2>/dev/null)
[ "$inst_kver" = "$KVER" ] ||
	ktap_skip_all "make install targets kernel '${inst_kver:-none}', not the running $KVER"
[ "$(modinfo -F vermagic "$MXLOCK_KO" | cut -d' ' -f1)" = "$KVER" ] ||
	ktap_skip_all "$MXLOCK_KO is not built for the running kernel $KVER"

# The install goes into overlays of /etc, /usr/local and /lib/modules.
modprobe -q overlay 2>/dev/null
grep -qw overlay /proc/filesystems ||
	ktap_skip_all "this kernel has no overlay file system (CONFIG_OVERLAY_FS)"

ktap_begin 11

UNIT=/usr/local/lib/systemd/system/mxlock.service
CTL=/usr/local/sbin/mxlockctl
ALLOW=/etc/mxlock/allow.conf
DEFAULTS=/etc/default/mxlock

# ---------------------------------------------------------------- setup ----

depmod_stand_in || ktap_bail "cannot find mxlock's dependencies with modinfo"
writable || ktap_bail "cannot make /etc, /usr/local, /lib/modules/$KVER writable"
# Nothing of this test may outlive it: not the module (loaded from the
# overlay), not its settings.
defer mxlock_unload

# modprobe must load the module, not find it loaded.
mxlock_unload || ktap_bail "cannot unload the mxlock module left loaded"

ctl_has() { # COMMAND: does the mxlockctl under test know it?
	"$MXLOCKCTL" help "$1" >/dev/null 2>&1
}

# The first field of each `mxlockctl list` line (a "# hits" comment may
# follow), space-separated.
list_entries() {
	ctl list | awk '{ printf "%s%s", sep, $1; sep = " " }'
}

ctl() { # the installed mxlockctl
	"$CTL" "$@"
}

stat0() { # KEY: a value from this network namespace's stats
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { exit !found }' "$STATS"
}

# --------------------------------------------------------------- tests ----

t_install() {
	# -o all: built already, on the host; this tree is read-only here.
	make -o all install DEPMOD="$TMPD/depmod" MODULE_KO="$MXLOCK_KO" || return 1
	local f bad=0
	for f in "$UNIT" "$CTL" "$ALLOW" "$DEFAULTS" \
		/usr/local/share/man/man8/mxlockctl.8 \
		/usr/local/share/bash-completion/completions/mxlockctl; do
		[ -f "$f" ] || { echo "not installed: $f"; bad=1; }
	done
	expect_eq "modinfo -n mxlock" "/lib/modules/$KVER/extra/mxlock.ko" \
		"$(modinfo -n mxlock 2>&1)" || bad=1
	return "$bad"
}
check "make install: files in place, depmod makes the module known to modprobe" t_install ||
	ktap_bail "nothing to run without the installed unit"

t_start() {
	unit_run ExecStart || return 1
	[ -d /sys/module/mxlock ] || { echo "the module is not loaded"; return 1; }
	expect_eq "list after start" "$PROVIDER" "$(list_entries)" &&
	expect_eq "armed" 1 "$(stat0 armed)" &&
	expect_eq "mode (the shipped defaults change nothing)" enforce "$(ctl mode)" &&
	expect_exit 0 ctl test "$GOOD_ADDR" &&
	expect_exit 1 ctl test "$BAD_ADDR"
}
check "ExecStart: modprobe loads the module, the shipped allow.conf locks to $PROVIDER" t_start

# The settings /etc/default/mxlock may set, the command that applies each,
# a value other than the default, and a word its output must then show.
SETTINGS=(
	"MXLOCK_MODE mode monitor monitor"
	"MXLOCK_ACTION action reject reject"
	"MXLOCK_LOG log on on"
	"MXLOCK_PORTS ports 25,587 587"
)

t_reload() {
	local gen s var cmd val word bad=0
	gen=$(stat0 generation)
	printf '# the provider\n%s\n\n# our relay\n192.0.2.0/24 # comment\n' \
		"$PROVIDER" >"$ALLOW"
	cp "$DEFAULTS" "$TMPD/defaults.orig"
	for s in "${SETTINGS[@]}"; do
		read -r var cmd val word <<<"$s"
		sed -i "s/^$var=.*/$var=$val/" "$DEFAULTS"
		grep -qx "$var=$val" "$DEFAULTS" ||
			{ echo "the shipped $DEFAULTS has no $var= line"; bad=1; }
	done
	unit_run ExecReload || return 1
	expect_eq "list after reload" "192.0.2.0/24 $PROVIDER" "$(list_entries)" || bad=1
	[ "$(stat0 generation)" != "$gen" ] || { echo "generation did not change"; bad=1; }
	for s in "${SETTINGS[@]}"; do
		read -r var cmd val word <<<"$s"
		expect_match "mxlockctl $cmd after reload with $var=$val" "\\<$word\\>" \
			"$(ctl "$cmd")" || bad=1
	done
	expect_exit 1 ctl test "$BAD_ADDR" || bad=1
	expect_exit 0 ctl test 192.0.2.77 || bad=1
	return "$bad"
}
check "ExecReload: the edited allow.conf and /etc/default/mxlock are applied" t_reload

# What the last `mxlockctl sync` loaded is in force again after a reload
# (and so at boot): the unit loads sync.list beside allow.conf, and a
# host that never synced (no sync.list) loads allow.conf alone.
t_synced() {
	local before rc
	before=$(list_entries)
	mkdir -p /var/lib/mxlock || return 1
	printf '# written by mxlockctl sync\n203.0.113.0/24\n' >/var/lib/mxlock/sync.list
	unit_run ExecReload &&
		expect_eq "list with sync.list" "$before 203.0.113.0/24" "$(list_entries)"
	rc=$?
	rm /var/lib/mxlock/sync.list || return 1
	[ "$rc" -eq 0 ] || return 1
	unit_run ExecReload || return 1
	expect_eq "list without sync.list" "$before" "$(list_entries)"
}
check "ExecReload loads /var/lib/mxlock/sync.list beside allow.conf; a missing one is no error" t_synced

# (The settings before it are applied again, which may bump the generation;
# the list is what must not change.)
t_reload_typo() {
	local before
	before=$(list_entries)
	printf '%s\n192.0.2.0/24\n199.89.0.1/21\n' "$PROVIDER" >"$ALLOW"
	if unit_run ExecReload 2>"$TMPD/typo.err"; then
		cat "$TMPD/typo.err"
		echo "ExecReload succeeded with a bad line in allow.conf"
		return 1
	fi
	grep -q '199\.89\.0\.1/21' "$TMPD/typo.err" ||
		{ cat "$TMPD/typo.err"; echo "the error does not name the bad entry"; return 1; }
	expect_eq "list after a failed reload" "$before" "$(list_entries)" &&
	expect_eq "armed" 1 "$(stat0 armed)" &&
	expect_exit 0 ctl test 192.0.2.77
}
check "ExecReload with a typo in allow.conf fails, names it, and keeps the old list" t_reload_typo

t_stop() {
	unit_run ExecStop || return 1
	expect_eq "armed after stop" 0 "$(stat0 armed)" &&
	expect_eq "list after stop" "" "$(list_entries)" &&
	expect_exit 0 ctl test "$BAD_ADDR"
}
check "ExecStop disarms: every sender passes again, mail is never blocked" t_stop

t_restart() {
	cp "$TMPD/defaults.orig" "$DEFAULTS"
	printf '%s\n' "$PROVIDER" >"$ALLOW"
	unit_run ExecStart || return 1
	expect_eq "list after a second start" "$PROVIDER" "$(list_entries)" &&
	expect_exit 1 ctl test "$BAD_ADDR" &&
	unit_run ExecStop &&
	expect_eq "armed after a second stop" 0 "$(stat0 armed)"
}
check "start again with the module already loaded, and stop again" t_restart

t_no_defaults() {
	rm -f "$DEFAULTS"
	unit_run ExecStart || return 1
	expect_eq "list" "$PROVIDER" "$(list_entries)" &&
	unit_run ExecStop
}
check "start and stop work without /etc/default/mxlock (EnvironmentFile=-)" t_no_defaults

missing=()
while read -r c; do
	[ -n "$c" ] && ! ctl_has "$c" && missing+=("$c")
done <<<"$(sed -n 's|^Exec[A-Za-z]*=[-@:+!]*[^ ]*/mxlockctl \([a-z]*\).*|\1|p' "$UNIT" | sort -u)"
if [ ${#missing[@]} -eq 0 ]; then
	ktap_ok "mxlockctl implements every command the unit runs"
else
	ktap_diag "mxlockctl lacks: ${missing[*]}"
	ktap_not_ok "mxlockctl implements every command the unit runs"
fi

t_uninstall() {
	mxlock_unload || return 1
	make -o all uninstall DEPMOD="$TMPD/depmod" || return 1
	local f bad=0
	for f in "$UNIT" "$CTL" "/lib/modules/$KVER/extra/mxlock.ko" \
		/usr/local/share/man/man8/mxlockctl.8 \
		/usr/local/share/bash-completion/completions/mxlockctl; do
		[ ! -e "$f" ] || { echo "still there: $f"; bad=1; }
	done
	if modinfo mxlock >/dev/null 2>&1; then
		echo "modinfo still finds mxlock: $(modinfo -n mxlock)"
		bad=1
	fi
	return "$bad"
}
check "make uninstall: files gone, modprobe no longer knows mxlock" t_uninstall

# The edited allow.conf stays; the unedited default file goes (the test
# removed it above, so only allow.conf is left to look at).
t_kept() {
	[ -f "$ALLOW" ] || { echo "uninstall removed the admin's $ALLOW"; return 1; }
}
check "make uninstall keeps the admin's edited allow.conf" t_kept

ktap_finish
