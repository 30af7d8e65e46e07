/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allowlist entries: parse them from text (arguments and files) and
 * format address intervals back as text.
 *
 * An entry is IPv4 or IPv6. IPv4-mapped IPv6 text (::ffff:a.b.c.d, with
 * a prefix length of 96 or more, or a range with both ends mapped) is
 * taken as the IPv4 entry it maps: the kernel judges such sources by its
 * IPv4 list and refuses IPv6 entries inside ::ffff:0:0/96. A range with
 * one end mapped and the other not is refused: its mapped part would be
 * silently ignored. A wider IPv6 entry (::/0, ::/64) stays IPv6: the
 * kernel leaves the mapped block out of it.
 */
#ifndef MXLOCKCTL_ENTRY_H
#define MXLOCKCTL_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MX_ADDR_MAX	16	/* bytes: room for IPv6 */

/* Big enough for "a-b" with two IPv6 addresses, or "a/len". */
#define MX_ENTRY_TEXT_MAX	(2 * 46 + 2)

/* Big enough for an interval and its " # hits N" comment. */
#define MX_LINE_TEXT_MAX	(MX_ENTRY_TEXT_MAX + 32)

/* Big enough for any reason mx_entry_parse() gives. */
#define MX_ENTRY_WHY_MAX	160

enum mx_entry_kind {
	MX_ENTRY_ADDR,		/* a single address */
	MX_ENTRY_PREFIX,	/* addr/prefixlen, host bits clear */
	MX_ENTRY_RANGE,		/* addr..end, inclusive, end >= addr */
};

struct mx_entry {
	int family;			/* AF_INET or AF_INET6 */
	enum mx_entry_kind kind;
	unsigned int prefixlen;		/* MX_ENTRY_PREFIX only */
	unsigned char addr[MX_ADDR_MAX];	/* network order */
	unsigned char end[MX_ADDR_MAX];	/* MX_ENTRY_RANGE only */
	const char *src;		/* file name, "<stdin>" or "<args>" */
	unsigned int line;		/* line in src, or argument number */
};

struct mx_entry_list {
	struct mx_entry *v;
	size_t n;
	size_t cap;
};

/* Write a reason into why (printf-style) and return -1: for parsers. */
int mx_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Bytes of address for a family: 4, 16, or 0 if unknown. */
size_t mx_addr_len(int family);

/*
 * Parse one entry (no surrounding whitespace, no comment). Returns 0, or
 * -1 with a one-line reason in why (at least MX_ENTRY_WHY_MAX bytes is
 * always enough). src and line of *e are left zero.
 */
int mx_entry_parse(const char *text, struct mx_entry *e,
		   char *why, size_t whylen);

/*
 * Parse one address of either family, as `test` takes it: no prefix, no
 * range, and an IPv4-mapped IPv6 address stays IPv6 (the kernel judges it
 * as IPv4 itself). Returns 0, or -1 with a reason as above.
 */
int mx_addr_parse(const char *text, int *family, unsigned char *addr,
		  char *why, size_t whylen);

/* Write the entry as it would be typed: a, a/len or a-b. 0 or -1. */
int mx_entry_format(const struct mx_entry *e, char *buf, size_t size);

/* First and last address the entry covers, network order. */
void mx_entry_bounds(const struct mx_entry *e,
		     unsigned char *first, unsigned char *last);

/*
 * Write the interval first..last (network order, family's length) as
 * "a/len" when it is exactly one CIDR block, else as "a-b"; IPv6 in the
 * compressed form of inet_ntop(). A single address is "a/32" or "a/128".
 * The text parses back to the same interval (for IPv6, one the kernel
 * dumps: none has an end inside ::ffff:0:0/96). Returns 0, or -1 if the
 * family is unknown or buf is too small.
 */
int mx_interval_format(int family, const void *first, const void *last,
		       char *buf, size_t size);

/*
 * A line of `mxlockctl list`: the interval as above, then " # hits N" if
 * hits is not NULL. The comment keeps the line valid input for
 * `replace -f`. 0 or -1, as above.
 */
int mx_interval_line(int family, const void *first, const void *last,
		     const uint64_t *hits, char *buf, size_t size);

/*
 * Order the list as the kernel keeps intervals: IPv4 before IPv6, then by
 * first and last address. The kernel skips its own sort for input sent in
 * this order, which matters for a list of a million entries. 0, or -1
 * (ENOMEM: the list is left as it was).
 */
int mx_entry_list_sort(struct mx_entry_list *l);

/* Append a copy of *e. 0, or -1 (ENOMEM). */
int mx_entry_list_push(struct mx_entry_list *l, const struct mx_entry *e);

void mx_entry_list_free(struct mx_entry_list *l);

/*
 * Parse text and append it, tagged src:line. A bad entry is reported on
 * err as "src:line: 'text': reason". Returns 0 if added, 1 if bad, -1 on
 * ENOMEM.
 */
int mx_entry_list_add_text(struct mx_entry_list *l, const char *text,
			   const char *src, unsigned int line, FILE *err);

/*
 * Read a file of entries: one a line, '#' starts a comment, blank lines
 * are skipped, surrounding whitespace and a CR before the newline are
 * ignored. Every bad line is reported on err (see above). Returns the
 * number of bad lines, or -1 with errno set on a read error or ENOMEM.
 */
int mx_entry_list_read(struct mx_entry_list *l, FILE *f, const char *src,
		       FILE *err);

#endif /* MXLOCKCTL_ENTRY_H */
