// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/set.c at scale: a million random prefixes with a BGP-like length
 * mix, looked up through the set's chunk index and, independently, through
 * a naive longest-match model (a hash of every prefix, probed at each
 * length in use). Both must agree on every query: random addresses, and
 * the first, last and neighbouring addresses of prefixes.
 *
 * Then the index's bound, structurally: for BGP-like, random and
 * adversarial lists (packed single addresses, everything in one chunk,
 * clumps, alternating tiny and huge gaps, IPv6 /128s inside one /64) of
 * 1, 1k, 100k and 1M entries, setshape.h recomputes every chunk's leaf
 * and asserts that an IPv4 lookup reads at most 3 dependent cache lines
 * after the set header (2 outside crowded chunks), and that an IPv6
 * lookup ends in a run of at most MXLOCK_RUN6 intervals, at most
 * MXLOCK_DEPTH6 levels down; lookups are checked against a plain binary
 * search over the set's intervals.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "set.h"
#include "ktap.h"
#include "prefixgen.h"
#include "setshape.h"

/* The naive model: every prefix in one open-addressing hash table. */
struct model {
	struct mxlock_key *net;
	u8 *len;		/* 0: empty slot, else prefix length + 1 */
	u64 mask;
	unsigned char used[129];
};

static u64 model_hash(const struct mxlock_key *k, unsigned int len)
{
	u64 h = k->hi * 0x9e3779b97f4a7c15ULL ^ k->lo * 0xc2b2ae3d27d4eb4fULL;

	return (h ^ len * 0x165667b19e3779f9ULL) ^ (h >> 29);
}

static void model_add(struct model *m, const struct mxlock_key *net,
		      unsigned int len)
{
	u64 i = model_hash(net, len) & m->mask;

	while (m->len[i]) {
		if (m->len[i] == len + 1 && !mxlock_key_cmp(&m->net[i], net))
			return;
		i = (i + 1) & m->mask;
	}
	m->net[i] = *net;
	m->len[i] = len + 1;
	m->used[len] = 1;
}

static int model_contains(const struct model *m, const struct mxlock_key *k)
{
	for (unsigned int len = 0; len <= 128; len++) {
		struct mxlock_key net;
		u64 i;

		if (!m->used[len])
			continue;
		net = mask_key(k, len);
		for (i = model_hash(&net, len) & m->mask; m->len[i];
		     i = (i + 1) & m->mask)
			if (m->len[i] == len + 1 && !mxlock_key_cmp(&m->net[i], &net))
				return 1;
	}
	return 0;
}

/* IPv4 keys live in the low 32 bits; the model works on 128-bit keys. */
static struct mxlock_key v4key(u32 a)
{
	struct mxlock_key k = { 0, a };

	return k;
}

static int check(const struct mxlock_set *s, const struct model *m,
		 const struct mxlock_key *q, int v6)
{
	int got = v6 ? mxlock_set_contains6(s, q) :
		       mxlock_set_contains4(s, (u32)q->lo);

	/* The model holds IPv4 prefixes at length + 96 in the mapped block. */
	return got == model_contains(m, q);
}

static void run(int v6, u32 n, u32 queries)
{
	struct model m = { 0 };
	struct mxlock_staging st = { 0 };
	struct mxlock_key *nets = malloc(sizeof(*nets) * n);
	u8 *lens = malloc(n);
	struct mxlock_set *s;
	u32 i, bad = 0;
	u64 slots = 1;
	const char *fam = v6 ? "IPv6" : "IPv4";

	while (slots < 4ULL * n)
		slots <<= 1;
	m.net = calloc(slots, sizeof(*m.net));
	m.len = calloc(slots, 1);
	m.mask = slots - 1;

	for (i = 0; i < n; i++) {
		struct mxlock_key k, hi;
		unsigned int len;

		if (v6) {
			gen_prefix6(&k, &hi, &len);
			mxlock_staging_push6(&st, &k, &hi, ~0U);
			model_add(&m, &k, len);
		} else {
			u32 a = gen_prefix4(&len);
			u32 mask = len ? ~0U << (32 - len) : 0;

			k = v4key(a);
			mxlock_staging_push4(&st, a, a | ~mask, ~0U);
			/* IPv4 prefixes sit in the low 32 bits: length + 96. */
			model_add(&m, &k, len + 96);
		}
		nets[i] = k;
		lens[i] = len;
	}
	s = mxlock_set_build(&st);
	ok(s != NULL, "%s: built a set from %u random prefixes", fam, n);
	if (!s)
		return;
	printf("# %s: %u prefixes -> %u intervals, %zu bytes (%.1f per prefix)\n",
	       fam, n, v6 ? s->nr6 : s->nr4, mxlock_set_bytes(s),
	       (double)mxlock_set_bytes(s) / n);
	ok(v6 ? s->nnode6 != 0 : s->chunks4 != 0,
	   "%s: a large set is indexed", fam);

	for (i = 0; i < queries; i++) {
		struct mxlock_key q;

		if (i % 2) {
			/* A random address. */
			q.hi = v6 ? (rnd64() & 0x1fffffffffffffffULL) |
				    0x2000000000000000ULL : 0;
			q.lo = v6 ? rnd64() : (u32)rnd64();
		} else {
			/* Next to a prefix's first address: in, or just out. */
			q = nets[rnd64() % n];
			if (i % 4 == 2) {
				if (v6 && q.lo-- == 0)
					q.hi--;
				else if (!v6)
					q.lo = (u32)(q.lo - 1);
			}
		}
		if (!check(s, &m, &q, v6))
			bad++;
	}
	ok(!bad, "%s: %u lookups agree with the naive model (%u disagree)",
	   fam, queries, bad);
	mxlock_set_free(s);
	mxlock_staging_release(&st);
	free(nets);
	free(lens);
	free(m.net);
	free(m.len);
}

