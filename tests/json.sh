#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `mxlockctl -j` is for scripts and monitoring: list, stats, denied and
# test print JSON instead of text, like `ip -j`. Each output must parse
# as JSON (python3's json module, strict) and say exactly what the text
# output says: the same entries, hits, settings, counters, sources and
# verdicts, field by field, with numbers as numbers and on/off and 0/1
# as booleans. Empty tables are empty arrays. -j with a command that has
# no JSON output is refused with exit status 2, prints nothing on stdout
# and changes nothing.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_cmd python3 setpriv
ktap_begin 8

topology || ktap_bail "cannot build the topology"
setup_ns BARE || ktap_bail "cannot create an unarmed namespace"

# The comparisons, in one python file: same TEXT JSON compares the text
# and JSON outputs of one command (list, stats, denied or test).
cat >"$TMPD/same.py" <<'EOF'
import ipaddress, json, sys, time

kind, text, js = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read()
# Strict: no NaN, no duplicate keys, one document, nothing after it.
def pairs(kv):
    keys = [k for k, _ in kv]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate keys %r" % keys)
    return dict(kv)
doc = json.JSONDecoder(object_pairs_hook=pairs,
                       parse_constant=lambda c: 1 / 0).decode(js.strip())
lines = text.splitlines()
errors = []

def same(what, want, got):
    # bool is an int in python: the types must match as well.
    if want != got or type(want) is not type(got):
        errors.append("%s: text says %r, JSON says %r" % (what, want, got))

def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

if kind == "list":
    same("type", list, type(doc))
    same("intervals", len(lines), len(doc))
    for line, o in zip(lines, doc):
        entry, hits = line.split(" # hits ")
        if "/" in entry:
            net = ipaddress.ip_network(entry)
            first, last = net[0], net[-1]
        else:
            a, b = entry.split("-")
            first, last = ipaddress.ip_address(a), ipaddress.ip_address(b)
        same(entry + " keys", ["entry", "first", "last", "family", "hits"], list(o))
        same(entry + " entry", entry, o.get("entry"))
        same(entry + " first", str(first), o.get("first"))
        same(entry + " last", str(last), o.get("last"))
        same(entry + " family", "inet6" if first.version == 6 else "inet", o.get("family"))
        same(entry + " hits", int(hits), o.get("hits"))
elif kind == "stats":
    same("type", dict, type(doc))
    kv = [l.split(" ", 1) for l in lines]
    same("keys, in order", [k for k, _ in kv], list(doc))
    for k, v in kv:
        if k in ("mode", "action"):
            want = v
        elif k == "log":
            want = {"on": True, "off": False}[v]
        elif k == "armed":
            want = {"1": True, "0": False}[v]
        elif k == "ports":
            want = [int(p) for p in v.split(",")]
        else:
            want = int(v)
        same(k, want, doc.get(k))
elif kind == "denied":
    same("type", list, type(doc))
    same("sources", len(lines), len(doc))
    for line, o in zip(lines, doc):
        a, _, count, _, first, _, last = line.split()
        same(a + " keys", ["address", "count", "first", "last"], list(o))
        same(a + " address", a, o.get("address"))
        same(a + " count", int(count), o.get("count"))
        same(a + " first", first, iso(o.get("first")))
        same(a + " last", last, iso(o.get("last")))
        if not o.get("first", 0) <= o.get("last", -1):
            errors.append(a + ": first after last")
elif kind == "test":
    addr, said = lines[0].split(": ", 1)
    verdict = {"allowed": "allow", "refused": "drop", "not": "monitor",
               "passed": "unarmed"}[said.split()[0]]
    same("keys", ["address", "verdict", "listed"], list(doc))
    same("address", addr, doc.get("address"))
    same("verdict", verdict, doc.get("verdict"))
    same("listed", verdict == "allow", doc.get("listed"))
for e in errors:
    print(e, file=sys.stderr)
