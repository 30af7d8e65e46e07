#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-all-kmemleak.sh: tests/run-all.sh under kmemleak's eye. Runs in the
# VM booted on the debug kernel (scripts/check-debug sets it as scripts/
# check's CHECK_VM_CMD):
#
#   1. baseline: one kmemleak scan, then "clear", so whatever the kernel
#      leaked while booting is never reported;
#   2. tests/run-all.sh "$@", its output passed on, its plan raised by one;
#   3. two more scans, 5 s apart (objects younger than 5 s are never
#      reported, and a second scan drops transient reports, as
#      Documentation/dev-tools/kmemleak.rst advises), then one more
#      top-level result in run-all.sh's format, "kmemleak": ok when no
#      unreferenced object is reported, else not ok with the report; and
#      not ok when the guest ran on one CPU (the cross-CPU paths untested).
#
# Any unreferenced object fails, not only those whose backtrace names
# mxlock: the suite may have unloaded the module by the time of the scan,
# and a backtrace through an unloaded module shows bare addresses. After the
# baseline, the suite is all that runs, so a new leak is the suite's.
#
# The scans run with the console at loglevel 5: kmemleak's own "N new
# suspected memory leaks" line (KERN_INFO) is reported here, in full, not
# left to scripts/vm-run's console scan; warnings still reach the console.
#
# Exit status as run-all.sh's: 0 all passed, 1 something failed (a test or
# kmemleak), 2 nothing failed but something was skipped.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kml=/sys/kernel/debug/kmemleak
tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-all-kmemleak.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

scan() { # one kmemleak scan, console quiet below warnings
	local lvl rc
	lvl=$(cut -f1 /proc/sys/kernel/printk)
	echo 5 >/proc/sys/kernel/printk
	echo scan >"$kml"
	rc=$?
	echo "$lvl" >/proc/sys/kernel/printk
	return $rc
}

why_skip=
why_fail=
if [ ! -e "$kml" ]; then
	why_skip="no $kml (kernel without CONFIG_DEBUG_KMEMLEAK, or no debugfs)"
else
	t0=$SECONDS
	sleep 5	# let the last objects of the boot age past kmemleak's 5 s
	if scan && echo clear >"$kml"; then
		echo "# kmemleak: baseline scanned and cleared in $((SECONDS - t0))s"
	else
		why_fail="baseline scan failed (kmemleak disabled itself?)"
	fi
fi

# Line by line, as it comes (awk, mawk at least, would sit on its input).
"$here/../run-all.sh" "$@" 2>&1 | tee "$tmp/run-all.log" | {
	planned=
	while IFS= read -r line; do
		if [ -z "$planned" ] && [[ $line =~ ^1\.\.([0-9]+)$ ]]; then
			line="1..$((BASH_REMATCH[1] + 1))"
			planned=1
		fi
		printf '%s\n' "$line"
	done
}
rc=${PIPESTATUS[0]}
plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tmp/run-all.log" | head -n 1)
n=$((${plan:-0} + 1))

echo "# ---- kmemleak"
echo "  KTAP version 1"
echo "  1..2"
if [ -z "$why_skip" ] && [ -z "$why_fail" ]; then
	t0=$SECONDS
	if sleep 5 && scan && sleep 5 && scan; then
		cat "$kml" >"$tmp/report" 2>/dev/null
		leaks=$(grep -c '^unreferenced object' "$tmp/report")
		ours=$(grep -c 'mxlock' "$tmp/report")
		echo "  # kmemleak: scanned twice in $((SECONDS - t0))s, $leaks unreferenced objects"
		if [ "$leaks" -gt 0 ]; then
			why_fail="$leaks unreferenced objects ($ours report lines name mxlock)"
			head -n 400 "$tmp/report" | sed 's/^/  # /'
		fi
	else
		why_fail="scan failed (kmemleak disabled itself?)"
	fi
fi
if [ -n "$why_fail" ]; then
	echo "  not ok 1 kmemleak: $why_fail"
elif [ -n "$why_skip" ]; then
	echo "  ok 1 kmemleak # SKIP $why_skip"
else
	echo "  ok 1 kmemleak: no unreferenced object after the suite"
fi
# The cross-CPU paths (per-CPU tables read from the other CPU, RCU with a
# second CPU) only run when the debug kernel brought both vCPUs up.
cpus=$(nproc)
if [ "$cpus" -ge 2 ]; then
	echo "  ok 2 the suite ran on $cpus CPUs"
else
	echo "  not ok 2 the suite ran on $cpus CPU: the kernel did not bring up the second vCPU"
	why_fail="${why_fail:+$why_fail; }one CPU"
fi
if [ -n "$why_fail" ]; then
	echo "not ok $n kmemleak"
	exit 1
elif [ -n "$why_skip" ]; then
	echo "ok $n kmemleak # SKIP $why_skip"
	[ "$rc" -eq 0 ] && rc=2
else
	echo "ok $n kmemleak"
fi
exit "$rc"
