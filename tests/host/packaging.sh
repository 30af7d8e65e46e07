#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/host/packaging.sh: mxlock installs like a real kernel package.
# Runs on the build host (no VM, no module loading): `make install` and
# `make uninstall` into a staging DESTDIR, the systemd units through
# `systemd-analyze verify`, a DKMS build and install into private trees,
# the man page through groff and man, the bash completion through bash.
#
#   tests/host/packaging.sh        (from anywhere; builds what it needs)
#
# Output is KTAP version 1; exit status 0 pass, 1 fail, 4 all skipped
# (kselftest's). A subtest whose tool is missing (dkms, systemd-analyze,
# groff, man, bash-completion) is reported "ok N ... # SKIP"; `make` or a
# build failing is a failure. Needs root only for DKMS (dkms refuses to
# run otherwise); touches nothing outside its temporary directory: DKMS
# runs with private --dkmstree/--sourcetree/--installtree, --no-depmod and
# a throw-away signing key.
#
# Environment: KDIR (kernel tree, as for make; default scripts/kdir).

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1

# ---- KTAP ------------------------------------------------------------------

PLAN=19
# shellcheck source=ktap.bash
source "$top/tests/host/ktap.bash"

# ---- setup -----------------------------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxlock-packaging.XXXXXX") || exit 1
DKMS_PRIVATE=
cleanup() {
	# A DKMS run that failed half-way: remove it from the private tree.
	if [ -n "$DKMS_PRIVATE" ] &&
	   $DKMS_PRIVATE status -m mxlock 2>/dev/null | grep -q .; then
		$DKMS_PRIVATE remove -m mxlock -v "$VERSION" --all >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

begin

VERSION=$(cat VERSION 2>/dev/null)
KDIR=${KDIR:-$(scripts/kdir 2>/dev/null)}
KVER=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$KDIR/include/generated/utsrelease.h" 2>/dev/null)
export KDIR
diag "version ${VERSION:-?}, kernel tree ${KDIR:-?} (release ${KVER:-?})"
if [ -z "$VERSION" ] || [ -z "$KVER" ]; then
	diag "no VERSION file or no kernel tree: nothing can be checked"
	while [ $num -lt $PLAN ]; do
		num=$((num + 1)) nfail=$((nfail + 1))
		echo "not ok $num not run: no VERSION or kernel tree"
	done
	finish
fi

# The commands of the final mxlockctl, each of which the man page must
# document and the completion must offer.
COMMANDS="replace sync add del flush list stats mode action log ports test denied load monitor check help"
# The units make install puts in place, each from packaging/.
UNITS="mxlock.service mxlock-sync.service mxlock-sync.timer"

# What `make install` puts in DESTDIR with PREFIX=/usr/local: path mode.
expected_files() { # prefix
	cat <<-EOF
	lib/modules/$KVER/extra/mxlock.ko 644
	${1#/}/sbin/mxlockctl 755
	${1#/}/share/man/man8/mxlockctl.8 644
	${1#/}/share/bash-completion/completions/mxlockctl 644
	${1#/}/lib/systemd/system/mxlock.service 644
	${1#/}/lib/systemd/system/mxlock-sync.service 644
	${1#/}/lib/systemd/system/mxlock-sync.timer 644
	etc/mxlock/allow.conf 644
	etc/mxlock/sync.conf 644
	etc/default/mxlock 644
	EOF
}

# mk ARGS...: make, its output shown only if it fails.
mk() {
	make "$@" >"$tmp/make.log" 2>&1 && return 0
	cat "$tmp/make.log"
	echo "(make $* failed)"
	return 1
}

# stage: one more `make install` (PREFIX=/usr/local) for the checks that
# look at installed files, done once; prints its DESTDIR.
stage() {
	local d=$tmp/dest-stage
	[ -e "$d/.done" ] || { mk install DESTDIR="$d" PREFIX=/usr/local && touch "$d/.done"; } ||
		return 1
	echo "$d"
}

# The files under a tree, as "path mode", sorted.
tree_files() { # dir
	(cd "$1" && find . ! -type d -printf '%P %m\n') | LC_ALL=C sort
}

# ---- 1: one version --------------------------------------------------------

t_version() {
	local bad=0 v
	v=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
	# A placeholder: make install-dkms-src and dh_dkms -V fill it in.
	[ "$v" = "#MODULE_VERSION#" ] ||
		{ echo "dkms.conf PACKAGE_VERSION [$v], not the placeholder"; bad=1; }
	v=$(sed -n 's/^\.TH [^"]*"mxlock \([^"]*\)".*/\1/p' doc/mxlockctl.8)
	[ "$v" = "$VERSION" ] ||
		{ echo "doc/mxlockctl.8 .TH says mxlock [$v], VERSION [$VERSION]"; bad=1; }
	# Built by the install below if it is not yet.
	make -s ctl >/dev/null 2>&1
	v=$(ctl/mxlockctl --version 2>&1)
	[[ $v == "mxlockctl $VERSION "* ]] ||
		{ echo "ctl/mxlockctl --version says [$v], VERSION [$VERSION]"; bad=1; }
	return "$bad"
}
check "VERSION, the man page and mxlockctl --version agree; dkms.conf leaves it to them" t_version

# ---- 2-6: make install / uninstall -----------------------------------------

d1=$tmp/dest-local
t_install() {
	mk install DESTDIR="$d1" PREFIX=/usr/local || return 1
	local want got
	want=$(expected_files /usr/local | LC_ALL=C sort)
	got=$(tree_files "$d1")
	[ "$want" = "$got" ] && return 0
	echo "expected exactly:"; echo "$want"
	echo "got:"; echo "$got"
	return 1
}
check "make install DESTDIR PREFIX=/usr/local: every file in place, modes sane, nothing else" t_install

t_installed_content() {
	local bad=0 ko=$d1/lib/modules/$KVER/extra/mxlock.ko unit exec v
	v=$(modinfo -F vermagic "$ko") || return 1
	[[ $v == "$KVER "* ]] || { echo "module vermagic [$v], want $KVER ..."; bad=1; }
	v=$(modinfo -F name "$ko")
	[ "$v" = mxlock ] || { echo "module name [$v]"; bad=1; }
	cmp kmod/mxlock.ko "$ko" || bad=1
	cmp ctl/mxlockctl "$d1/usr/local/sbin/mxlockctl" || bad=1
	cmp doc/mxlockctl.8 "$d1/usr/local/share/man/man8/mxlockctl.8" || bad=1
	cmp packaging/mxlockctl.bash-completion \
		"$d1/usr/local/share/bash-completion/completions/mxlockctl" || bad=1
	cmp packaging/allow.conf "$d1/etc/mxlock/allow.conf" || bad=1
	cmp packaging/sync.conf "$d1/etc/mxlock/sync.conf" || bad=1
	cmp packaging/mxlock.default "$d1/etc/default/mxlock" || bad=1
	for unit in $UNITS; do
		cmp "packaging/$unit" "$d1/usr/local/lib/systemd/system/$unit" ||
			{ echo "with PREFIX=/usr/local $unit is installed as it is"; bad=1; }
		# Every Exec line runs the installed mxlockctl.
		while read -r exec; do
			case ${exec#*=} in
			"/usr/local/sbin/mxlockctl "*) ;;
			*) echo "unexpected command in $unit: $exec"; bad=1 ;;
			esac
		done < <(grep '^Exec' "$d1/usr/local/lib/systemd/system/$unit")
	done
	grep -qx '199\.89\.0\.0/21' "$d1/etc/mxlock/allow.conf" ||
		{ echo "the sample allow.conf lacks the provider's 199.89.0.0/21"; bad=1; }
	# sync.conf ships with every setting commented out: no provider
	# until the admin names one (the timer is not enabled either).
	if grep -v '^[[:space:]]*\(#\|$\)' "$d1/etc/mxlock/sync.conf"; then
		echo "the sample sync.conf sets something (above)"; bad=1
	fi
	grep -q '^#provider ' "$d1/etc/mxlock/sync.conf" ||
		{ echo "the sample sync.conf has no commented provider example"; bad=1; }
	return "$bad"
}
check "installed files: module for $KVER, same bytes as built, units run /usr/local/sbin/mxlockctl" \
	t_installed_content

# PREFIX=/usr, as a distribution package would, under umask 027: modes must
# not depend on the caller's umask, and the unit must follow the prefix.
d2=$tmp/dest-usr
t_install_usr() {
	(umask 027 && mk install DESTDIR="$d2" PREFIX=/usr) || return 1
	local want got bad=0 unit=$d2/usr/lib/systemd/system/mxlock.service
	local sync=$d2/usr/lib/systemd/system/mxlock-sync.service
	want=$(expected_files /usr | LC_ALL=C sort)
	got=$(tree_files "$d2")
	if [ "$want" != "$got" ]; then
		echo "expected exactly:"; echo "$want"; echo "got:"; echo "$got"
		bad=1
	fi
	got=$(cd "$d2" && find . -mindepth 1 -type d ! -perm 755 -printf '%P %m\n')
	[ -z "$got" ] || { echo "directories not 755:"; echo "$got"; bad=1; }
	grep -q '^ExecStart=/usr/sbin/mxlockctl replace -f /etc/mxlock/allow.conf -F /var/lib/mxlock/sync.list$' "$unit" ||
		{ echo "the unit does not run /usr/sbin/mxlockctl:"; grep '^Exec' "$unit"; bad=1; }
	grep -qx 'ExecStart=/usr/sbin/mxlockctl sync' "$sync" ||
		{ echo "mxlock-sync.service does not run /usr/sbin/mxlockctl:"; grep '^Exec' "$sync"; bad=1; }
	if grep '^Exec' "$unit" "$sync" | grep -q /usr/local; then
		echo "a unit still runs something in /usr/local:"; grep '^Exec' "$unit" "$sync"; bad=1
	fi
	return "$bad"
}
check "make install PREFIX=/usr (umask 027): files under /usr, dirs 755, units run /usr/sbin/mxlockctl" \
	t_install_usr

# An admin's edits survive a second install; shipped files are refreshed.
t_reinstall() {
	local conf=$d1/etc/mxlock/allow.conf def=$d1/etc/default/mxlock bad=0
	local sconf=$d1/etc/mxlock/sync.conf
	printf '# mine\n192.0.2.0/24\n' > "$conf"
	printf 'MXLOCK_MODE=monitor\n' > "$def"
	printf 'provider spf.provider.example\n' > "$sconf"
	echo garbage > "$d1/usr/local/share/man/man8/mxlockctl.8"
	mk install DESTDIR="$d1" PREFIX=/usr/local || return 1
	[ "$(cat "$conf")" = "$(printf '# mine\n192.0.2.0/24')" ] ||
		{ echo "allow.conf was overwritten:"; cat "$conf"; bad=1; }
	[ "$(cat "$def")" = MXLOCK_MODE=monitor ] ||
		{ echo "/etc/default/mxlock was overwritten:"; cat "$def"; bad=1; }
	[ "$(cat "$sconf")" = "provider spf.provider.example" ] ||
		{ echo "sync.conf was overwritten:"; cat "$sconf"; bad=1; }
	cmp doc/mxlockctl.8 "$d1/usr/local/share/man/man8/mxlockctl.8" ||
		{ echo "the man page was not refreshed"; bad=1; }
	return "$bad"
}
check "second make install keeps the edited allow.conf, sync.conf and /etc/default/mxlock" t_reinstall

t_uninstall() {
	local got bad=0
	mk uninstall DESTDIR="$d1" PREFIX=/usr/local || return 1
	got=$(tree_files "$d1")
	# Only the admin's edited configuration stays.
	[ "$got" = "$(printf 'etc/default/mxlock 644\netc/mxlock/allow.conf 644\netc/mxlock/sync.conf 644')" ] ||
		{ echo "left after uninstall (want only the edited config):"; echo "$got"; bad=1; }
	mk uninstall DESTDIR="$d2" PREFIX=/usr || return 1
	got=$(tree_files "$d2")
	[ -z "$got" ] || { echo "left after uninstalling an unedited install:"; echo "$got"; bad=1; }
	[ ! -e "$d2/etc/mxlock" ] || { echo "empty etc/mxlock left behind"; bad=1; }
	return "$bad"
}
check "make uninstall removes every file, keeps only config the admin edited" t_uninstall

# ---- 7-8: the systemd units -------------------------------------------------

# verify checks that each Exec command exists and is executable, that the
# Documentation= man page exists, and that the units named in the
# dependencies load (mxlock-sync.service's Requisite=mxlock.service, the
# timer's service): all three are pointed at the staged tree (the Exec
# paths rewritten, MANPATH) and verified together, so the installed files
# are what is checked, not whatever this host has.
stage_units() {
	local d u v=$tmp/verify
	d=$(stage) || { echo "$d"; return 1; }
	mkdir -p "$v"
	for u in $UNITS; do
		sed "/^Exec/s|/usr/local/sbin/|$d/usr/local/sbin/|" \
			"$d/usr/local/lib/systemd/system/$u" > "$v/$u"
	done
	echo "$d"
}
t_unit() {
	local d v=$tmp/verify out rc u files=()
	d=$(stage_units) || { echo "$d"; return 1; }
	for u in $UNITS; do files+=("$v/$u"); done
	out=$(cd "$v" && MANPATH=$d/usr/local/share/man \
		systemd-analyze verify --man=yes "${files[@]}" 2>&1)
	rc=$?
	[ -n "$out" ] && echo "$out"
	[ "$rc" -eq 0 ] || return 1
	# verify passes with warnings on stderr too; there must be none.
	[ -z "$out" ] || { echo "systemd-analyze verify said something (above)"; return 1; }
	# What the service must be, beyond syntax.
	local want bad=0
	for want in '^Type=oneshot$' '^RemainAfterExit=yes$' \
		'^ExecStart=.*/mxlockctl load$' \
		'^ExecStart=.*/mxlockctl replace -f /etc/mxlock/allow.conf -F /var/lib/mxlock/sync.list$' \
		'^ExecReload=.*/mxlockctl replace -f /etc/mxlock/allow.conf -F /var/lib/mxlock/sync.list$' \
		'^ExecStop=.*/mxlockctl flush$' \
		'^EnvironmentFile=-/etc/default/mxlock$' \
		'^Before=network-pre.target' '^Before=postfix.service'; do
		grep -q "$want" "$v/mxlock.service" || { echo "mxlock.service lacks /$want/"; bad=1; }
	done
	return "$bad"
}
# The sync units: ordered after the lock and the network, never starting
# the lock themselves, hourly, enabled by nobody but the admin, and
# sandboxed down to what sync needs (systemd-analyze security reads the
# unit as it is, without loading it: --offline).
t_sync_units() {
	local d v=$tmp/verify want bad=0 out
	d=$(stage_units) || { echo "$d"; return 1; }
	for want in '^Type=oneshot$' '^ExecStart=.*/mxlockctl sync$' \
		'^Requisite=mxlock.service$' '^After=mxlock.service network-online.target' \
		'^Wants=network-online.target$' '^StateDirectory=mxlock$' \
		'^CapabilityBoundingSet=CAP_NET_ADMIN$' '^ProtectSystem=strict$' \
		'^RestrictAddressFamilies=AF_NETLINK AF_INET AF_INET6$'; do
		grep -q "$want" "$v/mxlock-sync.service" ||
			{ echo "mxlock-sync.service lacks /$want/"; bad=1; }
	done
	# Requisite, never Requires/Wants/BindsTo: sync must not start a
	# lock the admin stopped. No [Install]: the timer starts it.
	if grep -E '^(Requires|BindsTo|Wants)=.*mxlock\.service' "$v/mxlock-sync.service"; then
		echo "mxlock-sync.service would start mxlock.service"; bad=1
	fi
	if grep -q '^\[Install\]' "$v/mxlock-sync.service"; then
		echo "mxlock-sync.service has an [Install] section"; bad=1
	fi
	# In the host's network namespace with real CAP_NET_ADMIN.
	if grep -E '^(PrivateNetwork|PrivateUsers|DynamicUser)=yes' "$v/mxlock-sync.service"; then
		echo "mxlock-sync.service cannot reach the host's lock so"; bad=1
	fi
	for want in '^OnBootSec=' '^OnUnitActiveSec=1h$' '^RandomizedDelaySec=' \
		'^WantedBy=timers.target$'; do
		grep -q "$want" "$v/mxlock-sync.timer" || { echo "mxlock-sync.timer lacks /$want/"; bad=1; }
	done
	if out=$(systemd-analyze security --offline=yes --threshold=25 \
		"$v/mxlock-sync.service" 2>&1 | tail -n 1); then
		echo "$out"
	else
		echo "$out"; echo "systemd-analyze security: exposure above 2.5"; bad=1
	fi
	return "$bad"
}
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify passes on the three installed units (Exec paths and man page staged)" t_unit
	check "mxlock-sync: Requisite the lock, after the network, hourly timer, sandboxed (exposure <= 2.5)" \
		t_sync_units
else
	skip "systemd-analyze verify passes on the three installed units" "systemd-analyze not installed (apt-get install systemd)"
	skip "mxlock-sync: Requisite the lock, after the network, hourly timer, sandboxed" "systemd-analyze not installed"
fi

# ---- 9-13: DKMS ---------------------------------------------------------------

# Private trees; a throw-away signing key instead of /var/lib/dkms/mok.*.
dk=$tmp/dkms
DKMS_CMD="dkms --dkmstree $dk/tree --sourcetree $dk/src --installtree $dk/inst --no-depmod"
t_dkms_install() {
	local built inst v bad=0
	mkdir -p "$dk/tree" "$dk/src" "$dk/inst/$KVER"
	DKMS_PRIVATE=$DKMS_CMD
	mok_signing_key=$dk/mok.key mok_certificate=$dk/mok.pub \
		mk dkms-install KVER="$KVER" DKMS="$DKMS_CMD" DKMS_SRCTREE="$dk/src" ||
		{ cat "$dk/tree/mxlock/$VERSION/build/make.log" 2>/dev/null; return 1; }
	$DKMS_CMD status -m mxlock -v "$VERSION" | grep -q "$KVER.*: installed" ||
		{ $DKMS_CMD status; echo "dkms status does not say installed for $KVER"; bad=1; }
	built=$dk/tree/mxlock/$VERSION/$KVER/$(uname -m)/module/mxlock.ko
	inst=$(find "$dk/inst/$KVER" -name 'mxlock.ko*')
	[ -f "$built" ] || { echo "no $built"; bad=1; }
	[ -n "$inst" ] || { echo "nothing installed under $dk/inst/$KVER"; return 1; }
	echo "installed as ${inst#"$dk/inst/"}"
	v=$(modinfo -F vermagic "$inst")
	[[ $v == "$KVER "* ]] || { echo "vermagic [$v], want $KVER ..."; bad=1; }
	# Built from the copied sources only: nothing else in the source dir.
	v=$(cd "$dk/src/mxlock-$VERSION" && find . -type f | LC_ALL=C sort | tr '\n' ' ')
	echo "dkms source: $v"
	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$dk/src/mxlock-$VERSION/dkms.conf" ||
		{ echo "the copied dkms.conf does not say VERSION ($VERSION)"; bad=1; }
	return "$bad"
}
t_dkms_uninstall() {
	mk dkms-uninstall DKMS="$DKMS_CMD" DKMS_SRCTREE="$dk/src" || return 1
	local left
	left=$(find "$dk/inst" "$dk/src" "$dk/tree" -type f)
	[ -z "$left" ] || { echo "left behind:"; echo "$left"; return 1; }
	DKMS_PRIVATE=
}
# The upgrade path (Debian 12 -> 13's 6.12) and on: the source dkms has
# just installed builds for each other kernel's headers too, as dkms
# would on a kernel upgrade (scripts/fetch-kernel unpacks them; 7.x
# builds in the sid chroot, with its own dkms and private trees under
# build/, which the chroot sees).
t_dkms_other() { # NAME
	local fk kver kdir root d built v
	fk=$(scripts/fetch-kernel "$1" 2>&1) || { echo "$fk"; return 1; }
	kver=$(eval "$fk"; echo "$KVER")
	kdir=$(eval "$fk"; echo "$KDIR")
	root=$(eval "$fk"; echo "$CHROOT")
	if [ -n "$root" ]; then
		d=$top/build/dkms-$kver
		rm -rf "$d"
		mkdir -p "$d/tree" "$d/src"
		cp -a "$dk/src/mxlock-$VERSION" "$d/src/" || return 1
		scripts/sid-chroot run dkms --dkmstree "$d/tree" --sourcetree "$d/src" \
			add -m mxlock -v "$VERSION" >/dev/null || return 1
		scripts/sid-chroot run dkms --dkmstree "$d/tree" --sourcetree "$d/src" \
			build -m mxlock -v "$VERSION" -k "$kver" --kernelsourcedir "$kdir" ||
			{ cat "$d/tree/mxlock/$VERSION/build/make.log" 2>/dev/null; return 1; }
		built=$(find "$d/tree/mxlock/$VERSION/$kver" -name 'mxlock.ko*' | head -n 1)
	else
		mok_signing_key=$dk/mok.key mok_certificate=$dk/mok.pub \
			$DKMS_CMD build -m mxlock -v "$VERSION" -k "$kver" \
			--kernelsourcedir "$kdir" ||
			{ cat "$dk/tree/mxlock/$VERSION/build/make.log" 2>/dev/null; return 1; }
		built=$(find "$dk/tree/mxlock/$VERSION/$kver" -name 'mxlock.ko*' | head -n 1)
	fi
	[ -n "$built" ] || { echo "dkms built no mxlock.ko for $kver"; return 1; }
	v=$(modinfo -F vermagic "$built")
	echo "built ${built#"$top"/}: vermagic $v"
	[ -z "$root" ] || rm -rf "$d"
	[[ $v == "$kver "* ]] || { echo "vermagic [$v], want $kver ..."; return 1; }
}
OTHER_KERNELS=(6.12 6.1-rt 7.x)
if ! command -v dkms >/dev/null; then
	skip "make dkms-install: dkms builds and installs mxlock.ko for $KVER" "dkms not installed (apt-get install dkms)"
	for k in "${OTHER_KERNELS[@]}"; do
		skip "dkms build for $k" "dkms not installed"
	done
	skip "make dkms-uninstall: dkms remove leaves nothing" "dkms not installed"
elif [ "$(id -u)" -ne 0 ]; then
	skip "make dkms-install: dkms builds and installs mxlock.ko for $KVER" "dkms needs root"
	for k in "${OTHER_KERNELS[@]}"; do
		skip "dkms build for $k" "dkms needs root"
	done
	skip "make dkms-uninstall: dkms remove leaves nothing" "dkms needs root"
else
	check "make dkms-install: dkms builds and installs mxlock.ko for $KVER (vermagic checked)" t_dkms_install
	for k in "${OTHER_KERNELS[@]}"; do
		check "dkms build for $k's headers (vermagic checked)" t_dkms_other "$k"
	done
	check "make dkms-uninstall: dkms remove leaves nothing" t_dkms_uninstall
fi

# ---- 14-15: the man page -------------------------------------------------------

t_groff() {
	local out
	out=$(groff -man -Tutf8 -ww -z doc/mxlockctl.8 2>&1) || { echo "$out"; return 1; }
	[ -z "$out" ] || { echo "$out"; return 1; }
}
t_man() {
	local out err bad=0 c
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l doc/mxlockctl.8 2>"$tmp/man.err") ||
		{ cat "$tmp/man.err"; return 1; }
	err=$(cat "$tmp/man.err")
	[ -z "$err" ] || { echo "$err"; bad=1; }
	for c in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS ENTRIES SYNC FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -q "^$c\$" <<<"$out" || { echo "no section $c"; bad=1; }
	done
	# Each command has its own paragraph under COMMANDS.
	for c in $COMMANDS; do
		sed -n '/^COMMANDS$/,/^ENTRIES$/p' <<<"$out" | grep -Eq "^       $c( |\$)" ||
			{ echo "COMMANDS does not document '$c'"; bad=1; }
	done
	# SYNC: each key of sync.conf, each DNSSEC status, the guard's exit
	# status, the state files and the timer.
	local sync
	sync=$(sed -n '/^SYNC$/,/^THE MODULE$/p' <<<"$out")
	for c in provider extra resolver trust-anchor dnssec timeout max-shrink state-dir; do
		grep -Eq "^       $c( |\$)" <<<"$sync" || { echo "SYNC does not document the key '$c'"; bad=1; }
	done
	for c in secure insecure bogus sync.list sync.state mxlock-sync.timer \
		--force --dry-run "exit status 3"; do
		grep -q -- "$c" <<<"$sync" || { echo "SYNC does not mention '$c'"; bad=1; }
	done
	sed -n '/^EXIT STATUS$/,/^EXAMPLES$/p' <<<"$out" | grep -Eq '^       3 ' ||
		{ echo "EXIT STATUS does not document 3"; bad=1; }
	return "$bad"
}
if command -v groff >/dev/null; then
	check "man page: groff -man -ww finds nothing to warn about" t_groff
else
	skip "man page: groff -man -ww finds nothing to warn about" "groff not installed"
fi
if command -v man >/dev/null; then
	check "man page: man --warnings renders it silently, with every section and command, SYNC's keys" t_man
else
	skip "man page: man --warnings renders it silently" "man not installed (apt-get install man-db)"
fi

# ---- 16-17: bash completion ------------------------------------------------------

# complete.sh [bash_completion]: source the completion (after bash-
# completion's own script, if given), then print "words -> replies" for
# each case below; compared with what we expect.
cat > "$tmp/complete.sh" <<'EOF'
[ -n "$2" ] && source "$2"
source "$1" || exit 1
complete -p mxlockctl | grep -q -- '-F _mxlockctl' || { echo "no complete -F"; exit 1; }
c() {
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
	_mxlockctl mxlockctl "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
	echo "$* -> ${COMPREPLY[*]}"
}
c mxlockctl mo
c mxlockctl ''
c mxlockctl -j st
c mxlockctl --json l
c mxlockctl --
c mxlockctl mode ''
c mxlockctl mode enforce ''
c mxlockctl action r
c mxlockctl log ''
c mxlockctl denied ''
c mxlockctl help de
c mxlockctl replace ''
c mxlockctl add 192.0.2.0/24 -
c mxlockctl replace -f "$3/al"
c mxlockctl del -f "$3/mxlock.def"
c mxlockctl test ''
c mxlockctl flush ''
c mxlockctl sy
c mxlockctl sync ''
c mxlockctl sync --d
c mxlockctl sync -c "$3/sync.c"
c mxlockctl -j sync --dry-run mail.example ''
c mxlockctl replace --
c mxlockctl replace -F "$3/al"
c mxlockctl check ''
c mxlockctl check --sync-age ''
c mxlockctl -j check -c "$3/sync.c"
EOF
expected_completions() { # dir
	cat <<-EOF
	mxlockctl mo -> mode monitor
	mxlockctl  -> $COMMANDS
	mxlockctl -j st -> stats
	mxlockctl --json l -> list log load
	mxlockctl -- -> --json --help --version
	mxlockctl mode  -> enforce monitor
	mxlockctl mode enforce  -> 
	mxlockctl action r -> reject
	mxlockctl log  -> on off
	mxlockctl denied  -> flush
	mxlockctl help de -> del denied
	mxlockctl replace  -> --dry-run -f -F
	mxlockctl add 192.0.2.0/24 - -> -f
	mxlockctl replace -f $1/al -> $1/allow.conf
	mxlockctl del -f $1/mxlock.def -> $1/mxlock.default
	mxlockctl test  -> 
	mxlockctl flush  -> 
	mxlockctl sy -> sync
	mxlockctl sync  -> -c --dry-run --force
	mxlockctl sync --d -> --dry-run
	mxlockctl sync -c $1/sync.c -> $1/sync.conf
	mxlockctl -j sync --dry-run mail.example  -> -c --dry-run --force
	mxlockctl replace -- -> --dry-run
	mxlockctl replace -F $1/al -> $1/allow.conf
	mxlockctl check  -> -c --sync-age --sync-age-critical
	mxlockctl check --sync-age  -> 
	mxlockctl -j check -c $1/sync.c -> $1/sync.conf
	EOF
}
t_completion() { # [bash_completion]
	local want got
	want=$(expected_completions "$top/packaging")
	got=$(bash --norc --noprofile "$tmp/complete.sh" \
		"$top/packaging/mxlockctl.bash-completion" "${1:-}" "$top/packaging" 2>&1) ||
		{ echo "$got"; return 1; }
	[ "$want" = "$got" ] && return 0
	diff -u <(echo "$want") <(echo "$got")
	return 1
}
check "completion, plain bash: commands (mo -> mode monitor), mode/action/log words, -f/-F/-c files, sync and replace options" \
	t_completion

# With bash-completion: the same, and its loader finds the file where
# make install put it (XDG_DATA_DIRS points at the staged share/).
t_completion_loader() {
	local d out
	t_completion /usr/share/bash-completion/bash_completion || return 1
	d=$(stage) || { echo "$d"; return 1; }
	out=$(XDG_DATA_DIRS=$d/usr/local/share bash --norc --noprofile -c '
		source /usr/share/bash-completion/bash_completion
		__load_completion mxlockctl || exit 1
		complete -p mxlockctl' 2>&1)
	[[ $out == *"-F _mxlockctl"* ]] && return 0
	echo "bash-completion did not load the installed completion: $out"
	return 1
}
if [ -r /usr/share/bash-completion/bash_completion ]; then
	check "completion with bash-completion: same answers, and it loads from the installed path" \
		t_completion_loader
else
	skip "completion with bash-completion" "bash-completion not installed"
fi

# ---- 18: every command the units run exists in the final CLI ---------------------

t_unit_commands() {
	local bad=0 sub u
	for u in $UNITS; do
		while read -r sub; do
			[[ " $COMMANDS " == *" $sub "* ]] || { echo "$u runs 'mxlockctl $sub'"; bad=1; }
		done < <(sed -n 's|^Exec[A-Za-z]*=[-@:+!]*[^ ]*/mxlockctl \([a-z]*\).*|\1|p' "packaging/$u")
	done
	return "$bad"
}
check "the units run only mxlockctl commands of the documented CLI" t_unit_commands

# ---- 19: mxlock-dkms's postinst tells a Secure Boot host to enroll the key ----
#
# mokutil is a stand-in (this host has no EFI): it answers --sb-state and
# --test-key with the lines mokutil 0.6/0.7 prints, chosen per case.
t_postinst_sb() {
	local d=$tmp/sb bad=0 sb key out
	mkdir -p "$d" || return 1
	cat >"$d/mokutil" <<-'EOF'
	#!/bin/sh
	case $1 in
	--sb-state) echo "$SB" ;;
	--test-key) echo "$2 $KEY" ;;
	esac
	EOF
	chmod +x "$d/mokutil" || return 1
	# SB state | key state | notice expected (1) or not (0)
	while IFS='|' read -r sb key want; do
		out=$(SB=$sb KEY=$key PATH=$d:$PATH sh debian/mxlock-dkms.postinst configure 2>&1) ||
			{ echo "postinst failed ($sb, $key): $out"; bad=1; continue; }
		if [ "$want" = 1 ]; then
			grep -q 'mokutil --import /var/lib/dkms/mok.pub' <<<"$out" &&
				grep -q 'NOTHING IS' <<<"$out" ||
				{ echo "no notice with '$sb', '$key': '$out'"; bad=1; }
		elif [ "$want" = pending ]; then
			grep -q 'reboot and confirm it in MokManager' <<<"$out" ||
				{ echo "no pending notice: '$out'"; bad=1; }
		elif [ -n "$out" ]; then
			echo "a notice with '$sb', '$key': '$out'"; bad=1
		fi
	done <<-'EOF'
	SecureBoot enabled|is not enrolled|1
	SecureBoot enabled|is already enrolled|0
	SecureBoot enabled|is already in the enrollment request|pending
	SecureBoot disabled|is not enrolled|0
	EOF
	# Not configure (abort-upgrade and the like): nothing said.
	out=$(SB="SecureBoot enabled" KEY="is not enrolled" PATH=$d:$PATH \
		sh debian/mxlock-dkms.postinst abort-upgrade 2>&1)
	[ -z "$out" ] || { echo "a notice on abort-upgrade: '$out'"; bad=1; }
	return "$bad"
}
check "mxlock-dkms postinst: Secure Boot on and DKMS's key not enrolled -> the mokutil notice, else none" t_postinst_sb

finish
