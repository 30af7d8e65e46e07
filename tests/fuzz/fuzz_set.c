// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/set.c, differential: the input is a program of
 * operations on a staging area and a set (push ranges, build, add,
 * subtract, query), run both on set.c and on a naive model (a short list
 * of intervals per family, searched linearly). After every operation that
 * makes a set, the set must hold exactly the model's intervals, and every
 * lookup (find4, find6, overlaps4, overlaps6) must agree with the model:
 * at each interval's edges and their neighbours, at the edges of the
 * lookup index's chunks, sub-directory pieces and IPv6 slots, at every
 * address the program pushed, and at addresses the program asks about;
 * and the index's shape must hold its bound (tests/unit/setshape.h).
 *
 * Addresses are drawn mostly near the places that matter (0, the top of
 * each space, 199.89.0.0, a 64-bit carry inside an IPv6 key, the
 * IPv4-mapped block ::ffff:0:0/96), so that random programs collide.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "set.h"

typedef unsigned __int128 u128;

#define U128_MAX	(~(u128)0)
#define U32_MAXV	0xffffffffULL

/* Bounds that keep one run fast: the model is quadratic. */
#define MODEL_MAX	512	/* intervals per family in a model list */
#define POOL_MAX	256	/* remembered addresses per family */
#define BULK_MAX	64	/* ranges one bulk push makes, mostly */
#define BULK_LARGE	257	/* now and then: 2^8 + 1, for an index of
				 * more than 2^8 chunks */

#define FAIL(...)							\
	do {								\
		fprintf(stderr, "fuzz_set: mismatch: ");		\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	} while (0)

/* ---- the input --------------------------------------------------------- */

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8_(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint64_t bytes_(struct in *in, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | u8_(in);
	return v;
}

/* ---- 128-bit keys ------------------------------------------------------- */

static u128 k128(const struct mxlock_key *k)
{
	return (u128)k->hi << 64 | k->lo;
}

static struct mxlock_key key(u128 v)
{
	struct mxlock_key k = { (u64)(v >> 64), (u64)v };

	return k;
}

static const char *hex(u128 v)
{
	static char buf[4][40];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%016llx%016llx",
		 (unsigned long long)(v >> 64), (unsigned long long)v);
	return buf[i];
}

static const u128 mapped_lo = (u128)0xffff << 32;
static const u128 mapped_hi = (u128)0xffff << 32 | 0xffffffff;

static u128 sat_add(u128 a, u128 b, u128 max)
{
	return a > max - b ? max : a + b;
}

/* An address near one of the places that matter. */
static u128 addr4(struct in *in)
{
	uint8_t sel = u8_(in);
	u128 off = u8_(in);

	switch (sel % 5) {
	case 0:
		return off;
	case 1:
		return U32_MAXV - off;
	case 2:
		return 0xc7590000 - 0x80 + (off << 8 | u8_(in));
	case 3:
		/* A power of two and around it: the index's chunk edges. */
		return sat_add(((u128)1 << (off % 32)) - 1, u8_(in) % 3,
			       U32_MAXV);
	default:
		return bytes_(in, 4);
	}
}

static u128 addr6(struct in *in)
{
	uint8_t sel = u8_(in);
	u128 off = u8_(in);

	switch (sel % 7) {
	case 0:
		return off;
	case 1:
		return U128_MAX - off;
	case 2:	/* around the edges of ::ffff:0:0/96 */
		return (sel & 0x80 ? mapped_hi : mapped_lo) - 2 + off % 5;
	case 3:	/* inside it */
		return mapped_lo | bytes_(in, 4);
	case 4:	/* across a 64-bit carry */
		return ((u128)(sel >> 4) << 64) - 0x80 + off;
	case 5:	/* 2001:db8::/32, spread over the top 64 bits */
		return ((u128)0x20010db8 << 96) |
		       (u128)bytes_(in, 2) << 64 | off;
	default:
		return (u128)bytes_(in, 8) << 64 | bytes_(in, 8);
	}
}

static u128 length(struct in *in, u128 max)
{
	uint8_t sel = u8_(in);

	switch (sel % 4) {
	case 0:
		return 0;
	case 1:
		return u8_(in);
	case 2: {
		unsigned int bits = u8_(in) % (max == U32_MAXV ? 33 : 129);

		return bits == 128 ? U128_MAX : ((u128)1 << bits) - 1;
	}
	default:
		return (u128)bytes_(in, 8) << (sel & 0x40 ? 64 : 0) & max;
	}
}

