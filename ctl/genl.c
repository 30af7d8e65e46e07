// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing: see genl.h.
 */
#define _GNU_SOURCE		/* ppoll() */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/mxlock.h>

#include "genl.h"

/*
 * Requests: an MXLOCK_A_ENTRIES nest is at most 64 KiB (nla_len is 16
 * bits), so 128 KiB holds any request with room to spare. Replies: dump
 * messages are at most 32 KiB; an error ack echoes the request unless
 * NETLINK_CAP_ACK took, so use the same size again.
 */
#define SBUF_SIZE	(128 * 1024)
#define RBUF_SIZE	(128 * 1024)

/* State of one request while its replies come in. */
struct rx {
	struct mx_genl *g;
	uint32_t seq;
	uint16_t type;		/* data messages we want */
	mnl_cb_t cb;
	void *data;
	bool done;		/* ack or NLMSG_DONE seen */
	bool intr;		/* a dump message had NLM_F_DUMP_INTR */
	int err;		/* from the ack or NLMSG_DONE */
};

int mx_genl_open(struct mx_genl *g)
{
	int one = 1, err;

	memset(g, 0, sizeof(*g));
	g->sbuflen = SBUF_SIZE;
	g->rbuflen = RBUF_SIZE;
	/* Zeroed: libmnl leaves attribute padding as it finds it. */
	g->sbuf = calloc(1, g->sbuflen);
	g->rbuf = malloc(g->rbuflen);
	if (!g->sbuf || !g->rbuf) {
		err = -ENOMEM;
		goto free_bufs;
	}

	g->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!g->sock) {
		err = -errno;
		goto free_bufs;
	}
	/*
	 * Best effort: without extended acks errors just lose their text,
	 * and without capped acks they echo the request (rbuf has room).
	 */
	mnl_socket_setsockopt(g->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(g->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(g->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto close_sock;
	}
	g->portid = mnl_socket_get_portid(g->sock);
	g->seq = time(NULL);
	return 0;

close_sock:
	mnl_socket_close(g->sock);
	g->sock = NULL;
free_bufs:
	free(g->sbuf);
	free(g->rbuf);
	g->sbuf = g->rbuf = NULL;
	return err;
}

void mx_genl_close(struct mx_genl *g)
{
	if (g->sock)
		mnl_socket_close(g->sock);
	free(g->sbuf);
	free(g->rbuf);
	memset(g, 0, sizeof(*g));
}

static struct nlmsghdr *put_header(struct mx_genl *g, uint16_t type,
				   uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(g->sbuf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *mx_genl_msg(struct mx_genl *g, uint8_t cmd)
{
	return put_header(g, g->family, cmd, MXLOCK_GENL_VERSION);
}

/* Pick NLMSGERR_ATTR_* out of the TLVs at payload offset off. */
static void parse_extack(struct mx_genl *g, const struct nlmsghdr *nlh,
			 size_t off)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    off > nlh->nlmsg_len - MNL_NLMSG_HDRLEN)
		return;
	mnl_attr_for_each(attr, nlh, off) {
		switch (mnl_attr_get_type(attr)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				break;
			snprintf(g->msg, sizeof(g->msg), "%s",
				 mnl_attr_get_str(attr));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				break;
			g->off = mnl_attr_get_u32(attr);
			g->has_off = true;
			break;
		}
	}
}

static int rx_error(struct rx *rx, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return -EBADMSG;
	/* The TLVs follow the echoed request, unless it was capped. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(struct nlmsghdr))
			return -EBADMSG;
		off += MNL_ALIGN(e->msg.nlmsg_len) - sizeof(struct nlmsghdr);
	}
	parse_extack(rx->g, nlh, off);

	rx->done = true;
	rx->err = e->error > 0 ? -e->error : e->error;
	if (rx->err) {
		rx->g->kernel_err = true;
	} else if (rx->g->msg[0]) {
		/* A success can carry a warning. */
		fprintf(stderr, "mxlockctl: warning: %s\n", rx->g->msg);
		rx->g->msg[0] = '\0';
	}
	return 0;
}

