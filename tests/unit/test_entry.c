// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of ctl/entry.c, ctl/ports.c and ctl/json.c: entry
 * parsing (IPv4, IPv6, IPv4-mapped), file parsing, the interval formatter
 * behind `mxlockctl list` and its round trip through `replace -f`, the
 * ports parser, and JSON string escaping. Prints KTAP; exits 0 if every
 * check passed, else 1.
 *
 * Results are buffered so that the plan line ("1..N") can come first
 * without keeping a hand-counted total in sync.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "entry.h"
#include "json.h"
#include "ports.h"

static FILE *out;
static int tests, failed;

static void diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

static void result(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!ok)
		failed++;
	fprintf(out, "%sok %d - ", ok ? "" : "not ", tests);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

/* A test's own address text, IPv6 if it has a colon; its family. */
static int ip(const char *s, unsigned char *a)
{
	int family = strchr(s, ':') ? AF_INET6 : AF_INET;

	memset(a, 0, MX_ADDR_MAX);
	if (inet_pton(family, s, a) != 1) {
		fprintf(stderr, "test bug: bad address '%s'\n", s);
		exit(1);
	}
	return family;
}

/*
 * text must parse as kind of addr's family; addr, and prefixlen or end as
 * given; and format back as want (NULL: as text itself).
 */
static void parsed_as(const char *text, enum mx_entry_kind kind,
		      const char *addr, unsigned int prefixlen,
		      const char *end, const char *want)
{
	char why[MX_ENTRY_WHY_MAX], back[MX_ENTRY_TEXT_MAX];
	unsigned char a[MX_ADDR_MAX], b[MX_ADDR_MAX] = { 0 };
	struct mx_entry e;
	int family, ok = 1;
	size_t alen;

	family = ip(addr, a);
	alen = family == AF_INET ? 4 : 16;
	if (end)
		ip(end, b);
	if (!want)
		want = text;
	if (mx_entry_parse(text, &e, why, sizeof(why))) {
		diag("refused: %s", why);
		ok = 0;
	} else if (e.family != family || e.kind != kind ||
		   memcmp(e.addr, a, alen) ||
		   (kind == MX_ENTRY_PREFIX && e.prefixlen != prefixlen) ||
		   (kind == MX_ENTRY_RANGE && memcmp(e.end, b, alen))) {
		diag("parsed wrong: family %d kind %d prefixlen %u",
		     e.family, e.kind, e.prefixlen);
		ok = 0;
	} else if (mx_entry_format(&e, back, sizeof(back)) ||
		   strcmp(back, want)) {
		diag("formats back as '%s'", back);
		ok = 0;
	}
	if (want == text)
		result(ok, "accept '%s'", text);
	else
		result(ok, "accept '%s' as '%s'", text, want);
}

static void check_accept(const char *text, enum mx_entry_kind kind,
			 const char *addr, unsigned int prefixlen,
			 const char *end)
{
	parsed_as(text, kind, addr, prefixlen, end, NULL);
}

static void check_reject(const char *text, const char *reason)
{
	char why[MX_ENTRY_WHY_MAX] = "";
	struct mx_entry e;
	int ok = 1;

	if (!mx_entry_parse(text, &e, why, sizeof(why))) {
		diag("accepted");
		ok = 0;
	} else if (strcmp(why, reason)) {
		diag("reason '%s'", why);
		diag("wanted '%s'", reason);
		ok = 0;
	}
	result(ok, "reject '%s': %s", text, reason);
}

static void bounds(const char *text, const char *first, const char *last)
{
	unsigned char f[MX_ADDR_MAX], l[MX_ADDR_MAX];
	char why[MX_ENTRY_WHY_MAX];
	struct mx_entry e;
	size_t alen;
	int ok;

	alen = ip(first, f) == AF_INET ? 4 : 16;
	ip(last, l);
	ok = !mx_entry_parse(text, &e, why, sizeof(why));
	if (ok) {
		unsigned char gf[MX_ADDR_MAX], gl[MX_ADDR_MAX];

		mx_entry_bounds(&e, gf, gl);
		ok = mx_addr_len(e.family) == alen &&
		     !memcmp(gf, f, alen) && !memcmp(gl, l, alen);
	}
	result(ok, "bounds of '%s' are %s..%s", text, first, last);
}

/*
 * first..last must format as want, and want must parse back to exactly
 * first..last (list output is replace input).
 */
static void interval(const char *first, const char *last, const char *want)
{
	unsigned char f[MX_ADDR_MAX], l[MX_ADDR_MAX];
	unsigned char gf[MX_ADDR_MAX], gl[MX_ADDR_MAX];
	char buf[MX_ENTRY_TEXT_MAX] = "", why[MX_ENTRY_WHY_MAX];
	struct mx_entry e;
	int family, ok = 1;
	size_t alen;

	family = ip(first, f);
	alen = family == AF_INET ? 4 : 16;
	ip(last, l);
	if (mx_interval_format(family, f, l, buf, sizeof(buf)) ||
	    strcmp(buf, want)) {
		diag("got '%s'", buf);
		ok = 0;
	} else if (mx_entry_parse(buf, &e, why, sizeof(why))) {
		diag("does not parse back: %s", why);
		ok = 0;
	} else {
		mx_entry_bounds(&e, gf, gl);
		if (e.family != family || memcmp(gf, f, alen) ||
		    memcmp(gl, l, alen)) {
			diag("parses back to another interval");
			ok = 0;
		}
	}
	result(ok, "interval %s..%s prints as %s", first, last, want);
}

