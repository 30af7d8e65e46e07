// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for ctl/entry.c, the parser of allowlist text (what
 * `mxlockctl replace -f` reads from a file an admin or a script wrote).
 *
 * The input is used twice:
 *   1. up to its first NUL, as one entry for mx_entry_parse() and as one
 *      address for mx_addr_parse();
 *   2. whole, as a file for mx_entry_list_read() (through fmemopen()).
 *
 * Invariants checked, besides "no crash, no sanitizer report":
 *   - a parsed entry is well formed (family, kind, prefix length), and
 *     first <= last;
 *   - mx_entry_format() and mx_interval_format() of it fit the documented
 *     buffer sizes and parse back to the very same interval;
 *   - a parsed address prints back (inet_ntop) to text that parses to the
 *     same bytes;
 *   - mx_entry_list_read() returns the number of bad lines, reports each
 *     on err as exactly one line of printable text (a binary file must not
 *     reach the terminal raw), tags every entry with a line that exists,
 *     and mx_entry_list_sort() orders the list as documented.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "entry.h"

#define FAIL(...)							\
	do {								\
		fprintf(stderr, "fuzz_entry: invariant broken: ");	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	} while (0)

/* The entry text, quoted safely for a failure message. */
static const char *show(const char *s)
{
	static char buf[4 * 256 + 4];
	size_t i, n = 0;

	for (i = 0; s[i] && n + 5 < sizeof(buf); i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			n += snprintf(buf + n, sizeof(buf) - n, "\\x%02x", c);
		else
			buf[n++] = c;
	}
	buf[n] = '\0';
	return buf;
}

static void check_bounds(const struct mx_entry *e, const char *ctx,
			 unsigned char *first, unsigned char *last)
{
	size_t alen = mx_addr_len(e->family);

	if (alen != 4 && alen != 16)
		FAIL("%s: family %d", ctx, e->family);
	switch (e->kind) {
	case MX_ENTRY_ADDR:
	case MX_ENTRY_RANGE:
		break;
	case MX_ENTRY_PREFIX:
		if (e->prefixlen > alen * 8)
			FAIL("%s: prefix length %u", ctx, e->prefixlen);
		break;
	default:
		FAIL("%s: kind %d", ctx, (int)e->kind);
	}
	mx_entry_bounds(e, first, last);
	if (memcmp(first, last, alen) > 0)
		FAIL("%s: first > last", ctx);
}

/* text must parse to exactly family, first..last. */
static void check_reparse(const char *text, int family,
			  const unsigned char *first,
			  const unsigned char *last, const char *ctx)
{
	unsigned char f[MX_ADDR_MAX], l[MX_ADDR_MAX];
	char why[MX_ENTRY_WHY_MAX];
	struct mx_entry e;

	if (mx_entry_parse(text, &e, why, sizeof(why)))
		FAIL("%s: '%s' does not parse back: %s", ctx, text, why);
	check_bounds(&e, text, f, l);
	if (e.family != family)
		FAIL("%s: '%s' parses back as family %d, not %d", ctx, text,
		     e.family, family);
	if (memcmp(f, first, mx_addr_len(family)) ||
	    memcmp(l, last, mx_addr_len(family)))
		FAIL("%s: '%s' parses back to another interval", ctx, text);
}

static void one_entry(const char *text)
{
	unsigned char first[MX_ADDR_MAX], last[MX_ADDR_MAX];
	char buf[MX_ENTRY_TEXT_MAX], line[MX_LINE_TEXT_MAX];
	/* Roomier than promised, to tell a long reason from a cut one. */
	char why[4 * MX_ENTRY_WHY_MAX];
	const uint64_t hits = UINT64_MAX;
	struct mx_entry e;

	if (mx_entry_parse(text, &e, why, sizeof(why))) {
		if (!why[0])
			FAIL("'%s' refused without a reason", show(text));
		if (strlen(why) >= MX_ENTRY_WHY_MAX)
			FAIL("'%s': reason longer than MX_ENTRY_WHY_MAX: %s",
			     show(text), why);
		return;
	}
	if (e.src || e.line)
		FAIL("'%s': src/line set", show(text));
	check_bounds(&e, show(text), first, last);

	if (mx_entry_format(&e, buf, sizeof(buf)))
		FAIL("'%s': mx_entry_format failed", show(text));
	check_reparse(buf, e.family, first, last, "mx_entry_format");

	if (mx_interval_format(e.family, first, last, buf, sizeof(buf)))
		FAIL("'%s': mx_interval_format failed", show(text));
	check_reparse(buf, e.family, first, last, "mx_interval_format");

	if (mx_interval_line(e.family, first, last, &hits, line, sizeof(line)))
		FAIL("'%s': mx_interval_line failed", show(text));
	if (strncmp(line, buf, strlen(buf)) ||
	    strcmp(line + strlen(buf), " # hits 18446744073709551615"))
		FAIL("'%s': line '%s'", show(text), line);
}

