// SPDX-License-Identifier: GPL-2.0
/*
 * The mxlock generic netlink family: strict per-command policies, command
 * handlers, dumps and change events. The ABI is described in
 * include/uapi/linux/mxlock.h. Every change runs under the namespace's
 * mutex, builds new state off to the side and publishes it with RCU.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/notifier.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "mxlock.h"

/* Open replace transactions per namespace: bounds staging memory. */
#define MXLOCK_MAX_TXNS 16

/* cb->args of a GET_DENIED dump. */
enum {
	MXLOCK_DENIED_NEXT,	/* the next row to send */
	MXLOCK_DENIED_ROWS,	/* the snapshot */
	MXLOCK_DENIED_NROWS,	/* its length */
	MXLOCK_DENIED_STATE,	/* MXLOCK_DENIED_TAKEN, _COUNTED */
};

#define MXLOCK_DENIED_TAKEN	1	/* the snapshot was taken */
#define MXLOCK_DENIED_COUNTED	2	/* counted in pn->denied_dumps */

/* A chunked replace in progress, bound to the socket that opened it. */
struct mxlock_txn {
	struct list_head node;
	u32 portid;
	u32 entries;		/* sent in the chunks staged so far */
	struct mxlock_staging staging;
};

static struct genl_family mxlock_genl_family;

static const struct nla_policy mxlock_config_policy[MXLOCK_A_MAX + 1] = {
	[MXLOCK_A_MODE]	  = NLA_POLICY_MAX(NLA_U8, MXLOCK_MODE_MAX),
	[MXLOCK_A_ACTION] = NLA_POLICY_MAX(NLA_U8, MXLOCK_ACTION_MAX),
	[MXLOCK_A_LOG]	  = NLA_POLICY_MAX(NLA_U8, 1),
	[MXLOCK_A_PORTS]  = { .type = NLA_NESTED },
};

static const struct nla_policy mxlock_replace_policy[MXLOCK_A_MAX + 1] = {
	[MXLOCK_A_ENTRIES]	 = _NLA_POLICY_NESTED_ARRAY(MXLOCK_ENTRY_A_MAX,
							    mxlock_entry_policy),
	[MXLOCK_A_REPLACE_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						   MXLOCK_REPLACE_F_ALL),
	[MXLOCK_A_REPLACE_COUNT] = { .type = NLA_U32 },
};

static const struct nla_policy mxlock_entries_policy[MXLOCK_A_MAX + 1] = {
	[MXLOCK_A_ENTRIES] = _NLA_POLICY_NESTED_ARRAY(MXLOCK_ENTRY_A_MAX,
						      mxlock_entry_policy),
};

static const struct nla_policy mxlock_test_policy[MXLOCK_A_MAX + 1] = {
	[MXLOCK_A_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, sizeof(struct in_addr),
					   sizeof(struct in6_addr)),
};

/*
 * The core keeps only the last of a repeated attribute: a second
 * MXLOCK_A_ENTRIES would silently drop the first one's entries.
 */
static int mxlock_attrs_once(const struct genl_info *info)
{
	const struct nlattr *a;
	unsigned long seen = 0;
	int rem;

	BUILD_BUG_ON(MXLOCK_A_MAX >= BITS_PER_LONG);
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		int type = nla_type(a);

		/* The policy has refused types above MXLOCK_A_MAX. */
		if (type > MXLOCK_A_MAX)
			continue;
		if (__test_and_set_bit(type, &seen)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "attribute given more than once");
			return -EINVAL;
		}
	}
	return 0;
}

static struct mxlock_set *mxlock_live_set(struct mxlock_net *pn)
{
	return rcu_dereference_protected(pn->set, lockdep_is_held(&pn->lock));
}

static struct mxlock_conf *mxlock_live_conf(struct mxlock_net *pn)
{
	return rcu_dereference_protected(pn->conf, lockdep_is_held(&pn->lock));
}

static void mxlock_bump_generation(struct mxlock_net *pn)
{
	u32 gen = pn->generation + 1;

	/* 0 would read as "unset" to the dump consistency check. */
	WRITE_ONCE(pn->generation, gen ? gen : 1);
}

