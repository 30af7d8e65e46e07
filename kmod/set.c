// SPDX-License-Identifier: GPL-2.0
/*
 * Building and changing allowlist sets. Nothing here touches a live set:
 * every function returns a new one, for the caller to publish under RCU.
 * Compiled into the module and into tests/unit/test_set.c.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif
#include "set.h"

#define MXLOCK_U32_MAX ((u32)~0U)
#define MXLOCK_U64_MAX ((u64)~0ULL)

static bool mxlock_key_is_max(const struct mxlock_key *k)
{
	return k->hi == MXLOCK_U64_MAX && k->lo == MXLOCK_U64_MAX;
}

static struct mxlock_key mxlock_key_next(struct mxlock_key k)
{
	if (++k.lo == 0)
		k.hi++;
	return k;
}

static struct mxlock_key mxlock_key_prev(struct mxlock_key k)
{
	if (k.lo-- == 0)
		k.hi--;
	return k;
}

/* Room for extra more intervals in v, paid for by st's budget. */
static int mxlock_ranges_reserve(struct mxlock_staging *st,
				 struct mxlock_ranges *v, u32 extra)
{
	struct mxlock_range *r;
	size_t cap;

	if (v->cap - v->n >= extra)
		return 0;
	/* Double to keep appends linear; bounded by the caller's limit. */
	cap = (size_t)v->n + extra;
	if (cap < 2 * (size_t)v->cap)
		cap = 2 * (size_t)v->cap;
	if (cap < 64)
		cap = 64;
	if (cap > MXLOCK_U32_MAX)
		return -E2BIG;
	/* Charged before it is allocated: a refusal allocates nothing. */
	if (mxlock_budget_charge(st->budget, cap - v->cap)) {
		st->over = true;
		return -ENOSPC;
	}
	r = mxlock_alloc(cap * sizeof(*r));
	if (!r) {
		mxlock_budget_uncharge(st->budget, cap - v->cap);
		return -ENOMEM;
	}
	if (v->n)
		memcpy(r, v->r, v->n * sizeof(*r));
	mxlock_free(v->r);
	v->r = r;
	v->cap = cap;
	return 0;
}

static int mxlock_ranges_push(struct mxlock_staging *st,
			      struct mxlock_ranges *v,
			      const struct mxlock_key *lo,
			      const struct mxlock_key *hi)
{
	int err = mxlock_ranges_reserve(st, v, 1);

	if (err)
		return err;
	v->r[v->n].lo = *lo;
	v->r[v->n].hi = *hi;
	v->n++;
	return 0;
}

static void mxlock_ranges_release(struct mxlock_staging *st,
				  struct mxlock_ranges *v)
{
	mxlock_budget_uncharge(st->budget, v->cap);
	mxlock_free(v->r);
	v->r = NULL;
	v->n = 0;
	v->cap = 0;
}

int mxlock_staging_push4(struct mxlock_staging *st, u32 lo, u32 hi,
			 u32 limit)
{
	struct mxlock_key klo = { 0, lo }, khi = { 0, hi };

	if (st->v4.n + st->v6.n >= limit)
		return -E2BIG;
	return mxlock_ranges_push(st, &st->v4, &klo, &khi);
}

int mxlock_staging_push6(struct mxlock_staging *st,
			 const struct mxlock_key *lo,
			 const struct mxlock_key *hi, u32 limit)
{
	const struct mxlock_key mlo = { MXLOCK_V4MAPPED_HI, MXLOCK_V4MAPPED_LO };
	const struct mxlock_key mhi = { MXLOCK_V4MAPPED_HI,
					MXLOCK_V4MAPPED_LO | MXLOCK_U32_MAX };
	bool below = mxlock_key_cmp(lo, &mlo) < 0;
	bool above = mxlock_key_cmp(hi, &mhi) > 0;
	struct mxlock_key k;
	int err;

	/* At the limit, nothing more: even an entry the block swallows. */
	if (st->v4.n + st->v6.n >= limit)
		return -E2BIG;
	if (mxlock_key_cmp(hi, &mlo) < 0 || mxlock_key_cmp(lo, &mhi) > 0)
		return mxlock_ranges_push(st, &st->v6, lo, hi);
	/* One entry around the block stages two intervals: both count. */
	if ((u64)st->v4.n + st->v6.n + below + above > limit)
		return -E2BIG;
	/* Carve the IPv4-mapped block out: the IPv4 list judges it. */
	if (below) {
		k = mxlock_key_prev(mlo);
		err = mxlock_ranges_push(st, &st->v6, lo, &k);
		if (err)
			return err;
	}
	if (above) {
		k = mxlock_key_next(mhi);
		err = mxlock_ranges_push(st, &st->v6, &k, hi);
		if (err)
			return err;
	}
	return 0;
}

