#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `mxlockctl check`, the monitoring plugin: exit 0 OK, 1 WARNING,
# 2 CRITICAL, 3 UNKNOWN and one line "MXLOCK STATUS - text | perfdata".
# The story, on a mail host that follows a real provider record (nsd,
# tests/lib-dns.sh): unarmed is CRITICAL; armed in enforce mode with a
# fresh sync is OK, its perfdata the very numbers of /proc/net/mxlock/stats;
# monitor mode, a sync older than --sync-age, a failed sync (its resolver
# gone), and a relay the provider moved while the old one still sends
# (the guard refuses the sync, the new relay is refused: a lockout) are
# WARNINGs, each gone when its cause is; a bad option is UNKNOWN; -j says
# the same as JSON; nobody gets the same verdict while the state is
# world-readable (as the units write it) and UNKNOWN when it is not; and
# with the module unloaded it is CRITICAL.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-dns.sh"

require_mxlock
require_dns
require_cmd python3 setpriv touch
ktap_begin 14

P=plain.example
topology || ktap_bail "cannot build the topology"
dns_zone "$P"
dns_rr "$P" '_spf IN TXT "v=spf1 ip4:199.89.0.0/21 ip4:203.0.113.0/24 -all"'
dns_serve "$MX" 10.53.0.1 || ktap_bail "cannot serve the test zone"

STATE=$TMPD/state
echo "192.0.2.99	# our own relay" >"$TMPD/extra.conf"
conf() { # [RESOLVER]: sync.conf naming the provider, no DNSSEC (unsigned zone)
	{
		echo "provider _spf.$P"
		echo "extra $TMPD/extra.conf"
		echo "resolver ${1:-10.53.0.1}"
		echo "trust-anchor none"
		echo "state-dir $STATE"
		echo "timeout 3"
	} >"$TMPD/sync.conf"
}
echo "# no provider: sync not configured" >"$TMPD/nosync.conf"
conf
sync() { mx "$MX" sync -c "$TMPD/sync.conf" "$@"; }

# verdict WANT REGEX [ARGS...]: check (with ARGS) exits WANT, its line
# matches REGEX, and -j agrees: valid JSON (python3 -m json.tool) with the
# same status, exit and summary. The line is left in $TMPD/line.
verdict() {
	local want=$1 re=$2 rc rcj name
	shift 2
	name=$(echo OK WARNING CRITICAL UNKNOWN | cut -d' ' -f$((want + 1)))
	mx "$MX" check "$@" >"$TMPD/line" 2>"$TMPD/err"
	rc=$?
	expect_eq "exit status of check $*" "$want" "$rc" || { cat "$TMPD/line" "$TMPD/err" >&2; return 1; }
	expect_eq "lines" 1 "$(wc -l <"$TMPD/line")" || return 1
	expect_match "status line" "^MXLOCK $name - $re" "$(cat "$TMPD/line")" || return 1
	mx "$MX" -j check "$@" >"$TMPD/json" 2>/dev/null
	rcj=$?
	expect_eq "exit status of -j check $*" "$want" "$rcj" || return 1
	python3 -m json.tool "$TMPD/json" >/dev/null || { cat "$TMPD/json" >&2; return 1; }
	python3 - "$TMPD/json" "$name" "$want" "$TMPD/line" <<'EOF'
import json, re, sys
doc = json.load(open(sys.argv[1]))
line = open(sys.argv[4]).read().rstrip("\n")
text = line.split(" - ", 1)[1].split(" | ")[0]
# The two runs are seconds apart: the age in seconds may differ.
age = lambda t: re.sub(r"\d+s ago", "Ns ago", t)
doc["summary"], text = age(doc.get("summary", "")), age(text)
bad = []
if doc.get("status") != sys.argv[2]: bad.append("status %r" % doc.get("status"))
if doc.get("exit") != int(sys.argv[3]): bad.append("exit %r" % doc.get("exit"))
if doc.get("summary") != text: bad.append("summary %r, line says %r" % (doc.get("summary"), text))
if bad:
    print("-j check: " + "; ".join(bad), file=sys.stderr); sys.exit(1)
EOF
}

