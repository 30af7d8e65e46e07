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
#include <linux/sched.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/bitops.h>
#include <linux/compiler.h>

/* Memory a namespace's admin makes us hold is charged to that admin. */
#define mxlock_alloc(size)	kvmalloc(size, GFP_KERNEL_ACCOUNT)
#define mxlock_free(p)		kvfree(p)
#define mxlock_sort(base, n, size, cmp) sort(base, n, size, cmp, NULL)
/* Walks of millions of intervals hold the namespace's mutex: yield now and then. */
#define mxlock_resched(i)	do { if (!((i) & 4095)) cond_resched(); } while (0)

/* budget.c: a pool of intervals, staged and live; NULL charges nothing. */
struct mxlock_budget;
int mxlock_budget_charge(struct mxlock_budget *b, u64 n);
void mxlock_budget_uncharge(struct mxlock_budget *b, u64 n);
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
#define mxlock_resched(i)	((void)(i))
#define unlikely(x)	__builtin_expect(!!(x), 0)
static inline int fls(u32 x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static inline unsigned long __ffs(unsigned long x)
{
	return __builtin_ctzl(x);
}

/* The host tests stage with no budget (NULL): nothing to charge. */
struct mxlock_budget;
static inline int mxlock_budget_charge(struct mxlock_budget *b, u64 n)
{
	(void)b;
	(void)n;
	return 0;
}

static inline void mxlock_budget_uncharge(struct mxlock_budget *b, u64 n)
{
	(void)b;
	(void)n;
}
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

/*
 * What a change is built from: the intervals of each family. The room
 * its arrays have allocated (cap, not n: they grow by doubling) is
 * charged to budget as it grows and given back when they are freed.
 */
struct mxlock_staging {
	struct mxlock_ranges v4;
	struct mxlock_ranges v6;
	struct mxlock_budget *budget;
	bool over;		/* budget refused to let it grow (-ENOSPC) */
};

/*
 * A set's intervals, indexed so that a lookup's cost does not grow with
 * the list, however the list clusters. (The index used to be one
 * directory of runs to binary-search: a cluster of small intervals made
 * its runs, and so its lookups, as long as the cluster.)
 *
 * IPv4: 2 dependent cache-line reads after this header, 3 in crowded
 * chunks. Write interval lo..hi as two boundaries, lo and hi + 1: the set
 * is one sorted array of 2 * nr4 boundaries (the last saturates at
 * 2^32 - 1, an address answered on its own). An address is in the set iff
 * an odd number t of boundaries lie at or below it, and then in interval
 * t / 2. A leaf is one 64-byte line: 15 consecutive boundaries and the
 * count below them, so it answers every address whose t falls in its
 * window, in four branch-free steps. The span from the first interval to
 * the last is cut into chunks of 2^shift4 addresses, about one per
 * interval; dir4[c] names chunk c's leaf (neighbouring chunks share one).
 * A lookup reads dir4[c], then that leaf.
 *
 * A chunk with more than 15 boundaries inside it (crowded: a cluster of
 * small intervals) fits no leaf. Its dir4 entry points (MXLOCK_SUB4) to a
 * sub-directory in sub4 that cuts the chunk into 2^k equal pieces, k as
 * small as leaves 15 boundaries or fewer in every piece; each piece names
 * its leaf. Only addresses in crowded chunks read 3 lines. Two is not
 * possible in bounded memory: the pieces must be as narrow as the tightest
 * cluster (8 addresses at least), and with one directory level that width
 * would apply to the whole span. A cluster's sub-directory halves each
 * time the chunks double, so the build picks the chunk count (up to 2^24)
 * that makes dir4 and sub4 smallest together. Memory: 14 B per prefix for
 * 1M BGP-like prefixes; 21 B per /32 when all are packed into clusters; at
 * worst (clumps of 8 packed /32s scattered over the space) 54-142 B per
 * entry from 100k entries up, about 1.2 MiB for 1k (tests/unit/test_scale).
 *
 * IPv6: a tree of directories over 128-bit keys. The root cuts the span
 * into about nr6 slots; a slot where more than MXLOCK_RUN6 (7) intervals meet
 * gets a child directory over just those intervals' extent (so /128s
 * clustered in one /64 are cut on their low 64 bits), and so on, until
 * each slot names a run of at most MXLOCK_RUN6 intervals (start and
 * length), binary-searched; an empty one answers without reading r6.
 * A level costs two dependent reads (the node, its slot), the run up to
 * three; a child has 2^5 slots or more, so each level takes 5 bits or more
 * off the slot width: at most 26 levels, 0-4 in every list tested.
 */
struct mxlock_leaf4 {
	u32 below;	/* boundaries before key[0] */
	u32 key[15];	/* sorted; 2^32 - 1 past the end */
};

#define MXLOCK_SUB4		0x80000000U
#define MXLOCK_SUB4_SHIFT(e)	((e) >> 26 & 31)
#define MXLOCK_SUB4_AT(e)	(((e) & 0x03ffffffU) << 3)
#define MXLOCK_RUN6		7
#define MXLOCK_RUN6_AT(e)	((e) & 0x0fffffffU)
#define MXLOCK_RUN6_LEN(e)	((e) >> 28 & 7)
#define MXLOCK_NODE6		0x80000000U

/* A directory level of the IPv6 index. */
struct mxlock_node6 {
	struct mxlock_key base;	/* first address it covers */
	u32 slots;		/* its 2^bits slots in ent6 */
	u8 shift;		/* (address - base) >> shift is the slot */
	u8 bits;
	u8 depth;		/* 0 for the root */
};

struct mxlock_set {
	struct rcu_head rcu;
	u32 generation;		/* of the change that published this set */
	u32 nr4;
	u32 nr6;
	u32 hits_stride;	/* counters per CPU row, >= nr4 + nr6 */
	u64 *hits;		/* per-CPU rows of per-interval SYN counts */
	struct mxlock_budget *budget;	/* charged its intervals while it lives */
	u32 base4;		/* first address of the first interval */
	u32 span4;		/* last address minus base4 */
	u32 mask4;		/* (1 << shift4) - 1 */
	u8 shift4;		/* (address - base4) >> shift4 is its chunk */
	u8 depth6;		/* levels below the IPv6 root */
	u32 chunks4, nsub4, nleaf4, nnode6, nent6;
	size_t bytes;		/* the whole allocation */
	u32 *dir4;		/* a leaf, or MXLOCK_SUB4 | shift | sub4 offset */
	u32 *sub4;		/* sub-directories of crowded chunks */
	struct mxlock_leaf4 *leaf4;	/* 64-byte aligned */
	struct mxlock_node6 *node6;	/* node6[0] is the root */
	u32 *ent6;		/* run length << 28 | start, or MXLOCK_NODE6 | node */
	struct mxlock_range *r6;	/* sorted, disjoint, non-adjacent */
	struct mxlock_range4 r4[];	/* likewise; the index follows */
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

/*
 * Elements of each array the IPv6 index is built in: node numbers must
 * stay below MXLOCK_NODE6, slot numbers within a u32.
 */
#define MXLOCK_GROW_MAX		(MXLOCK_NODE6 - 1)

int mxlock_grow(void **v, u32 *cap, u64 need, size_t size);
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

/*
 * The addresses of one set not in another, as merged intervals: n4 IPv4
 * ones, then n6 IPv6 ones, each ascending. The first max of them are
 * copied to r (IPv4 ones as keys with hi 0): r[i] is IPv4 iff i < n4.
 */
struct mxlock_diff {
	u32 n4;
	u32 n6;
	u32 max;
	struct mxlock_range *r;
};

void mxlock_set_diff(const struct mxlock_set *a, const struct mxlock_set *b,
		     struct mxlock_diff *d);

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
 * The packet path. Returns the index of the interval holding addr (IPv6
 * ones count from nr4), or -1 if none does.
 */
static inline long mxlock_set_find4(const struct mxlock_set *s, u32 addr)
{
	const struct mxlock_leaf4 *leaf;
	u32 off = addr - s->base4, e, c;

	if (!s->nr4 || off > s->span4)
		return -1;
	/* Inside the span, so the last interval ends at 2^32 - 1. */
	if (unlikely(addr == ~0U))
		return s->nr4 - 1;
	e = s->dir4[off >> s->shift4];
	if (e & MXLOCK_SUB4)
		e = s->sub4[MXLOCK_SUB4_AT(e) +
			    ((off & s->mask4) >> MXLOCK_SUB4_SHIFT(e))];
	leaf = &s->leaf4[e];
	/* How many of its keys are <= addr: a conditional move a step. */
	c = leaf->key[7] <= addr ? 8 : 0;
	c += leaf->key[c + 3] <= addr ? 4 : 0;
	c += leaf->key[c + 1] <= addr ? 2 : 0;
	c += leaf->key[c] <= addr ? 1 : 0;
	c += leaf->below;
	return c & 1 ? (long)(c >> 1) : -1;
}

/* The slot of off >> shift among 2^bits, or -1 past them. */
static inline long mxlock_key_slot(const struct mxlock_key *off, u8 shift,
				   u8 bits)
{
	u64 hi = off->hi, lo = off->lo;

	if (shift >= 64) {
		lo = hi >> (shift - 64);
		hi = 0;
	} else if (shift) {
		lo = lo >> shift | hi << (64 - shift);
		hi >>= shift;
	}
	return hi || lo >> bits ? -1 : (long)lo;
}

static inline long mxlock_set_find6(const struct mxlock_set *s,
				    const struct mxlock_key *addr)
{
	const struct mxlock_node6 *node = s->node6;
	const struct mxlock_range *r;
	u32 e = 0, n;

	if (mxlock_key_v4mapped(addr))
		return mxlock_set_find4(s, (u32)addr->lo);
	if (!s->nr6)
		return -1;
	for (;;) {
		struct mxlock_key off;
		long slot;

		if (mxlock_key_cmp(addr, &node->base) < 0)
			return -1;
		off.lo = addr->lo - node->base.lo;
		off.hi = addr->hi - node->base.hi - (addr->lo < node->base.lo);
		slot = mxlock_key_slot(&off, node->shift, node->bits);
		if (slot < 0)
			return -1;
		e = s->ent6[node->slots + slot];
		if (!(e & MXLOCK_NODE6))
			break;
		node = &s->node6[e & ~MXLOCK_NODE6];
	}
	/* A run of at most MXLOCK_RUN6: the last interval starting <= addr. */
	n = MXLOCK_RUN6_LEN(e);
	r = &s->r6[MXLOCK_RUN6_AT(e)];
	if (!n || mxlock_key_cmp(&r->lo, addr) > 0)
		return -1;
	while (n > 1) {
		u32 half = n / 2;

		r = mxlock_key_cmp(&r[half].lo, addr) <= 0 ? r + half : r;
		n -= half;
	}
	if (mxlock_key_cmp(addr, &r->hi) <= 0)
		return (long)s->nr4 + (r - s->r6);
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