/* Settings and list as GET_STATE and events report them. */
static int mxlock_put_state(struct sk_buff *msg, struct mxlock_net *pn)
{
	const struct mxlock_conf *conf = mxlock_live_conf(pn);
	const struct mxlock_set *set = mxlock_live_set(pn);
	struct nlattr *ports;
	int i;

	if (nla_put_u8(msg, MXLOCK_A_MODE, conf->mode) ||
	    nla_put_u8(msg, MXLOCK_A_ACTION, conf->action) ||
	    nla_put_u8(msg, MXLOCK_A_LOG, conf->log) ||
	    nla_put_u8(msg, MXLOCK_A_ARMED, !!set) ||
	    nla_put_u32(msg, MXLOCK_A_RANGES,
			set ? mxlock_set_ranges(set) : 0) ||
	    nla_put_u32(msg, MXLOCK_A_GENERATION, pn->generation))
		return -EMSGSIZE;
	ports = nla_nest_start(msg, MXLOCK_A_PORTS);
	if (!ports)
		return -EMSGSIZE;
	for (i = 0; i < conf->nr_ports; i++)
		if (nla_put_u16(msg, MXLOCK_A_PORT, ntohs(conf->ports[i])))
			return -EMSGSIZE;
	nla_nest_end(msg, ports);
	return 0;
}

/*
 * One side of a list change for its event: the number of intervals of
 * the addresses in a and not in b (count), and when there are at most
 * MXLOCK_EVENT_ENTRIES of them, the intervals (nest).
 */
static int mxlock_put_delta(struct sk_buff *msg, const struct mxlock_set *a,
			    const struct mxlock_set *b, int count, int nest)
{
	struct mxlock_range r[MXLOCK_EVENT_ENTRIES];
	struct mxlock_diff d = { .max = MXLOCK_EVENT_ENTRIES, .r = r };
	struct nlattr *entries, *e;
	u32 i, n;

	mxlock_set_diff(a, b, &d);
	n = d.n4 + d.n6;
	if (nla_put_u32(msg, count, n))
		return -EMSGSIZE;
	if (!n || n > MXLOCK_EVENT_ENTRIES)
		return 0;
	entries = nla_nest_start(msg, nest);
	if (!entries)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		e = nla_nest_start(msg, MXLOCK_A_ENTRY);
		if (!e || mxlock_put_range(msg, &r[i], i >= d.n4))
			return -EMSGSIZE;
		nla_nest_end(msg, e);
	}
	nla_nest_end(msg, entries);
	return 0;
}

/* The largest event: the state, and both sides of a change with entries. */
static size_t mxlock_event_size(void)
{
	size_t entry = nla_total_size(0) +
		       2 * nla_total_size(sizeof(struct in6_addr));

	return nla_total_size(sizeof(u32)) +		/* PORTID */
	       4 * nla_total_size(sizeof(u8)) +		/* MODE .. ARMED */
	       2 * nla_total_size(sizeof(u32)) +	/* RANGES, GENERATION */
	       nla_total_size(0) +			/* PORTS */
	       MXLOCK_MAX_PORTS * nla_total_size(sizeof(u16)) +
	       2 * nla_total_size(sizeof(u32)) +	/* ADDED, REMOVED */
	       2 * (nla_total_size(0) + MXLOCK_EVENT_ENTRIES * entry);
}

/*
 * Tell the namespace's listeners what changed, who did it, and the result.
 * list: the change was to the list, from old (NULL: unarmed) to the live
 * one, and the event says what it added and removed. A listener missing
 * an event (no memory, or its socket's buffer is full) does not undo it.
 */
static void mxlock_notify(struct mxlock_net *pn, struct genl_info *info,
			  bool list, const struct mxlock_set *old)
{
	const struct mxlock_set *set = mxlock_live_set(pn);
	struct net *net = genl_info_net(info);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&mxlock_genl_family, net, 0))
		return;
	msg = genlmsg_new(mxlock_event_size(), GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &mxlock_genl_family, 0,
			  info->genlhdr->cmd);
	if (!hdr || nla_put_u32(msg, MXLOCK_A_PORTID, info->snd_portid) ||
	    mxlock_put_state(msg, pn) ||
	    (list && (mxlock_put_delta(msg, set, old, MXLOCK_A_ADDED,
				       MXLOCK_A_ADDED_ENTRIES) ||
		      mxlock_put_delta(msg, old, set, MXLOCK_A_REMOVED,
				       MXLOCK_A_REMOVED_ENTRIES)))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&mxlock_genl_family, net, msg, 0, 0,
				GFP_KERNEL);
}

/*
 * Make set (NULL: unarmed) the live list; readers move over atomically.
 * Hit counts of intervals that survive whole are carried over.
 */
static int mxlock_commit(struct mxlock_net *pn, struct mxlock_set *set,
			 struct genl_info *info)
{
	struct mxlock_set *old = mxlock_live_set(pn);
	int err;

