// SPDX-License-Identifier: GPL-2.0
/*
 * pktcraft: the attacker's packets for tests/bypass.sh. Sends one crafted
 * TCP SYN (whole, fragmented, behind extension headers, with odd flags...)
 * from an AF_PACKET socket, so that no kernel on the sending side tidies
 * it up, then says what the listener answered:
 *
 *   pktcraft -i IF -m MAC -s SRC -d DST -p PORT [-w MS] [-x WORD] [-f FILE] CASE
 *
 * IF is the sender's interface, MAC the next hop's (the mail host's end of
 * the link), SRC/DST both IPv4 or both IPv6. It prints one word:
 *
 *   syn-ack   the listener answered the SYN (the lock was passed)
 *   rst       it answered with a reset
 *   data      it sent data: a connection was made and accept() returned
 *             (the banner), for cookie-ack
 *   none      nothing came back in MS milliseconds (default 3000)
 *
 * It prints the first answer, or with -x WORD waits (up to MS) for that
 * one and prints it, else the last other answer seen, else none.
 * CASE is one of the names in cases[] below. cookie-syn sends a plain SYN
 * and, on a SYN-ACK, keeps the numbers in FILE; cookie-ack then completes
 * that handshake with the bare ACK a syncookie listener turns into a
 * connection. Exit status: 0 when it ran (whatever came back), 2 on error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXFRAME 1600

struct target {
	int fd, ifindex;
	bool v6;
	uint8_t mac[6], own_mac[6];
	struct in6_addr src6, dst6;
	struct in_addr src4, dst4;
	uint16_t sport, dport;
	uint32_t seq, ack;
};

/* A TCP segment, checksum included. */
struct seg {
	uint8_t b[128];
	size_t len;
};

