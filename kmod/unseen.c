// SPDX-License-Identifier: GPL-2.0
/*
 * Set-ups in which the namespace's own hook never sees some of the
 * connections its listeners take (docs/security.md, "What the hook does
 * not see"). Those that can be told from the namespace's devices are said
 * when a list first arms it, as a warning in the reply: the list is
 * loaded all the same, since it still judges everything else.
 */
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "mxlock.h"

/*
 * ipvlan in L3S mode marks the master with IFF_L3MDEV_RX_HANDLER and runs
 * a slave's packets through the master's namespace's LOCAL_IN, where it
 * switches skb->dev to the slave (ipvlan_l3s.c): a list in the slave's
 * namespace never judges them.
 */
static int mxlock_l3s_master(struct net_device *lower,
			     struct netdev_nested_priv *priv)
{
	return netif_has_l3_rx_handler(lower);
}

static bool mxlock_has_l3s_slave(struct net *net)
{
	struct net_device *dev;
	bool found = false;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		if (!dev->rtnl_link_ops ||
		    (strcmp(dev->rtnl_link_ops->kind, "ipvlan") &&
		     strcmp(dev->rtnl_link_ops->kind, "ipvtap")))
			continue;
		if (netdev_walk_all_lower_dev_rcu(dev, mxlock_l3s_master,
						  NULL)) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

void mxlock_warn_unseen(struct net *net, struct netlink_ext_ack *extack)
{
	if (mxlock_has_l3s_slave(net))
		NL_SET_ERR_MSG(extack,
			       "armed, but an ipvlan L3S slave here is judged by its master's namespace, not this one: lock that namespace");
}
