// SPDX-License-Identifier: GPL-2.0
/*
 * Per-interval hit counters: how many SYNs each allowlisted interval
 * admitted. One row of counters per CPU, so the packet path writes only
 * its own CPU's memory. A change carries an old interval's count over to
 * the new interval that holds it whole (kept or merged); a split one
 * starts again from zero.
 */
#include <linux/overflow.h>

#include "mxlock.h"

/* Past this a set keeps no hit counters rather than pin more memory. */
#define MXLOCK_HITS_MAX_BYTES	(64UL << 20)

u64 mxlock_hits_read(const struct mxlock_set *set, u32 idx)
{
	u64 sum = 0;
	int cpu;

	if (!set->hits)
		return 0;
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(set->hits[cpu * set->hits_stride + idx]);
	return sum;
}

/* The interval of set that holds interval i of old whole, or -1. */
static long mxlock_hits_home(const struct mxlock_set *set,
			     const struct mxlock_set *old, u32 i)
{
	long j;

	if (i < old->nr4) {
		j = mxlock_set_find4(set, old->r4[i].lo);
		return j >= 0 && old->r4[i].hi <= set->r4[j].hi ? j : -1;
	}
	i -= old->nr4;
	j = mxlock_set_find6(set, &old->r6[i].lo);
	if (j >= 0 &&
	    mxlock_key_cmp(&old->r6[i].hi, &set->r6[j - set->nr4].hi) <= 0)
		return j;
	return -1;
}

int mxlock_hits_attach(struct mxlock_set *set, const struct mxlock_set *old)
{
	u32 n = mxlock_set_ranges(set), i;
	size_t bytes;
	u32 stride;
	long j;

	if (!n)
		return 0;
	/* Whole cache lines per CPU: no two CPUs write the same line. */
	stride = ALIGN(n, L1_CACHE_BYTES / sizeof(u64));
	if (check_mul_overflow((size_t)nr_cpu_ids * stride, sizeof(u64),
			       &bytes) || bytes > MXLOCK_HITS_MAX_BYTES)
		return 0;
	set->hits = kvzalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!set->hits)
		return -ENOMEM;
	set->hits_stride = stride;
	if (!old || !old->hits)
		return 0;
	for (i = 0; i < mxlock_set_ranges(old); i++) {
		j = mxlock_hits_home(set, old, i);
		if (j >= 0)
			set->hits[j] += mxlock_hits_read(old, i);
	}
	return 0;
}

void mxlock_set_destroy(struct mxlock_set *set)
{
	if (!set)
		return;
	mxlock_budget_uncharge(set->budget, mxlock_set_ranges(set));
	kvfree(set->hits);
	mxlock_set_free(set);
}

static void mxlock_set_free_rcu(struct rcu_head *head)
{
	mxlock_set_destroy(container_of(head, struct mxlock_set, rcu));
}

/* Free set once no reader can see it; module exit waits with rcu_barrier. */
void mxlock_set_release(struct mxlock_set *set)
{
	if (set)
		call_rcu(&set->rcu, mxlock_set_free_rcu);
}
