// SPDX-License-Identifier: GPL-2.0
/*
 * nlclient: a second, independent client of the mxlock generic netlink
 * family, for the selftests. It shares no code with ctl/ (which uses
 * libmnl): only the uapi header. It builds requests exactly as told, so
 * the tests can feed the kernel input that mxlockctl would refuse to send,
 * and it reads the ABI back from a second implementation.
 *
 * Usage: nlclient [-e EXPECT] [-c replace|add|del] SUBCOMMAND [ARGS...]
 *
 *   -e EXPECT  what the kernel is expected to answer to the (last) request:
 *              "ok" (the default), "any" (any error), an errno name
 *              (EINVAL, EPERM, ...) or number.
 *   -c CMD     the command that "entry" and "noentries" send (default
 *              replace; a replace without flags commits at once).
 *
 * Subcommands (HEX is an address as hex bytes in network order, e.g.
 * c7590000 for 199.89.0.0; any length, so 5 bytes can be sent):
 *   entry HEX [prefix N] [prefix32 N] [end HEX] [junk]
 *        one request with one entry built exactly as given; "prefix32"
 *        sends PREFIXLEN as a u32 (wrong length), "junk" adds an unknown
 *        attribute inside the entry.
 *   noentries        the -c command without MXLOCK_A_ENTRIES
 *   empty-commit     REPLACE with an empty ENTRIES nest and no flags
 *   junk-top         REPLACE with one valid entry plus an unknown
 *                    top-level attribute
 *   flags F          REPLACE with one valid entry and REPLACE_FLAGS F
 *   mode N           SET_CONFIG with MODE as the raw u8 N
 *   flush            FLUSH
 *   test HEX         TEST; prints "verdict allow|drop|monitor|unarmed"
 *   state            GET_STATE; prints the /proc/net/mxlock/stats lines
 *   list             GET_ENTRIES dump; prints "generation N", then one
 *                    "a.b.c.d-e.f.g.h" line per interval
 *   replace-chunks N K [C]  replace with N /32 entries 100.64.0.0 + 2*i
 *                    (never adjacent, so N ranges) in K chunks, commit;
 *                    the commit says the transaction sent C (default N;
 *                    "none": it says nothing, MXLOCK_A_REPLACE_COUNT left
 *                    out)
 *   replace-die N    stage N such entries (F_MORE, chunks of 1000, each
 *                    acked), then SIGKILL itself without committing
 *   replace-hold N S stage N entries, print "staged", sleep S seconds,
 *                    exit without committing (the socket is closed)
 *   bad-chunk [HOW] [count]  chunk 1 stages 3 entries (F_MORE), chunk 2
 *                    (F_CONTINUE|F_MORE) is bad and must be refused,
 *                    chunk 3 (F_CONTINUE, commit, no entries) must be
 *                    refused too: chunk 1 must not be committed. HOW:
 *                    "entry" (default) an entry with host bits set (the
 *                    module refuses it); "policy" an unknown attribute
 *                    inside the entry, "top" one beside the entries,
 *                    "flags" an unknown flag (the attribute policy
 *                    refuses these: the module never sees them). With
 *                    "count" the commit says the transaction sent 4
 *                    entries (MXLOCK_A_REPLACE_COUNT); without, it says
 *                    nothing
 *   flip N           N one-shot replaces on one socket, alternating list A
 *                    (199.89.0.0/21, 192.0.2.0/24) and list B
 *                    (199.89.0.0/24, 198.18.0.0/15): 199.89.0.10 is in
 *                    both, 198.51.100.10 in neither; prints "flipped N"
 *   interleave       socket A stages 192.0.2.0/24 (F_MORE); socket B
 *                    replaces with 198.51.100.0/24 and commits; A adds
 *                    203.0.113.0/24 and commits (count 2): the list must
 *                    be A's
 *
 * Hostile framing (the -c command, bytes laid out by hand, no libnl
 * builder between us and the wire):
 *   malformed CASE   one request whose nests do not add up; CASE is
 *                    nest-past-end (ENTRIES' nla_len runs 64 bytes past
 *                    the message end), entry-cut (an ENTRY ends in the
 *                    middle of its ADDR, a good entry follows),
 *                    short-nest (ENTRIES' nla_len is 2, below NLA_HDRLEN),
 *                    short-entry (a good entry, then an ENTRY whose
 *                    nla_len is 3), tiny-entry (an ENTRY of 6 bytes: a
 *                    header and 2), entry-overrun (a good entry, then an
 *                    ENTRY running 8 bytes past the end of ENTRIES, which
 *                    REPLACE_FLAGS follows), trailing (a good entry and 4
 *                    stray bytes inside ENTRIES), empty-entry (an ENTRY
 *                    with nothing in it), ports-trailing (SET_CONFIG with a
 *                    good PORTS nest plus 4 stray bytes)
 *   long-nlmsg       a good REPLACE whose nlmsg_len claims 256 bytes more
 *                    than are sent: the netlink core drops it unanswered;
 *                    passes if no answer comes within 2 s and the same
 *                    socket then answers a GET_STATE
 *   big N [SNDBUF]   one -c request with N /32 entries (100.64.0.0 + 2*i),
 *                    MXLOCK_A_ENTRIES repeated as often as 64 KiB
 *                    attributes need; SNDBUF: force the socket's send
 *                    buffer to that many bytes first (SO_SNDBUFFORCE). A
 *                    refusal by sendto() itself is reported like the
 *                    kernel's answer ("errno=N (NAME) extack=sendto").
 *   two-nests        REPLACE carrying MXLOCK_A_ENTRIES twice
 *   over-limit N     a chunked replace of N entries (5000 a chunk): must
 *                    be refused (E2BIG) at the chunk that passes
 *                    MXLOCK_MAX_ENTRIES; then a CONTINUE chunk must find no
 *                    transaction (ENOENT): the staging was dropped
 *
 * Dumps and load:
 *   dump-intr N none|add|flush   load N /32 entries, start a dump on a
 *                    second socket and read its first message; then (add)
 *                    ADD 198.51.100.0/24 or (flush) FLUSH from the first
 *                    socket, or (none) nothing; read the rest. Prints
 *                    "messages M entries E interrupted I"; passes if I > 0
 *                    exactly when the list was changed, and (none) E == N
 *   flip-big N [MS]  N one-shot replaces alternating list A (3000 /32s at
 *                    100.64.0.0 + 2*i) and B (3000 at 100.64.0.1 + 2*i),
 *                    MS milliseconds apart: each dump spans messages
 *   denied-hold N FILE  open N sockets (receive buffer at its minimum) and
 *                    start a GET_DENIED dump on each, reading nothing; look
 *                    (MSG_PEEK, which then sends no more) at each one's
 *                    first message: a row message (the dump is open and
 *                    holds its snapshot), or NLMSG_DONE with an error (the
 *                    dump was refused). Prints "open O refused R", then
 *                    each distinct refusal "errno=N (NAME) extack=TEXT",
 *                    then "holding"; waits until FILE exists, closes them
 *                    all and prints "closed"
 *   stage-hold K N FILE  open K sockets and on each stage N /32 entries
 *                    (100.64.0.0 + 2*i, F_MORE, 5000 a chunk), never
 *                    committing; a socket whose chunk is refused stops
 *                    there (the kernel drops its staging). Prints "pid P"
 *                    (so /proc/P/net shows its namespace), "staged S
 *                    refused R" (sockets holding N entries, sockets
 *                    refused), each distinct refusal "errno=N (NAME)
 *                    extack=TEXT", then "holding"; waits until FILE
 *                    exists, closes them all and prints "closed"
 *   churn N BATCH    N network namespaces, BATCH at a time: each a forked
 *                    child that unshares its network namespace, brings lo
 *                    up, loads 192.0.2.0/24 and 2001:db8::/32, guards ports
 *                    25 and 465, checks two verdicts, leaves a replace
 *                    staged, and exits, so its namespace dies with the rest
 *                    of its batch. Prints "churned N"
 *
 * Every request is answered on stdout by one line: "ok" or
 * "errno=N (NAME) extack=TEXT".
 *
 * Exit status: 0 if the kernel answered as expected (for the composite
 * subcommands: every step did), 1 if it answered otherwise, 2 on a local
 * error (usage, family not found, socket trouble).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sched.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include <linux/mxlock.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define CHUNK 1000
/* /32 entries in one MXLOCK_A_ENTRIES: 12 bytes each, within 64 KiB. */
#define PER_NEST 5000
/* Entries in each of flip-big's lists: a dump of one spans messages. */
#define FLIP_BIG 3000

