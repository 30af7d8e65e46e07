#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/host/deb.sh: the Debian packages build, pass lintian, and carry
# what they should. Runs on the build host (no VM): scripts/deb (what
# `make deb` runs), then reads the .debs. Whether they install, start at
# boot and purge cleanly is scripts/check-boot's (make check-boot).
#
# Output is KTAP version 1; exit status 0 pass, 1 fail, 4 all skipped.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1

PLAN=9
# shellcheck source=ktap.bash
source "$top/tests/host/ktap.bash"
begin

VERSION=$(cat VERSION)
out=$top/build/deb
dkms_deb=$out/mxlock-dkms_${VERSION}_all.deb
ctl_deb=$out/mxlockctl_${VERSION}_$(dpkg --print-architecture).deb

if ! command -v dpkg-buildpackage >/dev/null || ! command -v lintian >/dev/null ||
   ! [ -e /usr/share/perl5/Debian/Debhelper/Sequence/dkms.pm ]; then
	for d in build lintian dkms-contents ctl-contents conffiles maintscripts sync-maintscripts \
		version clean-clone; do
		skip "$d" "debhelper, dh-dkms or lintian missing (scripts/install-deps)"
	done
	finish
fi

t_build() {
	mkdir -p "$top/build"	# a clean clone has none
	scripts/deb >"$out.log" 2>&1 || { tail -n 40 "$out.log"; return 1; }
	if [ ! -f "$dkms_deb" ] || [ ! -f "$ctl_deb" ]; then
		ls -l "$out"
		return 1
	fi
	# Unpacked once, for the checks below to read.
	rm -rf "$out/x-dkms" "$out/x-ctl" "$out/dkms-control" "$out/ctl-control"
	dpkg-deb -x "$dkms_deb" "$out/x-dkms" && dpkg-deb -e "$dkms_deb" "$out/dkms-control" &&
		dpkg-deb -x "$ctl_deb" "$out/x-ctl" && dpkg-deb -e "$ctl_deb" "$out/ctl-control" ||
		return 1
	# Both say VERSION, the one place it is defined.
	[ "$(dpkg-deb -f "$dkms_deb" Version)" = "$VERSION" ] &&
		[ "$(dpkg-deb -f "$ctl_deb" Version)" = "$VERSION" ]
}
check "make deb builds mxlock-dkms and mxlockctl, version $VERSION" t_build

# No error, and no warning that has not been overridden with a reason.
t_lintian() {
	local found
	[ -f "$out/lintian.txt" ] || { echo "no $out/lintian.txt: lintian did not run"; return 1; }
	found=$(grep -E '^[EW]: ' "$out/lintian.txt")
	[ -z "$found" ] || { echo "$found"; return 1; }
}
check "lintian: no error, no warning" t_lintian

# The DKMS package: the module's sources (those `make dkms-install`
# copies), dkms.conf with the version filled in, and the DKMS hooks.
t_dkms_contents() {
	local x=$out/x-dkms want have
	want=$(make -s -f - <<-'EOF'
	include Makefile
	all: ; @printf '%s\n' $(DKMS_FILES) | LC_ALL=C sort
	EOF
	)
	have=$(cd "$x/usr/src/mxlock-$VERSION" && find . -type f -printf '%P\n' | LC_ALL=C sort)
	[ "$want" = "$have" ] || { diff <(echo "$want") <(echo "$have"); return 1; }
	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$x/usr/src/mxlock-$VERSION/dkms.conf" ||
		{ echo "dkms.conf's PACKAGE_VERSION is not $VERSION"; return 1; }
	dpkg-deb -f "$dkms_deb" Depends | grep -q 'dkms'
}
check "mxlock-dkms: the module's sources and dkms.conf for $VERSION; depends on dkms" t_dkms_contents

