// SPDX-License-Identifier: GPL-2.0
/*
 * mxlockctl: control the mxlock allowlist of the network namespace it runs
 * in (use `ip netns exec NS mxlockctl ...` for another one).
 *
 * Exit status: 0 success; 1 only for `test` when a SYN from the address
 * would be dropped (or is outside the list in monitor mode); 2 for usage,
 * input and kernel errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/mxlock.h>

#include "entry.h"
#include "genl.h"

#ifndef MXLOCKCTL_VERSION
#define MXLOCKCTL_VERSION	"0.1"
#endif

#define EXIT_OK		0
#define EXIT_OUTSIDE	1	/* test: the address is not in the list */
#define EXIT_ERR	2

/* Entries per REPLACE message; about 20 KiB of IPv4 entries. */
#define CHUNK		1024

struct cmd {
	const char *name;
	int (*run)(const struct cmd *cmd, int argc, char **argv);
	const char *args;
	const char *help;
};

static void cmd_usage(FILE *f, const struct cmd *cmd)
{
	fprintf(f, "usage: mxlockctl %s%s%s\n", cmd->name,
		*cmd->args ? " " : "", cmd->args);
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

static int open_genl(const struct cmd *cmd, struct mx_genl *g)
{
	int err;

	err = mx_genl_open(g);
	if (err) {
		fprintf(stderr,
			"mxlockctl: cannot open a generic netlink socket: %s\n",
			strerror(-err));
		return EXIT_ERR;
	}
	err = mx_genl_resolve(g, MXLOCK_GENL_NAME);
	if (err == -ENOENT) {
		fprintf(stderr,
			"mxlockctl: the mxlock module is not loaded (generic netlink family '%s' not found): load it with 'insmod kmod/mxlock.ko' or 'modprobe mxlock'\n",
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
 * bits, so a nest holds 64 KiB, some 3000 IPv4 entries.
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
		else
			err = put_entries(&g, nlh, e, n, offs);
		if (err) {
			/* Can't happen: CHUNK entries are far below 64 KiB. */
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

/* ---- GET_STATE ---- */

#define HAVE(a)		(1U << (a))

struct state {
	unsigned int have;		/* HAVE(MXLOCK_A_*) */
	unsigned int have_stats;	/* HAVE(MXLOCK_STATS_A_*) */
	uint8_t mode;
	uint8_t armed;
	uint16_t port;
	uint32_t ranges;
	uint32_t generation;
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

static int state_attr_cb(const struct nlattr *attr, void *data)
{
	struct state *st = data;
	int type = mnl_attr_get_type(attr);
	int ret = 0;

	switch (type) {
	case MXLOCK_A_MODE:
		ret = mnl_attr_validate(attr, MNL_TYPE_U8);
		st->mode = ret ? 0 : mnl_attr_get_u8(attr);
		break;
	case MXLOCK_A_ARMED:
		ret = mnl_attr_validate(attr, MNL_TYPE_U8);
		st->armed = ret ? 0 : mnl_attr_get_u8(attr);
		break;
	case MXLOCK_A_PORT:
		ret = mnl_attr_validate(attr, MNL_TYPE_U16);
		st->port = ret ? 0 : mnl_attr_get_u16(attr);
		break;
	case MXLOCK_A_RANGES:
		ret = mnl_attr_validate(attr, MNL_TYPE_U32);
		st->ranges = ret ? 0 : mnl_attr_get_u32(attr);
		break;
	case MXLOCK_A_GENERATION:
		ret = mnl_attr_validate(attr, MNL_TYPE_U32);
		st->generation = ret ? 0 : mnl_attr_get_u32(attr);
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

static const char *mode_name(uint8_t mode)
{
	switch (mode) {
	case MXLOCK_MODE_ENFORCE:
		return "enforce";
	case MXLOCK_MODE_MONITOR:
		return "monitor";
	}
	return "unknown";
}

static int cmd_mode(const struct cmd *cmd, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct state st;
	struct mx_genl g;
	uint8_t mode;
	int err;

	if (argc > 1)
		return usage_error(cmd, "unexpected argument '%s'", argv[1]);
	if (!argc) {
		if (get_state(cmd, &st, HAVE(MXLOCK_A_MODE)))
			return EXIT_ERR;
		printf("%s\n", mode_name(st.mode));
		return EXIT_OK;
	}

	if (!strcmp(argv[0], "enforce"))
		mode = MXLOCK_MODE_ENFORCE;
	else if (!strcmp(argv[0], "monitor"))
		mode = MXLOCK_MODE_MONITOR;
	else
		return usage_error(cmd,
				   "unknown mode '%s' (want enforce or monitor)",
				   argv[0]);
	if (open_genl(cmd, &g))
		return EXIT_ERR;
	nlh = mx_genl_msg(&g, MXLOCK_CMD_SET_MODE);
	mnl_attr_put_u8(nlh, MXLOCK_A_MODE, mode);
	err = mx_genl_doit(&g, nlh, NULL, NULL);
	if (err)
		fail_request(cmd, &g, err);
	mx_genl_close(&g);
	return err ? EXIT_ERR : EXIT_OK;
}

static int cmd_stats(const struct cmd *cmd, int argc, char **argv)
{
	static const unsigned int need = HAVE(MXLOCK_A_MODE) |
		HAVE(MXLOCK_A_ARMED) | HAVE(MXLOCK_A_PORT) |
		HAVE(MXLOCK_A_RANGES) | HAVE(MXLOCK_A_GENERATION) |
		HAVE(MXLOCK_A_STATS);
	static const unsigned int need_stats = HAVE(MXLOCK_STATS_A_SYN_SEEN) |
		HAVE(MXLOCK_STATS_A_SYN_ALLOWED) |
		HAVE(MXLOCK_STATS_A_SYN_DROPPED) |
		HAVE(MXLOCK_STATS_A_SYN_MONITORED) |
		HAVE(MXLOCK_STATS_A_SYN_UNARMED);
	struct state st;

	if (argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[0]);
	if (get_state(cmd, &st, need))
		return EXIT_ERR;
	if ((st.have_stats & need_stats) != need_stats) {
		fprintf(stderr,
			"mxlockctl: stats: the kernel's reply lacks counters (module of another version?)\n");
		return EXIT_ERR;
	}

	/* Same keys, same order as /proc/net/mxlock/stats. */
	printf("mode %s\n", mode_name(st.mode));
	printf("armed %u\n", st.armed);
	printf("port %u\n", st.port);
	printf("ranges %" PRIu32 "\n", st.ranges);
	printf("generation %" PRIu32 "\n", st.generation);
	printf("syn_seen %" PRIu64 "\n", st.stats[MXLOCK_STATS_A_SYN_SEEN]);
	printf("syn_allowed %" PRIu64 "\n",
	       st.stats[MXLOCK_STATS_A_SYN_ALLOWED]);
	printf("syn_dropped %" PRIu64 "\n",
	       st.stats[MXLOCK_STATS_A_SYN_DROPPED]);
	printf("syn_monitored %" PRIu64 "\n",
	       st.stats[MXLOCK_STATS_A_SYN_MONITORED]);
	printf("syn_unarmed %" PRIu64 "\n",
	       st.stats[MXLOCK_STATS_A_SYN_UNARMED]);
	return EXIT_OK;
}

/* ---- GET_ENTRIES ---- */

/* One MXLOCK_A_ENTRY of a dump, as an entry. */
static int list_entry(const struct nlattr *nest, struct mx_entry_list *l)
{
	const struct nlattr *attr, *addr = NULL, *end = NULL, *plen = NULL;
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
	if (mx_entry_list_push(l, &e))
		return -1;	/* errno is ENOMEM */
	return 0;

bad:
	errno = EBADMSG;
	return -1;
}

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr, *entry;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != MXLOCK_A_ENTRIES)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		mnl_attr_for_each_nested(entry, attr) {
			if (mnl_attr_get_type(entry) != MXLOCK_A_ENTRY)
				continue;
			if (list_entry(entry, data))
				return MNL_CB_ERROR;
		}
	}
	return MNL_CB_OK;
}

static void list_reset(void *data)
{
	struct mx_entry_list *l = data;

	l->n = 0;
}

static int cmd_list(const struct cmd *cmd, int argc, char **argv)
{
	unsigned char first[MX_ADDR_MAX], last[MX_ADDR_MAX];
	char text[MX_ENTRY_TEXT_MAX];
	struct mx_entry_list l = { 0 };
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
	for (i = 0; i < l.n; i++) {
		mx_entry_bounds(&l.v[i], first, last);
		if (mx_interval_format(l.v[i].family, first, last, text,
				       sizeof(text))) {
			fprintf(stderr,
				"mxlockctl: list: cannot format an interval of family %d\n",
				l.v[i].family);
			goto free_list;
		}
		printf("%s\n", text);
	}
	ret = EXIT_OK;

free_list:
	mx_entry_list_free(&l);
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
	char why[MX_ENTRY_WHY_MAX], text[MX_ENTRY_TEXT_MAX];
	struct nlmsghdr *nlh;
	struct mx_entry e;
	struct mx_genl g;
	int err, verdict = -1;

	if (argc != 1)
		return usage_error(cmd, "want one address");
	if (mx_entry_parse(argv[0], &e, why, sizeof(why))) {
		fprintf(stderr, "mxlockctl: test: '%s': %s\n", argv[0], why);
		return EXIT_ERR;
	}
	if (e.kind != MX_ENTRY_ADDR) {
		fprintf(stderr,
			"mxlockctl: test: '%s': want a single address, not a prefix or range\n",
			argv[0]);
		return EXIT_ERR;
	}
	mx_entry_format(&e, text, sizeof(text));

	if (open_genl(cmd, &g))
		return EXIT_ERR;
	nlh = mx_genl_msg(&g, MXLOCK_CMD_TEST);
	mnl_attr_put(nlh, MXLOCK_A_ADDR, mx_addr_len(e.family), e.addr);
	err = mx_genl_doit(&g, nlh, verdict_cb, &verdict);
	if (err)
		fail_request(cmd, &g, err);
	mx_genl_close(&g);
	if (err)
		return EXIT_ERR;

	switch (verdict) {
	case MXLOCK_VERDICT_ALLOW:
		printf("%s: allowed (in the allowlist)\n", text);
		return EXIT_OK;
	case MXLOCK_VERDICT_DROP:
		printf("%s: dropped (not in the allowlist)\n", text);
		return EXIT_OUTSIDE;
	case MXLOCK_VERDICT_MONITOR:
		printf("%s: not in the allowlist (monitor mode: passed, would be dropped in enforce mode)\n",
		       text);
		return EXIT_OUTSIDE;
	case MXLOCK_VERDICT_UNARMED:
		printf("%s: passed (unarmed: no allowlist loaded)\n", text);
		return EXIT_OK;
	case -1:
		fprintf(stderr,
			"mxlockctl: test: the kernel's reply has no verdict\n");
		return EXIT_ERR;
	}
	fprintf(stderr, "mxlockctl: test: unknown verdict %d from the kernel\n",
		verdict);
	return EXIT_ERR;
}

/* ---- help ---- */

static int cmd_help(const struct cmd *cmd, int argc, char **argv);

static const struct cmd cmds[] = {
	{ "replace", cmd_replace, "[-f FILE|-]... [ENTRY]...",
	  "replace the whole list atomically" },
	{ "add", cmd_add, "[ENTRY]... [-f FILE|-]...",
	  "add entries (some 3000 at most)" },
	{ "del", cmd_del, "[ENTRY]... [-f FILE|-]...",
	  "remove the addresses entries cover" },
	{ "flush", cmd_flush, "",
	  "drop the list: unarmed, all SYNs pass" },
	{ "mode", cmd_mode, "[enforce|monitor]",
	  "print the mode, or set it" },
	{ "list", cmd_list, "",
	  "print the list, one interval a line" },
	{ "stats", cmd_stats, "",
	  "print state and counters" },
	{ "test", cmd_test, "ADDR",
	  "what would a SYN from ADDR meet?" },
	{ "help", cmd_help, "[COMMAND]",
	  "this help, or a command's" },
	{ NULL, NULL, NULL, NULL }
};


static void usage(FILE *f)
{
	const struct cmd *cmd;

	fputs("usage: mxlockctl COMMAND [ARG]...\n"
	      "       mxlockctl -h|--help|--version\n"
	      "\n"
	      "Control the mxlock allowlist of TCP port 25 in the current network\n"
	      "namespace (ip netns exec NS mxlockctl ... for another one).\n"
	      "\n"
	      "Commands:\n", f);
	for (cmd = cmds; cmd->name; cmd++) {
		char synopsis[64];

		snprintf(synopsis, sizeof(synopsis), "%s%s%s", cmd->name,
			 *cmd->args ? " " : "", cmd->args);
		fprintf(f, "  %-33s  %s\n", synopsis, cmd->help);
	}
	fputs("\n"
	      "ENTRY is a.b.c.d/len (no host bits set), a.b.c.d (one address) or\n"
	      "a.b.c.d-e.f.g.h (inclusive range). FILE has one ENTRY a line; '#'\n"
	      "starts a comment; '-' is standard input. -f may be repeated.\n"
	      "If any entry is bad, each is reported and nothing is sent.\n"
	      "\n"
	      "Exit status: 0 success; 1 'test': the address is not in the list\n"
	      "(dropped, or passed only because of monitor mode); 2 usage, input\n"
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

	if (argc < 2) {
		usage(stderr);
		return EXIT_ERR;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return finish(EXIT_OK);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("mxlockctl %s (mxlock generic netlink version %d)\n",
		       MXLOCKCTL_VERSION, MXLOCK_GENL_VERSION);
		return finish(EXIT_OK);
	}

	for (cmd = cmds; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[1]))
			break;
	if (!cmd->name) {
		fprintf(stderr, "mxlockctl: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_ERR;
	}
	if (argc > 2 && (!strcmp(argv[2], "-h") ||
			 !strcmp(argv[2], "--help"))) {
		cmd_usage(stdout, cmd);
		printf("%s\n", cmd->help);
		return finish(EXIT_OK);
	}
	return finish(cmd->run(cmd, argc - 2, argv + 2));
}
