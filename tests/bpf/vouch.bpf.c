// SPDX-License-Identifier: GPL-2.0
/*
 * vouch: a tc ingress program standing in for a BPF syncookie server
 * (bpf_sk_assign_tcp_reqsk(), Linux 6.9 and later). A real one answers
 * SYNs with cookies at ingress and, for an ACK whose cookie checks out,
 * attaches a request socket that TCP then turns into a connection with no
 * SYN ever reaching LOCAL_IN. This one vouches for every bare ACK to port
 * 25 that a listener would take: what mxlock must then judge is the ACK
 * with its request socket, whoever made it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/*
 * libbpf matches the kfunc's prototype against the kernel's by kind: a
 * struct, not a forward declaration. Its members are never read here.
 */
struct sock {
	int unused;
};

/* As in include/net/tcp.h (6.9+); the kfunc checks the size. */
struct bpf_tcp_req_attrs {
	__u32 rcv_tsval;
	__u32 rcv_tsecr;
	__u16 mss;
	__u8 rcv_wscale;
	__u8 snd_wscale;
	__u8 ecn_ok;
	__u8 wscale_ok;
	__u8 sack_ok;
	__u8 tstamp_ok;
	__u8 usec_ts_ok;
	__u8 reserved[3];
};

extern int bpf_sk_assign_tcp_reqsk(struct __sk_buff *skb, struct sock *sk,
				   struct bpf_tcp_req_attrs *attrs,
				   int attrs__sz) __ksym;

SEC("tc")
int vouch(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct bpf_tcp_req_attrs attrs = { .mss = 1460 };
	struct ethhdr *eth = data;
	struct bpf_sock_tuple t = {};
	struct bpf_sock *skc;
	struct tcp_sock *tp;
	struct tcphdr *th;
	__u32 tlen;

	if ((void *)(eth + 1) > end)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl != 5 ||
		    ip->protocol != IPPROTO_TCP)
			return TC_ACT_OK;
		th = (void *)(ip + 1);
		if ((void *)(th + 1) > end)
			return TC_ACT_OK;
		t.ipv4.saddr = ip->saddr;
		t.ipv4.daddr = ip->daddr;
		t.ipv4.sport = th->source;
		t.ipv4.dport = th->dest;
		tlen = sizeof(t.ipv4);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_TCP)
			return TC_ACT_OK;
		th = (void *)(ip6 + 1);
		if ((void *)(th + 1) > end)
			return TC_ACT_OK;
		__builtin_memcpy(t.ipv6.saddr, &ip6->saddr, 16);
		__builtin_memcpy(t.ipv6.daddr, &ip6->daddr, 16);
		t.ipv6.sport = th->source;
		t.ipv6.dport = th->dest;
		tlen = sizeof(t.ipv6);
	} else {
		return TC_ACT_OK;
	}
	if (th->dest != bpf_htons(25) || !th->ack || th->syn || th->rst ||
	    th->fin)
		return TC_ACT_OK;
	skc = bpf_skc_lookup_tcp(skb, &t, tlen, BPF_F_CURRENT_NETNS, 0);
	if (!skc)
		return TC_ACT_OK;
	if (skc->state == BPF_TCP_LISTEN) {
		tp = bpf_skc_to_tcp_sock(skc);
		if (tp)
			bpf_sk_assign_tcp_reqsk(skb, (struct sock *)tp, &attrs,
						sizeof(attrs));
	}
	bpf_sk_release(skc);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
