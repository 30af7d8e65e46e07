// SPDX-License-Identifier: GPL-2.0
/*
 * The mxlock generic netlink family: strict per-command policies, command
 * handlers and the entry dump. The ABI is described in
 * include/uapi/linux/mxlock.h. The kernel checks everything itself: the
 * tool is not the only client.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/notifier.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "mxlock.h"

/* Open replace transactions per namespace: bounds staging memory. */
#define MXLOCK_MAX_TXNS 16

/* A chunked replace in progress, bound to the socket that opened it. */
struct mxlock_txn {
	struct list_head node;
	u32 portid;
	struct mxlock_staging staging;
};

static struct genl_family mxlock_genl_family;

static const struct nla_policy mxlock_entry_policy[MXLOCK_ENTRY_A_MAX + 1] = {
	[MXLOCK_ENTRY_A_ADDR]	   = NLA_POLICY_RANGE(NLA_BINARY,
						      sizeof(struct in_addr),
						      sizeof(struct in6_addr)),
	[MXLOCK_ENTRY_A_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[MXLOCK_ENTRY_A_ADDR_END]  = NLA_POLICY_RANGE(NLA_BINARY,
						      sizeof(struct in_addr),
						      sizeof(struct in6_addr)),
};

static const struct nla_policy mxlock_mode_policy[MXLOCK_A_MAX + 1] = {
	[MXLOCK_A_MODE] = NLA_POLICY_MAX(NLA_U8, MXLOCK_MODE_MAX),
};

static const struct nla_policy mxlock_replace_policy[MXLOCK_A_MAX + 1] = {
	[MXLOCK_A_ENTRIES]	 = NLA_POLICY_NESTED_ARRAY(mxlock_entry_policy),
	[MXLOCK_A_REPLACE_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						   MXLOCK_REPLACE_F_ALL),
};

static const struct nla_policy mxlock_entries_policy[MXLOCK_A_MAX + 1] = {
	[MXLOCK_A_ENTRIES] = NLA_POLICY_NESTED_ARRAY(mxlock_entry_policy),
};

static const struct nla_policy mxlock_test_policy[MXLOCK_A_MAX + 1] = {
	[MXLOCK_A_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, sizeof(struct in_addr),
					   sizeof(struct in6_addr)),
};

/* Read an address of either family; the policy has bounded the length. */
static int mxlock_get_addr(const struct nlattr *attr, struct mxlock_key *k,
			   bool *v6, struct netlink_ext_ack *extack)
{
	switch (nla_len(attr)) {
	case sizeof(struct in_addr):
		*v6 = false;
		k->hi = 0;
		k->lo = ntohl(nla_get_in_addr(attr));
		return 0;
	case sizeof(struct in6_addr):
		*v6 = true;
		*k = mxlock_key_from_in6(nla_data(attr));
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "address must be 4 (IPv4) or 16 (IPv6) bytes");
	return -EINVAL;
}

/* The inclusive interval an entry stands for, and its family. */
struct mxlock_entry {
	struct mxlock_key lo;
	struct mxlock_key hi;
	bool v6;
};

static int mxlock_parse_prefix(const struct nlattr *nest,
			       const struct nlattr *plen_attr,
			       struct mxlock_entry *e,
			       struct netlink_ext_ack *extack)
{
	u8 plen = nla_get_u8(plen_attr), max = e->v6 ? 128 : 32;
	struct mxlock_key host;

	if (plen > max) {
		if (e->v6)
			NL_SET_ERR_MSG_ATTR(extack, plen_attr,
					    "IPv6 prefix length must be 0..128");
		else
			NL_SET_ERR_MSG_ATTR(extack, plen_attr,
					    "IPv4 prefix length must be 0..32");
		return -EINVAL;
	}
	/* Host part of the key: the low (max - plen) bits. */
	plen += 128 - max;
	host.hi = plen >= 64 ? 0 : ~0ULL >> plen;
	host.lo = plen <= 64 ? ~0ULL : plen == 128 ? 0 : ~0ULL >> (plen - 64);
	/* Masking silently would widen or move what the admin meant. */
	if ((e->lo.hi & host.hi) || (e->lo.lo & host.lo)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "host bits set in a prefix entry");
		return -EINVAL;
	}
	e->hi.hi = e->lo.hi | host.hi;
	e->hi.lo = e->lo.lo | host.lo;
	return 0;
}