void mxlock_staging_release(struct mxlock_staging *st)
{
	mxlock_ranges_release(st, &st->v4);
	mxlock_ranges_release(st, &st->v6);
}

static int mxlock_range_cmp(const void *a, const void *b)
{
	const struct mxlock_range *x = a, *y = b;
	int c = mxlock_key_cmp(&x->lo, &y->lo);

	return c ? c : mxlock_key_cmp(&x->hi, &y->hi);
}

static bool mxlock_ranges_sorted(const struct mxlock_ranges *v)
{
	u32 i;

	for (i = 1; i < v->n; i++) {
		if (mxlock_range_cmp(&v->r[i - 1], &v->r[i]) > 0)
			return false;
		mxlock_resched(i);
	}
	return true;
}

/* Sort and merge overlapping or touching intervals, in place. */
static void mxlock_ranges_normalise(struct mxlock_ranges *v)
{
	u32 i, m = 0;

	if (!v->n)
		return;
	/* A client that sends its list sorted saves the kernel the sort. */
	if (!mxlock_ranges_sorted(v))
		mxlock_sort(v->r, v->n, sizeof(*v->r), mxlock_range_cmp);
	for (i = 0; i < v->n; i++) {
		struct mxlock_range *last = m ? &v->r[m - 1] : NULL;
		struct mxlock_key next;

		mxlock_resched(i);
		if (last) {
			next = mxlock_key_next(last->hi);
			if (mxlock_key_is_max(&last->hi) ||
			    mxlock_key_cmp(&v->r[i].lo, &next) <= 0) {
				if (mxlock_key_cmp(&v->r[i].hi, &last->hi) > 0)
					last->hi = v->r[i].hi;
				continue;
			}
		}
		v->r[m++] = v->r[i];
	}
	v->n = m;
}

/* About one chunk per interval: runs stay short and dir stays small. */
#define MXLOCK_DIR_MAX_BITS	22
#define MXLOCK_DIR4_MAX_BITS	24	/* when sub-directories would outgrow dir4 */

static u32 mxlock_dir_bits(u32 n)
{
	u32 bits = 1;

	while (bits < MXLOCK_DIR_MAX_BITS && (1U << bits) < n)
		bits++;
	return bits;
}

/* The shift that cuts span + 1 addresses into at most 2^bits chunks. */
static u8 mxlock_dir_shift(u64 span, u32 bits)
{
	u8 width = 0;

	while (width < 64 && (span >> width))
		width++;
	return width > bits ? width - bits : 0;
}

/* ---- the IPv4 index: dir4, sub4 and leaf4 -------------------------------- */

/* A walk over the boundaries of sorted IPv4 intervals, building or counting. */
struct mxlock_walk4 {
	const struct mxlock_range *r;
	u32 nkeys;		/* 2 * intervals */
	u32 base, span;
	u8 shift;
	u32 chunks;
	struct mxlock_set *s;	/* NULL: count only */
	bool sizing;		/* count sub4 only, not the leaves of pieces */
	u32 leaves, sub;	/* made so far */
	u32 below;		/* of the last leaf made */
};

/* Boundary p: even ones start intervals, odd ones are an end + 1. */
static u32 mxlock_key4(const struct mxlock_walk4 *w, u32 p)
{
	const struct mxlock_range *r = &w->r[p / 2];

	if (p >= w->nkeys)
		return MXLOCK_U32_MAX;
	if (!(p & 1))
		return (u32)r->lo.lo;
	return (u32)r->hi.lo == MXLOCK_U32_MAX ? MXLOCK_U32_MAX :
						  (u32)r->hi.lo + 1;
}

/* From p on, the number of boundaries at or below x. */
static u32 mxlock_count4(const struct mxlock_walk4 *w, u32 p, u64 x)
{
	while (p < w->nkeys && mxlock_key4(w, p) <= x)
		p++;
	return p;
}

