// SPDX-License-Identifier: GPL-2.0
/*
 * Host benchmark of ADD on a large list: kmod/set.c (the file the module
 * compiles) adding a small batch onto a set of N IPv4 intervals, two ways
 * side by side in one run, interleaved pass by pass so that noise on a
 * shared machine hits both alike:
 *
 *   merge:  mxlock_set_add(), which sorts only the batch and merges the
 *           set's sorted intervals in (what the module does);
 *   resort: the set's intervals appended to the batch and the whole lot
 *           handed to mxlock_set_build(), which sorts all N + M (what
 *           mxlock_set_add() did before).
 *
 * Both results must be the same set (else exit 2). Prints one CSV row per
 * size: n, batch, merge ms, resort ms, ratio (medians). Timings decide
 * nothing: this is not part of `make check`.
 *
 *   add [N...]     (default 65536 262144 1048576 4194304)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "set.h"

#define BATCH	16
#define PASSES	5

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* n disjoint, non-touching intervals (one address every 4), shuffled. */
static struct mxlock_set *big_set(u32 n)
{
	struct mxlock_staging st = {};
	struct mxlock_set *s;
	u32 i;

	for (i = 0; i < n; i++) {
		u32 a = 0x01000000u + 4 * (u32)(((u64)i * 2654435761u) % n);

		if (mxlock_staging_push4(&st, a, a, ~0u))
			exit(1);
	}
	s = mxlock_set_build(&st);
	mxlock_staging_release(&st);
	return s;
}

static void batch(struct mxlock_staging *st, u32 n, unsigned int seed)
{
	unsigned int i;

	for (i = 0; i < BATCH; i++) {
		u32 a = 0x01000000u + 4 * (u32)(rand_r(&seed) % n) + 2;

		if (mxlock_staging_push4(st, a, a, ~0u))
			exit(1);
	}
}

static bool same(const struct mxlock_set *a, const struct mxlock_set *b)
{
	return a->nr4 == b->nr4 && a->nr6 == b->nr6 &&
	       !memcmp(a->r4, b->r4, a->nr4 * sizeof(a->r4[0]));
}

int main(int argc, char **argv)
{
	static const u32 sizes[] = { 65536, 262144, 1048576, 4194304 };
	int k, nk = argc > 1 ? argc - 1 : 4;

	printf("n,batch,merge_ms,resort_ms,ratio\n");
	for (k = 0; k < nk; k++) {
		u32 n = argc > 1 ? strtoul(argv[k + 1], NULL, 0) : sizes[k];
		struct mxlock_set *old = big_set(n);
		double tm[PASSES], tr[PASSES], t;
		int p;

		if (!old)
			return 1;
		for (p = 0; p < PASSES; p++) {
			struct mxlock_staging a = {}, b = {};
			struct mxlock_set *x, *y;
			u32 i;

			batch(&a, n, p);
			t = now_ms();
			x = mxlock_set_add(old, &a);
			tm[p] = now_ms() - t;

			batch(&b, n, p);
			t = now_ms();
			for (i = 0; i < old->nr4; i++)
				if (mxlock_staging_push4(&b, old->r4[i].lo,
							 old->r4[i].hi, ~0u))
					return 1;
			y = mxlock_set_build(&b);
			tr[p] = now_ms() - t;
			if (!x || !y || !same(x, y)) {
				fprintf(stderr, "add: the two ways disagree at n %u\n", n);
				return 2;
			}
			mxlock_set_free(x);
			mxlock_set_free(y);
			mxlock_staging_release(&a);
			mxlock_staging_release(&b);
		}
		qsort(tm, PASSES, sizeof(tm[0]), cmp_double);
		qsort(tr, PASSES, sizeof(tr[0]), cmp_double);
		printf("%u,%d,%.2f,%.2f,%.1f\n", n, BATCH, tm[PASSES / 2],
		       tr[PASSES / 2], tr[PASSES / 2] / tm[PASSES / 2]);
		fflush(stdout);
		mxlock_set_free(old);
	}
	return 0;
}