/* Every entry of l as "src:line text", one a line. */
static char *dump_list(const struct mx_entry_list *l)
{
	char text[MX_ENTRY_TEXT_MAX], *buf = NULL;
	size_t len, i;
	FILE *f = open_memstream(&buf, &len);

	for (i = 0; i < l->n; i++) {
		mx_entry_format(&l->v[i], text, sizeof(text));
		fprintf(f, "%s:%u %s\n", l->v[i].src, l->v[i].line, text);
	}
	fclose(f);
	return buf;
}

/*
 * Read content (size bytes) as file src: check the number of bad lines,
 * what was reported and what was kept.
 */
static void file(const char *desc, const char *content, size_t size,
		 const char *src, int want_bad, const char *want_err,
		 const char *want_list)
{
	struct mx_entry_list l = { 0 };
	char *err_buf = NULL, *list;
	size_t err_len;
	FILE *f, *err;
	int bad;

	f = fmemopen((void *)content, size, "r");
	err = open_memstream(&err_buf, &err_len);
	if (!f || !err) {
		perror("test_entry");
		exit(1);
	}
	bad = mx_entry_list_read(&l, f, src, err);
	fclose(f);
	fclose(err);
	list = dump_list(&l);

	result(bad == want_bad, "%s: %d bad lines", desc, want_bad);
	if (bad != want_bad)
		diag("got %d", bad);
	result(!strcmp(err_buf, want_err), "%s: reports", desc);
	if (strcmp(err_buf, want_err))
		diag("got:\n%s", err_buf);
	result(!strcmp(list, want_list), "%s: keeps the good entries", desc);
	if (strcmp(list, want_list))
		diag("got:\n%s", list);

	free(list);
	free(err_buf);
	mx_entry_list_free(&l);
}

#define FILE_STR(desc, content, src, bad, err, list) \
	file(desc, content, sizeof(content) - 1, src, bad, err, list)

static void arg(const char *text, unsigned int n, int want,
		const char *want_err)
{
	struct mx_entry_list l = { 0 };
	char *err_buf = NULL;
	size_t err_len;
	FILE *err = open_memstream(&err_buf, &err_len);
	int ret, ok;

	ret = mx_entry_list_add_text(&l, text, "<args>", n, err);
	fclose(err);
	ok = ret == want && !strcmp(err_buf, want_err) &&
	     l.n == (want ? 0U : 1U) &&
	     (want || (!strcmp(l.v[0].src, "<args>") && l.v[0].line == n));
	if (!ok)
		diag("ret %d, reported '%s'", ret, err_buf);
	result(ok, "argument %u '%.24s' %s", n, text,
	       want ? "reported" : "kept, tagged <args>");
	free(err_buf);
	mx_entry_list_free(&l);
}

static void test_parse(void)
{
	check_accept("10.0.0.0/8", MX_ENTRY_PREFIX, "10.0.0.0", 8, NULL);
	check_accept("199.89.0.0/21", MX_ENTRY_PREFIX, "199.89.0.0", 21, NULL);
	check_accept("0.0.0.0/0", MX_ENTRY_PREFIX, "0.0.0.0", 0, NULL);
	check_accept("255.255.255.255/32", MX_ENTRY_PREFIX, "255.255.255.255", 32,
	       NULL);
	check_accept("192.0.2.1/32", MX_ENTRY_PREFIX, "192.0.2.1", 32, NULL);
	check_accept("192.0.2.1", MX_ENTRY_ADDR, "192.0.2.1", 0, NULL);
	check_accept("0.0.0.0", MX_ENTRY_ADDR, "0.0.0.0", 0, NULL);
	check_accept("255.255.255.255", MX_ENTRY_ADDR, "255.255.255.255", 0, NULL);
	check_accept("192.0.2.1-192.0.2.9", MX_ENTRY_RANGE, "192.0.2.1", 0,
	       "192.0.2.9");
	check_accept("1.2.3.4-1.2.3.4", MX_ENTRY_RANGE, "1.2.3.4", 0, "1.2.3.4");
	check_accept("0.0.0.0-255.255.255.255", MX_ENTRY_RANGE, "0.0.0.0", 0,
	       "255.255.255.255");
	check_accept("9.255.255.255-10.0.0.0", MX_ENTRY_RANGE, "9.255.255.255", 0,
	       "10.0.0.0");

	check_reject("", "empty entry");
	check_reject("256.1.1.1", "octet '256' is above 255");
	check_reject("1.2.3.1000", "octet '1000' is above 255");
	check_reject("1.2.3", "want 4 octets a.b.c.d, got 3");
	check_reject("1.2.3.4.5", "want 4 octets a.b.c.d, got 5");
	check_reject("1..2.3", "empty octet");
	check_reject("1.2.3.", "empty octet");
	check_reject("010.1.1.1",
	       "octet '010' has a leading zero (octal or decimal?)");
	check_reject("1.2.3.00", "octet '00' has a leading zero (octal or decimal?)");
	check_reject("0x1.2.3.4", "not a dotted-quad IPv4 address");
	check_reject("a.b.c.d", "not a dotted-quad IPv4 address");
	check_reject(" 1.2.3.4", "not a dotted-quad IPv4 address");
	check_reject("1.2.3.4 ", "not a dotted-quad IPv4 address");
	check_reject("1.2.3.4/33", "prefix length '33' is out of range 0..32");
	check_reject("1.2.3.0/100", "prefix length '100' is out of range 0..32");
	check_reject("1.2.3.0/99999999999999999999",
	       "prefix length '99999999999999999999' is out of range 0..32");
	check_reject("1.2.3.0/24x", "prefix length '24x' is not a decimal number");
	check_reject("1.2.3.0/+24", "prefix length '+24' is not a decimal number");
	check_reject("1.2.3.0/-1", "prefix length '-1' is not a decimal number");
	check_reject("1.2.3.0/ 24", "prefix length ' 24' is not a decimal number");
	check_reject("1.2.3.0/24/8", "prefix length '24/8' is not a decimal number");
	/* A reason is printed raw: what it quotes is escaped. */
	check_reject("1.2.3.0/\t2\\4\xce\xbb",
		     "prefix length '\\x092\\x5c4\\xce\\xbb' is not a decimal number");
	check_reject("1.2.3.0/024", "prefix length '024' has a leading zero");
	check_reject("1.2.3.0/", "missing prefix length after '/'");
	check_reject("/", "missing address");
	check_reject("/24", "missing address");
	check_reject("1.2.3.9-1.2.3.1", "range end 1.2.3.1 is below its start 1.2.3.9");
	check_reject("10.0.0.0-9.255.255.255",
	       "range end 9.255.255.255 is below its start 10.0.0.0");
	check_reject("1.2.3.4-", "range end: missing address");
	check_reject("-1.2.3.4", "range start: missing address");
	check_reject("1.2.3.4-1.2.3", "range end: want 4 octets a.b.c.d, got 3");
	check_reject("01.2.3.4-1.2.3.5",
	       "range start: octet '01' has a leading zero (octal or decimal?)");
	check_reject("1.2.3.4-1.2.3.5-1.2.3.6",
	       "range end: not a dotted-quad IPv4 address");
	check_reject("1.2.3.0/24-1.2.4.0", "cannot mix a prefix length and a range");
	check_reject("1.2.3.0-1.2.4.0/24", "cannot mix a prefix length and a range");
	check_reject("199.89.1.0/21", "host bits set (did you mean 199.89.0.0/21?)");
	check_reject("10.0.0.1/8", "host bits set (did you mean 10.0.0.0/8?)");
	check_reject("1.2.3.4/0", "host bits set (did you mean 0.0.0.0/0?)");
	check_reject("255.255.255.255/31",
	       "host bits set (did you mean 255.255.255.254/31?)");
	check_reject("192.0.2.128/24", "host bits set (did you mean 192.0.2.0/24?)");
}

