/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mxlock: lock a mail host's SMTP port to a provider's address ranges.
 *
 * This header is the whole ABI between the kernel module (kmod/mxlock.ko)
 * and its clients (ctl/mxlockctl, tests/). It is the one place the ABI is
 * written down; both sides include it.
 *
 * Everything is per network namespace: a request acts on the namespace of
 * the socket that sends it. Commands that change state need CAP_NET_ADMIN
 * over that namespace (GENL_UNS_ADMIN_PERM); reads need no privilege.
 * Attribute policies are strict: unknown attributes, wrong types or lengths
 * are refused with an extended ack (extack) message saying why.
 *
 * Generic netlink family MXLOCK_GENL_NAME, version MXLOCK_GENL_VERSION.
 *
 * An "entry" is one nested MXLOCK_A_ENTRY inside MXLOCK_A_ENTRIES:
 *
 *    MXLOCK_ENTRY_A_ADDR      binary, 4 bytes (IPv4) or 16 bytes (IPv6),
 *                             network byte order; the family is told by
 *                             the length. Required.
 *    MXLOCK_ENTRY_A_PREFIXLEN u8: the entry is ADDR/PREFIXLEN. Host bits
 *                             set in ADDR are refused (-EINVAL), never
 *                             silently masked.
 *    MXLOCK_ENTRY_A_ADDR_END  binary, same length as ADDR: the entry is the
 *                             inclusive range ADDR..ADDR_END (ADDR_END >=
 *                             ADDR).
 *    Neither PREFIXLEN nor ADDR_END: the single address ADDR. Both: refused.
 *
 * MXLOCK_A_ENTRIES is one attribute, so one request carries at most 64 KiB
 * of entries (nla_len is 16 bits): some 5000 IPv4 ones. A longer list goes
 * in REPLACE chunks. No top-level attribute may appear twice in a request
 * (-EINVAL: the core would keep only the last one), and an entry or port
 * list must be whole: bytes left over after its last complete element (a
 * truncated or overrunning nest) make the request fail with -EINVAL,
 * nothing applied. A request larger than the socket's send buffer is
 * refused by sendmsg() (-EMSGSIZE) before it reaches the module.
 *
 * One list holds both families. IPv4-mapped IPv6 addresses (::ffff:0:0/96)
 * belong to the IPv4 part: an IPv6 packet from ::ffff:a.b.c.d is judged by
 * the IPv4 entries, an IPv6 entry wholly inside ::ffff:0:0/96 or a range
 * with one end inside it is refused (give that part as IPv4), and a wider
 * IPv6 entry (such as ::/0) never covers that block.
 *
 * The allowlist is a set of address intervals: entries are merged where
 * they overlap or touch. A namespace with no list loaded is "unarmed" and
 * passes every packet (counting the SYNs it saw); loading a list arms it.
 * An empty list is never armed: it would refuse all mail.
 *
 * Commands:
 *
 * MXLOCK_CMD_GET_STATE (doit, unprivileged)
 *    Request: nothing. Reply (same command): MXLOCK_A_MODE, MXLOCK_A_ACTION,
 *    MXLOCK_A_LOG, MXLOCK_A_PORTS, MXLOCK_A_ARMED, MXLOCK_A_RANGES (number
 *    of merged intervals), MXLOCK_A_GENERATION and MXLOCK_A_STATS, a nest
 *    of MXLOCK_STATS_A_* u64 counters summed over all CPUs.
 *
 * MXLOCK_CMD_SET_CONFIG (admin)
 *    Request: any of the following, at least one; all or none apply.
 *    MXLOCK_A_MODE    enforce refuses SYNs from outside the list; monitor
 *                     counts them as MXLOCK_STATS_A_SYN_MONITORED and lets
 *                     them in.
 *    MXLOCK_A_ACTION  how enforce refuses: drop silently, or reject with a
 *                     TCP RST so a misconfigured sender fails fast. The
 *                     first reject loads the kernel's nf_reject_ipv4 and
 *                     nf_reject_ipv6; without them it is refused with
 *                     -EOPNOTSUPP. Sources are easily spoofed, so a
 *                     namespace sends at most reject_rate RSTs a second
 *                     (module parameter); the rest are dropped and
 *                     counted as MXLOCK_STATS_A_RST_LIMITED.
 *    MXLOCK_A_LOG     1: log each refused source to the kernel log, rate
 *                     limited per source and CPU and per namespace (a
 *                     burst of 10 lines every 5 s; namespaces owned by a
 *                     user namespace other than the initial one share one
 *                     more such limit), each line naming the namespace by
 *                     its inode number: "mxlock: netns INUM: refused SYN
 *                     from ADDR to port PORT" ("refused ACK" for a cookie
 *                     ACK); 0 (default): don't.
 *    MXLOCK_A_PORTS   nest of 1..MXLOCK_MAX_PORTS MXLOCK_A_PORT (u16, host
 *                     order, non-zero): the guarded TCP ports. The default
 *                     is the module parameter "port" (25).
 *
 * MXLOCK_CMD_REPLACE (admin)
 *    Request: MXLOCK_A_ENTRIES (may be absent in a chunk),
 *    MXLOCK_A_REPLACE_FLAGS (optional), MXLOCK_A_REPLACE_COUNT (required
 *    on a chunked commit, see below). Replaces the whole list
 *    atomically: packets see either the old list or the new one, never
 *    a mix. A large list is sent in chunks that build a staging list
 *    bound to the sending socket:
 *      MXLOCK_REPLACE_F_CONTINUE  this chunk adds to the socket's open
 *                                 transaction; without it any open
 *                                 transaction of the socket is discarded
 *                                 and a new one begins.
 *      MXLOCK_REPLACE_F_MORE      more chunks follow: stage, do not commit.
 *    A request without F_MORE commits: the staged entries become the live
 *    list in one step. The staging list is discarded if the module
 *    refuses a chunk or the socket is closed before the commit; the old
 *    list then stays in force. A chunk the attribute policy refuses (an
 *    unknown attribute or flag, a wrong type) never reaches the module,
 *    so its transaction stays open; the module learns of it from the
 *    commit. A commit that ends a chunked transaction (F_CONTINUE
 *    without F_MORE) must carry MXLOCK_A_REPLACE_COUNT, the number of
 *    entries the whole transaction sent (the commit's own included):
 *    without it the commit is refused (-EINVAL), and a count that
 *    differs from what was staged is refused too (-EBADMSG); either way
 *    the transaction is discarded. A one-message replace may carry it.
 *    Committing an empty list is refused (use FLUSH to disarm). At most
 *    MXLOCK_MAX_ENTRIES entries per transaction: the chunk that passes it
 *    is refused (-E2BIG) and the transaction discarded. (An IPv6 entry
 *    around ::ffff:0:0/96, such as ::/0, counts twice: it stands for the
 *    two intervals on either side of the block.)
 *    Budgets: every interval the module holds is charged to a pool
 *    shared across namespaces, so that making namespaces does not
 *    multiply what may be staged. A staging list is charged for the
 *    room it has allocated (it doubles from 64 intervals: a
 *    transaction of S entries is charged the next power of two >= S),
 *    until it is committed or discarded; a set, for its intervals,
 *    from its commit until it is freed after it is replaced. Every
 *    namespace draws from the module parameter "budget" (default
 *    16777216); one owned by a user namespace other than the initial
 *    one draws from "userns_budget" too (default 1048576), which all
 *    such namespaces share. A chunk or commit that would pass either
 *    is refused with -ENOSPC and an extack naming the pool, and the
 *    transaction is discarded; the live list is unchanged. The pool's
 *    figures: MXLOCK_STATS_A_BUDGET_USED and _LIMIT.
 *
 * MXLOCK_CMD_ADD (admin)
 *    Request: MXLOCK_A_ENTRIES. Adds them to the list (arming it if it was
 *    unarmed), in one atomic step. A result of more than
 *    MXLOCK_MAX_ENTRIES intervals is refused (-E2BIG), nothing changed;
 *    one over the namespace's budget (see REPLACE) with -ENOSPC.
 *
 * MXLOCK_CMD_DEL (admin)
 *    Request: MXLOCK_A_ENTRIES. Removes the addresses they cover from the
 *    list, splitting intervals where needed, in one atomic step. Refused
 *    with -ENOENT if an entry covers no listed address, and with -EINVAL if
 *    the list would be left empty (use FLUSH to disarm). Deleting from
 *    inside an interval splits it: a result of more than
 *    MXLOCK_MAX_ENTRIES intervals is refused (-E2BIG), nothing changed;
 *    one over the namespace's budget (see REPLACE) with -ENOSPC.
 *
 * MXLOCK_CMD_FLUSH (admin)
 *    Request: nothing. Drops the list: the namespace is unarmed again.
 *
 * MXLOCK_CMD_GET_ENTRIES (dump, unprivileged)
 *    Each reply message carries MXLOCK_A_GENERATION and MXLOCK_A_ENTRIES
 *    with the merged intervals, each as ADDR, ADDR_END and
 *    MXLOCK_ENTRY_A_HITS (u64: SYNs it admitted): IPv4 ones in ascending
 *    order, then IPv6 ones in ascending order. Here GENERATION is that of
 *    the last change to the list itself (SET_CONFIG does not touch it).
 *    An interval's hits survive a change that keeps it whole or merges it
 *    into a larger one; one that is split starts again from zero. A set
 *    too large for its counters to fit in 64 MiB carries no HITS. A dump
 *    that overlaps a change is flagged NLM_F_DUMP_INTR.
 *
 * MXLOCK_CMD_TEST (doit, unprivileged)
 *    Request: MXLOCK_A_ADDR (IPv4 or IPv6). Reply: MXLOCK_A_VERDICT, what
 *    the hook would do now with a SYN from that address to a guarded port
 *    (the namespace's own addresses, exempt on loopback, are judged as any
 *    other here).
 *
 * MXLOCK_CMD_GET_DENIED (dump, unprivileged)
 *    The sources refused (or, in monitor mode, that would have been)
 *    recently, most recently seen first, at most MXLOCK_DENIED_MAX of
 *    them. Each CPU records the sources it refuses in a table of its own
 *    (MXLOCK_DENIED_MAX sources with up to two CPUs, fewer per CPU on
 *    larger machines), evicting its least recently seen source when full;
 *    the dump merges the tables into one row per source: COUNT is the sum
 *    of the CPUs' counts, FIRST the earliest and LAST the latest of their
 *    times. Each reply message carries MXLOCK_A_DENIED, a nest of
 *    MXLOCK_A_DENIED_SOURCE nests of MXLOCK_DENIED_A_*. The rows are a
 *    snapshot taken at the dump's first message, held (charged to the
 *    reader) until the dump ends or its socket closes; so at most
 *    MXLOCK_DENIED_DUMPS dumps by readers without CAP_NET_ADMIN over the
 *    namespace may be open in it at once: the next one ends at once in
 *    NLMSG_DONE with -EBUSY and an extack, until one of them ends.
 *
 * MXLOCK_CMD_FLUSH_DENIED (admin)
 *    Request: nothing. Empties the tables of refused sources, every
 *    CPU's.
 *
 * Events: every change above (REPLACE on commit, ADD, DEL, FLUSH,
 * SET_CONFIG) is announced to the multicast group MXLOCK_MCGRP_EVENTS of
 * the namespace, as a message of the changing command carrying
 * MXLOCK_A_PORTID (who made it), MXLOCK_A_GENERATION (the resulting one)
 * and the whole resulting state: MODE, ACTION, LOG, PORTS, ARMED and
 * RANGES. Like every read, listening needs no privilege.
 * An event of a change to the list (REPLACE, ADD, DEL, FLUSH; not
 * SET_CONFIG) also says what changed, as the difference between the
 * addresses listed before and after it:
 *    MXLOCK_A_ADDED    u32: the number of merged intervals of the addresses
 *                      listed now and not before (0 if none);
 *    MXLOCK_A_REMOVED  u32: likewise of those listed before and not now.
 * Only addresses count, not the entries that named them: a REPLACE with
 * the same list, or an ADD of addresses already listed, is still an
 * event, with 0 and 0. When a count is 1..MXLOCK_EVENT_ENTRIES, the
 * intervals themselves come in MXLOCK_A_ADDED_ENTRIES (or
 * MXLOCK_A_REMOVED_ENTRIES): a nest of MXLOCK_A_ENTRY as GET_ENTRIES dumps
 * them (ADDR and ADDR_END, no HITS), IPv4 ones first, then IPv6 ones,
 * each in ascending order; with 0, or more than MXLOCK_EVENT_ENTRIES,
 * that nest is absent. Both
 * families are counted together, and IPv6 intervals are as the list
 * keeps them (never inside ::ffff:0:0/96). E.g. {10.0.0.0/24} replaced
 * with {10.0.0.0/25, 10.0.1.0/24}: ADDED 1 (10.0.1.0-10.0.1.255), REMOVED
 * 1 (10.0.0.128-10.0.0.255). These four attributes are the module's to
 * send: no request policy accepts them.
 *
 * Every change increments MXLOCK_A_GENERATION (u32, wraps).
 */
