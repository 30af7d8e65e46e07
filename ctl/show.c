// SPDX-License-Identifier: GPL-2.0
/*
 * show.c: what the kernel holds, printed as text or JSON: stats
 * (settings, state, counters), list (the intervals and their hits)
 * and test (the verdict for one address).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/mxlock.h>

#include "entry.h"
#include "ival.h"
#include "mxlockctl.h"
#include "ports.h"

int cmd_stats(const struct cmd *cmd, int argc, char **argv)
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
		/* Not in need_stats: a module before the budgets lacks them. */
		{ "budget_used", MXLOCK_STATS_A_BUDGET_USED },
		{ "budget_limit", MXLOCK_STATS_A_BUDGET_LIMIT },
		{ "rst_limited", MXLOCK_STATS_A_RST_LIMITED },
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
			if (st.have_stats & HAVE(counters[i].attr))
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
		if (st.have_stats & HAVE(counters[i].attr))
			printf("%s %" PRIu64 "\n", counters[i].key,
			       st.stats[counters[i].attr]);
	return EXIT_OK;
}

/* ---- GET_ENTRIES ---- */

/* One MXLOCK_A_ENTRY of a dump, as an interval. */
static int list_entry(const struct nlattr *nest, void *data)
{
	struct mx_ival iv;

	if (parse_interval(nest, &iv))
		return -1;
	return mx_ival_push(data, &iv);	/* errno is ENOMEM */
}

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	return each_item(nlh, MXLOCK_A_ENTRIES, MXLOCK_A_ENTRY, list_entry,
			 data);
}

static void list_reset(void *data)
{
	struct mx_ival_list *l = data;

	l->n = 0;
}

/* The live list, one consistent dump of it. EXIT_OK or EXIT_ERR. */
int read_list(const struct cmd *cmd, struct mx_ival_list *l)
{
	return dump(cmd, MXLOCK_CMD_GET_ENTRIES, list_cb, list_reset, l);
}

static int print_interval(const struct mx_ival *iv)
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

int cmd_list(const struct cmd *cmd, int argc, char **argv)
{
	struct mx_ival_list l = { 0 };
	int ret = EXIT_ERR;
	size_t i;

	if (argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[0]);
	if (read_list(cmd, &l))
		goto free_list;
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

int cmd_test(const struct cmd *cmd, int argc, char **argv)
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
