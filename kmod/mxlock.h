/* SPDX-License-Identifier: GPL-2.0 */
/* State shared by the module's files: one struct mxlock_net per netns. */
#ifndef _MXLOCK_H
#define _MXLOCK_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/proc_fs.h>
#include <linux/ratelimit.h>
#include <linux/in6.h>
#include "compat.h"
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>
#include <linux/mxlock.h>

#include "set.h"
#include "stats.h"

/* nf_send_reset()'s and nf_send_reset6()'s type (reject.c). */
typedef void mxlock_send_reset_t(struct net *net, struct sock *sk,
				 struct sk_buff *oldskb, int hook);

/* Settings read together by the packet path; replaced whole under RCU. */
struct mxlock_conf {
	struct rcu_head rcu;
	mxlock_send_reset_t *send_reset4;	/* set with action reject */
	mxlock_send_reset_t *send_reset6;
	u8 mode;			/* enum mxlock_mode */
	u8 action;			/* enum mxlock_action */
	u8 log;				/* log refused sources */
	u8 nr_ports;
	__be16 ports[MXLOCK_MAX_PORTS];	/* guarded TCP ports */
};

struct mxlock_denied;

struct mxlock_net {
	struct mxlock_set __rcu *set;	/* NULL: unarmed */
	struct mxlock_conf __rcu *conf;	/* never NULL */
	struct mxlock_pcpu_stats __percpu *stats;
	struct mxlock_denied *denied;	/* refused sources; set once armed */

	struct mutex lock;		/* serialises every change below */
	u32 generation;			/* bumped by each change, never 0 */
	struct list_head txns;		/* open replace transactions */
	unsigned int nr_txns;
	struct proc_dir_entry *proc_dir;
	atomic_t denied_dumps;		/* unprivileged GET_DENIED dumps open */
	struct mxlock_budget *budget;	/* what its intervals are charged to */
	struct ratelimit_state rst_rs;	/* action reject's RSTs (reject.c) */
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

/* hits.c */
int mxlock_hits_attach(struct mxlock_set *set, const struct mxlock_set *old);
u64 mxlock_hits_read(const struct mxlock_set *set, u32 idx);
void mxlock_set_release(struct mxlock_set *set);
void mxlock_set_destroy(struct mxlock_set *set);

static inline void mxlock_hits_count(struct mxlock_set *set, long idx)
{
	/* This CPU's row: no other writer, so no atomic op is needed. */
	if (set->hits)
		set->hits[smp_processor_id() * set->hits_stride + idx]++;
}

/* budget.c (charge and uncharge: set.h) */
struct mxlock_budget *mxlock_budget_of(const struct net *net);
void mxlock_budget_read(const struct mxlock_budget *b, u64 *used, u64 *limit);
void mxlock_budget_refused(const struct mxlock_budget *b,
			   struct netlink_ext_ack *extack);

/* denied.c */
struct mxlock_denied *mxlock_denied_alloc(const struct net *net);
void mxlock_denied_free(struct mxlock_denied *d);
void mxlock_denied_record(struct mxlock_denied *d, const struct mxlock_key *k,
			  bool v6, bool ack, bool log, u16 port);
void mxlock_denied_flush(struct mxlock_denied *d);

struct mxlock_denied_source {
	struct mxlock_key addr;
	bool v6;
	u64 count;
	time64_t first;
	time64_t last;
	u64 tick, upd;			/* of the last SYN, for ordering */
};

int mxlock_denied_snapshot(struct mxlock_denied *d,
			   struct mxlock_denied_source **out);

/* entry.c */
extern const struct nla_policy mxlock_entry_policy[MXLOCK_ENTRY_A_MAX + 1];
int mxlock_get_addr(const struct nlattr *attr, struct mxlock_key *k,
		    bool *v6, struct netlink_ext_ack *extack);
int mxlock_parse_entries(const struct nlattr *entries,
			 struct mxlock_staging *st,
			 const struct mxlock_set *check,
			 struct netlink_ext_ack *extack);
int mxlock_put_range(struct sk_buff *skb, const struct mxlock_range *r,
		     bool v6);
int mxlock_put_interval(struct sk_buff *skb, const struct mxlock_set *set,
			u32 i);

/* hook.c */
enum mxlock_verdict mxlock_judge(const struct mxlock_net *pn,
				 const struct mxlock_key *k, bool v6);
int mxlock_hooks_register(struct net *net);
void mxlock_hooks_unregister(struct net *net);

/* reject.c */
int mxlock_reject_get(struct mxlock_conf *conf, struct netlink_ext_ack *extack);
void mxlock_reject_put(void);
void mxlock_reject_net_init(struct mxlock_net *pn);
bool mxlock_reject_allowed(struct mxlock_net *pn);
void mxlock_reject(const struct mxlock_conf *conf, struct sk_buff *skb,
		   const struct nf_hook_state *state, bool v6);

/* netlink.c */
int mxlock_netlink_init(void);
void mxlock_netlink_exit(void);
void mxlock_netlink_net_exit(struct mxlock_net *pn);

/* unseen.c */
void mxlock_warn_unseen(struct net *net, struct netlink_ext_ack *extack);

/* proc.c */
const char *mxlock_mode_name(u8 mode);
const char *mxlock_action_name(u8 action);
int mxlock_proc_net_init(struct net *net, struct mxlock_net *pn);
void mxlock_proc_net_exit(struct mxlock_net *pn);

#endif /* _MXLOCK_H */
