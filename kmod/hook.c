// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path. Two kinds of TCP segment to a guarded port are judged:
 * a SYN (ACK clear), and an ACK with no connection behind it, which is how
 * a syncookie or SYNPROXY cookie turns into a connection without a SYN the
 * listener ever saw. Everything else is accepted after a few compares,
 * with nothing written. Judging takes no lock and allocates nothing: set
 * and settings are read under the RCU read lock that nf_hook() holds, and
 * counters are per CPU. Only a refused segment does more (this CPU's
 * table, RST, log), and it too writes nothing shared.
 *
 * What an attacker controls is the packet, so the decisions below rest on
 * what the stack will do with it, not on where it came in: an IPv6 packet
 * passes unjudged only when the hook has read enough of it to know that
 * it cannot become a guarded-port SYN (IPv6 reassembles after LOCAL_IN
 * unless conntrack's defrag runs in PREROUTING), a SYN arriving on
 * loopback is exempt only when its source is one of the namespace's own
 * addresses (SYNPROXY, tc mirred and TEE deliver remote sources through
 * lo), and a port rewritten by DNAT or REDIRECT is judged by the port the
 * sender aimed at as well.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <net/addrconf.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/request_sock.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>

#include "mxlock.h"

/* What is judged: a connection attempt, or a cookie's completion. */
enum mxlock_kind {
	MXLOCK_PASS,		/* neither: not judged */
	MXLOCK_SYN,
	MXLOCK_ACK,		/* an ACK no socket of ours expects */
};

/* What one judged segment is judged with. */
struct mxlock_pkt {
	struct mxlock_net *pn;
	const struct mxlock_conf *conf;
	struct mxlock_set *set;
	struct mxlock_key src;
	bool v6;
	enum mxlock_kind kind;
	__be16 dport;		/* the guarded port it was aimed at */
};

static enum mxlock_verdict mxlock_outcome(const struct mxlock_set *set,
					  const struct mxlock_conf *conf,
					  long idx)
{
	if (!set)
		return MXLOCK_VERDICT_UNARMED;
	if (idx >= 0)
		return MXLOCK_VERDICT_ALLOW;
	if (conf->mode == MXLOCK_MODE_MONITOR)
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
	const struct mxlock_conf *conf = rcu_dereference(pn->conf);
	const struct mxlock_set *set = rcu_dereference(pn->set);

	return mxlock_outcome(set, conf, mxlock_find(set, k, v6));
}

/*
 * A request socket a BPF syncookie made at tc (bpf_sk_assign_tcp_reqsk(),
 * 6.9+): a prefetched one marked syncookie, which the stack's own request
 * sockets never are while still in skb->sk (a kernel cookie's is made in
 * TCP, after this hook). TCP gives such an ACK to the listener
 * (skb_steal_sock()), which makes a connection of it: its SYN never came
 * through here.
 */
static bool mxlock_bpf_cookie(struct sk_buff *skb)
{
	return skb_sk_is_prefetched(skb) &&
	       skb->sk->sk_state == TCP_NEW_SYN_RECV &&
	       inet_reqsk(skb->sk)->syncookie;
}

/*
 * An ACK reaches a listener, and may become a connection through a cookie,
 * only when no established or request socket takes it. Early demux has
 * usually looked that up already; a listener in skb->sk (TPROXY) is no
 * connection, and neither is a BPF syncookie's request socket.
 */
static enum mxlock_kind mxlock_kind(const struct tcphdr *th,
				    struct sk_buff *skb)
{
	if (th->syn)
		return th->ack ? MXLOCK_PASS : MXLOCK_SYN;
	if (!th->ack || th->rst)
		return MXLOCK_PASS;
	if (skb->sk && skb->sk->sk_state != TCP_LISTEN &&
	    !mxlock_bpf_cookie(skb))
		return MXLOCK_PASS;
	return MXLOCK_ACK;
}

static bool mxlock_port_guarded(const struct mxlock_conf *conf, __be16 port)
{
	int i;

	for (i = 0; i < conf->nr_ports; i++)
		if (conf->ports[i] == port)
			return true;
	return false;
}

/*
 * Is the segment aimed at a guarded port? Its port now, or the one the
 * sender chose before a DNAT or REDIRECT in PREROUTING rewrote it: "port
 * 25" is what the world connects to as much as where the MTA listens.
 * Conntrack keeps the port as it arrived in the tuple of the packet's own
 * direction (nf_ct_get() is inline: no dependency on nf_conntrack). And
 * the port of a socket TPROXY assigned, which takes the segment whatever
 * its header says.
 */
static bool mxlock_aimed(struct mxlock_pkt *p, const struct sk_buff *skb,
			 __be16 dport)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct;
	__be16 port;

	/* A port the hook could not read may be any guarded one. */
	if (!dport || mxlock_port_guarded(p->conf, dport)) {
		p->dport = dport;
		return true;
	}
	ct = nf_ct_get(skb, &ctinfo);
	if (ct) {
		port = ct->tuplehash[CTINFO2DIR(ctinfo)].tuple.dst.u.tcp.port;
		if (port != dport && mxlock_port_guarded(p->conf, port)) {
			p->dport = port;
			return true;
		}
	}
	if (skb->sk) {
		port = htons(skb->sk->sk_num);
		if (port != dport && mxlock_port_guarded(p->conf, port)) {
			p->dport = port;
			return true;
		}
	}
	return false;
}