/*
 * A leaf for addresses whose count of boundaries at or below them is
 * p..q (q - p <= 15): the last one made, if its window holds them all.
 */
static u32 mxlock_leaf4_for(struct mxlock_walk4 *w, u32 p, u32 q)
{
	if (w->leaves && p >= w->below && q <= w->below + 15)
		return w->leaves - 1;
	w->below = p;
	if (w->s) {
		struct mxlock_leaf4 *leaf = &w->s->leaf4[w->leaves];
		u32 i;

		leaf->below = p;
		for (i = 0; i < 15; i++)
			leaf->key[i] = mxlock_key4(w, p + i);
	}
	return w->leaves++;
}

/*
 * A crowded chunk (boundaries p..q - 1 inside it, start excluded): the
 * widest pieces, 2^shift addresses, none of which holds 16 boundaries
 * past its first address. Two boundaries 15 apart must lie in different
 * pieces (differ in a bit at or above shift), or the first must start one.
 */
static u8 mxlock_sub4_shift(const struct mxlock_walk4 *w, u32 start, u32 p,
			    u32 q)
{
	u8 shift = w->shift - 3;	/* at least 8 pieces */
	u32 i;

	for (i = p; i + 15 < q; i++) {
		u32 a = mxlock_key4(w, i) - start;
		u8 d = fls(a ^ (mxlock_key4(w, i + 15) - start)) - 1;
		u8 z = a ? __ffs(a) : 32;

		if (z > d)
			d = z;
		if (d < shift)
			shift = d;
	}
	return shift;
}

/* Walk the chunks: fill dir4, sub4 and leaf4 (or only count them). */
static void mxlock_walk4_run(struct mxlock_walk4 *w)
{
	u64 width = 1ULL << w->shift;
	u32 c, p = 0;

	w->leaves = 0;
	w->sub = 0;
	for (c = 0; c < w->chunks; c++) {
		u64 start = w->base + c * width, end = start + width - 1;
		u32 q, e, j;
		u8 sh;

		if (end > MXLOCK_U32_MAX)
			end = MXLOCK_U32_MAX;
		p = mxlock_count4(w, p, start);
		q = mxlock_count4(w, p, end);
		if (q - p <= 15) {
			e = mxlock_leaf4_for(w, p, q);
			if (w->s)
				w->s->dir4[c] = e;
			continue;
		}
		sh = mxlock_sub4_shift(w, (u32)start, p, q);
		if (w->sizing) {
			w->sub += 1U << (w->shift - sh);
			p = q;
			continue;
		}
		if (w->s)
			w->s->dir4[c] = MXLOCK_SUB4 | (u32)sh << 26 | w->sub >> 3;
		for (j = 0; j < 1U << (w->shift - sh); j++) {
			u64 ps = start + ((u64)j << sh), pe = ps + (1ULL << sh) - 1;
			u32 pq;

			if (ps > MXLOCK_U32_MAX)
				ps = MXLOCK_U32_MAX;
			if (pe > MXLOCK_U32_MAX)
				pe = MXLOCK_U32_MAX;
			p = mxlock_count4(w, p, ps);
			pq = mxlock_count4(w, p, pe);
			e = mxlock_leaf4_for(w, p, pq);
			if (w->s)
				w->s->sub4[w->sub + j] = e;
		}
		/* Sub-directories start at multiples of 8 entries. */
		w->sub += 1U << (w->shift - sh);
	}
}

/*
 * Size the IPv4 index: about a chunk per interval, or more where that
 * makes dir4 and the crowded chunks' sub-directories smaller together (a
 * cluster's sub-directory halves with each doubling of the chunks). The
 * search stops once dir4 alone is larger than the best total so far.
 */
