#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz.sh: build the libFuzzer targets of tests/fuzz/ (ASan + UBSan) and
# run each for a bounded time; a crash, a sanitizer report, a broken
# invariant, a hang or running out of memory fails. KTAP on stdout; exit
# 0, 1 if anything failed, 4 (all skipped) when clang is not installed.
#
#   FUZZ_SECONDS  seconds for each target (default 30)
#   FUZZ_SEED     libFuzzer's -seed (default 1: the same inputs each run,
#                 as far as a time limit allows)
#   FUZZ_CORPUS   where to keep the corpus each target grows, one
#                 subdirectory per target, so that later runs go on from
#                 it (`make fuzz` uses tests/fuzz/work); by default a
#                 temporary directory, thrown away
#
# The seeds committed in tests/fuzz/corpus/<target>/ are read, never
# written. An input that fails is kept as tests/fuzz/crashes/<target>-*
# and printed in base64; tests/fuzz/<target> FILE replays it (with the
# UBSAN_OPTIONS below).

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1

secs=${FUZZ_SECONDS:-30}
seed=${FUZZ_SEED:-1}
clang=${CLANG:-clang}
targets=(fuzz_entry fuzz_set)

echo "KTAP version 1"
echo "1..$((${#targets[@]} + 1))"

if ! command -v "$clang" >/dev/null; then
	echo "# fuzz: $clang is not installed (Debian: clang libclang-rt-14-dev)"
	echo "ok 1 fuzz: build # SKIP no clang"
	n=2
	for t in "${targets[@]}"; do
		echo "ok $n $t # SKIP no clang"
		n=$((n + 1))
	done
	exit 4
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
corpus=${FUZZ_CORPUS:-$tmp/corpus}
crashes=tests/fuzz/crashes
failed=0

# The sanitizers' verdicts are fatal; the one known report is named.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$top/tests/fuzz/ubsan.supp"
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"

# Indent a log for KTAP: every line a diagnostic.
diag() { sed 's/^/# /'; }

start=$SECONDS
if make -s -C tests/fuzz CLANG="$clang" >"$tmp/build.log" 2>&1; then
	echo "ok 1 fuzz: build ($((SECONDS - start)) s)"
	built=1
else
	diag <"$tmp/build.log" | tail -n 40
	echo "not ok 1 fuzz: build"
	failed=1 built=0
fi

n=2
for t in "${targets[@]}"; do
	if [ "$built" = 0 ]; then
		echo "ok $n $t # SKIP not built"
		n=$((n + 1))
		continue
	fi
	mkdir -p "$corpus/$t" "$crashes" || exit 1
	log=$tmp/$t.log
	start=$SECONDS
	# -timeout: a single input that runs this long is a hang.
	"tests/fuzz/$t" -seed="$seed" -max_total_time="$secs" -timeout=20 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$crashes/$t-" \
		"$corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	took=$((SECONDS - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | head -n 1)
	cov=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*cov: \([0-9]*\).*/\1/p' "$log")
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "# $t: ${runs} runs in ${took} s (${rate}/s), coverage ${cov:-?}, ${added:-0} new inputs, seed $seed"
		echo "ok $n $t"
	else
		# What broke, where, and the input (also kept as a file).
		if grep -q -E 'invariant broken|mismatch|runtime error|==ERROR: [A-Za-z]*Sanitizer' "$log"; then
			grep -E -m 3 'invariant broken|mismatch' "$log" | diag
			grep -E -A 25 -m 1 'runtime error|==ERROR: [A-Za-z]*Sanitizer' "$log" | diag
		else
			tail -n 25 "$log" | grep -v -E '^(Base64|stat::)' | diag
		fi
		grep -E -m 2 'Test unit written to|^Base64: ' "$log" | diag
		echo "# $t: exit $rc after ${took} s"
		echo "not ok $n $t"
		failed=1
	fi
	n=$((n + 1))
done
exit "$failed"
