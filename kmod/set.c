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

static int mxlock_ranges_reserve(struct mxlock_ranges *v, u32 extra)
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
	r = mxlock_alloc(cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	if (v->n)
		memcpy(r, v->r, v->n * sizeof(*r));
	mxlock_free(v->r);
	v->r = r;
	v->cap = cap;
	return 0;
}

static int mxlock_ranges_push(struct mxlock_ranges *v,
			      const struct mxlock_key *lo,
			      const struct mxlock_key *hi)
{
	int err = mxlock_ranges_reserve(v, 1);

	if (err)
		return err;
	v->r[v->n].lo = *lo;
	v->r[v->n].hi = *hi;
	v->n++;
	return 0;
}

static void mxlock_ranges_release(struct mxlock_ranges *v)
{
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
	return mxlock_ranges_push(&st->v4, &klo, &khi);
}

int mxlock_staging_push6(struct mxlock_staging *st,
			 const struct mxlock_key *lo,
			 const struct mxlock_key *hi, u32 limit)
{
	const struct mxlock_key mlo = { MXLOCK_V4MAPPED_HI, MXLOCK_V4MAPPED_LO };
	const struct mxlock_key mhi = { MXLOCK_V4MAPPED_HI,
					MXLOCK_V4MAPPED_LO | MXLOCK_U32_MAX };
	struct mxlock_key k;
	int err;

	if (st->v4.n + st->v6.n >= limit)
		return -E2BIG;
	if (mxlock_key_cmp(hi, &mlo) < 0 || mxlock_key_cmp(lo, &mhi) > 0)
		return mxlock_ranges_push(&st->v6, lo, hi);
	/* Carve the IPv4-mapped block out: the IPv4 list judges it. */
	if (mxlock_key_cmp(lo, &mlo) < 0) {
		k = mxlock_key_prev(mlo);
		err = mxlock_ranges_push(&st->v6, lo, &k);
		if (err)
			return err;
	}
	if (mxlock_key_cmp(hi, &mhi) > 0) {
		k = mxlock_key_next(mhi);
		err = mxlock_ranges_push(&st->v6, &k, hi);
		if (err)
			return err;
	}
	return 0;
}