struct answer {
	int done;
	int error;		/* 0 or a positive errno */
	char extack[512];
	int (*on_reply)(struct nlmsghdr *nlh, void *arg);
	void *arg;
};

static int family;
static const char *expect = "ok";
static int cmd_for_entry = MXLOCK_CMD_REPLACE;

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("nlclient: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static int errno_by_name(const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (*s && !*end)
		return (int)v;
	for (int i = 1; i < 256; i++) {
		const char *n = strerrorname_np(i);

		if (n && !strcmp(n, s))
			return i;
	}
	die("unknown errno name '%s'", s);
	return 0;
}

/* Does a kernel answer (0 or positive errno) match the expectation? */
static int matches(const char *exp, int error)
{
	if (!strcmp(exp, "ok"))
		return error == 0;
	if (!strcmp(exp, "any"))
		return error != 0;
	return error == errno_by_name(exp);
}

static void print_answer(const struct answer *a)
{
	if (!a->error)
		printf("ok\n");
	else
		printf("errno=%d (%s) extack=%s\n", a->error,
		       strerrorname_np(a->error) ?: "?", a->extack);
	fflush(stdout);
}

static int cb_valid(struct nl_msg *msg, void *arg)
{
	struct answer *a = arg;

	if (a->on_reply)
		return a->on_reply(nlmsg_hdr(msg), a->arg);
	return NL_OK;
}

static int cb_ack(struct nl_msg *msg, void *arg)
{
	struct answer *a = arg;

	(void)msg;
	a->done = 1;
	return NL_STOP;
}

static int cb_finish(struct nl_msg *msg, void *arg)
{
	struct answer *a = arg;

	(void)msg;
	a->done = 1;
	return NL_STOP;
}

/* Pull NLMSGERR_ATTR_MSG out of an error message (NETLINK_CAP_ACK is on,
 * so only the request's header is echoed before the TLVs). */
static int cb_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct answer *a = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e));

	(void)nla;
	a->done = 1;
	a->error = -e->error;
	a->extack[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		struct nlattr *at = (struct nlattr *)((char *)nlh + off);

		if (at->nla_len < NLA_HDRLEN || off + at->nla_len > nlh->nlmsg_len)
			break;
		if ((at->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			int len = at->nla_len - NLA_HDRLEN;

			if (len >= (int)sizeof(a->extack))
				len = sizeof(a->extack) - 1;
			memcpy(a->extack, (char *)at + NLA_HDRLEN, len);
			a->extack[len] = 0;
			a->extack[strcspn(a->extack, "\n")] = 0;
		}
		off += NLA_ALIGN(at->nla_len);
	}
	return NL_STOP;
}

static struct nl_sock *open_sock(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk)
		die("out of memory");
	if (genl_connect(sk))
		die("cannot open a generic netlink socket");
	nl_socket_enable_msg_peek(sk);
	nl_socket_set_msg_buf_size(sk, 1 << 16);
	if (setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK,
		       &one, sizeof(one)) ||
	    setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK,
		       &one, sizeof(one)))
		die("cannot enable extended acks: %s", strerror(errno));
	if (!family) {
		family = genl_ctrl_resolve(sk, MXLOCK_GENL_NAME);
		if (family < 0)
			die("generic netlink family '%s' not found (module not loaded?)",
			    MXLOCK_GENL_NAME);
	}
	return sk;
}

static struct nl_msg *new_msg(int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(1 << 16);

	if (!msg)
		die("out of memory");
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			 cmd, MXLOCK_GENL_VERSION))
		die("genlmsg_put failed");
	return msg;
}

/* Hand-made requests carry their own sequence numbers. */
static int no_seq_check;

static int cb_seq_any(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* Wait for the answer to what was sent on sk: ack, error or end of dump.
 * Returns 0 or a positive errno from the kernel; a local failure exits 2. */
static int await_answer(struct nl_sock *sk, struct answer *a,
			int (*on_reply)(struct nlmsghdr *, void *), void *arg)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	memset(a, 0, sizeof(*a));
	a->on_reply = on_reply;
	a->arg = arg;
	if (!cb)
		die("out of memory");
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, cb_valid, a);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, cb_ack, a);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, cb_finish, a);
	nl_cb_err(cb, NL_CB_CUSTOM, cb_error, a);
	if (no_seq_check)
		nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, cb_seq_any, NULL);
	while (!a->done) {
		int ret = nl_recvmsgs(sk, cb);

		/* The callbacks set a->done, which cppcheck cannot see. */
		/* cppcheck-suppress knownConditionTrueFalse */
		if (ret < 0 && !a->done)
			die("receive failed: %s", nl_geterror(ret));
	}
	nl_cb_put(cb);
	return a->error;
}

/* Send msg (consumed), wait for the answer (see await_answer). */
static int transact(struct nl_sock *sk, struct nl_msg *msg, struct answer *a,
		    int (*on_reply)(struct nlmsghdr *, void *), void *arg)
{
	int ret = nl_send_auto(sk, msg);

	nlmsg_free(msg);
	if (ret < 0)
		die("send failed: %s", nl_geterror(ret));
	return await_answer(sk, a, on_reply, arg);
}

static int hexaddr(const char *s, unsigned char *buf, int max)
{
	int n = 0;

	if (strlen(s) % 2)
		die("odd number of hex digits in '%s'", s);
	for (; *s; s += 2) {
		unsigned int b;

		if (n == max || sscanf(s, "%2x", &b) != 1)
			die("bad hex address '%s'", s);
		buf[n++] = b;
	}
	return n;
}

static void put_v4_entry(struct nl_msg *msg, uint32_t first, int prefix)
{
	struct nlattr *e = nla_nest_start(msg, MXLOCK_A_ENTRY);
	uint32_t be = htonl(first);

	nla_put(msg, MXLOCK_ENTRY_A_ADDR, 4, &be);
	if (prefix >= 0)
		nla_put_u8(msg, MXLOCK_ENTRY_A_PREFIXLEN, prefix);
	nla_nest_end(msg, e);
}

static int finish(int error)
{
	return matches(expect, error) ? 0 : 1;
}

