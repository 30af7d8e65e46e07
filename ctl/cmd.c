// SPDX-License-Identifier: GPL-2.0
/*
 * cmd.c: what every mxlockctl command shares: usage and error
 * messages, the generic netlink socket, requests without attributes
 * and the items of a dump.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/mxlock.h>

#include "mxlockctl.h"

void cmd_usage(FILE *f, const struct cmd *cmd)
{
	fprintf(f, "usage: mxlockctl %s%s%s%s\n", cmd->json ? "[-j] " : "",
		cmd->name, *cmd->args ? " " : "", cmd->args);
}

int usage_error(const struct cmd *cmd, const char *fmt, ...)
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
int fail_request(const struct cmd *cmd, const struct mx_genl *g,
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
int open_genl_grp(const struct cmd *cmd, struct mx_genl *g,
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
		fprintf(stderr,
			"mxlockctl: the mxlock module is not loaded (generic netlink family '%s' not found): load it with 'modprobe mxlock' (installed) or 'insmod kmod/mxlock.ko' (built here)\n",
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

int open_genl(const struct cmd *cmd, struct mx_genl *g)
{
	return open_genl_grp(cmd, g, NULL);
}

const char *family_name(int family)
{
	return family == AF_INET6 ? "inet6" : "inet";
}

/* A request without attributes, acked; no reply wanted. */
int simple(const struct cmd *cmd, uint8_t nlcmd)
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

/*
 * A dump without attributes, each message to cb (reset before a dump the
 * kernel flagged interrupted is run again): list and denied collect
 * first and print after, so what they print is one consistent dump.
 */
int dump(const struct cmd *cmd, uint8_t nlcmd, mnl_cb_t cb,
	 void (*reset)(void *data), void *data)
{
	struct mx_genl g;
	int err;

	if (open_genl(cmd, &g))
		return EXIT_ERR;
	err = mx_genl_dump(&g, nlcmd, cb, reset, data);
	if (err)
		fail_request(cmd, &g, err);
	mx_genl_close(&g);
	return err ? EXIT_ERR : EXIT_OK;
}

/*
 * A dump message's items: fn on each nest of type inner inside the
 * message's attribute of type outer (MXLOCK_A_ENTRIES, MXLOCK_A_DENIED).
 */
int each_item(const struct nlmsghdr *nlh, uint16_t outer,
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