/*
 * The host submitting mail to itself (cron, web apps) is not the MX: a
 * segment from one of the namespace's own addresses is exempt. Only
 * loopback delivers those, so other interfaces skip the address lookup.
 */
static bool mxlock_from_self(const struct sk_buff *skb,
			     const struct nf_hook_state *state, bool v6)
{
	if (!state->in || !(state->in->flags & IFF_LOOPBACK))
		return false;
	if (v6)
		return ipv6_chk_addr(state->net, &ipv6_hdr(skb)->saddr,
				     NULL, 0);
	return inet_addr_type(state->net, ip_hdr(skb)->saddr) == RTN_LOCAL;
}

/*
 * A refused source's ACK is let through only when it belongs to a
 * connection that exists: one made before the list refused its source,
 * whose ACK early demux did not look up (ip_early_demux off, a
 * reassembled datagram, extension headers).
 */
static bool mxlock_established(const struct sk_buff *skb,
			       const struct tcphdr *th,
			       const struct nf_hook_state *state, bool v6)
{
	struct net *net = state->net;
	int dif = state->in ? state->in->ifindex : 0;
	u16 hnum = ntohs(th->dest);
	struct sock *sk;

	if (v6) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		sk = __inet6_lookup_established(net, &ip6h->saddr,
						th->source, &ip6h->daddr, hnum,
						dif, inet6_sdif(skb));
	} else {
		const struct iphdr *iph = ip_hdr(skb);

		sk = __inet_lookup_established(net, iph->saddr,
					       th->source, iph->daddr, hnum,
					       dif, inet_sdif(skb));
	}
	if (!sk)
		return false;
	sock_gen_put(sk);
	return true;
}

static unsigned int mxlock_act(struct mxlock_pkt *p, struct sk_buff *skb,
			       const struct tcphdr *th,
			       const struct nf_hook_state *state)
{
	const struct mxlock_conf *conf = p->conf;
	struct mxlock_set *set = rcu_dereference(p->pn->set);
	long idx = mxlock_find(set, &p->src, p->v6);
	enum mxlock_verdict v = mxlock_outcome(set, conf, idx);
	struct mxlock_denied *denied;
	bool rst = false;

	if (p->kind == MXLOCK_ACK &&
	    (v == MXLOCK_VERDICT_ALLOW || v == MXLOCK_VERDICT_UNARMED ||
	     mxlock_established(skb, th, state, p->v6)))
		return NF_ACCEPT;

	/*
	 * The per-CPU tables have one writer per CPU only if this cannot be
	 * interrupted by itself: nf_reinject() (an NFQUEUE verdict) runs the
	 * hooks after the queue in process context, with BHs enabled. On
	 * PREEMPT_RT BHs off still lets a task preempt us, and a reader of
	 * the denied table spinning on a slot we left half-written must not
	 * be that task: preemption goes off too (free elsewhere, as BHs off
	 * already implies it).
	 */
	local_bh_disable();
	preempt_disable();
	mxlock_stats_count(p->pn->stats, p->kind == MXLOCK_ACK, v);
	if (v == MXLOCK_VERDICT_ALLOW)
		mxlock_hits_count(set, idx);
	if (v == MXLOCK_VERDICT_DROP || v == MXLOCK_VERDICT_MONITOR) {
		/* Pairs with mxlock_commit()'s smp_store_release(). */
		denied = smp_load_acquire(&p->pn->denied);
		if (denied)
			mxlock_denied_record(denied, &p->src, p->v6,
					     p->kind == MXLOCK_ACK, conf->log,
					     ntohs(p->dport));
	}
	/* An RST makes a misconfigured sender fail now, not retry for days. */
	if (v == MXLOCK_VERDICT_DROP && conf->action == MXLOCK_ACTION_REJECT) {
		rst = mxlock_reject_allowed(p->pn);
		if (!rst)
			mxlock_stats_rst_limited(p->pn->stats);
	}
	preempt_enable();
	local_bh_enable();

	if (v != MXLOCK_VERDICT_DROP)
		return NF_ACCEPT;
	if (rst)
		mxlock_reject(conf, skb, state, p->v6);
	return NF_DROP;
}