/* ---- the index's bound, on many shapes of list ----------------------- */

#define MXLOCK_DEPTH6	26	/* set.c: each level takes 5 bits off */

/* The plain search the index must agree with. */
static long bsearch4(const struct mxlock_set *s, u32 a)
{
	u32 lo = 0, hi = s->nr4;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (s->r4[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && a <= s->r4[lo - 1].hi ? (long)lo - 1 : -1;
}

static long bsearch6(const struct mxlock_set *s, const struct mxlock_key *a)
{
	u32 lo = 0, hi = s->nr6;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (mxlock_key_cmp(&s->r6[mid].lo, a) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && mxlock_key_cmp(a, &s->r6[lo - 1].hi) <= 0 ?
	       (long)s->nr4 + lo - 1 : -1;
}

static void push4(struct mxlock_staging *st, u32 lo, u32 hi)
{
	mxlock_staging_push4(st, lo, hi, ~0U);
}

static const char *const lists4[] = {
	"bgp", "random /32", "clustered", "packed /16", "clumps of 8",
	"tiny/huge gaps",
};

/* n IPv4 entries of one shape. */
static void gen4(struct mxlock_staging *st, unsigned int kind, u32 n)
{
	u32 i;

	switch (kind) {
	case 0:		/* BGP-like */
		for (i = 0; i < n; i++) {
			unsigned int len;
			u32 a = gen_prefix4(&len);

			push4(st, a, a | (len >= 32 ? 0 : ~0U >> len));
		}
		break;
	case 1:		/* random single addresses */
		for (i = 0; i < n; i++) {
			u32 a = (u32)rnd64();

			push4(st, a, a);
		}
		break;
	case 2:		/* every other address from 10.0.0.0, and two far ones */
		push4(st, 1, 1);
		push4(st, 0xfffffffe, 0xfffffffe);
		for (i = 2; i < n; i++)
			push4(st, 0x0a000000 + 2 * (i - 2), 0x0a000000 + 2 * (i - 2));
		break;
	case 3:		/* all a /16 can hold, two far ones, the rest random */
		push4(st, 1, 1);
		push4(st, 0xfffffffe, 0xfffffffe);
		for (i = 2; i < n && i < 2 + 32768; i++)
			push4(st, 0x0a010000 + 2 * (i - 2), 0x0a010000 + 2 * (i - 2));
		for (; i < n; i++) {
			u32 a = (u32)rnd64();

			push4(st, a, a);
		}
		break;
	case 4:		/* clumps of 8 packed single addresses, anywhere */
		for (i = 0; i < n; i++) {
			static u32 at;

			if (i % 8 == 0)
				at = (u32)rnd64() & ~15U;
			push4(st, at + 2 * (i % 8), at + 2 * (i % 8));
		}
		break;
	default:	/* pairs one address apart, pairs spread far apart */
		for (i = 0; i < n; i++) {
			u32 a = (u32)((u64)(i / 2) * (0x100000000ULL / (n / 2 + 1)));

			push4(st, a + 2 * (i % 2), a + 2 * (i % 2));
		}
		break;
	}
}

static const char *const lists6[] = {
	"bgp", "/128s in one /64", "clustered /64s", "nested clusters",
};

static void push6(struct mxlock_staging *st, u64 hi, u64 lo, u64 hi2, u64 lo2)
{
	struct mxlock_key a = { hi, lo }, b = { hi2, lo2 };

	mxlock_staging_push6(st, &a, &b, ~0U);
}

static void gen6(struct mxlock_staging *st, unsigned int kind, u32 n)
{
	const u64 db8 = 0x20010db800000000ULL;
	u32 i;

	if (kind) {	/* one /64 at each end of 2000::/3 */
		push6(st, 0x2000000000000000ULL, 0, 0x2000000000000000ULL, ~0ULL);
		push6(st, 0x3fffffffffffffffULL, 0, 0x3fffffffffffffffULL, ~0ULL);
	}
	for (i = kind ? 2 : 0; i < n; i++) {
		struct mxlock_key lo, hi;
		unsigned int len;
		u64 x, y;

		switch (kind) {
		case 0:
			gen_prefix6(&lo, &hi, &len);
			mxlock_staging_push6(st, &lo, &hi, ~0U);
			break;
		case 1:	/* every other /128 of 2001:db8::/64 */
			push6(st, db8, 2ULL * i, db8, 2ULL * i);
			break;
		case 2:	/* every other /64 from 2001:db8:: */
			push6(st, db8 + 2ULL * i, 0, db8 + 2ULL * i, ~0ULL);
			break;
		default: /* clumps of 16 /128s, in clumps of /64s, in a /32 */
			x = db8 + ((u64)(i / 256) << 16) + (i / 16 % 16) * 2;
			y = 2ULL * (i % 16) + (rnd64() & 0xff00);
			push6(st, x, y, x, y);
			break;
		}
	}
}

static void run_shape(int v6, unsigned int kind, u32 n)
{
	struct mxlock_staging st = { 0 };
	struct mxlock_set *s;
	struct set_shape sh;
	const char *name = v6 ? lists6[kind] : lists4[kind];
	u32 i, bad = 0, nr;

	if (v6)
		gen6(&st, kind, n);
	else
		gen4(&st, kind, n);
	s = mxlock_set_build(&st);
	mxlock_staging_release(&st);
	if (!s) {
		ok(0, "IPv%d %s, %u entries: built", v6 ? 6 : 4, name, n);
		return;
	}
	sh = set_shape(s);
	nr = v6 ? s->nr6 : s->nr4;
	printf("# IPv%d %-16s %8u entries %8u intervals %10zu bytes (%5.1f per entry)",
	       v6 ? 6 : 4, name, n, nr, mxlock_set_bytes(s),
	       (double)mxlock_set_bytes(s) / n);
	if (v6)
		printf(" %u nodes, depth %u, longest run %u\n", sh.nodes6,
		       sh.depth6, sh.run6);
	else
		printf(" %u chunks, %u crowded, %u lines\n", sh.chunks4,
		       sh.crowded4, sh.lines4);
	for (i = 0; i < 200000; i++) {
		u32 r = rnd64() % (nr ? nr : 1);

		if (v6) {
			struct mxlock_key q = { (rnd64() & 0x1fffffffffffffffULL) |
						0x2000000000000000ULL, rnd64() };

			if (nr && i % 4 == 1)
				q = s->r6[r].lo;
			if (nr && i % 4 == 2) {
				q = s->r6[r].hi;
				if (++q.lo == 0)
					q.hi++;
			}
			if (nr && i % 4 == 3) {
				q.hi = s->r6[r].lo.hi;
				q.lo = s->r6[r].lo.lo + (rnd64() & 0xffff) - 0x8000;
			}
			bad += mxlock_set_find6(s, &q) != bsearch6(s, &q);
		} else {
			u32 q = (u32)rnd64();

			if (nr && i % 4 == 1)
				q = s->r4[r].lo;
			if (nr && i % 4 == 2)
				q = s->r4[r].hi + 1;
			if (nr && i % 4 == 3)
				q = s->r4[r].lo + (u32)(rnd64() & 0xff) - 0x80;
			bad += mxlock_set_find4(s, q) != bsearch4(s, q);
		}
	}
	if (v6)
		ok(!bad && !sh.bad6 && sh.run6 <= MXLOCK_RUN6 &&
		   sh.depth6 <= MXLOCK_DEPTH6,
		   "IPv6 %s, %u entries: runs of at most %u (longest %u), depth %u <= %u, every slot sound (%u not), %u lookups disagree",
		   name, n, MXLOCK_RUN6, sh.run6, sh.depth6, MXLOCK_DEPTH6,
		   sh.bad6, bad);
	else
		ok(!bad && !sh.bad4 && sh.lines4 <= 3 &&
		   (sh.crowded4 || sh.lines4 == 2),
		   "IPv4 %s, %u entries: at most %u dependent lines (bound 3, 2 outside crowded chunks), every leaf answers its chunk (%u don't), %u lookups disagree",
		   name, n, sh.lines4, sh.bad4, bad);
	mxlock_set_free(s);
}

int main(int argc, char **argv)
{
	u32 n4 = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	u32 n6 = argc > 2 ? strtoul(argv[2], NULL, 0) : 200000;

	static const u32 sizes[] = { 1, 1000, 100000, 1000000 };
	unsigned int k, z, nz = argc > 3 ? strtoul(argv[3], NULL, 0) : 4;

	printf("KTAP version 1\n1..%u\n",
	       6 + nz * (unsigned int)(sizeof(lists4) / sizeof(lists4[0]) +
				      sizeof(lists6) / sizeof(lists6[0])));
	run(0, n4, 1000000);
	run(1, n6, 400000);
	for (z = 0; z < nz && z < 4; z++) {
		for (k = 0; k < sizeof(lists4) / sizeof(lists4[0]); k++)
			run_shape(0, k, sizes[z]);
		for (k = 0; k < sizeof(lists6) / sizeof(lists6[0]); k++)
			run_shape(1, k, sizes[z]);
	}
	return ktap_done("scale");
}
