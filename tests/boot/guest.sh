#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/boot/guest.sh: the boot test's part inside the guest, a Debian 12
# mail host built by scripts/check-boot with systemd, Postfix and the two
# mxlock packages installed by apt. Installed as
# /usr/local/lib/mxlock-boot/guest.sh, next to a copy of tests/lib.sh and
# tests/pktcraft.
#
#   guest.sh net     (mxlock-boot-net.service, early: before mxlock.service)
#                    a sender namespace on a veth link, and a SYN flood from
#                    a refused source that runs from before the lock to the
#                    end of the boot: every answer logged with its time
#   guest.sh flood   (started by net) the flood itself
#   guest.sh run     (mxlock-boot.service, once the boot is done) the KTAP
#                    story on /dev/ttyS1, then power off. Which story comes
#                    from the kernel command line: mxlock_boot=1 (the first
#                    boot, on Debian 12's 6.1: points 1-3, an upgrade of
#                    mxlockctl in place, then the kernel upgrade) or mxlock_boot=2 (on 6.12 after the upgrade:
#                    point 4, then purge, point 5).
#
# Cast: the mail host is this namespace (Postfix on 192.0.2.25:25); the
# senders live in namespace "sender" behind veth: $GOOD_ADDR inside the
# provider's 199.89.0.0/21 and $BAD_ADDR outside it (tests/lib.sh's names).

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export MXLOCKCTL=/usr/sbin/mxlockctl
PKTCRAFT=$here/pktcraft
RUN=/run/mxlock-boot
FLOOD_LOG=$RUN/flood.log
SENDER=sender
MX_MAC=02:00:00:00:00:25
MAILBOX=/var/mail/alice
RCPT=alice@mail.example.test

# ---- guest.sh net ------------------------------------------------------

net_up() {
	mkdir -p "$RUN"
	ip netns add "$SENDER" &&
	ip link add mx0 address "$MX_MAC" type veth peer name eth0 \
		netns "$SENDER" address 02:00:00:00:00:02 &&
	ip addr add 192.0.2.25/24 dev mx0 &&
	ip link set mx0 up &&
	ip route add 199.89.0.10/32 via 192.0.2.2 dev mx0 &&
	ip route add 198.51.100.10/32 via 192.0.2.2 dev mx0 &&
	ip -n "$SENDER" link set lo up &&
	ip -n "$SENDER" link set eth0 up &&
	ip -n "$SENDER" addr add 192.0.2.2/24 dev eth0 &&
	ip -n "$SENDER" addr add 199.89.0.10/32 dev eth0 &&
	ip -n "$SENDER" addr add 198.51.100.10/32 dev eth0 &&
	ip -n "$SENDER" route add default via 192.0.2.25 || return 1
	# Detached: the flood outlives this oneshot unit.
	setsid "$here/guest.sh" flood </dev/null >/dev/null 2>&1 &
	# The lock must not come up before the flood has begun.
	for _ in $(seq 100); do
		[ -s "$FLOOD_LOG" ] && return 0
		sleep 0.1
	done
	echo "the flood logged nothing in 10 s" >&2
	return 1
}

# The flood: one SYN at a time from the refused source, each answer
# (syn-ack, rst or none) logged with the uptime it came at, until
# guest.sh run says stop.
flood() {
	local a up
	while [ ! -e "$RUN/stop" ]; do
		a=$(ip netns exec "$SENDER" "$PKTCRAFT" -i eth0 -m "$MX_MAC" \
			-s 198.51.100.10 -d 192.0.2.25 -p 25 -w 300 syn 2>/dev/null)
		read -r up _ </proc/uptime
		echo "$up ${a:-error}" >>"$FLOOD_LOG"
	done
}

# ---- helpers for the story ---------------------------------------------

# probe SRC WANT: one crafted SYN to port 25 from SRC; what came back
probe() {
	ip netns exec "$SENDER" "$PKTCRAFT" -i eth0 -m "$MX_MAC" -s "$1" \
		-d 192.0.2.25 -p 25 -w "${2:-3000}" ${3:+-x "$3"} syn 2>/dev/null
}

