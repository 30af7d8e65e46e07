// SPDX-License-Identifier: GPL-2.0
/*
 * monitor.c: each change to the namespace's list or settings, as the
 * events multicast group tells it, until SIGINT/SIGTERM or --count.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/mxlock.h>

#include "entry.h"
#include "mxlockctl.h"
#include "ports.h"

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

/* An event's intervals, as "a/len" or "a-b" (mx_interval_format). */
static int format_interval(const struct mx_ival *iv, char *buf,
			   size_t size)
{
	return mx_interval_format(iv->family, iv->first, iv->last, buf, size);
}

static int json_delta(const char *count, const char *entries,
		      const struct delta *d, unsigned int have)
{
	char text[MX_ENTRY_TEXT_MAX];
	unsigned int i;

	if (!have)
		return 0;
	mx_json_ku64(&jw, count, d->count);
	if (!d->n)
		return 0;
	mx_json_key(&jw, entries);
	mx_json_arr_open(&jw);
	for (i = 0; i < d->n; i++) {
		if (format_interval(&d->v[i], text, sizeof(text)))
			return -1;
		mx_json_str(&jw, text);
	}
	mx_json_arr_close(&jw);
	return 0;
}

static int print_delta(char sign, const struct delta *d)
{
	char text[MX_ENTRY_TEXT_MAX];
	unsigned int i;

	for (i = 0; i < d->n; i++) {
		if (format_interval(&d->v[i], text, sizeof(text)))
			return -1;
		printf(" %c%s", sign, text);
	}
	return 0;
}

/*
 * One line an event: text, or a JSON object. 0, or -1 if an interval
 * cannot be formatted (parse_interval() checked them: can't happen).
 */
static int print_event(const char *name, const struct state *st)
{
	bool added = st->have & HAVE(MXLOCK_A_ADDED);
	bool removed = st->have & HAVE(MXLOCK_A_REMOVED);

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
		if (json_delta("added", "added_entries", &st->added, added) ||
		    json_delta("removed", "removed_entries", &st->removed,
			       removed))
			return -1;
		mx_json_obj_close(&jw);
		mx_json_end(&jw);
		return 0;
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
		char ports[MX_PORTS_TEXT_MAX];

		mx_ports_format(st->ports, st->nr_ports, ports, sizeof(ports));
		printf(" ports %s", ports);
	}
	/* A change to the list: what it did, and the intervals when few. */
	if (added || removed) {
		printf(": %" PRIu32 " added, %" PRIu32 " removed",
		       st->added.count, st->removed.count);
		if (st->added.n || st->removed.n)
			putchar(':');
		if (print_delta('+', &st->added) ||
		    print_delta('-', &st->removed))
			return -1;
	}
	putchar('\n');
	return 0;
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
	if (print_event(name, &st)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
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

int cmd_monitor(const struct cmd *cmd, int argc, char **argv)
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
