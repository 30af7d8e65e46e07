/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mxlockctl.h: what mxlockctl's command files share. mxlockctl.c is the
 * dispatcher (options, the command table, help); each command lives in
 * the file named after what it does: set.c (replace, add, del, flush),
 * config.c (mode, action, log, ports), show.c (stats, list, test),
 * denied.c, monitor.c, sync.c (with spf.c and preview.c), check.c (the
 * monitoring plugin), load.c; cmd.c and state.c hold what they share.
 */
#ifndef MXLOCKCTL_H
#define MXLOCKCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/mxlock.h>

#include "entry.h"
#include "genl.h"
#include "ival.h"
#include "json.h"

#define EXIT_OK		0
#define EXIT_OUTSIDE	1	/* test: the address is not in the list */
#define EXIT_ERR	2

struct cmd {
	const char *name;
	int (*run)(const struct cmd *cmd, int argc, char **argv);
	const char *args;
	const char *help;
	bool json;		/* has JSON output */
};

/* -j: JSON on stdout, written through jw (mxlockctl.c). */
extern bool json;
extern struct mx_json jw;

/* cmd.c */
void cmd_usage(FILE *f, const struct cmd *cmd);
int usage_error(const struct cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int fail_request(const struct cmd *cmd, const struct mx_genl *g, int err);
int open_genl_grp(const struct cmd *cmd, struct mx_genl *g,
		  const char *mcgrp);
int open_genl(const struct cmd *cmd, struct mx_genl *g);
const char *family_name(int family);
int simple(const struct cmd *cmd, uint8_t nlcmd);
int dump(const struct cmd *cmd, uint8_t nlcmd, mnl_cb_t cb,
	 void (*reset)(void *data), void *data);
int each_item(const struct nlmsghdr *nlh, uint16_t outer, uint16_t inner,
	      int (*fn)(const struct nlattr *, void *), void *data);

/* state.c */
#define HAVE(a)		(1U << (a))

/* One side of an event's change to the list: added or removed. */
struct delta {
	uint32_t count;			/* intervals */
	unsigned int n;			/* of them in v: all, when few */
	struct mx_ival v[MXLOCK_EVENT_ENTRIES];
};

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
	struct delta added;		/* events of list changes only */
	struct delta removed;
};

/* A u8 setting and the names of its values, as stats prints them. */
struct choice {
	uint16_t attr;			/* MXLOCK_A_* */
	const char *what;		/* for "unknown WHAT 'x'" */
	const char *names[2];		/* by value */
	const char *want;		/* the names, as usage gives them */
};

extern const struct choice mode_choice, action_choice, log_choice;

/* An interval of a dump or an event (ival.h), with its hits if any. */
int parse_interval(const struct nlattr *nest, struct mx_ival *iv);
int state_attr_cb(const struct nlattr *attr, void *data);
int get_state(const struct cmd *cmd, struct state *st, unsigned int need);
const char *choice_name(const struct choice *c, uint8_t v);
void json_ports(const struct state *st);

/* show.c, denied.c: what the kernel holds, read into memory. */

struct source {
	int family;
	unsigned char addr[16];
	uint64_t count;
	uint64_t first;			/* Unix seconds */
	uint64_t last;
};

struct source_list {
	struct source *v;
	size_t n;
	size_t cap;
};

int read_list(const struct cmd *cmd, struct mx_ival_list *l);
int read_denied(const struct cmd *cmd, struct source_list *l);
void format_time(uint64_t t, char *buf, size_t size);

/* set.c: load l as the whole list (sorts it). EXIT_OK or EXIT_ERR. */
struct mx_entry_list;
int load_list(const struct cmd *cmd, struct mx_entry_list *l);

/*
 * set.c: append a file of entries ("-": standard input) to l, each bad
 * line reported. The number of bad lines, or -1 (reported) if it cannot
 * be read; optional: a missing file is read as empty (-F).
 */
int read_file(const struct cmd *cmd, const char *name,
	      struct mx_entry_list *l, bool optional);

/* preview.c: replace --dry-run. */
int preview_replace(const struct cmd *cmd, struct mx_entry_list *l);

/* The commands, by file. */
int cmd_replace(const struct cmd *cmd, int argc, char **argv);
int cmd_add(const struct cmd *cmd, int argc, char **argv);
int cmd_del(const struct cmd *cmd, int argc, char **argv);
int cmd_flush(const struct cmd *cmd, int argc, char **argv);
int cmd_mode(const struct cmd *cmd, int argc, char **argv);
int cmd_action(const struct cmd *cmd, int argc, char **argv);
int cmd_log(const struct cmd *cmd, int argc, char **argv);
int cmd_ports(const struct cmd *cmd, int argc, char **argv);
int cmd_stats(const struct cmd *cmd, int argc, char **argv);
int cmd_list(const struct cmd *cmd, int argc, char **argv);
int cmd_test(const struct cmd *cmd, int argc, char **argv);
int cmd_denied(const struct cmd *cmd, int argc, char **argv);
int cmd_monitor(const struct cmd *cmd, int argc, char **argv);

/* load.c */
int cmd_load(const struct cmd *cmd, int argc, char **argv);
int cmd_sync(const struct cmd *cmd, int argc, char **argv);
int cmd_check(const struct cmd *cmd, int argc, char **argv);

#endif