static void mxlock_plan4(struct mxlock_walk4 *w, const struct mxlock_ranges *v)
{
	u32 bits = mxlock_dir_bits(v->n), best = 0;
	u64 best_total = ~0ULL;

	w->r = v->r;
	w->nkeys = 2 * v->n;
	w->s = NULL;
	if (!v->n)
		return;
	w->base = (u32)v->r[0].lo.lo;
	w->span = (u32)v->r[v->n - 1].hi.lo - w->base;
	w->sizing = true;
	for (;; bits++) {
		u64 total;

		w->shift = mxlock_dir_shift(w->span, bits);
		w->chunks = (w->span >> w->shift) + 1;
		mxlock_walk4_run(w);
		total = (u64)w->chunks + w->sub;
		if (total < best_total) {
			best_total = total;
			best = bits;
		}
		if (!w->sub || !w->shift || bits >= MXLOCK_DIR4_MAX_BITS ||
		    2ULL * w->chunks >= best_total)
			break;
	}
	/* No crowded chunk: the sizing walk counted every leaf. */
	w->sizing = false;
	if (best != bits || w->sub) {
		w->shift = mxlock_dir_shift(w->span, best);
		w->chunks = (w->span >> w->shift) + 1;
		mxlock_walk4_run(w);
	}
}

/* ---- the IPv6 index: a tree of directories ------------------------------ */

static struct mxlock_key mxlock_key_sub(const struct mxlock_key *a,
					const struct mxlock_key *b)
{
	struct mxlock_key d = { a->hi - b->hi - (a->lo < b->lo), a->lo - b->lo };

	return d;
}

/* a + (v << shift); sets *over if that passes the top of the space. */
static struct mxlock_key mxlock_key_add_shl(const struct mxlock_key *a, u64 v,
					    u8 shift, bool *over)
{
	struct mxlock_key k = { 0, 0 }, sum;

	*over = false;
	if (shift >= 64) {
		k.hi = v << (shift - 64);
		if (shift > 64 && v >> (128 - shift))
			*over = true;
	} else {
		k.lo = v << shift;
		k.hi = shift ? v >> (64 - shift) : 0;
	}
	sum.lo = a->lo + k.lo;
	sum.hi = a->hi + k.hi + (sum.lo < a->lo);
	if (sum.hi < a->hi || (sum.hi == a->hi && sum.lo < a->lo))
		*over = true;
	return sum;
}

static u8 mxlock_bits64(u64 x)
{
	return x >> 32 ? 32 + fls((u32)(x >> 32)) : fls((u32)x);
}

/* The number of significant bits of k. */
static u8 mxlock_key_bits(const struct mxlock_key *k)
{
	return k->hi ? 64 + mxlock_bits64(k->hi) : mxlock_bits64(k->lo);
}

/*
 * A growable array, for building the IPv6 tree before its size is known.
 * Counts of its elements are u32 and index it as MXLOCK_NODE6 | node or as
 * node->slots + slot, so need is taken wide and the array never passes
 * MXLOCK_GROW_MAX elements: a count that would is refused, not wrapped
 * (a wrapped one would have left the array too small for the writes).
 */
int mxlock_grow(void **v, u32 *cap, u64 need, size_t size)
{
	u64 c = *cap ? *cap : 64;
	void *n;

	if (need <= *cap)
		return 0;
	if (need > MXLOCK_GROW_MAX)
		return -E2BIG;
	while (c < need)
		c *= 2;
	if (c > MXLOCK_GROW_MAX)
		c = MXLOCK_GROW_MAX;
	n = mxlock_alloc((size_t)c * size);
	if (!n)
		return -ENOMEM;
	if (*cap)
		memcpy(n, *v, (size_t)*cap * size);
	mxlock_free(*v);
	*v = n;
	*cap = c;
	return 0;
}

/* A node's intervals and the last address of its region, while building. */
struct mxlock_pend6 {
	struct mxlock_key end;
	u32 a, b;
};

struct mxlock_tree6 {
	const struct mxlock_range *r;
	u32 n;
	struct mxlock_node6 *node;
	struct mxlock_pend6 *pend;
	u32 *ent;
	u32 nnode, nent, capnode, cappend, capent;
	u8 depth;
};