static int mxlock_parse_entry(const struct nlattr *nest,
			      struct mxlock_entry *e,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MXLOCK_ENTRY_A_MAX + 1];
	const struct nlattr *plen_attr, *end_attr;
	bool end_v6;
	int err;

	if (nla_type(nest) != MXLOCK_A_ENTRY) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "entry list holds a non-entry");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, MXLOCK_ENTRY_A_MAX, nest,
			       mxlock_entry_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, MXLOCK_ENTRY_A_ADDR)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "entry has no address");
		return -EINVAL;
	}
	err = mxlock_get_addr(tb[MXLOCK_ENTRY_A_ADDR], &e->lo, &e->v6, extack);
	if (err)
		return err;

	plen_attr = tb[MXLOCK_ENTRY_A_PREFIXLEN];
	end_attr = tb[MXLOCK_ENTRY_A_ADDR_END];
	if (plen_attr && end_attr) {
		NL_SET_ERR_MSG_ATTR(extack, end_attr,
				    "an entry has a prefix length or a range end, not both");
		return -EINVAL;
	}
	if (plen_attr) {
		err = mxlock_parse_prefix(nest, plen_attr, e, extack);
		if (err)
			return err;
	} else if (end_attr) {
		err = mxlock_get_addr(end_attr, &e->hi, &end_v6, extack);
		if (err)
			return err;
		if (end_v6 != e->v6) {
			NL_SET_ERR_MSG_ATTR(extack, end_attr,
					    "range ends are of different families");
			return -EINVAL;
		}
		if (mxlock_key_cmp(&e->hi, &e->lo) < 0) {
			NL_SET_ERR_MSG_ATTR(extack, end_attr,
					    "range end is below its start");
			return -EINVAL;
		}
	} else {
		e->hi = e->lo;
	}
	if (e->v6 && mxlock_key_v4mapped(&e->lo) &&
	    mxlock_key_v4mapped(&e->hi)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "IPv4-mapped addresses belong in the IPv4 list: give them as IPv4");
		return -EINVAL;
	}
	return 0;
}

static bool mxlock_entry_listed(const struct mxlock_set *s,
				const struct mxlock_entry *e)
{
	if (e->v6)
		return mxlock_set_overlaps6(s, &e->lo, &e->hi);
	return mxlock_set_overlaps4(s, e->lo.lo, e->hi.lo);
}

/*
 * Stage the request's entries in st. With check set, each entry must
 * cover some address of check (used by DEL).
 */
static int mxlock_parse_entries(const struct nlattr *entries,
				struct mxlock_staging *st,
				const struct mxlock_set *check,
				struct netlink_ext_ack *extack)
{
	struct mxlock_entry e;
	const struct nlattr *a;
	int rem, err;

	if (!entries)
		return 0;
	nla_for_each_nested(a, entries, rem) {
		err = mxlock_parse_entry(a, &e, extack);
		if (err)
			return err;
		if (check && !mxlock_entry_listed(check, &e)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "entry covers no address in the allowlist");
			return -ENOENT;
		}
		if (e.v6)
			err = mxlock_staging_push6(st, &e.lo, &e.hi,
						   MXLOCK_MAX_ENTRIES);
		else
			err = mxlock_staging_push4(st, e.lo.lo, e.hi.lo,
						   MXLOCK_MAX_ENTRIES);
		if (err == -E2BIG)
			NL_SET_ERR_MSG_ATTR(extack, a, "too many entries");
		if (err)
			return err;
	}
	return 0;
}

static struct mxlock_set *mxlock_live_set(struct mxlock_net *pn)
{
	return rcu_dereference_protected(pn->set, lockdep_is_held(&pn->lock));
}

static void mxlock_bump_generation(struct mxlock_net *pn)
{
	u32 gen = pn->generation + 1;

	/* 0 would read as "unset" to the dump consistency check. */
	WRITE_ONCE(pn->generation, gen ? gen : 1);
}

/* Make set (NULL: unarmed) the live list; readers move over atomically. */
static void mxlock_publish(struct mxlock_net *pn, struct mxlock_set *set)
{
	struct mxlock_set *old;

	mxlock_bump_generation(pn);
	if (set)
		set->generation = pn->generation;
	old = rcu_replace_pointer(pn->set, set, lockdep_is_held(&pn->lock));
	if (old)
		kvfree_rcu(old, rcu);
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
	list_add(&txn->node, &pn->txns);
	pn->nr_txns++;
	return txn;
}

