// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path. Only a TCP SYN (ACK clear) to the guarded port is
 * judged; everything else is accepted after a few compares, with nothing
 * written. Judging takes no lock and allocates nothing: the set is read
 * under the RCU read lock that nf_hook() already holds.
 */
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <linux/tcp.h>
#include <net/ip.h>

#include "mxlock.h"

enum mxlock_verdict mxlock_judge4(const struct mxlock_net *pn, __be32 saddr)
{
	const struct mxlock_set *set = rcu_dereference(pn->set);

	if (!set)
		return MXLOCK_VERDICT_UNARMED;
	if (mxlock_set_contains4(set, ntohl(saddr)))
		return MXLOCK_VERDICT_ALLOW;
	if (READ_ONCE(pn->mode) == MXLOCK_MODE_MONITOR)
		return MXLOCK_VERDICT_MONITOR;
	return MXLOCK_VERDICT_DROP;
}

static unsigned int mxlock_hook_ipv4(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th;
	struct mxlock_net *pn;
	enum mxlock_verdict v;
	struct tcphdr _th;

	if (iph->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	/* LOCAL_IN sees reassembled datagrams: no fragment can get here. */
	th = skb_header_pointer(skb, skb_network_offset(skb) + ip_hdrlen(skb),
				sizeof(_th), &_th);
	/* A truncated header is not a connection attempt; TCP drops it. */
	if (!th || !th->syn || th->ack)
		return NF_ACCEPT;
	pn = mxlock_pernet(state->net);
	if (th->dest != pn->port)
		return NF_ACCEPT;
	/* The host talking to itself is local submission, not the MX. */
	if (state->in && (state->in->flags & IFF_LOOPBACK))
		return NF_ACCEPT;

	v = mxlock_judge4(pn, iph->saddr);
	mxlock_stats_count(pn->stats, v);
	return v == MXLOCK_VERDICT_DROP ? NF_DROP : NF_ACCEPT;
}

static const struct nf_hook_ops mxlock_nf_ops[] = {
	{
		.hook		= mxlock_hook_ipv4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		/* Before filter tables: judged before any accept rule. */
		.priority	= NF_IP_PRI_FILTER - 1,
	},
};

int mxlock_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, mxlock_nf_ops,
				     ARRAY_SIZE(mxlock_nf_ops));
}

void mxlock_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, mxlock_nf_ops, ARRAY_SIZE(mxlock_nf_ops));
}
