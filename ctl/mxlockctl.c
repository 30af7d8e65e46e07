// SPDX-License-Identifier: GPL-2.0
/*
 * mxlockctl: control the mxlock allowlist of the network namespace it runs
 * in (use `ip netns exec NS mxlockctl ...` for another one).
 *
 * Exit status: 0 success; 1 only for `test` when a SYN from the address
 * would be refused (or is outside the list in monitor mode); 2 for usage,
 * input and kernel errors.
 *
 * With -j, list, stats, denied, test and monitor print JSON instead, as
 * `ip -j` does: compact, one document on stdout (monitor: one a line, an
 * object per event); numbers are numbers, armed and log are booleans.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/mxlock.h>

#include "entry.h"
#include "genl.h"
#include "json.h"
#include "ports.h"

#ifndef MXLOCKCTL_VERSION
#error "MXLOCKCTL_VERSION comes from ../VERSION (see Makefile)"
#endif

#define EXIT_OK		0
#define EXIT_OUTSIDE	1	/* test: the address is not in the list */
#define EXIT_ERR	2

/*
 * Entries per REPLACE message: at most 44 KiB (IPv6 ranges), within the
 * 64 KiB one MXLOCK_A_ENTRIES nest holds.
 */
#define CHUNK		1024

/* -j: JSON on stdout, written through jw. */
static bool json;
static struct mx_json jw;

struct cmd {
	const char *name;
	int (*run)(const struct cmd *cmd, int argc, char **argv);
	const char *args;
	const char *help;
	bool json;		/* has JSON output */
};

static void cmd_usage(FILE *f, const struct cmd *cmd)
{
	fprintf(f, "usage: mxlockctl %s%s%s%s\n", cmd->json ? "[-j] " : "",
		cmd->name, *cmd->args ? " " : "", cmd->args);
}

static int usage_error(const struct cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const struct cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mxlockctl: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cmd_usage(stderr, cmd);
	return EXIT_ERR;
}

/* Print a failed request the one way: "mxlockctl: CMD: strerror: extack". */
static int fail_request(const struct cmd *cmd, const struct mx_genl *g,
			int err)
{
	if (g->msg[0])
		fprintf(stderr, "mxlockctl: %s: %s: %s\n", cmd->name,
			strerror(-err), g->msg);
	else
		fprintf(stderr, "mxlockctl: %s: %s\n", cmd->name,
			strerror(-err));
	if (err == -EPERM)
		fprintf(stderr,
			"mxlockctl: %s: this needs CAP_NET_ADMIN over the network namespace (run it as root)\n",
			cmd->name);
	return EXIT_ERR;
}

/* Open the socket and resolve the family (and mcgrp's id, if given). */
static int open_genl_grp(const struct cmd *cmd, struct mx_genl *g,
			 const char *mcgrp)
{
	int err;

	err = mx_genl_open(g);
	if (err) {
		fprintf(stderr,
			"mxlockctl: cannot open a generic netlink socket: %s\n",
			strerror(-err));
		return EXIT_ERR;
	}
	err = mx_genl_resolve(g, MXLOCK_GENL_NAME, mcgrp);
	if (err == -ENOENT) {
		/* The reject action links the module to nf_reject_ipv4/6. */
		fprintf(stderr,
			"mxlockctl: the mxlock module is not loaded (generic netlink family '%s' not found): load it with 'modprobe -a nf_reject_ipv4 nf_reject_ipv6 && insmod kmod/mxlock.ko', or 'modprobe mxlock'\n",
			MXLOCK_GENL_NAME);
		goto close_genl;
	}
	if (err) {
		fail_request(cmd, g, err);
		goto close_genl;
	}
	if (g->version != MXLOCK_GENL_VERSION)
		fprintf(stderr,
			"mxlockctl: warning: the module speaks mxlock version %" PRIu32 ", this tool version %d\n",
			g->version, MXLOCK_GENL_VERSION);
	return 0;

close_genl:
	mx_genl_close(g);
	return EXIT_ERR;
}

static int open_genl(const struct cmd *cmd, struct mx_genl *g)
{
	return open_genl_grp(cmd, g, NULL);
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "inet6" : "inet";
}

/* ---- entries in requests ---- */

/* Bytes one entry takes inside MXLOCK_A_ENTRIES. */
static size_t entry_size(const struct mx_entry *e)
{
	size_t addr = MNL_ATTR_HDRLEN + MNL_ALIGN(mx_addr_len(e->family));
	size_t size = MNL_ATTR_HDRLEN + addr;

	if (e->kind == MX_ENTRY_PREFIX)
		size += MNL_ATTR_HDRLEN + MNL_ALIGN(1);
	else if (e->kind == MX_ENTRY_RANGE)
		size += addr;
	return size;
}

/*
 * How many of the n entries fit in one MXLOCK_A_ENTRIES: nla_len is 16
 * bits, so a nest holds 64 KiB: some 3000 IPv4 entries, 1500 IPv6 ranges.
 */
static size_t entries_fit(const struct mx_entry *e, size_t n)
{
	size_t i, size = MNL_ATTR_HDRLEN;

	for (i = 0; i < n; i++) {
		size += entry_size(&e[i]);
		if (size > UINT16_MAX)
			break;
	}
	return i;
}

/*
 * Put e[0..n) as MXLOCK_A_ENTRIES. offs[i] is where entry i starts in the
 * message and offs[n] where the last one ends: an extack offset then
 * tells which entry the kernel refused.
 */
