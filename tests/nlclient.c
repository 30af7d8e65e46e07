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
 *   replace-chunks N K   replace with N /32 entries 100.64.0.0 + 2*i
 *                    (never adjacent, so N ranges) in K chunks, commit
 *   replace-die N    stage N such entries (F_MORE, chunks of 1000, each
 *                    acked), then SIGKILL itself without committing
 *   replace-hold N S stage N entries, print "staged", sleep S seconds,
 *                    exit without committing (the socket is closed)
 *   bad-chunk        chunk 1 stages 3 entries (F_MORE), chunk 2
 *                    (F_CONTINUE|F_MORE) carries a bad entry and must be
 *                    refused, chunk 3 (F_CONTINUE, commit, no entries)
 *                    must be refused too: chunk 1 must not be committed
 *   flip N           N one-shot replaces on one socket, alternating list A
 *                    (199.89.0.0/21, 192.0.2.0/24) and list B
 *                    (199.89.0.0/24, 198.18.0.0/15): 199.89.0.10 is in
 *                    both, 198.51.100.10 in neither; prints "flipped N"
 *   interleave       socket A stages 192.0.2.0/24 (F_MORE); socket B
 *                    replaces with 198.51.100.0/24 and commits; A adds
 *                    203.0.113.0/24 and commits: the list must be A's
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

/* Send msg (consumed), wait for the ack, error or end of dump. Returns 0
 * or a positive errno from the kernel; a local failure exits 2. */
static int transact(struct nl_sock *sk, struct nl_msg *msg, struct answer *a,
		    int (*on_reply)(struct nlmsghdr *, void *), void *arg)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	memset(a, 0, sizeof(*a));
	a->on_reply = on_reply;
	a->arg = arg;
	if (!cb)
		die("out of memory");
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, cb_valid, a);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, cb_ack, a);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, cb_finish, a);
	nl_cb_err(cb, NL_CB_CUSTOM, cb_error, a);
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		die("send failed: %s", nl_geterror(ret));
	while (!a->done) {
		ret = nl_recvmsgs(sk, cb);
		/* The callbacks set a->done, which cppcheck cannot see. */
		/* cppcheck-suppress knownConditionTrueFalse */
		if (ret < 0 && !a->done)
			die("receive failed: %s", nl_geterror(ret));
	}
	nl_cb_put(cb);
	return a->error;
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

/* One REPLACE chunk with entries [from, to) of the generated list. */
static int chunk(struct nl_sock *sk, int from, int to, uint32_t flags,
		 struct answer *a)
{
	struct nl_msg *msg = new_msg(MXLOCK_CMD_REPLACE, 0);
	struct nlattr *all = nla_nest_start(msg, MXLOCK_A_ENTRIES);

	for (int i = from; i < to; i++)
		put_v4_entry(msg, 0x64400000u + 2u * i, -1);	/* 100.64.0.0 */
	nla_nest_end(msg, all);
	if (flags)
		nla_put_u32(msg, MXLOCK_A_REPLACE_FLAGS, flags);
	return transact(sk, msg, a, NULL, NULL);
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

static int do_replace_chunks(int n, int k)
{
	struct nl_sock *sk = open_sock();
	struct answer a;
	int per = k > 0 ? (n + k - 1) / k : n;

	if (n < 1 || k < 1 || k > n)
		die("replace-chunks: need 1 <= K <= N");
	for (int i = 0; i < n; i += per) {
		int to = i + per < n ? i + per : n;
		uint32_t fl = (i ? MXLOCK_REPLACE_F_CONTINUE : 0) |
			      (to < n ? MXLOCK_REPLACE_F_MORE : 0);

		if (chunk(sk, i, to, fl, &a))
			break;
	}
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

static int do_bad_chunk(void)
{
	struct nl_sock *sk = open_sock();
	struct nl_msg *msg;
	struct nlattr *all;
	struct answer a;
	uint32_t be = htonl(0xc7590001);	/* 199.89.0.1/21: host bits */
	int bad = 0;

	if (chunk(sk, 0, 3, MXLOCK_REPLACE_F_MORE, &a)) {
		printf("chunk 1: ");
		print_answer(&a);
		return 1;
	}
	printf("chunk 1: ok\n");

	msg = new_msg(MXLOCK_CMD_REPLACE, 0);
	all = nla_nest_start(msg, MXLOCK_A_ENTRIES);
	struct nlattr *e = nla_nest_start(msg, MXLOCK_A_ENTRY);
	nla_put(msg, MXLOCK_ENTRY_A_ADDR, 4, &be);
	nla_put_u8(msg, MXLOCK_ENTRY_A_PREFIXLEN, 21);
	nla_nest_end(msg, e);
	nla_nest_end(msg, all);
	nla_put_u32(msg, MXLOCK_A_REPLACE_FLAGS,
		    MXLOCK_REPLACE_F_CONTINUE | MXLOCK_REPLACE_F_MORE);
	transact(sk, msg, &a, NULL, NULL);
	printf("chunk 2 (bad entry): ");
	print_answer(&a);
	bad |= !a.error;

	msg = new_msg(MXLOCK_CMD_REPLACE, 0);
	nla_put_u32(msg, MXLOCK_A_REPLACE_FLAGS, MXLOCK_REPLACE_F_CONTINUE);
	transact(sk, msg, &a, NULL, NULL);
	printf("chunk 3 (commit): ");
	print_answer(&a);
	bad |= !a.error;
	return bad;
}

static int put_one(struct nl_sock *sk, uint32_t net, int plen, uint32_t flags)
{
	struct nl_msg *msg = new_msg(MXLOCK_CMD_REPLACE, 0);
	struct nlattr *all = nla_nest_start(msg, MXLOCK_A_ENTRIES);
	struct answer a;

	put_v4_entry(msg, net, plen);
	nla_nest_end(msg, all);
	if (flags)
		nla_put_u32(msg, MXLOCK_A_REPLACE_FLAGS, flags);
	transact(sk, msg, &a, NULL, NULL);
	print_answer(&a);
	return a.error;
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
	bad |= !!put_one(a, 0xc0000200, 24, MXLOCK_REPLACE_F_MORE);
	printf("B commits 198.51.100.0/24: ");
	bad |= !!put_one(b, 0xc6336400, 24, 0);
	printf("A commits 203.0.113.0/24: ");
	bad |= !!put_one(a, 0xcb007100, 24, MXLOCK_REPLACE_F_CONTINUE);
	return bad;
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
	if (!strcmp(sub, "replace-chunks") && argc == 3)
		return do_replace_chunks(atoi(argv[1]), atoi(argv[2]));
	if (!strcmp(sub, "replace-die") && argc == 2)
		return do_replace_die(atoi(argv[1]));
	if (!strcmp(sub, "replace-hold") && argc == 3)
		return do_replace_hold(atoi(argv[1]), atoi(argv[2]));
	if (!strcmp(sub, "bad-chunk") && argc == 1)
		return do_bad_chunk();
	if (!strcmp(sub, "flip") && argc == 2)
		return do_flip(atoi(argv[1]));
	if (!strcmp(sub, "interleave") && argc == 1)
		return do_interleave();
	usage();
	return 2;
}
