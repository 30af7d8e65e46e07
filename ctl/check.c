// SPDX-License-Identifier: GPL-2.0
/*
 * check.c: `mxlockctl check`, a monitoring plugin (the Nagios plugin
 * guidelines, as Icinga, Naemon and Zabbix's agents run them): one status
 * line "MXLOCK STATUS - text | perfdata" on stdout, exit status 0 OK,
 * 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 *
 *   CRITICAL  the module is not loaded (no generic netlink family), the
 *             namespace is unarmed, the list is empty, or (if asked for)
 *             the last good sync is older than --sync-age-critical
 *   WARNING   monitor mode; sync configured (sync.conf names a provider)
 *             and its last good sync older than --sync-age, or never;
 *             the last sync failed, or the guard refused it; a lockout
 *             in progress: a source the lock refuses (the denied table)
 *             that the list sync would load now admits
 *   UNKNOWN   a usage error, or what the check needs cannot be read
 *             (sync.conf or the state files unreadable, a netlink error)
 *
 * It asks no DNS: "the list sync would load now" is the provider's
 * ranges as the last sync fetched them (sync.fetched, else sync.list)
 * with the local entries (allow.conf or sync.conf's extra files). A
 * change the guard refused is in sync.fetched only, which is what
 * reveals a relay the provider moved while the old one still sends.
 *
 * Perfdata: each number of /proc/net/mxlock/stats (counters with UOM c,
 * gauges without), the denied table's size and, when sync is
 * configured and has succeeded, the last good sync's age in seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/mxlock.h>

#include "mxlockctl.h"
#include "preview.h"
#include "sync.h"

#define ST_OK		0
#define ST_WARNING	1
#define ST_CRITICAL	2
#define ST_UNKNOWN	3

#define DEFAULT_SYNC_AGE	(2 * 24 * 3600)	/* seconds: two days */
#define MAX_PROBLEMS		16
#define MAX_LOCKOUTS		4		/* named; the rest counted */

static const char *const status_names[] = {
	"OK", "WARNING", "CRITICAL", "UNKNOWN"
};

struct problem {
	int status;
	const char *what;		/* module, armed, list, mode, sync, lockout, ... */
	char text[320];
};

struct check {
	int status;
	struct problem p[MAX_PROBLEMS];
	unsigned int n;

	bool have_state;
	struct state st;
	bool have_denied;
	size_t denied;

	bool sync_checked;		/* sync.conf was read */
	bool sync_configured;
	bool sync_ok_known;		/* sync.list exists */
	time_t sync_ok;			/* its modification time */
	long long sync_age;		/* seconds, when known */
	char sync_result[16];		/* from sync.result, "" if none */
	long long sync_time;
	char sync_why[256];

	unsigned long warn_age, crit_age;	/* 0: off */
};

/*
 * Which of two outcomes wins, as the monitoring plugins' max_state()
 * has it: CRITICAL, then WARNING, then UNKNOWN, then OK. A problem seen
 * is reported even when something else could not be read.
 */
static int rank(int status)
{
	static const int r[] = { 0, 2, 3, 1 };

	return r[status];
}

