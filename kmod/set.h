/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allowlist: for each family an immutable, sorted array of disjoint,
 * non-adjacent address intervals, searched without locks. A change never
 * edits a live set: it builds a new one and publishes it with RCU.
 *
 * Interval algebra (merge, subtract, overlap) is written once, over 128-bit
 * keys in a staging area; the published set stores IPv4 compactly.
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

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
struct rcu_head { void *next, *func; };
#define mxlock_alloc(size)	malloc(size)
#define mxlock_free(p)		free(p)
#define mxlock_sort(base, n, size, cmp) qsort(base, n, size, cmp)
#endif

/* A 128-bit address in host order; an IPv4 address is lo alone. */
struct mxlock_key {
	u64 hi;
	u64 lo;
};

static inline int mxlock_key_cmp(const struct mxlock_key *a,
				 const struct mxlock_key *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/* An inclusive interval of keys. */
struct mxlock_range {
	struct mxlock_key lo;
	struct mxlock_key hi;
};

/* An inclusive IPv4 interval, host order: how a set stores IPv4. */
struct mxlock_range4 {
	u32 lo;
	u32 hi;
};

/* A growable array of intervals of one family: staging, not lookup. */
struct mxlock_ranges {
	struct mxlock_range *r;
	u32 n;
	u32 cap;
};

/* What a change is built from: the intervals of each family. */
struct mxlock_staging {
	struct mxlock_ranges v4;
	struct mxlock_ranges v6;
};

/*
 * A set's intervals, indexed for lookups whose cost does not grow with the
 * list: the span from the first interval to the last is cut into chunks
 * of 2^shift addresses (for IPv6, of the top 64 bits), and dir[c] is the
 * first interval that ends in or after chunk c. An address in chunk c can
 * only lie in intervals dir[c] .. dir[c + 1], a run that stays short
 * because there are about as many chunks as intervals. Lookup: one read
 * of dir (both entries share a cache line), then a binary search over
 * that short run.
 */
struct mxlock_set {
	struct rcu_head rcu;
	u32 generation;		/* of the change that published this set */
	u32 nr4;
	u32 nr6;
	u32 hits_stride;	/* counters per CPU row, >= nr4 + nr6 */
	u64 *hits;		/* per-CPU rows of per-interval SYN counts */
	u8 shift4, shift6;	/* (address - base) >> shift is its chunk */
	u32 chunks4, chunks6;
	u32 base4;		/* first address of the first interval */
	u64 base6;		/* likewise, its top 64 bits */
	u32 *dir4, *dir6;	/* chunks + 1 run starts; NULL for tiny sets */
	struct mxlock_range *r6;	/* sorted, disjoint, non-adjacent */
	struct mxlock_range4 r4[];	/* likewise; r6, dir4, dir6 follow */
};

/*
 * IPv4-mapped IPv6 addresses (::ffff:0:0/96) belong to the IPv4 list:
 * an IPv6 entry never covers them, so a mapped source can't slip through.
 */
#define MXLOCK_V4MAPPED_HI	0ULL
#define MXLOCK_V4MAPPED_LO	0x0000ffff00000000ULL

static inline bool mxlock_key_v4mapped(const struct mxlock_key *k)
{
	return k->hi == MXLOCK_V4MAPPED_HI &&
	       (k->lo >> 32) == (MXLOCK_V4MAPPED_LO >> 32);
}

int mxlock_staging_push4(struct mxlock_staging *st, u32 lo, u32 hi,
			 u32 limit);
int mxlock_staging_push6(struct mxlock_staging *st,
			 const struct mxlock_key *lo,
			 const struct mxlock_key *hi, u32 limit);
void mxlock_staging_release(struct mxlock_staging *st);

struct mxlock_set *mxlock_set_build(struct mxlock_staging *st);
struct mxlock_set *mxlock_set_add(const struct mxlock_set *old,
				  struct mxlock_staging *st);
struct mxlock_set *mxlock_set_subtract(const struct mxlock_set *old,
				       struct mxlock_staging *st);
size_t mxlock_set_bytes(const struct mxlock_set *s);
bool mxlock_set_overlaps4(const struct mxlock_set *s, u32 lo, u32 hi);
bool mxlock_set_overlaps6(const struct mxlock_set *s,
			  const struct mxlock_key *lo,
			  const struct mxlock_key *hi);

static inline void mxlock_set_free(struct mxlock_set *s)
{
	mxlock_free(s);
}

static inline u32 mxlock_set_ranges(const struct mxlock_set *s)
{
	return s->nr4 + s->nr6;
}

/*
 * The packet path: one binary search over the sorted intervals. Returns
 * the index of the interval holding addr (IPv6 ones count from nr4), or
 * -1 if none does.
 */
static inline long mxlock_set_find4(const struct mxlock_set *s, u32 addr)
{
	const struct mxlock_range4 *base;
	u32 lo = 0, n = s->nr4;

	if (s->dir4) {
		u32 c = (addr - s->base4) >> s->shift4;

		if (addr < s->base4 || c >= s->chunks4)
			return -1;
		lo = s->dir4[c];
		n = (s->dir4[c + 1] < s->nr4 ? s->dir4[c + 1] + 1 : s->nr4) - lo;
	}
	if (!n)
		return -1;
	/*
	 * The last interval starting at or below addr, without a branch per
	 * step (a conditional move): runs are short, and a mispredicted
	 * branch costs more than the compare it skips.
	 */
	base = &s->r4[lo];
	while (n > 1) {
		u32 half = n / 2;

		base = base[half].lo <= addr ? base + half : base;
		n -= half;
	}
	return base->lo <= addr && addr <= base->hi ? base - s->r4 : -1;
}

static inline long mxlock_set_find6(const struct mxlock_set *s,
				    const struct mxlock_key *addr)
{
	u32 lo = 0, hi = s->nr6;

	if (mxlock_key_v4mapped(addr))
		return mxlock_set_find4(s, (u32)addr->lo);
	if (s->dir6) {
		u64 c = (addr->hi - s->base6) >> s->shift6;

		if (addr->hi < s->base6 || c >= s->chunks6)
			return -1;
		lo = s->dir6[c];
		hi = s->dir6[c + 1] < s->nr6 ? s->dir6[c + 1] + 1 : s->nr6;
	}
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (mxlock_key_cmp(&s->r6[mid].lo, addr) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && mxlock_key_cmp(addr, &s->r6[lo - 1].hi) <= 0)
		return (long)s->nr4 + lo - 1;
	return -1;
}

static inline bool mxlock_set_contains4(const struct mxlock_set *s, u32 addr)
{
	return mxlock_set_find4(s, addr) >= 0;
}

static inline bool mxlock_set_contains6(const struct mxlock_set *s,
					const struct mxlock_key *addr)
{
	return mxlock_set_find6(s, addr) >= 0;
}

#endif /* _MXLOCK_SET_H */