static int put_entries(struct mx_genl *g, struct nlmsghdr *nlh,
		       const struct mx_entry *e, size_t n, uint32_t *offs)
{
	struct nlattr *list, *one;
	size_t i, alen;
	bool ok;

	if (entries_fit(e, n) < n)
		return -EMSGSIZE;
	list = mnl_attr_nest_start_check(nlh, g->sbuflen, MXLOCK_A_ENTRIES);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		alen = mx_addr_len(e[i].family);
		offs[i] = (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nlh;
		one = mnl_attr_nest_start_check(nlh, g->sbuflen,
						MXLOCK_A_ENTRY);
		if (!one)
			return -EMSGSIZE;
		ok = mnl_attr_put_check(nlh, g->sbuflen, MXLOCK_ENTRY_A_ADDR,
					alen, e[i].addr);
		if (e[i].kind == MX_ENTRY_PREFIX)
			ok = ok && mnl_attr_put_u8_check(nlh, g->sbuflen,
						MXLOCK_ENTRY_A_PREFIXLEN,
						e[i].prefixlen);
		else if (e[i].kind == MX_ENTRY_RANGE)
			ok = ok && mnl_attr_put_check(nlh, g->sbuflen,
						MXLOCK_ENTRY_A_ADDR_END,
						alen, e[i].end);
		if (!ok)
			return -EMSGSIZE;
		mnl_attr_nest_end(nlh, one);
	}
	offs[n] = (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nlh;
	mnl_attr_nest_end(nlh, list);
	return 0;
}

/* Name the entry an extack offset points into, if it does. */
static void blame(const struct cmd *cmd, const struct mx_genl *g,
		  const struct mx_entry *e, size_t n, const uint32_t *offs)
{
	char text[MX_ENTRY_TEXT_MAX];
	size_t i;

	if (!g->has_off)
		return;
	for (i = 0; i < n; i++)
		if (g->off >= offs[i] && g->off < offs[i + 1])
			break;
	if (i == n || mx_entry_format(&e[i], text, sizeof(text)))
		return;
	fprintf(stderr, "mxlockctl: %s: the kernel refused %s:%u: '%s'\n",
		cmd->name, e[i].src, e[i].line, text);
}

static int read_file(const struct cmd *cmd, const char *name,
		     struct mx_entry_list *l)
{
	bool std = !strcmp(name, "-");
	FILE *f = std ? stdin : fopen(name, "r");
	int ret;

	if (!f) {
		fprintf(stderr, "mxlockctl: %s: cannot open '%s': %s\n",
			cmd->name, name, strerror(errno));
		return -1;
	}
	ret = mx_entry_list_read(l, f, std ? "<stdin>" : name, stderr);
	if (ret < 0)
		fprintf(stderr, "mxlockctl: %s: reading '%s': %s\n",
			cmd->name, name, strerror(errno));
	if (!std)
		fclose(f);
	return ret;
}

/*
 * Collect the entries of `-f FILE` and ENTRY arguments, in order. Every
 * bad entry is reported; if there is any, fail so that nothing is sent.
 */
static int gather(const struct cmd *cmd, int argc, char **argv,
		  struct mx_entry_list *l)
{
	unsigned int argno = 0;
	bool opts = true;
	int i, ret, bad = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (opts && !strcmp(a, "--")) {
			opts = false;
			continue;
		}
		if (opts && !strcmp(a, "-f")) {
			if (++i == argc)
				return usage_error(cmd,
					"-f needs a FILE ('-' for standard input)");
			ret = read_file(cmd, argv[i], l);
			if (ret < 0)
				return EXIT_ERR;
			bad += ret;
			continue;
		}
		if (opts && !strcmp(a, "-"))
			return usage_error(cmd,
				"'-' alone is not an entry: use '-f -' to read standard input");
		if (opts && a[0] == '-')
			return usage_error(cmd, "unknown option '%s'", a);
		ret = mx_entry_list_add_text(l, a, "<args>", ++argno, stderr);
		if (ret < 0) {
			fprintf(stderr, "mxlockctl: %s: %s\n", cmd->name,
				strerror(ENOMEM));
			return EXIT_ERR;
		}
		bad += ret;
	}
	if (bad) {
		fprintf(stderr, "mxlockctl: %s: %d bad entr%s, nothing sent\n",
			cmd->name, bad, bad == 1 ? "y" : "ies");
		return EXIT_ERR;
	}
	return 0;
}

/* ---- commands ---- */

/*
 * A list that fits in one message goes as one REPLACE without flags; a
 * longer one as F_MORE, F_CONTINUE|F_MORE..., F_CONTINUE, all on this one
 * socket (the kernel binds the staging list to it) and each acked before
 * the next is sent.
 */
static int cmd_replace(const struct cmd *cmd, int argc, char **argv)
{
	struct mx_entry_list l = { 0 };
	uint32_t offs[CHUNK + 1], flags;
	struct nlmsghdr *nlh;
	struct mx_genl g;
	size_t i, n, chunks;
	int ret, err;

	ret = gather(cmd, argc, argv, &l);
	if (ret)
		goto free_list;
	ret = EXIT_ERR;
	if (!l.n) {
		fprintf(stderr,
			"mxlockctl: replace: refusing to load an empty list: it would refuse all mail; use 'flush' to disarm\n");
		goto free_list;
	}
	if (l.n > MXLOCK_MAX_ENTRIES) {
		fprintf(stderr,
			"mxlockctl: replace: %zu entries, more than the %u a list may have\n",
			l.n, MXLOCK_MAX_ENTRIES);
		goto free_list;
	}
	/* Sorted, the list spares the kernel its sort. */
	if (mx_entry_list_sort(&l)) {
		fprintf(stderr, "mxlockctl: replace: out of memory\n");
		goto free_list;
	}
	if (open_genl(cmd, &g))
		goto free_list;

	chunks = (l.n + CHUNK - 1) / CHUNK;
	for (i = 0; i < chunks; i++) {
		const struct mx_entry *e = l.v + i * CHUNK;

		n = l.n - i * CHUNK < CHUNK ? l.n - i * CHUNK : CHUNK;
		flags = 0;
		if (i > 0)
			flags |= MXLOCK_REPLACE_F_CONTINUE;
		if (i < chunks - 1)
			flags |= MXLOCK_REPLACE_F_MORE;

		nlh = mx_genl_msg(&g, MXLOCK_CMD_REPLACE);
		if (flags && !mnl_attr_put_u32_check(nlh, g.sbuflen,
						     MXLOCK_A_REPLACE_FLAGS,
						     flags))
			err = -EMSGSIZE;
		/* The commit says how many entries it stands for. */
		else if (flags == MXLOCK_REPLACE_F_CONTINUE &&
			 !mnl_attr_put_u32_check(nlh, g.sbuflen,
						 MXLOCK_A_REPLACE_COUNT,
						 (uint32_t)l.n))
			err = -EMSGSIZE;
		else
			err = put_entries(&g, nlh, e, n, offs);
		if (err) {
			/* Can't happen: CHUNK entries stay below 64 KiB. */
			fail_request(cmd, &g, err);
			goto close_genl;
		}

		err = mx_genl_doit(&g, nlh, NULL, NULL);
		if (err) {
			fail_request(cmd, &g, err);
			blame(cmd, &g, e, n, offs);
			if (g.kernel_err && chunks > 1)
				fprintf(stderr,
					"mxlockctl: replace: chunk %zu of %zu refused: nothing changed, the old list stays in force\n",
					i + 1, chunks);
			else if (g.kernel_err)
				fprintf(stderr,
					"mxlockctl: replace: nothing changed, the old list stays in force\n");
			goto close_genl;
		}
	}
	ret = EXIT_OK;

close_genl:
	mx_genl_close(&g);
free_list:
	mx_entry_list_free(&l);
	return ret;
}