static int do_entry(int argc, char **argv)
{
	struct nl_sock *sk = open_sock();
	struct nl_msg *msg = new_msg(cmd_for_entry, 0);
	unsigned char addr[64];
	struct answer a;
	struct nlattr *all, *e;
	int n, i;

	if (argc < 1)
		die("entry: need an address");
	n = hexaddr(argv[0], addr, sizeof(addr));
	all = nla_nest_start(msg, MXLOCK_A_ENTRIES);
	e = nla_nest_start(msg, MXLOCK_A_ENTRY);
	nla_put(msg, MXLOCK_ENTRY_A_ADDR, n, addr);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "prefix") && i + 1 < argc) {
			nla_put_u8(msg, MXLOCK_ENTRY_A_PREFIXLEN, atoi(argv[++i]));
		} else if (!strcmp(argv[i], "prefix32") && i + 1 < argc) {
			nla_put_u32(msg, MXLOCK_ENTRY_A_PREFIXLEN, atoi(argv[++i]));
		} else if (!strcmp(argv[i], "end") && i + 1 < argc) {
			unsigned char end[64];
			int m = hexaddr(argv[++i], end, sizeof(end));

			nla_put(msg, MXLOCK_ENTRY_A_ADDR_END, m, end);
		} else if (!strcmp(argv[i], "junk")) {
			nla_put_u32(msg, __MXLOCK_ENTRY_A_MAX, 0xdeadbeef);
		} else {
			die("entry: unknown argument '%s'", argv[i]);
		}
	}
	nla_nest_end(msg, e);
	nla_nest_end(msg, all);
	transact(sk, msg, &a, NULL, NULL);
	print_answer(&a);
	return finish(a.error);
}

static int simple(int cmd, void (*fill)(struct nl_msg *, void *), void *arg)
{
	struct nl_sock *sk = open_sock();
	struct nl_msg *msg = new_msg(cmd, 0);
	struct answer a;

	if (fill)
		fill(msg, arg);
	transact(sk, msg, &a, NULL, NULL);
	print_answer(&a);
	return finish(a.error);
}

static void fill_empty_nest(struct nl_msg *msg, void *arg)
{
	(void)arg;
	nla_nest_end(msg, nla_nest_start(msg, MXLOCK_A_ENTRIES));
}

static void fill_junk_top(struct nl_msg *msg, void *arg)
{
	struct nlattr *all = nla_nest_start(msg, MXLOCK_A_ENTRIES);

	(void)arg;
	put_v4_entry(msg, 0xc6336400, 24);	/* 198.51.100.0/24 */
	nla_nest_end(msg, all);
	nla_put_u32(msg, __MXLOCK_A_MAX, 0xdeadbeef);
}

static void fill_flags(struct nl_msg *msg, void *arg)
{
	struct nlattr *all = nla_nest_start(msg, MXLOCK_A_ENTRIES);

	put_v4_entry(msg, 0xc6336400, 24);	/* 198.51.100.0/24 */
	nla_nest_end(msg, all);
	nla_put_u32(msg, MXLOCK_A_REPLACE_FLAGS, *(uint32_t *)arg);
}

static void fill_mode(struct nl_msg *msg, void *arg)
{
	nla_put_u8(msg, MXLOCK_A_MODE, *(int *)arg);
}

static void fill_addr(struct nl_msg *msg, void *arg)
{
	unsigned char addr[64];
	int n = hexaddr(arg, addr, sizeof(addr));

	nla_put(msg, MXLOCK_A_ADDR, n, addr);
}

static int reply_verdict(struct nlmsghdr *nlh, void *arg)
{
	static const char *const names[] = {
		[MXLOCK_VERDICT_ALLOW] = "allow",
		[MXLOCK_VERDICT_DROP] = "drop",
		[MXLOCK_VERDICT_MONITOR] = "monitor",
		[MXLOCK_VERDICT_UNARMED] = "unarmed",
	};
	struct nlattr *tb[MXLOCK_A_MAX + 1];

	(void)arg;
	if (genlmsg_parse(nlh, 0, tb, MXLOCK_A_MAX, NULL) ||
	    !tb[MXLOCK_A_VERDICT]) {
		printf("verdict missing\n");
		return NL_OK;
	}
	uint8_t v = nla_get_u8(tb[MXLOCK_A_VERDICT]);

	if (v < __MXLOCK_VERDICT_MAX)
		printf("verdict %s\n", names[v]);
	else
		printf("verdict %u\n", v);
	return NL_OK;
}

static int do_test(const char *hex)
{
	struct nl_sock *sk = open_sock();
	struct nl_msg *msg = new_msg(MXLOCK_CMD_TEST, 0);
	struct answer a;

	fill_addr(msg, (void *)hex);
	transact(sk, msg, &a, reply_verdict, NULL);
	if (a.error)
		print_answer(&a);
	return finish(a.error);
}

/* GET_STATE, printed as /proc/net/mxlock/stats prints it. A missing
 * attribute is printed as "KEY missing" so a comparison fails loudly. */
static int reply_state(struct nlmsghdr *nlh, void *arg)
{
	static const struct { int type; const char *name; } stats[] = {
		{ MXLOCK_STATS_A_SYN_SEEN, "syn_seen" },
		{ MXLOCK_STATS_A_SYN_ALLOWED, "syn_allowed" },
		{ MXLOCK_STATS_A_SYN_DROPPED, "syn_dropped" },
		{ MXLOCK_STATS_A_SYN_MONITORED, "syn_monitored" },
		{ MXLOCK_STATS_A_SYN_UNARMED, "syn_unarmed" },
		{ MXLOCK_STATS_A_ACK_DROPPED, "ack_dropped" },
		{ MXLOCK_STATS_A_ACK_MONITORED, "ack_monitored" },
		{ MXLOCK_STATS_A_BUDGET_USED, "budget_used" },
		{ MXLOCK_STATS_A_BUDGET_LIMIT, "budget_limit" },
		{ MXLOCK_STATS_A_RST_LIMITED, "rst_limited" },
	};
	struct nlattr *tb[MXLOCK_A_MAX + 1], *st[MXLOCK_STATS_A_MAX + 1];
	int *got = arg;

	*got = 1;
	if (genlmsg_parse(nlh, 0, tb, MXLOCK_A_MAX, NULL)) {
		printf("unparsable reply\n");
		return NL_OK;
	}
	if (tb[MXLOCK_A_MODE]) {
		uint8_t m = nla_get_u8(tb[MXLOCK_A_MODE]);

		printf("mode %s\n", m == MXLOCK_MODE_ENFORCE ? "enforce" :
		       m == MXLOCK_MODE_MONITOR ? "monitor" : "unknown");
	} else {
		printf("mode missing\n");
	}
	if (tb[MXLOCK_A_ACTION]) {
		uint8_t m = nla_get_u8(tb[MXLOCK_A_ACTION]);

		printf("action %s\n", m == MXLOCK_ACTION_DROP ? "drop" :
		       m == MXLOCK_ACTION_REJECT ? "reject" : "unknown");
	} else {
		printf("action missing\n");
	}
	if (tb[MXLOCK_A_LOG])
		printf("log %s\n", nla_get_u8(tb[MXLOCK_A_LOG]) ? "on" : "off");
	else
		printf("log missing\n");
	if (tb[MXLOCK_A_PORTS]) {
		struct nlattr *p;
		const char *sep = "";
		int rem;

		printf("ports ");
		nla_for_each_nested(p, tb[MXLOCK_A_PORTS], rem) {
			printf("%s%u", sep, nla_get_u16(p));
			sep = ",";
		}
		printf("\n");
	} else {
		printf("ports missing\n");
	}
	if (tb[MXLOCK_A_ARMED])
		printf("armed %u\n", nla_get_u8(tb[MXLOCK_A_ARMED]));
	else
		printf("armed missing\n");
	if (tb[MXLOCK_A_RANGES])
		printf("ranges %u\n", nla_get_u32(tb[MXLOCK_A_RANGES]));
	else
		printf("ranges missing\n");
	if (tb[MXLOCK_A_GENERATION])
		printf("generation %u\n", nla_get_u32(tb[MXLOCK_A_GENERATION]));
	else
		printf("generation missing\n");
	if (!tb[MXLOCK_A_STATS] ||
	    nla_parse_nested(st, MXLOCK_STATS_A_MAX, tb[MXLOCK_A_STATS], NULL))
		memset(st, 0, sizeof(st));
	for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
		if (st[stats[i].type])
			printf("%s %llu\n", stats[i].name, (unsigned long long)
			       nla_get_u64(st[stats[i].type]));
		else
			printf("%s missing\n", stats[i].name);
	}
	return NL_OK;
}

