#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-all.sh: run every mxlock selftest (tests/*.sh but the libraries,
# sig_enforce.sh and this file), one after the other, as root in the VM (scripts/vm-run -- \
# tests/run-all.sh) or on a host with the module available. It loads
# nothing itself: each test loads the module if it needs to.
#
# Output is one KTAP document: a top-level plan with one result per script,
# and each script's own KTAP nested under it, indented by two spaces:
#
#   KTAP version 1
#   1..2
#     KTAP version 1
#     1..3
#     ok 1 ...
#     ...
#   ok 1 unarmed
#
# Subtest lines (two-space indent) are the unit of counting. When a script
# breaks its own contract (dies, hangs, ends short of its plan, exits 1
# with no "not ok", exits 0 with one) this runner adds one more nested
# "not ok" saying so, so a broken script never counts as passed.
#
# Environment: TEST_TIMEOUT seconds per script (default 600); arguments,
# if given, name the scripts to run (e.g. tests/monitor.sh).
#
# Exit status: 0 all passed; 1 something failed; 2 nothing failed but
# something was skipped.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
per_test=${TEST_TIMEOUT:-600}

if [ $# -gt 0 ]; then
	scripts=("$@")
else
	scripts=()
	for t in "$here"/*.sh; do
		case ${t##*/} in
		lib.sh | lib-*.sh | run-all.sh) ;;
		# Needs a boot with module.sig_enforce=1: scripts/check
		# gives it one.
		sig_enforce.sh) ;;
		*) scripts+=("$t") ;;
		esac
	done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-all.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

echo "KTAP version 1"
echo "1..${#scripts[@]}"
n=0 failed=0 skipped=0
t0=$SECONDS
for t in "${scripts[@]}"; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	log=$tmp/$name.log
	echo "# ---- $name"
	start=$SECONDS
	{
		timeout -k 10 "$per_test" bash "$t" </dev/null 2>&1
		echo $? >"$tmp/rc"
	} | tee "$log" | sed -u 's/^/  /'
	rc=$(cat "$tmp/rc")
	secs=$((SECONDS - start))

	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
	results=$(grep -cE '^(not )?ok [0-9]+' "$log")
	notok=$(grep -cE '^not ok [0-9]+' "$log")
	skips=$(grep -cE '^ok [0-9]+ .*# [Ss][Kk][Ii][Pp]' "$log")
	skip_all=$(grep -cE '^1\.\.0 # [Ss][Kk][Ii][Pp]' "$log")

	why=
	case $rc in
	0)
		if [ -z "$plan" ]; then why="no KTAP plan"
		elif [ "$results" -ne "$plan" ]; then why="ran $results of $plan planned tests"
		elif [ "$notok" -gt 0 ]; then why="exit 0 despite $notok failures"
		elif [ "$results" -eq 0 ]; then why="ran no test"
		fi ;;
	1)
		if [ "$notok" -eq 0 ]; then why="exit 1 with no failed subtest"
		elif [ -n "$plan" ] && [ "$results" -ne "$plan" ]; then
			why="ran $results of $plan planned tests"
		fi ;;
	4)
		if [ "$skip_all" -eq 0 ] && [ "$skips" -ne "$results" ]; then
			why="exit 4 (skip) but some subtests ran"
		fi ;;
	124 | 137) why="timed out after ${per_test}s" ;;
	*) why="exit status $rc" ;;
	esac
	if [ -n "$why" ]; then
		echo "  not ok $((results + 1)) $name: $why"
	fi

	echo "# $name: exit $rc, ${secs}s"
	if [ -n "$why" ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; }; then
		echo "not ok $n $name"
		failed=$((failed + 1))
	elif [ "$rc" -eq 4 ]; then
		reason=$(sed -n 's/^1\.\.0 # [Ss][Kk][Ii][Pp] *//p' "$log" | head -n 1)
		echo "ok $n $name # SKIP ${reason:-skipped}"
		skipped=$((skipped + 1))
	else
		echo "ok $n $name"
		[ "$skips" -gt 0 ] && skipped=$((skipped + 1))
	fi
done
echo "# run-all: $n scripts, $failed failed, $skipped skipped, $((SECONDS - t0))s"
[ $failed -eq 0 ] || exit 1
[ $skipped -eq 0 ] || exit 2
exit 0