	if (set) {
		/* Given back when the set is freed, after it stops being live. */
		if (mxlock_budget_charge(pn->budget, mxlock_set_ranges(set))) {
			mxlock_budget_refused(pn->budget, info->extack);
			mxlock_set_destroy(set);
			return -ENOSPC;
		}
		set->budget = pn->budget;
		/* The table of refused sources exists once a list is armed. */
		if (!pn->denied) {
			struct mxlock_denied *d;

			d = mxlock_denied_alloc(genl_info_net(info));

			if (!d)
				goto err_nomem;
			/* Published whole: readers take it without the mutex. */
			smp_store_release(&pn->denied, d);
		}
		err = mxlock_hits_attach(set, old);
		if (err)
			goto err_nomem;
	}
	mxlock_bump_generation(pn);
	if (set)
		set->generation = pn->generation;
	if (set && !old)
		mxlock_warn_unseen(genl_info_net(info), info->extack);
	rcu_assign_pointer(pn->set, set);
	/* Before old goes: the event tells the difference. */
	mxlock_notify(pn, info, true, old);
	mxlock_set_release(old);
	return 0;

err_nomem:
	mxlock_set_destroy(set);
	return -ENOMEM;
}

/* Why building a set from st failed: the budget, or no memory. */
static int mxlock_set_failed(struct mxlock_net *pn,
			     const struct mxlock_staging *st,
			     struct netlink_ext_ack *extack)
{
	if (!st->over)
		return -ENOMEM;
	mxlock_budget_refused(pn->budget, extack);
	return -ENOSPC;
}

static struct mxlock_txn *mxlock_txn_find(struct mxlock_net *pn, u32 portid)
{
	struct mxlock_txn *txn;

	list_for_each_entry(txn, &pn->txns, node)
		if (txn->portid == portid)
			return txn;
	return NULL;
}

static void mxlock_txn_close(struct mxlock_net *pn, struct mxlock_txn *txn)
{
	list_del(&txn->node);
	pn->nr_txns--;
	mxlock_staging_release(&txn->staging);
	kfree(txn);
}

static struct mxlock_txn *mxlock_txn_open(struct mxlock_net *pn, u32 portid,
					  struct netlink_ext_ack *extack)
{
	struct mxlock_txn *txn;

	if (pn->nr_txns >= MXLOCK_MAX_TXNS) {
		NL_SET_ERR_MSG(extack, "too many replace transactions open");
		return ERR_PTR(-EBUSY);
	}
	txn = kzalloc(sizeof(*txn), GFP_KERNEL_ACCOUNT);
	if (!txn)
		return ERR_PTR(-ENOMEM);
	txn->portid = portid;
	txn->staging.budget = pn->budget;
	list_add(&txn->node, &pn->txns);
	pn->nr_txns++;
	return txn;
}

static int mxlock_reply(struct genl_info *info, u8 cmd,
			int (*fill)(struct sk_buff *msg, void *arg), void *arg)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mxlock_genl_family, 0, cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free_msg;
	}
	err = fill(msg, arg);
	if (err)
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return err;
}

static int mxlock_fill_state(struct sk_buff *msg, void *arg)
{
	struct mxlock_net *pn = arg;
	struct mxlock_stats sum;
	struct nlattr *nest;
	u64 used, limit;
	int v, err;

	/* The stats attributes follow the verdicts' order. */
	BUILD_BUG_ON(MXLOCK_STATS_A_SYN_ALLOWED + MXLOCK_VERDICT_UNARMED !=
		     MXLOCK_STATS_A_SYN_UNARMED);

	mxlock_stats_sum(pn->stats, &sum);
	mutex_lock(&pn->lock);
	err = mxlock_put_state(msg, pn);
	mutex_unlock(&pn->lock);
	if (err)
		return err;

	nest = nla_nest_start(msg, MXLOCK_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, MXLOCK_STATS_A_SYN_SEEN,
			      mxlock_stats_seen(&sum), MXLOCK_STATS_A_PAD))
		return -EMSGSIZE;
	for (v = 0; v < __MXLOCK_VERDICT_MAX; v++)
		if (nla_put_u64_64bit(msg, MXLOCK_STATS_A_SYN_ALLOWED + v,
				      sum.syn[v], MXLOCK_STATS_A_PAD))
			return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, MXLOCK_STATS_A_ACK_DROPPED,
			      sum.ack[MXLOCK_VERDICT_DROP], MXLOCK_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MXLOCK_STATS_A_ACK_MONITORED,
			      sum.ack[MXLOCK_VERDICT_MONITOR], MXLOCK_STATS_A_PAD))
		return -EMSGSIZE;
	mxlock_budget_read(pn->budget, &used, &limit);
	if (nla_put_u64_64bit(msg, MXLOCK_STATS_A_BUDGET_USED, used,
			      MXLOCK_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MXLOCK_STATS_A_BUDGET_LIMIT, limit,
			      MXLOCK_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MXLOCK_STATS_A_RST_LIMITED,
			      sum.rst_limited, MXLOCK_STATS_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int mxlock_nl_get_state(struct sk_buff *skb, struct genl_info *info)
{
	return mxlock_reply(info, MXLOCK_CMD_GET_STATE, mxlock_fill_state,
			    mxlock_pernet(genl_info_net(info)));
}

/* Parse MXLOCK_A_PORTS into conf: 1..MXLOCK_MAX_PORTS distinct ports. */
static int mxlock_parse_ports(const struct nlattr *nest,
			      struct mxlock_conf *conf,
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, i, n = 0;

	nla_for_each_nested(a, nest, rem) {
		__be16 port;

		if (nla_type(a) != MXLOCK_A_PORT || nla_len(a) != sizeof(u16)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "a port is a u16 MXLOCK_A_PORT");
			return -EINVAL;
		}
		port = htons(nla_get_u16(a));
		if (!port) {
			NL_SET_ERR_MSG_ATTR(extack, a, "port 0 cannot be guarded");
			return -EINVAL;
		}
		for (i = 0; i < n; i++) {
			if (conf->ports[i] == port) {
				NL_SET_ERR_MSG_ATTR(extack, a, "port listed twice");
				return -EINVAL;
			}
		}
		if (n == MXLOCK_MAX_PORTS) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many ports");
			return -E2BIG;
		}
		conf->ports[n++] = port;
	}
	if (rem > 0) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "malformed port list: bytes left over after the last whole port");
		return -EINVAL;
	}
	if (!n) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "at least one port must be guarded");
		return -EINVAL;
	}
	conf->nr_ports = n;
	return 0;
}

