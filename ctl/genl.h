/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink plumbing on libmnl, after ethtool's netlink/ directory:
 * one socket, the family id resolved once, requests acked with extended
 * acks, dumps retried when a concurrent change interrupts them.
 *
 * Functions return 0 or a negative errno. When a request fails, the
 * extended ack of the kernel (if any) is left in struct mx_genl.
 */
#ifndef MXLOCKCTL_GENL_H
#define MXLOCKCTL_GENL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#define MX_GENL_MSG_MAX		256	/* extack text kept */
#define MX_GENL_DUMP_TRIES	5	/* interrupted dumps, then give up */

struct mx_genl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;		/* resolved id, 0 until then */
	uint32_t version;		/* the kernel family's version */
	uint32_t mcgrp;			/* id of the group asked for, or 0 */
	char *sbuf;			/* request being built */
	size_t sbuflen;
	char *rbuf;			/* replies */
	size_t rbuflen;

	/* About the last request that failed. */
	bool kernel_err;		/* the kernel refused it */
	char msg[MX_GENL_MSG_MAX];	/* extack text, "" if none */
	bool has_off;
	uint32_t off;			/* extack: bad attribute offset */
};

/* Open and bind the socket, turn on extended and capped acks. */
int mx_genl_open(struct mx_genl *g);

/*
 * Look the family up (CTRL_CMD_GETFAMILY); -ENOENT if not registered.
 * If mcgrp is not NULL, the id of the family's multicast group of that
 * name goes to g->mcgrp (0 if the family has no such group).
 */
int mx_genl_resolve(struct mx_genl *g, const char *name, const char *mcgrp);

void mx_genl_close(struct mx_genl *g);

/*
 * Start a request for cmd of the resolved family in g->sbuf (g->sbuflen
 * bytes: use the mnl_attr_*_check() helpers with it).
 */
struct nlmsghdr *mx_genl_msg(struct mx_genl *g, uint8_t cmd);

/*
 * Send a request built by mx_genl_msg() and wait for its ack; cb (may be
 * NULL) runs for each reply message of the family before the ack.
 */
int mx_genl_doit(struct mx_genl *g, struct nlmsghdr *nlh,
		 mnl_cb_t cb, void *data);

/*
 * Dump cmd: cb runs for each message. If the kernel flags the dump as
 * interrupted (NLM_F_DUMP_INTR) it is run again, reset(data) first, up to
 * MX_GENL_DUMP_TRIES times; then -EAGAIN.
 */
int mx_genl_dump(struct mx_genl *g, uint8_t cmd, mnl_cb_t cb,
		 void (*reset)(void *data), void *data);

/*
 * Subscribe to multicast group grp. A subscribed socket is for listening
 * only: its requests' replies would mix with the group's messages.
 */
int mx_genl_join(struct mx_genl *g, uint32_t grp);

/*
 * Wait for multicast messages of the family and run cb on each until cb
 * returns MNL_CB_STOP (then 0). Waits in ppoll() with sigmask, so a signal
 * blocked otherwise and let in there ends the wait with -EINTR, with no
 * race. -ENOBUFS: the socket's buffer overran and messages were lost;
 * call again to go on. -ENODEV: the family was unregistered (seen if the
 * socket joined GENL_ID_CTRL, nlctrl's "notify" group). Messages not sent
 * by the kernel are ignored.
 */
int mx_genl_listen(struct mx_genl *g, const sigset_t *sigmask,
		   mnl_cb_t cb, void *data);

#endif /* MXLOCKCTL_GENL_H */