static void one_address(const char *text)
{
	unsigned char addr[MX_ADDR_MAX], back[MX_ADDR_MAX];
	char why[MX_ENTRY_WHY_MAX], ntop[INET6_ADDRSTRLEN];
	int family, family2;

	if (mx_addr_parse(text, &family, addr, why, sizeof(why)))
		return;
	if (family != AF_INET && family != AF_INET6)
		FAIL("'%s': address family %d", show(text), family);
	if (!inet_ntop(family, addr, ntop, sizeof(ntop)))
		FAIL("'%s': inet_ntop failed", show(text));
	if (mx_addr_parse(ntop, &family2, back, why, sizeof(why)))
		FAIL("'%s': '%s' does not parse back: %s", show(text), ntop,
		     why);
	if (family2 != family || memcmp(back, addr, mx_addr_len(family)))
		FAIL("'%s': '%s' parses back to another address", show(text),
		     ntop);
}

static void check_sorted(const struct mx_entry_list *l)
{
	unsigned char pf[MX_ADDR_MAX], pl[MX_ADDR_MAX];
	unsigned char f[MX_ADDR_MAX], lst[MX_ADDR_MAX];
	size_t i;
	int c;

	for (i = 0; i < l->n; i++) {
		mx_entry_bounds(&l->v[i], f, lst);
		if (i) {
			const struct mx_entry *p = &l->v[i - 1];

			if (p->family == AF_INET6 && l->v[i].family == AF_INET)
				FAIL("sort: IPv6 before IPv4");
			if (p->family == l->v[i].family) {
				size_t alen = mx_addr_len(p->family);

				c = memcmp(pf, f, alen);
				if (c > 0 || (!c && memcmp(pl, lst, alen) > 0))
					FAIL("sort: entries %zu, %zu out of order",
					     i - 1, i);
			}
		}
		memcpy(pf, f, sizeof(f));
		memcpy(pl, lst, sizeof(lst));
	}
}

static void whole_file(const uint8_t *data, size_t size)
{
	static const char src[] = "<fuzz>";
	struct mx_entry_list l = { 0 };
	unsigned char first[MX_ADDR_MAX], last[MX_ADDR_MAX];
	char *out = NULL;
	size_t outlen = 0, i, lines = 0, reports = 0;
	uint64_t sum, sum2;
	FILE *f, *err;
	int bad;

	/* fmemopen() refuses a zero size; an empty file is dull anyway. */
	if (!size)
		return;
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (data[size - 1] != '\n')
		lines++;

	f = fmemopen((void *)data, size, "r");
	err = open_memstream(&out, &outlen);
	if (!f || !err)
		abort();
	bad = mx_entry_list_read(&l, f, src, err);
	fclose(f);
	fclose(err);

	if (bad < 0)
		FAIL("mx_entry_list_read failed");
	if (l.n + bad > lines)
		FAIL("%zu entries and %d bad lines out of %zu lines", l.n, bad,
		     lines);
	for (i = 0; i < outlen; i++) {
		unsigned char c = out[i];

		if (c == '\n')
			reports++;
		else if (c < 0x20 || c >= 0x7f)
			FAIL("err output has byte 0x%02x: %s", c, show(out));
	}
	if (outlen && out[outlen - 1] != '\n')
		FAIL("err output does not end a line");
	if (reports != (size_t)bad)
		FAIL("%d bad lines but %zu report lines", bad, reports);
	free(out);

	for (i = 0; i < l.n; i++) {
		if (l.v[i].src != src || !l.v[i].line || l.v[i].line > lines)
			FAIL("entry %zu tagged %s:%u of %zu lines", i,
			     l.v[i].src ? l.v[i].src : "(null)", l.v[i].line,
			     lines);
		check_bounds(&l.v[i], "list entry", first, last);
	}
	/* The sort gathers entries anew: none may be lost or doubled. */
	for (i = 0, sum = 0, sum2 = 0; i < l.n; i++) {
		sum += l.v[i].line;
		sum2 += (uint64_t)l.v[i].line * l.v[i].line;
	}
	if (mx_entry_list_sort(&l))
		FAIL("sorting %zu entries: out of memory", l.n);
	for (i = 0; i < l.n; i++) {
		sum -= l.v[i].line;
		sum2 -= (uint64_t)l.v[i].line * l.v[i].line;
	}
	if (sum || sum2)
		FAIL("the sort lost or doubled entries");
	check_sorted(&l);
	mx_entry_list_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	one_entry(text);
	one_address(text);
	free(text);
	whole_file(data, size);
	return 0;
}