# The tool's package: the tool, its man page and completion, the units
# with the packaged path, a dependency on the module's package, and the
# trust anchor sync needs recommended.
t_ctl_contents() {
	local x=$out/x-ctl f u=$out/x-ctl/lib/systemd/system
	for f in usr/sbin/mxlockctl usr/share/man/man8/mxlockctl.8.gz \
		usr/share/bash-completion/completions/mxlockctl \
		lib/systemd/system/mxlock.service lib/systemd/system/mxlock-sync.service \
		lib/systemd/system/mxlock-sync.timer; do
		[ -f "$x/$f" ] || { echo "no /$f"; return 1; }
	done
	"$x/usr/sbin/mxlockctl" --version | grep -q "^mxlockctl $VERSION " || return 1
	! grep -n '^[^#]*/usr/local' "$u/mxlock.service" "$u/mxlock-sync.service" || return 1
	grep -q '^ExecStart=/usr/sbin/mxlockctl replace -f /etc/mxlock/allow.conf -F /var/lib/mxlock/sync.list$' \
		"$u/mxlock.service" || return 1
	grep -qx 'ExecStart=/usr/sbin/mxlockctl sync' "$u/mxlock-sync.service" || return 1
	# The state directory is systemd's to make (StateDirectory=), not
	# the package's.
	[ ! -e "$x/var/lib/mxlock" ] || { echo "the package ships /var/lib/mxlock"; return 1; }
	dpkg-deb -f "$ctl_deb" Recommends | grep -q 'dns-root-data' ||
		{ echo "mxlockctl does not recommend dns-root-data"; return 1; }
	dpkg-deb -f "$ctl_deb" Depends | grep -q "mxlock-dkms (= $VERSION)"
}
check "mxlockctl: tool, man page, completion, three units on /usr/sbin; needs mxlock-dkms $VERSION" t_ctl_contents

# The admin's files are conffiles: an upgrade never overwrites an edited
# allowlist, and purge removes them.
t_conffiles() {
	local c=$out/ctl-control expect
	expect="/etc/default/mxlock
/etc/mxlock/allow.conf
/etc/mxlock/sync.conf"
	[ "$(LC_ALL=C sort "$c/conffiles")" = "$expect" ] ||
		{ echo "conffiles:"; cat "$c/conffiles"; return 1; }
	grep -qx '199.89.0.0/21' "$out/x-ctl/etc/mxlock/allow.conf" || return 1
	# sync.conf names no provider as shipped: every line a comment.
	! grep -v '^[[:space:]]*\(#\|$\)' "$out/x-ctl/etc/mxlock/sync.conf"
}
check "conffiles: /etc/mxlock/allow.conf (199.89.0.0/21), sync.conf (all commented), /etc/default/mxlock" t_conffiles

# Enabled and started on install (Debian policy); stopped on removal,
# which disarms (ExecStop flushes); the module's package says how the
# loaded module goes.
t_maintscripts() {
	local c=$out/ctl-control d=$out/dkms-control
	grep -q "deb-systemd-helper .*enable.* 'mxlock.service'" "$c/postinst" ||
		{ echo "postinst does not enable mxlock.service"; return 1; }
	# An upgrade must not open the lock: restart is stop (disarm), then
	# start. The unit is stopped on removal only. (The sync timer's
	# try-restart is t_sync_maintscripts'.)
	if grep -n 'restart' "$c/postinst" | grep -v '^[0-9]*:[[:space:]]*#' |
		grep "'mxlock\.service'"; then
		echo "postinst restarts mxlock.service (on upgrade: a moment without the lock)"
		return 1
	fi
	grep -q "deb-systemd-invoke start 'mxlock.service'" "$c/postinst" ||
		{ echo "postinst does not start mxlock.service"; return 1; }
	if [ -e "$c/preinst" ] && grep -n "stop" "$c/preinst"; then
		echo "preinst stops mxlock.service"
		return 1
	fi
	# shellcheck disable=SC2016 # prerm's own text, not to expand
	grep -B3 "deb-systemd-invoke stop 'mxlock.service'" "$c/prerm" |
		grep -q '"$1" = remove' ||
		{ echo "prerm does not stop mxlock.service on remove only:"; cat "$c/prerm"; return 1; }
	grep -q 'dkms remove' "$d/prerm" && grep -q "rmmod mxlock" "$d/prerm"
}
check "maintainer scripts: unit enabled and started, stopped on removal only (not upgrade); dkms remove" t_maintscripts

