// SPDX-License-Identifier: GPL-2.0
/*
 * Budgets of intervals that hold across namespaces. Each namespace may
 * open MXLOCK_MAX_TXNS replace transactions of MXLOCK_MAX_ENTRIES
 * entries, and an unprivileged user may create as many namespaces as
 * user.max_net_namespaces allows, so per-namespace limits alone would
 * multiply. Every interval the module holds for a namespace, staged (the
 * room a staging list has allocated) or in a set that is or was live
 * (until its RCU grace period ends), is charged to the module-wide
 * "budget"; namespaces owned by a user namespace other than the initial
 * one are charged to the smaller "userns_budget" as well, one pool they
 * all share, so that creating namespaces gains their owners nothing and
 * cannot use up what is left for root's namespaces.
 */
#include <linux/atomic.h>
#include <linux/moduleparam.h>
#include <linux/user_namespace.h>

#include "mxlock.h"

/*
 * Root's namespaces can still replace a list of MXLOCK_MAX_ENTRIES by
 * another (the old set, the staging and the new set: 3x) with the whole
 * userns pool in use.
 */
static unsigned long budget = 4UL * MXLOCK_MAX_ENTRIES;
module_param(budget, ulong, 0644);
MODULE_PARM_DESC(budget,
		 "Intervals staged and live in all namespaces together (default 16777216)");

/* 32 MiB of staging at most; a container's list is rarely 1000 long. */
static unsigned long userns_budget = 1UL << 20;
module_param(userns_budget, ulong, 0644);
MODULE_PARM_DESC(userns_budget,
		 "Of those, intervals of namespaces owned by user namespaces other than the initial one, together (default 1048576)");

struct mxlock_budget {
	atomic64_t used;
	const unsigned long *limit;	/* a module parameter */
	struct mxlock_budget *parent;	/* charged too */
};

static struct mxlock_budget mxlock_budget_all = {
	.limit = &budget,
};

static struct mxlock_budget mxlock_budget_userns = {
	.limit = &userns_budget,
	.parent = &mxlock_budget_all,
};

struct mxlock_budget *mxlock_budget_of(const struct net *net)
{
	return net->user_ns == &init_user_ns ? &mxlock_budget_all :
					       &mxlock_budget_userns;
}

/* Take n from b alone if it fits under b's limit (which may be lowered). */
static bool mxlock_budget_take(struct mxlock_budget *b, u64 n)
{
	u64 limit = READ_ONCE(*b->limit);
	s64 used = atomic64_read(&b->used);

	do {
		if (n > limit || (u64)used > limit - n)
			return false;
	} while (!atomic64_try_cmpxchg(&b->used, &used, used + n));
	return true;
}

int mxlock_budget_charge(struct mxlock_budget *b, u64 n)
{
	if (!b || !n)
		return 0;
	if (!mxlock_budget_take(b, n))
		return -ENOSPC;
	if (b->parent && !mxlock_budget_take(b->parent, n)) {
		atomic64_sub(n, &b->used);
		return -ENOSPC;
	}
	return 0;
}

void mxlock_budget_uncharge(struct mxlock_budget *b, u64 n)
{
	for (; b && n; b = b->parent)
		atomic64_sub(n, &b->used);
}

void mxlock_budget_read(const struct mxlock_budget *b, u64 *used, u64 *limit)
{
	*used = atomic64_read(&b->used);
	*limit = READ_ONCE(*b->limit);
}

/* The extack of a refusal, naming the pools b draws from. */
void mxlock_budget_refused(const struct mxlock_budget *b,
			   struct netlink_ext_ack *extack)
{
	if (b->parent)
		NL_SET_ERR_MSG(extack,
			       "over userns_budget, the intervals (staged and live) that all namespaces of user namespaces other than the initial one share, or over the module's budget");
	else
		NL_SET_ERR_MSG(extack,
			       "over the module's budget of intervals (staged and live, all namespaces together)");
}