static int rx_done(struct rx *rx, const struct nlmsghdr *nlh)
{
	int err = 0;

	/* A dump's error, if any, rides in NLMSG_DONE, extack after it. */
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		parse_extack(rx->g, nlh, sizeof(err));
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		rx->intr = true;
	rx->done = true;
	rx->err = err > 0 ? -err : err;
	if (rx->err)
		rx->g->kernel_err = true;
	return 0;
}

static int rx_one(struct rx *rx, const struct nlmsghdr *nlh)
{
	if (!mnl_nlmsg_portid_ok(nlh, rx->g->portid) ||
	    !mnl_nlmsg_seq_ok(nlh, rx->seq))
		return -EPROTO;

	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		return rx_error(rx, nlh);
	case NLMSG_DONE:
		return rx_done(rx, nlh);
	}
	if (nlh->nlmsg_type != rx->type)
		return 0;		/* NLMSG_NOOP, OVERRUN, strays */

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		rx->intr = true;
	/* An interrupted dump is done again: don't feed cb the rest. */
	if (rx->intr || !rx->cb)
		return 0;
	if (rx->cb(nlh, rx->data) < MNL_CB_STOP)
		return errno ? -errno : -EBADMSG;
	return 0;
}

/* Send nlh and handle the replies until its ack or NLMSG_DONE. */
static int talk(struct mx_genl *g, struct nlmsghdr *nlh, uint16_t type,
		mnl_cb_t cb, void *data, bool *intr)
{
	struct rx rx = { .g = g, .type = type, .cb = cb, .data = data };
	const struct nlmsghdr *r;
	int len, err;

	g->kernel_err = false;
	g->msg[0] = '\0';
	g->has_off = false;

	/* Zero would switch off the sequence check of the replies. */
	if (!++g->seq)
		++g->seq;
	nlh->nlmsg_seq = rx.seq = g->seq;
	if (mnl_socket_sendto(g->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	while (!rx.done) {
		ssize_t n = mnl_socket_recvfrom(g->sock, g->rbuf, g->rbuflen);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = n;
		for (r = (const void *)g->rbuf; mnl_nlmsg_ok(r, len);
		     r = mnl_nlmsg_next(r, &len)) {
			errno = 0;
			err = rx_one(&rx, r);
			if (err)
				return err;
			if (rx.done)
				break;
		}
		if (!rx.done && len)
			return -EBADMSG;	/* a truncated message */
	}
	if (intr)
		*intr = rx.intr;
	return rx.err;
}

/* What CTRL_CMD_GETFAMILY's reply is read into. */
struct ctrl {
	struct mx_genl *g;
	const char *mcgrp;	/* group wanted, or NULL */
};

/* One CTRL_ATTR_MCAST_GROUPS entry: name and id; keep the id if wanted. */
static int ctrl_mcgrp(const struct nlattr *nest, struct ctrl *c)
{
	const struct nlattr *attr, *name = NULL, *id = NULL;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_MCAST_GRP_NAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				return -1;
			name = attr;
			break;
		case CTRL_ATTR_MCAST_GRP_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -1;
			id = attr;
			break;
		}
	}
	if (name && id && !strcmp(mnl_attr_get_str(name), c->mcgrp))
		c->g->mcgrp = mnl_attr_get_u32(id);
	return 0;
}

static int ctrl_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctrl *c = data;
	const struct nlattr *attr, *grp;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return MNL_CB_ERROR;
			c->g->family = mnl_attr_get_u16(attr);
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return MNL_CB_ERROR;
			c->g->version = mnl_attr_get_u32(attr);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (!c->mcgrp)
				break;
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				return MNL_CB_ERROR;
			mnl_attr_for_each_nested(grp, attr)
				if (ctrl_mcgrp(grp, c))
					return MNL_CB_ERROR;
			break;
		}
	}
	return MNL_CB_OK;
}

