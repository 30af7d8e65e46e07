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

PLAN=6
# shellcheck source=ktap.bash
source "$top/tests/host/ktap.bash"
begin

VERSION=$(cat VERSION)
out=$top/build/deb
dkms_deb=$out/mxlock-dkms_${VERSION}_all.deb
ctl_deb=$out/mxlockctl_${VERSION}_$(dpkg --print-architecture).deb

if ! command -v dpkg-buildpackage >/dev/null || ! command -v lintian >/dev/null ||
   ! [ -e /usr/share/perl5/Debian/Debhelper/Sequence/dkms.pm ]; then
	for d in build lintian dkms-contents ctl-contents conffiles maintscripts; do
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

# The tool's package: the tool, its man page and completion, the unit
# with the packaged path, and a dependency on the module's package.
t_ctl_contents() {
	local x=$out/x-ctl f
	for f in usr/sbin/mxlockctl usr/share/man/man8/mxlockctl.8.gz \
		usr/share/bash-completion/completions/mxlockctl \
		lib/systemd/system/mxlock.service; do
		[ -f "$x/$f" ] || { echo "no /$f"; return 1; }
	done
	"$x/usr/sbin/mxlockctl" --version | grep -q "^mxlockctl $VERSION " || return 1
	! grep -n '^[^#]*/usr/local' "$x/lib/systemd/system/mxlock.service" || return 1
	grep -q '^ExecStart=/usr/sbin/mxlockctl replace -f /etc/mxlock/allow.conf$' \
		"$x/lib/systemd/system/mxlock.service" || return 1
	dpkg-deb -f "$ctl_deb" Depends | grep -q "mxlock-dkms (= $VERSION)"
}
check "mxlockctl: tool, man page, completion, unit on /usr/sbin; needs mxlock-dkms $VERSION" t_ctl_contents

# The admin's files are conffiles: an upgrade never overwrites an edited
# allowlist, and purge removes them.
t_conffiles() {
	local c=$out/ctl-control expect
	expect="/etc/default/mxlock
/etc/mxlock/allow.conf"
	[ "$(LC_ALL=C sort "$c/conffiles")" = "$expect" ] ||
		{ echo "conffiles:"; cat "$c/conffiles"; return 1; }
	grep -qx '199.89.0.0/21' "$out/x-ctl/etc/mxlock/allow.conf"
}
check "conffiles: /etc/mxlock/allow.conf (199.89.0.0/21) and /etc/default/mxlock" t_conffiles

# Enabled and started on install (Debian policy); stopped on removal,
# which disarms (ExecStop flushes); the module's package says how the
# loaded module goes.
t_maintscripts() {
	local c=$out/ctl-control d=$out/dkms-control
	grep -q "deb-systemd-helper .*enable.* 'mxlock.service'" "$c/postinst" ||
		{ echo "postinst does not enable mxlock.service"; return 1; }
	# An upgrade must not open the lock: restart is stop (disarm), then
	# start. The unit is stopped on removal only.
	if grep -n 'restart' "$c/postinst" | grep -v '^[0-9]*:[[:space:]]*#'; then
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

finish