static int mxlock_put_state(struct sk_buff *msg, struct mxlock_net *pn)
{
	const struct mxlock_set *set;
	struct mxlock_stats sum;
	struct nlattr *nest;
	int v;

	/* The stats attributes follow the verdicts' order. */
	BUILD_BUG_ON(MXLOCK_STATS_A_SYN_ALLOWED + MXLOCK_VERDICT_UNARMED !=
		     MXLOCK_STATS_A_SYN_UNARMED);

	mxlock_stats_sum(pn->stats, &sum);
	mutex_lock(&pn->lock);
	set = mxlock_live_set(pn);
	if (nla_put_u8(msg, MXLOCK_A_MODE, pn->mode) ||
	    nla_put_u8(msg, MXLOCK_A_ARMED, !!set) ||
	    nla_put_u32(msg, MXLOCK_A_RANGES,
			set ? mxlock_set_ranges(set) : 0) ||
	    nla_put_u32(msg, MXLOCK_A_GENERATION, pn->generation) ||
	    nla_put_u16(msg, MXLOCK_A_PORT, ntohs(pn->port)))
		goto err_unlock;
	mutex_unlock(&pn->lock);

	nest = nla_nest_start(msg, MXLOCK_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, MXLOCK_STATS_A_SYN_SEEN,
			      mxlock_stats_seen(&sum), MXLOCK_STATS_A_PAD))
		return -EMSGSIZE;
	for (v = 0; v < __MXLOCK_VERDICT_MAX; v++) {
		if (nla_put_u64_64bit(msg, MXLOCK_STATS_A_SYN_ALLOWED + v,
				      sum.syn[v], MXLOCK_STATS_A_PAD))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;

err_unlock:
	mutex_unlock(&pn->lock);
	return -EMSGSIZE;
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
	return mxlock_put_state(msg, arg);
}

static int mxlock_nl_get_state(struct sk_buff *skb, struct genl_info *info)
{
	return mxlock_reply(info, MXLOCK_CMD_GET_STATE, mxlock_fill_state,
			    mxlock_pernet(genl_info_net(info)));
}

static int mxlock_nl_set_mode(struct sk_buff *skb, struct genl_info *info)
{
	struct mxlock_net *pn = mxlock_pernet(genl_info_net(info));

	if (GENL_REQ_ATTR_CHECK(info, MXLOCK_A_MODE))
		return -EINVAL;
	mutex_lock(&pn->lock);
	WRITE_ONCE(pn->mode, nla_get_u8(info->attrs[MXLOCK_A_MODE]));
	mxlock_bump_generation(pn);
	mutex_unlock(&pn->lock);
	return 0;
}

