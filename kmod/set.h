/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allowlist: an immutable, sorted array of disjoint, non-adjacent
 * address intervals, searched without locks. A change never edits a live
 * set: it builds a new one and publishes it with RCU.
 *
 * set.c is compiled both into the module and into the host unit tests, so
 * the kernel-only calls it needs are mapped here, in one small shim.
 */
#ifndef _MXLOCK_SET_H
#define _MXLOCK_SET_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sort.h>
#include <linux/string.h>

/* Memory a namespace's admin makes us hold is charged to that admin. */
#define mxlock_alloc(size)	kvmalloc(size, GFP_KERNEL_ACCOUNT)
#define mxlock_free(p)		kvfree(p)
#define mxlock_sort(base, n, size, cmp) sort(base, n, size, cmp, NULL)
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint32_t u32;
struct rcu_head { void *next, *func; };
#define mxlock_alloc(size)	malloc(size)
#define mxlock_free(p)		free(p)
#define mxlock_sort(base, n, size, cmp) qsort(base, n, size, cmp)
#endif

/* An inclusive IPv4 interval, host byte order. */
struct mxlock_range4 {
	u32 lo;
	u32 hi;
};

/* A growable array of intervals: a staging area, not a lookup structure. */
struct mxlock_ranges {
	struct mxlock_range4 *r;
	u32 n;
	u32 cap;
};

struct mxlock_set {
	struct rcu_head rcu;
	u32 generation;		/* of the change that published this set */
	u32 nr4;
	struct mxlock_range4 r4[];	/* sorted, disjoint, non-adjacent */
};

int mxlock_ranges_push(struct mxlock_ranges *v, u32 lo, u32 hi, u32 limit);
void mxlock_ranges_release(struct mxlock_ranges *v);

struct mxlock_set *mxlock_set_build(struct mxlock_ranges *v);
struct mxlock_set *mxlock_set_add(const struct mxlock_set *old,
				  struct mxlock_ranges *v);
struct mxlock_set *mxlock_set_subtract(const struct mxlock_set *old,
				       struct mxlock_ranges *v);
bool mxlock_set_overlaps4(const struct mxlock_set *s, u32 lo, u32 hi);

static inline void mxlock_set_free(struct mxlock_set *s)
{
	mxlock_free(s);
}

/* The packet path: one binary search over the sorted intervals. */
static inline bool mxlock_set_contains4(const struct mxlock_set *s, u32 addr)
{
	u32 lo = 0, hi = s->nr4;

	/* Find the first interval that starts above addr. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (s->r4[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && addr <= s->r4[lo - 1].hi;
}

#endif /* _MXLOCK_SET_H */
