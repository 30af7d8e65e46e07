// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path. Only a TCP SYN (ACK clear) to the guarded port is
 * judged; everything else is accepted after a few compares, with nothing
 * written. Judging takes no lock and allocates nothing: the set is read
 * under the RCU read lock that nf_hook() already holds.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "mxlock.h"

static enum mxlock_verdict mxlock_outcome(const struct mxlock_net *pn,
					  bool listed)
{
	if (listed)
		return MXLOCK_VERDICT_ALLOW;
	if (READ_ONCE(pn->mode) == MXLOCK_MODE_MONITOR)
		return MXLOCK_VERDICT_MONITOR;
	return MXLOCK_VERDICT_DROP;
}

enum mxlock_verdict mxlock_judge4(const struct mxlock_net *pn, __be32 saddr)
{
	const struct mxlock_set *set = rcu_dereference(pn->set);

	if (!set)
		return MXLOCK_VERDICT_UNARMED;
	return mxlock_outcome(pn, mxlock_set_contains4(set, ntohl(saddr)));
}

/* An IPv4-mapped source is looked up in the IPv4 list by contains6. */
enum mxlock_verdict mxlock_judge6(const struct mxlock_net *pn,
				  const struct in6_addr *saddr)
{
	const struct mxlock_set *set = rcu_dereference(pn->set);
	struct mxlock_key k;

	if (!set)
		return MXLOCK_VERDICT_UNARMED;
	k = mxlock_key_from_in6(saddr);
	return mxlock_outcome(pn, mxlock_set_contains6(set, &k));
}

/*
 * The guarded connection attempt at thoff, or NULL for anything else. A
 * truncated header is not a connection attempt: TCP drops it anyway.
 */
static struct mxlock_net *mxlock_guarded(struct sk_buff *skb, int thoff,
					 const struct nf_hook_state *state)
{
	const struct tcphdr *th;
	struct mxlock_net *pn;
	struct tcphdr _th;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || !th->syn || th->ack)
		return NULL;
	pn = mxlock_pernet(state->net);
	if (th->dest != pn->port)
		return NULL;
	/* The host talking to itself is local submission, not the MX. */
	if (state->in && (state->in->flags & IFF_LOOPBACK))
		return NULL;
	return pn;
}

static unsigned int mxlock_count_verdict(struct mxlock_net *pn,
					 enum mxlock_verdict v)
{
	mxlock_stats_count(pn->stats, v);
	return v == MXLOCK_VERDICT_DROP ? NF_DROP : NF_ACCEPT;
}

static unsigned int mxlock_hook_ipv4(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct mxlock_net *pn;

	if (iph->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	/* LOCAL_IN sees reassembled IPv4 datagrams: no fragment gets here. */
	pn = mxlock_guarded(skb, skb_network_offset(skb) + ip_hdrlen(skb),
			    state);
	if (!pn)
		return NF_ACCEPT;
	return mxlock_count_verdict(pn, mxlock_judge4(pn, iph->saddr));
}

static unsigned int mxlock_hook_ipv6(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	u8 nexthdr = ip6h->nexthdr;
	struct mxlock_net *pn;
	__be16 frag_off;
	int thoff;

	thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
				 &nexthdr, &frag_off);
	/*
	 * IPv6 reassembles after LOCAL_IN: a later fragment carries no TCP
	 * header, and without its first fragment it never reassembles.
	 */
	if (thoff < 0 || nexthdr != IPPROTO_TCP || frag_off)
		return NF_ACCEPT;
	pn = mxlock_guarded(skb, thoff, state);
	if (!pn)
		return NF_ACCEPT;
	return mxlock_count_verdict(pn, mxlock_judge6(pn, &ip6h->saddr));
}

static const struct nf_hook_ops mxlock_nf_ops[] = {
	{
		.hook		= mxlock_hook_ipv4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		/* Before filter tables: judged before any accept rule. */
		.priority	= NF_IP_PRI_FILTER - 1,
	},
	{
		.hook		= mxlock_hook_ipv6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP6_PRI_FILTER - 1,
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