static void add(struct check *c, int status, const char *what,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add(struct check *c, int status, const char *what,
		const char *fmt, ...)
{
	struct problem *p;
	va_list ap;

	if (rank(status) > rank(c->status))
		c->status = status;
	if (c->n == MAX_PROBLEMS)
		return;
	p = &c->p[c->n++];
	p->status = status;
	p->what = what;
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
}

/* ---- perfdata ---- */

static const struct {
	const char *key;		/* as in /proc/net/mxlock/stats */
	int attr;
	bool counter;
} counters[] = {
	{ "syn_seen", MXLOCK_STATS_A_SYN_SEEN, true },
	{ "syn_allowed", MXLOCK_STATS_A_SYN_ALLOWED, true },
	{ "syn_dropped", MXLOCK_STATS_A_SYN_DROPPED, true },
	{ "syn_monitored", MXLOCK_STATS_A_SYN_MONITORED, true },
	{ "syn_unarmed", MXLOCK_STATS_A_SYN_UNARMED, true },
	{ "ack_dropped", MXLOCK_STATS_A_ACK_DROPPED, true },
	{ "ack_monitored", MXLOCK_STATS_A_ACK_MONITORED, true },
	{ "budget_used", MXLOCK_STATS_A_BUDGET_USED, false },
	{ "budget_limit", MXLOCK_STATS_A_BUDGET_LIMIT, false },
	{ "rst_limited", MXLOCK_STATS_A_RST_LIMITED, true },
};

#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

/* 'label'=value[UOM];warn;crit;min[;max] */
static void perf(bool *first, const char *label, uint64_t v, const char *uom,
		 const char *warn, const char *crit, const char *max)
{
	printf("%s'%s'=%" PRIu64 "%s;%s;%s;0%s%s", *first ? " | " : " ",
	       label, v, uom, warn, crit, *max ? ";" : "", max);
	*first = false;
}

static void print_perfdata(const struct check *c)
{
	bool first = true;

	if (c->have_state) {
		const struct state *st = &c->st;
		char max[32];
		size_t i;

		perf(&first, "armed", st->u8[MXLOCK_A_ARMED], "", "", "", "1");
		perf(&first, "ranges", st->ranges, "", "", "", "");
		perf(&first, "generation", st->generation, "c", "", "", "");
		for (i = 0; i < NCOUNTERS; i++) {
			if (!(st->have_stats & HAVE(counters[i].attr)))
				continue;
			max[0] = 0;
			if (counters[i].attr == MXLOCK_STATS_A_BUDGET_USED &&
			    (st->have_stats & HAVE(MXLOCK_STATS_A_BUDGET_LIMIT)))
				snprintf(max, sizeof(max), "%" PRIu64,
					 st->stats[MXLOCK_STATS_A_BUDGET_LIMIT]);
			perf(&first, counters[i].key, st->stats[counters[i].attr],
			     counters[i].counter ? "c" : "", "", "", max);
		}
	}
	if (c->have_denied)
		perf(&first, "denied", c->denied, "", "", "", "");
	if (c->sync_configured && c->sync_ok_known) {
		char w[32] = "", k[32] = "";

		if (c->warn_age)
			snprintf(w, sizeof(w), "%lu", c->warn_age);
		if (c->crit_age)
			snprintf(k, sizeof(k), "%lu", c->crit_age);
		perf(&first, "sync_age", c->sync_age, "s", w, k, "");
	}
}

/* ---- output ---- */

static void summary(const struct check *c, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;
	int s;

	buf[0] = 0;
	/* The worst first, each problem once. */
	for (s = 3; s > 0; s--) {
		for (i = 0; i < c->n; i++) {
			if (rank(c->p[i].status) != s)
				continue;
			len += snprintf(buf + len, len < size ? size - len : 0,
					"%s%s", len ? "; " : "", c->p[i].text);
		}
	}
	if (!c->n && c->have_state) {
		const struct state *st = &c->st;

		len += snprintf(buf + len, len < size ? size - len : 0,
				"armed, %s, %s, %" PRIu32 " range%s",
				choice_name(&mode_choice, st->u8[MXLOCK_A_MODE]),
				choice_name(&action_choice, st->u8[MXLOCK_A_ACTION]),
				st->ranges, st->ranges == 1 ? "" : "s");
		if (c->sync_configured && c->sync_ok_known)
			snprintf(buf + len, len < size ? size - len : 0,
				 ", last sync %llds ago", c->sync_age);
	}
}

static int report(const struct check *c)
{
	char text[2048];
	unsigned int i;
	size_t k;

	summary(c, text, sizeof(text));
	if (!json) {
		printf("MXLOCK %s - %s", status_names[c->status], text);
		print_perfdata(c);
		printf("\n");
		return c->status;
	}
	mx_json_obj_open(&jw);
	mx_json_kstr(&jw, "status", status_names[c->status]);
	mx_json_ku64(&jw, "exit", c->status);
	mx_json_kstr(&jw, "summary", text);
	mx_json_key(&jw, "problems");
	mx_json_arr_open(&jw);
	for (i = 0; i < c->n; i++) {
		mx_json_obj_open(&jw);
		mx_json_kstr(&jw, "status", status_names[c->p[i].status]);
		mx_json_kstr(&jw, "check", c->p[i].what);
		mx_json_kstr(&jw, "text", c->p[i].text);
		mx_json_obj_close(&jw);
	}
	mx_json_arr_close(&jw);
	if (c->have_state) {
		const struct state *st = &c->st;

		mx_json_kbool(&jw, "armed", st->u8[MXLOCK_A_ARMED]);
		mx_json_kstr(&jw, "mode",
			     choice_name(&mode_choice, st->u8[MXLOCK_A_MODE]));
		mx_json_kstr(&jw, "action",
			     choice_name(&action_choice, st->u8[MXLOCK_A_ACTION]));
		mx_json_ku64(&jw, "ranges", st->ranges);
		mx_json_ku64(&jw, "generation", st->generation);
		mx_json_key(&jw, "counters");
		mx_json_obj_open(&jw);
		for (k = 0; k < NCOUNTERS; k++)
			if (st->have_stats & HAVE(counters[k].attr))
				mx_json_ku64(&jw, counters[k].key,
					     st->stats[counters[k].attr]);
		mx_json_obj_close(&jw);
	}
	if (c->have_denied)
		mx_json_ku64(&jw, "denied", c->denied);
	if (!c->sync_checked)
		goto close;
	mx_json_key(&jw, "sync");
	mx_json_obj_open(&jw);
	mx_json_kbool(&jw, "configured", c->sync_configured);
	if (c->sync_configured && c->sync_ok_known) {
		mx_json_ku64(&jw, "last_ok", (uint64_t)c->sync_ok);
		mx_json_ku64(&jw, "age", (uint64_t)c->sync_age);
	}
	if (c->sync_configured && c->sync_result[0]) {
		mx_json_kstr(&jw, "result", c->sync_result);
		mx_json_ku64(&jw, "time", (uint64_t)c->sync_time);
		if (c->sync_why[0])
			mx_json_kstr(&jw, "why", c->sync_why);
	}
	mx_json_obj_close(&jw);
close:
	mx_json_obj_close(&jw);
	mx_json_end(&jw);
	return c->status;
}

/* ---- the module ---- */

static int state_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), state_attr_cb,
			      data);
}

