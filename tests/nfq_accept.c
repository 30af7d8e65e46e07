// SPDX-License-Identifier: GPL-2.0
/*
 * nfq_accept: an NFQUEUE verdict program that accepts every packet, for
 * tests/nfqueue.sh. Its verdicts come back into the kernel through
 * nf_reinject(), which runs the hooks after the queue (mxlock's among
 * them) in process context: the context the packet path must also be
 * correct in.
 *
 *   nfq_accept QUEUE
 *
 * Binds QUEUE (copying packet metadata only), prints "ready" once bound,
 * answers NF_ACCEPT to each packet until SIGTERM or SIGINT, then prints
 * "verdicts N". Exit status 0, or 1 on an error (said on stderr).
 */
/* glibc's netinet/in.h first: linux/netfilter.h then skips linux/in.h's. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static volatile sig_atomic_t done;

static void on_signal(int sig)
{
	(void)sig;
	done = 1;
}

static struct nlmsghdr *nfq_msg(char *buf, int type, unsigned int queue)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(queue);
	return nlh;
}

static int send_or_die(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("nfq_accept: sendto");
		exit(1);
	}
	return 0;
}

static int packet_id(const struct nlattr *a, void *data)
{
	const struct nfqnl_msg_packet_hdr *ph;

	if (mnl_attr_get_type(a) != NFQA_PACKET_HDR)
		return MNL_CB_OK;
	if (mnl_attr_validate2(a, MNL_TYPE_UNSPEC, sizeof(*ph)) < 0)
		return MNL_CB_ERROR;
	ph = mnl_attr_get_payload(a);
	*(long long *)data = ntohl(ph->packet_id);
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
	struct nfqnl_msg_config_params params = {
		.copy_range = htonl(0), .copy_mode = NFQNL_COPY_META,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long long verdicts = 0;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned int queue;
	int rcvbuf = 4 << 20;

	if (argc != 2) {
		fprintf(stderr, "usage: nfq_accept QUEUE\n");
		return 1;
	}
	queue = strtoul(argv[1], NULL, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nfq_accept: netlink");
		return 1;
	}
	/* A flood queues faster than we answer: room, and ENOBUFS is no end. */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		   sizeof(rcvbuf));

	nlh = nfq_msg(buf, NFQNL_MSG_CONFIG, queue);
	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	send_or_die(nl, nlh);
	nlh = nfq_msg(buf, NFQNL_MSG_CONFIG, queue);
	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
	/* Deep enough that a test's flood is never dropped at the queue. */
	mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(1 << 16));
	send_or_die(nl, nlh);
	printf("ready\n");
	fflush(stdout);

	while (!done) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		int len;

		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			perror("nfq_accept: recv");
			return 1;
		}
		len = n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			struct nfqnl_msg_verdict_hdr vh;
			long long id = -1;
			char out[256];
			struct nlmsghdr *v;

			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				if (e->error) {
					fprintf(stderr, "nfq_accept: %s\n",
						strerror(-e->error));
					return 1;
				}
				continue;
			}
			if (nlh->nlmsg_type !=
			    ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
				continue;
			mnl_attr_parse(nlh, sizeof(struct nfgenmsg), packet_id, &id);
			if (id < 0)
				continue;
			v = nfq_msg(out, NFQNL_MSG_VERDICT, queue);
			vh.verdict = htonl(NF_ACCEPT);
			vh.id = htonl(id);
			mnl_attr_put(v, NFQA_VERDICT_HDR, sizeof(vh), &vh);
			send_or_die(nl, v);
			verdicts++;
		}
	}
	printf("verdicts %llu\n", verdicts);
	mnl_socket_close(nl);
	return 0;
}