#ifndef _UAPI_LINUX_MXLOCK_H
#define _UAPI_LINUX_MXLOCK_H

#define MXLOCK_GENL_NAME	"mxlock"
#define MXLOCK_GENL_VERSION	1

/*
 * Upper bound on entries in one REPLACE transaction or ADD request, and
 * on the intervals a list holds after ADD or DEL.
 */
#define MXLOCK_MAX_ENTRIES	(1U << 22)

/*
 * An event lists the intervals added (or removed) when there are at most
 * this many; beyond, it gives only their number.
 */
#define MXLOCK_EVENT_ENTRIES	8

/* At most this many guarded ports per namespace. */
#define MXLOCK_MAX_PORTS	16

/* Rows in a GET_DENIED dump at most; also the most one CPU's table holds. */
#define MXLOCK_DENIED_MAX	1024

/* GET_DENIED dumps without CAP_NET_ADMIN open at once per namespace. */
#define MXLOCK_DENIED_DUMPS	16

#define MXLOCK_MCGRP_EVENTS	"events"

enum mxlock_cmd {
	MXLOCK_CMD_UNSPEC,
	MXLOCK_CMD_GET_STATE,
	MXLOCK_CMD_SET_CONFIG,
	MXLOCK_CMD_REPLACE,
	MXLOCK_CMD_ADD,
	MXLOCK_CMD_DEL,
	MXLOCK_CMD_FLUSH,
	MXLOCK_CMD_GET_ENTRIES,
	MXLOCK_CMD_TEST,
	MXLOCK_CMD_GET_DENIED,
	MXLOCK_CMD_FLUSH_DENIED,
	__MXLOCK_CMD_MAX
};

