# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/host/ktap.bash: KTAP output for the host test scripts (sourced).
# The script sets PLAN, calls begin, then check/skip once per subtest and
# finish at the end (exit status kselftest's: 0 pass, 1 fail, 4 skip).
# The VM's tests have their own, richer tests/lib.sh.

num=0 npass=0 nfail=0 nskip=0

begin() {
	echo "KTAP version 1"
	echo "1..$PLAN"
}

diag() { # text...: "# " lines
	local line
	while IFS= read -r line; do printf '# %s\n' "$line"; done <<<"$*"
}

# check DESC CMD...: ok iff CMD exits 0; its output is shown only if not.
# Its locals are prefixed: bash's locals are seen by CMD, and would hide
# the caller's globals of the same name.
check() {
	local _ktap_desc=$1 _ktap_out _ktap_rc
	shift
	num=$((num + 1))
	_ktap_out=$("$@" 2>&1)
	_ktap_rc=$?
	if [ $_ktap_rc -eq 0 ]; then
		npass=$((npass + 1))
		echo "ok $num $_ktap_desc"
	else
		[ -n "$_ktap_out" ] && diag "$_ktap_out"
		diag "(exit status $_ktap_rc from: $*)"
		nfail=$((nfail + 1))
		echo "not ok $num $_ktap_desc"
	fi
	return $_ktap_rc
}

skip() { # DESC REASON
	num=$((num + 1))
	nskip=$((nskip + 1))
	echo "ok $num $1 # SKIP $2"
}

finish() {
	echo "# Totals: pass:$npass fail:$nfail xfail:0 xpass:0 skip:$nskip error:0"
	if [ "$num" -ne "$PLAN" ]; then
		diag "planned $PLAN tests but ran $num"
		exit 1
	fi
	[ $nfail -eq 0 ] || exit 1
	[ $npass -gt 0 ] || [ $nskip -eq 0 ] || exit 4
	exit 0
}

