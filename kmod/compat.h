/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels mxlock builds for (Debian's 6.1,
 * 6.1-rt, 6.12 and sid's 7.x) is handled here, and only here: the rest of
 * kmod/ is written for the newest kernel, and this file makes the older
 * ones look like it. In the spirit of WireGuard's compat layer.
 */
#ifndef _MXLOCK_COMPAT_H
#define _MXLOCK_COMPAT_H

#include <linux/version.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>

/* 6.12 moved the unaligned accessors from asm/ to linux/. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#include <asm/unaligned.h>
#else
#include <linux/unaligned.h>
#endif

/*
 * 6.18 dropped the hash table argument of the established-socket lookups
 * (DCCP, which had a table of its own, was gone): a namespace's TCP table
 * is the one. Before, callers named it.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 18, 0)
static inline struct sock *
mxlock_inet_lookup_established(struct net *net, __be32 saddr, __be16 sport,
			       __be32 daddr, u16 hnum, int dif, int sdif)
{
	return __inet_lookup_established(net, net->ipv4.tcp_death_row.hashinfo,
					 saddr, sport, daddr, hnum, dif, sdif);
}

#define __inet_lookup_established mxlock_inet_lookup_established

#if IS_ENABLED(CONFIG_IPV6)
static inline struct sock *
mxlock_inet6_lookup_established(struct net *net, const struct in6_addr *saddr,
				__be16 sport, const struct in6_addr *daddr,
				u16 hnum, int dif, int sdif)
{
	return __inet6_lookup_established(net, net->ipv4.tcp_death_row.hashinfo,
					  saddr, sport, daddr, hnum, dif, sdif);
}

#define __inet6_lookup_established mxlock_inet6_lookup_established
#endif
#endif

#endif /* _MXLOCK_COMPAT_H */
