#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Network namespaces come and go by the thousand on a container host. With
# the module loaded, each new one gets its state (settings, counters,
# /proc files), one in twenty is armed with a list (which brings the set and
# the refused-sources table), and each gives everything back when it goes.
# (Every twentieth is armed, not every one: each arming is a process, and
# processes are slow under TCG.)
# A first, smaller round warms the caches; after the second round of a
# thousand the kernel's memory (slab + vmalloc + percpu) must be back where
# it was: a leak of even a kilobyte per namespace would show as a megabyte.
#
# Under TCG a dying namespace takes seconds to be torn down, so a thousand
# take longer than a script may run in the default suite: this one runs
# when asked for, e.g.
#   VM_ENV=MXLOCK_CHURN MXLOCK_CHURN=1000 scripts/vm-run -- \
#	tests/run-all.sh tests/churn.sh
source "$(dirname "$0")/lib.sh"

[ -n "${MXLOCK_CHURN:-}" ] ||
	ktap_skip_all "set MXLOCK_CHURN=N to run (N namespaces; minutes under TCG)"
require_mxlock
ktap_begin 4

WARM=${MXLOCK_CHURN_WARM:-100}
ROUND=${MXLOCK_CHURN:-1000}
SLACK_KB=${MXLOCK_CHURN_SLACK_KB:-1024}

# churn N: N namespaces, one after the other, every twentieth armed. One
# python process creates them (processes are slow under TCG).
churn() {
	python3 - "$1" "$MXLOCKCTL" <<'PYEOF'
import ctypes, subprocess, sys
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
n, ctl = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    if libc.unshare(CLONE_NEWNET):
        sys.exit("unshare: errno %d" % ctypes.get_errno())
    if i % 20 == 0:
        subprocess.run([ctl, "replace", "192.0.2.0/24", "2001:db8::/32"],
                       check=True)
        with open("/proc/net/mxlock/stats") as f:
            if "armed 1\n" not in f.read():
                sys.exit("namespace %d did not arm" % i)
PYEOF
}

# Kernel memory in kB: what a namespace's state can live in.
kmem() {
	awk '/^(Slab|VmallocUsed|Percpu):/ { kb += $2 } END { print kb }' /proc/meminfo
}

# Namespaces are torn down by a worker after their last user goes: wait
# until the kernel holds no more of them than at the start (its
# net_namespace slab says how many exist), then let RCU callbacks run.
live_ns() {
	awk '$1 == "net_namespace" { print $2 }' /proc/slabinfo
}

settle() {
	local i
	for ((i = 0; i < 240; i++)); do
		[ "$(live_ns)" -le "$BASE_NS" ] && break
		sleep 1
	done
	sleep 2
	echo 3 >/proc/sys/vm/drop_caches
	[ "$(live_ns)" -le "$BASE_NS" ] && return 0
	echo "still $(live_ns) namespaces alive after ${i}s (at the start: $BASE_NS)"
	return 1
}

BASE_NS=$(live_ns)
[ -n "$BASE_NS" ] || ktap_bail "no net_namespace line in /proc/slabinfo"

check "warm-up: $WARM namespaces created and destroyed, every twentieth armed" churn "$WARM"
out=$(settle) || ktap_diag "warm-up: $out"
BEFORE=$(kmem)

gone() {
	churn "$ROUND" && settle
}
check "$ROUND namespaces created, every twentieth armed, and all of them gone again" gone
AFTER=$(kmem)

ktap_diag "kernel memory: $BEFORE kB after round 1, $AFTER kB after round 2"
grew() {
	local kb=$((AFTER - BEFORE))
	[ "$kb" -le "$SLACK_KB" ] && return 0
	echo "grew by $kb kB over $ROUND namespaces (slack $SLACK_KB kB)" >&2
	return 1
}
check "memory is back where it was (within $SLACK_KB kB)" grew

# And the module is still whole: it unloads and loads cleanly.
reload() {
	mxlock_unload && mxlock_load
}
check "the module unloads and loads again" reload

ktap_finish
