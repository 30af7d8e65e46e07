// SPDX-License-Identifier: GPL-2.0
/*
 * Entries on the wire: a request's MXLOCK_A_ENTRY nests parsed into staged
 * intervals, and a set's intervals put back into dump messages. Every
 * check is made here, whoever the client is.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <net/netlink.h>

#include "mxlock.h"

const struct nla_policy mxlock_entry_policy[MXLOCK_ENTRY_A_MAX + 1] = {
	[MXLOCK_ENTRY_A_ADDR]	   = NLA_POLICY_RANGE(NLA_BINARY,
						      sizeof(struct in_addr),
						      sizeof(struct in6_addr)),
	[MXLOCK_ENTRY_A_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[MXLOCK_ENTRY_A_ADDR_END]  = NLA_POLICY_RANGE(NLA_BINARY,
						      sizeof(struct in_addr),
						      sizeof(struct in6_addr)),
};

/* Read an address of either family; the policy has bounded the length. */
int mxlock_get_addr(const struct nlattr *attr, struct mxlock_key *k,
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
	/* Cutting the mapped part off silently would lose what was meant. */
	if (e->v6 && mxlock_key_v4mapped(&e->lo) != mxlock_key_v4mapped(&e->hi)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "range runs into ::ffff:0:0/96: give its IPv4-mapped part as IPv4");
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
 * cover some address of check (used by DEL). Returns how many entries
 * the request carried, or a negative errno.
 */
int mxlock_parse_entries(const struct nlattr *entries,
			 struct mxlock_staging *st,
			 const struct mxlock_set *check,
			 struct netlink_ext_ack *extack)
{
	struct mxlock_entry e;
	const struct nlattr *a;
	int rem, err, n = 0;

	if (!entries)
		return 0;
	nla_for_each_nested(a, entries, rem) {
		n++;
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
		if (err == -ENOSPC) {
			mxlock_budget_refused(st->budget, extack);
			NL_SET_BAD_ATTR(extack, a);
		}
		if (err)
			return err;
	}
	/* The array validation stops at the first malformed element. */
	if (rem > 0) {
		NL_SET_ERR_MSG_ATTR(extack, entries,
				    "malformed entry list: bytes left over after the last whole entry");
		return -EINVAL;
	}
	return n;
}

/* An interval as an entry's ADDR and ADDR_END (IPv4: the keys' lo). */
int mxlock_put_range(struct sk_buff *skb, const struct mxlock_range *r,
		     bool v6)
{
	struct in6_addr a;
	int err;

	if (!v6)
		return nla_put_in_addr(skb, MXLOCK_ENTRY_A_ADDR,
				       htonl((u32)r->lo.lo)) ?:
		       nla_put_in_addr(skb, MXLOCK_ENTRY_A_ADDR_END,
				       htonl((u32)r->hi.lo));
	mxlock_key_to_in6(&r->lo, &a);
	err = nla_put_in6_addr(skb, MXLOCK_ENTRY_A_ADDR, &a);
	mxlock_key_to_in6(&r->hi, &a);
	return err ?: nla_put_in6_addr(skb, MXLOCK_ENTRY_A_ADDR_END, &a);
}

/* Interval i of set, with its hits, for a dump: IPv4 first, then IPv6. */
int mxlock_put_interval(struct sk_buff *skb, const struct mxlock_set *set,
			u32 i)
{
	int err;

	if (i < set->nr4) {
		struct mxlock_range r = {
			.lo = { 0, set->r4[i].lo },
			.hi = { 0, set->r4[i].hi },
		};

		err = mxlock_put_range(skb, &r, false);
	} else {
		err = mxlock_put_range(skb, &set->r6[i - set->nr4], true);
	}
	if (err || !set->hits)
		return err;
	return nla_put_u64_64bit(skb, MXLOCK_ENTRY_A_HITS,
				 mxlock_hits_read(set, i), MXLOCK_ENTRY_A_PAD);
}