int mx_genl_resolve(struct mx_genl *g, const char *name, const char *mcgrp)
{
	struct ctrl c = { .g = g, .mcgrp = mcgrp };
	struct nlmsghdr *nlh;
	int err;

	nlh = put_header(g, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (!mnl_attr_put_strz_check(nlh, g->sbuflen, CTRL_ATTR_FAMILY_NAME,
				     name))
		return -ENAMETOOLONG;
	g->family = 0;
	g->mcgrp = 0;
	err = talk(g, nlh, GENL_ID_CTRL, ctrl_cb, &c, NULL);
	if (err)
		return err;
	return g->family ? 0 : -EPROTO;
}

int mx_genl_doit(struct mx_genl *g, struct nlmsghdr *nlh,
		 mnl_cb_t cb, void *data)
{
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	return talk(g, nlh, g->family, cb, data, NULL);
}

int mx_genl_dump(struct mx_genl *g, uint8_t cmd, mnl_cb_t cb,
		 void (*reset)(void *data), void *data)
{
	bool intr;
	int i;

	for (i = 0; i < MX_GENL_DUMP_TRIES; i++) {
		struct nlmsghdr *nlh;
		int err;

		if (reset)
			reset(data);
		/* No NLM_F_ACK: a dump ends with NLMSG_DONE. */
		nlh = mx_genl_msg(g, cmd);
		nlh->nlmsg_flags |= NLM_F_DUMP;
		err = talk(g, nlh, g->family, cb, data, &intr);
		if (err || !intr)
			return err;
	}
	snprintf(g->msg, sizeof(g->msg),
		 "the dump was interrupted by changes %d times in a row",
		 MX_GENL_DUMP_TRIES);
	return -EAGAIN;
}

int mx_genl_join(struct mx_genl *g, uint32_t grp)
{
	if (mnl_socket_setsockopt(g->sock, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	return 0;
}

/* Is nlh nlctrl's news that our family is gone? */
static bool family_deleted(const struct mx_genl *g, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl) ||
	    genl->cmd != CTRL_CMD_DELFAMILY)
		return false;
	mnl_attr_for_each(attr, nlh, sizeof(*genl))
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    !mnl_attr_validate(attr, MNL_TYPE_U16))
			return mnl_attr_get_u16(attr) == g->family;
	return false;
}

int mx_genl_listen(struct mx_genl *g, const sigset_t *sigmask,
		   mnl_cb_t cb, void *data)
{
	struct pollfd pfd = {
		.fd = mnl_socket_get_fd(g->sock),
		.events = POLLIN,
	};
	const struct nlmsghdr *r;
	struct sockaddr_nl sa;
	socklen_t salen;
	int len, ret;

	for (;;) {
		ssize_t n;

		if (ppoll(&pfd, 1, NULL, sigmask) < 0)
			return -errno;
		salen = sizeof(sa);
		n = recvfrom(pfd.fd, g->rbuf, g->rbuflen, MSG_DONTWAIT,
			     (struct sockaddr *)&sa, &salen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		/* Only the kernel multicasts; a process could unicast to us. */
		if (salen != sizeof(sa) || sa.nl_pid != 0)
			continue;
		len = n;
		for (r = (const void *)g->rbuf; mnl_nlmsg_ok(r, len);
		     r = mnl_nlmsg_next(r, &len)) {
			/* Unloaded, the module's group just falls silent. */
			if (r->nlmsg_type == GENL_ID_CTRL &&
			    family_deleted(g, r))
				return -ENODEV;
			if (r->nlmsg_type != g->family)
				continue;
			errno = 0;
			ret = cb(r, data);
			if (ret == MNL_CB_STOP)
				return 0;
			if (ret < MNL_CB_STOP)
				return errno ? -errno : -EBADMSG;
		}
	}
}