/* ---- the model ---------------------------------------------------------- */

/*
 * The model's loops are not what is being explored: left uninstrumented
 * for coverage, they cost a fraction and do not steer libFuzzer.
 */
#ifdef __clang__
#define MODEL __attribute__((no_sanitize("coverage")))
#else
#define MODEL
#endif

#define SHAPE_FN MODEL __attribute__((noinline)) static
#include "setshape.h"

struct ival {
	u128 lo, hi;
};

struct list {
	struct ival v[MODEL_MAX];
	unsigned int n;
};

/* What the model knows of one family. */
struct fam {
	int v6;
	u128 max;
	struct list set;	/* the current set */
	struct list staged;	/* the staging area */
	u128 pool[POOL_MAX];	/* addresses worth asking about */
	unsigned int npool;
};

static void remember(struct fam *f, u128 a)
{
	if (f->npool < POOL_MAX)
		f->pool[f->npool++] = a;
}

MODEL static int list_add(struct list *l, u128 lo, u128 hi)
{
	if (l->n == MODEL_MAX)
		return -1;
	l->v[l->n].lo = lo;
	l->v[l->n].hi = hi;
	l->n++;
	return 0;
}

MODEL static int ival_cmp(const void *a, const void *b)
{
	const struct ival *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return 0;
}

/* Sorted, disjoint, not touching: the one form a set can take. */
MODEL static void list_normalise(struct list *l, u128 max)
{
	unsigned int i, m = 0;

	qsort(l->v, l->n, sizeof(l->v[0]), ival_cmp);
	for (i = 0; i < l->n; i++) {
		if (m && (l->v[m - 1].hi == max ||
			  l->v[i].lo <= l->v[m - 1].hi + 1)) {
			if (l->v[i].hi > l->v[m - 1].hi)
				l->v[m - 1].hi = l->v[i].hi;
			continue;
		}
		l->v[m++] = l->v[i];
	}
	l->n = m;
}

/* l minus lo..hi; -1 if the result would not fit. */
MODEL static int list_cut(struct list *l, u128 lo, u128 hi)
{
	struct list out = { .n = 0 };
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		struct ival a = l->v[i];

		if (a.hi < lo || a.lo > hi) {
			if (list_add(&out, a.lo, a.hi))
				return -1;
			continue;
		}
		if (a.lo < lo && list_add(&out, a.lo, lo - 1))
			return -1;
		if (a.hi > hi && list_add(&out, hi + 1, a.hi))
			return -1;
	}
	*l = out;
	return 0;
}

/* l is normalised (sorted): the scan stops past a. */
MODEL static int list_has(const struct list *l, u128 a)
{
	unsigned int i;

	for (i = 0; i < l->n && l->v[i].lo <= a; i++)
		if (a <= l->v[i].hi)
			return 1;
	return 0;
}

MODEL static int list_meets(const struct list *l, u128 lo, u128 hi)
{
	unsigned int i;

	for (i = 0; i < l->n && l->v[i].lo <= hi; i++)
		if (lo <= l->v[i].hi)
			return 1;
	return 0;
}

/* ---- the checks --------------------------------------------------------- */

static struct fam f4 = { .v6 = 0, .max = U32_MAXV };
static struct fam f6 = { .v6 = 1, .max = U128_MAX };

/* Is a in the set by the model? A mapped IPv6 address is IPv4's. */
static int model_has(const struct fam *f, u128 a)
{
	if (f->v6 && a >= mapped_lo && a <= mapped_hi)
		return list_has(&f4.set, a & 0xffffffff);
	return list_has(&f->set, a);
}

/* Is a in s? want says, or if it is -1 the model does. */
static void check_find(const struct mxlock_set *s, const struct fam *f,
		       u128 a, int want)
{
	long i;

	if (want < 0)
		want = model_has(f, a);
	if (!f->v6) {
		i = mxlock_set_find4(s, (u32)a);
		if ((i >= 0) != want)
			FAIL("find4(%08x) = %ld, model says %s", (u32)a, i,
			     want ? "in" : "out");
		if (i >= 0 && (i >= (long)s->nr4 || s->r4[i].lo > a ||
			       s->r4[i].hi < a))
			FAIL("find4(%08x) = %ld, not its interval", (u32)a, i);
		return;
	}
	{
		struct mxlock_key k = key(a);

		i = mxlock_set_find6(s, &k);
		if ((i >= 0) != want)
			FAIL("find6(%s) = %ld, model says %s", hex(a), i,
			     want ? "in" : "out");
		if (i < 0)
			return;
		if (a >= mapped_lo && a <= mapped_hi) {
			if (i >= (long)s->nr4 || s->r4[i].lo > (u32)a ||
			    s->r4[i].hi < (u32)a)
				FAIL("find6(%s) = %ld, not its IPv4 interval",
				     hex(a), i);
		} else if (i < (long)s->nr4 || i >= (long)(s->nr4 + s->nr6) ||
			   k128(&s->r6[i - s->nr4].lo) > a ||
			   k128(&s->r6[i - s->nr4].hi) < a) {
			FAIL("find6(%s) = %ld, not its interval", hex(a), i);
		}
	}
}