/* add and del: one request, atomic in the kernel. */
static int change(const struct cmd *cmd, uint8_t nlcmd, int argc,
		  char **argv)
{
	struct mx_entry_list l = { 0 };
	struct nlmsghdr *nlh;
	struct mx_genl g;
	uint32_t *offs;
	size_t fit;
	int ret, err;

	ret = gather(cmd, argc, argv, &l);
	if (ret)
		goto free_list;
	ret = EXIT_ERR;
	if (!l.n) {
		usage_error(cmd, "no entries given");
		goto free_list;
	}
	fit = entries_fit(l.v, l.n);
	if (fit < l.n) {
		fprintf(stderr,
			"mxlockctl: %s: %zu entries are too many for one request (%zu fit); use 'replace' to load a large list\n",
			cmd->name, l.n, fit);
		goto free_list;
	}
	offs = calloc(l.n + 1, sizeof(*offs));
	if (!offs) {
		fprintf(stderr, "mxlockctl: %s: %s\n", cmd->name,
			strerror(ENOMEM));
		goto free_list;
	}
	if (open_genl(cmd, &g))
		goto free_offs;

	nlh = mx_genl_msg(&g, nlcmd);
	err = put_entries(&g, nlh, l.v, l.n, offs);
	if (!err)
		err = mx_genl_doit(&g, nlh, NULL, NULL);
	if (err) {
		fail_request(cmd, &g, err);
		blame(cmd, &g, l.v, l.n, offs);
		/* ENOENT alone reads "No such file": say what it means here. */
		if (nlcmd == MXLOCK_CMD_DEL && err == -ENOENT &&
		    g.kernel_err && !g.msg[0])
			fprintf(stderr,
				"mxlockctl: del: no list is loaded, or an entry covers no listed address; nothing was removed\n");
		goto close_genl;
	}
	ret = EXIT_OK;

close_genl:
	mx_genl_close(&g);
free_offs:
	free(offs);
free_list:
	mx_entry_list_free(&l);
	return ret;
}

static int cmd_add(const struct cmd *cmd, int argc, char **argv)
{
	return change(cmd, MXLOCK_CMD_ADD, argc, argv);
}

static int cmd_del(const struct cmd *cmd, int argc, char **argv)
{
	return change(cmd, MXLOCK_CMD_DEL, argc, argv);
}

/* A request without attributes, acked; no reply wanted. */
static int simple(const struct cmd *cmd, uint8_t nlcmd)
{
	struct mx_genl g;
	int err;

	if (open_genl(cmd, &g))
		return EXIT_ERR;
	err = mx_genl_doit(&g, mx_genl_msg(&g, nlcmd), NULL, NULL);
	if (err)
		fail_request(cmd, &g, err);
	mx_genl_close(&g);
	return err ? EXIT_ERR : EXIT_OK;
}

static int cmd_flush(const struct cmd *cmd, int argc, char **argv)
{
	if (argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[0]);
	return simple(cmd, MXLOCK_CMD_FLUSH);
}

/* ---- GET_STATE, SET_CONFIG and events ---- */

#define HAVE(a)		(1U << (a))

/* GET_STATE's reply, or an event. */
struct state {
	unsigned int have;		/* HAVE(MXLOCK_A_*) */
	unsigned int have_stats;	/* HAVE(MXLOCK_STATS_A_*) */
	uint8_t u8[MXLOCK_A_MAX + 1];	/* MODE, ACTION, LOG, ARMED */
	uint32_t ranges;
	uint32_t generation;
	uint32_t portid;		/* events only */
	uint16_t ports[MXLOCK_MAX_PORTS];
	unsigned int nr_ports;
	uint64_t stats[MXLOCK_STATS_A_MAX + 1];
};

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct state *st = data;
	int type = mnl_attr_get_type(attr);

	/* Newer counters are skipped: old tools keep working. */
	if (type <= MXLOCK_STATS_A_PAD || type > MXLOCK_STATS_A_MAX)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return MNL_CB_ERROR;
	st->stats[type] = mnl_attr_get_u64(attr);
	st->have_stats |= HAVE(type);
	return MNL_CB_OK;
}

static int ports_attr_cb(const struct nlattr *attr, void *data)
{
	struct state *st = data;

	if (mnl_attr_get_type(attr) != MXLOCK_A_PORT)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
		return MNL_CB_ERROR;
	if (st->nr_ports == MXLOCK_MAX_PORTS) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	st->ports[st->nr_ports++] = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int state_attr_cb(const struct nlattr *attr, void *data)
{
	struct state *st = data;
	int type = mnl_attr_get_type(attr);
	int ret = 0;

	switch (type) {
	case MXLOCK_A_MODE:
	case MXLOCK_A_ACTION:
	case MXLOCK_A_LOG:
	case MXLOCK_A_ARMED:
		ret = mnl_attr_validate(attr, MNL_TYPE_U8);
		st->u8[type] = ret ? 0 : mnl_attr_get_u8(attr);
		break;
	case MXLOCK_A_RANGES:
		ret = mnl_attr_validate(attr, MNL_TYPE_U32);
		st->ranges = ret ? 0 : mnl_attr_get_u32(attr);
		break;
	case MXLOCK_A_GENERATION:
		ret = mnl_attr_validate(attr, MNL_TYPE_U32);
		st->generation = ret ? 0 : mnl_attr_get_u32(attr);
		break;
	case MXLOCK_A_PORTID:
		ret = mnl_attr_validate(attr, MNL_TYPE_U32);
		st->portid = ret ? 0 : mnl_attr_get_u32(attr);
		break;
	case MXLOCK_A_PORTS:
		ret = mnl_attr_validate(attr, MNL_TYPE_NESTED);
		st->nr_ports = 0;
		if (!ret && mnl_attr_parse_nested(attr, ports_attr_cb,
						  st) < 0)
			ret = -1;
		break;
	case MXLOCK_A_STATS:
		ret = mnl_attr_validate(attr, MNL_TYPE_NESTED);
		if (!ret && mnl_attr_parse_nested(attr, stats_attr_cb,
						  st) < 0)
			ret = -1;
		break;
	default:
		return MNL_CB_OK;
	}
	if (ret < 0)
		return MNL_CB_ERROR;
	st->have |= HAVE(type);
	return MNL_CB_OK;
}

static int state_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), state_attr_cb,
			      data);
}