/* A node over intervals a..b clipped to lo..hi; its slots come later. */
static int mxlock_node6_add(struct mxlock_tree6 *t, u32 a, u32 b,
			    const struct mxlock_key *lo,
			    const struct mxlock_key *hi, u8 bits, u8 depth)
{
	struct mxlock_node6 *node;
	struct mxlock_key base = *lo, end = *hi, w;
	u8 wbits;
	int err;

	err = mxlock_grow((void **)&t->node, &t->capnode, (u64)t->nnode + 1,
			  sizeof(*t->node));
	if (!err)
		err = mxlock_grow((void **)&t->pend, &t->cappend,
				  (u64)t->nnode + 1, sizeof(*t->pend));
	if (err)
		return err;
	/* Zoom in on the intervals' extent within the region. */
	if (mxlock_key_cmp(&t->r[a].lo, &base) > 0)
		base = t->r[a].lo;
	if (mxlock_key_cmp(&t->r[b].hi, &end) < 0)
		end = t->r[b].hi;
	w = mxlock_key_sub(&end, &base);
	wbits = mxlock_key_bits(&w);
	if (bits > wbits)
		bits = wbits;
	node = &t->node[t->nnode];
	node->base = base;
	node->bits = bits;
	node->shift = wbits - bits;
	node->slots = 0;
	node->depth = depth;
	t->pend[t->nnode].end = end;
	t->pend[t->nnode].a = a;
	t->pend[t->nnode].b = b;
	t->nnode++;
	if (depth > t->depth)
		t->depth = depth;
	return 0;
}

/*
 * Node k's slots: each names the run of intervals that meet it (start,
 * length) when at most MXLOCK_RUN6 do, else a child node over them.
 * A child has at least 2^5 slots over a region no wider than its parent's
 * slot, so each level takes 5 or more bits off the shift, and a slot of a
 * single address holds one interval at most: the tree is at most 26 deep.
 */
static int mxlock_node6_fill(struct mxlock_tree6 *t, u32 k)
{
	struct mxlock_key base = t->node[k].base, end = t->pend[k].end;
	u32 a = t->pend[k].a, b = t->pend[k].b, first = a, j, at;
	u8 shift = t->node[k].shift, bits = t->node[k].bits;
	u8 depth = t->node[k].depth;
	int err;

	err = mxlock_grow((void **)&t->ent, &t->capent,
			  (u64)t->nent + (1U << bits), sizeof(*t->ent));
	if (err)
		return err;
	at = t->nent;
	t->node[k].slots = at;
	t->nent += 1U << bits;
	for (j = 0; j < 1U << bits; j++) {
		struct mxlock_key ps, pe;
		bool over;
		u32 last, cnt = 0;

		ps = mxlock_key_add_shl(&base, j, shift, &over);
		if (over || mxlock_key_cmp(&ps, &end) > 0) {
			/* Past the intervals: an empty run. */
			t->ent[at + j] = 0;
			continue;
		}
		pe = mxlock_key_add_shl(&base, (u64)j + 1, shift, &over);
		pe = over ? (struct mxlock_key){ MXLOCK_U64_MAX, MXLOCK_U64_MAX } :
			    mxlock_key_prev(pe);
		if (mxlock_key_cmp(&pe, &end) > 0)
			pe = end;
		while (first <= b && mxlock_key_cmp(&t->r[first].hi, &ps) < 0)
			first++;
		last = first;
		if (first <= b && mxlock_key_cmp(&t->r[first].lo, &pe) <= 0) {
			while (last < b &&
			       mxlock_key_cmp(&t->r[last + 1].lo, &pe) <= 0)
				last++;
			cnt = last - first + 1;
		}
		if (cnt <= MXLOCK_RUN6) {
			t->ent[at + j] = cnt ? cnt << 28 | first : 0;
			continue;
		}
		err = mxlock_node6_add(t, first, last, &ps, &pe,
				       fls(cnt) < MXLOCK_DIR_MAX_BITS ? fls(cnt) + 1 :
				       MXLOCK_DIR_MAX_BITS, depth + 1);
		if (err)
			return err;
		t->ent[at + j] = MXLOCK_NODE6 | (t->nnode - 1);
	}
	return 0;
}

static void mxlock_tree6_release(struct mxlock_tree6 *t)
{
	mxlock_free(t->node);
	mxlock_free(t->pend);
	mxlock_free(t->ent);
}

static int mxlock_tree6_build(struct mxlock_tree6 *t,
			      const struct mxlock_ranges *v)
{
	u32 k;
	int err;

	memset(t, 0, sizeof(*t));
	t->r = v->r;
	t->n = v->n;
	if (!v->n)
		return 0;
	/* A run names its first interval in the 28 bits of MXLOCK_RUN6_AT. */
	if (v->n - 1 > MXLOCK_RUN6_AT(~0U))
		return -E2BIG;
	err = mxlock_node6_add(t, 0, v->n - 1, &v->r[0].lo, &v->r[v->n - 1].hi,
			       mxlock_dir_bits(v->n), 0);
	for (k = 0; !err && k < t->nnode; k++)
		err = mxlock_node6_fill(t, k);
	return err;
}

