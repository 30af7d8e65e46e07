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

static int mxlock_ranges_reserve(struct mxlock_ranges *v, u32 extra)
{
	struct mxlock_range4 *r;
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

int mxlock_ranges_push(struct mxlock_ranges *v, u32 lo, u32 hi, u32 limit)
{
	int err;

	if (v->n >= limit)
		return -E2BIG;
	err = mxlock_ranges_reserve(v, 1);
	if (err)
		return err;
	v->r[v->n].lo = lo;
	v->r[v->n].hi = hi;
	v->n++;
	return 0;
}

void mxlock_ranges_release(struct mxlock_ranges *v)
{
	mxlock_free(v->r);
	v->r = NULL;
	v->n = 0;
	v->cap = 0;
}

static int mxlock_range4_cmp(const void *a, const void *b)
{
	const struct mxlock_range4 *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return 0;
}

/* Sort and merge overlapping or touching intervals, in place. */
static void mxlock_ranges_normalise(struct mxlock_ranges *v)
{
	u32 i, m = 0;

	if (!v->n)
		return;
	mxlock_sort(v->r, v->n, sizeof(*v->r), mxlock_range4_cmp);
	for (i = 0; i < v->n; i++) {
		struct mxlock_range4 *last = m ? &v->r[m - 1] : NULL;

		if (last && (last->hi == MXLOCK_U32_MAX ||
			     v->r[i].lo <= last->hi + 1)) {
			if (v->r[i].hi > last->hi)
				last->hi = v->r[i].hi;
		} else {
			v->r[m++] = v->r[i];
		}
	}
	v->n = m;
}

static struct mxlock_set *mxlock_set_alloc(u32 nr4)
{
	struct mxlock_set *s;

	s = mxlock_alloc(sizeof(*s) + (size_t)nr4 * sizeof(s->r4[0]));
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->nr4 = nr4;
	return s;
}

/* Build a set from v (reordered and merged in place; still the caller's). */
struct mxlock_set *mxlock_set_build(struct mxlock_ranges *v)
{
	struct mxlock_set *s;

	mxlock_ranges_normalise(v);
	s = mxlock_set_alloc(v->n);
	if (s && v->n)
		memcpy(s->r4, v->r, v->n * sizeof(s->r4[0]));
	return s;
}

/* old (may be NULL) plus the intervals in v, which this appends to. */
struct mxlock_set *mxlock_set_add(const struct mxlock_set *old,
				  struct mxlock_ranges *v)
{
	u32 nr = old ? old->nr4 : 0;

	if (nr) {
		if (mxlock_ranges_reserve(v, nr))
			return NULL;
		memcpy(v->r + v->n, old->r4, nr * sizeof(old->r4[0]));
		v->n += nr;
	}
	return mxlock_set_build(v);
}

/*
 * Walk old minus the normalised intervals in del; with out == NULL only
 * count the resulting intervals.
 */
static u32 mxlock_set_diff(const struct mxlock_set *old,
			   const struct mxlock_ranges *del,
			   struct mxlock_range4 *out)
{
	u32 i, j = 0, n = 0;

	for (i = 0; i < old->nr4; i++) {
		u32 cur = old->r4[i].lo, end = old->r4[i].hi, k;
		bool covered = false;

		while (j < del->n && del->r[j].hi < cur)
			j++;
		for (k = j; k < del->n && del->r[k].lo <= end; k++) {
			if (del->r[k].lo > cur) {
				if (out) {
					out[n].lo = cur;
					out[n].hi = del->r[k].lo - 1;
				}
				n++;
			}
			if (del->r[k].hi >= end) {
				covered = true;
				break;
			}
			cur = del->r[k].hi + 1;
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

/* old minus the intervals in v (reordered and merged in place). */
struct mxlock_set *mxlock_set_subtract(const struct mxlock_set *old,
				       struct mxlock_ranges *v)
{
	struct mxlock_set *s;

	mxlock_ranges_normalise(v);
	s = mxlock_set_alloc(mxlock_set_diff(old, v, NULL));
	if (s)
		mxlock_set_diff(old, v, s->r4);
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
