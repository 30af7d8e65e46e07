// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of ctl/entry.c: entry parsing, file parsing and the
 * interval formatter behind `mxlockctl list`. Prints KTAP; exits 0 if
 * every check passed, else 1.
 *
 * Results are buffered so that the plan line ("1..N") can come first
 * without keeping a hand-counted total in sync.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "entry.h"

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

static void v4(const char *s, unsigned char *a)
{
	if (inet_pton(AF_INET, s, a) != 1) {
		fprintf(stderr, "test bug: bad address '%s'\n", s);
		exit(1);
	}
}

/*
 * text must parse as kind; addr, and prefixlen or end as given; and
 * format back to itself.
 */
static void check_accept(const char *text, enum mx_entry_kind kind,
		   const char *addr, unsigned int prefixlen, const char *end)
{
	char why[MX_ENTRY_WHY_MAX], back[MX_ENTRY_TEXT_MAX];
	unsigned char a[4], b[4] = { 0 };
	struct mx_entry e;
	int ok = 1;

	v4(addr, a);
	if (end)
		v4(end, b);
	if (mx_entry_parse(text, &e, why, sizeof(why))) {
		diag("refused: %s", why);
		ok = 0;
	} else if (e.family != AF_INET || e.kind != kind ||
		   memcmp(e.addr, a, 4) ||
		   (kind == MX_ENTRY_PREFIX && e.prefixlen != prefixlen) ||
		   (kind == MX_ENTRY_RANGE && memcmp(e.end, b, 4))) {
		diag("parsed wrong: family %d kind %d prefixlen %u",
		     e.family, e.kind, e.prefixlen);
		ok = 0;
	} else if (mx_entry_format(&e, back, sizeof(back)) ||
		   strcmp(back, text)) {
		diag("formats back as '%s'", back);
		ok = 0;
	}
	result(ok, "accept '%s'", text);
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
	unsigned char f[4], l[4], gf[MX_ADDR_MAX], gl[MX_ADDR_MAX];
	char why[MX_ENTRY_WHY_MAX];
	struct mx_entry e;
	int ok;

	v4(first, f);
	v4(last, l);
	ok = !mx_entry_parse(text, &e, why, sizeof(why));
	if (ok) {
		mx_entry_bounds(&e, gf, gl);
		ok = !memcmp(gf, f, 4) && !memcmp(gl, l, 4);
	}
	result(ok, "bounds of '%s' are %s..%s", text, first, last);
}

/*
 * first..last must format as want, and want must parse back to exactly
 * first..last (list output is replace input).
 */
static void interval(const char *first, const char *last, const char *want)
{
	unsigned char f[4], l[4], gf[MX_ADDR_MAX], gl[MX_ADDR_MAX];
	char buf[MX_ENTRY_TEXT_MAX], why[MX_ENTRY_WHY_MAX];
	struct mx_entry e;
	int ok = 1;

	v4(first, f);
	v4(last, l);
	if (mx_interval_format(AF_INET, f, l, buf, sizeof(buf)) ||
	    strcmp(buf, want)) {
		diag("got '%s'", buf);
		ok = 0;
	} else if (mx_entry_parse(buf, &e, why, sizeof(why))) {
		diag("does not parse back: %s", why);
		ok = 0;
	} else {
		mx_entry_bounds(&e, gf, gl);
		if (memcmp(gf, f, 4) || memcmp(gl, l, 4)) {
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
	check_reject("2001:db8::/32", "IPv6 is not supported yet");
	check_reject("::1", "IPv6 is not supported yet");
	check_reject("::ffff:192.0.2.1", "IPv6 is not supported yet");
}

static void test_bounds(void)
{
	bounds("10.0.0.0/8", "10.0.0.0", "10.255.255.255");
	bounds("199.89.0.0/21", "199.89.0.0", "199.89.7.255");
	bounds("0.0.0.0/0", "0.0.0.0", "255.255.255.255");
	bounds("192.0.2.1", "192.0.2.1", "192.0.2.1");
	bounds("192.0.2.7-192.0.2.9", "192.0.2.7", "192.0.2.9");
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

	/* Ready for IPv6: the formatter is family-generic already. */
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	a[0] = b[0] = 0x20;
	a[1] = b[1] = 0x01;
	a[2] = b[2] = 0x0d;
	a[3] = b[3] = 0xb8;
	b[14] = b[15] = 0xff;
	result(!mx_interval_format(AF_INET6, a, b, buf, sizeof(buf)) &&
	       !strcmp(buf, "2001:db8::/112"),
	       "interval: IPv6 2001:db8::..2001:db8::ffff is 2001:db8::/112");
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
		 "2001:db8::1\r\n",
		 "list.txt", 5,
		 "list.txt:2: '10.0.0.1/8': host bits set (did you mean 10.0.0.0/8?)\n"
		 "list.txt:4: '300.1.1.1': octet '300' is above 255\n"
		 "list.txt:5: '1.2.3.4/33': prefix length '33' is out of range 0..32\n"
		 "list.txt:7: '10.0.0.0 10.1.0.0': not a dotted-quad IPv4 address\n"
		 "list.txt:8: '2001:db8::1': IPv6 is not supported yet\n",
		 "list.txt:1 10.0.0.0/8\n"
		 "list.txt:6 192.0.2.0/24\n");

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
	test_bounds();
	test_interval();
	test_files();
	test_args();
	diag("entry: pass:%d fail:%d", tests - failed, failed);
	fclose(out);

	printf("KTAP version 1\n1..%d\n%s", tests, buf);
	free(buf);
	return failed ? 1 : 0;
}