static void die(const char *what)
{
	fprintf(stderr, "pktcraft: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint32_t csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/*
 * The segment: flags, the options a Linux client sends (MSS, SACK-perm,
 * timestamps, window scale: 20 bytes, so the header is 40) and payload.
 */
static void tcp_build(const struct target *t, struct seg *s, uint8_t flags,
		      const char *payload)
{
	static const uint8_t opts[20] = {
		2, 4, 0x05, 0xb4,		/* MSS 1460 */
		4, 2,				/* SACK permitted */
		8, 10, 0, 0, 0, 1, 0, 0, 0, 0,	/* timestamps */
		1, 3, 3, 7,			/* NOP, window scale 7 */
	};
	struct tcphdr *th = (struct tcphdr *)s->b;
	size_t plen = payload ? strlen(payload) : 0;
	uint32_t sum = 0;
	uint8_t ph[40];

	memset(s->b, 0, sizeof(s->b));
	th->source = htons(t->sport);
	th->dest = htons(t->dport);
	th->seq = htonl(t->seq);
	th->ack_seq = htonl(t->ack);
	th->doff = (sizeof(*th) + sizeof(opts)) / 4;
	((uint8_t *)th)[13] = flags;
	th->window = htons(64240);
	memcpy(s->b + sizeof(*th), opts, sizeof(opts));
	s->len = sizeof(*th) + sizeof(opts);
	if (!(flags & TH_SYN))
		s->len = sizeof(*th);	/* a bare ACK carries no options */
	th->doff = s->len / 4;
	memcpy(s->b + s->len, payload ? payload : "", plen);
	s->len += plen;

	if (t->v6) {
		memcpy(ph, &t->src6, 16);
		memcpy(ph + 16, &t->dst6, 16);
		ph[32] = 0, ph[33] = 0, ph[34] = s->len >> 8, ph[35] = s->len;
		ph[36] = 0, ph[37] = 0, ph[38] = 0, ph[39] = IPPROTO_TCP;
		sum = csum_add(sum, ph, 40);
	} else {
		memcpy(ph, &t->src4, 4);
		memcpy(ph + 4, &t->dst4, 4);
		ph[8] = 0, ph[9] = IPPROTO_TCP, ph[10] = s->len >> 8, ph[11] = s->len;
		sum = csum_add(sum, ph, 12);
	}
	th->check = csum_fold(csum_add(sum, s->b, s->len));
}

static void send_frame(const struct target *t, const uint8_t *l3, size_t len)
{
	uint8_t f[MAXFRAME];
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = t->ifindex,
		.sll_halen = 6,
	};

	memcpy(f, t->mac, 6);
	memcpy(f + 6, t->own_mac, 6);
	f[12] = t->v6 ? 0x86 : 0x08;
	f[13] = t->v6 ? 0xdd : 0x00;
	memcpy(f + 14, l3, len);
	memcpy(sll.sll_addr, t->mac, 6);
	if (sendto(t->fd, f, len + 14, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("sendto");
}

/*
 * IPv4: bytes [off, off + len) of the segment as one fragment (MF when
 * more follows), with ip options opt (a multiple of 4 bytes) if any.
 */
static void send4(const struct target *t, const struct seg *s, size_t off,
		  size_t len, bool more, const uint8_t *opt, size_t optlen)
{
	uint8_t p[MAXFRAME];
	struct iphdr *ih = (struct iphdr *)p;
	size_t hl = sizeof(*ih) + optlen;

	memset(p, 0, hl);
	ih->version = 4;
	ih->ihl = hl / 4;
	ih->tot_len = htons(hl + len);
	ih->id = htons(t->sport);
	ih->frag_off = htons((more ? IP_MF : 0) | (off / 8));
	ih->ttl = 64;
	ih->protocol = IPPROTO_TCP;
	ih->saddr = t->src4.s_addr;
	ih->daddr = t->dst4.s_addr;
	memcpy(p + sizeof(*ih), opt, optlen);
	ih->check = csum_fold(csum_add(0, p, hl));
	memcpy(p + hl, s->b + off, len);
	send_frame(t, p, hl + len);
}

/*
 * IPv6: bytes [off, off + len) of s, a proto payload. types is the chain
 * of extension headers to put before it; a fragment header in it (type
 * 44) gets off, M = more and res (the two reserved bits) filled in.
 */
static void send6(const struct target *t, const struct seg *s, size_t off,
		  size_t len, bool more, uint8_t res, const uint8_t *types,
		  int ntypes, uint8_t proto)
{
	uint8_t p[MAXFRAME];
	struct ip6_hdr *h = (struct ip6_hdr *)p;
	uint8_t *nh = &h->ip6_nxt;
	size_t at = sizeof(*h);
	int i;

	memset(p, 0, sizeof(p));
	h->ip6_flow = htonl(6u << 28);
	h->ip6_hops = 64;
	h->ip6_src = t->src6;
	h->ip6_dst = t->dst6;
	for (i = 0; i < ntypes; i++) {
		uint8_t *x = p + at;

		*nh = types[i];
		nh = x;
		if (types[i] == IPPROTO_FRAGMENT) {
			uint16_t fo = (off & ~7u) | res | (more ? 1 : 0);

			x[2] = fo >> 8, x[3] = fo;
			memcpy(x + 4, &t->seq, 4);	/* the identification */
		} else if (types[i] == IPPROTO_ROUTING) {
			x[2] = 0;	/* type 0, segments left 0: skipped */
		} else {
			x[2] = 1, x[3] = 4;	/* one PadN option */
		}
		at += 8;
	}
	*nh = proto;
	memcpy(p + at, s->b + off, len);
	h->ip6_plen = htons(at - sizeof(*h) + len);
	send_frame(t, p, at + len);
}

/* An extension header in a chain: its type and length in bytes. */
struct ext {
	uint8_t type, len;
};

struct craft {
	const char *name;
	bool v4, v6;
	void (*send)(const struct target *t, struct seg *s,
		     const struct craft *c);
	uint8_t flags;
	const char *payload;
	size_t cut;		/* fragments: the first one's TCP bytes */
	uint8_t ext;		/* IPv6: an extension header before them */
	bool reversed;		/* the second fragment first (all reversed) */
	const struct ext *chain; /* IPv6: headers after the fragment header */
	uint16_t cuts[3];	/* with chain: where fragments 2, 3... start */
};

static const uint8_t FRAG[] = { IPPROTO_FRAGMENT };

static void c_plain(const struct target *t, struct seg *s,
		    const struct craft *c)
{
	(void)c;
	if (t->v6)
		send6(t, s, 0, s->len, false, 0, NULL, 0, IPPROTO_TCP);
	else
		send4(t, s, 0, s->len, false, NULL, 0);
}

/*
 * Two fragments: c->cut bytes of the segment in the first (24: the TCP
 * header, its options in the second; 8: the ports, not the flags), in
 * IPv6 behind c->ext if set; the second one first if c->reversed
 * (reassembly waits for the first).
 */
static void c_frag(const struct target *t, struct seg *s,
		   const struct craft *c)
{
	const uint8_t x[] = { c->ext, IPPROTO_FRAGMENT };
	size_t n = s->len - c->cut;

	if (!t->v6) {
		if (c->reversed)
			send4(t, s, c->cut, n, false, NULL, 0);
		send4(t, s, 0, c->cut, true, NULL, 0);
		if (!c->reversed)
			send4(t, s, c->cut, n, false, NULL, 0);
		return;
	}
	if (c->reversed)
		send6(t, s, c->cut, n, false, 0, x + !c->ext, 1 + !!c->ext, IPPROTO_TCP);
	send6(t, s, 0, c->cut, true, 0, x + !c->ext, 1 + !!c->ext, IPPROTO_TCP);
	if (!c->reversed)
		send6(t, s, c->cut, n, false, 0, x + !c->ext, 1 + !!c->ext, IPPROTO_TCP);
}

/*
 * Overlap: an innocent first fragment to an unguarded port, then another
 * first fragment (offset 0) carrying the guarded port over it.
 */
static void c_overlap(const struct target *t, struct seg *s,
		      const struct craft *c)
{
	struct target u = *t;
	struct seg o;

	(void)c;
	u.dport = 2525;
	tcp_build(&u, &o, TH_SYN, NULL);
	if (t->v6) {
		send6(t, &o, 0, 24, true, 0, FRAG, 1, IPPROTO_TCP);
		send6(t, s, 0, 24, true, 0, FRAG, 1, IPPROTO_TCP);
		send6(t, s, 24, s->len - 24, false, 0, FRAG, 1, IPPROTO_TCP);
	} else {
		send4(t, &o, 0, 24, true, NULL, 0);
		send4(t, s, 0, 24, true, NULL, 0);
		send4(t, s, 24, s->len - 24, false, NULL, 0);
	}
}

/*
 * The whole SYN behind a fragment header with offset 0 and M = 0 (an
 * atomic fragment), its two reserved bits as c->cut says (0 or 6).
 */
static void c_atomic(const struct target *t, struct seg *s,
		     const struct craft *c)
{
	send6(t, s, 0, s->len, false, c->cut, FRAG, 1, IPPROTO_TCP);
}

/*
 * Destination options after the fragment header: part of what is
 * fragmented, so only the first fragment has them, and the TCP header
 * starts 8 bytes into it.
 */
static void c_frag_dst(const struct target *t, struct seg *s,
		       const struct craft *c)
{
	struct seg f = { .len = s->len + 8 };

	(void)c;
	f.b[0] = IPPROTO_TCP;
	f.b[2] = 1, f.b[3] = 4;	/* one PadN option */
	memcpy(f.b + 8, s->b, s->len);
	send6(t, &f, 0, 32, true, 0, FRAG, 1, IPPROTO_DSTOPTS);
	send6(t, &f, 32, f.len - 32, false, 0, FRAG, 1, IPPROTO_DSTOPTS);
}

/*
 * A chain of extension headers after the fragment header, then the
 * segment, cut at c->cuts: the chain is part of what is fragmented, so a
 * cut can fall between two headers or inside one, and what the first
 * fragment holds need not reach TCP. Each header is as long as the chain
 * says: options (PadN; an option to skip first in a longer one), a
 * routing header of type 0 with no segments left, an AH with a zero SPI
 * and ICV (no SA takes it).
 */
static void c_chain(const struct target *t, struct seg *s,
		    const struct craft *c)
{
	struct seg f = { .len = 0 };
	size_t at[5], n = 0, i;
	const struct ext *e;

	for (e = c->chain; e->type; e++) {
		uint8_t *x = f.b + f.len;

		x[0] = e[1].type ? e[1].type : IPPROTO_TCP;
		if (e->type == IPPROTO_AH) {
			x[1] = e->len / 4 - 2;
			x[11] = 1;	/* sequence number 1 */
		} else {
			x[1] = e->len / 8 - 1;
			if (e->type == IPPROTO_ROUTING) {
				x[2] = 0, x[3] = 0;	/* type 0, none left */
			} else if (e->len == 8) {
				x[2] = 1, x[3] = 4;	/* PadN */
			} else {
				/*
				 * Linux drops more than 7 bytes of padding in
				 * a row: an unknown option to skip (RFC 4727's
				 * experimental 0x1e), then PadN.
				 */
				x[2] = 0x1e, x[3] = e->len - 10;
				x[e->len - 6] = 1, x[e->len - 5] = 4;
			}
		}
		f.len += e->len;
	}
	memcpy(f.b + f.len, s->b, s->len);
	f.len += s->len;

	at[n++] = 0;
	for (i = 0; i < 3 && c->cuts[i]; i++)
		at[n++] = c->cuts[i];
	at[n] = f.len;
	for (i = 0; i < n; i++) {
		size_t k = c->reversed ? n - 1 - i : i;

		send6(t, &f, at[k], at[k + 1] - at[k], k + 1 < n, 0, FRAG, 1,
		      c->chain[0].type);
	}
}

/* IPv4 options: three NOPs and the end of the list. */
static void c_ipopts(const struct target *t, struct seg *s,
		     const struct craft *c)
{
	static const uint8_t opt[] = { 1, 1, 1, 0 };

	(void)c;
	send4(t, s, 0, s->len, false, opt, sizeof(opt));
}

/* Chains for c_chain, each ended by { 0 }. */
static const struct ext SPLIT_DST[] = {
	{ IPPROTO_DSTOPTS, 8 }, { IPPROTO_DSTOPTS, 8 }, { 0 } };
static const struct ext SPLIT_RT[] = {
	{ IPPROTO_DSTOPTS, 8 }, { IPPROTO_ROUTING, 8 }, { 0 } };
static const struct ext SPLIT_AH[] = {
	{ IPPROTO_DSTOPTS, 8 }, { IPPROTO_AH, 16 }, { 0 } };
static const struct ext SPLIT_FIVE[] = {
	{ IPPROTO_DSTOPTS, 8 }, { IPPROTO_DSTOPTS, 8 }, { IPPROTO_DSTOPTS, 8 },
	{ IPPROTO_DSTOPTS, 8 }, { IPPROTO_DSTOPTS, 8 }, { 0 } };
/* The cut at 16 falls inside the second header, 16 bytes long. */
static const struct ext SPLIT_IN[] = {
	{ IPPROTO_DSTOPTS, 8 }, { IPPROTO_DSTOPTS, 16 }, { IPPROTO_DSTOPTS, 8 },
	{ 0 } };

#define CASE(n, fam4, fam6, fn, fl, ...) \
	{ .name = n, .v4 = fam4, .v6 = fam6, .send = fn, .flags = fl, __VA_ARGS__ }

static const struct craft cases[] = {
	CASE("syn", true, true, c_plain, TH_SYN),
	CASE("syn-fin", true, true, c_plain, TH_SYN | TH_FIN),
	CASE("syn-urg", true, true, c_plain, TH_SYN | TH_URG),
	CASE("syn-psh", true, true, c_plain, TH_SYN | TH_PUSH),
	CASE("syn-ece-cwr", true, true, c_plain, TH_SYN | 0x40 | 0x80),
	CASE("syn-data", true, true, c_plain, TH_SYN, .payload = "EHLO bypass\r\n"),
	CASE("frag", true, true, c_frag, TH_SYN, .cut = 24),
	CASE("frag-reversed", true, true, c_frag, TH_SYN, .cut = 24, .reversed = true),
	CASE("frag-tiny", true, true, c_frag, TH_SYN, .cut = 8),
	CASE("frag-overlap", true, true, c_overlap, TH_SYN),
	CASE("ip-options", true, false, c_ipopts, TH_SYN),
	CASE("atomic", false, true, c_atomic, TH_SYN, .cut = 0),
	CASE("atomic-reserved", false, true, c_atomic, TH_SYN, .cut = 6),
	CASE("hbh-frag", false, true, c_frag, TH_SYN, .cut = 24, .ext = IPPROTO_HOPOPTS),
	CASE("dstopt-frag", false, true, c_frag, TH_SYN, .cut = 24, .ext = IPPROTO_DSTOPTS),
	CASE("routing-frag", false, true, c_frag, TH_SYN, .cut = 24, .ext = IPPROTO_ROUTING),
	CASE("frag-dstopt", false, true, c_frag_dst, TH_SYN),
	/*
	 * The first fragment's chain ends before TCP: ipv6_skip_exthdr()
	 * cannot read past it, the stack queues it all the same.
	 */
	CASE("split-dstopt", false, true, c_chain, TH_SYN, .chain = SPLIT_DST,
	     .cuts = { 8 }),
	CASE("split-dstopt-reversed", false, true, c_chain, TH_SYN,
	     .chain = SPLIT_DST, .cuts = { 8 }, .reversed = true),
	CASE("split-routing", false, true, c_chain, TH_SYN, .chain = SPLIT_RT,
	     .cuts = { 8 }),
	CASE("split-ah", false, true, c_chain, TH_SYN, .chain = SPLIT_AH,
	     .cuts = { 8 }),
	CASE("split-three", false, true, c_chain, TH_SYN, .chain = SPLIT_FIVE,
	     .cuts = { 16, 32 }),
	CASE("split-three-reversed", false, true, c_chain, TH_SYN,
	     .chain = SPLIT_FIVE, .cuts = { 16, 32 }, .reversed = true),
	CASE("split-inside", false, true, c_chain, TH_SYN, .chain = SPLIT_IN,
	     .cuts = { 16 }),
	CASE("cookie-syn", true, true, c_plain, TH_SYN),
	CASE("cookie-ack", true, true, c_plain, TH_ACK),
};

/* What came back for us, if anything: "syn-ack", "rst", "data" or NULL. */
static const char *answer(const struct target *t, const uint8_t *f, size_t n,
			  uint32_t *isn)
{
	const uint8_t *l4;
	struct tcphdr th;
	size_t hl;

	if (t->v6) {
		const struct ip6_hdr *h = (const void *)f;

		if (n < sizeof(*h) + sizeof(th) || (f[0] >> 4) != 6 ||
		    h->ip6_nxt != IPPROTO_TCP ||
		    memcmp(&h->ip6_src, &t->dst6, 16) ||
		    memcmp(&h->ip6_dst, &t->src6, 16))
			return NULL;
		/* The frame may be padded: the header says how much is ours. */
		if (n - sizeof(*h) < ntohs(h->ip6_plen) ||
		    ntohs(h->ip6_plen) < sizeof(th))
			return NULL;
		l4 = f + sizeof(*h);
		n = ntohs(h->ip6_plen);
	} else {
		const struct iphdr *h = (const void *)f;

		if (n < sizeof(*h) || h->version != 4 ||
		    h->protocol != IPPROTO_TCP || h->saddr != t->dst4.s_addr ||
		    h->daddr != t->src4.s_addr ||
		    (ntohs(h->frag_off) & (IP_MF | IP_OFFMASK)))
			return NULL;
		hl = h->ihl * 4u;
		if (n < ntohs(h->tot_len) || ntohs(h->tot_len) < hl + sizeof(th))
			return NULL;
		l4 = f + hl;
		n = ntohs(h->tot_len) - hl;
	}
	memcpy(&th, l4, sizeof(th));
	/* A TPROXY'd or redirected answer comes from the port we aimed at. */
	if (ntohs(th.dest) != t->sport || ntohs(th.source) != t->dport)
		return NULL;
	if (th.rst)
		return "rst";
	if (th.syn && th.ack) {
		*isn = ntohl(th.seq);
		return "syn-ack";
	}
	if (n > th.doff * 4u)
		return "data";
	return NULL;
}

static const char *await(const struct target *t, int ms, const char *want,
			 uint32_t *isn)
{
	const char *a, *last = "none";
	struct timespec now, end;
	uint8_t f[MAXFRAME];

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	for (;;) {
		struct pollfd pfd = { .fd = t->fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		long left;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (end.tv_sec - now.tv_sec) * 1000 +
		       (end.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			return last;
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			die("poll");
		if (!(pfd.revents & POLLIN))
			continue;
		n = recvfrom(t->fd, f, sizeof(f), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			die("recvfrom");
		if (from.sll_pkttype == PACKET_OUTGOING || n < 14)
			continue;
		a = answer(t, f + 14, n - 14, isn);
		if (a && (!want || !strcmp(a, want)))
			return a;
		if (a) {
			/* Said, so a flaky run shows what else came. */
			fprintf(stderr, "pktcraft: waiting for %s, got %s (%zd bytes)\n",
				want, a, n);
			last = a;
		}
	}
}

static int parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -1;
}

static void usage(void)
{
	size_t i;

	fprintf(stderr, "usage: pktcraft -i IF -m MAC -s SRC -d DST -p PORT [-w MS] [-x WORD] [-f FILE] CASE\n"
		"cases:");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		fprintf(stderr, " %s%s", cases[i].name,
			cases[i].v4 ? (cases[i].v6 ? "" : "(v4)") : "(v6)");
	fprintf(stderr, "\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *src = NULL, *dst = NULL, *file = NULL;
	const char *want = NULL;
	const struct craft *c = NULL;
	struct target t = { .fd = -1 };
	struct ifreq ifr = { 0 };
	const char *got;
	uint32_t isn = 0;
	bool mac = false;
	struct seg s;
	int opt, ms = 3000;
	size_t i;
	FILE *fp;

	while ((opt = getopt(argc, argv, "i:m:s:d:p:w:x:f:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'm': mac = !parse_mac(optarg, t.mac); break;
		case 's': src = optarg; break;
		case 'd': dst = optarg; break;
		case 'p': t.dport = atoi(optarg); break;
		case 'w': ms = atoi(optarg); break;
		case 'x': want = optarg; break;
		case 'f': file = optarg; break;
		default: usage();
		}
	}
	if (optind + 1 != argc || !ifname || !mac || !src || !dst || !t.dport)
		usage();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(cases[i].name, argv[optind]))
			c = &cases[i];
	if (!c)
		usage();
	t.v6 = strchr(src, ':');
	if (t.v6 ? inet_pton(AF_INET6, src, &t.src6) != 1 ||
		   inet_pton(AF_INET6, dst, &t.dst6) != 1 :
		   inet_pton(AF_INET, src, &t.src4) != 1 ||
		   inet_pton(AF_INET, dst, &t.dst4) != 1)
		usage();
	if (t.v6 ? !c->v6 : !c->v4) {
		fprintf(stderr, "pktcraft: %s is not an IPv%d case\n", c->name,
			t.v6 ? 6 : 4);
		return 2;
	}
	if ((!strncmp(c->name, "cookie-", 7)) != !!file)
		usage();

	t.fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (t.fd < 0)
		die("socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(t.fd, SIOCGIFHWADDR, &ifr) < 0)
		die(ifname);
	memcpy(t.own_mac, ifr.ifr_hwaddr.sa_data, 6);
	t.ifindex = if_nametoindex(ifname);
	{
		struct sockaddr_ll sll = {
			.sll_family = AF_PACKET,
			.sll_protocol = htons(ETH_P_ALL),
			.sll_ifindex = t.ifindex,
		};

		if (bind(t.fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			die("bind");
	}

	srand(getpid() ^ time(NULL));
	/*
	 * Unique among pktcrafts running at once, so each sees only its own
	 * answers, and below the ephemeral range (32768 up), so no socket a
	 * test opened earlier from the same address shares the four-tuple.
	 */
	t.sport = 10000 + getpid() % 22768;
	t.seq = (uint32_t)rand() << 1 ^ rand();
	if (!strcmp(c->name, "cookie-ack")) {
		/* The handshake cookie-syn began: ACK the cookie it got. */
		fp = fopen(file, "r");
		if (!fp || fscanf(fp, "%hu %u %u", &t.sport, &t.seq, &isn) != 3)
			die(file);
		fclose(fp);
		t.seq++;
		t.ack = isn + 1;
	}
	tcp_build(&t, &s, c->flags, c->payload);
	c->send(&t, &s, c);
	got = await(&t, ms, want, &isn);
	if (!strcmp(c->name, "cookie-syn") && !strcmp(got, "syn-ack")) {
		fp = fopen(file, "w");
		if (!fp || fprintf(fp, "%u %u %u\n", t.sport, t.seq, isn) < 0 ||
		    fclose(fp))
			die(file);
	}
	printf("%s\n", got);
	return 0;
}