if errors:
    print("text:\n" + text + "JSON:\n" + js, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF

# same_json NS CMD...: mxlockctl CMD and mxlockctl -j CMD in NS, both
# successful (test: with the same exit status), say the same.
same_json() {
	local ns=$1 rc rcj
	shift
	mx "$ns" "$@" >"$TMPD/text"
	rc=$?
	mx "$ns" -j "$@" >"$TMPD/json"
	rcj=$?
	expect_eq "exit status of -j $*" "$rc" "$rcj" || return 1
	[ "$rc" -eq 0 ] || [ "$1" = test ] || { echo "mxlockctl $* failed ($rc)" >&2; return 1; }
	python3 "$TMPD/same.py" "$1" "$TMPD/text" "$TMPD/json"
}

# A list of every shape, IPv4 and IPv6, with some hits and some refusals.
LIST="199.89.0.0/21 192.0.2.10-192.0.2.20 203.0.113.7 2001:db8:a::/48
2001:db8:1::5-2001:db8:1::9 2001:db8:ff::1"
setup() {
	# shellcheck disable=SC2086  # one word per entry
	mx "$MX" replace $LIST || return 1
	send_segment "$GOOD" "$GOOD_ADDR" "$MX_ADDR" 25 S S || return 1
	send_segment "$OTHER" "$OTHER_ADDR" "$MX_ADDR" 25 S || return 1
	send_segment "$BAD" "$BAD_ADDR" "$MX_ADDR" 25 S S || return 1
	# A second later: bad's first and last seen differ.
	sleep 1.1
	send_segment "$BAD" "$BAD_ADDR" "$MX_ADDR" 25 S || return 1
	wait_stat "$MX" syn_seen 6 || return 1
	expect_match "list" "^199\.89\.0\.0/21 # hits 2$" "$(mx "$MX" list)"
}
check "a mixed IPv4/IPv6 list, 3 SYNs let in and 3 refused" setup

check "-j list: valid JSON, the same intervals, bounds, families and hits as list" \
	same_json "$MX" list
check "-j stats: valid JSON, the same keys in the same order and the same values as stats" \
	same_json "$MX" stats

denied() {
	local n
	same_json "$MX" denied || return 1
	n=$(mx "$MX" -j denied | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
	expect_eq "sources in -j denied" 1 "$n"
}
check "-j denied: valid JSON, the same sources, counts and (Unix) times as denied" denied

tests() {
	local a bad=0
	for a in "$GOOD_ADDR" "$BAD_ADDR" 2001:db8:a::1 2001:db8:b::1 "::ffff:$GOOD_ADDR" \
		"::ffff:$BAD_ADDR"; do
		same_json "$MX" test "$a" || bad=1
	done
	mx "$MX" mode monitor || return 1
	same_json "$MX" test "$BAD_ADDR" || bad=1
	mx "$MX" mode enforce || return 1
	same_json "$BARE" test "$BAD_ADDR" || bad=1
	return "$bad"
}
check "-j test: the same address, verdict and exit status for allow, drop, monitor, unarmed" tests

# Nothing listed, nothing refused: empty arrays, not nothing. Reads need
# no privilege, -j ones neither.
empty() {
	expect_eq "-j list, unarmed" "[]" "$(mx "$BARE" -j list)" || return 1
	expect_eq "-j denied, unarmed" "[]" "$(mx "$BARE" -j denied)" || return 1
	same_json "$BARE" stats || return 1
	expect_eq "-j stats as nobody" "$(mx "$BARE" -j stats)" \
		"$(as_nobody "$BARE" "$MXLOCKCTL" -j stats)"
}
check "unarmed: -j list and -j denied print [], -j stats works (as nobody too)" empty

# Commands without JSON output: refused before anything is sent.
refused() {
	local list g args out rc bad=0
	list=$(entries "$MX")
	g=$(gen "$MX")
	for args in "replace 192.0.2.0/24" "add 192.0.2.0/24" "del 203.0.113.7" flush \
		"mode monitor" mode "action reject" action "log on" log "ports 587" ports \
		help; do
		# shellcheck disable=SC2086  # the command and its arguments
		out=$(mx "$MX" -j $args 2>/dev/null)
		rc=$?
		if [ "$rc" -ne 2 ] || [ -n "$out" ]; then
			echo "mxlockctl -j $args: exit $rc, stdout [$out]" >&2
			bad=1
		fi
	done
	[ "$bad" -eq 0 ] || return 1
	unchanged "$MX" "$list" "$g" || return 1
	expect_eq "mode" enforce "$(stat "$MX" mode)"
}
check "-j with replace, add, del, flush, mode, action, log, ports, help: exit 2, no output, no change" refused

# --json is -j.
long() {
	expect_eq "--json list" "$(mx "$MX" -j list)" "$(mx "$MX" --json list)"
}
check "--json is the same as -j" long

ktap_finish