mono() { # UNIT PROPERTY: a monotonic timestamp of UNIT, in seconds
	local us
	us=$(systemctl show -P "$2" "$1")
	echo "$((us / 1000000)).$(printf '%06d' $((us % 1000000)))"
}

# When Postfix's master said "daemon started" (it has opened port 25 by
# then), in monotonic seconds from the journal.
# journald takes syslog lines in asynchronously (seconds late under TCG):
# wait for it a while.
postfix_listening() {
	local t i
	for ((i = 0; i < 60; i++)); do
		t=$(journalctl -b -o short-monotonic --no-pager |
			sed -n 's/^\[ *\([0-9.]*\)\] [^ ]* postfix\/master\[[0-9]*\]: daemon started.*/\1/p' |
			head -n 1)
		[ -n "$t" ] && break
		sleep 0.5
	done
	echo "$t"
}

before() { # A B: A < B (decimal seconds)
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

# Point 1: the lock is up at boot, before Postfix, and nothing got past.
boot_order() {
	local armed pf pf_listen
	expect_eq "mxlock.service" active "$(systemctl is-active mxlock.service)" || return 1
	expect_match "mxlockctl stats" '^armed 1$' "$("$MXLOCKCTL" stats)" || return 1
	armed=$(mono mxlock.service ActiveEnterTimestampMonotonic)
	pf=$(mono postfix@-.service InactiveExitTimestampMonotonic)
	pf_listen=$(postfix_listening)
	echo "mxlock armed at ${armed}s; postfix@- began starting at ${pf}s," \
		"its master said 'daemon started' at ${pf_listen:-?}s" >&2
	[ -n "$pf_listen" ] || journalctl -b -o short-monotonic --no-pager | grep -i postfix >&2
	if [ "$armed" = 0.000000 ] || ! before "$armed" "$pf"; then
		echo "postfix began starting before the lock was armed" >&2
		return 1
	fi
	[ -n "$pf_listen" ] && before "$armed" "$pf_listen"
}

# The flood's log, stopped: no SYN-ACK ever, and it covered the whole boot
# from before the lock to after Postfix listened.
flood_verdict() {
	local first last n acks armed pf_listen
	touch "$RUN/stop"
	sleep 1
	n=$(wc -l <"$FLOOD_LOG")
	acks=$(grep -c ' syn-ack$' "$FLOOD_LOG")
	first=$(awk 'NR == 1 { print $1 }' "$FLOOD_LOG")
	last=$(awk 'END { print $1 }' "$FLOOD_LOG")
	armed=$(mono mxlock.service ActiveEnterTimestampMonotonic)
	pf_listen=$(postfix_listening)
	echo "flood: $n SYNs from ${first}s to ${last}s:" \
		"$(awk '{ print $2 }' "$FLOOD_LOG" | sort | uniq -c | tr -s ' \n' ' ')" >&2
	expect_ge "SYNs sent during the boot" 10 "$n" || return 1
	expect_eq "SYN-ACKs to the refused source" 0 "$acks" || return 1
	before "$first" "$armed" || { echo "the flood began only after the lock" >&2; return 1; }
	before "${pf_listen:-999999}" "$last" ||
		{ echo "the flood ended before Postfix listened" >&2; return 1; }
}

# Point 2: real mail. SUBJECT SRC: swaks from SRC to alice.
swaks_from() {
	ip netns exec "$SENDER" swaks --server 192.0.2.25 --port 25 \
		--local-interface "$2" --timeout "${3:-30}" \
		--from "postmaster@provider.example" --to "$RCPT" \
		--header "Subject: $1" --body "mxlock boot test: $1"
}

delivered() { # SUBJECT: the message is in alice's mailbox (waits a while)
	local i
	for ((i = 0; i < 120; i++)); do
		grep -q "^Subject: $1\$" "$MAILBOX" 2>/dev/null && return 0
		sleep 0.5
	done
	echo "no message with Subject: $1 in $MAILBOX" >&2
	return 1
}

mail_from_provider() {
	local subj=provider-$RANDOM$RANDOM out
	out=$(swaks_from "$subj" 199.89.0.10 2>&1) ||
		{ echo "$out" | tail -20 >&2; return 1; }
	delivered "$subj" || return 1
	expect_match "postfix's log" 'connect from [^ ]*\[199\.89\.0\.10\]' \
		"$(journalctl -b -t postfix/smtpd --no-pager)"
}

mail_from_outside() {
	local subj=outside-$RANDOM$RANDOM rc seen
	swaks_from "$subj" 198.51.100.10 8 >/dev/null 2>&1
	rc=$?
	expect_eq "swaks from 198.51.100.10: exit status (2: no connection)" 2 "$rc" || return 1
	seen=$(journalctl -b -t postfix/smtpd --no-pager | grep '198\.51\.100\.10')
	[ -z "$seen" ] || { echo "postfix's log names 198.51.100.10:"; echo "$seen"; } >&2
	[ -z "$seen" ] || return 1
	! grep -q "^Subject: $subj\$" "$MAILBOX" 2>/dev/null
}

# probing SRC LOG CMD...: SYNs from SRC to port 25, one after another
# (each given 2 s for a SYN-ACK), from 2 s before CMD to 2 s after it;
# each answer a line of LOG. CMD's status.
probing() {
	local src=$1 log=$2 pid rc
	shift 2
	: >"$log"
	rm -f "$log.stop"
	(while [ ! -e "$log.stop" ]; do probe "$src" 2000 syn-ack >>"$log"; done) &
	pid=$!
	sleep 2
	"$@"
	rc=$?
	sleep 2
	touch "$log.stop"
	wait $pid
	return $rc
}

# Point 3: reload. A sender in the list probes all through the reload and
# must never miss; the new list is in force after it.
reload_applies() {
	local n miss
	cp /etc/mxlock/allow.conf "$RUN/allow.orig"
	echo 198.51.100.0/24 >>/etc/mxlock/allow.conf
	probing 199.89.0.10 "$RUN/probes" systemctl reload mxlock.service || return 1
	n=$(wc -l <"$RUN/probes")
	miss=$(grep -vc '^syn-ack$' "$RUN/probes")
	echo "the provider's source, probing through the reload: $n SYNs, $miss unanswered" >&2
	expect_ge "probes" 3 "$n" || return 1
	expect_eq "probes without a SYN-ACK" 0 "$miss" || return 1
	expect_match "mxlockctl list" '^198\.51\.100\.0/24( |$)' "$("$MXLOCKCTL" list)" || return 1
	expect_eq "198.51.100.10, now in the list" syn-ack "$(probe 198.51.100.10 3000 syn-ack)"
}

reload_typo() {
	local line old since
	old=$("$MXLOCKCTL" list)
	{ cat "$RUN/allow.orig"; echo 199.89.8.0/33; } >/etc/mxlock/allow.conf
	line=$(wc -l </etc/mxlock/allow.conf)
	since=$(date '+%Y-%m-%d %H:%M:%S')
	sleep 1
	if systemctl reload mxlock.service; then
		echo "the reload of a list with a typo succeeded" >&2
		return 1
	fi
	expect_match "the journal" "/etc/mxlock/allow\.conf:$line:" \
		"$(journalctl -u mxlock.service --since "$since" --no-pager)" || return 1
	expect_eq "the list in force" "$old" "$("$MXLOCKCTL" list)" || return 1
	expect_eq "198.51.100.10, still in the old list" syn-ack "$(probe 198.51.100.10 3000 syn-ack)" || return 1
	# Back to the shipped list: the outsider is refused again.
	cp "$RUN/allow.orig" /etc/mxlock/allow.conf
	systemctl reload mxlock.service || return 1
	expect_eq "198.51.100.10 after the list is put back" none "$(probe 198.51.100.10 3000)"
}

# An upgrade of the tool's package (apt reinstalls it: the maintainer
# scripts run as for a new version) never opens the lock: the outsider
# probes all through it and gets no SYN-ACK, and the list is still armed.
upgrade_in_place() {
	local n acks gen0 gen1 mpid
	gen0=$("$MXLOCKCTL" stats | sed -n 's/^generation //p')
	# A stop, however short, shows as events: flush (armed 0), replace.
	"$MXLOCKCTL" monitor >"$RUN/upevents" 2>&1 &
	mpid=$!
	probing 198.51.100.10 "$RUN/upprobes" \
		apt-get install -y --reinstall /root/debs/mxlockctl_*.deb >&2 || return 1
	kill "$mpid"
	wait "$mpid"
	gen1=$("$MXLOCKCTL" stats | sed -n 's/^generation //p')
	n=$(wc -l <"$RUN/upprobes")
	acks=$(grep -c '^syn-ack$' "$RUN/upprobes")
	echo "the outsider, probing through the upgrade: $n SYNs, $acks SYN-ACKs;" \
		"generation $gen0 -> $gen1; events: $(cat "$RUN/upevents")" >&2
	expect_ge "probes" 3 "$n" || return 1
	expect_eq "SYN-ACKs to 198.51.100.10" 0 "$acks" || return 1
	expect_eq "the list's generation (no flush, no reload)" "$gen0" "$gen1" || return 1
	expect_eq "mxlock.service" active "$(systemctl is-active mxlock.service)" || return 1
	expect_match "mxlockctl stats" '^armed 1$' "$("$MXLOCKCTL" stats)"
}

re_quote() { # STRING: as an ERE matching it (6.12.118+deb12: '.' and '+')
	local r=${1//./\\.}
	echo "${r//+/\\+}"
}

# KVER: where DKMS installs mxlock for KVER, compressed as that kernel's
# own modules are (6.12's with xz) or not (6.1's).
dkms_ko_re() {
	echo "^/lib/modules/$(re_quote "$1")/updates/dkms/mxlock\.ko(\.xz|\.zst|\.gz)?\$"
}

# Point 4, first half: Debian 12 -> 13's kernel, as apt installs it.
upgrade() {
	local kver kre
	kver=$(cat /root/upgrade/KVER)
	# apt's output goes to the console too, each line with the uptime:
	# under TCG this step takes minutes and the console shows where.
	set -o pipefail
	apt-get install -y /root/upgrade/*.deb 2>&1 |
		awk '{ getline up < "/proc/uptime"; close("/proc/uptime")
			split(up, u, " "); printf "[%s] %s\n", u[1], $0; fflush() }' |
		tee /dev/ttyS0 >&2 || return 1
	kre=$(re_quote "$kver")
	expect_match "dkms status" "mxlock/[^,]*, $kre, [^:]*: installed" "$(dkms status mxlock)" || return 1
	expect_match "the module built for $kver" "^$kre " \
		"$(modinfo -k "$kver" -F vermagic mxlock 2>&1)" || return 1
	expect_match "where modprobe finds it on $kver" "$(dkms_ko_re "$kver")" \
		"$(modinfo -k "$kver" -n mxlock 2>&1)" || return 1
	[ -f "/boot/vmlinuz-$kver" ] && [ -f "/boot/initrd.img-$kver" ]
}

on_new_kernel() {
	local kver
	kver=$(cat /root/upgrade/KVER)
	expect_eq "uname -r" "$kver" "$(uname -r)" || return 1
	expect_match "the loaded module's file" "$(dkms_ko_re "$kver")" \
		"$(modinfo -n mxlock)" || return 1
	[ -d /sys/module/mxlock ]
}

# Point 5: purge both; nothing of theirs is left, and the module goes.
purge() {
	local files left out
	files=$(dpkg -L mxlock-dkms mxlockctl | sort -u)
	files+=$'\n'$(find /lib/modules -name 'mxlock.ko*')
	files+=$'\n'/var/lib/dkms/mxlock$'\n'/var/lib/mxlock
	# What enabling the units made: .wants links, deb-systemd-helper's
	# state (not the test's own mxlock-boot units).
	files+=$'\n'$(find /etc/systemd /var/lib/systemd -name 'mxlock.service*' -o \
		-name 'mxlock-sync.*')
	out=$(apt-get purge -y mxlockctl mxlock-dkms 2>&1) ||
		{ echo "$out" >&2; return 1; }
	echo "$out" | grep mxlock: >&2
	left=$(while read -r f; do
		[ -n "$f" ] || continue
		[ -e "$f" ] || [ -L "$f" ] || continue
		# Directories shared with others (/etc, /usr/src, /lib: a
		# symlink on merged /usr) stay; one named after us must go.
		[[ $f != *mxlock* ]] && [ -d "$f" ] && [ -n "$(ls -A "$f")" ] && continue
		echo "$f"
	done <<<"$files")
	[ -z "$left" ] || { echo "left behind:"; echo "$left"; } >&2
	[ -z "$left" ] || return 1
	expect_match "apt's output" "stays loaded.*'rmmod mxlock'" "$out" || return 1
	# The unit's stop disarmed it: the outsider gets in again...
	expect_eq "198.51.100.10 once the service is gone" syn-ack "$(probe 198.51.100.10 3000 syn-ack)" || return 1
	# ...and the module goes as the message says.
	rmmod mxlock || return 1
	[ ! -d /sys/module/mxlock ]
}

# The provider's SPF record, served by nsd on this host's loopback from a
# zone signed here: mxlock-sync.service, sandboxed as shipped, syncs from
# it. 203.0.113.0/24 is the provider's new range (the flood's source,
# 198.51.100.10, stays outside it).
DNS=$RUN/dns
dns_up() {
	local k
	mkdir -p "$DNS" && cd "$DNS" || return 1
	# shellcheck disable=SC2016  # zone file directives, as they are
	printf '%s\n' '$ORIGIN provider.example.' '$TTL 300' \
		'@ IN SOA ns hostmaster 1 3600 600 86400 60' '@ IN NS ns' \
		'ns IN A 127.0.0.1' \
		'_spf IN TXT "v=spf1 ip4:199.89.0.0/21 " "ip4:203.0.113.0/24 -all"' \
		>provider.example.zone
	k=$(ldns-keygen -a ECDSAP256SHA256 -k provider.example) &&
	ldns-signzone -f provider.example.signed provider.example.zone "$k" &&
	cp "$k.ds" provider.ds || return 1
	printf '%s\n' server: '	ip-address: 127.0.0.1@5353' '	username: ""' \
		"	zonesdir: \"$DNS\"" '	database: ""' \
		"	zonelistfile: \"$DNS/zone.list\"" "	xfrdfile: \"$DNS/xfrd.state\"" \
		"	xfrdir: \"$DNS\"" "	pidfile: \"$DNS/nsd.pid\"" \
		"	logfile: \"$DNS/nsd.log\"" remote-control: '	control-enable: no' \
		zone: '	name: provider.example' '	zonefile: provider.example.signed' \
		>nsd.conf
	nsd -c nsd.conf || return 1
	for _ in $(seq 100); do
		drill -p 5353 @127.0.0.1 _spf.provider.example TXT 2>/dev/null |
			grep -q 'v=spf1' && return 0
		sleep 0.1
	done
	echo "nsd does not answer; its log:" >&2
	cat nsd.log >&2
	return 1
}

# The sync timer ships disabled; its service, started by hand as the man
# page says, syncs through the unit's sandbox and writes its state.
sync_service() {
	local since
	expect_eq "mxlock-sync.timer" disabled "$(systemctl is-enabled mxlock-sync.timer)" || return 1
	(dns_up) || return 1
	printf '%s\n' "provider _spf.provider.example" "resolver 127.0.0.1@5353" \
		"trust-anchor $DNS/provider.ds" "dnssec require" >/etc/mxlock/sync.conf
	since=$(date '+%Y-%m-%d %H:%M:%S')
	sleep 1
	systemctl start mxlock-sync.service ||
		{ journalctl -u mxlock-sync.service --no-pager >&2; return 1; }
	expect_match "the journal" 'spf: _spf\.provider\.example: 2 entries, 0 of 10 DNS-querying terms, secure' \
		"$(journalctl -u mxlock-sync.service --since "$since" --no-pager)" || return 1
	expect_match "mxlockctl list" '^203\.0\.113\.0/24( |$)' "$("$MXLOCKCTL" list)" || return 1
	expect_match "sync.list" '^203\.0\.113\.0/24$' "$(cat /var/lib/mxlock/sync.list)" || return 1
	[ -s /var/lib/mxlock/sync.state ] || { echo "no sync.state" >&2; return 1; }
	expect_eq "198.51.100.10, still outside" none "$(probe 198.51.100.10 3000)"
}

# Boot 2: what the last sync loaded is in force from boot on (sync.list),
# with no DNS asked (nsd does not run in this boot).
synced_at_boot() {
	expect_match "mxlockctl list" '^203\.0\.113\.0/24( |$)' "$("$MXLOCKCTL" list)"
}

# ---- guest.sh run ------------------------------------------------------

story() {
	local stage
	stage=$(sed -n 's/.*mxlock_boot=\([0-9]\).*/\1/p' /proc/cmdline)
	# shellcheck source=../lib.sh
	source "$here/lib.sh"
	ktap_diag "boot $stage: $(uname -r), $(systemctl is-system-running)"
	case $stage in
	1)
		ktap_begin 10
		check "1. mxlock.service is active and armed, before Postfix began to start" boot_order
		check "1. a SYN flood from a refused source all through the boot: no SYN-ACK" flood_verdict
		check "2. swaks from 199.89.0.10: Postfix puts the message in alice's mailbox" mail_from_provider
		check "2. swaks from 198.51.100.10: times out; Postfix's log has no connection" mail_from_outside
		check "3. systemctl reload applies an edited allow.conf, no SYN missed meanwhile" reload_applies
		check "3. a typo: the reload fails naming file and line, the old list stays" reload_typo
		check "the sync timer ships disabled; mxlock-sync.service syncs a signed SPF record from nsd" sync_service
		check "an upgrade of mxlockctl (apt --reinstall) never opens the lock" upgrade_in_place
		check "4. apt installs Debian's 6.12 kernel and headers: DKMS builds mxlock for it" upgrade
		check "4. the lock came through the upgrade's configuration unchanged" \
			expect_match "stats" '^armed 1$' "$("$MXLOCKCTL" stats)"
		;;
	2)
		ktap_begin 7
		check "4. booted into 6.12: DKMS's module for it is the one loaded" on_new_kernel
		check "4. on 6.12, mxlock.service armed the lock before Postfix began to start" boot_order
		check "4. on 6.12, the boot's SYN flood from a refused source: no SYN-ACK" flood_verdict
		check "4. on 6.12, mail from 199.89.0.10 is delivered" mail_from_provider
		check "4. on 6.12, mail from 198.51.100.10 never reaches Postfix" mail_from_outside
		check "the ranges the last sync loaded are in force from boot (sync.list, no DNS)" synced_at_boot
		check "5. apt purge of both leaves none of their files; the module goes by rmmod, as apt says" purge
		;;
	*)
		ktap_bail "no mxlock_boot=1|2 on the kernel command line" ;;
	esac
	ktap_finish
}

case ${1:-} in
net) net_up ;;
flood) flood ;;
run)
	exec >/dev/ttyS1 2>&1
	(story)
	echo "mxlock-boot: story exit $?"
	sync
	systemctl poweroff ;;
*) echo "usage: $0 net|run" >&2; exit 2 ;;
esac