static int do_state(void)
{
	struct nl_sock *sk = open_sock();
	struct answer a;
	int got = 0;

	transact(sk, new_msg(MXLOCK_CMD_GET_STATE, 0), &a, reply_state, &got);
	if (a.error)
		print_answer(&a);
	else if (!got)
		printf("no reply\n");
	return finish(a.error) || (!a.error && !got);
}

static int reply_entries(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[MXLOCK_A_MAX + 1], *e;
	int *first = arg, rem;

	if (genlmsg_parse(nlh, 0, tb, MXLOCK_A_MAX, NULL)) {
		printf("unparsable reply\n");
		return NL_OK;
	}
	if (*first) {
		if (tb[MXLOCK_A_GENERATION])
			printf("generation %u\n",
			       nla_get_u32(tb[MXLOCK_A_GENERATION]));
		else
			printf("generation missing\n");
		*first = 0;
	}
	if (!tb[MXLOCK_A_ENTRIES])
		return NL_OK;
	nla_for_each_nested(e, tb[MXLOCK_A_ENTRIES], rem) {
		struct nlattr *et[MXLOCK_ENTRY_A_MAX + 1];
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

		if (nla_parse_nested(et, MXLOCK_ENTRY_A_MAX, e, NULL) ||
		    !et[MXLOCK_ENTRY_A_ADDR] || !et[MXLOCK_ENTRY_A_ADDR_END] ||
		    nla_len(et[MXLOCK_ENTRY_A_ADDR]) != 4 ||
		    nla_len(et[MXLOCK_ENTRY_A_ADDR_END]) != 4) {
			printf("malformed entry\n");
			continue;
		}
		inet_ntop(AF_INET, nla_data(et[MXLOCK_ENTRY_A_ADDR]), a, sizeof(a));
		inet_ntop(AF_INET, nla_data(et[MXLOCK_ENTRY_A_ADDR_END]), b,
			  sizeof(b));
		printf("%s-%s\n", a, b);
	}
	return NL_OK;
}

static int do_list(void)
{
	struct nl_sock *sk = open_sock();
	struct answer a;
	int first = 1;

	transact(sk, new_msg(MXLOCK_CMD_GET_ENTRIES, NLM_F_DUMP), &a,
		 reply_entries, &first);
	if (a.error)
		print_answer(&a);
	return finish(a.error);
}

/*
 * One REPLACE chunk with entries [from, to) of the generated list and, if
 * count >= 0, MXLOCK_A_REPLACE_COUNT.
 */
static int chunk_count(struct nl_sock *sk, int from, int to, uint32_t flags,
		       long count, struct answer *a)
{
	struct nl_msg *msg = new_msg(MXLOCK_CMD_REPLACE, 0);
	struct nlattr *all = nla_nest_start(msg, MXLOCK_A_ENTRIES);

	for (int i = from; i < to; i++)
		put_v4_entry(msg, 0x64400000u + 2u * i, -1);	/* 100.64.0.0 */
	nla_nest_end(msg, all);
	if (flags)
		nla_put_u32(msg, MXLOCK_A_REPLACE_FLAGS, flags);
	if (count >= 0)
		nla_put_u32(msg, MXLOCK_A_REPLACE_COUNT, (uint32_t)count);
	return transact(sk, msg, a, NULL, NULL);
}

static int chunk(struct nl_sock *sk, int from, int to, uint32_t flags,
		 struct answer *a)
{
	return chunk_count(sk, from, to, flags, -1, a);
}

/* Stage n entries on sk (the first chunk opens the transaction). */
static int stage(struct nl_sock *sk, int n)
{
	struct answer a;

	for (int i = 0; i < n; i += CHUNK) {
		int to = i + CHUNK < n ? i + CHUNK : n;
		uint32_t fl = MXLOCK_REPLACE_F_MORE |
			      (i ? MXLOCK_REPLACE_F_CONTINUE : 0);

		if (chunk(sk, i, to, fl, &a)) {
			print_answer(&a);
			return a.error;
		}
	}
	return 0;
}

/*
 * Replace the list on sk with n generated entries, per to a chunk; the
 * commit says the transaction sent count (-1: says nothing). Stops at the
 * first error: 0 or the errno, the last answer in *a.
 */
static int replace_chunked(struct nl_sock *sk, int n, int per, long count,
			   struct answer *a)
{
	for (int i = 0; i < n; i += per) {
		int to = i + per < n ? i + per : n;
		uint32_t fl = (i ? MXLOCK_REPLACE_F_CONTINUE : 0) |
			      (to < n ? MXLOCK_REPLACE_F_MORE : 0);

		if (chunk_count(sk, i, to, fl, to < n ? -1 : count, a))
			return a->error;
	}
	return 0;
}

/* n entries in k chunks; the commit says it sent count (-1: says nothing). */
static int do_replace_chunks(int n, int k, long count)
{
	struct nl_sock *sk = open_sock();
	struct answer a;

	if (n < 1 || k < 1 || k > n)
		die("replace-chunks: need 1 <= K <= N");
	replace_chunked(sk, n, (n + k - 1) / k, count, &a);
	print_answer(&a);
	return finish(a.error);
}

static int do_replace_die(int n)
{
	struct nl_sock *sk = open_sock();
	int err = stage(sk, n);

	if (err)
		return 1;
	printf("staged %d entries, dying\n", n);
	fflush(stdout);
	raise(SIGKILL);
	return 1;
}

static int do_replace_hold(int n, int secs)
{
	struct nl_sock *sk = open_sock();

	if (stage(sk, n))
		return 1;
	printf("staged\n");
	fflush(stdout);
	sleep(secs);
	nl_socket_free(sk);
	return 0;
}

static int do_bad_chunk(const char *how, int count)
{
	struct nl_sock *sk = open_sock();
	uint32_t flags = MXLOCK_REPLACE_F_CONTINUE | MXLOCK_REPLACE_F_MORE;
	int policy = !strcmp(how, "policy");
	struct nlattr *all, *e;
	struct nl_msg *msg;
	struct answer a;
	/* 199.89.0.1/21: host bits; otherwise 199.89.0.0/21 */
	uint32_t be = htonl(strcmp(how, "entry") ? 0xc7590000 : 0xc7590001);
	int bad = 0;

	if (strcmp(how, "entry") && !policy && strcmp(how, "top") &&
	    strcmp(how, "flags"))
		die("bad-chunk: unknown kind %s", how);
	if (chunk(sk, 0, 3, MXLOCK_REPLACE_F_MORE, &a)) {
		printf("chunk 1: ");
		print_answer(&a);
		return 1;
	}
	printf("chunk 1: ok\n");

	msg = new_msg(MXLOCK_CMD_REPLACE, 0);
	all = nla_nest_start(msg, MXLOCK_A_ENTRIES);
	e = nla_nest_start(msg, MXLOCK_A_ENTRY);
	nla_put(msg, MXLOCK_ENTRY_A_ADDR, 4, &be);
	nla_put_u8(msg, MXLOCK_ENTRY_A_PREFIXLEN, 21);
	if (policy)
		nla_put_u32(msg, __MXLOCK_ENTRY_A_MAX, 0xdeadbeef);
	nla_nest_end(msg, e);
	nla_nest_end(msg, all);
	if (!strcmp(how, "top"))
		nla_put_u32(msg, __MXLOCK_A_MAX, 0xdeadbeef);
	if (!strcmp(how, "flags"))
		flags |= (uint32_t)MXLOCK_REPLACE_F_ALL + 1;
	nla_put_u32(msg, MXLOCK_A_REPLACE_FLAGS, flags);
	transact(sk, msg, &a, NULL, NULL);
	printf("chunk 2 (bad: %s): ", how);
	print_answer(&a);
	bad |= !a.error;

	msg = new_msg(MXLOCK_CMD_REPLACE, 0);
	nla_put_u32(msg, MXLOCK_A_REPLACE_FLAGS, MXLOCK_REPLACE_F_CONTINUE);
	if (count)
		nla_put_u32(msg, MXLOCK_A_REPLACE_COUNT, 4);
	transact(sk, msg, &a, NULL, NULL);
	printf("chunk 3 (commit): ");
	print_answer(&a);
	bad |= !a.error;
	return bad;
}