/* GET_STATE; on success the reply has at least the attributes in need. */
static int get_state(const struct cmd *cmd, struct state *st,
		     unsigned int need)
{
	struct mx_genl g;
	int err;

	memset(st, 0, sizeof(*st));
	if (open_genl(cmd, &g))
		return EXIT_ERR;
	err = mx_genl_doit(&g, mx_genl_msg(&g, MXLOCK_CMD_GET_STATE),
			   state_cb, st);
	if (err)
		fail_request(cmd, &g, err);
	mx_genl_close(&g);
	if (err)
		return EXIT_ERR;
	if ((st->have & need) != need) {
		fprintf(stderr,
			"mxlockctl: %s: the kernel's reply lacks attributes (module of another version?)\n",
			cmd->name);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

/* A u8 setting and the names of its values, as stats prints them. */
struct choice {
	uint16_t attr;			/* MXLOCK_A_* */
	const char *what;		/* for "unknown WHAT 'x'" */
	const char *names[2];		/* by value */
	const char *want;		/* the names, as usage gives them */
};

static const struct choice mode_choice = {
	MXLOCK_A_MODE, "mode", { "enforce", "monitor" }, "enforce or monitor"
};
static const struct choice action_choice = {
	MXLOCK_A_ACTION, "action", { "drop", "reject" }, "drop or reject"
};
static const struct choice log_choice = {
	MXLOCK_A_LOG, "log setting", { "off", "on" }, "on or off"
};

static const char *choice_name(const struct choice *c, uint8_t v)
{
	return v < 2 ? c->names[v] : "unknown";
}

/*
 * SET_CONFIG with one setting: the u8 attr = val, or for MXLOCK_A_PORTS
 * the n ports. The kernel applies all or nothing.
 */
static int set_config(const struct cmd *cmd, uint16_t attr, uint8_t val,
		      const uint16_t *ports, unsigned int n)
{
	struct nlattr *nest;
	struct nlmsghdr *nlh;
	struct mx_genl g;
	unsigned int i;
	int err;

	if (open_genl(cmd, &g))
		return EXIT_ERR;
	nlh = mx_genl_msg(&g, MXLOCK_CMD_SET_CONFIG);
	if (attr == MXLOCK_A_PORTS) {
		/* 16 u16s: no chance of overflowing the request buffer. */
		nest = mnl_attr_nest_start(nlh, MXLOCK_A_PORTS);
		for (i = 0; i < n; i++)
			mnl_attr_put_u16(nlh, MXLOCK_A_PORT, ports[i]);
		mnl_attr_nest_end(nlh, nest);
	} else {
		mnl_attr_put_u8(nlh, attr, val);
	}
	err = mx_genl_doit(&g, nlh, NULL, NULL);
	if (err)
		fail_request(cmd, &g, err);
	mx_genl_close(&g);
	return err ? EXIT_ERR : EXIT_OK;
}

/* mode, action, log: print the setting, or set it. */
static int choose(const struct cmd *cmd, const struct choice *c, int argc,
		  char **argv)
{
	struct state st;
	uint8_t v;

	if (argc > 1)
		return usage_error(cmd, "unexpected argument '%s'", argv[1]);
	if (!argc) {
		if (get_state(cmd, &st, HAVE(c->attr)))
			return EXIT_ERR;
		printf("%s\n", choice_name(c, st.u8[c->attr]));
		return EXIT_OK;
	}
	for (v = 0; v < 2; v++)
		if (!strcmp(argv[0], c->names[v]))
			break;
	if (v == 2)
		return usage_error(cmd, "unknown %s '%s' (want %s)", c->what,
				   argv[0], c->want);
	return set_config(cmd, c->attr, v, NULL, 0);
}

static int cmd_mode(const struct cmd *cmd, int argc, char **argv)
{
	return choose(cmd, &mode_choice, argc, argv);
}

static int cmd_action(const struct cmd *cmd, int argc, char **argv)
{
	return choose(cmd, &action_choice, argc, argv);
}

static int cmd_log(const struct cmd *cmd, int argc, char **argv)
{
	return choose(cmd, &log_choice, argc, argv);
}

static int cmd_ports(const struct cmd *cmd, int argc, char **argv)
{
	char why[MX_PORTS_WHY_MAX], text[MX_PORTS_TEXT_MAX];
	uint16_t ports[MXLOCK_MAX_PORTS];
	struct state st;
	int n;

	if (!argc) {
		if (get_state(cmd, &st, HAVE(MXLOCK_A_PORTS)))
			return EXIT_ERR;
		mx_ports_format(st.ports, st.nr_ports, text, sizeof(text));
		printf("%s\n", text);
		return EXIT_OK;
	}
	n = mx_ports_parse(argc, argv, ports, MXLOCK_MAX_PORTS, why,
			   sizeof(why));
	if (n < 0)
		return usage_error(cmd, "%s", why);
	return set_config(cmd, MXLOCK_A_PORTS, 0, ports, n);
}

static void json_ports(const struct state *st)
{
	unsigned int i;

	mx_json_key(&jw, "ports");
	mx_json_arr_open(&jw);
	for (i = 0; i < st->nr_ports; i++)
		mx_json_u64(&jw, st->ports[i]);
	mx_json_arr_close(&jw);
}

static int cmd_stats(const struct cmd *cmd, int argc, char **argv)
{
	static const unsigned int need = HAVE(MXLOCK_A_MODE) |
		HAVE(MXLOCK_A_ACTION) | HAVE(MXLOCK_A_LOG) |
		HAVE(MXLOCK_A_PORTS) | HAVE(MXLOCK_A_ARMED) |
		HAVE(MXLOCK_A_RANGES) | HAVE(MXLOCK_A_GENERATION) |
		HAVE(MXLOCK_A_STATS);
	static const unsigned int need_stats = HAVE(MXLOCK_STATS_A_SYN_SEEN) |
		HAVE(MXLOCK_STATS_A_SYN_ALLOWED) |
		HAVE(MXLOCK_STATS_A_SYN_DROPPED) |
		HAVE(MXLOCK_STATS_A_SYN_MONITORED) |
		HAVE(MXLOCK_STATS_A_SYN_UNARMED) |
		HAVE(MXLOCK_STATS_A_ACK_DROPPED) |
		HAVE(MXLOCK_STATS_A_ACK_MONITORED);
	static const struct {
		const char *key;
		int attr;
	} counters[] = {
		{ "syn_seen", MXLOCK_STATS_A_SYN_SEEN },
		{ "syn_allowed", MXLOCK_STATS_A_SYN_ALLOWED },
		{ "syn_dropped", MXLOCK_STATS_A_SYN_DROPPED },
		{ "syn_monitored", MXLOCK_STATS_A_SYN_MONITORED },
		{ "syn_unarmed", MXLOCK_STATS_A_SYN_UNARMED },
		{ "ack_dropped", MXLOCK_STATS_A_ACK_DROPPED },
		{ "ack_monitored", MXLOCK_STATS_A_ACK_MONITORED },
	};
	char ports[MX_PORTS_TEXT_MAX];
	struct state st;
	size_t i;

	if (argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[0]);
	if (get_state(cmd, &st, need))
		return EXIT_ERR;
	if ((st.have_stats & need_stats) != need_stats) {
		fprintf(stderr,
			"mxlockctl: stats: the kernel's reply lacks counters (module of another version?)\n");
		return EXIT_ERR;
	}

	if (json) {
		mx_json_obj_open(&jw);
		mx_json_kstr(&jw, "mode",
			     choice_name(&mode_choice, st.u8[MXLOCK_A_MODE]));
		mx_json_kstr(&jw, "action",
			     choice_name(&action_choice,
					 st.u8[MXLOCK_A_ACTION]));
		mx_json_kbool(&jw, "log", st.u8[MXLOCK_A_LOG]);
		json_ports(&st);
		mx_json_kbool(&jw, "armed", st.u8[MXLOCK_A_ARMED]);
		mx_json_ku64(&jw, "ranges", st.ranges);
		mx_json_ku64(&jw, "generation", st.generation);
		for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
			mx_json_ku64(&jw, counters[i].key,
				     st.stats[counters[i].attr]);
		mx_json_obj_close(&jw);
		mx_json_end(&jw);
		return EXIT_OK;
	}

	/* Same keys, same order as /proc/net/mxlock/stats. */
	mx_ports_format(st.ports, st.nr_ports, ports, sizeof(ports));
	printf("mode %s\n", choice_name(&mode_choice, st.u8[MXLOCK_A_MODE]));
	printf("action %s\n",
	       choice_name(&action_choice, st.u8[MXLOCK_A_ACTION]));
	printf("log %s\n", choice_name(&log_choice, st.u8[MXLOCK_A_LOG]));
	printf("ports %s\n", ports);
	printf("armed %u\n", st.u8[MXLOCK_A_ARMED]);
	printf("ranges %" PRIu32 "\n", st.ranges);
	printf("generation %" PRIu32 "\n", st.generation);
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		printf("%s %" PRIu64 "\n", counters[i].key,
		       st.stats[counters[i].attr]);
	return EXIT_OK;
}

/* ---- GET_ENTRIES ---- */

/* An interval of the dump, with its hits if the kernel keeps them. */
struct interval {
	int family;
	unsigned char first[MX_ADDR_MAX];
	unsigned char last[MX_ADDR_MAX];
	bool has_hits;
	uint64_t hits;
};

struct interval_list {
	struct interval *v;
	size_t n;
	size_t cap;
};

static int interval_push(struct interval_list *l, const struct interval *iv)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct interval *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *iv;
	return 0;
}

/* One MXLOCK_A_ENTRY of a dump, as an interval. */
static int list_entry(const struct nlattr *nest, void *data)
{
	const struct nlattr *attr, *addr = NULL, *end = NULL, *plen = NULL;
	struct interval_list *l = data;
	struct interval iv = { 0 };
	struct mx_entry e = { 0 };
	size_t alen;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case MXLOCK_ENTRY_A_ADDR:
			addr = attr;
			break;
		case MXLOCK_ENTRY_A_ADDR_END:
			end = attr;
			break;
		case MXLOCK_ENTRY_A_PREFIXLEN:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return -1;
			plen = attr;
			break;
		case MXLOCK_ENTRY_A_HITS:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				return -1;
			iv.hits = mnl_attr_get_u64(attr);
			iv.has_hits = true;
			break;
		}
	}
	if (!addr || (end && plen))
		goto bad;
	alen = mnl_attr_get_payload_len(addr);
	e.family = alen == 4 ? AF_INET : alen == 16 ? AF_INET6 : AF_UNSPEC;
	if (e.family == AF_UNSPEC)
		goto bad;
	memcpy(e.addr, mnl_attr_get_payload(addr), alen);
	if (end) {
		if (mnl_attr_get_payload_len(end) != alen)
			goto bad;
		memcpy(e.end, mnl_attr_get_payload(end), alen);
		if (memcmp(e.end, e.addr, alen) < 0)
			goto bad;
		e.kind = MX_ENTRY_RANGE;
	} else if (plen) {
		e.prefixlen = mnl_attr_get_u8(plen);
		if (e.prefixlen > alen * 8)
			goto bad;
		e.kind = MX_ENTRY_PREFIX;
	} else {
		e.kind = MX_ENTRY_ADDR;
	}
	iv.family = e.family;
	mx_entry_bounds(&e, iv.first, iv.last);
	if (interval_push(l, &iv))
		return -1;	/* errno is ENOMEM */
	return 0;