static void test_parse6(void)
{
	check_accept("2001:db8::/32", MX_ENTRY_PREFIX, "2001:db8::", 32, NULL);
	check_accept("2001:db8::1", MX_ENTRY_ADDR, "2001:db8::1", 0, NULL);
	check_accept("2001:db8::1-2001:db8::ff", MX_ENTRY_RANGE, "2001:db8::1",
		     0, "2001:db8::ff");
	check_accept("::/0", MX_ENTRY_PREFIX, "::", 0, NULL);
	check_accept("::", MX_ENTRY_ADDR, "::", 0, NULL);
	check_accept("::1/128", MX_ENTRY_PREFIX, "::1", 128, NULL);
	check_accept("fe80::/10", MX_ENTRY_PREFIX, "fe80::", 10, NULL);
	check_accept("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
		     MX_ENTRY_PREFIX, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		     128, NULL);
	check_accept("2001:db8::1-2001:db8::1", MX_ENTRY_RANGE, "2001:db8::1",
		     0, "2001:db8::1");
	/* Wider than ::ffff:0:0/96: IPv6, the kernel leaves that block out. */
	check_accept("::/64", MX_ENTRY_PREFIX, "::", 64, NULL);
	check_accept("::-::1:0:0:0", MX_ENTRY_RANGE, "::", 0, "::1:0:0:0");
	/* IPv4-compatible (::/96) is not mapped: it stays IPv6. */
	check_accept("::1.2.3.4", MX_ENTRY_ADDR, "::1.2.3.4", 0, NULL);
	/* Any spelling inet_pton() takes, written back as inet_ntop() does. */
	parsed_as("2001:DB8::/32", MX_ENTRY_PREFIX, "2001:db8::", 32, NULL,
		  "2001:db8::/32");
	parsed_as("2001:0db8:0000:0000:0000:0000:0000:0001", MX_ENTRY_ADDR,
		  "2001:db8::1", 0, NULL, "2001:db8::1");

	check_reject("2001:db8::1/32",
		     "host bits set (did you mean 2001:db8::/32?)");
	check_reject("2001:db8:1::/32",
		     "host bits set (did you mean 2001:db8::/32?)");
	check_reject("::1/0", "host bits set (did you mean ::/0?)");
	check_reject("2001:db8::/129",
		     "prefix length '129' is out of range 0..128");
	check_reject("2001:db8::/1000",
		     "prefix length '1000' is out of range 0..128");
	check_reject("2001:db8::/032", "prefix length '032' has a leading zero");
	check_reject("::/-1", "prefix length '-1' is not a decimal number");
	check_reject("2001:db8:::1", "not an IPv6 address");
	check_reject("1::2::3", "'::' may appear only once");
	check_reject("2001:db8::12345", "a group has more than 4 hex digits");
	check_reject("fe80::1%eth0",
		     "a zone index ('%...') has no place in an allowlist");
	check_reject("2001:db8::g", "not an IPv6 address");
	check_reject("[2001:db8::1]", "not an IPv6 address");
	check_reject("1:2:3:4:5:6:7:8:9", "not an IPv6 address");
	check_reject("1.2.3.4:25", "not an IPv6 address");
	check_reject("::ffff:010.1.1.1", "not an IPv6 address");
	check_reject("2001:db8::ff-2001:db8::1",
		     "range end 2001:db8::1 is below its start 2001:db8::ff");
	check_reject("1.2.3.4-2001:db8::1", "a range cannot mix IPv4 and IPv6");
	check_reject("2001:db8::1-1.2.3.4", "a range cannot mix IPv4 and IPv6");
	check_reject("2001:db8::/32-2001:db8::ff",
		     "cannot mix a prefix length and a range");
	check_reject("2001:db8::-2001:db8::ff/120",
		     "cannot mix a prefix length and a range");
	check_reject("2001:db8::1-", "range end: missing address");
	check_reject("-2001:db8::1", "range start: missing address");
	check_reject("2001:db8::1-2001:db8::x", "range end: not an IPv6 address");
	check_reject("2001:db8::x-2001:db8::1",
		     "range start: not an IPv6 address");
}