# The sync timer: the shipped sync.conf names no provider, so nothing
# enables or starts it but the admin. Once enabled, an upgrade keeps it
# running (try-restart, no stop in preinst), removal stops it, purge
# disables it and removes what sync wrote in /var/lib/mxlock.
t_sync_maintscripts() {
	local c=$out/ctl-control bad=0
	if grep -n "enable.*mxlock-sync" "$c/postinst" |
		grep -v -e 'was-enabled' -e '^[0-9]*:[[:space:]]*#'; then
		# Only re-creating the links of a timer the admin enabled.
		grep -B2 "deb-systemd-helper enable 'mxlock-sync.timer'" "$c/postinst" |
			grep -q "was-enabled 'mxlock-sync.timer'" ||
			{ echo "postinst enables mxlock-sync.timer"; bad=1; }
	fi
	if grep -n "deb-systemd-invoke start.*mxlock-sync" "$c/postinst"; then
		echo "postinst starts mxlock-sync"; bad=1
	fi
	# Not enabled on a fresh install: the enable runs only under
	# was-enabled, which is false for a unit that was never enabled
	# (mxlock.service, by contrast, is enabled by default).
	grep -q "if deb-systemd-helper debian-installed 'mxlock-sync.timer'" "$c/postinst" ||
		{ echo "postinst: mxlock-sync.timer's enable is not conditional"; bad=1; }
	grep -q "deb-systemd-invoke try-restart 'mxlock-sync.timer'" "$c/postinst" ||
		grep -q "deb-systemd-invoke try-restart .*mxlock-sync.timer" "$c/postinst" ||
		{ echo "postinst does not try-restart mxlock-sync.timer on upgrade"; bad=1; }
	if [ -e "$c/preinst" ] && grep -n "stop" "$c/preinst"; then
		echo "preinst stops something on upgrade"; bad=1
	fi
	# shellcheck disable=SC2016 # prerm's own text, not to expand
	grep -B2 "deb-systemd-invoke stop mxlock-sync.timer" "$c/prerm" | grep -q '"$1" = remove' ||
		{ echo "prerm does not stop mxlock-sync.timer on remove:"; cat "$c/prerm"; bad=1; }
	grep -q "deb-systemd-helper purge 'mxlock-sync.timer'" "$c/postrm" ||
		{ echo "postrm does not disable mxlock-sync.timer on purge"; bad=1; }
	# shellcheck disable=SC2016
	grep -A2 '"$1" = purge' "$c/postrm" | grep -q 'rm -rf /var/lib/mxlock$' ||
		{ echo "postrm does not remove /var/lib/mxlock on purge"; bad=1; }
	return "$bad"
}
check "mxlock-sync.timer: not enabled or started on install, kept over upgrades, purge removes /var/lib/mxlock" \
	t_sync_maintscripts

# VERSION is the one source of the version; debian/changelog must agree
# (scripts/check-version), and the check must catch a disagreement.
t_version() {
	local t
	scripts/check-version || return 1
	t=$(mktemp -d "${TMPDIR:-/tmp}/version.XXXXXX") || return 1
	mkdir -p "$t/scripts" "$t/debian"
	if ! cp scripts/check-version "$t/scripts/" || ! cp debian/changelog "$t/debian/" ||
		! echo 9.9 >"$t/VERSION"; then
		rm -rf "$t"
		return 1
	fi
	if "$t/scripts/check-version" 2>/dev/null; then
		echo "check-version passed with VERSION 9.9 and changelog $VERSION"
		rm -rf "$t"
		return 1
	fi
	rm -rf "$t"
}
check "debian/changelog's version is VERSION's ($VERSION); check-version fails on a mismatch" t_version

# Debian's own tools on a clean clone of the committed tree (HEAD: what
# CI checks out), no make deb: plain dpkg-buildpackage builds both
# packages. Only the tool compiles (the module is DKMS's), so it is quick.
t_clean_clone() {
	local t rc=0
	git rev-parse --git-dir >/dev/null 2>&1 || { echo "not a git work tree"; return 1; }
	t=$(mktemp -d "${TMPDIR:-/tmp}/clone.XXXXXX") || return 1
	git clone -q "$top" "$t/mxlock" || { rm -rf "$t"; return 1; }
	(cd "$t/mxlock" && dpkg-buildpackage -us -uc -b) >"$t/build.log" 2>&1 || {
		tail -n 30 "$t/build.log"
		rc=1
	}
	if [ "$rc" -eq 0 ] && { [ ! -f "$t/${dkms_deb##*/}" ] || [ ! -f "$t/${ctl_deb##*/}" ]; }; then
		ls -l "$t"
		rc=1
	fi
	rm -rf "$t"
	return "$rc"
}
check "a clean clone builds both packages with plain dpkg-buildpackage -us -uc -b" t_clean_clone

finish