bad:
	errno = EBADMSG;
	return -1;
}

/*
 * A dump message's items: fn on each nest of type inner inside the
 * message's attribute of type outer (MXLOCK_A_ENTRIES, MXLOCK_A_DENIED).
 */
static int each_item(const struct nlmsghdr *nlh, uint16_t outer,
		     uint16_t inner, int (*fn)(const struct nlattr *, void *),
		     void *data)
{
	const struct nlattr *attr, *item;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != outer)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		mnl_attr_for_each_nested(item, attr) {
			if (mnl_attr_get_type(item) != inner)
				continue;
			if (fn(item, data))
				return MNL_CB_ERROR;
		}
	}
	return MNL_CB_OK;
}

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	return each_item(nlh, MXLOCK_A_ENTRIES, MXLOCK_A_ENTRY, list_entry,
			 data);
}

static void list_reset(void *data)
{
	struct interval_list *l = data;

	l->n = 0;
}

static int print_interval(const struct interval *iv)
{
	char text[MX_LINE_TEXT_MAX], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	if (!json) {
		if (mx_interval_line(iv->family, iv->first, iv->last,
				     iv->has_hits ? &iv->hits : NULL,
				     text, sizeof(text)))
			return -1;
		/* A write error shows in finish(). */
		printf("%s\n", text);
		return 0;
	}

	if (mx_interval_format(iv->family, iv->first, iv->last, text,
			       sizeof(text)) ||
	    !inet_ntop(iv->family, iv->first, a, sizeof(a)) ||
	    !inet_ntop(iv->family, iv->last, b, sizeof(b)))
		return -1;
	mx_json_obj_open(&jw);
	mx_json_kstr(&jw, "entry", text);
	mx_json_kstr(&jw, "first", a);
	mx_json_kstr(&jw, "last", b);
	mx_json_kstr(&jw, "family", family_name(iv->family));
	if (iv->has_hits)
		mx_json_ku64(&jw, "hits", iv->hits);
	mx_json_obj_close(&jw);
	return 0;
}