/*
 * GET_STATE, quietly: the check's own line says what went wrong. 0 the
 * state is in c, 1 the module is not loaded, -1 another failure (added).
 */
static int read_state(struct check *c)
{
	static const unsigned int need = HAVE(MXLOCK_A_MODE) |
		HAVE(MXLOCK_A_ACTION) | HAVE(MXLOCK_A_ARMED) |
		HAVE(MXLOCK_A_RANGES) | HAVE(MXLOCK_A_STATS);
	struct mx_genl g;
	int err;

	memset(&c->st, 0, sizeof(c->st));
	err = mx_genl_open(&g);
	if (err) {
		add(c, ST_UNKNOWN, "netlink",
		    "cannot open a generic netlink socket: %s", strerror(-err));
		return -1;
	}
	err = mx_genl_resolve(&g, MXLOCK_GENL_NAME, NULL);
	if (!err)
		err = mx_genl_doit(&g, mx_genl_msg(&g, MXLOCK_CMD_GET_STATE),
				   state_cb, &c->st);
	if (err == -ENOENT && !g.family) {
		mx_genl_close(&g);
		add(c, ST_CRITICAL, "module",
		    "the mxlock module is not loaded (no generic netlink family '%s'): no lock, every sender gets in",
		    MXLOCK_GENL_NAME);
		return 1;
	}
	if (err) {
		add(c, ST_UNKNOWN, "netlink", "reading the state: %s%s%s",
		    strerror(-err), g.msg[0] ? ": " : "", g.msg);
		mx_genl_close(&g);
		return -1;
	}
	mx_genl_close(&g);
	if ((c->st.have & need) != need) {
		add(c, ST_UNKNOWN, "netlink",
		    "the kernel's reply lacks attributes (module of another version?)");
		return -1;
	}
	c->have_state = true;
	return 0;
}

/* ---- sync ---- */

/* sync.result: "time N", "result WORD", "why TEXT". 0, 1 none, -1. */
static int read_result(struct check *c, const char *dir)
{
	char path[4096], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, SYNC_RESULT);
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		add(c, ST_UNKNOWN, "sync", "cannot read '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "time ", 5))
			c->sync_time = strtoll(line + 5, NULL, 10);
		else if (!strncmp(line, "result ", 7))
			snprintf(c->sync_result, sizeof(c->sync_result),
				 "%.15s", line + 7);
		else if (!strncmp(line, "why ", 4))
			snprintf(c->sync_why, sizeof(c->sync_why), "%.255s",
				 line + 4);
	}
	fclose(f);
	return 0;
}