static void check_overlaps(const struct mxlock_set *s, const struct fam *f,
			   u128 lo, u128 hi, int want)
{
	int got;

	if (lo > hi) {
		u128 t = lo;

		lo = hi;
		hi = t;
	}
	if (want < 0)
		want = list_meets(&f->set, lo, hi);
	if (f->v6) {
		struct mxlock_key klo = key(lo), khi = key(hi);

		got = mxlock_set_overlaps6(s, &klo, &khi);
	} else {
		got = mxlock_set_overlaps4(s, (u32)lo, (u32)hi);
	}
	if (got != want)
		FAIL("overlaps%d(%s, %s) = %d, model says %d", f->v6 ? 6 : 4,
		     hex(lo), hex(hi), got, want);
}

/* a and its neighbours, within the family's space, by the model. */
static void check_near(const struct mxlock_set *s, const struct fam *f,
		       u128 a)
{
	if (a)
		check_find(s, f, a - 1, -1);
	check_find(s, f, a, -1);
	if (a < f->max)
		check_find(s, f, a + 1, -1);
}

/*
 * Just outside an interval of a set equal to the model: out, since the
 * intervals never touch, unless IPv4 answers (::ffff:0:0/96).
 */
static int outside(const struct fam *f, u128 a)
{
	return f->v6 && a >= mapped_lo && a <= mapped_hi ? model_has(f, a) : 0;
}

static void check_family(const struct mxlock_set *s, const struct fam *f)
{
	u32 n = f->v6 ? s->nr6 : s->nr4;
	unsigned int i;

	if (n != f->set.n)
		FAIL("IPv%d: %u intervals, model has %u", f->v6 ? 6 : 4, n,
		     f->set.n);
	for (i = 0; i < n; i++) {
		u128 lo = f->v6 ? k128(&s->r6[i].lo) : s->r4[i].lo;
		u128 hi = f->v6 ? k128(&s->r6[i].hi) : s->r4[i].hi;

		if (lo != f->set.v[i].lo || hi != f->set.v[i].hi)
			FAIL("IPv%d interval %u: %s-%s, model has %s-%s",
			     f->v6 ? 6 : 4, i, hex(lo), hex(hi),
			     hex(f->set.v[i].lo), hex(f->set.v[i].hi));
		/*
		 * The set's intervals are the model's: what holds at their
		 * edges follows, without a search (a big set stays cheap).
		 */
		check_find(s, f, lo, 1);
		check_find(s, f, hi, 1);
		if (lo < hi) {
			check_find(s, f, lo + 1, 1);
			check_find(s, f, hi - 1, 1);
		}
		if (lo)
			check_find(s, f, lo - 1, outside(f, lo - 1));
		if (hi < f->max)
			check_find(s, f, hi + 1, outside(f, hi + 1));
		check_overlaps(s, f, lo, lo, 1);
		check_overlaps(s, f, hi, hi, 1);
		if (lo)
			check_overlaps(s, f, 0, lo - 1, i > 0);
		if (hi < f->max)
			check_overlaps(s, f, hi + 1, f->max, i + 1 < n);
	}
	for (i = 0; i < f->npool; i++) {
		check_near(s, f, f->pool[i]);
		check_overlaps(s, f, f->pool[i],
			       f->pool[(i * 7 + 3) % f->npool], -1);
	}
	check_find(s, f, 0, -1);
	check_find(s, f, f->max, -1);
	check_overlaps(s, f, 0, f->max, -1);

	/*
	 * The edges of the lookup index's chunks, about 512 spread evenly,
	 * and of the pieces of the first 8 crowded chunks, up to 64 each (a
	 * clustered set can have 2^16 chunks or more; the model is linear).
	 */
	if (!f->v6 && s->nr4) {
		u32 cstep = s->chunks4 / 512 + 1, crowded = 0;

		for (i = 0; i <= s->chunks4; i++) {
			u128 start = (u128)s->base4 + ((u128)i << s->shift4);
			u32 e = i < s->chunks4 ? s->dir4[i] : 0, j, np, pstep;

			if (start > f->max)
				break;
			if (i % cstep == 0 || i == s->chunks4)
				check_near(s, f, start);
			if (!(e & MXLOCK_SUB4) || crowded++ >= 8)
				continue;
			np = 1U << (s->shift4 - MXLOCK_SUB4_SHIFT(e));
			pstep = np / 64 + 1;
			for (j = 1; j < np; j += pstep) {
				u128 p = start + ((u128)j << MXLOCK_SUB4_SHIFT(e));

				if (p <= f->max)
					check_near(s, f, p);
			}
		}
	}
	/* Each IPv6 node's first address and the edges of its slots. */
	if (f->v6 && s->nr6) {
		for (i = 0; i < s->nnode6; i += s->nnode6 / 64 + 1) {
			const struct mxlock_node6 *nd = &s->node6[i];
			u128 base = k128(&nd->base), j;
			u128 step = nd->bits > 6 ? (u128)1 << (nd->bits - 6) : 1;

			for (j = 0; j <= ((u128)1 << nd->bits); j += step) {
				u128 d = nd->shift < 128 ? j << nd->shift : 0;

				if (base + d < base)
					break;
				check_near(s, f, base + d);
			}
		}
	}
	{
		struct set_shape sh = set_shape(s);

		if (sh.bad4 || sh.lines4 > 3 || sh.bad6 ||
		    sh.run6 > MXLOCK_RUN6)
			FAIL("index shape: %u bad leaves, %u lines, %u bad slots, run %u",
			     sh.bad4, sh.lines4, sh.bad6, sh.run6);
	}
}

