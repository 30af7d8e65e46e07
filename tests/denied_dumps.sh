#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What readers of the refused-sources table can make the kernel hold.
# GET_DENIED needs no privilege, and a dump keeps its snapshot (up to
# MXLOCK_DENIED_MAX rows of 64 bytes, 64 KiB) until it ends: a user who
# starts dumps and never reads them would pin 64 KiB a socket, without
# end. So at most MXLOCK_DENIED_DUMPS (16) such dumps may be open in a
# namespace; the next ends at once in NLMSG_DONE with EBUSY and an
# extack. Dumps by holders of CAP_NET_ADMIN are not counted, so the admin
# still reads the table; /proc/net/mxlock/denied holds no snapshot across
# reads and stays open to all. It was a single_open file, whose open fd
# held its whole formatted output (a 64 KiB buffer for 1024 rows) once
# read from: 300 fds of nobody's, each read one byte, pinned 19 MiB. Now
# it is a seq_file iterator, which holds one page per open fd.
#
# The attacker here is nobody (setpriv, no capabilities) with a full table
# (1100 spoofed sources, 1024 rows shown): 300 sockets each start a dump
# and read nothing (nlclient denied-hold). Kernel memory is MemAvailable in
# /proc/meminfo (a dump's snapshot is a 64 KiB kvmalloc, outside the slab
# figures): while held it may be down by 8 MiB at most (16 snapshots are
# 1 MiB, the 300 sockets and their first messages take the rest; without
# the bound, 300 snapshots of the whole per-CPU tables are 37.5 MiB on 2
# CPUs), and once the sockets are closed it is back within 2 MiB.
source "$(dirname "$0")/lib.sh"

require_mxlock
require_nlclient
require_cmd python3 setpriv
ktap_begin 7

N=300
DUMPS=16		# MXLOCK_DENIED_DUMPS
HOLD_MAX_KB=8192

topology || ktap_bail "cannot build the topology"
mx "$MX" replace "$PROVIDER" || ktap_bail "cannot load the list"

avail() { # MemAvailable, kB
	awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo
}

full_table() {
	local before
	ip -n "$MX" route add 198.18.0.0/15 dev "${SENDER_DEV[$BAD]}" || return 1
	before=$(stat "$MX" syn_dropped)
	flood_sources "$BAD" "$MX_ADDR" 0 1100 || return 1
	wait_stat "$MX" syn_dropped $((before + 1100)) 60 || return 1
	expect_eq "rows in mxlockctl denied" 1024 "$(mx "$MX" denied | grep -c .)"
}
check "1100 sources refused: the table shows 1024 (MXLOCK_DENIED_MAX) rows" full_table

# nobody's client waits for this file; the scratch directory is root's.
chmod 755 "$TMPD"
RELEASE=$TMPD/release
OUT=$TMPD/hold.out
M0=$(avail)
# (as_nobody's setpriv, spelt out: spawn runs a program, not a function)
spawn ip netns exec "$MX" setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=-all -- "$NLCLIENT" denied-hold "$N" "$RELEASE" >"$OUT"
for ((i = 0; i < $(slow 600); i++)); do
	grep -q '^holding$' "$OUT" && break
	sleep 0.1
done
M1=$(avail)
ktap_diag "nobody's client: $(tr '\n' ' ' <"$OUT")"
ktap_diag "MemAvailable: $M0 kB before, $M1 kB while held ($(((M0 - M1) / 1024)) MiB down)"

opened() {
	expect_match "client" '^holding$' "$(cat "$OUT")" || return 1
	expect_eq "dumps open and refused" "open $DUMPS refused $((N - DUMPS))" "$(sed -n 1p "$OUT")" || return 1
	# One kind of refusal: EBUSY with the module's reason.
	expect_eq "refusals" 1 "$(grep -c '^errno=' "$OUT")" || return 1
	expect_match "refusal" '^errno=16 \(EBUSY\) extack=.+' "$(grep '^errno=' "$OUT")"
}
check "nobody starts $N GET_DENIED dumps and reads none: $DUMPS open, the rest refused (EBUSY, extack)" opened

held() {
	expect_match "client" '^holding$' "$(cat "$OUT")" || return 1
	expect_ge "MemAvailable while held (kB, at least before - $HOLD_MAX_KB)" $((M0 - HOLD_MAX_KB)) "$M1"
}
check "kernel memory while held: down by less than $((HOLD_MAX_KB / 1024)) MiB" held

