// SPDX-License-Identifier: GPL-2.0
/*
 * mxlock: accept SMTP connections only from a mail filtering provider's
 * address ranges. Module init/exit and the per-namespace state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>

#include "mxlock.h"

static ushort port = 25;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP port a new network namespace guards (default 25)");

unsigned int mxlock_net_id __read_mostly;

static int __net_init mxlock_net_init(struct net *net)
{
	struct mxlock_net *pn = mxlock_pernet(net);
	int err;

	struct mxlock_conf *conf;

	mutex_init(&pn->lock);
	INIT_LIST_HEAD(&pn->txns);
	pn->generation = 1;
	pn->budget = mxlock_budget_of(net);
	mxlock_reject_net_init(pn);

	/* Enforce, drop, no log: what insmod alone promises. */
	conf = kzalloc(sizeof(*conf), GFP_KERNEL_ACCOUNT);
	if (!conf)
		return -ENOMEM;
	conf->nr_ports = 1;
	conf->ports[0] = htons(port);
	RCU_INIT_POINTER(pn->conf, conf);

	/* Charged like the rest of the namespace's state: any user may make one. */
	pn->stats = alloc_percpu_gfp(struct mxlock_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!pn->stats) {
		err = -ENOMEM;
		goto err_free_conf;
	}
	err = mxlock_proc_net_init(net, pn);
	if (err)
		goto err_free_stats;
	err = mxlock_hooks_register(net);
	if (err)
		goto err_remove_proc;
	return 0;

err_remove_proc:
	mxlock_proc_net_exit(pn);
err_free_stats:
	free_percpu(pn->stats);
err_free_conf:
	kfree(conf);
	return err;
}

/* The core waits an RCU grace period between pre_exit and exit. */
static void __net_exit mxlock_net_pre_exit(struct net *net)
{
	mxlock_hooks_unregister(net);
}

/* No packet can be in the hook any more: free without waiting. */
static void __net_exit mxlock_net_exit(struct net *net)
{
	struct mxlock_net *pn = mxlock_pernet(net);

	mxlock_proc_net_exit(pn);
	mxlock_netlink_net_exit(pn);
	mxlock_set_destroy(rcu_dereference_protected(pn->set, true));
	kfree(rcu_dereference_protected(pn->conf, true));
	mxlock_denied_free(pn->denied);
	free_percpu(pn->stats);
}

static struct pernet_operations mxlock_net_ops = {
	.init		= mxlock_net_init,
	.pre_exit	= mxlock_net_pre_exit,
	.exit		= mxlock_net_exit,
	.id		= &mxlock_net_id,
	.size		= sizeof(struct mxlock_net),
};

static int __init mxlock_init(void)
{
	int err;

	if (!port) {
		pr_err("port=0 is not a port\n");
		return -EINVAL;
	}
	err = register_pernet_subsys(&mxlock_net_ops);
	if (err)
		return err;
	err = mxlock_netlink_init();
	if (err)
		goto err_unregister_pernet;
	return 0;

err_unregister_pernet:
	unregister_pernet_subsys(&mxlock_net_ops);
	return err;
}

static void __exit mxlock_exit(void)
{
	mxlock_netlink_exit();
	unregister_pernet_subsys(&mxlock_net_ops);
	/* Sets replaced before now are freed by RCU callbacks in this module. */
	rcu_barrier();
	mxlock_reject_put();
}

module_init(mxlock_init);
module_exit(mxlock_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Accept SMTP only from a mail filtering provider's address ranges");
MODULE_ALIAS_GENL_FAMILY(MXLOCK_GENL_NAME);