/*
 * One REPLACE chunk of a single IPv4 entry and, if count >= 0,
 * MXLOCK_A_REPLACE_COUNT; transact()'s result, answer in *a.
 */
static int send_one(struct nl_sock *sk, uint32_t net, int plen, uint32_t flags,
		    long count, struct answer *a)
{
	struct nl_msg *msg = new_msg(MXLOCK_CMD_REPLACE, 0);
	struct nlattr *all = nla_nest_start(msg, MXLOCK_A_ENTRIES);

	put_v4_entry(msg, net, plen);
	nla_nest_end(msg, all);
	if (flags)
		nla_put_u32(msg, MXLOCK_A_REPLACE_FLAGS, flags);
	if (count >= 0)
		nla_put_u32(msg, MXLOCK_A_REPLACE_COUNT, (uint32_t)count);
	return transact(sk, msg, a, NULL, NULL);
}

static int put_one(struct nl_sock *sk, uint32_t net, int plen, uint32_t flags,
		   long count)
{
	struct answer a;

	send_one(sk, net, plen, flags, count, &a);
	print_answer(&a);
	return a.error;
}

static int put_one_quiet(struct nl_sock *sk, uint32_t net, int plen,
			 uint32_t flags)
{
	struct answer a;

	return send_one(sk, net, plen, flags, -1, &a);
}

static int reply_state_quiet(struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	*(int *)arg = 1;
	return NL_OK;
}

static int do_flip(int n)
{
	static const struct { uint32_t net; int plen; } lists[2][2] = {
		{ { 0xc7590000, 21 }, { 0xc0000200, 24 } },
		{ { 0xc7590000, 24 }, { 0xc6120000, 15 } },
	};
	struct nl_sock *sk = open_sock();
	struct answer a = { 0 };
	int i;

	for (i = 0; i < n; i++) {
		struct nl_msg *msg = new_msg(MXLOCK_CMD_REPLACE, 0);
		struct nlattr *all = nla_nest_start(msg, MXLOCK_A_ENTRIES);

		put_v4_entry(msg, lists[i % 2][0].net, lists[i % 2][0].plen);
		put_v4_entry(msg, lists[i % 2][1].net, lists[i % 2][1].plen);
		nla_nest_end(msg, all);
		transact(sk, msg, &a, NULL, NULL);
		if (a.error)
			break;
	}
	printf("flipped %d\n", i);
	if (a.error)
		print_answer(&a);
	return finish(a.error);
}

static int do_interleave(void)
{
	struct nl_sock *a = open_sock(), *b = open_sock();
	int bad = 0;

	printf("A stages 192.0.2.0/24: ");
	bad |= !!put_one(a, 0xc0000200, 24, MXLOCK_REPLACE_F_MORE, -1);
	printf("B commits 198.51.100.0/24: ");
	bad |= !!put_one(b, 0xc6336400, 24, 0, -1);
	printf("A commits 203.0.113.0/24: ");
	bad |= !!put_one(a, 0xcb007100, 24, MXLOCK_REPLACE_F_CONTINUE, 2);
	return bad;
}

/* ---- hostile framing: requests laid out byte by byte ---------------- */

struct raw {
	unsigned char b[1024] __attribute__((aligned(4)));
	int len;
};