/* IPv4-mapped IPv6 is taken as the IPv4 entry it maps. */
static void test_mapped(void)
{
	parsed_as("::ffff:192.0.2.1", MX_ENTRY_ADDR, "192.0.2.1", 0, NULL,
		  "192.0.2.1");
	parsed_as("::ffff:c000:201", MX_ENTRY_ADDR, "192.0.2.1", 0, NULL,
		  "192.0.2.1");
	parsed_as("::FFFF:192.0.2.1", MX_ENTRY_ADDR, "192.0.2.1", 0, NULL,
		  "192.0.2.1");
	parsed_as("::ffff:1.2.3.0/120", MX_ENTRY_PREFIX, "1.2.3.0", 24, NULL,
		  "1.2.3.0/24");
	parsed_as("::ffff:1.2.3.4/128", MX_ENTRY_PREFIX, "1.2.3.4", 32, NULL,
		  "1.2.3.4/32");
	parsed_as("::ffff:0:0/96", MX_ENTRY_PREFIX, "0.0.0.0", 0, NULL,
		  "0.0.0.0/0");
	parsed_as("::ffff:128.0.0.0/97", MX_ENTRY_PREFIX, "128.0.0.0", 1, NULL,
		  "128.0.0.0/1");
	parsed_as("::ffff:1.2.3.4-::ffff:1.2.3.9", MX_ENTRY_RANGE, "1.2.3.4", 0,
		  "1.2.3.9", "1.2.3.4-1.2.3.9");

	check_reject("::ffff:1.2.3.4/120",
		     "host bits set (did you mean ::ffff:1.2.3.0/120?)");
	check_reject("::ffff:0:0/95",
		     "host bits set (did you mean ::fffe:0:0/95?)");
	check_reject("::ffff:1.2.3.4-::1:0:0:0",
		     "range is partly IPv4-mapped (::ffff:0:0/96): give that part as IPv4");
	check_reject("::fffe:ffff:ffff-::ffff:1.2.3.4",
		     "range is partly IPv4-mapped (::ffff:0:0/96): give that part as IPv4");
	check_reject("::ffff:1.2.3.4-1.2.3.9", "a range cannot mix IPv4 and IPv6");
	check_reject("::ffff:1.2.3.9-::ffff:1.2.3.4",
		     "range end ::ffff:1.2.3.4 is below its start ::ffff:1.2.3.9");
}

/* mx_addr_parse(), for `test`: one address; mapped stays IPv6. */
static void addr_ok(const char *text, const char *want)
{
	unsigned char a[MX_ADDR_MAX], got[MX_ADDR_MAX];
	char why[MX_ENTRY_WHY_MAX];
	int family, want_family;

	want_family = ip(want, a);
	result(!mx_addr_parse(text, &family, got, why, sizeof(why)) &&
	       family == want_family &&
	       !memcmp(got, a, mx_addr_len(family)),
	       "test address '%s' is %s", text, want);
}

static void addr_bad(const char *text, const char *reason)
{
	unsigned char a[MX_ADDR_MAX];
	char why[MX_ENTRY_WHY_MAX] = "";
	int family;

	if (!mx_addr_parse(text, &family, a, why, sizeof(why)))
		diag("accepted");
	else if (strcmp(why, reason))
		diag("reason '%s'", why);
	result(!strcmp(why, reason), "test address '%s': %s", text, reason);
}