/* ---- a set: intervals and both indexes in one allocation ---------------- */

#define MXLOCK_LINE	64

/* Build a set from st (reordered and merged in place; still the caller's). */
struct mxlock_set *mxlock_set_build(struct mxlock_staging *st)
{
	struct mxlock_walk4 w = {};
	struct mxlock_tree6 t;
	struct mxlock_set *s = NULL;
	size_t size4, size6, at, leaf, node, dir, sub, ent, bytes;
	char *p;
	u32 i;

	mxlock_ranges_normalise(&st->v4);
	mxlock_ranges_normalise(&st->v6);
	mxlock_plan4(&w, &st->v4);
	if (mxlock_tree6_build(&t, &st->v6))
		goto out;
	size4 = (size_t)st->v4.n * sizeof(s->r4[0]);
	size6 = (size_t)st->v6.n * sizeof(s->r6[0]);
	/* Leaves on whole lines: the allocation is padded to align them. */
	at = sizeof(*s) + size4 + size6;
	leaf = at;
	node = leaf + (size_t)w.leaves * sizeof(struct mxlock_leaf4);
	dir = node + (size_t)t.nnode * sizeof(*t.node);
	sub = dir + (size_t)w.chunks * sizeof(u32);
	ent = sub + (size_t)w.sub * sizeof(u32);
	bytes = ent + (size_t)t.nent * sizeof(u32) + MXLOCK_LINE - 1;
	s = mxlock_alloc(bytes);
	if (!s)
		goto out;
	memset(s, 0, sizeof(*s));
	s->bytes = bytes;
	s->nr4 = st->v4.n;
	s->nr6 = st->v6.n;
	for (i = 0; i < s->nr4; i++) {
		s->r4[i].lo = (u32)st->v4.r[i].lo.lo;
		s->r4[i].hi = (u32)st->v4.r[i].hi.lo;
	}
	s->r6 = (struct mxlock_range *)((char *)s->r4 + size4);
	if (s->nr6)
		memcpy(s->r6, st->v6.r, size6);
	p = (char *)s + leaf;
	p += -(unsigned long)p & (MXLOCK_LINE - 1);
	s->leaf4 = (struct mxlock_leaf4 *)p;
	s->node6 = (struct mxlock_node6 *)(p + (node - leaf));
	s->dir4 = (u32 *)(p + (dir - leaf));
	s->sub4 = (u32 *)(p + (sub - leaf));
	s->ent6 = (u32 *)(p + (ent - leaf));
	if (s->nr4) {
		s->base4 = w.base;
		s->span4 = w.span;
		s->shift4 = w.shift;
		s->mask4 = (1U << w.shift) - 1;
		s->chunks4 = w.chunks;
		w.s = s;
		mxlock_walk4_run(&w);
		s->nleaf4 = w.leaves;
		s->nsub4 = w.sub;
	}
	if (t.nnode) {
		memcpy(s->node6, t.node, (size_t)t.nnode * sizeof(*t.node));
		memcpy(s->ent6, t.ent, (size_t)t.nent * sizeof(u32));
		s->nnode6 = t.nnode;
		s->nent6 = t.nent;
		s->depth6 = t.depth;
	}
out:
	mxlock_tree6_release(&t);
	return s;
}

/* Bytes a set takes, for the benchmarks' memory-per-entry figure. */
size_t mxlock_set_bytes(const struct mxlock_set *s)
{
	return s->bytes;
}

/* Append the intervals of s to st, in staging form. */
static int mxlock_set_export(const struct mxlock_set *s,
			     struct mxlock_staging *st)
{
	u32 i;
	int err;

	err = mxlock_ranges_reserve(st, &st->v4, s->nr4);
	if (!err)
		err = mxlock_ranges_reserve(st, &st->v6, s->nr6);
	if (err)
		return err;
	for (i = 0; i < s->nr4; i++) {
		struct mxlock_range *r = &st->v4.r[st->v4.n++];

		mxlock_resched(i);
		r->lo.hi = 0;
		r->lo.lo = s->r4[i].lo;
		r->hi.hi = 0;
		r->hi.lo = s->r4[i].hi;
	}
	if (s->nr6)
		memcpy(st->v6.r + st->v6.n, s->r6, s->nr6 * sizeof(s->r6[0]));
	st->v6.n += s->nr6;
	return 0;
}

