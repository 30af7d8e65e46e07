// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of kmod/set.c, the same file the module runs: every set
 * operation is checked against a naive model (a bitmap of addresses) on
 * random data, plus the edges of the address space that a bitmap of a
 * small universe cannot reach.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "set.h"

#define UNIVERSE (1U << 14)	/* small, so random intervals collide */

static int nr_tests, nr_failed;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	if (!cond)
		nr_failed++;
	printf("%sok %d ", cond ? "" : "not ", nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static u32 rnd(u32 n)
{
	return (u32)(((unsigned long long)rand() << 16 ^ rand()) % n);
}

static void model_mark(unsigned char *bm, u32 lo, u32 hi, unsigned char val)
{
	for (u32 a = lo; a <= hi; a++)
		bm[a] = val;
}

/* Intervals must be sorted, disjoint and not touching. */
static int set_well_formed(const struct mxlock_set *s)
{
	for (u32 i = 0; i < s->nr4; i++) {
		if (s->r4[i].lo > s->r4[i].hi)
			return 0;
		if (i && s->r4[i].lo <= s->r4[i - 1].hi + 1)
			return 0;
	}
	return 1;
}

/* The set equals the model, address by address, and counts its runs. */
static int set_matches(const struct mxlock_set *s, const unsigned char *bm)
{
	u32 runs = 0;

	for (u32 a = 0; a < UNIVERSE; a++) {
		if (mxlock_set_contains4(s, a) != bm[a])
			return 0;
		if (bm[a] && (a == 0 || !bm[a - 1]))
			runs++;
	}
	return runs == s->nr4 && !mxlock_set_contains4(s, UNIVERSE);
}

static void random_ranges(struct mxlock_ranges *v, unsigned char *bm, u32 n,
			  unsigned char val)
{
	for (u32 i = 0; i < n; i++) {
		u32 lo = rnd(UNIVERSE), len = rnd(4) ? rnd(64) : rnd(2048);
		u32 hi = lo + len >= UNIVERSE ? UNIVERSE - 1 : lo + len;

		mxlock_ranges_push(v, lo, hi, ~0U);
		if (bm)
			model_mark(bm, lo, hi, val);
	}
}

static int overlaps_matches(const struct mxlock_set *s, const unsigned char *bm)
{
	for (int t = 0; t < 2000; t++) {
		u32 lo = rnd(UNIVERSE), hi = lo + rnd(100), a, any = 0;

		if (hi >= UNIVERSE)
			hi = UNIVERSE - 1;
		for (a = lo; a <= hi; a++)
			any |= bm[a];
		if (mxlock_set_overlaps4(s, lo, hi) != !!any)
			return 0;
	}
	return 1;
}

static void test_random_build(unsigned int round)
{
	static unsigned char bm[UNIVERSE];
	struct mxlock_ranges v = {};
	struct mxlock_set *s;

	memset(bm, 0, sizeof(bm));
	random_ranges(&v, bm, 1 + rnd(300), 1);
	s = mxlock_set_build(&v);
	ok(s && set_well_formed(s) && set_matches(s, bm) &&
	   overlaps_matches(s, bm), "random build matches model, round %u", round);
	mxlock_set_free(s);
	mxlock_ranges_release(&v);
}

static void test_random_add_subtract(unsigned int round)
{
	static unsigned char bm[UNIVERSE];
	struct mxlock_ranges v = {}, w = {}, d = {};
	struct mxlock_set *s, *t, *u;

	memset(bm, 0, sizeof(bm));
	random_ranges(&v, bm, 1 + rnd(200), 1);
	s = mxlock_set_build(&v);
	random_ranges(&w, bm, 1 + rnd(50), 1);
	t = mxlock_set_add(s, &w);
	ok(t && set_well_formed(t) && set_matches(t, bm), "random add matches model, round %u", round);
	random_ranges(&d, bm, 1 + rnd(80), 0);
	u = mxlock_set_subtract(t, &d);
	ok(u && set_well_formed(u) && set_matches(u, bm), "random subtract matches model, round %u", round);
	mxlock_set_free(s);
	mxlock_set_free(t);
	mxlock_set_free(u);
	mxlock_ranges_release(&v);
	mxlock_ranges_release(&w);
	mxlock_ranges_release(&d);
}

static struct mxlock_set *build(const u32 *pairs, u32 n)
{
	struct mxlock_ranges v = {};
	struct mxlock_set *s;

	for (u32 i = 0; i < n; i++)
		mxlock_ranges_push(&v, pairs[2 * i], pairs[2 * i + 1], ~0U);
	s = mxlock_set_build(&v);
	mxlock_ranges_release(&v);
	return s;
}

static void test_edges(void)
{
	const u32 all[] = { 0, 0xffffffff };
	const u32 touching[] = { 0xfffffff0, 0xfffffffe, 0xffffffff, 0xffffffff,
				 0, 0, 1, 5 };
	const u32 provider[] = { 0xc7590000, 0xc75907ff };	/* 199.89.0.0/21 */
	struct mxlock_ranges v = {};
	struct mxlock_set *s, *t;

	s = build(all, 1);
	ok(s->nr4 == 1 && mxlock_set_contains4(s, 0) &&
	   mxlock_set_contains4(s, 0xffffffff),
	   "0.0.0.0/0 holds both ends of the space");
	mxlock_ranges_push(&v, 0, 0, ~0U);
	mxlock_ranges_push(&v, 0xffffffff, 0xffffffff, ~0U);
	t = mxlock_set_subtract(s, &v);
	ok(t->nr4 == 1 && t->r4[0].lo == 1 && t->r4[0].hi == 0xfffffffe,
	   "subtracting both ends leaves 1..2^32-2");
	mxlock_set_free(s);
	mxlock_set_free(t);
	mxlock_ranges_release(&v);

	s = build(touching, 4);
	ok(s->nr4 == 2 && s->r4[0].lo == 0 && s->r4[0].hi == 5 &&
	   s->r4[1].lo == 0xfffffff0 && s->r4[1].hi == 0xffffffff, "touching intervals merge, up to the top of the space");
	mxlock_set_free(s);

	s = build(provider, 1);
	ok(mxlock_set_contains4(s, 0xc7590000) &&
	   mxlock_set_contains4(s, 0xc75907ff) &&
	   !mxlock_set_contains4(s, 0xc7590800) &&
	   !mxlock_set_contains4(s, 0xc758ffff), "199.89.0.0/21: first and last in, neighbours out");
	mxlock_ranges_push(&v, 0xc7590100, 0xc75901ff, ~0U);
	t = mxlock_set_subtract(s, &v);
	ok(t->nr4 == 2 && !mxlock_set_contains4(t, 0xc7590180) &&
	   mxlock_set_contains4(t, 0xc75900ff) &&
	   mxlock_set_contains4(t, 0xc7590200), "deleting a /24 from the middle splits the interval");
	mxlock_set_free(t);
	mxlock_ranges_release(&v);
	mxlock_ranges_push(&v, 0xc7590000, 0xc75907ff, ~0U);
	t = mxlock_set_subtract(s, &v);
	ok(t && t->nr4 == 0, "deleting everything leaves an empty set");
	mxlock_set_free(t);
	mxlock_set_free(s);
	mxlock_ranges_release(&v);

	s = build(NULL, 0);
	ok(s && s->nr4 == 0 && !mxlock_set_contains4(s, 0), "an empty set contains nothing");
	mxlock_set_free(s);

	ok(mxlock_ranges_push(&v, 1, 1, 1) == 0 &&
	   mxlock_ranges_push(&v, 2, 2, 1) == -E2BIG, "staging refuses entries past its limit");
	mxlock_ranges_release(&v);
}

int main(int argc, char **argv)
{
	unsigned int seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	const unsigned int rounds = 40;

	srand(seed);
	printf("KTAP version 1\n1..%u\n", 2 * rounds + rounds + 8);
	printf("# set: seed %u\n", seed);
	for (unsigned int i = 0; i < rounds; i++)
		test_random_build(i);
	for (unsigned int i = 0; i < rounds; i++)
		test_random_add_subtract(i);
	test_edges();
	printf("# set: %d tests, %d failed\n", nr_tests, nr_failed);
	return nr_failed ? 1 : 0;
}