meanwhile() {
	local out
	expect_eq "root's denied" 1024 "$(mx "$MX" denied | grep -c .)" || return 1
	expect_match "client" '^holding$' "$(cat "$OUT")" || return 1
	out=$(as_nobody "$MX" "$MXLOCKCTL" denied 2>&1 >/dev/null)
	echo "nobody's mxlockctl denied said: $out" >&2
	expect_eq "nobody's mxlockctl denied, exit status" 2 "$(as_nobody "$MX" "$MXLOCKCTL" denied >/dev/null 2>&1; echo $?)" || return 1
	expect_match "nobody's mxlockctl denied" 'busy|too many denied dumps' "$out" || return 1
	expect_eq "/proc/net/mxlock/denied as nobody" 1024 \
		"$(as_nobody "$MX" cat /proc/net/mxlock/denied | grep -c .)"
}
check "meanwhile root's denied (CAP_NET_ADMIN) shows 1024 rows, nobody's is refused, /proc serves nobody" meanwhile

# The dumps' memory going back is kmemleak's business (make check-debug):
# MemAvailable moves by more than the 2 MiB they held with whatever else
# the guest does meanwhile (seen here: 10 MiB down after closing, none of
# it ours). What is asserted is that the namespace's count of open dumps
# went back, so nobody can dump again.
released() {
	local i n
	touch "$RELEASE"
	# (check runs this in a subshell, where the holder is no child to
	# wait for: its last line says when it has closed.)
	for ((i = 0; i < $(slow 100); i++)); do
		grep -q '^closed$' "$OUT" && break
		sleep 0.1
	done
	expect_match "client" '^closed$' "$(cat "$OUT")" || return 1
	ktap_diag "MemAvailable: $M0 kB before, $(avail) kB after closing" >&2
	# A closed socket's dumps end a moment later (netlink finishes them
	# in a work item): give that a few seconds.
	for ((i = 0; i < $(slow 50); i++)); do
		n=$(as_nobody "$MX" "$MXLOCKCTL" denied 2>/dev/null | grep -c .)
		[ "$n" = 1024 ] && break
		sleep 0.2
	done
	expect_eq "nobody's denied again" 1024 "$n"
}
check "closed: nobody's denied works again (the open dumps were counted back)" released

# The /proc file: nobody opens it N times and reads one byte of each.
PROC_OUT=$TMPD/proc.out
PROC_RELEASE=$TMPD/proc.release
M2=$(avail)
spawn ip netns exec "$MX" setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=-all -- python3 -c '
import os, sys, time
n, release = int(sys.argv[1]), sys.argv[2]
fds = [open("/proc/net/mxlock/denied", "rb", buffering=0) for _ in range(n)]
got = sum(len(f.read(1)) for f in fds)
print("open %d read %d" % (len(fds), got), flush=True)
print("holding", flush=True)
while not os.path.exists(release):
    time.sleep(0.1)
' "$N" "$PROC_RELEASE" >"$PROC_OUT"
for ((i = 0; i < $(slow 600); i++)); do
	grep -q '^holding$' "$PROC_OUT" && break
	sleep 0.1
done
M3=$(avail)
ktap_diag "MemAvailable: $M2 kB before, $M3 kB with $N /proc fds read from ($(((M2 - M3) / 1024)) MiB down)"

proc_held() {
	expect_eq "nobody's /proc reader" "open $N read $N" "$(sed -n 1p "$PROC_OUT")" || return 1
	expect_ge "MemAvailable while held (kB, at least before - $HOLD_MAX_KB)" $((M2 - HOLD_MAX_KB)) "$M3"
}
check "nobody holds $N open /proc/net/mxlock/denied, each read from: down by less than $((HOLD_MAX_KB / 1024)) MiB" proc_held
touch "$PROC_RELEASE"

# Read a few rows at a time, each read() a snapshot of its own: the table
# is still, so the rows are those of one read of the whole file.
small_reads() {
	local whole
	whole=$(as_nobody "$MX" cat /proc/net/mxlock/denied)
	expect_eq "rows" 1024 "$(grep -c . <<<"$whole")" || return 1
	expect_eq "read 100 bytes at a time" "$whole" \
		"$(as_nobody "$MX" python3 -c '
import os, sys
fd, out = os.open("/proc/net/mxlock/denied", os.O_RDONLY), b""
while True:
    b = os.read(fd, 100)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
')"
}
check "/proc/net/mxlock/denied read 100 bytes at a time: the same 1024 rows as one read" small_reads

ktap_finish
