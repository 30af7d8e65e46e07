/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random prefixes with a routing-table-like length mix, from a fixed seed:
 * the one generator behind tests/unit/test_scale.c (correctness at scale)
 * and bench/lookup.c (the host micro-benchmark), so both look at the same
 * lists. Include after set.h. Everything here is static: each program has
 * its own generator state.
 */
#ifndef _MXLOCK_PREFIXGEN_H
#define _MXLOCK_PREFIXGEN_H

#define PREFIXGEN_SEED	88172645463325252ULL

static u64 rng_state = PREFIXGEN_SEED;

static inline u64 rnd64(void)
{
	/* xorshift64: reproducible across libcs, unlike rand(). */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* k with all but its first len bits cleared. */
static inline struct mxlock_key mask_key(const struct mxlock_key *k,
					 unsigned int len)
{
	struct mxlock_key m = *k;

	if (len < 64) {
		m.hi = len ? m.hi & ~0ULL << (64 - len) : 0;
		m.lo = 0;
	} else if (len < 128) {
		m.lo = len > 64 ? m.lo & ~0ULL << (128 - len) : 0;
	}
	return m;
}

/* Mostly /24, as in a routing table; short prefixes are rare there. */
static inline unsigned int v4_len(void)
{
	unsigned int r = rnd64() % 100;

	if (r < 70)
		return 24;
	if (r < 85)
		return 22 + rnd64() % 2;
	if (r < 95)
		return 17 + rnd64() % 5;
	if (r < 99)
		return 25 + rnd64() % 8;
	return 16;
}

static inline unsigned int v6_len(void)
{
	unsigned int r = rnd64() % 100;

	if (r < 50)
		return 48;
	if (r < 70)
		return 32;
	if (r < 85)
		return 40 + rnd64() % 8;
	return 56 + rnd64() % 9;
}

/* A random IPv4 prefix: returns its first address, sets *len. */
static inline u32 gen_prefix4(unsigned int *len)
{
	u32 a = (u32)rnd64(), mask;

	*len = v4_len();
	mask = *len ? ~0U << (32 - *len) : 0;
	return a & mask;
}

/* A random IPv6 prefix in global unicast (2000::/3), as real tables are. */
static inline void gen_prefix6(struct mxlock_key *lo, struct mxlock_key *hi,
			       unsigned int *len)
{
	struct mxlock_key k;

	*len = v6_len();
	k.hi = (rnd64() & 0x1fffffffffffffffULL) | 0x2000000000000000ULL;
	k.lo = rnd64();
	k = mask_key(&k, *len);
	*lo = k;
	if (*len < 64) {
		k.hi |= ~0ULL >> *len;
		k.lo = ~0ULL;
	} else {
		k.lo |= *len < 128 ? ~0ULL >> (*len - 64) : 0;
	}
	*hi = k;
}

#endif /* _MXLOCK_PREFIXGEN_H */