static int cmd_list(const struct cmd *cmd, int argc, char **argv)
{
	struct interval_list l = { 0 };
	struct mx_genl g;
	size_t i;
	int ret = EXIT_ERR, err;

	if (argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[0]);
	if (open_genl(cmd, &g))
		return EXIT_ERR;
	/* Collect first: an interrupted dump is run again, so print late. */
	err = mx_genl_dump(&g, MXLOCK_CMD_GET_ENTRIES, list_cb, list_reset,
			   &l);
	if (err) {
		fail_request(cmd, &g, err);
		goto free_list;
	}
	if (json)
		mx_json_arr_open(&jw);
	for (i = 0; i < l.n; i++) {
		if (print_interval(&l.v[i])) {
			/* Can't happen: the dump's lengths were checked. */
			fprintf(stderr,
				"mxlockctl: list: cannot format an interval of family %d\n",
				l.v[i].family);
			goto free_list;
		}
	}
	if (json) {
		mx_json_arr_close(&jw);
		mx_json_end(&jw);
	}
	ret = EXIT_OK;

free_list:
	free(l.v);
	mx_genl_close(&g);
	return ret;
}

/* ---- TEST ---- */

static int verdict_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	int *verdict = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != MXLOCK_A_VERDICT)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		*verdict = mnl_attr_get_u8(attr);
	}
	return MNL_CB_OK;
}

static int cmd_test(const struct cmd *cmd, int argc, char **argv)
{
	static const struct {
		const char *name;	/* -j */
		const char *text;
		int exit;
	} verdicts[] = {
		[MXLOCK_VERDICT_ALLOW] = {
			"allow", "allowed (in the allowlist)", EXIT_OK },
		[MXLOCK_VERDICT_DROP] = {
			"drop", "refused (not in the allowlist)",
			EXIT_OUTSIDE },
		[MXLOCK_VERDICT_MONITOR] = {
			"monitor",
			"not in the allowlist (monitor mode: passed, would be refused in enforce mode)",
			EXIT_OUTSIDE },
		[MXLOCK_VERDICT_UNARMED] = {
			"unarmed", "passed (unarmed: no allowlist loaded)",
			EXIT_OK },
	};
	char why[MX_ENTRY_WHY_MAX], text[INET6_ADDRSTRLEN];
	unsigned char addr[MX_ADDR_MAX];
	struct nlmsghdr *nlh;
	struct mx_genl g;
	int err, family, verdict = -1;

	if (argc != 1)
		return usage_error(cmd, "want one address");
	/* Mapped stays IPv6: the kernel's own lookup of it is what we ask. */
	if (mx_addr_parse(argv[0], &family, addr, why, sizeof(why))) {
		fprintf(stderr, "mxlockctl: test: '%s': %s\n", argv[0], why);
		return EXIT_ERR;
	}
	inet_ntop(family, addr, text, sizeof(text));

	if (open_genl(cmd, &g))
		return EXIT_ERR;
	nlh = mx_genl_msg(&g, MXLOCK_CMD_TEST);
	mnl_attr_put(nlh, MXLOCK_A_ADDR, mx_addr_len(family), addr);
	err = mx_genl_doit(&g, nlh, verdict_cb, &verdict);
	if (err)
		fail_request(cmd, &g, err);
	mx_genl_close(&g);
	if (err)
		return EXIT_ERR;

	if (verdict == -1) {
		fprintf(stderr,
			"mxlockctl: test: the kernel's reply has no verdict\n");
		return EXIT_ERR;
	}
	if (verdict >= (int)(sizeof(verdicts) / sizeof(verdicts[0]))) {
		fprintf(stderr,
			"mxlockctl: test: unknown verdict %d from the kernel\n",
			verdict);
		return EXIT_ERR;
	}
	if (json) {
		mx_json_obj_open(&jw);
		mx_json_kstr(&jw, "address", text);
		mx_json_kstr(&jw, "verdict", verdicts[verdict].name);
		mx_json_kbool(&jw, "listed", verdict == MXLOCK_VERDICT_ALLOW);
		mx_json_obj_close(&jw);
		mx_json_end(&jw);
	} else {
		printf("%s: %s\n", text, verdicts[verdict].text);
	}
	return verdicts[verdict].exit;
}

/* ---- GET_DENIED, FLUSH_DENIED ---- */

struct source {
	int family;
	unsigned char addr[MX_ADDR_MAX];
	uint64_t count;
	uint64_t first;			/* Unix seconds */
	uint64_t last;
};

struct source_list {
	struct source *v;
	size_t n;
	size_t cap;
};

/* One MXLOCK_A_DENIED_SOURCE; every attribute is required. */
static int denied_source(const struct nlattr *nest, void *data)
{
	struct source_list *l = data;
	const struct nlattr *attr;
	struct source s = { 0 };
	unsigned int have = 0;
	size_t len;

	mnl_attr_for_each_nested(attr, nest) {
		int type = mnl_attr_get_type(attr);

		switch (type) {
		case MXLOCK_DENIED_A_ADDR:
			len = mnl_attr_get_payload_len(attr);
			if (len != 4 && len != 16)
				goto bad;
			s.family = len == 4 ? AF_INET : AF_INET6;
			memcpy(s.addr, mnl_attr_get_payload(attr), len);
			break;
		case MXLOCK_DENIED_A_COUNT:
		case MXLOCK_DENIED_A_FIRST:
		case MXLOCK_DENIED_A_LAST:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				return -1;
			*(type == MXLOCK_DENIED_A_COUNT ? &s.count :
			  type == MXLOCK_DENIED_A_FIRST ? &s.first : &s.last) =
				mnl_attr_get_u64(attr);
			break;
		default:
			continue;
		}
		have |= HAVE(type);
	}
	if (have != (HAVE(MXLOCK_DENIED_A_ADDR) | HAVE(MXLOCK_DENIED_A_COUNT) |
		     HAVE(MXLOCK_DENIED_A_FIRST) | HAVE(MXLOCK_DENIED_A_LAST)))
		goto bad;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct source *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;

bad:
	errno = EBADMSG;
	return -1;
}

static int denied_cb(const struct nlmsghdr *nlh, void *data)
{
	return each_item(nlh, MXLOCK_A_DENIED, MXLOCK_A_DENIED_SOURCE,
			 denied_source, data);
}

static void denied_reset(void *data)
{
	struct source_list *l = data;

	l->n = 0;
}

/* Unix seconds as ISO 8601 UTC; a time gmtime() can't take as a number. */
static void format_time(uint64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((uint64_t)tt != t || tt < 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "%" PRIu64, t);
}

