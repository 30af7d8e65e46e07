// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/set.c at scale: a million random prefixes with a BGP-like length
 * mix, looked up through the set's chunk index and, independently, through
 * a naive longest-match model (a hash of every prefix, probed at each
 * length in use). Both must agree on every query: random addresses, and
 * the first, last and neighbouring addresses of prefixes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "set.h"
#include "prefixgen.h"

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

/* The naive model: every prefix in one open-addressing hash table. */
struct model {
	struct mxlock_key *net;
	u8 *len;		/* 0: empty slot, else prefix length + 1 */
	u64 mask;
	unsigned char used[129];
};

static u64 model_hash(const struct mxlock_key *k, unsigned int len)
{
	u64 h = k->hi * 0x9e3779b97f4a7c15ULL ^ k->lo * 0xc2b2ae3d27d4eb4fULL;

	return (h ^ len * 0x165667b19e3779f9ULL) ^ (h >> 29);
}

static void model_add(struct model *m, const struct mxlock_key *net,
		      unsigned int len)
{
	u64 i = model_hash(net, len) & m->mask;

	while (m->len[i]) {
		if (m->len[i] == len + 1 && !mxlock_key_cmp(&m->net[i], net))
			return;
		i = (i + 1) & m->mask;
	}
	m->net[i] = *net;
	m->len[i] = len + 1;
	m->used[len] = 1;
}

static int model_contains(const struct model *m, const struct mxlock_key *k)
{
	for (unsigned int len = 0; len <= 128; len++) {
		struct mxlock_key net;
		u64 i;

		if (!m->used[len])
			continue;
		net = mask_key(k, len);
		for (i = model_hash(&net, len) & m->mask; m->len[i];
		     i = (i + 1) & m->mask)
			if (m->len[i] == len + 1 && !mxlock_key_cmp(&m->net[i], &net))
				return 1;
	}
	return 0;
}

/* IPv4 keys live in the low 32 bits; the model works on 128-bit keys. */
static struct mxlock_key v4key(u32 a)
{
	struct mxlock_key k = { 0, a };

	return k;
}

static int check(const struct mxlock_set *s, const struct model *m,
		 const struct mxlock_key *q, int v6)
{
	int got = v6 ? mxlock_set_contains6(s, q) :
		       mxlock_set_contains4(s, (u32)q->lo);

	/* The model holds IPv4 prefixes at length + 96 in the mapped block. */
	return got == model_contains(m, q);
}

static void run(int v6, u32 n, u32 queries)
{
	struct model m = { 0 };
	struct mxlock_staging st = { 0 };
	struct mxlock_key *nets = malloc(sizeof(*nets) * n);
	u8 *lens = malloc(n);
	struct mxlock_set *s;
	u32 i, bad = 0;
	u64 slots = 1;
	const char *fam = v6 ? "IPv6" : "IPv4";

	while (slots < 4ULL * n)
		slots <<= 1;
	m.net = calloc(slots, sizeof(*m.net));
	m.len = calloc(slots, 1);
	m.mask = slots - 1;

	for (i = 0; i < n; i++) {
		struct mxlock_key k, hi;
		unsigned int len;

		if (v6) {
			gen_prefix6(&k, &hi, &len);
			mxlock_staging_push6(&st, &k, &hi, ~0U);
			model_add(&m, &k, len);
		} else {
			u32 a = gen_prefix4(&len);
			u32 mask = len ? ~0U << (32 - len) : 0;

			k = v4key(a);
			mxlock_staging_push4(&st, a, a | ~mask, ~0U);
			/* IPv4 prefixes sit in the low 32 bits: length + 96. */
			model_add(&m, &k, len + 96);
		}
		nets[i] = k;
		lens[i] = len;
	}
	s = mxlock_set_build(&st);
	ok(s != NULL, "%s: built a set from %u random prefixes", fam, n);
	if (!s)
		return;
	printf("# %s: %u prefixes -> %u intervals, %zu bytes (%.1f per prefix)\n",
	       fam, n, v6 ? s->nr6 : s->nr4, mxlock_set_bytes(s),
	       (double)mxlock_set_bytes(s) / n);
	if (v6 ? s->dir6 : s->dir4) {
		u32 *dir = v6 ? s->dir6 : s->dir4;
		u32 chunks = v6 ? s->chunks6 : s->chunks4, maxrun = 0;

		for (i = 0; i < chunks; i++)
			if (dir[i + 1] - dir[i] + 1 > maxrun)
				maxrun = dir[i + 1] - dir[i] + 1;
		printf("# %s: %u chunks, longest run %u intervals\n", fam,
		       chunks, maxrun);
	}
	ok(v6 ? s->dir6 != NULL : s->dir4 != NULL,
	   "%s: a large set is indexed", fam);

	for (i = 0; i < queries; i++) {
		struct mxlock_key q;

		if (i % 2) {
			/* A random address. */
			q.hi = v6 ? (rnd64() & 0x1fffffffffffffffULL) |
				    0x2000000000000000ULL : 0;
			q.lo = v6 ? rnd64() : (u32)rnd64();
		} else {
			/* Next to a prefix's first address: in, or just out. */
			q = nets[rnd64() % n];
			if (i % 4 == 2) {
				if (v6 && q.lo-- == 0)
					q.hi--;
				else if (!v6)
					q.lo = (u32)(q.lo - 1);
			}
		}
		if (!check(s, &m, &q, v6))
			bad++;
	}
	ok(!bad, "%s: %u lookups agree with the naive model (%u disagree)",
	   fam, queries, bad);
	mxlock_set_free(s);
	mxlock_staging_release(&st);
	free(nets);
	free(lens);
	free(m.net);
	free(m.len);
}

int main(int argc, char **argv)
{
	u32 n4 = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	u32 n6 = argc > 2 ? strtoul(argv[2], NULL, 0) : 200000;

	printf("KTAP version 1\n1..6\n");
	run(0, n4, 1000000);
	run(1, n6, 400000);
	printf("# scale: %d tests, %d failed\n", nr_tests, nr_failed);
	return nr_failed ? 1 : 0;
}