# problems KEY...: the -j output of the last verdict names exactly these
# problems ("check" keys), in any order.
problems() {
	local got
	got=$(python3 -c 'import json, sys; print(" ".join(sorted(p["check"] for p in json.load(open(sys.argv[1]))["problems"])))' "$TMPD/json")
	expect_eq "problems" "$(printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//')" "$got"
}

unarmed() {
	verdict 2 'unarmed: no list loaded' -c "$TMPD/nosync.conf" || return 1
	problems armed
}
check "unarmed: CRITICAL (exit 2), in text and -j" unarmed

# Armed from a sync; a few SYNs let in and refused, so that the counters
# are not all 0. $BAD is refused and stays in the denied table: it is not
# in the provider's record, so it is no lockout.
armed_ok() {
	local out
	out=$(sync) || { echo "$out" >&2; return 1; }
	expect_match "sync" '^sync: applied$' "$out" || return 1
	send_segment "$GOOD" "$GOOD_ADDR" "$MX_ADDR" 25 S S || return 1
	send_segment "$BAD" "$BAD_ADDR" "$MX_ADDR" 25 S || return 1
	wait_stat "$MX" syn_seen 3 || return 1
	verdict 0 'armed, enforce, drop, 3 ranges, last sync [0-9]+s ago \| ' -c "$TMPD/sync.conf" || return 1
	problems
}
check "armed, enforce, synced just now, a refused stranger: OK (exit 0)" armed_ok

# Every number of /proc/net/mxlock/stats is in the perfdata with the same
# value; counters (syn_*, ack_*, rst_limited, generation) with UOM c,
# gauges without.
perfdata() {
	stats "$MX" >"$TMPD/proc" || return 1
	mx "$MX" check -c "$TMPD/sync.conf" >"$TMPD/line"
	python3 - "$TMPD/proc" "$TMPD/line" <<'EOF'
import re, sys
proc = [l.split() for l in open(sys.argv[1])]
line = open(sys.argv[2]).read().rstrip("\n")
perf = {}
for m in re.finditer(r"'([^']+)'=(\d+)([a-zA-Z%]*);([^; ]*);([^; ]*);([^; ]*);?([^; ]*)", line.split(" | ", 1)[1]):
    perf[m.group(1)] = (int(m.group(2)), m.group(3), m.group(6))
bad = []
n = 0
for k, v in proc:
    # The settings (mode, action, log, ports) are no numbers to graph.
    if not v.isdigit() or k == "ports":
        continue
    n += 1
    uom = "c" if k.startswith(("syn_", "ack_")) or k in ("generation", "rst_limited") else ""
    if k not in perf:
        bad.append("%s missing" % k)
    elif perf[k] != (int(v), uom, "0"):
        bad.append("%s: /proc says %s (UOM %r, min 0), perfdata %r" % (k, v, uom, perf[k]))
for k in ("denied", "sync_age"):
    if k not in perf:
        bad.append("%s missing" % k)
if perf.get("syn_dropped", (0,))[0] < 1 or perf.get("denied", (0,))[0] != 1:
    bad.append("expected a refused SYN and one denied source: %r" % perf)
if n < 10:
    bad.append("only %d numbers in /proc" % n)
if bad:
    print("\n".join(bad) + "\n" + line, file=sys.stderr); sys.exit(1)
EOF
}
check "perfdata: each of /proc's numbers, the same value, counters with c, gauges without" perfdata

monitor() {
	mx "$MX" mode monitor || return 1
	verdict 1 'monitor mode' -c "$TMPD/sync.conf" || return 1
	problems mode || return 1
	mx "$MX" mode enforce || return 1
	verdict 0 'armed' -c "$TMPD/sync.conf"
}
check "monitor mode: WARNING (exit 1); back to enforce: OK" monitor