/*
 * Everything both families share once the TCP header is found; th is NULL
 * for an IPv6 packet that does not hold one whole, and dport 0 when it
 * does not even hold the ports.
 */
static unsigned int mxlock_tcp(struct mxlock_pkt *p, struct sk_buff *skb,
			       const struct tcphdr *th, __be16 dport,
			       const struct nf_hook_state *state)
{
	p->pn = mxlock_pernet(state->net);
	p->conf = rcu_dereference(p->pn->conf);
	if (!mxlock_aimed(p, skb, dport))
		return NF_ACCEPT;
	if (mxlock_from_self(skb, state, p->v6))
		return NF_ACCEPT;
	return mxlock_act(p, skb, th, state);
}

static unsigned int mxlock_hook_ipv4(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th;
	struct mxlock_pkt p;
	struct tcphdr _th;

	if (iph->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	/*
	 * ip_local_deliver() reassembles before LOCAL_IN: this is the whole
	 * datagram, and a header too short for TCP is one TCP drops.
	 */
	th = skb_header_pointer(skb, skb_network_offset(skb) + ip_hdrlen(skb),
				sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	p.kind = mxlock_kind(th, skb);
	if (p.kind == MXLOCK_PASS)
		return NF_ACCEPT;
	p.v6 = false;
	p.src.hi = 0;
	p.src.lo = ntohl(iph->saddr);
	return mxlock_tcp(&p, skb, th, th->dest, state);
}

/*
 * Without conntrack IPv6 reassembles after LOCAL_IN (ip6_input.c hands a
 * fragment to ipv6_frag_rcv() past the hook, and the datagram it puts
 * together goes on to TCP without passing the hook again), so a fragment
 * is judged here or never. The rule is fail closed: a packet is let
 * through unjudged only when the hook has read enough of it to know that
 * no guarded-port SYN or cookie ACK can come of it. That is:
 *  - the header chain leads to a protocol other than TCP;
 *  - it stops at a fragment header with a non-zero offset: no TCP header
 *    follows, and the datagram never reassembles without the fragment at
 *    offset 0, which is judged here (ipv6_skip_exthdr() passes fragment
 *    headers of offset 0, so that is true of nested ones as well);
 *  - the TCP header is whole and says so (mxlock_kind()).
 * Everything else is judged as a SYN: by its port when the header holds
 * the ports, else by source alone, aimed at every guarded port. That
 * covers a first fragment whose chain ends before TCP, or inside a header
 * (ipv6_skip_exthdr() returns -1; the stack queues it all the same, since
 * ipv6frag_thdr_truncated() passes a chain it cannot walk), and one that
 * ends inside the TCP header. RFC 8200 4.5 and RFC 7112 require the whole
 * chain in the first fragment, so no legitimate sender is refused for it.
 */
static unsigned int mxlock_hook_ipv6(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	u8 nexthdr = ip6h->nexthdr;
	const struct tcphdr *th = NULL;
	struct mxlock_pkt p;
	struct tcphdr _th;
	__be16 frag_off;
	__be16 _ports[2];
	const __be16 *ports = NULL;
	int thoff;

	thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
				 &nexthdr, &frag_off);
	if (thoff >= 0) {
		if (nexthdr != IPPROTO_TCP)
			return NF_ACCEPT;
		/* The whole field: only the offset says "no TCP header". */
		if (frag_off & htons(IP6_OFFSET))
			return NF_ACCEPT;
		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		if (!th)
			ports = skb_header_pointer(skb, thoff, sizeof(_ports),
						   _ports);
	}
	p.v6 = true;
	/* An IPv4-mapped source is looked up in the IPv4 list by find6. */
	p.src = mxlock_key_from_in6(&ip6h->saddr);
	if (th) {
		p.kind = mxlock_kind(th, skb);
		if (p.kind == MXLOCK_PASS)
			return NF_ACCEPT;
		return mxlock_tcp(&p, skb, th, th->dest, state);
	}
	p.kind = MXLOCK_SYN;
	return mxlock_tcp(&p, skb, NULL, ports ? ports[1] : 0, state);
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
