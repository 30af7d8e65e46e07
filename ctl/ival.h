/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address interval sets, as the kernel keeps the list: merged intervals
 * (overlapping and adjacent ones joined), IPv4 before IPv6, ascending.
 * The live list read from the kernel and a list about to be loaded are
 * both held this way, so that they compare interval by interval: what a
 * change adds, removes and keeps, and who it admits or refuses.
 */
#ifndef MXLOCKCTL_IVAL_H
#define MXLOCKCTL_IVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"

struct mx_ival {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char first[MX_ADDR_MAX];	/* network order */
	unsigned char last[MX_ADDR_MAX];
	bool has_hits;
	uint64_t hits;			/* SYNs admitted (the kernel's) */
};

struct mx_ival_list {
	struct mx_ival *v;
	size_t n;
	size_t cap;
};

/* Append a copy of *iv. 0, or -1 (ENOMEM). */
int mx_ival_push(struct mx_ival_list *l, const struct mx_ival *iv);

void mx_ival_free(struct mx_ival_list *l);

/*
 * The set the kernel would hold after loading l: merged, ordered, and an
 * IPv6 interval with the IPv4-mapped block ::ffff:0:0/96 cut out (the
 * kernel judges those sources by its IPv4 list). 0, or -1 (ENOMEM).
 */
int mx_ival_from_entries(const struct mx_entry_list *l,
			 struct mx_ival_list *out);

/* Order of two intervals as the kernel keeps them (<0, 0, >0). */
int mx_ival_cmp(const struct mx_ival *a, const struct mx_ival *b);

/* Same family and same bounds. */
bool mx_ival_same(const struct mx_ival *a, const struct mx_ival *b);

/*
 * How much of iv the merged set s covers: 0 none, 1 part, 2 all. s is
 * merged, so "all" means one interval of s holds iv.
 */
int mx_ival_covered(const struct mx_ival_list *s, const struct mx_ival *iv);

/* Does the merged set s hold the address? */
bool mx_ival_has_addr(const struct mx_ival_list *s, int family,
		      const unsigned char *addr);

/* Addresses in iv, as a double (exact for IPv4). */
double mx_ival_size(const struct mx_ival *iv);

/* Addresses of one family in s that the merged set t does not hold. */
double mx_ival_uncovered(const struct mx_ival_list *s,
			 const struct mx_ival_list *t, int family);

/* Addresses of one family in s. */
double mx_ival_total(const struct mx_ival_list *s, int family);

#endif /* MXLOCKCTL_IVAL_H */