static void raw_start(struct raw *r, int cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(r, 0, sizeof(*r));
	nlh = (struct nlmsghdr *)r->b;
	g = (struct genlmsghdr *)(r->b + NLMSG_HDRLEN);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	g->cmd = cmd;
	g->version = MXLOCK_GENL_VERSION;
	r->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

static struct nlattr *raw_at(struct raw *r, int off)
{
	return (struct nlattr *)(r->b + off);
}

/* Append an attribute of len data bytes (padded); returns its offset. */
static int raw_put(struct raw *r, int type, const void *data, int len)
{
	int off = r->len;

	if (off + NLA_ALIGN(NLA_HDRLEN + len) > (int)sizeof(r->b))
		die("raw request too long");
	raw_at(r, off)->nla_type = type;
	raw_at(r, off)->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(r->b + off + NLA_HDRLEN, data, len);
	r->len += NLA_ALIGN(NLA_HDRLEN + len);
	return off;
}

static int raw_nest(struct raw *r, int type)
{
	return raw_put(r, type | NLA_F_NESTED, NULL, 0);
}

static void raw_end(struct raw *r, int off)
{
	raw_at(r, off)->nla_len = r->len - off;
}

static void raw_entry(struct raw *r, uint32_t net, int plen)
{
	int e = raw_nest(r, MXLOCK_A_ENTRY);
	uint32_t be = htonl(net);
	uint8_t p = plen;

	raw_put(r, MXLOCK_ENTRY_A_ADDR, &be, 4);
	raw_put(r, MXLOCK_ENTRY_A_PREFIXLEN, &p, 1);
	raw_end(r, e);
}

/* Send len bytes of the request as they are; nlmsg_len says nlmsg_len. */
static int raw_send(struct nl_sock *sk, struct raw *r, int len, int nlmsg_len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	((struct nlmsghdr *)r->b)->nlmsg_len = nlmsg_len;
	if (sendto(nl_socket_get_fd(sk), r->b, len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	return 0;
}

static struct nl_sock *open_raw_sock(void)
{
	struct nl_sock *sk = open_sock();

	no_seq_check = 1;
	return sk;
}

static int do_malformed(const char *how)
{
	struct nl_sock *sk = open_raw_sock();
	uint32_t zero = 0;
	struct answer a;
	struct raw r = { .len = 0 };
	int all, e, off;

	raw_start(&r, cmd_for_entry);
	if (!strcmp(how, "nest-past-end")) {
		all = raw_nest(&r, MXLOCK_A_ENTRIES);
		raw_entry(&r, 0xc6336400, 24);
		raw_end(&r, all);
		raw_at(&r, all)->nla_len += 64;
	} else if (!strcmp(how, "entry-cut")) {
		all = raw_nest(&r, MXLOCK_A_ENTRIES);
		e = raw_nest(&r, MXLOCK_A_ENTRY);
		off = raw_put(&r, MXLOCK_ENTRY_A_ADDR, "\xc6\x33", 2);
		raw_at(&r, off)->nla_len = NLA_HDRLEN + 4;	/* claims 4 */
		raw_end(&r, e);
		raw_at(&r, e)->nla_len = NLA_HDRLEN + NLA_HDRLEN + 2;
		raw_entry(&r, 0xc6336400, 24);
		raw_end(&r, all);
	} else if (!strcmp(how, "short-nest")) {
		all = raw_nest(&r, MXLOCK_A_ENTRIES);
		raw_at(&r, all)->nla_len = 2;
	} else if (!strcmp(how, "short-entry")) {
		all = raw_nest(&r, MXLOCK_A_ENTRIES);
		raw_entry(&r, 0xc6336400, 24);
		e = raw_nest(&r, MXLOCK_A_ENTRY);
		raw_at(&r, e)->nla_len = 3;
		raw_end(&r, all);
	} else if (!strcmp(how, "tiny-entry")) {
		all = raw_nest(&r, MXLOCK_A_ENTRIES);
		raw_put(&r, MXLOCK_A_ENTRY | NLA_F_NESTED, "\xc6\x33", 2);
		raw_end(&r, all);
	} else if (!strcmp(how, "entry-overrun")) {
		all = raw_nest(&r, MXLOCK_A_ENTRIES);
		raw_entry(&r, 0xc6336400, 24);
		e = r.len;
		raw_entry(&r, 0xcb007100, 24);
		raw_end(&r, all);
		raw_at(&r, e)->nla_len += 8;
		raw_put(&r, MXLOCK_A_REPLACE_FLAGS, &zero, 4);
	} else if (!strcmp(how, "trailing")) {
		all = raw_nest(&r, MXLOCK_A_ENTRIES);
		raw_entry(&r, 0xc6336400, 24);
		raw_end(&r, all);
		raw_at(&r, all)->nla_len += 2;	/* the padding of a u16 */
		r.len += 4;
	} else if (!strcmp(how, "empty-entry")) {
		all = raw_nest(&r, MXLOCK_A_ENTRIES);
		raw_end(&r, raw_nest(&r, MXLOCK_A_ENTRY));
		raw_end(&r, all);
	} else if (!strcmp(how, "ports-trailing")) {
		uint16_t port = 587;

		raw_start(&r, MXLOCK_CMD_SET_CONFIG);
		all = raw_nest(&r, MXLOCK_A_PORTS);
		raw_put(&r, MXLOCK_A_PORT, &port, 2);
		raw_end(&r, all);
		raw_at(&r, all)->nla_len += 2;
		r.len += 4;
	} else {
		die("malformed: unknown case '%s'", how);
	}
	if (raw_send(sk, &r, r.len, r.len))
		die("send failed: %s", strerror(errno));
	await_answer(sk, &a, NULL, NULL);
	print_answer(&a);
	return finish(a.error);
}

/* Is there something to read on sk within ms milliseconds? */
static int readable(struct nl_sock *sk, int ms)
{
	struct pollfd p = { .fd = nl_socket_get_fd(sk), .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

static int do_long_nlmsg(void)
{
	struct nl_sock *sk = open_raw_sock();
	struct answer a;
	struct raw r = { .len = 0 };
	int all, got = 0;

	raw_start(&r, MXLOCK_CMD_REPLACE);
	all = raw_nest(&r, MXLOCK_A_ENTRIES);
	raw_entry(&r, 0xc6336400, 24);
	raw_end(&r, all);
	if (raw_send(sk, &r, r.len, r.len + 256))
		die("send failed: %s", strerror(errno));
	if (readable(sk, 2000)) {
		await_answer(sk, &a, NULL, NULL);
		printf("answered: ");
		print_answer(&a);
		return 1;
	}
	printf("no answer in 2 s\n");
	transact(sk, new_msg(MXLOCK_CMD_GET_STATE, 0), &a, reply_state_quiet,
		 &got);
	printf("GET_STATE on the same socket: ");
	print_answer(&a);
	return a.error || !got;
}

/* Send msg (consumed) with sendto(), so a local refusal shows its errno;
 * then wait for the kernel's answer. */
static int send_big(struct nl_sock *sk, struct nl_msg *msg, struct answer *a)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nlh;

	nl_complete_msg(sk, msg);
	nlh = nlmsg_hdr(msg);
	if (sendto(nl_socket_get_fd(sk), nlh, nlh->nlmsg_len, 0,
		   (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		memset(a, 0, sizeof(*a));
		a->error = errno;
		snprintf(a->extack, sizeof(a->extack), "sendto");
		nlmsg_free(msg);
		return a->error;
	}
	nlmsg_free(msg);
	return await_answer(sk, a, NULL, NULL);
}

/* Entries [from, to) of the generated list (base + 2*i, /32), as many
 * MXLOCK_A_ENTRIES nests as 64 KiB attributes need. */
static void put_entries(struct nl_msg *msg, uint32_t base, int from, int to)
{
	while (from < to) {
		struct nlattr *all = nla_nest_start(msg, MXLOCK_A_ENTRIES);
		int end = from + PER_NEST < to ? from + PER_NEST : to;

		if (!all)
			die("message full");
		for (; from < end; from++)
			put_v4_entry(msg, base + 2u * from, -1);
		if (nla_nest_end(msg, all) < 0)
			die("an ENTRIES nest outgrew 64 KiB");
	}
}

static int do_big(int n, int sndbuf)
{
	struct nl_sock *sk = open_sock();
	struct nl_msg *msg;
	struct answer a;

	if (n < 1)
		die("big: need N >= 1");
	if (sndbuf && setsockopt(nl_socket_get_fd(sk), SOL_SOCKET,
				 SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)))
		die("SO_SNDBUFFORCE: %s", strerror(errno));
	msg = nlmsg_alloc_size(GENL_HDRLEN + NLMSG_HDRLEN + 64 +
			       (size_t)n * 16);
	if (!msg)
		die("out of memory");
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
			 cmd_for_entry, MXLOCK_GENL_VERSION))
		die("genlmsg_put failed");
	put_entries(msg, 0x64400000u, 0, n);
	printf("%u bytes: ", nlmsg_hdr(msg)->nlmsg_len);
	send_big(sk, msg, &a);
	print_answer(&a);
	return finish(a.error);
}

static int do_two_nests(void)
{
	struct nl_sock *sk = open_sock();
	struct nl_msg *msg = new_msg(MXLOCK_CMD_REPLACE, 0);
	struct nlattr *all;
	struct answer a;

	all = nla_nest_start(msg, MXLOCK_A_ENTRIES);
	put_v4_entry(msg, 0xc6336400, 24);	/* 198.51.100.0/24 */
	nla_nest_end(msg, all);
	all = nla_nest_start(msg, MXLOCK_A_ENTRIES);
	put_v4_entry(msg, 0xcb007100, 24);	/* 203.0.113.0/24 */
	nla_nest_end(msg, all);
	transact(sk, msg, &a, NULL, NULL);
	print_answer(&a);
	return finish(a.error);
}

static int do_over_limit(int n)
{
	struct nl_sock *sk = open_sock();
	struct answer a = { 0 };
	int i, bad = 0;

	for (i = 0; i < n; i += PER_NEST) {
		int to = i + PER_NEST < n ? i + PER_NEST : n;
		uint32_t fl = (i ? MXLOCK_REPLACE_F_CONTINUE : 0) |
			      (to < n ? MXLOCK_REPLACE_F_MORE : 0);

		if (chunk(sk, i, to, fl, &a))
			break;
	}
	printf("entries %d..%d: ", i, i + PER_NEST);
	print_answer(&a);
	bad |= a.error != E2BIG;
	chunk(sk, 0, 1, MXLOCK_REPLACE_F_CONTINUE | MXLOCK_REPLACE_F_MORE, &a);
	printf("a CONTINUE chunk after that: ");
	print_answer(&a);
	bad |= a.error != ENOENT;
	return bad;
}

static int count_entries(struct nlmsghdr *nlh)
{
	struct nlattr *tb[MXLOCK_A_MAX + 1], *e;
	int rem, n = 0;

	if (genlmsg_parse(nlh, 0, tb, MXLOCK_A_MAX, NULL) ||
	    !tb[MXLOCK_A_ENTRIES])
		return 0;
	nla_for_each_nested(e, tb[MXLOCK_A_ENTRIES], rem)
		n++;
	return n;
}

static int do_dump_intr(int n, const char *how)
{
	static char buf[1 << 20];
	struct nl_sock *a = open_sock(), *b = open_sock();
	int msgs = 0, entries = 0, intr = 0, first_intr = 0, done = 0;
	int change, changed = 0, ret;
	struct answer ans;

	if (!strcmp(how, "none"))
		change = 0;
	else if (!strcmp(how, "add"))
		change = MXLOCK_CMD_ADD;
	else if (!strcmp(how, "flush"))
		change = MXLOCK_CMD_FLUSH;
	else
		die("dump-intr: none, add or flush, not '%s'", how);
	if (replace_chunked(a, n, PER_NEST, n, &ans)) {
		printf("loading %d entries: ", n);
		print_answer(&ans);
		return 1;
	}
	struct nl_msg *req = new_msg(MXLOCK_CMD_GET_ENTRIES, NLM_F_DUMP);

	ret = nl_send_auto(b, req);
	nlmsg_free(req);
	if (ret < 0)
		die("send failed: %s", nl_geterror(ret));
	while (!done) {
		ssize_t len = recv(nl_socket_get_fd(b), buf, sizeof(buf), 0);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (len < 0)
			die("recv: %s", strerror(errno));
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				printf("dump refused\n");
				return 1;
			}
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
				intr++;
				if (!first_intr)
					first_intr = msgs + 1;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			msgs++;
			entries += count_entries(nlh);
		}
		if (change && !changed && !done) {
			struct nl_msg *m = new_msg(change, 0);

			if (change == MXLOCK_CMD_ADD) {
				struct nlattr *all = nla_nest_start(m, MXLOCK_A_ENTRIES);

				put_v4_entry(m, 0xc6336400, 24);
				nla_nest_end(m, all);
			}
			transact(a, m, &ans, NULL, NULL);
			printf("%s after message 1: ", how);
			print_answer(&ans);
			if (ans.error)
				return 1;
			changed = 1;
		}
	}
	printf("messages %d entries %d interrupted %d (first: message %d, the end counting as %d)\n",
	       msgs, entries, intr, first_intr, msgs + 1);
	/* A change is made before the end only (the loop stops at DONE). */
	if (change)
		return !intr || !changed;
	if (msgs < 3) {
		printf("too few messages for the test to mean anything\n");
		return 1;
	}
	return intr || entries != n;
}

static int do_flip_big(int n, int ms)
{
	struct nl_sock *sk = open_sock();
	struct answer a = { 0 };
	int i;

	for (i = 0; i < n; i++) {
		struct nl_msg *msg = new_msg(MXLOCK_CMD_REPLACE, 0);

		put_entries(msg, 0x64400000u + (i % 2), 0, FLIP_BIG);
		if (transact(sk, msg, &a, NULL, NULL))
			break;
		if (ms)
			usleep(ms * 1000);
	}
	printf("flipped %d\n", i);
	if (a.error)
		print_answer(&a);
	return finish(a.error);
}

static int reply_verdict_get(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[MXLOCK_A_MAX + 1];

	if (!genlmsg_parse(nlh, 0, tb, MXLOCK_A_MAX, NULL) &&
	    tb[MXLOCK_A_VERDICT])
		*(int *)arg = nla_get_u8(tb[MXLOCK_A_VERDICT]);
	return NL_OK;
}

static int verdict_of(struct nl_sock *sk, uint32_t addr)
{
	struct nl_msg *msg = new_msg(MXLOCK_CMD_TEST, 0);
	uint32_t be = htonl(addr);
	struct answer a;
	int v = -1;

	nla_put(msg, MXLOCK_A_ADDR, 4, &be);
	if (transact(sk, msg, &a, reply_verdict_get, &v))
		return -1;
	return v;
}

/* One namespace's life: see "churn" above. Exits 0 if all went well. */
static void churn_child(void)
{
	static const unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct ifreq ifr = { .ifr_name = "lo" };
	struct nl_sock *sk;
	struct nl_msg *msg;
	struct nlattr *n, *e;
	struct answer a;
	int fd;

	if (unshare(CLONE_NEWNET))
		die("unshare: %s", strerror(errno));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr))
		die("lo: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		die("lo up: %s", strerror(errno));
	close(fd);

	sk = open_sock();
	msg = new_msg(MXLOCK_CMD_REPLACE, 0);
	n = nla_nest_start(msg, MXLOCK_A_ENTRIES);
	put_v4_entry(msg, 0xc0000200, 24);		/* 192.0.2.0/24 */
	e = nla_nest_start(msg, MXLOCK_A_ENTRY);
	nla_put(msg, MXLOCK_ENTRY_A_ADDR, 16, v6);	/* 2001:db8::/32 */
	nla_put_u8(msg, MXLOCK_ENTRY_A_PREFIXLEN, 32);
	nla_nest_end(msg, e);
	nla_nest_end(msg, n);
	if (transact(sk, msg, &a, NULL, NULL))
		die("replace: errno %d %s", a.error, a.extack);

	msg = new_msg(MXLOCK_CMD_SET_CONFIG, 0);
	n = nla_nest_start(msg, MXLOCK_A_PORTS);
	nla_put_u16(msg, MXLOCK_A_PORT, 25);
	nla_put_u16(msg, MXLOCK_A_PORT, 465);
	nla_nest_end(msg, n);
	if (transact(sk, msg, &a, NULL, NULL))
		die("ports: errno %d %s", a.error, a.extack);

	if (verdict_of(sk, 0xc0000207) != MXLOCK_VERDICT_ALLOW ||
	    verdict_of(sk, 0xc633640a) != MXLOCK_VERDICT_DROP)
		die("wrong verdicts in a fresh namespace");

	/* Left open: the socket's release must drop it. */
	if (put_one_quiet(sk, 0xcb007100, 24, MXLOCK_REPLACE_F_MORE))
		die("staging a replace failed");
	exit(0);
}

