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
	seq_printf(seq, "rst_limited %llu\n", sum.rst_limited);
	return 0;
}

/*
 * /proc/net/mxlock/denied: one line per source, most recently seen first;
 * times in Unix seconds. Anyone may open it, so an open file pins only
 * seq_file's buffer: the rows come from a snapshot taken at the start of
 * each read() and freed at its end (->stop), never held between reads.
 * seq_file fills at most one page per read(), so a reader resumes at the
 * same row number in the next snapshot, as /proc/net/tcp does over the
 * live hash. GET_DENIED gives one snapshot for any number of messages.
 */
struct mxlock_denied_iter {
	struct seq_net_private p;	/* first: seq_file_net() */
	struct mxlock_denied_source *src;
	int n;
};

static void *mxlock_denied_seq_start(struct seq_file *seq, loff_t *pos)
{
	struct mxlock_denied_iter *it = seq->private;
	struct mxlock_net *pn = mxlock_pernet(seq_file_net(seq));

	/* Pairs with mxlock_commit()'s smp_store_release(). */
	it->n = mxlock_denied_snapshot(smp_load_acquire(&pn->denied), &it->src);
	if (it->n < 0)
		return ERR_PTR(it->n);
	return *pos < it->n ? &it->src[*pos] : NULL;
}

static void *mxlock_denied_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct mxlock_denied_iter *it = seq->private;

	++*pos;
	return *pos < it->n ? &it->src[*pos] : NULL;
}

static void mxlock_denied_seq_stop(struct seq_file *seq, void *v)
{
	struct mxlock_denied_iter *it = seq->private;

	kvfree(it->src);
	it->src = NULL;
	it->n = 0;
}

static int mxlock_denied_seq_show(struct seq_file *seq, void *v)
{
	const struct mxlock_denied_source *src = v;
	struct in6_addr a;

	if (src->v6) {
		mxlock_key_to_in6(&src->addr, &a);
		seq_printf(seq, "%pI6c", &a);
	} else {
		seq_printf(seq, "%pI4", &(__be32){ htonl((u32)src->addr.lo) });
	}
	seq_printf(seq, " count %llu first %lld last %lld\n",
		   src->count, src->first, src->last);
	return 0;
}

static const struct seq_operations mxlock_denied_seq_ops = {
	.start	= mxlock_denied_seq_start,
	.next	= mxlock_denied_seq_next,
	.stop	= mxlock_denied_seq_stop,
	.show	= mxlock_denied_seq_show,
};

int mxlock_proc_net_init(struct net *net, struct mxlock_net *pn)
{
	pn->proc_dir = proc_net_mkdir(net, "mxlock", net->proc_net);
	if (!pn->proc_dir)
		return -ENOMEM;
	if (!proc_create_net_single("stats", 0444, pn->proc_dir,
				    mxlock_stats_show, NULL) ||
	    !proc_create_net("denied", 0444, pn->proc_dir,
			     &mxlock_denied_seq_ops,
			     sizeof(struct mxlock_denied_iter))) {
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