static void test_addr(void)
{
	addr_ok("192.0.2.1", "192.0.2.1");
	addr_ok("2001:db8::1", "2001:db8::1");
	addr_ok("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	addr_ok("::", "::");
	addr_bad("192.0.2.0/24", "want a single address, not a prefix or range");
	addr_bad("1.2.3.4-1.2.3.5",
		 "want a single address, not a prefix or range");
	addr_bad("2001:db8::/32", "want a single address, not a prefix or range");
	addr_bad("", "empty address");
	addr_bad("1.2.3", "want 4 octets a.b.c.d, got 3");
	addr_bad("01.2.3.4", "octet '01' has a leading zero (octal or decimal?)");
	addr_bad("2001:db8::g", "not an IPv6 address");
}

static void test_bounds(void)
{
	bounds("10.0.0.0/8", "10.0.0.0", "10.255.255.255");
	bounds("199.89.0.0/21", "199.89.0.0", "199.89.7.255");
	bounds("0.0.0.0/0", "0.0.0.0", "255.255.255.255");
	bounds("192.0.2.1", "192.0.2.1", "192.0.2.1");
	bounds("192.0.2.7-192.0.2.9", "192.0.2.7", "192.0.2.9");
	bounds("2001:db8::/32", "2001:db8::",
	       "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	bounds("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	bounds("2001:db8::/127", "2001:db8::", "2001:db8::1");
	bounds("2001:db8::/121", "2001:db8::", "2001:db8::7f");
	bounds("2001:db8::5-2001:db8::9", "2001:db8::5", "2001:db8::9");
	bounds("2001:db8::1", "2001:db8::1", "2001:db8::1");
	bounds("::ffff:1.2.3.0/120", "1.2.3.0", "1.2.3.255");
}

static void test_interval(void)
{
	unsigned char a[16] = { 10 }, b[16] = { 10, 255, 255, 255 };
	char buf[MX_ENTRY_TEXT_MAX];

	interval("10.0.0.0", "10.255.255.255", "10.0.0.0/8");
	interval("199.89.0.0", "199.89.7.255", "199.89.0.0/21");
	interval("10.0.0.0", "10.0.1.255", "10.0.0.0/23");
	interval("1.2.3.4", "1.2.3.4", "1.2.3.4/32");
	interval("0.0.0.0", "0.0.0.0", "0.0.0.0/32");
	interval("255.255.255.255", "255.255.255.255", "255.255.255.255/32");
	interval("0.0.0.0", "255.255.255.255", "0.0.0.0/0");
	interval("0.0.0.0", "127.255.255.255", "0.0.0.0/1");
	interval("128.0.0.0", "255.255.255.255", "128.0.0.0/1");
	interval("254.0.0.0", "255.255.255.255", "254.0.0.0/7");
	interval("255.255.255.254", "255.255.255.255", "255.255.255.254/31");
	interval("10.0.0.0", "10.0.0.2", "10.0.0.0-10.0.0.2");
	interval("10.0.0.1", "10.0.0.2", "10.0.0.1-10.0.0.2");
	interval("10.0.0.0", "10.0.2.255", "10.0.0.0-10.0.2.255");
	interval("0.0.0.1", "255.255.255.255", "0.0.0.1-255.255.255.255");
	interval("0.0.0.0", "255.255.255.254", "0.0.0.0-255.255.255.254");
	interval("9.255.255.255", "10.0.0.0", "9.255.255.255-10.0.0.0");

	result(mx_interval_format(AF_INET, a, b, buf, 10) == -1,
	       "interval: a too small buffer is an error");
	result(mx_interval_format(AF_UNSPEC, a, b, buf, sizeof(buf)) == -1,
	       "interval: an unknown family is an error");

	interval("2001:db8::", "2001:db8::ffff", "2001:db8::/112");
	interval("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
		 "2001:db8::/32");
	interval("2001:db8::1", "2001:db8::1", "2001:db8::1/128");
	interval("::", "::", "::/128");
	interval("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0");
	interval("8000::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "8000::/1");
	interval("fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		 "fe80::/10");
	interval("2001:db8::1", "2001:db8::ff", "2001:db8::1-2001:db8::ff");
	interval("2001:db8::", "2001:db8::fe", "2001:db8::-2001:db8::fe");
	/* ::/0 as the kernel dumps it: the mapped block left out. */
	interval("::", "::fffe:ffff:ffff", "::-::fffe:ffff:ffff");
	interval("::1:0:0:0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		 "::1:0:0:0-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	interval("::1.2.3.4", "::1.2.3.4", "::1.2.3.4/128");
	/* The longest text there is fits MX_ENTRY_TEXT_MAX. */
	interval("1111:2222:3333:4444:5555:6666:7777:8888",
		 "9999:aaaa:bbbb:cccc:dddd:eeee:ffff:ffff",
		 "1111:2222:3333:4444:5555:6666:7777:8888-9999:aaaa:bbbb:cccc:dddd:eeee:ffff:ffff");
}

/* A list line, with or without its hits comment. */
static void line(const char *first, const char *last, const uint64_t *hits,
		 size_t size, const char *want)
{
	unsigned char f[MX_ADDR_MAX], l[MX_ADDR_MAX];
	char buf[MX_LINE_TEXT_MAX] = "";
	int family, ret;

	family = ip(first, f);
	ip(last, l);
	ret = mx_interval_line(family, f, l, hits, buf, size);
	if (want) {
		if (ret || strcmp(buf, want))
			diag("got %d '%s'", ret, buf);
		result(!ret && !strcmp(buf, want), "line %s..%s is '%s'",
		       first, last, want);
	} else {
		result(ret == -1, "line %s..%s does not fit %zu bytes",
		       first, last, size);
	}
}

static void test_line(void)
{
	uint64_t zero = 0, n = 42, max = UINT64_MAX;

	line("199.89.0.0", "199.89.7.255", &n, MX_LINE_TEXT_MAX,
	     "199.89.0.0/21 # hits 42");
	line("199.89.0.0", "199.89.7.255", NULL, MX_LINE_TEXT_MAX,
	     "199.89.0.0/21");
	line("10.0.0.1", "10.0.0.2", &zero, MX_LINE_TEXT_MAX,
	     "10.0.0.1-10.0.0.2 # hits 0");
	line("2001:db8::", "2001:db8::ffff", &max, MX_LINE_TEXT_MAX,
	     "2001:db8::/112 # hits 18446744073709551615");
	line("1111:2222:3333:4444:5555:6666:7777:8888",
	     "9999:aaaa:bbbb:cccc:dddd:eeee:ffff:ffff", &max, MX_LINE_TEXT_MAX,
	     "1111:2222:3333:4444:5555:6666:7777:8888-9999:aaaa:bbbb:cccc:dddd:eeee:ffff:ffff # hits 18446744073709551615");
	/* Room for the interval but not its comment is still too small. */
	line("10.0.0.0", "10.255.255.255", &n, sizeof("10.0.0.0/8 # hits"),
	     NULL);
	line("10.0.0.0", "10.255.255.255", &n, sizeof("10.0.0.0/8 # hits 42"),
	     "10.0.0.0/8 # hits 42");
}

/*
 * `mxlockctl list` output is `replace -f` input: the lines read back as
 * the same intervals, which print as the same lines.
 */
static void test_round_trip(void)
{
	static const struct {
		const char *first, *last;
		bool has_hits;
		uint64_t hits;
	} iv[] = {
		{ "0.0.0.0", "0.0.0.0", true, 0 },
		{ "10.0.0.0", "10.255.255.255", true, 7 },
		{ "192.0.2.1", "192.0.2.9", true, 18446744073709551615ULL },
		{ "198.51.100.0", "198.51.100.255", false, 0 },
		{ "255.255.255.255", "255.255.255.255", true, 1 },
		{ "::", "::fffe:ffff:ffff", true, 3 },
		{ "::1:0:0:0", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", true, 0 },
		{ "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true,
		  42 },
		{ "2001:db9::1", "2001:db9::ff", false, 0 },
		{ "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true, 5 },
	};
	static const char want[] =
		"0.0.0.0/32 # hits 0\n"
		"10.0.0.0/8 # hits 7\n"
		"192.0.2.1-192.0.2.9 # hits 18446744073709551615\n"
		"198.51.100.0/24\n"
		"255.255.255.255/32 # hits 1\n"
		"::-::fffe:ffff:ffff # hits 3\n"
		"::1:0:0:0-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff # hits 0\n"
		"2001:db8::/32 # hits 42\n"
		"2001:db9::1-2001:db9::ff\n"
		"fe80::/10 # hits 5\n";
	const size_t n = sizeof(iv) / sizeof(iv[0]);
	unsigned char f[MX_ADDR_MAX], l[MX_ADDR_MAX];
	unsigned char gf[MX_ADDR_MAX], gl[MX_ADDR_MAX];
	char buf[MX_LINE_TEXT_MAX], *text = NULL, *again = NULL;
	struct mx_entry_list list = { 0 };
	size_t i, len, same = 0;
	FILE *out1, *out2, *in;
	int family, bad;

	out1 = open_memstream(&text, &len);
	for (i = 0; i < n; i++) {
		family = ip(iv[i].first, f);
		ip(iv[i].last, l);
		if (mx_interval_line(family, f, l,
				     iv[i].has_hits ? &iv[i].hits : NULL,
				     buf, sizeof(buf)))
			strcpy(buf, "(error)");
		fprintf(out1, "%s\n", buf);
	}
	fclose(out1);
	result(!strcmp(text, want), "round trip: list prints as expected");
	if (strcmp(text, want))
		diag("got:\n%s", text);

	in = fmemopen(text, strlen(text), "r");
	bad = mx_entry_list_read(&list, in, "list.txt", stderr);
	fclose(in);
	result(bad == 0 && list.n == n,
	       "round trip: %zu lines read back, none bad", n);

	out2 = open_memstream(&again, &len);
	for (i = 0; i < list.n && i < n; i++) {
		family = ip(iv[i].first, f);
		ip(iv[i].last, l);
		mx_entry_bounds(&list.v[i], gf, gl);
		if (list.v[i].family == family &&
		    !memcmp(gf, f, mx_addr_len(family)) &&
		    !memcmp(gl, l, mx_addr_len(family)))
			same++;
		else
			diag("line %zu reads back as another interval", i + 1);
		if (mx_interval_line(list.v[i].family, gf, gl,
				     iv[i].has_hits ? &iv[i].hits : NULL,
				     buf, sizeof(buf)))
			strcpy(buf, "(error)");
		fprintf(out2, "%s\n", buf);
	}
	fclose(out2);
	result(same == n, "round trip: every line is the interval it came from");
	result(!strcmp(again, text), "round trip: it prints the same again");

	free(text);
	free(again);
	mx_entry_list_free(&list);
}

/* ---- ports ---- */

/* argv (NULL-terminated) must parse as want, or fail with reason. */
static void ports(char **argv, const char *want, const char *reason)
{
	char why[MX_PORTS_WHY_MAX] = "";
	char desc[128] = "";
	uint16_t p[16];
	int argc, n, ok;

	for (argc = 0; argv[argc]; argc++)
		snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc),
			 "%s'%s'", argc ? " " : "", argv[argc]);
	n = mx_ports_parse(argc, argv, p, 16, why, sizeof(why));
	if (want) {
		char text[MX_PORTS_TEXT_MAX] = "";

		ok = n > 0 && !mx_ports_format(p, n, text, sizeof(text)) &&
		     !strcmp(text, want);
		if (!ok)
			diag("got %d '%s' (%s)", n, text, why);
		result(ok, "ports %s are %s", desc, want);
	} else {
		ok = n == -1 && reason && !strcmp(why, reason);
		if (!ok)
			diag("got %d, reason '%s'", n, why);
		result(ok, "ports %s: %s", desc, reason);
	}
}

#define PORTS_OK(want, ...) ports((char *[]){ __VA_ARGS__, NULL }, want, NULL)
#define PORTS_BAD(reason, ...) \
	ports((char *[]){ __VA_ARGS__, NULL }, NULL, reason)

static void test_ports(void)
{
	uint16_t p[16];
	char text[MX_PORTS_TEXT_MAX], why[MX_PORTS_WHY_MAX] = "";
	unsigned int i;

	PORTS_OK("25", "25");
	PORTS_OK("25,465,587", "25,465,587");
	PORTS_OK("25,465,587", "25", "465", "587");
	PORTS_OK("25,465,587", "25,465", "587");
	PORTS_OK("587,25", "587,25");
	PORTS_OK("1,65535", "1", "65535");
	PORTS_OK("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
		 "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16");
	PORTS_BAD("too many ports: at most 16 can be guarded",
		  "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17");
	PORTS_BAD("too many ports: at most 16 can be guarded",
		  "1,2,3,4,5,6,7,8", "9,10,11,12,13,14,15,16", "17");
	PORTS_BAD("port '0' is out of range 1..65535", "0");
	PORTS_BAD("port '65536' is out of range 1..65535", "65536");
	PORTS_BAD("port '100000' is out of range 1..65535", "100000");
	PORTS_BAD("port '9999999999999999' is out of range 1..65535",
		  "99999999999999999999999");
	PORTS_BAD("port '025' has a leading zero", "025");
	PORTS_BAD("port '00' has a leading zero", "00");
	PORTS_BAD("port '25x' is not a decimal number", "25x");
	PORTS_BAD("port '+25' is not a decimal number", "+25");
	PORTS_BAD("port '-1' is not a decimal number", "-1");
	PORTS_BAD("port ' 25' is not a decimal number", " 25");
	PORTS_BAD("port '0x19' is not a decimal number", "0x19");
	PORTS_BAD("port '25 465' is not a decimal number", "25 465");
	PORTS_BAD("empty port (stray comma?)", "25,,465");
	PORTS_BAD("empty port (stray comma?)", "25,");
	PORTS_BAD("empty port (stray comma?)", ",25");
	PORTS_BAD("empty port (stray comma?)", "");
	PORTS_BAD("empty port (stray comma?)", "25", "");
	PORTS_BAD("port 25 is listed twice", "25,465,25");
	PORTS_BAD("port 25 is listed twice", "25", "25");
	/* A bad port is reported even after a duplicate-free prefix. */
	PORTS_BAD("port '70000' is out of range 1..65535", "25,465", "70000");

	result(mx_ports_parse(0, NULL, p, 16, why, sizeof(why)) == -1 &&
	       !strcmp(why, "no port given"), "ports: none given is an error");

	for (i = 0; i < 16; i++)
		p[i] = 65535 - i;
	result(!mx_ports_format(p, 16, text, sizeof(text)) &&
	       strlen(text) == 16 * 6 - 1,
	       "ports: 16 five-digit ports fit MX_PORTS_TEXT_MAX");
	result(mx_ports_format(p, 2, text, sizeof("65535,6553")) == -1,
	       "ports: a too small buffer is an error");
	result(!mx_ports_format(p, 0, text, sizeof(text)) && !text[0],
	       "ports: none formats as nothing");
}

/* ---- JSON ---- */

static void escape(const char *in, const char *want, const char *desc)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	mx_json_string(f, in);
	fclose(f);
	if (strcmp(buf, want))
		diag("got %s", buf);
	result(!strcmp(buf, want), "json: %s", desc);
	free(buf);
}

static void test_json(void)
{
	static const char want[] =
		"{\"entry\":\"10.0.0.0/8\",\"ports\":[25,465],"
		"\"armed\":true,\"log\":false,\"empty\":{},"
		"\"list\":[{\"hits\":18446744073709551615},{}]}\n"
		"[]\n";
	struct mx_json j;
	char *buf = NULL;
	size_t len;
	FILE *f;

	escape("", "\"\"", "the empty string");
	escape("199.89.0.0/21", "\"199.89.0.0/21\"", "'/' is left alone");
	escape("a\"b", "\"a\\\"b\"", "a quote is escaped");
	escape("a\\b", "\"a\\\\b\"", "a backslash is escaped");
	escape("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"",
	       "the short escapes");
	escape("\x01\x1b\x1f\x7f", "\"\\u0001\\u001b\\u001f\\u007f\"",
	       "other controls and DEL as \\u00XX");
	escape(" ~", "\" ~\"", "printable ASCII as is");
	escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
	       "well-formed UTF-8 as is");
	escape("\xff", "\"\\ufffd\"", "a byte that starts nothing is U+FFFD");
	escape("a\xc3", "\"a\\ufffd\"", "a sequence cut by the end is U+FFFD");
	escape("\xc3(", "\"\\ufffd(\"", "a sequence cut short is U+FFFD");
	escape("\xc0\xaf", "\"\\ufffd\\ufffd\"", "an overlong '/' is refused");
	escape("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"",
	       "an overlong 3-byte form is refused");
	escape("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"",
	       "a surrogate is refused");
	escape("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
	       "past U+10FFFF is refused");

	f = open_memstream(&buf, &len);
	mx_json_init(&j, f);
	mx_json_obj_open(&j);
	mx_json_kstr(&j, "entry", "10.0.0.0/8");
	mx_json_key(&j, "ports");
	mx_json_arr_open(&j);
	mx_json_u64(&j, 25);
	mx_json_u64(&j, 465);
	mx_json_arr_close(&j);
	mx_json_kbool(&j, "armed", true);
	mx_json_kbool(&j, "log", false);
	mx_json_key(&j, "empty");
	mx_json_obj_open(&j);
	mx_json_obj_close(&j);
	mx_json_key(&j, "list");
	mx_json_arr_open(&j);
	mx_json_obj_open(&j);
	mx_json_ku64(&j, "hits", UINT64_MAX);
	mx_json_obj_close(&j);
	mx_json_obj_open(&j);
	mx_json_obj_close(&j);
	mx_json_arr_close(&j);
	mx_json_obj_close(&j);
	mx_json_end(&j);
	mx_json_arr_open(&j);
	mx_json_arr_close(&j);
	mx_json_end(&j);
	fclose(f);
	result(!strcmp(buf, want), "json: commas, nesting, one document a line");
	if (strcmp(buf, want))
		diag("got %s", buf);
	free(buf);
}

static void test_files(void)
{
	static const char nul[] = "192.0.2.1\n1.2.3.4\0junk\n10.0.0.0/8\n";

	FILE_STR("comments, blanks, CRLF",
		 "# allowlist\r\n"
		 "\r\n"
		 "10.0.0.0/8\r\n"
		 "   192.0.2.1   # a host\n"
		 "\t198.51.100.0-198.51.100.9\t\n"
		 "\n"
		 "   # an indented comment\n"
		 "203.0.113.0/24#no space\n"
		 "  \t \r\n"
		 "1.2.3.4",
		 "good.txt", 0, "",
		 "good.txt:3 10.0.0.0/8\n"
		 "good.txt:4 192.0.2.1\n"
		 "good.txt:5 198.51.100.0-198.51.100.9\n"
		 "good.txt:8 203.0.113.0/24\n"
		 "good.txt:10 1.2.3.4\n");

	FILE_STR("several bad lines",
		 "10.0.0.0/8\n"
		 "10.0.0.1/8\n"
		 "# fine\n"
		 "300.1.1.1\n"
		 "1.2.3.4/33 # too long\n"
		 "192.0.2.0/24\r\n"
		 "10.0.0.0 10.1.0.0\n"
		 "2001:db8::1/64\r\n",
		 "list.txt", 5,
		 "list.txt:2: '10.0.0.1/8': host bits set (did you mean 10.0.0.0/8?)\n"
		 "list.txt:4: '300.1.1.1': octet '300' is above 255\n"
		 "list.txt:5: '1.2.3.4/33': prefix length '33' is out of range 0..32\n"
		 "list.txt:7: '10.0.0.0 10.1.0.0': not a dotted-quad IPv4 address\n"
		 "list.txt:8: '2001:db8::1/64': host bits set (did you mean 2001:db8::/64?)\n",
		 "list.txt:1 10.0.0.0/8\n"
		 "list.txt:6 192.0.2.0/24\n");

	FILE_STR("IPv6, mapped, and list output with hits comments",
		 "2001:db8::/32 # hits 42\n"
		 "::ffff:192.0.2.0/120\n"
		 "2001:db8:1::1-2001:db8:1::ff # hits 0\r\n"
		 "fe80::1%eth0\n"
		 "::ffff:1.2.3.4\n",
		 "v6.txt", 1,
		 "v6.txt:4: 'fe80::1%eth0': a zone index ('%...') has no place in an allowlist\n",
		 "v6.txt:1 2001:db8::/32\n"
		 "v6.txt:2 192.0.2.0/24\n"
		 "v6.txt:3 2001:db8:1::1-2001:db8:1::ff\n"
		 "v6.txt:5 1.2.3.4\n");

	FILE_STR("standard input is named as given",
		 "\n\n1.2.3.4/24\n", "<stdin>", 1,
		 "<stdin>:3: '1.2.3.4/24': host bits set (did you mean 1.2.3.0/24?)\n",
		 "");

	FILE_STR("only comments", "# nothing\n\n   # here\r\n", "empty.txt",
		 0, "", "");

	FILE_STR("an empty file", "", "void.txt", 0, "", "");

	FILE_STR("control characters are escaped",
		 "1.2.3.4\x1b[2J\n", "esc.txt", 1,
		 "esc.txt:1: '1.2.3.4\\x1b[2J': not a dotted-quad IPv4 address\n",
		 "");

	file("a NUL byte", nul, sizeof(nul) - 1, "bin.txt", 1,
	     "bin.txt:2: '1.2.3.4\\x00junk': line contains a NUL byte (not a text file?)\n",
	     "bin.txt:1 192.0.2.1\n"
	     "bin.txt:3 10.0.0.0/8\n");
}

static void test_args(void)
{
	struct mx_entry_list l = { 0 };
	char text[200], want[256];
	unsigned int i;
	int ok = 1;

	arg("192.0.2.0/24", 1, 0, "");
	arg("1.2.3.4/40", 2, 1,
	    "<args>:2: '1.2.3.4/40': prefix length '40' is out of range 0..32\n");
	arg("", 3, 1, "<args>:3: '': empty entry\n");

	/* A long bad line is echoed cut short, not in full. */
	memset(text, '7', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	snprintf(want, sizeof(want),
		 "<args>:4: '%.120s...': want 4 octets a.b.c.d, got 1\n",
		 text);
	arg(text, 4, 1, want);

	/* The list grows past its first allocation and keeps order. */
	for (i = 0; i < 5000 && ok; i++) {
		snprintf(text, sizeof(text), "10.%u.%u.0/24", i / 256, i % 256);
		ok = mx_entry_list_add_text(&l, text, "<args>", i + 1,
					    stderr) == 0;
	}
	ok = ok && l.n == 5000 && l.v[4999].line == 5000 &&
	     l.v[4999].addr[1] == 4999 / 256 && l.v[4999].addr[2] == 4999 % 256;
	result(ok, "a list of 5000 entries keeps them in order");
	mx_entry_list_free(&l);
	result(!l.v && !l.n, "a freed list is empty");
}

int main(void)
{
	char *buf = NULL;
	size_t len;

	out = open_memstream(&buf, &len);
	if (!out) {
		perror("test_entry");
		return 1;
	}
	test_parse();
	test_parse6();
	test_mapped();
	test_addr();
	test_bounds();
	test_interval();
	test_line();
	test_round_trip();
	test_files();
	test_args();
	test_ports();
	test_json();
	diag("entry: pass:%d fail:%d", tests - failed, failed);
	fclose(out);

	printf("KTAP version 1\n1..%d\n%s", tests, buf);
	free(buf);
	return failed ? 1 : 0;
}