static void check_set(const struct mxlock_set *s)
{
	if (!s)
		FAIL("no set (out of memory?)");
	check_family(s, &f4);
	check_family(s, &f6);
}

/* ---- the operations ----------------------------------------------------- */

static struct mxlock_staging st;
static struct mxlock_set *cur;

static void release_staging(void)
{
	mxlock_staging_release(&st);
	f4.staged.n = 0;
	f6.staged.n = 0;
}

/*
 * Push lo..hi to both; -1 when the model is full (the program ends). The
 * limit counts intervals: at the limit every push is refused, and an IPv6
 * entry around ::ffff:0:0/96 (two intervals) needs two places.
 */
static int push(struct fam *f, u128 lo, u128 hi, u32 limit)
{
	u32 before = st.v4.n + st.v6.n, pieces = 1;
	struct list *l = &f->staged;
	bool mapped = false;
	int err;

	if (lo > hi) {
		u128 t = lo;

		lo = hi;
		hi = t;
	}
	if (l->n + 2 > MODEL_MAX)
		return -1;
	remember(f, lo);
	remember(f, hi);
	/* IPv6 staging leaves ::ffff:0:0/96 out: IPv4 judges it. */
	if (f->v6 && lo <= mapped_hi && hi >= mapped_lo) {
		mapped = true;
		pieces = (lo < mapped_lo) + (hi > mapped_hi);
	}
	if (f->v6) {
		struct mxlock_key klo = key(lo), khi = key(hi);

		err = mxlock_staging_push6(&st, &klo, &khi, limit);
	} else {
		err = mxlock_staging_push4(&st, (u32)lo, (u32)hi, limit);
	}
	if (before >= limit || (u64)before + pieces > limit) {
		if (err != -E2BIG || st.v4.n + st.v6.n != before)
			FAIL("push of %u pieces over the limit %u (%u staged): %d",
			     pieces, limit, before, err);
		return 0;
	}
	if (err)
		FAIL("push: %d", err);
	if (!mapped) {
		list_add(l, lo, hi);
	} else {
		if (lo < mapped_lo)
			list_add(l, lo, mapped_lo - 1);
		if (hi > mapped_hi)
			list_add(l, mapped_hi + 1, hi);
	}
	if (st.v4.n + st.v6.n != before + pieces)
		FAIL("push of %s-%s staged %u ranges, not %u", hex(lo),
		     hex(hi), st.v4.n + st.v6.n - before, pieces);
	return 0;
}

static void replace_set(struct mxlock_set *s)
{
	check_set(s);
	mxlock_set_free(cur);
	cur = s;
}