static int mxlock_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct mxlock_net *pn = mxlock_pernet(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct mxlock_conf *conf, *old;
	int err;

	err = mxlock_attrs_once(info);
	if (err)
		return err;
	if (!attrs[MXLOCK_A_MODE] && !attrs[MXLOCK_A_ACTION] &&
	    !attrs[MXLOCK_A_LOG] && !attrs[MXLOCK_A_PORTS]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set");
		return -EINVAL;
	}
	conf = kzalloc(sizeof(*conf), GFP_KERNEL_ACCOUNT);
	if (!conf)
		return -ENOMEM;
	if (attrs[MXLOCK_A_PORTS]) {
		err = mxlock_parse_ports(attrs[MXLOCK_A_PORTS], conf,
					 info->extack);
		if (err)
			goto err_free_conf;
	}
	/*
	 * Choosing reject may run modprobe (a usermode helper, seconds or
	 * more): not under the namespace's mutex, which every request and a
	 * user namespace's root could so hold for as long as modprobe takes.
	 */
	if (attrs[MXLOCK_A_ACTION] &&
	    nla_get_u8(attrs[MXLOCK_A_ACTION]) == MXLOCK_ACTION_REJECT) {
		err = mxlock_reject_get(conf, info->extack);
		if (err)
			goto err_free_conf;
	}

	mutex_lock(&pn->lock);
	old = mxlock_live_conf(pn);
	conf->mode = attrs[MXLOCK_A_MODE] ?
		     nla_get_u8(attrs[MXLOCK_A_MODE]) : old->mode;
	conf->action = attrs[MXLOCK_A_ACTION] ?
		       nla_get_u8(attrs[MXLOCK_A_ACTION]) : old->action;
	conf->log = attrs[MXLOCK_A_LOG] ?
		    nla_get_u8(attrs[MXLOCK_A_LOG]) : old->log;
	if (!attrs[MXLOCK_A_PORTS]) {
		conf->nr_ports = old->nr_ports;
		memcpy(conf->ports, old->ports, sizeof(conf->ports));
	}
	/* Reject kept from the old settings: their senders are loaded. */
	if (conf->action == MXLOCK_ACTION_REJECT && !conf->send_reset4) {
		conf->send_reset4 = old->send_reset4;
		conf->send_reset6 = old->send_reset6;
	}
	rcu_assign_pointer(pn->conf, conf);
	kfree_rcu(old, rcu);
	mxlock_bump_generation(pn);
	mxlock_notify(pn, info, false, NULL);
	mutex_unlock(&pn->lock);
	return 0;

err_free_conf:
	kfree(conf);
	return err;
}

