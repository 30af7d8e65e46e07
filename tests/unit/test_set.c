// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of kmod/set.c, the same file the module runs: every set
 * operation is checked against a naive model (a bitmap over a window of
 * addresses) on random data, for each family, with windows placed on the
 * edges that matter (the ends of the IPv4 space, a 64-bit carry inside an
 * IPv6 key), plus fixed cases for what a window cannot show. Besides random
 * intervals, clustered and adversarial shapes (packed single addresses,
 * clumps of 8, alternating tiny and huge gaps, everything in one chunk),
 * with far-away anchors outside the window that stretch the index's span
 * so the window's intervals crowd its chunks; each such set's index is
 * also checked structurally (setshape.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "set.h"
#include "ktap.h"
#include "setshape.h"

#define UNIVERSE (1U << 14)	/* small, so random intervals collide */

static u32 rnd(u32 n)
{
	return (u32)(((unsigned long long)rand() << 16 ^ rand()) % n);
}

/* A window of UNIVERSE addresses of one family, starting at base. */
struct window {
	int v6;
	struct mxlock_key base;
	const char *name;
	struct mxlock_key anchor[2];	/* far outside the window */
};

static const struct window windows[] = {
	{ 0, { 0, 0 }, "IPv4 from 0.0.0.0",
	  { { 0, 0xf0000000 }, { 0, 0xfffffff0 } } },
	{ 0, { 0, 0xc7590000 - UNIVERSE / 2 }, "IPv4 around 199.89.0.0",
	  { { 0, 0x10 }, { 0, 0xfffffff0 } } },
	{ 0, { 0, 0x100000000ULL - UNIVERSE }, "IPv4 up to 255.255.255.255",
	  { { 0, 0 }, { 0, 0x1000 } } },
	{ 1, { 0x20010db800000000ULL, 0 }, "IPv6 from 2001:db8::",
	  { { 0, 0x1000 }, { 0xfe80000000000000ULL, 1 } } },
	{ 1, { 5, ~0ULL - UNIVERSE / 2 + 1 }, "IPv6 across a 64-bit carry",
	  { { 0, 0x1000 }, { 0x20010db800000000ULL, 0 } } },
	{ 1, { ~0ULL, ~0ULL - UNIVERSE + 1 }, "IPv6 up to ffff:...:ffff",
	  { { 0, 0x1000 }, { 0xff00000000000000ULL, 0 } } },
};

static struct mxlock_key key_of(const struct window *w, u32 x)
{
	struct mxlock_key k = w->base;

	k.lo += x;
	if (k.lo < w->base.lo)
		k.hi++;
	return k;
}

static void push(struct mxlock_staging *st, const struct window *w, u32 lo,
		 u32 hi)
{
	struct mxlock_key klo = key_of(w, lo), khi = key_of(w, hi);

	if (w->v6)
		mxlock_staging_push6(st, &klo, &khi, ~0U);
	else
		mxlock_staging_push4(st, (u32)klo.lo, (u32)khi.lo, ~0U);
}

static int contains(const struct mxlock_set *s, const struct window *w,
		    u32 x)
{
	struct mxlock_key k = key_of(w, x);

	return w->v6 ? mxlock_set_contains6(s, &k) :
		       mxlock_set_contains4(s, (u32)k.lo);
}

static int overlaps(const struct mxlock_set *s, const struct window *w,
		    u32 lo, u32 hi)
{
	struct mxlock_key klo = key_of(w, lo), khi = key_of(w, hi);

	return w->v6 ? mxlock_set_overlaps6(s, &klo, &khi) :
		       mxlock_set_overlaps4(s, (u32)klo.lo, (u32)khi.lo);
}

/* Intervals must be sorted, disjoint and not touching. */
static int well_formed(const struct mxlock_set *s)
{
	for (u32 i = 0; i < s->nr4; i++) {
		if (s->r4[i].lo > s->r4[i].hi)
			return 0;
		if (i && s->r4[i].lo <= s->r4[i - 1].hi + 1)
			return 0;
	}
	for (u32 i = 0; i < s->nr6; i++) {
		struct mxlock_key next;

		if (mxlock_key_cmp(&s->r6[i].lo, &s->r6[i].hi) > 0)
			return 0;
		if (!i)
			continue;
		next = s->r6[i - 1].hi;
		if (++next.lo == 0)
			next.hi++;
		if (mxlock_key_cmp(&s->r6[i].lo, &next) <= 0)
			return 0;
	}
	return 1;
}

/* The set equals the model, address by address, and counts its runs. */
static int anchored;	/* the anchors are in the set, besides the window */

static int matches(const struct mxlock_set *s, const struct window *w,
		   const unsigned char *bm)
{
	u32 runs = anchored ? 2 : 0, other = w->v6 ? s->nr4 : s->nr6;

	for (u32 x = 0; x < UNIVERSE; x++) {
		if (contains(s, w, x) != bm[x])
			return 0;
		if (bm[x] && (x == 0 || !bm[x - 1]))
			runs++;
	}
	return runs == (w->v6 ? s->nr6 : s->nr4) && other == 0;
}

static void random_ranges(struct mxlock_staging *st, const struct window *w,
			  unsigned char *bm, u32 n, unsigned char val)
{
	for (u32 i = 0; i < n; i++) {
		u32 lo = rnd(UNIVERSE), len = rnd(4) ? rnd(64) : rnd(2048);
		u32 hi = lo + len >= UNIVERSE ? UNIVERSE - 1 : lo + len;

		push(st, w, lo, hi);
		memset(bm + lo, val, hi - lo + 1);
	}
}

static void push_anchors(struct mxlock_staging *st, const struct window *w)
{
	for (int i = 0; i < 2; i++) {
		if (w->v6)
			mxlock_staging_push6(st, &w->anchor[i], &w->anchor[i], ~0U);
		else
			mxlock_staging_push4(st, (u32)w->anchor[i].lo,
					     (u32)w->anchor[i].lo, ~0U);
	}
}

/* Single addresses every other one over lo..lo + len: the densest list. */
static void packed(struct mxlock_staging *st, const struct window *w,
		   unsigned char *bm, u32 lo, u32 len)
{
	for (u32 x = lo; x < lo + len && x < UNIVERSE; x += 2) {
		push(st, w, x, x);
		bm[x] = 1;
	}
}

/*
 * A clustered or adversarial list in the window, shape 0-3: packed single
 * addresses over most of it; clumps of 8 packed addresses at random
 * places; pairs of single addresses one apart with huge gaps between
 * pairs (alternating tiny and huge gaps); a random mix of all three.
 */
static void shaped_ranges(struct mxlock_staging *st, const struct window *w,
			  unsigned char *bm, unsigned int shape)
{
	u32 i, n;

	switch (shape) {
	case 0:
		packed(st, w, bm, rnd(64), UNIVERSE - rnd(UNIVERSE / 4));
		break;
	case 1:
		for (i = 0, n = 1 + rnd(200); i < n; i++)
			packed(st, w, bm, rnd(UNIVERSE), 16);
		break;
	case 2: {
		u32 gap = 3 + rnd(2000);

		for (i = rnd(4); i + 2 < UNIVERSE; i += gap) {
			push(st, w, i, i);
			push(st, w, i + 2, i + 2);
			bm[i] = bm[i + 2] = 1;
		}
		break;
	}
	default:
		for (i = 0, n = 1 + rnd(20); i < n; i++)
			packed(st, w, bm, rnd(UNIVERSE), rnd(600));
		random_ranges(st, w, bm, rnd(30), 1);
		break;
	}
}

static u32 seen_crowded4, seen_depth6, seen_sets;

static int shape_ok(const struct mxlock_set *s)
{
	struct set_shape sh = set_shape(s);

	seen_sets++;
	seen_crowded4 += sh.crowded4 > 0;
	if (sh.depth6 > seen_depth6)
		seen_depth6 = sh.depth6;

	return !sh.bad4 && !sh.bad6 && sh.lines4 <= 3 &&
	       sh.run6 <= MXLOCK_RUN6;
}

static int overlaps_match(const struct mxlock_set *s, const struct window *w,
			  const unsigned char *bm)
{
	for (int t = 0; t < 2000; t++) {
		u32 lo = rnd(UNIVERSE), hi = lo + rnd(100), x, any = 0;

		if (hi >= UNIVERSE)
			hi = UNIVERSE - 1;
		for (x = lo; x <= hi; x++)
			any |= bm[x];
		if (overlaps(s, w, lo, hi) != !!any)
			return 0;
	}
	return 1;
}

/*
 * mxlock_set_diff(a, b) (either may be NULL) against the model: the runs
 * of addresses in bma and not in bmb, counted, the first max of them
 * recorded exactly.
 */
#define DIFF_MAX 8

static int diff_matches(const struct mxlock_set *a, const struct mxlock_set *b,
			const struct window *w, const unsigned char *bma,
			const unsigned char *bmb, u32 max)
{
	struct mxlock_range r[DIFF_MAX] = {};
	struct mxlock_diff d = { .max = max, .r = r };
	u32 x = 0, n = 0, lo;

	mxlock_set_diff(a, b, &d);
	while (x < UNIVERSE) {
		if (!bma[x] || bmb[x]) {
			x++;
			continue;
		}
		for (lo = x; x < UNIVERSE && bma[x] && !bmb[x]; x++)
			;
		if (n < max) {
			struct mxlock_key klo = key_of(w, lo), khi = key_of(w, x - 1);

			if (mxlock_key_cmp(&r[n].lo, &klo) ||
			    mxlock_key_cmp(&r[n].hi, &khi))
				return 0;
		}
		n++;
	}
	return (w->v6 ? d.n6 : d.n4) == n && (w->v6 ? d.n4 : d.n6) == 0;
}

static void test_random(const struct window *w, unsigned int round)
{
	static unsigned char bm[UNIVERSE], bms[UNIVERSE], bmt[UNIVERSE];
	static const unsigned char none[UNIVERSE];
	struct mxlock_staging a = {}, b = {}, d = {};
	struct mxlock_set *s, *t, *u;

	memset(bm, 0, sizeof(bm));
	random_ranges(&a, w, bm, 1 + rnd(300), 1);
	s = mxlock_set_build(&a);
	ok(s && well_formed(s) && matches(s, w, bm) && overlaps_match(s, w, bm),
	   "%s: random build matches the model, round %u", w->name, round);
	memcpy(bms, bm, sizeof(bm));
	random_ranges(&b, w, bm, 1 + rnd(50), 1);
	t = mxlock_set_add(s, &b);
	ok(t && well_formed(t) && matches(t, w, bm) && overlaps_match(t, w, bm),
	   "%s: random add matches the model, round %u", w->name, round);
	memcpy(bmt, bm, sizeof(bm));
	random_ranges(&d, w, bm, 1 + rnd(80), 0);
	u = mxlock_set_subtract(t, &d);
	ok(u && well_formed(u) && matches(u, w, bm) && overlaps_match(u, w, bm),
	   "%s: random subtract matches the model, round %u", w->name, round);
	/* A set that failed to build (NULL) is taken as empty: no guard. */
	ok(diff_matches(t, s, w, bmt, bms, DIFF_MAX) &&
	   diff_matches(s, t, w, bms, bmt, DIFF_MAX) &&
	   diff_matches(t, u, w, bmt, bm, DIFF_MAX) &&
	   diff_matches(u, s, w, bm, bms, 1) &&
	   diff_matches(s, u, w, bms, bm, 0) &&
	   diff_matches(s, NULL, w, bms, none, DIFF_MAX) &&
	   diff_matches(NULL, u, w, none, bm, DIFF_MAX) &&
	   diff_matches(u, u, w, bm, bm, DIFF_MAX),
	   "%s: differences between the sets match the model, round %u",
	   w->name, round);
	mxlock_set_free(s);
	mxlock_set_free(t);
	mxlock_set_free(u);
	mxlock_staging_release(&a);
	mxlock_staging_release(&b);
	mxlock_staging_release(&d);
}

/* A shaped list, with or without anchors; then add to it and cut from it. */
static void test_shaped(const struct window *w, unsigned int shape,
			unsigned int round)
{
	static unsigned char bm[UNIVERSE];
	struct mxlock_staging a = {}, b = {}, d = {};
	struct mxlock_set *s, *t, *u;

	anchored = round % 2 == 0;
	memset(bm, 0, sizeof(bm));
	shaped_ranges(&a, w, bm, shape);
	if (anchored)
		push_anchors(&a, w);
	s = mxlock_set_build(&a);
	ok(s && well_formed(s) && matches(s, w, bm) && shape_ok(s),
	   "%s: shape %u%s matches the model, round %u", w->name, shape,
	   anchored ? " with far anchors" : "", round);
	shaped_ranges(&b, w, bm, (shape + 1) % 4);
	t = mxlock_set_add(s, &b);
	ok(t && well_formed(t) && matches(t, w, bm) && shape_ok(t) &&
	   overlaps_match(t, w, bm),
	   "%s: shape %u, added shape %u, matches the model, round %u",
	   w->name, shape, (shape + 1) % 4, round);
	random_ranges(&d, w, bm, 1 + rnd(80), 0);
	u = mxlock_set_subtract(t, &d);
	ok(u && well_formed(u) && matches(u, w, bm) && shape_ok(u),
	   "%s: shape %u, after a random subtract, matches the model, round %u",
	   w->name, shape, round);
	anchored = 0;
	mxlock_set_free(s);
	mxlock_set_free(t);
	mxlock_set_free(u);
	mxlock_staging_release(&a);
	mxlock_staging_release(&b);
	mxlock_staging_release(&d);
}

static struct mxlock_set *build4(const u32 *pairs, u32 n)
{
	struct mxlock_staging st = {};
	struct mxlock_set *s;

	for (u32 i = 0; i < n; i++)
		mxlock_staging_push4(&st, pairs[2 * i], pairs[2 * i + 1], ~0U);
	s = mxlock_set_build(&st);
	mxlock_staging_release(&st);
	return s;
}

static void test_edges4(void)
{
	const u32 all[] = { 0, 0xffffffff };
	const u32 touching[] = { 0xfffffff0, 0xfffffffe, 0xffffffff, 0xffffffff,
				 0, 0, 1, 5 };
	const u32 provider[] = { 0xc7590000, 0xc75907ff };	/* 199.89.0.0/21 */
	struct mxlock_staging st = {};
	struct mxlock_set *s, *t;

	s = build4(all, 1);
	ok(s->nr4 == 1 && mxlock_set_contains4(s, 0) &&
	   mxlock_set_contains4(s, 0xffffffff),
	   "0.0.0.0/0 holds both ends of the space");
	mxlock_staging_push4(&st, 0, 0, ~0U);
	mxlock_staging_push4(&st, 0xffffffff, 0xffffffff, ~0U);
	t = mxlock_set_subtract(s, &st);
	ok(t->nr4 == 1 && t->r4[0].lo == 1 && t->r4[0].hi == 0xfffffffe,
	   "subtracting both ends leaves 1..2^32-2");
	mxlock_set_free(s);
	mxlock_set_free(t);
	mxlock_staging_release(&st);

	s = build4(touching, 4);
	ok(s->nr4 == 2 && s->r4[0].lo == 0 && s->r4[0].hi == 5 &&
	   s->r4[1].lo == 0xfffffff0 && s->r4[1].hi == 0xffffffff,
	   "touching intervals merge, up to the top of the space");
	mxlock_set_free(s);

	s = build4(provider, 1);
	ok(mxlock_set_contains4(s, 0xc7590000) &&
	   mxlock_set_contains4(s, 0xc75907ff) &&
	   !mxlock_set_contains4(s, 0xc7590800) &&
	   !mxlock_set_contains4(s, 0xc758ffff),
	   "199.89.0.0/21: first and last in, neighbours out");
	mxlock_staging_push4(&st, 0xc7590100, 0xc75901ff, ~0U);
	t = mxlock_set_subtract(s, &st);
	ok(t->nr4 == 2 && !mxlock_set_contains4(t, 0xc7590180) &&
	   mxlock_set_contains4(t, 0xc75900ff) &&
	   mxlock_set_contains4(t, 0xc7590200),
	   "deleting a /24 from the middle splits the interval");
	mxlock_set_free(t);
	mxlock_staging_release(&st);
	mxlock_staging_push4(&st, 0xc7590000, 0xc75907ff, ~0U);
	t = mxlock_set_subtract(s, &st);
	ok(t && t->nr4 == 0, "deleting everything leaves an empty set");
	mxlock_set_free(t);
	mxlock_set_free(s);
	mxlock_staging_release(&st);

	s = build4(NULL, 0);
	ok(s && s->nr4 == 0 && s->nr6 == 0 && !mxlock_set_contains4(s, 0),
	   "an empty set contains nothing");
	mxlock_set_free(s);

	ok(mxlock_staging_push4(&st, 1, 1, 1) == 0 &&
	   mxlock_staging_push4(&st, 2, 2, 1) == -E2BIG,
	   "staging refuses entries past its limit");
	mxlock_staging_release(&st);
}

/*
 * The limit counts intervals: an IPv6 entry around ::ffff:0:0/96 stages
 * two, so with one place left it is refused whole, and with two it fits.
 */
static void test_limit6(void)
{
	const struct mxlock_key zero = { 0, 0 }, top = { ~0ULL, ~0ULL };
	const struct mxlock_key one = { 0x20010db800000000ULL, 0 };
	const struct mxlock_key mapped = { 0, 0x0000ffffc7590001ULL };
	struct mxlock_staging st = {};
	u32 limit = 3;

	mxlock_staging_push6(&st, &one, &one, limit);
	mxlock_staging_push4(&st, 1, 1, limit);
	ok(mxlock_staging_push6(&st, &zero, &top, limit) == -E2BIG &&
	   st.v4.n + st.v6.n == 2,
	   "::/0 (two intervals) with one place left under the limit: E2BIG, nothing staged");
	limit = 4;
	ok(mxlock_staging_push6(&st, &zero, &top, limit) == 0 &&
	   st.v4.n + st.v6.n == 4,
	   "::/0 with two places left: both intervals staged, the limit reached");
	ok(mxlock_staging_push6(&st, &one, &one, limit) == -E2BIG &&
	   mxlock_staging_push4(&st, 2, 2, limit) == -E2BIG &&
	   st.v4.n + st.v6.n == 4, "then one more of either family: E2BIG");
	/* Found by fuzz_set: at the limit, even an entry that stages nothing. */
	ok(mxlock_staging_push6(&st, &mapped, &mapped, limit) == -E2BIG &&
	   st.v4.n + st.v6.n == 4,
	   "at the limit, an entry inside ::ffff:0:0/96 (stages nothing): E2BIG too");
	mxlock_staging_release(&st);
}

/*
 * The IPv6 index's arrays grow by counts the builder adds up; a count
 * past what a u32 index can name is refused, not wrapped (a u32 sum of
 * 2^32 - 16 and 32 slots wrapped to 16 and left a 64-element array "big
 * enough" for writes at 2^32 - 16).
 */
static void test_grow(void)
{
	u32 cap = 0, *v = NULL;

	ok(mxlock_grow((void **)&v, &cap, 10, sizeof(*v)) == 0 && cap == 64,
	   "grow: 10 elements give the first 64");
	ok(mxlock_grow((void **)&v, &cap, 0xfffffff0ULL + 32, sizeof(*v)) ==
	   -E2BIG && cap == 64,
	   "grow: 2^32 - 16 + 32 elements (a u32 sum would wrap to 16): E2BIG, array kept");
	ok(mxlock_grow((void **)&v, &cap, (u64)MXLOCK_GROW_MAX + 1,
		       sizeof(*v)) == -E2BIG && cap == 64,
	   "grow: MXLOCK_GROW_MAX + 1 elements (a node number would reach MXLOCK_NODE6): E2BIG");
	ok(mxlock_grow((void **)&v, &cap, 1000, sizeof(*v)) == 0 && cap == 1024,
	   "grow: 1000 elements double the array to 1024");
	mxlock_free(v);
}

static void test_v4mapped(void)
{
	const struct mxlock_key zero = { 0, 0 }, top = { ~0ULL, ~0ULL };
	const struct mxlock_key mapped = { 0, 0x0000ffffc7590001ULL };
	const struct mxlock_key below = { 0, 0x0000fffeffffffffULL };
	const struct mxlock_key above = { 0, 0x0001000000000000ULL };
	struct mxlock_staging st = {};
	struct mxlock_set *s;

	mxlock_staging_push6(&st, &zero, &top, ~0U);	/* ::/0 */
	s = mxlock_set_build(&st);
	ok(s->nr6 == 2 && s->nr4 == 0 && !mxlock_set_contains6(s, &mapped) &&
	   mxlock_set_contains6(s, &below) && mxlock_set_contains6(s, &above) &&
	   mxlock_set_contains6(s, &zero) && mxlock_set_contains6(s, &top),
	   "::/0 admits all IPv6 but no IPv4-mapped source");
	mxlock_set_free(s);
	mxlock_staging_release(&st);

	mxlock_staging_push4(&st, 0xc7590000, 0xc75907ff, ~0U);
	s = mxlock_set_build(&st);
	ok(mxlock_set_contains6(s, &mapped) && !mxlock_set_contains6(s, &below),
	   "::ffff:199.89.0.1 is judged by the IPv4 list");
	mxlock_set_free(s);
	mxlock_staging_release(&st);

	mxlock_staging_push6(&st, &mapped, &mapped, ~0U);
	ok(st.v6.n == 0 && st.v4.n == 0,
	   "an IPv6 entry inside ::ffff:0:0/96 stages nothing");
	mxlock_staging_release(&st);
}

static void test_edges6(void)
{
	const struct mxlock_key a = { 5, ~0ULL - 10 }, b = { 6, 10 };
	const struct mxlock_key carry = { 6, 0 }, last = { 5, ~0ULL };
	const struct mxlock_key after = { 6, 1 };
	struct mxlock_staging st = {}, del = {};
	struct mxlock_set *s, *t;

	mxlock_staging_push6(&st, &a, &b, ~0U);
	s = mxlock_set_build(&st);
	mxlock_staging_push6(&del, &carry, &carry, ~0U);
	t = mxlock_set_subtract(s, &del);
	ok(t && t->nr6 == 2 && !mxlock_key_cmp(&t->r6[0].hi, &last) &&
	   !mxlock_key_cmp(&t->r6[1].lo, &after),
	   "deleting the address after a 64-bit carry splits around it");
	mxlock_set_free(s);
	mxlock_set_free(t);
	mxlock_staging_release(&st);
	mxlock_staging_release(&del);
}

/* Both families in one difference: IPv4 first, each ascending. */
static void test_diff_mixed(void)
{
	const struct mxlock_key v6lo = { 0x20010db800000000ULL, 0 };
	const struct mxlock_key v6hi = { 0x20010db800000000ULL, ~0ULL };
	const struct mxlock_key v6half = { 0x20010db800000000ULL, ~0ULL >> 1 };
	const struct mxlock_key v6up = { 0x20010db800000000ULL, 1ULL << 63 };
	struct mxlock_staging a = {}, b = {};
	struct mxlock_range r[DIFF_MAX] = {};
	struct mxlock_diff d = { .max = DIFF_MAX, .r = r };
	struct mxlock_set *s, *t;
	int good;

	/* {10.0.0.0/24, 2001:db8::/64} to {10.0.0.0/25, 10.0.1.0/24, 2001:db8::/65} */
	mxlock_staging_push4(&a, 0x0a000000, 0x0a0000ff, ~0U);
	mxlock_staging_push6(&a, &v6lo, &v6hi, ~0U);
	mxlock_staging_push4(&b, 0x0a000000, 0x0a00007f, ~0U);
	mxlock_staging_push4(&b, 0x0a000100, 0x0a0001ff, ~0U);
	mxlock_staging_push6(&b, &v6lo, &v6half, ~0U);
	s = mxlock_set_build(&a);
	t = mxlock_set_build(&b);
	good = s && t;
	if (good) {
		mxlock_set_diff(t, s, &d);
		good = d.n4 == 1 && d.n6 == 0 && r[0].lo.hi == 0 &&
		       r[0].lo.lo == 0x0a000100 && r[0].hi.lo == 0x0a0001ff;
	}
	if (good) {
		mxlock_set_diff(s, t, &d);
		good = d.n4 == 1 && d.n6 == 1 &&
		       r[0].lo.lo == 0x0a000080 && r[0].hi.lo == 0x0a0000ff &&
		       !mxlock_key_cmp(&r[1].lo, &v6up) &&
		       !mxlock_key_cmp(&r[1].hi, &v6hi);
	}
	ok(good, "a difference of both families: IPv4 intervals, then IPv6 ones");
	mxlock_set_free(s);
	mxlock_set_free(t);
	mxlock_staging_release(&a);
	mxlock_staging_release(&b);
}

int main(int argc, char **argv)
{
	unsigned int seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	const unsigned int nw = sizeof(windows) / sizeof(windows[0]);
	const unsigned int rounds = 12, shapes = 4, shaped_rounds = 4;

	srand(seed);
	printf("KTAP version 1\n1..%u\n",
	       nw * (rounds * 4 + shapes * shaped_rounds * 3) + 1 + 8 + 3 + 1 +
	       4 + 4 + 1);
	printf("# set: seed %u\n", seed);
	for (unsigned int w = 0; w < nw; w++)
		for (unsigned int i = 0; i < rounds; i++)
			test_random(&windows[w], i);
	for (unsigned int w = 0; w < nw; w++)
		for (unsigned int sh = 0; sh < shapes; sh++)
			for (unsigned int i = 0; i < shaped_rounds; i++)
				test_shaped(&windows[w], sh, i);
	printf("# set: %u shaped sets, %u with crowded IPv4 chunks, IPv6 trees up to %u deep\n",
	       seen_sets, seen_crowded4, seen_depth6);
	ok(seen_crowded4 > 0 && seen_depth6 > 0,
	   "the shaped lists reach crowded IPv4 chunks and IPv6 child nodes");
	test_edges4();
	test_v4mapped();
	test_edges6();
	test_limit6();
	test_grow();
	test_diff_mixed();
	return ktap_done("set");
}