static void age_text(long long s, char *buf, size_t size)
{
	if (s >= 2 * 86400)
		snprintf(buf, size, "%lld days", s / 86400);
	else if (s >= 2 * 3600)
		snprintf(buf, size, "%lld hours", s / 3600);
	else if (s >= 120)
		snprintf(buf, size, "%lld minutes", s / 60);
	else
		snprintf(buf, size, "%lld seconds", s);
}

/*
 * The ranges sync would load now, as the last sync fetched them: the
 * provider's (sync.fetched, else sync.list) and the local entries.
 * 0, 1 nothing fetched yet, -1 (added).
 */
static int would_load(const struct cmd *cmd, struct check *c,
		      const struct sync_conf *conf, struct mx_ival_list *out)
{
	static const char *const files[] = { SYNC_FETCHED, SYNC_LIST };
	struct mx_entry_list l = { 0 };
	char path[4096];
	int ret = -1, bad = -1;
	size_t i;

	for (i = 0; i < 2; i++) {
		struct stat sb;

		snprintf(path, sizeof(path), "%s/%s", conf->state_dir, files[i]);
		if (!stat(path, &sb) || errno != ENOENT)
			break;
	}
	if (i == 2) {
		ret = 1;
		goto out;
	}
	/* read_file reports a bad line itself; check says it once more. */
	bad = read_file(cmd, path, &l, false);
	if (bad) {
		add(c, ST_UNKNOWN, "sync", "cannot read '%s'%s", path,
		    bad > 0 ? ": bad entries" : "");
		goto out;
	}
	if (sync_read_extras(cmd, conf, &l)) {
		add(c, ST_UNKNOWN, "sync", "cannot read sync's local entries");
		goto out;
	}
	if (mx_ival_from_entries(&l, out)) {
		add(c, ST_UNKNOWN, "sync", "%s", strerror(ENOMEM));
		goto out;
	}
	ret = 0;
out:
	mx_entry_list_free(&l);
	return ret;
}

/* Refused sources that the list sync would load admits: a lockout. */
static void lockouts(const struct cmd *cmd, struct check *c,
		     const struct sync_conf *conf,
		     const struct source_list *denied)
{
	struct mx_ival_list live = { 0 }, next = { 0 };
	char names[MAX_LOCKOUTS * (INET6_ADDRSTRLEN + 2)] = "";
	size_t i, n = 0, len = 0;

	if (would_load(cmd, c, conf, &next))
		goto out;
	if (read_list(cmd, &live)) {
		add(c, ST_UNKNOWN, "netlink", "cannot read the list");
		goto out;
	}
	for (i = 0; i < denied->n; i++) {
		const struct source *s = &denied->v[i];

		/* Refused then, admitted now: that lockout is over. */
		if (mx_ival_has_addr(&live, s->family, s->addr) ||
		    !mx_ival_has_addr(&next, s->family, s->addr))
			continue;
		if (n++ < MAX_LOCKOUTS) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(s->family, s->addr, a, sizeof(a));
			len += snprintf(names + len, sizeof(names) - len,
					"%s%s", len ? ", " : "", a);
		}
	}
	if (n)
		add(c, ST_WARNING, "lockout",
		    "lockout: %zu refused source%s the provider's record admits (%s%s); run mxlockctl sync --dry-run",
		    n, n == 1 ? "" : "s", names, n > MAX_LOCKOUTS ? ", ..." : "");
out:
	mx_ival_free(&live);
	mx_ival_free(&next);
}