static int mxlock_nl_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct mxlock_net *pn = mxlock_pernet(genl_info_net(info));
	const struct nlattr *flags_attr = info->attrs[MXLOCK_A_REPLACE_FLAGS];
	const struct nlattr *count = info->attrs[MXLOCK_A_REPLACE_COUNT];
	struct netlink_ext_ack *extack = info->extack;
	u32 flags = flags_attr ? nla_get_u32(flags_attr) : 0;
	struct mxlock_staging oneshot = { .budget = pn->budget };
	struct mxlock_staging *st = &oneshot;
	struct mxlock_txn *txn;
	struct mxlock_set *set;
	u32 sent;
	int err;

	mutex_lock(&pn->lock);
	txn = mxlock_txn_find(pn, info->snd_portid);
	/* Refused like a bad entry: the transaction goes. */
	err = mxlock_attrs_once(info);
	if (err)
		goto out_close;
	if (txn && !(flags & MXLOCK_REPLACE_F_CONTINUE)) {
		mxlock_txn_close(pn, txn);
		txn = NULL;
	}
	if (!txn && (flags & MXLOCK_REPLACE_F_CONTINUE)) {
		NL_SET_ERR_MSG(extack, "no replace transaction open on this socket");
		err = -ENOENT;
		goto out_unlock;
	}
	if (!txn && (flags & MXLOCK_REPLACE_F_MORE)) {
		txn = mxlock_txn_open(pn, info->snd_portid, extack);
		if (IS_ERR(txn)) {
			err = PTR_ERR(txn);
			goto out_unlock;
		}
	}
	if (txn)
		st = &txn->staging;

	err = mxlock_parse_entries(info->attrs[MXLOCK_A_ENTRIES], st, NULL,
				   extack);
	if (err < 0)
		goto out_close;
	sent = err;
	err = 0;
	if (txn) {
		txn->entries += sent;
		sent = txn->entries;
	}
	if (flags & MXLOCK_REPLACE_F_MORE)
		goto out_unlock;	/* staged; the transaction stays open */

	/* A chunk the core refused never reached the module: only the
	 * client knows how many it sent, so a chunked commit must say.
	 */
	if (txn && GENL_REQ_ATTR_CHECK(info, MXLOCK_A_REPLACE_COUNT)) {
		NL_SET_ERR_MSG(extack,
			       "a commit that ends a chunked replace must carry its entry count");
		err = -EINVAL;
		goto out_close;
	}
	/* Fewer staged than sent: the core refused a chunk and the client
	 * went on.
	 */
	if (count && nla_get_u32(count) != sent) {
		NL_SET_ERR_MSG_ATTR(extack, count,
				    "entries staged differ from the count sent: a chunk was refused");
		err = -EBADMSG;
		goto out_close;
	}

	if (!st->v4.n && !st->v6.n) {
		NL_SET_ERR_MSG(extack,
			       "refusing an empty allowlist: it would refuse all mail (flush disarms)");
		err = -EINVAL;
		goto out_close;
	}
	set = mxlock_set_build(st);
	/* Built: the staging's budget goes to the set. */
	mxlock_staging_release(st);
	err = set ? mxlock_commit(pn, set, info) : -ENOMEM;

out_close:
	if (txn)
		mxlock_txn_close(pn, txn);
	mxlock_staging_release(&oneshot);
out_unlock:
	mutex_unlock(&pn->lock);
	return err;
}

static int mxlock_nl_add(struct sk_buff *skb, struct genl_info *info)
{
	struct mxlock_net *pn = mxlock_pernet(genl_info_net(info));
	struct mxlock_staging st = { .budget = pn->budget };
	struct mxlock_set *set;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MXLOCK_A_ENTRIES)) {
		NL_SET_ERR_MSG(info->extack, "no entries to add");
		return -EINVAL;
	}
	err = mxlock_attrs_once(info);
	if (err)
		return err;
	err = mxlock_parse_entries(info->attrs[MXLOCK_A_ENTRIES], &st, NULL,
				   info->extack);
	if (err < 0)
		goto out_release;
	if (!st.v4.n && !st.v6.n) {
		NL_SET_ERR_MSG(info->extack, "no entries to add");
		err = -EINVAL;
		goto out_release;
	}

	/*
	 * ADD and DEL build their result before checking its size: a live
	 * list of MXLOCK_MAX_ENTRIES plus as many again must still index.
	 */
	BUILD_BUG_ON(2ULL * MXLOCK_MAX_ENTRIES > MXLOCK_RUN6_AT(~0U) + 1ULL);
	mutex_lock(&pn->lock);
	set = mxlock_set_add(mxlock_live_set(pn), &st);
	mxlock_staging_release(&st);
	if (!set) {
		err = mxlock_set_failed(pn, &st, info->extack);
	} else if (mxlock_set_ranges(set) > MXLOCK_MAX_ENTRIES) {
		NL_SET_ERR_MSG(info->extack, "allowlist would grow too large");
		mxlock_set_destroy(set);
		err = -E2BIG;
	} else {
		err = mxlock_commit(pn, set, info);
	}
	mutex_unlock(&pn->lock);
out_release:
	mxlock_staging_release(&st);
	return err;
}