static int do_churn(int n, int batch)
{
	int i, bad = 0;

	if (n < 1 || batch < 1)
		die("churn: need N >= 1 and BATCH >= 1");
	nl_socket_free(open_sock());	/* resolve the family once */
	fflush(stdout);
	for (i = 0; i < n; i += batch) {
		int k, kids = i + batch < n ? batch : n - i;

		for (k = 0; k < kids; k++) {
			pid_t pid = fork();

			if (pid < 0)
				die("fork: %s", strerror(errno));
			if (!pid)
				churn_child();
		}
		for (k = 0; k < kids; k++) {
			int st;

			if (wait(&st) < 0)
				die("wait: %s", strerror(errno));
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				bad++;
		}
	}
	printf("churned %d, %d failed\n", n, bad);
	return !!bad;
}

/* A socket's first queued message, peeked: 1 rows, 0 refused (*a). */
static int peek_first(int fd, struct answer *a)
{
	static char buf[1 << 16];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	ssize_t len = recv(fd, buf, sizeof(buf), MSG_PEEK);

	if (len < 0)
		die("recv: %s", strerror(errno));
	if (!NLMSG_OK(nlh, len))
		die("a short message (%zd bytes)", len);
	if (nlh->nlmsg_type == family)
		return 1;
	memset(a, 0, sizeof(*a));
	if (nlh->nlmsg_type == NLMSG_DONE &&
	    nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
		/* A dump's error rides in NLMSG_DONE, the extack after it. */
		size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int));

		a->error = -*(int *)NLMSG_DATA(nlh);
		while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
			struct nlattr *at = (struct nlattr *)(buf + off);
			int l = at->nla_len - NLA_HDRLEN;

			if (at->nla_len < NLA_HDRLEN || off + at->nla_len > nlh->nlmsg_len)
				break;
			if ((at->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
				if (l >= (int)sizeof(a->extack))
					l = sizeof(a->extack) - 1;
				memcpy(a->extack, (char *)at + NLA_HDRLEN, l);
				a->extack[l] = 0;
				a->extack[strcspn(a->extack, "\n")] = 0;
			}
			off += NLA_ALIGN(at->nla_len);
		}
		if (a->error)
			return 0;
	}
	die("first message of type %u: neither rows nor a refusal",
	    nlh->nlmsg_type);
}