#define MXLOCK_CMD_MAX (__MXLOCK_CMD_MAX - 1)

enum mxlock_attr {
	MXLOCK_A_UNSPEC,
	MXLOCK_A_PAD,			/* alignment padding for u64 */
	MXLOCK_A_MODE,			/* u8, enum mxlock_mode */
	MXLOCK_A_ARMED,			/* u8, 0 or 1 */
	MXLOCK_A_RANGES,		/* u32, merged intervals in the list */
	MXLOCK_A_GENERATION,		/* u32, bumped by every change */
	MXLOCK_A_PORTS,			/* nest of MXLOCK_A_PORT */
	MXLOCK_A_STATS,			/* nest, MXLOCK_STATS_A_* */
	MXLOCK_A_ENTRIES,		/* nest of MXLOCK_A_ENTRY */
	MXLOCK_A_REPLACE_FLAGS,		/* u32, MXLOCK_REPLACE_F_* */
	MXLOCK_A_ADDR,			/* binary, 4 or 16 bytes */
	MXLOCK_A_VERDICT,		/* u8, enum mxlock_verdict */
	MXLOCK_A_ACTION,		/* u8, enum mxlock_action */
	MXLOCK_A_LOG,			/* u8, 0 or 1 */
	MXLOCK_A_PORTID,		/* u32, netlink portid of a change's maker */
	MXLOCK_A_DENIED,		/* nest of MXLOCK_A_DENIED_SOURCE */
	MXLOCK_A_REPLACE_COUNT,		/* u32, entries a transaction sent */
	MXLOCK_A_ADDED,			/* u32, intervals a list event added */
	MXLOCK_A_REMOVED,		/* u32, intervals it removed */
	MXLOCK_A_ADDED_ENTRIES,		/* nest of MXLOCK_A_ENTRY, if 1..8 */
	MXLOCK_A_REMOVED_ENTRIES,	/* nest of MXLOCK_A_ENTRY, if 1..8 */
	__MXLOCK_A_MAX
};