stale() {
	touch -d '3 days ago' "$STATE/sync.list" || return 1
	verdict 1 'last good sync 3 days ago \(warning at 172800s\)' -c "$TMPD/sync.conf" || return 1
	problems sync || return 1
	expect_match "perfdata" "'sync_age'=2[0-9]{5}s;172800;;0" "$(cat "$TMPD/line")" || return 1
	verdict 0 'armed' -c "$TMPD/sync.conf" --sync-age 300000 || return 1
	verdict 2 'last good sync 3 days ago \(critical at 86400s\)' -c "$TMPD/sync.conf" \
		--sync-age-critical 86400 || return 1
	touch "$STATE/sync.list" || return 1
	verdict 0 'armed' -c "$TMPD/sync.conf" --sync-age-critical 86400
}
check "a sync 3 days old: WARNING by default, OK at --sync-age 300000, CRITICAL at --sync-age-critical 86400" stale

# Without a provider in sync.conf, sync's age and state mean nothing.
not_configured() {
	touch -d '30 days ago' "$STATE/sync.list" || return 1
	verdict 0 'armed, enforce, drop, 3 ranges \| ' -c "$TMPD/nosync.conf" || return 1
	expect_match "no sync_age in the perfdata" "'denied'=1;;;0$" "$(cat "$TMPD/line")" || return 1
	verdict 1 'last good sync 30 days ago' -c "$TMPD/sync.conf" || return 1
	touch "$STATE/sync.list"
}
check "sync not configured: no sync warning, however old sync.list is" not_configured

failed() {
	local rc
	touch "$STATE/sync.list" || return 1
	conf 10.53.0.99		# nothing answers there
	sync >/dev/null 2>&1
	rc=$?
	expect_eq "sync's exit status" 2 "$rc" || return 1
	expect_match "sync.result" '^result failed$' "$(cat "$STATE/sync.result")" || return 1
	verdict 1 'last sync failed: _spf\.plain\.example TXT: ' -c "$TMPD/sync.conf" || return 1
	problems sync || return 1
	conf
	sync >/dev/null || return 1
	verdict 0 'armed' -c "$TMPD/sync.conf"
}
check "a failed sync (DNS unreachable): WARNING; the next good sync clears it" failed

# The provider moves its relay from 203.0.113.0/24 ($OTHER) to
# 198.51.100.0/24 ($BAD) while the old one still sends: the guard refuses
# the sync, and $BAD, refused, is what the record admits: a lockout.
lockout() {
	local rc
	conf
	connect_ok "$OTHER" "$MX_ADDR" 25 || return 1
	dns_rr_set "$P" _spf TXT '"v=spf1 ip4:199.89.0.0/21 ip4:198.51.100.0/24 -all"' || return 1
	dns_reload || return 1
	sync >/dev/null 2>&1
	rc=$?
	expect_eq "sync's exit status" 3 "$rc" || return 1
	send_segment "$BAD" "$BAD_ADDR" "$MX_ADDR" 25 S || return 1
	expect_match "denied" "^$BAD_ADDR " "$(mx "$MX" denied)" || return 1
	verdict 1 '.*lockout: 1 refused source the provider.s record admits \(198\.51\.100\.10\)' \
		-c "$TMPD/sync.conf" || return 1
	problems guard lockout || return 1
	expect_match "status line" 'last sync refused by the guard' "$(cat "$TMPD/line")"
}
check "lockout: the guard refused a moved relay, the new one is refused: WARNING naming it" lockout

lockout_over() {
	sync --force >/dev/null 2>&1 || return 1
	expect_match "denied" "^$BAD_ADDR " "$(mx "$MX" denied)" || return 1
	verdict 0 'armed' -c "$TMPD/sync.conf"
}
check "after sync --force the new relay is admitted: OK, though it is still in the denied table" lockout_over