/* Interval i of s's IPv4 (v6 false) or IPv6 part, as keys. */
static struct mxlock_range mxlock_set_range(const struct mxlock_set *s,
					    bool v6, u32 i)
{
	struct mxlock_range r = { { 0, 0 }, { 0, 0 } };

	if (v6)
		return s->r6[i];
	r.lo.lo = s->r4[i].lo;
	r.hi.lo = s->r4[i].hi;
	return r;
}

/*
 * v (normalised) and s's intervals of one family (sorted) into v, in one
 * pass and no more memory than appending them: v's own move to the end,
 * and the merge fills from the front. It never overtakes them: k = i + j.
 */
static int mxlock_ranges_merge_set(struct mxlock_staging *st,
				   struct mxlock_ranges *v,
				   const struct mxlock_set *s, bool v6)
{
	u32 n = v6 ? s->nr6 : s->nr4, m = v->n, i = 0, j = n, k = 0;
	struct mxlock_range a;
	int err;

	err = mxlock_ranges_reserve(st, v, n);
	if (err)
		return err;
	if (m)
		memmove(v->r + n, v->r, m * sizeof(*v->r));
	while (i < n) {
		a = mxlock_set_range(s, v6, i);
		if (j < n + m && mxlock_range_cmp(&v->r[j], &a) < 0) {
			v->r[k++] = v->r[j++];
		} else {
			v->r[k++] = a;
			i++;
		}
		mxlock_resched(k);
	}
	/* What is left of v's own (j.. ) is where it belongs already. */
	v->n = n + m;
	return 0;
}

/*
 * old (may be NULL) plus the intervals in st, which this extends. Only
 * st's few are sorted; old's many are merged in, linear in both.
 */
struct mxlock_set *mxlock_set_add(const struct mxlock_set *old,
				  struct mxlock_staging *st)
{
	if (old) {
		mxlock_ranges_normalise(&st->v4);
		mxlock_ranges_normalise(&st->v6);
		if (mxlock_ranges_merge_set(st, &st->v4, old, false) ||
		    mxlock_ranges_merge_set(st, &st->v6, old, true))
			return NULL;
	}
	return mxlock_set_build(st);
}

/*
 * a minus b, both normalised, into out; with out == NULL only count the
 * resulting intervals.
 */
static u32 mxlock_ranges_diff(const struct mxlock_ranges *a,
			      const struct mxlock_ranges *b,
			      struct mxlock_range *out)
{
	u32 i, j = 0, n = 0;

	for (i = 0; i < a->n; i++) {
		struct mxlock_key cur = a->r[i].lo, end = a->r[i].hi;
		bool covered = false;
		u32 k;

		mxlock_resched(i);
		while (j < b->n && mxlock_key_cmp(&b->r[j].hi, &cur) < 0)
			j++;
		for (k = j; k < b->n && mxlock_key_cmp(&b->r[k].lo, &end) <= 0;
		     k++) {
			if (mxlock_key_cmp(&b->r[k].lo, &cur) > 0) {
				if (out) {
					out[n].lo = cur;
					out[n].hi = mxlock_key_prev(b->r[k].lo);
				}
				n++;
			}
			if (mxlock_key_cmp(&b->r[k].hi, &end) >= 0) {
				covered = true;
				break;
			}
			cur = mxlock_key_next(b->r[k].hi);
		}
		if (!covered) {
			if (out) {
				out[n].lo = cur;
				out[n].hi = end;
			}
			n++;
		}
	}
	return n;
}

/* Replace a, of st, with a minus b (b is normalised in place). */
static int mxlock_ranges_subtract(struct mxlock_staging *st,
				  struct mxlock_ranges *a,
				  struct mxlock_ranges *b)
{
	struct mxlock_ranges out = {};
	int err;

	mxlock_ranges_normalise(a);
	mxlock_ranges_normalise(b);
	err = mxlock_ranges_reserve(st, &out, mxlock_ranges_diff(a, b, NULL));
	if (err)
		return err;
	out.n = mxlock_ranges_diff(a, b, out.r);
	mxlock_ranges_release(st, a);
	*a = out;
	return 0;
}

