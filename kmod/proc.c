// SPDX-License-Identifier: GPL-2.0
/* /proc/net/mxlock/stats: the namespace's state and counters, `key value`. */
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>

#include "mxlock.h"

const char *mxlock_mode_name(u8 mode)
{
	return mode == MXLOCK_MODE_MONITOR ? "monitor" : "enforce";
}

const char *mxlock_action_name(u8 action)
{
	return action == MXLOCK_ACTION_REJECT ? "reject" : "drop";
}

static int mxlock_stats_show(struct seq_file *seq, void *v)
{
	struct mxlock_net *pn = mxlock_pernet(seq_file_single_net(seq));
	const struct mxlock_conf *conf;
	const struct mxlock_set *set;
	struct mxlock_stats sum;
	u64 used, limit;
	u32 ranges = 0;
	int i;

	mxlock_stats_sum(pn->stats, &sum);
	/* The mutex gives one consistent picture of settings and list. */
	mutex_lock(&pn->lock);
	conf = rcu_dereference_protected(pn->conf, lockdep_is_held(&pn->lock));
	set = rcu_dereference_protected(pn->set, lockdep_is_held(&pn->lock));
	if (set)
		ranges = mxlock_set_ranges(set);
	seq_printf(seq, "mode %s\n", mxlock_mode_name(conf->mode));
	seq_printf(seq, "action %s\n", mxlock_action_name(conf->action));
	seq_printf(seq, "log %s\n", conf->log ? "on" : "off");
	seq_puts(seq, "ports ");
	for (i = 0; i < conf->nr_ports; i++)
		seq_printf(seq, "%s%u", i ? "," : "", ntohs(conf->ports[i]));
	seq_printf(seq, "\narmed %d\n", !!set);
	seq_printf(seq, "ranges %u\n", ranges);
	seq_printf(seq, "generation %u\n", pn->generation);
	mutex_unlock(&pn->lock);

	seq_printf(seq, "syn_seen %llu\n", mxlock_stats_seen(&sum));
	seq_printf(seq, "syn_allowed %llu\n", sum.syn[MXLOCK_VERDICT_ALLOW]);
	seq_printf(seq, "syn_dropped %llu\n", sum.syn[MXLOCK_VERDICT_DROP]);
	seq_printf(seq, "syn_monitored %llu\n", sum.syn[MXLOCK_VERDICT_MONITOR]);
	seq_printf(seq, "syn_unarmed %llu\n", sum.syn[MXLOCK_VERDICT_UNARMED]);
	seq_printf(seq, "ack_dropped %llu\n", sum.ack[MXLOCK_VERDICT_DROP]);
	seq_printf(seq, "ack_monitored %llu\n", sum.ack[MXLOCK_VERDICT_MONITOR]);
	/* Last: keys are appended, never reordered. */
	mxlock_budget_read(pn->budget, &used, &limit);
	seq_printf(seq, "budget_used %llu\n", used);
	seq_printf(seq, "budget_limit %llu\n", limit);
	return 0;
}

/* One line per source, most recently seen first; times in Unix seconds. */
static int mxlock_denied_show(struct seq_file *seq, void *v)
{
	struct mxlock_net *pn = mxlock_pernet(seq_file_single_net(seq));
	struct mxlock_denied_source *src;
	int n, i;

	/* Pairs with mxlock_commit()'s smp_store_release(). */
	n = mxlock_denied_snapshot(smp_load_acquire(&pn->denied), &src);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		struct in6_addr a;

		if (src[i].v6) {
			mxlock_key_to_in6(&src[i].addr, &a);
			seq_printf(seq, "%pI6c", &a);
		} else {
			seq_printf(seq, "%pI4",
				   &(__be32){ htonl((u32)src[i].addr.lo) });
		}
		seq_printf(seq, " count %llu first %lld last %lld\n",
			   src[i].count, src[i].first, src[i].last);
	}
	kvfree(src);
	return 0;
}

int mxlock_proc_net_init(struct net *net, struct mxlock_net *pn)
{
	pn->proc_dir = proc_net_mkdir(net, "mxlock", net->proc_net);
	if (!pn->proc_dir)
		return -ENOMEM;
	if (!proc_create_net_single("stats", 0444, pn->proc_dir,
				    mxlock_stats_show, NULL) ||
	    !proc_create_net_single("denied", 0444, pn->proc_dir,
				    mxlock_denied_show, NULL)) {
		proc_remove(pn->proc_dir);
		return -ENOMEM;
	}
	return 0;
}

void mxlock_proc_net_exit(struct mxlock_net *pn)
{
	/* Removes the directory and everything in it. */
	proc_remove(pn->proc_dir);
}