static int mxlock_nl_del(struct sk_buff *skb, struct genl_info *info)
{
	struct mxlock_net *pn = mxlock_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct mxlock_staging st = { .budget = pn->budget };
	struct mxlock_set *old, *set;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MXLOCK_A_ENTRIES)) {
		NL_SET_ERR_MSG(extack, "no entries to delete");
		return -EINVAL;
	}
	err = mxlock_attrs_once(info);
	if (err)
		return err;

	mutex_lock(&pn->lock);
	old = mxlock_live_set(pn);
	if (!old) {
		NL_SET_ERR_MSG(extack, "no allowlist is loaded");
		err = -ESRCH;
		goto out_unlock;
	}
	err = mxlock_parse_entries(info->attrs[MXLOCK_A_ENTRIES], &st, old,
				   extack);
	if (err < 0)
		goto out_unlock;
	if (!st.v4.n && !st.v6.n) {
		NL_SET_ERR_MSG(extack, "no entries to delete");
		err = -EINVAL;
		goto out_unlock;
	}
	set = mxlock_set_subtract(old, &st);
	if (!set) {
		err = mxlock_set_failed(pn, &st, extack);
		goto out_unlock;
	}
	/* Each address deleted from inside an interval splits it in two. */
	if (mxlock_set_ranges(set) > MXLOCK_MAX_ENTRIES) {
		NL_SET_ERR_MSG(extack,
			       "allowlist would grow too large: deleting inside intervals splits them");
		mxlock_set_destroy(set);
		err = -E2BIG;
		goto out_unlock;
	}
	if (!mxlock_set_ranges(set)) {
		NL_SET_ERR_MSG(extack,
			       "refusing to empty the allowlist: it would refuse all mail (flush disarms)");
		mxlock_set_destroy(set);
		err = -EINVAL;
		goto out_unlock;
	}
	err = mxlock_commit(pn, set, info);

out_unlock:
	mutex_unlock(&pn->lock);
	mxlock_staging_release(&st);
	return err;
}

static int mxlock_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct mxlock_net *pn = mxlock_pernet(genl_info_net(info));
	int err;

	mutex_lock(&pn->lock);
	err = mxlock_commit(pn, NULL, info);
	mutex_unlock(&pn->lock);
	return err;
}

static int mxlock_fill_verdict(struct sk_buff *msg, void *arg)
{
	return nla_put_u8(msg, MXLOCK_A_VERDICT, *(u8 *)arg);
}

static int mxlock_nl_test(struct sk_buff *skb, struct genl_info *info)
{
	struct mxlock_net *pn = mxlock_pernet(genl_info_net(info));
	struct mxlock_key k;
	u8 verdict;
	bool v6;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MXLOCK_A_ADDR)) {
		NL_SET_ERR_MSG(info->extack, "no address to test");
		return -EINVAL;
	}
	err = mxlock_get_addr(info->attrs[MXLOCK_A_ADDR], &k, &v6,
			      info->extack);
	if (err)
		return err;
	rcu_read_lock();
	verdict = mxlock_judge(pn, &k, v6);
	rcu_read_unlock();
	return mxlock_reply(info, MXLOCK_CMD_TEST, mxlock_fill_verdict,
			    &verdict);
}

/*
 * Dump the live set's intervals, as many per message as fit. cb->args[0]
 * is the next index. The set's generation goes into cb->seq, so a dump
 * that spans a change is flagged NLM_F_DUMP_INTR and the client retries.
 */
static int mxlock_nl_dump_entries(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct mxlock_net *pn = mxlock_pernet(sock_net(skb->sk));
	const struct mxlock_set *set;
	struct nlattr *entries;
	u32 i = cb->args[0];
	void *hdr;
	int err = 0;

	rcu_read_lock();
	set = rcu_dereference(pn->set);
	cb->seq = set ? set->generation : READ_ONCE(pn->generation);
	if (!set || i >= mxlock_set_ranges(set))
		goto out_unlock;	/* done */

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &mxlock_genl_family, NLM_F_MULTI,
			  MXLOCK_CMD_GET_ENTRIES);
	if (!hdr) {
		err = -EMSGSIZE;
		goto out_unlock;
	}
	nl_dump_check_consistent(cb, genlmsg_nlhdr(hdr));
	if (nla_put_u32(skb, MXLOCK_A_GENERATION, set->generation))
		goto err_cancel;
	entries = nla_nest_start(skb, MXLOCK_A_ENTRIES);
	if (!entries)
		goto err_cancel;
	for (; i < mxlock_set_ranges(set); i++) {
		struct nlattr *e = nla_nest_start(skb, MXLOCK_A_ENTRY);

		if (!e || mxlock_put_interval(skb, set, i)) {
			if (e)
				nla_nest_cancel(skb, e);
			break;
		}
		nla_nest_end(skb, e);
	}
	if (i == cb->args[0])
		goto err_cancel;	/* not even one entry fitted */
	nla_nest_end(skb, entries);
	genlmsg_end(skb, hdr);
	cb->args[0] = i;
	err = skb->len;
	goto out_unlock;

