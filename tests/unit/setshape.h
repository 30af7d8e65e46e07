/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shape of a set's lookup index, recomputed from the set alone and
 * checked: how many dependent cache lines an IPv4 lookup can read after
 * the set header (the documented bound is 2, 3 in crowded chunks), and how
 * deep an IPv6 lookup goes and how long a run it searches at the end. Used
 * by test_scale (which asserts the bounds), test_set, the fuzz target and
 * the host benchmark. Include after set.h. Host only.
 */
#ifndef _MXLOCK_SETSHAPE_H
#define _MXLOCK_SETSHAPE_H

/* The fuzz target leaves these uninstrumented: they are the checker. */
#ifndef SHAPE_FN
#define SHAPE_FN static inline
#endif

struct set_shape {
	u32 chunks4;	/* IPv4 chunks */
	u32 crowded4;	/* of which with a sub-directory */
	u32 lines4;	/* most dependent lines an IPv4 lookup reads */
	u32 bad4;	/* (sub)chunks whose leaf can't answer them all */
	u32 nodes6;	/* IPv6 directory nodes */
	u32 depth6;	/* levels below the root a lookup may go */
	u32 run6;	/* longest run an IPv6 lookup searches */
	u32 bad6;	/* slots whose run misses an interval they meet */
};

/* What the IPv4 index stores as boundary p (see set.h). */
SHAPE_FN u32 shape_key4(const struct mxlock_set *s, u64 p)
{
	const struct mxlock_range4 *r = &s->r4[p / 2];

	if (p >= 2ULL * s->nr4)
		return ~0U;
	if (!(p & 1))
		return r->lo;
	return r->hi == ~0U ? ~0U : r->hi + 1;
}

/* The number of boundaries at or below x, by binary search. */
SHAPE_FN u64 shape_count4(const struct mxlock_set *s, u64 x)
{
	u64 lo = 0, hi = 2ULL * s->nr4;

	while (lo < hi) {
		u64 mid = (lo + hi) / 2;

		if (shape_key4(s, mid) <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Can leaf e answer every address of start..end from its one line? */
SHAPE_FN int shape_leaf4_ok(const struct mxlock_set *s, u32 e, u64 start,
				 u64 end)
{
	const struct mxlock_leaf4 *leaf = &s->leaf4[e];
	u64 p = shape_count4(s, start), q = shape_count4(s, end);

	if (e >= s->nleaf4 || ((uintptr_t)leaf & 63))
		return 0;
	if (leaf->below > p || q > (u64)leaf->below + 15)
		return 0;
	for (u32 i = 0; i < 15; i++)
		if (leaf->key[i] != shape_key4(s, (u64)leaf->below + i))
			return 0;
	return 1;
}

/* One IPv6 slot's run: every interval meeting lo..hi within its window. */
SHAPE_FN int shape_run6(const struct mxlock_set *s, u32 e,
			     const struct mxlock_key *lo,
			     const struct mxlock_key *hi, u32 *run)
{
	u32 a = 0, b = s->nr6, first, last;

	while (a < b) {		/* the first interval ending at or after lo */
		u32 mid = a + (b - a) / 2;

		if (mxlock_key_cmp(&s->r6[mid].hi, lo) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	first = a;
	for (last = first; last < s->nr6 &&
	     mxlock_key_cmp(&s->r6[last].lo, hi) <= 0; last++)
		;
	if (last - first > *run)
		*run = last - first;
	if (last == first)
		return 1;	/* any run answers: none holds an address here */
	return MXLOCK_RUN6_AT(e) <= first &&
	       last <= MXLOCK_RUN6_AT(e) + MXLOCK_RUN6_LEN(e);
}

SHAPE_FN struct mxlock_key shape_add(struct mxlock_key k, unsigned int sh,
					  u64 v, int *over)
{
	unsigned __int128 x = (unsigned __int128)k.hi << 64 | k.lo, d;

	d = sh >= 128 ? 0 : (unsigned __int128)v << sh;
	*over = (sh >= 128 ? v != 0 : (d >> sh) != v) || x + d < x;
	x += d;
	k.hi = (u64)(x >> 64);
	k.lo = (u64)x;
	return k;
}

/* Node k over lo..hi (its parent's slot): check its slots, recursively. */
SHAPE_FN void shape_node6(const struct mxlock_set *s, struct set_shape *sh,
			       u32 k, struct mxlock_key lo, struct mxlock_key hi,
			       u32 depth)
{
	const struct mxlock_node6 *node = &s->node6[k];

	if (k >= s->nnode6 || node->depth != depth) {
		sh->bad6++;
		return;
	}
	if (depth > sh->depth6)
		sh->depth6 = depth;
	for (u64 j = 0; j < 1ULL << node->bits; j++) {
		struct mxlock_key ps, pe;
		u32 e = s->ent6[node->slots + j];
		int over;

		ps = shape_add(node->base, node->shift, j, &over);
		if (over || mxlock_key_cmp(&ps, &hi) > 0)
			continue;	/* no address of the parent's slot */
		pe = shape_add(node->base, node->shift, j + 1, &over);
		if (over) {
			pe.hi = pe.lo = ~0ULL;
		} else if (pe.lo-- == 0) {
			pe.hi--;
		}
		if (mxlock_key_cmp(&ps, &lo) < 0)
			ps = lo;
		if (mxlock_key_cmp(&pe, &hi) > 0)
			pe = hi;
		if (mxlock_key_cmp(&pe, &lo) < 0)
			continue;
		if (e & MXLOCK_NODE6)
			shape_node6(s, sh, e & ~MXLOCK_NODE6, ps, pe, depth + 1);
		else if (!shape_run6(s, e, &ps, &pe, &sh->run6))
			sh->bad6++;
	}
}

SHAPE_FN struct set_shape set_shape(const struct mxlock_set *s)
{
	struct set_shape sh = { 0 };

	if (s->nr4) {
		u64 width = 1ULL << s->shift4, last = (u64)s->base4 + s->span4;

		sh.chunks4 = s->chunks4;
		sh.lines4 = 2;
		for (u32 c = 0; c < s->chunks4; c++) {
			u64 start = s->base4 + c * width, end = start + width - 1;
			u32 e = s->dir4[c];

			if (end > last)
				end = last;
			if (!(e & MXLOCK_SUB4)) {
				sh.bad4 += !shape_leaf4_ok(s, e, start, end);
				continue;
			}
			sh.crowded4++;
			sh.lines4 = 3;
			u32 shift = MXLOCK_SUB4_SHIFT(e);

			for (u64 j = 0; j < 1ULL << (s->shift4 - shift); j++) {
				u64 ps = start + (j << shift), pe = ps + (1ULL << shift) - 1;

				if (ps > end)
					break;
				if (pe > end)
					pe = end;
				sh.bad4 += !shape_leaf4_ok(s, s->sub4[MXLOCK_SUB4_AT(e) + j],
							   ps, pe);
			}
		}
	}
	if (s->nr6) {
		struct mxlock_key lo = { 0, 0 }, hi = { ~0ULL, ~0ULL };

		sh.nodes6 = s->nnode6;
		shape_node6(s, &sh, 0, lo, hi, 0);
	}
	return sh;
}

#endif /* _MXLOCK_SETSHAPE_H */
