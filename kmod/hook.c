// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path. Only a TCP SYN (ACK clear) to a guarded port is
 * judged; everything else is accepted after a few compares, with nothing
 * written. Judging takes no lock and allocates nothing: set and settings
 * are read under the RCU read lock that nf_hook() already holds, and
 * counters are per CPU. Only a refused SYN does more (this CPU's table,
 * RST, log), and it too writes nothing shared.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "mxlock.h"

/* What one guarded SYN is judged with. */
struct mxlock_pkt {
	struct mxlock_net *pn;
	const struct mxlock_conf *conf;
	struct mxlock_set *set;
	__be16 dport;
};

static enum mxlock_verdict mxlock_outcome(const struct mxlock_pkt *p,
					  long idx)
{
	if (!p->set)
		return MXLOCK_VERDICT_UNARMED;
	if (idx >= 0)
		return MXLOCK_VERDICT_ALLOW;
	if (p->conf->mode == MXLOCK_MODE_MONITOR)
		return MXLOCK_VERDICT_MONITOR;
	return MXLOCK_VERDICT_DROP;
}

static long mxlock_find(const struct mxlock_set *set,
			const struct mxlock_key *k, bool v6)
{
	if (!set)
		return -1;
	return v6 ? mxlock_set_find6(set, k) : mxlock_set_find4(set, k->lo);
}

/* For MXLOCK_CMD_TEST: the verdict a SYN from k would get now. */
enum mxlock_verdict mxlock_judge(const struct mxlock_net *pn,
				 const struct mxlock_key *k, bool v6)
{
	struct mxlock_pkt p = {
		.conf = rcu_dereference(pn->conf),
		.set = rcu_dereference(pn->set),
	};

	return mxlock_outcome(&p, mxlock_find(p.set, k, v6));
}

/*
 * Is the TCP segment at thoff a connection attempt to a guarded port? A
 * truncated header is not one: TCP drops it anyway.
 */
static bool mxlock_guarded(struct sk_buff *skb, int thoff,
			   const struct nf_hook_state *state,
			   struct mxlock_pkt *p)
{
	const struct tcphdr *th;
	struct tcphdr _th;
	int i;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || !th->syn || th->ack)
		return false;
	/* The host talking to itself is local submission, not the MX. */
	if (state->in && (state->in->flags & IFF_LOOPBACK))
		return false;
	p->pn = mxlock_pernet(state->net);
	p->conf = rcu_dereference(p->pn->conf);
	for (i = 0; i < p->conf->nr_ports; i++) {
		if (p->conf->ports[i] == th->dest) {
			p->dport = th->dest;
			p->set = rcu_dereference(p->pn->set);
			return true;
		}
	}
	return false;
}

static unsigned int mxlock_act(struct mxlock_pkt *p, const struct mxlock_key *k,
			       bool v6, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	long idx = mxlock_find(p->set, k, v6);
	enum mxlock_verdict v = mxlock_outcome(p, idx);
	struct mxlock_denied *denied;

	mxlock_stats_count(p->pn->stats, v);
	if (v == MXLOCK_VERDICT_ALLOW)
		mxlock_hits_count(p->set, idx);
	if (v == MXLOCK_VERDICT_ALLOW || v == MXLOCK_VERDICT_UNARMED)
		return NF_ACCEPT;

	/* Pairs with mxlock_commit()'s smp_store_release(). */
	denied = smp_load_acquire(&p->pn->denied);
	if (denied)
		mxlock_denied_record(denied, k, v6, p->conf->log,
				     ntohs(p->dport));
	if (v == MXLOCK_VERDICT_MONITOR)
		return NF_ACCEPT;
	/* An RST makes a misconfigured sender fail now, not retry for days. */
	if (p->conf->action == MXLOCK_ACTION_REJECT) {
		if (v6)
			nf_send_reset6(state->net, NULL, skb, state->hook);
		else
			nf_send_reset(state->net, NULL, skb, state->hook);
	}
	return NF_DROP;
}

static unsigned int mxlock_hook_ipv4(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct mxlock_pkt p;
	struct mxlock_key k;

	if (iph->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	/* LOCAL_IN sees reassembled IPv4 datagrams: no fragment gets here. */
	if (!mxlock_guarded(skb, skb_network_offset(skb) + ip_hdrlen(skb),
			    state, &p))
		return NF_ACCEPT;
	k.hi = 0;
	k.lo = ntohl(iph->saddr);
	return mxlock_act(&p, &k, false, skb, state);
}

static unsigned int mxlock_hook_ipv6(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	u8 nexthdr = ip6h->nexthdr;
	struct mxlock_pkt p;
	struct mxlock_key k;
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
	if (!mxlock_guarded(skb, thoff, state, &p))
		return NF_ACCEPT;
	/* An IPv4-mapped source is looked up in the IPv4 list by find6. */
	k = mxlock_key_from_in6(&ip6h->saddr);
	return mxlock_act(&p, &k, true, skb, state);
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