/* old minus the intervals in st (reordered and merged in place). */
struct mxlock_set *mxlock_set_subtract(const struct mxlock_set *old,
				       struct mxlock_staging *st)
{
	/* The working copy is paid for like st itself. */
	struct mxlock_staging cur = { .budget = st->budget };
	struct mxlock_set *s = NULL;

	if (!mxlock_set_export(old, &cur) &&
	    !mxlock_ranges_subtract(&cur, &cur.v4, &st->v4) &&
	    !mxlock_ranges_subtract(&cur, &cur.v6, &st->v6))
		s = mxlock_set_build(&cur);
	st->over |= cur.over;
	mxlock_staging_release(&cur);
	return s;
}

static void mxlock_diff_note(struct mxlock_diff *d, bool v6,
			     const struct mxlock_key *lo,
			     const struct mxlock_key *hi)
{
	u32 *n = v6 ? &d->n6 : &d->n4;
	u32 at = d->n4 + d->n6;

	if (at < d->max) {
		d->r[at].lo = *lo;
		d->r[at].hi = *hi;
	}
	(*n)++;
}

/*
 * One family of a minus b into d, in one merge walk: each interval of a,
 * less the intervals of b that meet it. The pieces come out merged: those
 * of one interval of a are parted by b's, those of two by the gap between
 * them. O(n + m): an interval of b is passed over for good once an
 * interval of a ends after it, so only the last that meets an interval of
 * a is looked at again for the next.
 */
static void mxlock_diff_family(const struct mxlock_set *a,
			       const struct mxlock_set *b, bool v6,
			       struct mxlock_diff *d)
{
	u32 na = v6 ? a->nr6 : a->nr4, nb = v6 ? b->nr6 : b->nr4;
	u32 i, j = 0, k;

	for (i = 0; i < na; i++) {
		struct mxlock_range x = mxlock_set_range(a, v6, i), y;
		struct mxlock_key cur = x.lo, end;
		bool covered = false;

		while (j < nb) {
			y = mxlock_set_range(b, v6, j);
			if (mxlock_key_cmp(&y.hi, &cur) >= 0)
				break;
			j++;
		}
		for (k = j; k < nb; k++) {
			y = mxlock_set_range(b, v6, k);
			if (mxlock_key_cmp(&y.lo, &x.hi) > 0)
				break;
			if (mxlock_key_cmp(&y.lo, &cur) > 0) {
				end = mxlock_key_prev(y.lo);
				mxlock_diff_note(d, v6, &cur, &end);
			}
			if (mxlock_key_cmp(&y.hi, &x.hi) >= 0) {
				covered = true;
				break;
			}
			cur = mxlock_key_next(y.hi);
		}
		if (!covered)
			mxlock_diff_note(d, v6, &cur, &x.hi);
	}
}

/* The addresses of a not in b (either may be NULL: empty), into d. */
void mxlock_set_diff(const struct mxlock_set *a, const struct mxlock_set *b,
		     struct mxlock_diff *d)
{
	static const struct mxlock_set empty;

	d->n4 = 0;
	d->n6 = 0;
	if (!a)
		a = &empty;
	if (!b)
		b = &empty;
	mxlock_diff_family(a, b, false, d);
	mxlock_diff_family(a, b, true, d);
}

/* Does any address in lo..hi belong to s? */
bool mxlock_set_overlaps4(const struct mxlock_set *s, u32 lo, u32 hi)
{
	u32 a = 0, b = s->nr4;

	/* The first interval that ends at or above lo is the only candidate. */
	while (a < b) {
		u32 mid = a + (b - a) / 2;

		if (s->r4[mid].hi < lo)
			a = mid + 1;
		else
			b = mid;
	}
	return a < s->nr4 && s->r4[a].lo <= hi;
}

bool mxlock_set_overlaps6(const struct mxlock_set *s,
			  const struct mxlock_key *lo,
			  const struct mxlock_key *hi)
{
	u32 a = 0, b = s->nr6;

	while (a < b) {
		u32 mid = a + (b - a) / 2;

		if (mxlock_key_cmp(&s->r6[mid].hi, lo) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	return a < s->nr6 && mxlock_key_cmp(&s->r6[a].lo, hi) <= 0;
}