static int do_denied_hold(int n, const char *file)
{
	struct nl_sock **sk = calloc(n, sizeof(*sk));
	struct answer a, seen[4];
	int i, j, open = 0, refused = 0, nseen = 0, one = 1;

	if (n < 1 || !sk)
		die("denied-hold: need N >= 1");
	for (i = 0; i < n; i++) {
		struct nl_msg *msg;

		sk[i] = open_sock();
		if (setsockopt(nl_socket_get_fd(sk[i]), SOL_SOCKET, SO_RCVBUF,
			       &one, sizeof(one)))
			die("SO_RCVBUF: %s", strerror(errno));
		msg = new_msg(MXLOCK_CMD_GET_DENIED, NLM_F_DUMP);
		if (nl_send_auto(sk[i], msg) < 0)
			die("send failed");
		nlmsg_free(msg);
		if (peek_first(nl_socket_get_fd(sk[i]), &a)) {
			open++;
			continue;
		}
		refused++;
		for (j = 0; j < nseen; j++)
			if (seen[j].error == a.error &&
			    !strcmp(seen[j].extack, a.extack))
				break;
		if (j == nseen && nseen < 4)
			seen[nseen++] = a;
	}
	printf("open %d refused %d\n", open, refused);
	for (j = 0; j < nseen; j++)
		print_answer(&seen[j]);
	printf("holding\n");
	fflush(stdout);
	while (access(file, F_OK))
		usleep(100 * 1000);
	for (i = 0; i < n; i++)
		nl_socket_free(sk[i]);
	free(sk);
	printf("closed\n");
	return 0;
}

/* Stage n entries on sk without committing; 0 or the refusal in *a. */
static int stage_quiet(struct nl_sock *sk, int n, struct answer *a)
{
	for (int i = 0; i < n; i += PER_NEST) {
		int to = i + PER_NEST < n ? i + PER_NEST : n;
		uint32_t fl = MXLOCK_REPLACE_F_MORE |
			      (i ? MXLOCK_REPLACE_F_CONTINUE : 0);

		if (chunk(sk, i, to, fl, a))
			return a->error;
	}
	return 0;
}

static int do_stage_hold(int k, int n, const char *file)
{
	struct nl_sock **sk = calloc(k, sizeof(*sk));
	struct answer a, seen[4];
	int i, j, staged = 0, refused = 0, nseen = 0;

	if (k < 1 || n < 1 || !sk)
		die("stage-hold: need K >= 1 and N >= 1");
	printf("pid %d\n", (int)getpid());
	for (i = 0; i < k; i++) {
		sk[i] = open_sock();
		if (!stage_quiet(sk[i], n, &a)) {
			staged++;
			continue;
		}
		refused++;
		for (j = 0; j < nseen; j++)
			if (seen[j].error == a.error &&
			    !strcmp(seen[j].extack, a.extack))
				break;
		if (j == nseen && nseen < 4)
			seen[nseen++] = a;
	}
	printf("staged %d refused %d\n", staged, refused);
	for (j = 0; j < nseen; j++)
		print_answer(&seen[j]);
	printf("holding\n");
	fflush(stdout);
	while (access(file, F_OK))
		usleep(100 * 1000);
	for (i = 0; i < k; i++)
		nl_socket_free(sk[i]);
	free(sk);
	printf("closed\n");
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: nlclient [-e EXPECT] [-c replace|add|del] "
		"SUBCOMMAND [ARGS...]\n(see the comment at the top of "
		"tests/nlclient.c)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "+e:c:")) != -1) {
		switch (opt) {
		case 'e':
			expect = optarg;
			if (strcmp(expect, "ok") && strcmp(expect, "any"))
				errno_by_name(expect);	/* validate */
			break;
		case 'c':
			if (!strcmp(optarg, "replace"))
				cmd_for_entry = MXLOCK_CMD_REPLACE;
			else if (!strcmp(optarg, "add"))
				cmd_for_entry = MXLOCK_CMD_ADD;
			else if (!strcmp(optarg, "del"))
				cmd_for_entry = MXLOCK_CMD_DEL;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();

	const char *sub = argv[0];

	if (!strcmp(sub, "entry"))
		return do_entry(argc - 1, argv + 1);
	if (!strcmp(sub, "noentries") && argc == 1)
		return simple(cmd_for_entry, NULL, NULL);
	if (!strcmp(sub, "empty-commit") && argc == 1)
		return simple(MXLOCK_CMD_REPLACE, fill_empty_nest, NULL);
	if (!strcmp(sub, "junk-top") && argc == 1)
		return simple(MXLOCK_CMD_REPLACE, fill_junk_top, NULL);
	if (!strcmp(sub, "flags") && argc == 2) {
		uint32_t fl = strtoul(argv[1], NULL, 0);

		return simple(MXLOCK_CMD_REPLACE, fill_flags, &fl);
	}
	if (!strcmp(sub, "mode") && argc == 2) {
		int m = atoi(argv[1]);

		return simple(MXLOCK_CMD_SET_CONFIG, fill_mode, &m);
	}
	if (!strcmp(sub, "flush") && argc == 1)
		return simple(MXLOCK_CMD_FLUSH, NULL, NULL);
	if (!strcmp(sub, "test") && argc == 2)
		return do_test(argv[1]);
	if (!strcmp(sub, "state") && argc == 1)
		return do_state();
	if (!strcmp(sub, "list") && argc == 1)
		return do_list();
	if (!strcmp(sub, "replace-chunks") && (argc == 3 || argc == 4))
		return do_replace_chunks(atoi(argv[1]), atoi(argv[2]),
					 argc < 4 ? atol(argv[1]) :
					 !strcmp(argv[3], "none") ? -1 :
					 atol(argv[3]));
	if (!strcmp(sub, "replace-die") && argc == 2)
		return do_replace_die(atoi(argv[1]));
	if (!strcmp(sub, "replace-hold") && argc == 3)
		return do_replace_hold(atoi(argv[1]), atoi(argv[2]));
	if (!strcmp(sub, "bad-chunk") && argc <= 3)
		return do_bad_chunk(argc >= 2 ? argv[1] : "entry",
				    argc == 3 && !strcmp(argv[2], "count"));
	if (!strcmp(sub, "flip") && argc == 2)
		return do_flip(atoi(argv[1]));
	if (!strcmp(sub, "interleave") && argc == 1)
		return do_interleave();
	if (!strcmp(sub, "malformed") && argc == 2)
		return do_malformed(argv[1]);
	if (!strcmp(sub, "long-nlmsg") && argc == 1)
		return do_long_nlmsg();
	if (!strcmp(sub, "big") && (argc == 2 || argc == 3))
		return do_big(atoi(argv[1]), argc == 3 ? atoi(argv[2]) : 0);
	if (!strcmp(sub, "two-nests") && argc == 1)
		return do_two_nests();
	if (!strcmp(sub, "over-limit") && argc == 2)
		return do_over_limit(atoi(argv[1]));
	if (!strcmp(sub, "dump-intr") && argc == 3)
		return do_dump_intr(atoi(argv[1]), argv[2]);
	if (!strcmp(sub, "flip-big") && (argc == 2 || argc == 3))
		return do_flip_big(atoi(argv[1]), argc == 3 ? atoi(argv[2]) : 0);
	if (!strcmp(sub, "denied-hold") && argc == 3)
		return do_denied_hold(atoi(argv[1]), argv[2]);
	if (!strcmp(sub, "stage-hold") && argc == 4)
		return do_stage_hold(atoi(argv[1]), atoi(argv[2]), argv[3]);
	if (!strcmp(sub, "churn") && argc == 3)
		return do_churn(atoi(argv[1]), atoi(argv[2]));
	usage();
	return 2;
}
