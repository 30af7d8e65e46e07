// SPDX-License-Identifier: GPL-2.0
/* /proc/net/mxlock/stats: the namespace's state and counters, `key value`. */
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>

#include "mxlock.h"

static int mxlock_stats_show(struct seq_file *seq, void *v)
{
	struct mxlock_net *pn = mxlock_pernet(seq_file_single_net(seq));
	const struct mxlock_set *set;
	struct mxlock_stats sum;
	u32 ranges = 0, generation;
	bool armed;

	rcu_read_lock();
	set = rcu_dereference(pn->set);
	armed = set;
	if (set)
		ranges = mxlock_set_ranges(set);
	rcu_read_unlock();
	generation = READ_ONCE(pn->generation);
	mxlock_stats_sum(pn->stats, &sum);

	seq_printf(seq, "mode %s\n",
		   READ_ONCE(pn->mode) == MXLOCK_MODE_MONITOR ? "monitor" : "enforce");
	seq_printf(seq, "armed %d\n", armed);
	seq_printf(seq, "port %u\n", ntohs(pn->port));
	seq_printf(seq, "ranges %u\n", ranges);
	seq_printf(seq, "generation %u\n", generation);
	seq_printf(seq, "syn_seen %llu\n", mxlock_stats_seen(&sum));
	seq_printf(seq, "syn_allowed %llu\n", sum.syn[MXLOCK_VERDICT_ALLOW]);
	seq_printf(seq, "syn_dropped %llu\n", sum.syn[MXLOCK_VERDICT_DROP]);
	seq_printf(seq, "syn_monitored %llu\n", sum.syn[MXLOCK_VERDICT_MONITOR]);
	seq_printf(seq, "syn_unarmed %llu\n", sum.syn[MXLOCK_VERDICT_UNARMED]);
	return 0;
}

int mxlock_proc_net_init(struct net *net, struct mxlock_net *pn)
{
	pn->proc_dir = proc_net_mkdir(net, "mxlock", net->proc_net);
	if (!pn->proc_dir)
		return -ENOMEM;
	if (!proc_create_net_single("stats", 0444, pn->proc_dir,
				    mxlock_stats_show, NULL)) {
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