err_cancel:
	genlmsg_cancel(skb, hdr);
	err = -EMSGSIZE;
out_unlock:
	rcu_read_unlock();
	return err;
}

/*
 * A denied dump sends a snapshot taken at its first message, so that its
 * rows are one consistent picture however long the client takes to read
 * them (the tables change at every refused SYN). The snapshot, at most
 * MXLOCK_DENIED_MAX rows (64 KiB), is charged to the reader's memory
 * cgroup and lives until the dump ends or its socket is closed. Reading
 * needs no privilege, so a user who opens dumps and never reads them
 * would pin 64 KiB per socket: unprivileged dumps are therefore limited
 * to MXLOCK_DENIED_DUMPS open at once per namespace, and the next is
 * refused (-EBUSY, in NLMSG_DONE with an extack: 6.1's genetlink gives a
 * dump's .start no extack) until one ends. A dump by a holder of
 * CAP_NET_ADMIN over the namespace is not counted, so such users cannot
 * lock the namespace's admin out of the table; /proc/net/mxlock/denied
 * holds no snapshot across reads and stays open to everyone.
 */
static int mxlock_denied_take(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mxlock_net *pn = mxlock_pernet(sock_net(skb->sk));
	struct mxlock_denied_source *src;
	int n;

	cb->args[MXLOCK_DENIED_STATE] = MXLOCK_DENIED_TAKEN;
	if (!netlink_net_capable(cb->skb, CAP_NET_ADMIN)) {
		if (!atomic_add_unless(&pn->denied_dumps, 1,
				       MXLOCK_DENIED_DUMPS)) {
			NL_SET_ERR_MSG(cb->extack,
				       "too many denied dumps open in this namespace: read or close them");
			return -EBUSY;
		}
		cb->args[MXLOCK_DENIED_STATE] |= MXLOCK_DENIED_COUNTED;
	}
	/* Pairs with mxlock_commit()'s smp_store_release(). */
	n = mxlock_denied_snapshot(smp_load_acquire(&pn->denied), &src);
	if (n < 0)
		return n;
	cb->args[MXLOCK_DENIED_ROWS] = (long)src;
	cb->args[MXLOCK_DENIED_NROWS] = n;
	return 0;
}

static int mxlock_nl_denied_done(struct netlink_callback *cb)
{
	struct mxlock_net *pn = mxlock_pernet(sock_net(cb->skb->sk));

	kvfree((void *)cb->args[MXLOCK_DENIED_ROWS]);
	if (cb->args[MXLOCK_DENIED_STATE] & MXLOCK_DENIED_COUNTED)
		atomic_dec(&pn->denied_dumps);
	return 0;
}

static int mxlock_put_denied(struct sk_buff *skb,
			     const struct mxlock_denied_source *src)
{
	struct in6_addr a;
	int err;

	if (src->v6) {
		mxlock_key_to_in6(&src->addr, &a);
		err = nla_put_in6_addr(skb, MXLOCK_DENIED_A_ADDR, &a);
	} else {
		err = nla_put_in_addr(skb, MXLOCK_DENIED_A_ADDR,
				      htonl((u32)src->addr.lo));
	}
	return err ?:
	       nla_put_u64_64bit(skb, MXLOCK_DENIED_A_COUNT, src->count,
				 MXLOCK_DENIED_A_PAD) ?:
	       nla_put_u64_64bit(skb, MXLOCK_DENIED_A_FIRST, src->first,
				 MXLOCK_DENIED_A_PAD) ?:
	       nla_put_u64_64bit(skb, MXLOCK_DENIED_A_LAST, src->last,
				 MXLOCK_DENIED_A_PAD);
}