static int cmd_denied(const struct cmd *cmd, int argc, char **argv)
{
	char a[INET6_ADDRSTRLEN], first[32], last[32];
	struct source_list l = { 0 };
	struct mx_genl g;
	size_t i;
	int ret = EXIT_ERR, err;

	if (argc == 1 && !strcmp(argv[0], "flush"))
		return simple(cmd, MXLOCK_CMD_FLUSH_DENIED);
	if (argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[0]);

	if (open_genl(cmd, &g))
		return EXIT_ERR;
	err = mx_genl_dump(&g, MXLOCK_CMD_GET_DENIED, denied_cb, denied_reset,
			   &l);
	if (err) {
		fail_request(cmd, &g, err);
		goto free_list;
	}
	/* The kernel sends them most recently seen first. */
	if (json)
		mx_json_arr_open(&jw);
	for (i = 0; i < l.n; i++) {
		const struct source *s = &l.v[i];

		inet_ntop(s->family, s->addr, a, sizeof(a));
		if (json) {
			mx_json_obj_open(&jw);
			mx_json_kstr(&jw, "address", a);
			mx_json_ku64(&jw, "count", s->count);
			mx_json_ku64(&jw, "first", s->first);
			mx_json_ku64(&jw, "last", s->last);
			mx_json_obj_close(&jw);
			continue;
		}
		format_time(s->first, first, sizeof(first));
		format_time(s->last, last, sizeof(last));
		printf("%s count %" PRIu64 " first %s last %s\n", a, s->count,
		       first, last);
	}
	if (json) {
		mx_json_arr_close(&jw);
		mx_json_end(&jw);
	}
	ret = EXIT_OK;

free_list:
	free(l.v);
	mx_genl_close(&g);
	return ret;
}

/* ---- monitor ---- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct monitor {
	unsigned long count;		/* events to print; 0: no limit */
	unsigned long seen;
};

static const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case MXLOCK_CMD_REPLACE:
		return "replace";
	case MXLOCK_CMD_ADD:
		return "add";
	case MXLOCK_CMD_DEL:
		return "del";
	case MXLOCK_CMD_FLUSH:
		return "flush";
	case MXLOCK_CMD_SET_CONFIG:
		return "config";
	}
	return NULL;
}

static void print_event(const char *name, const struct state *st)
{
	char ports[MX_PORTS_TEXT_MAX];

	if (json) {
		mx_json_obj_open(&jw);
		mx_json_ku64(&jw, "generation", st->generation);
		mx_json_kstr(&jw, "command", name);
		mx_json_ku64(&jw, "portid", st->portid);
		if (st->have & HAVE(MXLOCK_A_ARMED))
			mx_json_kbool(&jw, "armed", st->u8[MXLOCK_A_ARMED]);
		if (st->have & HAVE(MXLOCK_A_RANGES))
			mx_json_ku64(&jw, "ranges", st->ranges);
		if (st->have & HAVE(MXLOCK_A_MODE))
			mx_json_kstr(&jw, "mode",
				     choice_name(&mode_choice,
						 st->u8[MXLOCK_A_MODE]));
		if (st->have & HAVE(MXLOCK_A_ACTION))
			mx_json_kstr(&jw, "action",
				     choice_name(&action_choice,
						 st->u8[MXLOCK_A_ACTION]));
		if (st->have & HAVE(MXLOCK_A_LOG))
			mx_json_kbool(&jw, "log", st->u8[MXLOCK_A_LOG]);
		if (st->have & HAVE(MXLOCK_A_PORTS))
			json_ports(st);
		mx_json_obj_close(&jw);
		mx_json_end(&jw);
		return;
	}

	printf("generation %" PRIu32 ": %s by portid %" PRIu32 ":",
	       st->generation, name, st->portid);
	/* The header promises less than the full state for some commands. */
	if (st->have & HAVE(MXLOCK_A_ARMED))
		printf(" armed %u", st->u8[MXLOCK_A_ARMED]);
	if (st->have & HAVE(MXLOCK_A_RANGES))
		printf(" ranges %" PRIu32, st->ranges);
	if (st->have & HAVE(MXLOCK_A_MODE))
		printf(" mode %s",
		       choice_name(&mode_choice, st->u8[MXLOCK_A_MODE]));
	if (st->have & HAVE(MXLOCK_A_ACTION))
		printf(" action %s",
		       choice_name(&action_choice, st->u8[MXLOCK_A_ACTION]));
	if (st->have & HAVE(MXLOCK_A_LOG))
		printf(" log %s",
		       choice_name(&log_choice, st->u8[MXLOCK_A_LOG]));
	if (st->have & HAVE(MXLOCK_A_PORTS)) {
		mx_ports_format(st->ports, st->nr_ports, ports, sizeof(ports));
		printf(" ports %s", ports);
	}
	putchar('\n');
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;
	struct state st = { 0 };
	const char *name;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return MNL_CB_OK;
	name = event_name(genl->cmd);
	if (!name)
		return MNL_CB_OK;	/* a newer module's event */
	if (mnl_attr_parse(nlh, sizeof(*genl), state_attr_cb, &st) < 0)
		return MNL_CB_ERROR;
	print_event(name, &st);
	/* One event a line, out now: whoever reads waits for it. */
	if (fflush(stdout) || ferror(stdout))
		return MNL_CB_ERROR;
	if (m->count && ++m->seen == m->count)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

/* A count: decimal, no sign, no leading zero, at least 1. */
static int parse_count(const char *s, unsigned long *out)
{
	char *end;

	if (s[0] < '1' || s[0] > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return *end || errno ? -1 : 0;
}

static int cmd_monitor(const struct cmd *cmd, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct monitor m = { 0 };
	sigset_t block, waitmask;
	struct mx_genl g;
	int i, err, ret = EXIT_ERR;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			if (parse_count(argv[++i], &m.count))
				return usage_error(cmd,
					"--count wants a number of events, 1 or more, not '%s'",
					argv[i]);
			continue;
		}
		if (!strcmp(argv[i], "--count"))
			return usage_error(cmd, "--count needs a number");
		return usage_error(cmd, "unexpected argument '%s'", argv[i]);
	}

	/*
	 * SIGINT and SIGTERM are let in only while waiting: one arriving
	 * mid-print ends the wait that follows, with no race in between.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (open_genl_grp(cmd, &g, MXLOCK_MCGRP_EVENTS))
		return EXIT_ERR;
	if (!g.mcgrp) {
		fprintf(stderr,
			"mxlockctl: monitor: the module has no '%s' multicast group (module of another version?)\n",
			MXLOCK_MCGRP_EVENTS);
		goto close_genl;
	}
	/*
	 * nlctrl's "notify" group has the id GENL_ID_CTRL (as iproute2's
	 * genl monitor has it): it tells when the module goes away.
	 */
	err = mx_genl_join(&g, g.mcgrp);
	if (!err)
		err = mx_genl_join(&g, GENL_ID_CTRL);
	if (err) {
		fprintf(stderr, "mxlockctl: monitor: cannot join the groups: %s\n",
			strerror(-err));
		goto close_genl;
	}

	while (!stop) {
		err = mx_genl_listen(&g, &waitmask, event_cb, &m);
		if (!err)
			break;			/* --count reached */
		if (err == -EINTR)
			continue;		/* stop is set */
		if (err == -ENOBUFS) {
			/* Go on: the next event still tells the whole state. */
			fprintf(stderr,
				"mxlockctl: monitor: events were lost (receive buffer overrun)\n");
			continue;
		}
		if (ferror(stdout))
			goto close_genl;	/* finish() reports it */
		if (err == -ENODEV) {
			fprintf(stderr,
				"mxlockctl: monitor: the mxlock module was unloaded\n");
			goto close_genl;
		}
		fprintf(stderr, "mxlockctl: monitor: %s\n", strerror(-err));
		goto close_genl;
	}
	ret = EXIT_OK;

close_genl:
	mx_genl_close(&g);
	return ret;
}