static int mxlock_nl_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct mxlock_net *pn = mxlock_pernet(genl_info_net(info));
	const struct nlattr *flags_attr = info->attrs[MXLOCK_A_REPLACE_FLAGS];
	struct netlink_ext_ack *extack = info->extack;
	u32 flags = flags_attr ? nla_get_u32(flags_attr) : 0;
	struct mxlock_staging oneshot = {};
	struct mxlock_staging *st = &oneshot;
	struct mxlock_txn *txn;
	struct mxlock_set *set;
	int err;

	mutex_lock(&pn->lock);
	txn = mxlock_txn_find(pn, info->snd_portid);
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
	if (err)
		goto out_close;
	if (flags & MXLOCK_REPLACE_F_MORE)
		goto out_unlock;	/* staged; the transaction stays open */

	if (!st->v4.n && !st->v6.n) {
		NL_SET_ERR_MSG(extack,
			       "refusing an empty allowlist: it would refuse all mail (flush disarms)");
		err = -EINVAL;
		goto out_close;
	}
	set = mxlock_set_build(st);
	if (!set) {
		err = -ENOMEM;
		goto out_close;
	}
	mxlock_publish(pn, set);

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
	struct mxlock_staging st = {};
	struct mxlock_set *set;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MXLOCK_A_ENTRIES))
		return -EINVAL;
	err = mxlock_parse_entries(info->attrs[MXLOCK_A_ENTRIES], &st, NULL,
				   info->extack);
	if (err)
		goto out_release;
	if (!st.v4.n && !st.v6.n) {
		NL_SET_ERR_MSG(info->extack, "no entries to add");
		err = -EINVAL;
		goto out_release;
	}

	mutex_lock(&pn->lock);
	set = mxlock_set_add(mxlock_live_set(pn), &st);
	if (!set) {
		err = -ENOMEM;
	} else if (mxlock_set_ranges(set) > MXLOCK_MAX_ENTRIES) {
		NL_SET_ERR_MSG(info->extack, "allowlist would grow too large");
		mxlock_set_free(set);
		err = -E2BIG;
	} else {
		mxlock_publish(pn, set);
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
	struct mxlock_staging st = {};
	struct mxlock_set *old, *set;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MXLOCK_A_ENTRIES))
		return -EINVAL;

	mutex_lock(&pn->lock);
	old = mxlock_live_set(pn);
	if (!old) {
		NL_SET_ERR_MSG(extack, "no allowlist is loaded");
		err = -ENOENT;
		goto out_unlock;
	}
	err = mxlock_parse_entries(info->attrs[MXLOCK_A_ENTRIES], &st, old,
				   extack);
	if (err)
		goto out_unlock;
	if (!st.v4.n && !st.v6.n) {
		NL_SET_ERR_MSG(extack, "no entries to delete");
		err = -EINVAL;
		goto out_unlock;
	}
	set = mxlock_set_subtract(old, &st);
	if (!set) {
		err = -ENOMEM;
		goto out_unlock;
	}
	if (!mxlock_set_ranges(set)) {
		NL_SET_ERR_MSG(extack,
			       "refusing to empty the allowlist: it would refuse all mail (flush disarms)");
		mxlock_set_free(set);
		err = -EINVAL;
		goto out_unlock;
	}
	mxlock_publish(pn, set);

out_unlock:
	mutex_unlock(&pn->lock);
	mxlock_staging_release(&st);
	return err;
}

static int mxlock_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct mxlock_net *pn = mxlock_pernet(genl_info_net(info));

	mutex_lock(&pn->lock);
	mxlock_publish(pn, NULL);
	mutex_unlock(&pn->lock);
	return 0;
}

static int mxlock_fill_verdict(struct sk_buff *msg, void *arg)
{
	return nla_put_u8(msg, MXLOCK_A_VERDICT, *(u8 *)arg);
}

static int mxlock_nl_test(struct sk_buff *skb, struct genl_info *info)
{
	struct mxlock_net *pn = mxlock_pernet(genl_info_net(info));
	const struct nlattr *attr = info->attrs[MXLOCK_A_ADDR];
	struct mxlock_key k;
	u8 verdict;
	bool v6;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MXLOCK_A_ADDR))
		return -EINVAL;
	err = mxlock_get_addr(attr, &k, &v6, info->extack);
	if (err)
		return err;
	rcu_read_lock();
	if (v6)
		verdict = mxlock_judge6(pn, nla_data(attr));
	else
		verdict = mxlock_judge4(pn, nla_get_in_addr(attr));
	rcu_read_unlock();
	return mxlock_reply(info, MXLOCK_CMD_TEST, mxlock_fill_verdict,
			    &verdict);
}

/* One dumped interval: IPv4 ones first, then IPv6. */
static int mxlock_put_interval(struct sk_buff *skb,
			       const struct mxlock_set *set, u32 i)
{
	struct in6_addr a;

	if (i < set->nr4)
		return nla_put_in_addr(skb, MXLOCK_ENTRY_A_ADDR,
				       htonl(set->r4[i].lo)) ||
		       nla_put_in_addr(skb, MXLOCK_ENTRY_A_ADDR_END,
				       htonl(set->r4[i].hi));
	i -= set->nr4;
	mxlock_key_to_in6(&set->r6[i].lo, &a);
	if (nla_put_in6_addr(skb, MXLOCK_ENTRY_A_ADDR, &a))
		return -EMSGSIZE;
	mxlock_key_to_in6(&set->r6[i].hi, &a);
	return nla_put_in6_addr(skb, MXLOCK_ENTRY_A_ADDR_END, &a);
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

static const struct genl_ops mxlock_genl_ops[] = {
	{
		.cmd	= MXLOCK_CMD_GET_STATE,
		.doit	= mxlock_nl_get_state,
	},
	{
		.cmd	= MXLOCK_CMD_SET_MODE,
		.doit	= mxlock_nl_set_mode,
		.policy	= mxlock_mode_policy,
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