static int mxlock_nl_dump_denied(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	const struct mxlock_denied_source *src;
	long i = cb->args[MXLOCK_DENIED_NEXT], n;
	struct nlattr *nest;
	void *hdr;
	int err;

	if (!cb->args[MXLOCK_DENIED_STATE]) {
		err = mxlock_denied_take(skb, cb);
		if (err)
			return err;
	}
	src = (void *)cb->args[MXLOCK_DENIED_ROWS];
	n = cb->args[MXLOCK_DENIED_NROWS];
	if (i >= n)
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &mxlock_genl_family, NLM_F_MULTI,
			  MXLOCK_CMD_GET_DENIED);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, MXLOCK_A_DENIED);
	if (!nest)
		goto err_cancel;
	for (; i < n; i++) {
		struct nlattr *e = nla_nest_start(skb, MXLOCK_A_DENIED_SOURCE);

		if (!e || mxlock_put_denied(skb, &src[i])) {
			if (e)
				nla_nest_cancel(skb, e);
			break;
		}
		nla_nest_end(skb, e);
	}
	if (i == cb->args[MXLOCK_DENIED_NEXT])
		goto err_cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	cb->args[MXLOCK_DENIED_NEXT] = i;
	return skb->len;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int mxlock_nl_flush_denied(struct sk_buff *skb, struct genl_info *info)
{
	struct mxlock_net *pn = mxlock_pernet(genl_info_net(info));
	/* Pairs with mxlock_commit()'s smp_store_release(). */
	struct mxlock_denied *d = smp_load_acquire(&pn->denied);

	if (d) {
		mutex_lock(&pn->lock);
		mxlock_denied_flush(d);
		mutex_unlock(&pn->lock);
	}
	return 0;
}

static const struct genl_ops mxlock_genl_ops[] = {
	{
		.cmd	= MXLOCK_CMD_GET_STATE,
		.doit	= mxlock_nl_get_state,
	},
	{
		.cmd	= MXLOCK_CMD_SET_CONFIG,
		.doit	= mxlock_nl_set_config,
		.policy	= mxlock_config_policy,
		.maxattr = MXLOCK_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MXLOCK_CMD_REPLACE,
		.doit	= mxlock_nl_replace,
		.policy	= mxlock_replace_policy,
		.maxattr = MXLOCK_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MXLOCK_CMD_ADD,
		.doit	= mxlock_nl_add,
		.policy	= mxlock_entries_policy,
		.maxattr = MXLOCK_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MXLOCK_CMD_DEL,
		.doit	= mxlock_nl_del,
		.policy	= mxlock_entries_policy,
		.maxattr = MXLOCK_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MXLOCK_CMD_FLUSH,
		.doit	= mxlock_nl_flush,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MXLOCK_CMD_GET_ENTRIES,
		.dumpit	= mxlock_nl_dump_entries,
	},
	{
		.cmd	= MXLOCK_CMD_TEST,
		.doit	= mxlock_nl_test,
		.policy	= mxlock_test_policy,
		.maxattr = MXLOCK_A_MAX,
	},
	{
		.cmd	= MXLOCK_CMD_GET_DENIED,
		.dumpit	= mxlock_nl_dump_denied,
		.done	= mxlock_nl_denied_done,
	},
	{
		.cmd	= MXLOCK_CMD_FLUSH_DENIED,
		.doit	= mxlock_nl_flush_denied,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group mxlock_mcgrps[] = {
	{ .name = MXLOCK_MCGRP_EVENTS, },
};

static struct genl_family mxlock_genl_family __ro_after_init = {
	.name		= MXLOCK_GENL_NAME,
	.version	= MXLOCK_GENL_VERSION,
	.module		= THIS_MODULE,
	.netnsok	= true,
	/* Changes are serialised per namespace by mxlock_net.lock. */
	.parallel_ops	= true,
	.ops		= mxlock_genl_ops,
	.n_ops		= ARRAY_SIZE(mxlock_genl_ops),
	.mcgrps		= mxlock_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(mxlock_mcgrps),
};

/* A socket closed mid-transaction: drop what it staged. */
static int mxlock_netlink_notify(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct mxlock_net *pn;
	struct mxlock_txn *txn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	pn = mxlock_pernet(n->net);
	mutex_lock(&pn->lock);
	txn = mxlock_txn_find(pn, n->portid);
	if (txn)
		mxlock_txn_close(pn, txn);
	mutex_unlock(&pn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block mxlock_netlink_notifier = {
	.notifier_call = mxlock_netlink_notify,
};

void mxlock_netlink_net_exit(struct mxlock_net *pn)
{
	struct mxlock_txn *txn, *tmp;

	mutex_lock(&pn->lock);
	list_for_each_entry_safe(txn, tmp, &pn->txns, node)
		mxlock_txn_close(pn, txn);
	mutex_unlock(&pn->lock);
}

int mxlock_netlink_init(void)
{
	int err;

	err = genl_register_family(&mxlock_genl_family);
	if (err)
		return err;
	err = netlink_register_notifier(&mxlock_netlink_notifier);
	if (err)
		goto err_unregister_family;
	return 0;

err_unregister_family:
	genl_unregister_family(&mxlock_genl_family);
	return err;
}

void mxlock_netlink_exit(void)
{
	netlink_unregister_notifier(&mxlock_netlink_notifier);
	genl_unregister_family(&mxlock_genl_family);
}
