// SPDX-License-Identifier: GPL-2.0
/*
 * ival.c: address interval sets (see ival.h). Addresses are big-endian
 * byte strings of 4 or 16 bytes; the arithmetic is done on the bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ival.h"

int mx_ival_push(struct mx_ival_list *l, const struct mx_ival *iv)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct mx_ival *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *iv;
	return 0;
}

void mx_ival_free(struct mx_ival_list *l)
{
	free(l->v);
	*l = (struct mx_ival_list){ 0 };
}

/* a + 1; false if it wrapped (a was all ones). */
static bool inc(unsigned char *a, size_t len)
{
	while (len--)
		if (++a[len])
			return true;
	return false;
}

/* a - 1; a must not be zero. */
static void dec(unsigned char *a, size_t len)
{
	while (len--)
		if (a[len]--)
			return;
}

/* b - a + 1 as a double, b >= a: exact subtraction first, then convert. */
static double span(const unsigned char *a, const unsigned char *b,
		   size_t len)
{
	unsigned char d[MX_ADDR_MAX] = { 0 };
	int borrow = 0;
	double v = 0;
	size_t i;

	for (i = len; i--; ) {
		int x = b[i] - a[i] - borrow;

		borrow = x < 0;
		d[i] = (unsigned char)(x + (borrow ? 256 : 0));
	}
	for (i = 0; i < len; i++)
		v = v * 256 + d[i];
	return v + 1;
}

static int fam_rank(int family)
{
	return family == AF_INET ? 0 : 1;
}

int mx_ival_cmp(const struct mx_ival *a, const struct mx_ival *b)
{
	size_t len = mx_addr_len(a->family);
	int c;

	if (a->family != b->family)
		return fam_rank(a->family) - fam_rank(b->family);
	c = memcmp(a->first, b->first, len);
	return c ? c : memcmp(a->last, b->last, len);
}

bool mx_ival_same(const struct mx_ival *a, const struct mx_ival *b)
{
	return a->family == b->family && !mx_ival_cmp(a, b);
}

/* ::ffff:0:0/96, the block the kernel leaves out of IPv6 intervals. */
static const unsigned char mapped_first[16] = {
	[10] = 0xff, [11] = 0xff,
};
static const unsigned char mapped_last[16] = {
	[10] = 0xff, [11] = 0xff, [12] = 0xff, [13] = 0xff, [14] = 0xff,
	[15] = 0xff,
};

/* Push iv, for IPv6 without the mapped block (zero, one or two pieces). */
static int push_cut(struct mx_ival_list *out, const struct mx_ival *iv)
{
	struct mx_ival a = *iv, b = *iv;
	bool lo, hi;

	if (iv->family != AF_INET6 ||
	    memcmp(iv->last, mapped_first, 16) < 0 ||
	    memcmp(iv->first, mapped_last, 16) > 0)
		return mx_ival_push(out, iv);
	lo = memcmp(iv->first, mapped_first, 16) < 0;
	hi = memcmp(iv->last, mapped_last, 16) > 0;
	if (lo) {
		memcpy(a.last, mapped_first, 16);
		dec(a.last, 16);
		if (mx_ival_push(out, &a))
			return -1;
	}
	if (hi) {
		memcpy(b.first, mapped_last, 16);
		inc(b.first, 16);
		if (mx_ival_push(out, &b))
			return -1;
	}
	return 0;
}

/* Does an interval starting at first (>= cur's first) touch cur? */
static bool touches(const struct mx_ival *cur, const unsigned char *first)
{
	size_t len = mx_addr_len(cur->family);
	unsigned char next[MX_ADDR_MAX];

	memcpy(next, cur->last, len);
	if (!inc(next, len))
		return true;	/* cur reaches the top of the family */
	return memcmp(first, next, len) <= 0;
}

int mx_ival_from_entries(const struct mx_entry_list *l,
			 struct mx_ival_list *out)
{
	struct mx_entry_list s = { 0 };
	struct mx_ival cur = { 0 };
	bool have = false;
	size_t i;

	out->n = 0;
	if (l->n) {
		s.v = malloc(l->n * sizeof(*s.v));
		if (!s.v)
			return -1;
		memcpy(s.v, l->v, l->n * sizeof(*s.v));
		s.n = s.cap = l->n;
		if (mx_entry_list_sort(&s))
			goto fail;
	}
	for (i = 0; i < s.n; i++) {
		struct mx_ival iv = { .family = s.v[i].family };
		size_t len = mx_addr_len(iv.family);

		mx_entry_bounds(&s.v[i], iv.first, iv.last);
		if (have && cur.family == iv.family && touches(&cur, iv.first)) {
			if (memcmp(iv.last, cur.last, len) > 0)
				memcpy(cur.last, iv.last, len);
			continue;
		}
		if (have && push_cut(out, &cur))
			goto fail;
		cur = iv;
		have = true;
	}
	if (have && push_cut(out, &cur))
		goto fail;
	free(s.v);
	return 0;
fail:
	free(s.v);
	errno = ENOMEM;
	return -1;
}

/* Index of the first interval of s not entirely before iv's first. */
static size_t lower(const struct mx_ival_list *s, const struct mx_ival *iv)
{
	size_t lo = 0, hi = s->n, len = mx_addr_len(iv->family);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mx_ival *m = &s->v[mid];

		if (m->family != iv->family ?
		    fam_rank(m->family) < fam_rank(iv->family) :
		    memcmp(m->last, iv->first, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int mx_ival_covered(const struct mx_ival_list *s, const struct mx_ival *iv)
{
	size_t i = lower(s, iv), len = mx_addr_len(iv->family);
	const struct mx_ival *m;

	if (i == s->n || s->v[i].family != iv->family)
		return 0;
	m = &s->v[i];
	if (memcmp(m->first, iv->last, len) > 0)
		return 0;
	if (memcmp(m->first, iv->first, len) <= 0 &&
	    memcmp(m->last, iv->last, len) >= 0)
		return 2;
	return 1;
}

bool mx_ival_has_addr(const struct mx_ival_list *s, int family,
		      const unsigned char *addr)
{
	struct mx_ival one = { .family = family };
	size_t len = mx_addr_len(family);

	memcpy(one.first, addr, len);
	memcpy(one.last, addr, len);
	return mx_ival_covered(s, &one) == 2;
}

double mx_ival_size(const struct mx_ival *iv)
{
	return span(iv->first, iv->last, mx_addr_len(iv->family));
}

double mx_ival_total(const struct mx_ival_list *s, int family)
{
	double n = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].family == family)
			n += mx_ival_size(&s->v[i]);
	return n;
}

double mx_ival_uncovered(const struct mx_ival_list *s,
			 const struct mx_ival_list *t, int family)
{
	size_t len = mx_addr_len(family), i, j;
	double n = 0;

	for (i = 0; i < s->n; i++) {
		const struct mx_ival *a = &s->v[i];

		if (a->family != family)
			continue;
		n += mx_ival_size(a);
		/* Take away what each overlapping interval of t holds. */
		for (j = lower(t, a); j < t->n; j++) {
			const struct mx_ival *b = &t->v[j];
			const unsigned char *lo, *hi;

			if (b->family != family ||
			    memcmp(b->first, a->last, len) > 0)
				break;
			lo = memcmp(a->first, b->first, len) > 0 ?
			     a->first : b->first;
			hi = memcmp(a->last, b->last, len) < 0 ?
			     a->last : b->last;
			n -= span(lo, hi, len);
		}
	}
	return n;
}
