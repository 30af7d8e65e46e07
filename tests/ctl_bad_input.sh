#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mxlockctl checks every entry before it sends anything. One bad entry
# anywhere, on the command line or in a file, and the whole request is
# refused: exit status 2, a message naming where the entry was
# (FILE:LINE, or <args>:N for the Nth command-line entry) and what is
# wrong, and the kernel's list and generation stay exactly as they were.
source "$(dirname "$0")/lib.sh"

require_mxlock
ktap_begin 11

setup_ns MX || ktap_bail "cannot create a namespace"
mx "$MX" replace "$PROVIDER" 203.0.113.0/24 || ktap_bail "cannot load the first list"
LIST=$(entries "$MX")
GEN=$(gen "$MX")

# refused "desc" MATCH ARGS...: mxlockctl ARGS exits 2, says MATCH on
# stderr, and nothing changed in the kernel.
refused() {
	local match=$1 err
	shift
	err=$(mx "$MX" "$@" 2>&1 >/dev/null)
	local rc=$?
	expect_eq "exit status of mxlockctl $*" 2 "$rc" || { echo "$err" >&2; return 1; }
	expect_match "message" "$match" "$err" || return 1
	unchanged "$MX" "$LIST" "$GEN"
}

check "host bits: replace 199.89.0.1/21 is refused, list unchanged" \
	refused "<args>:1: '199\.89\.0\.1/21'" replace 199.89.0.1/21
check "prefix 33: replace 199.89.0.0/33 is refused" \
	refused "<args>:1: '199\.89\.0\.0/33'" replace 199.89.0.0/33
check "garbage: 'mail.example.com' is refused" \
	refused "<args>:1: 'mail\.example\.com'" replace mail.example.com
check "octet 256: 199.89.0.256 is refused" \
	refused "<args>:1: '199\.89\.0\.256'" replace 199.89.0.256
check "reversed range 198.51.100.20-198.51.100.10 is refused" \
	refused "<args>:1: '198\.51\.100\.20-198\.51\.100\.10'" replace 198.51.100.20-198.51.100.10
# The second entry is the bad one: the good first one is not sent either.
check "one bad entry among good ones: <args>:2 named, nothing sent" \
	refused "<args>:2: '10\.0\.0\.1/8'" replace 192.0.2.0/24 10.0.0.1/8 198.51.100.0/24
check "add with a bad entry is refused too" \
	refused "<args>:1: '199\.89\.0\.0/33'" add 199.89.0.0/33
check "del with a bad entry is refused too" \
	refused "<args>:1: '199\.89\.0\.1/21'" del 199.89.0.1/21

# A file with errors on lines 3 and 5: both are reported with FILE:LINE.
printf '%s\n' 192.0.2.0/24 198.51.100.0/24 199.89.0.1/21 203.0.113.0/24 \
	'not-an-address' >"$TMPD/allow.conf"
file_errors() {
	refused "$TMPD/allow.conf:3: '199\.89\.0\.1/21'" replace -f "$TMPD/allow.conf" || return 1
	refused "$TMPD/allow.conf:5: 'not-an-address'" replace -f "$TMPD/allow.conf"
}
check "a file with bad lines 3 and 5: FILE:3 and FILE:5 reported, nothing sent" file_errors

# An empty list would refuse all mail: never armed that way.
: >"$TMPD/empty.conf"
empty() {
	local rc
	mx "$MX" replace -f "$TMPD/empty.conf" >/dev/null 2>&1
	rc=$?
	expect_eq "exit status of replace -f EMPTY" 2 "$rc" || return 1
	mx "$MX" replace >/dev/null 2>&1
	rc=$?
	expect_eq "exit status of replace with no entries" 2 "$rc" || return 1
	unchanged "$MX" "$LIST" "$GEN"
}
check "an empty list (empty file, or no entries) is refused, list unchanged" empty

missing() {
	refused "$TMPD/no-such-file" replace -f "$TMPD/no-such-file"
}
check "a file that does not exist is reported, nothing sent" missing

ktap_finish