void mxlock_staging_release(struct mxlock_staging *st)
{
	mxlock_ranges_release(&st->v4);
	mxlock_ranges_release(&st->v6);
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

	for (i = 1; i < v->n; i++)
		if (mxlock_range_cmp(&v->r[i - 1], &v->r[i]) > 0)
			return false;
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

/* Index sets of at least this many intervals of a family. */
#define MXLOCK_DIR_MIN		16
#define MXLOCK_DIR_MIN_BITS	8
#define MXLOCK_DIR_MAX_BITS	22

/* About one chunk per interval: runs stay short and dir stays small. */
static u32 mxlock_dir_bits(u32 n)
{
	u32 bits = MXLOCK_DIR_MIN_BITS;

	if (n < MXLOCK_DIR_MIN)
		return 0;
	while (bits < MXLOCK_DIR_MAX_BITS && (1U << bits) < n)
		bits++;
	return bits;
}

static size_t mxlock_dir_size(u32 chunks)
{
	return chunks ? ((size_t)chunks + 1) * sizeof(u32) : 0;
}

/* The shift that cuts span + 1 addresses into at most 2^bits chunks. */
static u8 mxlock_dir_shift(u64 span, u32 bits)
{
	u8 width = 0;

	while (width < 64 && (span >> width))
		width++;
	return width > bits ? width - bits : 0;
}

/* dir[c]: the first interval ending at or after the start of chunk c. */
static void mxlock_dir4_build(struct mxlock_set *s)
{
	u32 c, i = 0;

	for (c = 0; c < s->chunks4; c++) {
		u32 start = s->base4 + (c << s->shift4);

		while (i < s->nr4 && s->r4[i].hi < start)
			i++;
		s->dir4[c] = i;
	}
	s->dir4[c] = s->nr4;
}

static void mxlock_dir6_build(struct mxlock_set *s)
{
	u32 c, i = 0;

	for (c = 0; c < s->chunks6; c++) {
		u64 start = s->base6 + ((u64)c << s->shift6);

		while (i < s->nr6 && s->r6[i].hi.hi < start)
			i++;
		s->dir6[c] = i;
	}
	s->dir6[c] = s->nr6;
}

/* Size the IPv4 and IPv6 indexes of st's (normalised) intervals. */
static void mxlock_dir_plan(struct mxlock_set *s, const struct mxlock_staging *st)
{
	u32 bits4 = mxlock_dir_bits(st->v4.n), bits6 = mxlock_dir_bits(st->v6.n);

	if (bits4) {
		u32 span = (u32)st->v4.r[st->v4.n - 1].hi.lo -
			   (u32)st->v4.r[0].lo.lo;

		s->base4 = (u32)st->v4.r[0].lo.lo;
		s->shift4 = mxlock_dir_shift(span, bits4);
		s->chunks4 = (span >> s->shift4) + 1;
	}
	if (bits6) {
		u64 span = st->v6.r[st->v6.n - 1].hi.hi - st->v6.r[0].lo.hi;

		s->base6 = st->v6.r[0].lo.hi;
		s->shift6 = mxlock_dir_shift(span, bits6);
		s->chunks6 = (u32)(span >> s->shift6) + 1;
	}
}

/* Build a set from st (reordered and merged in place; still the caller's). */
struct mxlock_set *mxlock_set_build(struct mxlock_staging *st)
{
	struct mxlock_set plan = {}, *s;
	size_t size4, size6;
	u32 i;

	mxlock_ranges_normalise(&st->v4);
	mxlock_ranges_normalise(&st->v6);
	mxlock_dir_plan(&plan, st);
	size4 = (size_t)st->v4.n * sizeof(s->r4[0]);
	size6 = (size_t)st->v6.n * sizeof(s->r6[0]);
	s = mxlock_alloc(sizeof(*s) + size4 + size6 +
			 mxlock_dir_size(plan.chunks4) +
			 mxlock_dir_size(plan.chunks6));
	if (!s)
		return NULL;
	*s = plan;
	s->nr4 = st->v4.n;
	s->nr6 = st->v6.n;
	for (i = 0; i < s->nr4; i++) {
		s->r4[i].lo = (u32)st->v4.r[i].lo.lo;
		s->r4[i].hi = (u32)st->v4.r[i].hi.lo;
	}
	s->r6 = (struct mxlock_range *)((char *)s->r4 + size4);
	if (s->nr6)
		memcpy(s->r6, st->v6.r, size6);
	if (s->chunks4) {
		s->dir4 = (u32 *)((char *)s->r6 + size6);
		mxlock_dir4_build(s);
	}
	if (s->chunks6) {
		s->dir6 = (u32 *)((char *)s->r6 + size6 +
				  mxlock_dir_size(s->chunks4));
		mxlock_dir6_build(s);
	}
	return s;
}

/* Bytes a set takes, for the benchmarks' memory-per-entry figure. */
size_t mxlock_set_bytes(const struct mxlock_set *s)
{
	return sizeof(*s) + (size_t)s->nr4 * sizeof(s->r4[0]) +
	       (size_t)s->nr6 * sizeof(s->r6[0]) + mxlock_dir_size(s->chunks4) +
	       mxlock_dir_size(s->chunks6);
}

/* Append the intervals of s to st, in staging form. */
static int mxlock_set_export(const struct mxlock_set *s,
			     struct mxlock_staging *st)
{
	u32 i;
	int err;

	err = mxlock_ranges_reserve(&st->v4, s->nr4);
	if (!err)
		err = mxlock_ranges_reserve(&st->v6, s->nr6);
	if (err)
		return err;
	for (i = 0; i < s->nr4; i++) {
		struct mxlock_range *r = &st->v4.r[st->v4.n++];

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

/* old (may be NULL) plus the intervals in st, which this appends to. */
struct mxlock_set *mxlock_set_add(const struct mxlock_set *old,
				  struct mxlock_staging *st)
{
	if (old && mxlock_set_export(old, st))
		return NULL;
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

/* Replace a with a minus b (b is normalised in place). */
static int mxlock_ranges_subtract(struct mxlock_ranges *a,
				  struct mxlock_ranges *b)
{
	struct mxlock_ranges out = {};
	int err;

	mxlock_ranges_normalise(a);
	mxlock_ranges_normalise(b);
	err = mxlock_ranges_reserve(&out, mxlock_ranges_diff(a, b, NULL));
	if (err)
		return err;
	out.n = mxlock_ranges_diff(a, b, out.r);
	mxlock_ranges_release(a);
	*a = out;
	return 0;
}

/* old minus the intervals in st (reordered and merged in place). */
struct mxlock_set *mxlock_set_subtract(const struct mxlock_set *old,
				       struct mxlock_staging *st)
{
	struct mxlock_staging cur = {};
	struct mxlock_set *s = NULL;

	if (!mxlock_set_export(old, &cur) &&
	    !mxlock_ranges_subtract(&cur.v4, &st->v4) &&
	    !mxlock_ranges_subtract(&cur.v6, &st->v6))
		s = mxlock_set_build(&cur);
	mxlock_staging_release(&cur);
	return s;
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