#define MXLOCK_A_MAX (__MXLOCK_A_MAX - 1)

/*
 * The type of each nest inside MXLOCK_A_ENTRIES, MXLOCK_A_ADDED_ENTRIES and
 * MXLOCK_A_REMOVED_ENTRIES.
 */
#define MXLOCK_A_ENTRY 1
/* The type of each u16 inside MXLOCK_A_PORTS: a TCP port, host order. */
#define MXLOCK_A_PORT 1
/* The type of each nest inside MXLOCK_A_DENIED. */
#define MXLOCK_A_DENIED_SOURCE 1

enum mxlock_entry_attr {
	MXLOCK_ENTRY_A_UNSPEC,
	MXLOCK_ENTRY_A_ADDR,		/* binary, 4 or 16 bytes */
	MXLOCK_ENTRY_A_PREFIXLEN,	/* u8 */
	MXLOCK_ENTRY_A_ADDR_END,	/* binary, same length as ADDR */
	MXLOCK_ENTRY_A_HITS,		/* u64, in dumps only */
	MXLOCK_ENTRY_A_PAD,
	__MXLOCK_ENTRY_A_MAX
};

#define MXLOCK_ENTRY_A_MAX (__MXLOCK_ENTRY_A_MAX - 1)

enum mxlock_stats_attr {
	MXLOCK_STATS_A_UNSPEC,
	MXLOCK_STATS_A_PAD,
	MXLOCK_STATS_A_SYN_SEEN,	/* u64, sum of the four below */
	MXLOCK_STATS_A_SYN_ALLOWED,	/* u64, source in the list */
	MXLOCK_STATS_A_SYN_DROPPED,	/* u64, refused in enforce mode */
	MXLOCK_STATS_A_SYN_MONITORED,	/* u64, outside, passed in monitor */
	MXLOCK_STATS_A_SYN_UNARMED,	/* u64, passed: no list loaded */
	/*
	 * A cookie ACK: an ACK to a guarded port that no connection or
	 * request socket takes, from a source outside the list. A listener
	 * using syncookies (or a SYNPROXY) would make a connection of it
	 * without ever seeing a SYN, so it is judged like one.
	 */
	MXLOCK_STATS_A_ACK_DROPPED,	/* u64, refused in enforce mode */
	MXLOCK_STATS_A_ACK_MONITORED,	/* u64, passed in monitor mode */
	/*
	 * The pool of intervals (staged and live) the namespace draws from:
	 * the module's "budget", or for a namespace owned by a user namespace
	 * other than the initial one, the "userns_budget" they all share.
	 */
	MXLOCK_STATS_A_BUDGET_USED,	/* u64, intervals charged to it now */
	MXLOCK_STATS_A_BUDGET_LIMIT,	/* u64, its limit */
	/*
	 * Refusals action reject left unanswered (dropped silently) because
	 * the namespace had sent its reject_rate RSTs (module parameter,
	 * default 100 per second) already.
	 */
	MXLOCK_STATS_A_RST_LIMITED,	/* u64 */
	__MXLOCK_STATS_A_MAX
};

