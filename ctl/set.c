// SPDX-License-Identifier: GPL-2.0
/*
 * set.c: the commands that change the list: replace (atomic, in
 * chunks past one message), add, del and flush.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mxlock.h>

#include "entry.h"
#include "mxlockctl.h"

/*
 * Entries per REPLACE message: at most 44 KiB (IPv6 ranges), within the
 * 64 KiB one MXLOCK_A_ENTRIES nest holds.
 */
#define CHUNK		1024

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
	struct nlattr *list;
	size_t i;

	if (entries_fit(e, n) < n)
		return -EMSGSIZE;
	list = mnl_attr_nest_start_check(nlh, g->sbuflen, MXLOCK_A_ENTRIES);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		size_t alen = mx_addr_len(e[i].family);
		struct nlattr *one;
		bool ok;

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

int read_file(const struct cmd *cmd, const char *name,
	      struct mx_entry_list *l, bool optional)
{
	bool std = !strcmp(name, "-");
	FILE *f = std ? stdin : fopen(name, "r");
	int ret;

	if (!f && optional && errno == ENOENT)
		return 0;
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
 * Collect the entries of `-f FILE`, `-F FILE` and ENTRY arguments, in
 * order. Every bad entry is reported; if there is any, fail so that
 * nothing is sent. dry_run, if not NULL, takes --dry-run.
 */
static int gather(const struct cmd *cmd, int argc, char **argv,
		  struct mx_entry_list *l, bool *dry_run)
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
		if (opts && dry_run && !strcmp(a, "--dry-run")) {
			*dry_run = true;
			continue;
		}
		if (opts && (!strcmp(a, "-f") || !strcmp(a, "-F"))) {
			if (++i == argc)
				return usage_error(cmd,
					"%s needs a FILE ('-' for standard input)",
					a);
			ret = read_file(cmd, argv[i], l, a[1] == 'F');
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

/*
 * A list that fits in one message goes as one REPLACE without flags; a
 * longer one as F_MORE, F_CONTINUE|F_MORE..., F_CONTINUE, all on this one
 * socket (the kernel binds the staging list to it) and each acked before
 * the next is sent.
 */
int load_list(const struct cmd *cmd, struct mx_entry_list *l)
{
	uint32_t offs[CHUNK + 1], flags;
	struct nlmsghdr *nlh;
	struct mx_genl g;
	size_t i, n, chunks;
	int ret = EXIT_ERR, err;

	if (!l->n) {
		fprintf(stderr,
			"mxlockctl: %s: refusing to load an empty list: it would refuse all mail; use 'flush' to disarm\n",
			cmd->name);
		return EXIT_ERR;
	}
	if (l->n > MXLOCK_MAX_ENTRIES) {
		fprintf(stderr,
			"mxlockctl: %s: %zu entries, more than the %u a list may have\n",
			cmd->name, l->n, MXLOCK_MAX_ENTRIES);
		return EXIT_ERR;
	}
	/* Sorted, the list spares the kernel its sort. */
	if (mx_entry_list_sort(l)) {
		fprintf(stderr, "mxlockctl: %s: out of memory\n", cmd->name);
		return EXIT_ERR;
	}
	if (open_genl(cmd, &g))
		return EXIT_ERR;

	chunks = (l->n + CHUNK - 1) / CHUNK;
	for (i = 0; i < chunks; i++) {
		const struct mx_entry *e = l->v + i * CHUNK;

		n = l->n - i * CHUNK < CHUNK ? l->n - i * CHUNK : CHUNK;
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
						 (uint32_t)l->n))
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
					"mxlockctl: %s: chunk %zu of %zu refused: nothing changed, the old list stays in force\n",
					cmd->name, i + 1, chunks);
			else if (g.kernel_err)
				fprintf(stderr,
					"mxlockctl: %s: nothing changed, the old list stays in force\n",
					cmd->name);
			goto close_genl;
		}
	}
	ret = EXIT_OK;

close_genl:
	mx_genl_close(&g);
	return ret;
}

int cmd_replace(const struct cmd *cmd, int argc, char **argv)
{
	struct mx_entry_list l = { 0 };
	bool dry_run = false;
	int ret;

	ret = gather(cmd, argc, argv, &l, &dry_run);
	if (!ret && json && !dry_run)
		ret = usage_error(cmd, "-j goes with --dry-run only");
	if (!ret)
		ret = dry_run ? preview_replace(cmd, &l) : load_list(cmd, &l);
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

	ret = gather(cmd, argc, argv, &l, NULL);
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

int cmd_add(const struct cmd *cmd, int argc, char **argv)
{
	return change(cmd, MXLOCK_CMD_ADD, argc, argv);
}

int cmd_del(const struct cmd *cmd, int argc, char **argv)
{
	return change(cmd, MXLOCK_CMD_DEL, argc, argv);
}

int cmd_flush(const struct cmd *cmd, int argc, char **argv)
{
	if (argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[0]);
	return simple(cmd, MXLOCK_CMD_FLUSH);
}