static void check_sync(const struct cmd *cmd, struct check *c,
		       const char *conf_path, bool dflt,
		       const struct source_list *denied)
{
	struct sync_conf conf = { 0 };
	char path[4096], age[32];
	struct stat sb;

	if (sync_conf_read(cmd, conf_path, dflt, &conf)) {
		add(c, ST_UNKNOWN, "sync", "cannot read '%s'%s%s", conf_path,
		    errno ? ": " : " (bad lines)", errno ? strerror(errno) : "");
		goto out;
	}
	c->sync_checked = true;
	c->sync_configured = conf.providers.n > 0;
	if (!c->sync_configured)
		goto out;

	snprintf(path, sizeof(path), "%s/%s", conf.state_dir, SYNC_LIST);
	if (!stat(path, &sb)) {
		time_t now = time(NULL);

		c->sync_ok_known = true;
		c->sync_ok = sb.st_mtime;
		c->sync_age = now > sb.st_mtime ? (long long)(now - sb.st_mtime) : 0;
	} else if (errno != ENOENT) {
		add(c, ST_UNKNOWN, "sync", "cannot read '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	if (read_result(c, conf.state_dir) < 0)
		goto out;

	if (!c->sync_ok_known) {
		add(c, ST_WARNING, "sync",
		    "sync is configured but has not succeeded yet (no %s)", path);
	} else {
		age_text(c->sync_age, age, sizeof(age));
		if (c->crit_age && (unsigned long long)c->sync_age >= c->crit_age)
			add(c, ST_CRITICAL, "sync",
			    "last good sync %s ago (critical at %lus)", age,
			    c->crit_age);
		else if (c->warn_age &&
			 (unsigned long long)c->sync_age >= c->warn_age)
			add(c, ST_WARNING, "sync",
			    "last good sync %s ago (warning at %lus)", age,
			    c->warn_age);
	}
	if (!strcmp(c->sync_result, "failed"))
		add(c, ST_WARNING, "sync", "last sync failed: %s",
		    c->sync_why[0] ? c->sync_why : "no reason recorded");
	else if (!strcmp(c->sync_result, "refused"))
		add(c, ST_WARNING, "guard", "last sync refused by the guard: %s",
		    c->sync_why[0] ? c->sync_why : "no reason recorded");
	if (denied)
		lockouts(cmd, c, &conf, denied);
out:
	sync_conf_free(&conf);
}

/* ---- the command ---- */

static int seconds(const char *v, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(v, &end, 10);
	return end == v || *end || errno || v[0] == '-' ? -1 : 0;
}

static int unknown_usage(const struct cmd *cmd, struct check *c,
			 const char *fmt, const char *arg)
{
	add(c, ST_UNKNOWN, "usage", fmt, arg);
	report(c);
	cmd_usage(stderr, cmd);
	return ST_UNKNOWN;
}

int cmd_check(const struct cmd *cmd, int argc, char **argv)
{
	struct check c = { .warn_age = DEFAULT_SYNC_AGE };
	struct source_list denied = { 0 };
	const char *conf = SYNC_CONF;
	bool dflt = true, have_list = false;
	int i, ret;

	for (i = 0; i < argc; i++) {
		unsigned long *t = NULL;

		if (!strcmp(argv[i], "--sync-age"))
			t = &c.warn_age;
		else if (!strcmp(argv[i], "--sync-age-critical"))
			t = &c.crit_age;
		if (t || !strcmp(argv[i], "-c")) {
			if (i + 1 == argc)
				return unknown_usage(cmd, &c,
						     "usage: %s needs a value",
						     argv[i]);
			if (!t) {
				conf = argv[++i];
				dflt = false;
			} else if (seconds(argv[++i], t)) {
				return unknown_usage(cmd, &c,
						     "usage: '%s' is not a number of seconds",
						     argv[i]);
			}
			continue;
		}
		return unknown_usage(cmd, &c, "usage: unknown argument '%s'",
				     argv[i]);
	}

	ret = read_state(&c);
	if (ret)
		return report(&c);
	if (!c.st.u8[MXLOCK_A_ARMED])
		add(&c, ST_CRITICAL, "armed",
		    "unarmed: no list loaded, every sender gets in");
	else if (!c.st.ranges)
		add(&c, ST_CRITICAL, "list", "the list is empty");
	if (c.st.u8[MXLOCK_A_MODE] == MXLOCK_MODE_MONITOR)
		add(&c, ST_WARNING, "mode",
		    "monitor mode: outsiders are counted, not refused");

	/* Reads need no privilege; a dump error is reported, not fatal. */
	if (read_denied(cmd, &denied))
		add(&c, ST_UNKNOWN, "netlink", "cannot read the denied table");
	else
		c.have_denied = have_list = true;
	c.denied = denied.n;
	check_sync(cmd, &c, conf, dflt, have_list ? &denied : NULL);
	free(denied.v);
	return report(&c);
}