#define MXLOCK_STATS_A_MAX (__MXLOCK_STATS_A_MAX - 1)

enum mxlock_denied_attr {
	MXLOCK_DENIED_A_UNSPEC,
	MXLOCK_DENIED_A_PAD,
	MXLOCK_DENIED_A_ADDR,		/* binary, 4 or 16 bytes */
	MXLOCK_DENIED_A_COUNT,		/* u64, SYNs refused */
	MXLOCK_DENIED_A_FIRST,		/* u64, first seen, seconds since 1970 */
	MXLOCK_DENIED_A_LAST,		/* u64, last seen, seconds since 1970 */
	__MXLOCK_DENIED_A_MAX
};

#define MXLOCK_DENIED_A_MAX (__MXLOCK_DENIED_A_MAX - 1)

enum mxlock_mode {
	MXLOCK_MODE_ENFORCE,
	MXLOCK_MODE_MONITOR,
	__MXLOCK_MODE_MAX
};

#define MXLOCK_MODE_MAX (__MXLOCK_MODE_MAX - 1)

enum mxlock_action {
	MXLOCK_ACTION_DROP,		/* the default */
	MXLOCK_ACTION_REJECT,		/* answer with a TCP RST */
	__MXLOCK_ACTION_MAX
};

#define MXLOCK_ACTION_MAX (__MXLOCK_ACTION_MAX - 1)

enum mxlock_replace_flags {
	MXLOCK_REPLACE_F_CONTINUE	= 1U << 0,
	MXLOCK_REPLACE_F_MORE		= 1U << 1,
	MXLOCK_REPLACE_F_ALL		= MXLOCK_REPLACE_F_CONTINUE |
					  MXLOCK_REPLACE_F_MORE
};

enum mxlock_verdict {
	MXLOCK_VERDICT_ALLOW,		/* source is in the list */
	MXLOCK_VERDICT_DROP,		/* outside the list, enforce: refused */
	MXLOCK_VERDICT_MONITOR,		/* outside the list, monitor: passed */
	MXLOCK_VERDICT_UNARMED,		/* no list loaded: passed */
	__MXLOCK_VERDICT_MAX
};

#endif /* _UAPI_LINUX_MXLOCK_H */