static int op_build(int keep)
{
	struct mxlock_set *s = mxlock_set_build(&st);

	f4.set = f4.staged;
	f6.set = f6.staged;
	list_normalise(&f4.set, f4.max);
	list_normalise(&f6.set, f6.max);
	replace_set(s);
	/* The caller may go on staging after a build: st stays valid. */
	if (!keep)
		release_staging();
	return 0;
}

static int union_into(struct fam *f)
{
	unsigned int i;

	for (i = 0; i < f->staged.n; i++)
		if (list_add(&f->set, f->staged.v[i].lo, f->staged.v[i].hi))
			return -1;
	list_normalise(&f->set, f->max);
	return 0;
}

static int op_add(void)
{
	struct mxlock_set *s;

	if (union_into(&f4) || union_into(&f6))
		return -1;
	s = mxlock_set_add(cur, &st);
	replace_set(s);
	release_staging();
	return 0;
}

static int cut_from(struct fam *f)
{
	unsigned int i;

	for (i = 0; i < f->staged.n; i++)
		if (list_cut(&f->set, f->staged.v[i].lo, f->staged.v[i].hi))
			return -1;
	return 0;
}

static int op_subtract(void)
{
	struct mxlock_set *s;

	if (!cur) {
		/* The module subtracts only from a set it has. */
		struct mxlock_staging empty = { 0 };

		replace_set(mxlock_set_build(&empty));
		mxlock_staging_release(&empty);
	}
	if (cut_from(&f4) || cut_from(&f6))
		return -1;
	s = mxlock_set_subtract(cur, &st);
	replace_set(s);
	release_staging();
	return 0;
}

/* n ranges at a stride: enough of them to make the set build an index. */
static int op_bulk(struct in *in, struct fam *f, u32 limit)
{
	uint8_t b = u8_(in);
	unsigned int i, n = b < 0xf0 ? b % BULK_MAX + 1 : BULK_LARGE + (b & 0xf);
	u128 base = f->v6 ? addr6(in) : addr4(in);
	u128 stride = length(in, f->max) + 1;
	u128 width = length(in, f->max);
	int down = u8_(in) & 1;

	if (!stride)	/* a length of the whole space, plus one */
		stride = 1;
	for (i = 0; i < n; i++) {
		u128 k = down ? n - 1 - i : i, lo;

		/* Not past the end of the space. */
		if (k && stride > (f->max - base) / k)
			continue;
		lo = base + k * stride;
		if (push(f, lo, sat_add(lo, width, f->max), limit))
			return -1;
	}
	return 0;
}

static void op_query(struct in *in)
{
	u128 a4 = addr4(in), a6 = addr6(in);

	if (!cur)
		return;
	check_near(cur, &f4, a4);
	check_near(cur, &f6, a6);
	check_overlaps(cur, &f4, a4, addr4(in), -1);
	check_overlaps(cur, &f6, a6, addr6(in), -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	u32 limit = ~0U;
	int stop = 0;

	memset(&st, 0, sizeof(st));
	cur = NULL;
	f4.set.n = f4.staged.n = f4.npool = 0;
	f6.set.n = f6.staged.n = f6.npool = 0;

	while (in.n && !stop) {
		uint8_t op = u8_(&in);

		switch (op % 10) {
		case 0:
		case 1: {
			u128 lo = addr4(&in);

			stop = push(&f4, lo,
				    op & 0x80 ? addr4(&in) :
						sat_add(lo, length(&in, f4.max),
							f4.max), limit);
			break;
		}
		case 2:
		case 3: {
			u128 lo = addr6(&in);

			stop = push(&f6, lo,
				    op & 0x80 ? addr6(&in) :
						sat_add(lo, length(&in, f6.max),
							f6.max), limit);
			break;
		}
		case 4:
			stop = op_bulk(&in, op & 0x80 ? &f6 : &f4, limit);
			break;
		case 5:
			stop = op_build(op & 0x80);
			break;
		case 6:
			stop = op_add();
			break;
		case 7:
			stop = op_subtract();
			break;
		case 8:
			op_query(&in);
			break;
		case 9:
			/* Most programs never meet the limit; some do. */
			limit = op & 0x80 ? u8_(&in) : ~0U;
			break;
		}
	}
	/* A program cut short (the model was full) may leave it half-done. */
	if (cur && !stop)
		check_set(cur);
	mxlock_set_free(cur);
	mxlock_staging_release(&st);
	return 0;
}