/* ---- help ---- */

static int cmd_help(const struct cmd *cmd, int argc, char **argv);

static const struct cmd cmds[] = {
	{ "replace", cmd_replace, "[-f FILE|-]... [ENTRY]...",
	  "replace the whole list atomically", false },
	{ "add", cmd_add, "[ENTRY]... [-f FILE|-]...",
	  "add entries (~3000 IPv4/1500 IPv6 at most)", false },
	{ "del", cmd_del, "[ENTRY]... [-f FILE|-]...",
	  "remove the addresses entries cover", false },
	{ "flush", cmd_flush, "",
	  "drop the list: unarmed, all SYNs pass", false },
	{ "list", cmd_list, "",
	  "print the list, with hit counts", true },
	{ "stats", cmd_stats, "",
	  "print settings, state and counters", true },
	{ "test", cmd_test, "ADDR",
	  "what would a SYN from ADDR meet?", true },
	{ "denied", cmd_denied, "[flush]",
	  "print refused sources, or forget them", true },
	{ "mode", cmd_mode, "[enforce|monitor]",
	  "print the mode, or set it", false },
	{ "action", cmd_action, "[drop|reject]",
	  "print how enforce refuses, or set it", false },
	{ "log", cmd_log, "[on|off]",
	  "print if refusals are logged, or set it", false },
	{ "ports", cmd_ports, "[PORT[,PORT]...]",
	  "print the guarded TCP ports, or set them", false },
	{ "monitor", cmd_monitor, "[--count N]",
	  "print each change as it happens", true },
	{ "help", cmd_help, "[COMMAND]",
	  "this help, or a command's", false },
	{ NULL, NULL, NULL, NULL, false }
};

static void usage(FILE *f)
{
	const struct cmd *cmd;

	fputs("usage: mxlockctl [-j|--json] COMMAND [ARG]...\n"
	      "       mxlockctl -h|--help|--version\n"
	      "\n"
	      "Control mxlock in the current network namespace (ip netns exec NS\n"
	      "mxlockctl ... for another one): SYNs to the guarded TCP ports (25 by\n"
	      "default) are let in only from the addresses on the allowlist.\n"
	      "\n"
	      "Commands:\n", f);
	for (cmd = cmds; cmd->name; cmd++) {
		char synopsis[64];

		snprintf(synopsis, sizeof(synopsis), "%s%s%s", cmd->name,
			 *cmd->args ? " " : "", cmd->args);
		fprintf(f, "  %-33s  %s\n", synopsis, cmd->help);
	}
	fputs("\n"
	      "ENTRY is ADDR/LEN (no host bits set), ADDR (one address) or\n"
	      "ADDR-ADDR (inclusive range, one family), IPv4 or IPv6. IPv4-mapped\n"
	      "IPv6 (::ffff:a.b.c.d) is taken as the IPv4 it maps. FILE has one\n"
	      "ENTRY a line; '#' starts a comment; '-' is standard input; -f may be\n"
	      "repeated. list prints valid FILE lines. If any entry is bad, each is\n"
	      "reported and nothing is sent.\n"
	      "\n"
	      "PORT is 1..65535; 1 to 16 ports, split by commas or spaces.\n"
	      "\n"
	      "-j prints JSON for list, stats, denied, test and monitor (one\n"
	      "object a line per event).\n"
	      "\n"
	      "Exit status: 0 success; 1 'test': the address is not in the list\n"
	      "(refused, or passed only because of monitor mode); 2 usage, input\n"
	      "or kernel error.\n", f);
}

static int cmd_help(const struct cmd *cmd, int argc, char **argv)
{
	const struct cmd *c;

	if (!argc) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 1)
		return usage_error(cmd, "unexpected argument '%s'", argv[1]);
	for (c = cmds; c->name; c++) {
		if (!strcmp(c->name, argv[0])) {
			cmd_usage(stdout, c);
			printf("%s\n", c->help);
			return EXIT_OK;
		}
	}
	return usage_error(cmd, "unknown command '%s'", argv[0]);
}

/* Output that never made it (full disk, closed pipe) is an error too. */
static int finish(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "mxlockctl: write error: %s\n",
			strerror(errno));
		return EXIT_ERR;
	}
	return ret;
}

int main(int argc, char **argv)
{
	const struct cmd *cmd;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return finish(EXIT_OK);
		} else if (!strcmp(argv[i], "--version")) {
			printf("mxlockctl %s (mxlock generic netlink version %d)\n",
			       MXLOCKCTL_VERSION, MXLOCK_GENL_VERSION);
			return finish(EXIT_OK);
		} else {
			fprintf(stderr, "mxlockctl: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return EXIT_ERR;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_ERR;
	}

	for (cmd = cmds; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[i]))
			break;
	if (!cmd->name) {
		fprintf(stderr, "mxlockctl: unknown command '%s'\n", argv[i]);
		usage(stderr);
		return EXIT_ERR;
	}
	if (argc > i + 1 && (!strcmp(argv[i + 1], "-h") ||
			     !strcmp(argv[i + 1], "--help"))) {
		cmd_usage(stdout, cmd);
		printf("%s\n", cmd->help);
		return finish(EXIT_OK);
	}
	/* Text where JSON was asked for would break whoever parses it. */
	if (json && !cmd->json) {
		fprintf(stderr,
			"mxlockctl: %s: no JSON output; -j is for list, stats, denied, test and monitor\n",
			cmd->name);
		return EXIT_ERR;
	}
	mx_json_init(&jw, stdout);
	return finish(cmd->run(cmd, argc - i - 1, argv + i + 1));
}
