/* SPDX-License-Identifier: GPL-2.0 */
/* State shared by the module's files: one struct mxlock_net per netns. */
#ifndef _MXLOCK_H
#define _MXLOCK_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/proc_fs.h>
#include <linux/in6.h>
#include <asm/unaligned.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/mxlock.h>

#include "set.h"
#include "stats.h"

struct mxlock_net {
	struct mxlock_set __rcu *set;	/* NULL: unarmed */
	struct mxlock_pcpu_stats __percpu *stats;
	u8 mode;			/* enum mxlock_mode; READ_ONCE on the fast path */
	__be16 port;			/* guarded TCP port */

	struct mutex lock;		/* serialises every change below */
	u32 generation;			/* bumped by each change, never 0 */
	struct list_head txns;		/* open replace transactions */
	unsigned int nr_txns;
	struct proc_dir_entry *proc_dir;
};

extern unsigned int mxlock_net_id;

static inline struct mxlock_net *mxlock_pernet(const struct net *net)
{
	return net_generic(net, mxlock_net_id);
}

static inline struct mxlock_key mxlock_key_from_in6(const struct in6_addr *a)
{
	struct mxlock_key k = {
		.hi = get_unaligned_be64(&a->s6_addr[0]),
		.lo = get_unaligned_be64(&a->s6_addr[8]),
	};

	return k;
}

static inline void mxlock_key_to_in6(const struct mxlock_key *k,
				     struct in6_addr *a)
{
	put_unaligned_be64(k->hi, &a->s6_addr[0]);
	put_unaligned_be64(k->lo, &a->s6_addr[8]);
}

/* hook.c */
enum mxlock_verdict mxlock_judge4(const struct mxlock_net *pn, __be32 saddr);
enum mxlock_verdict mxlock_judge6(const struct mxlock_net *pn,
				  const struct in6_addr *saddr);
int mxlock_hooks_register(struct net *net);
void mxlock_hooks_unregister(struct net *net);

/* netlink.c */
int mxlock_netlink_init(void);
void mxlock_netlink_exit(void);
void mxlock_netlink_net_exit(struct mxlock_net *pn);

/* proc.c */
int mxlock_proc_net_init(struct net *net, struct mxlock_net *pn);
void mxlock_proc_net_exit(struct mxlock_net *pn);

#endif /* _MXLOCK_H */