usage() {
	local out rc
	for args in "--bogus" "--sync-age" "--sync-age x" "--sync-age -5" "extra"; do
		# shellcheck disable=SC2086  # the arguments
		out=$(mx "$MX" check $args 2>/dev/null)
		rc=$?
		expect_eq "exit status of check $args" 3 "$rc" || return 1
		expect_match "line" '^MXLOCK UNKNOWN - usage: ' "$out" || return 1
	done
	# shellcheck disable=SC2086
	verdict 3 'usage: unknown argument' --bogus
}
check "bad options: UNKNOWN (exit 3), in text and -j" usage

json_all() {
	local rc
	mx "$MX" -j check -c "$TMPD/sync.conf" | python3 -m json.tool >"$TMPD/pretty" || return 1
	python3 - "$TMPD/pretty" <<'EOF' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
want = ["status", "exit", "summary", "problems", "armed", "mode", "action",
        "ranges", "generation", "counters", "denied", "sync"]
if list(d) != want:
    print("keys %r" % list(d), file=sys.stderr); sys.exit(1)
if d["status"] != "OK" or d["armed"] is not True or d["sync"]["configured"] is not True \
   or not isinstance(d["sync"]["age"], int) or d["sync"]["result"] != "applied":
    print(d, file=sys.stderr); sys.exit(1)
EOF
	mx "$MX" mode monitor
	mx "$MX" -j check -c "$TMPD/sync.conf" >"$TMPD/json"
	rc=$?
	mx "$MX" mode enforce
	expect_eq "-j exit status in monitor mode" 1 "$rc" || return 1
	expect_eq "-j status" WARNING "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$TMPD/json")"
}
check "-j: one JSON object (json.tool parses it), its keys, status as the exit status" json_all

# The units write the state world-readable (UMask=0022) and reads need no
# privilege: nobody's check says what root's says. State it cannot read
# is UNKNOWN, never OK.
nobody() {
	local out rc
	chmod -R a+rX "$TMPD" || return 1
	out=$(as_nobody "$MX" "$MXLOCKCTL" check -c "$TMPD/sync.conf" 2>&1)
	rc=$?
	expect_eq "nobody's exit status" 0 "$rc" || { echo "$out" >&2; return 1; }
	expect_eq "nobody's line, but the age" "$(mx "$MX" check -c "$TMPD/sync.conf" | sed 's/[0-9]*s ago/Ns ago/; s/sync_age.*//')" \
		"$(sed 's/[0-9]*s ago/Ns ago/; s/sync_age.*//' <<<"$out")" || return 1
	mx "$MX" mode monitor
	out=$(as_nobody "$MX" "$MXLOCKCTL" check -c "$TMPD/sync.conf" 2>&1)
	rc=$?
	mx "$MX" mode enforce
	expect_eq "nobody's exit status, monitor mode" 1 "$rc" || { echo "$out" >&2; return 1; }
	chmod 600 "$STATE/sync.result" || return 1
	out=$(as_nobody "$MX" "$MXLOCKCTL" check -c "$TMPD/sync.conf" 2>/dev/null)
	rc=$?
	chmod 644 "$STATE/sync.result"
	expect_eq "nobody's exit status, sync.result unreadable" 3 "$rc" || { echo "$out" >&2; return 1; }
	expect_match "line" "^MXLOCK UNKNOWN - cannot read '.*sync\.result': Permission denied" "$out"
}
check "as nobody: the same verdict as root; UNKNOWN (exit 3) when the state is unreadable" nobody

empty_list() {
	# The kernel refuses an empty list; a namespace with none is unarmed.
	mx "$MX" replace </dev/null 2>/dev/null && { echo "an empty replace was taken" >&2; return 1; }
	verdict 0 'armed' -c "$TMPD/sync.conf"
}
check "an empty list is refused by the kernel; the lock stays armed: OK" empty_list

unloaded() {
	local rc
	dns_stop
	mxlock_unload || return 1
	verdict 2 "the mxlock module is not loaded" -c "$TMPD/sync.conf"
	rc=$?
	mxlock_load || { echo "cannot load the module again" >&2; return 1; }
	return "$rc"
}
check "module not loaded: CRITICAL (exit 2), in text and -j" unloaded

ktap_finish
