// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of ctl/ival.c: a list of entries as the kernel would
 * hold it (merged, ordered, the IPv4-mapped block cut out of IPv6), and
 * the comparisons sync's preview and guard rest on.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "ival.h"
#include "ktap.h"

/* The entries of a space-separated text, as intervals, as text again. */
static const char *merged(const char *text, struct mx_ival_list *out)
{
	static char buf[1024];
	struct mx_entry_list l = { 0 };
	char copy[512], *t, *save;
	size_t i;

	snprintf(copy, sizeof(copy), "%s", text);
	for (t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		if (mx_entry_list_add_text(&l, t, "<test>", 1, stderr))
			return "bad entry";
	if (mx_ival_from_entries(&l, out))
		return "ENOMEM";
	mx_entry_list_free(&l);
	buf[0] = 0;
	for (i = 0; i < out->n; i++) {
		char word[MX_ENTRY_TEXT_MAX];

		mx_interval_format(out->v[i].family, out->v[i].first,
				   out->v[i].last, word, sizeof(word));
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
			 i ? " " : "", word);
	}
	return buf;
}

static void expect_merged(const char *in, const char *want)
{
	struct mx_ival_list l = { 0 };
	const char *got = merged(in, &l);

	ok(!strcmp(got, want), "merge '%s' -> '%s' (got '%s')", in, want, got);
	mx_ival_free(&l);
}

static struct mx_ival one(const char *text)
{
	struct mx_ival_list l = { 0 };
	struct mx_ival iv = { 0 };

	merged(text, &l);
	if (l.n)
		iv = l.v[0];
	mx_ival_free(&l);
	return iv;
}

int main(void)
{
	struct mx_ival_list s = { 0 }, t = { 0 };
	struct mx_ival iv;
	unsigned char a[16];

	printf("KTAP version 1\n1..20\n");

	expect_merged("10.0.0.0/25 10.0.0.128/25", "10.0.0.0/24");
	expect_merged("10.0.1.0/24 10.0.0.0/24", "10.0.0.0/23");
	expect_merged("10.0.0.0/24 10.0.0.5", "10.0.0.0/24");
	expect_merged("10.0.0.0/24 10.0.2.0/24", "10.0.0.0/24 10.0.2.0/24");
	expect_merged("255.255.255.255 255.255.255.0/24 0.0.0.0",
		      "0.0.0.0/32 255.255.255.0/24");
	expect_merged("2001:db8::/33 2001:db8:8000::/33 10.0.0.1",
		      "10.0.0.1/32 2001:db8::/32");
	/* The kernel leaves ::ffff:0:0/96 out of a wider IPv6 entry. */
	expect_merged("::/64",
		      "::-::fffe:ffff:ffff ::1:0:0:0-::ffff:ffff:ffff:ffff");
	expect_merged("::ffff:10.0.0.0/120", "10.0.0.0/24");

	merged("10.0.0.0/24 10.0.2.0/24 2001:db8::/32", &s);
	iv = one("10.0.0.0/25");
	ok(mx_ival_covered(&s, &iv) == 2, "10.0.0.0/25 wholly covered");
	iv = one("10.0.0.0/23");
	ok(mx_ival_covered(&s, &iv) == 1, "10.0.0.0/23 partly covered");
	iv = one("10.0.1.0/24");
	ok(mx_ival_covered(&s, &iv) == 0, "10.0.1.0/24 not covered");
	iv = one("2001:db8:1::/48");
	ok(mx_ival_covered(&s, &iv) == 2, "2001:db8:1::/48 covered");
	iv = one("2001:db9::/48");
	ok(mx_ival_covered(&s, &iv) == 0, "2001:db9::/48 not covered");
	inet_pton(AF_INET, "10.0.2.255", a);
	ok(mx_ival_has_addr(&s, AF_INET, a), "10.0.2.255 is held");
	inet_pton(AF_INET, "10.0.3.0", a);
	ok(!mx_ival_has_addr(&s, AF_INET, a), "10.0.3.0 is not");

	ok(mx_ival_total(&s, AF_INET) == 512, "512 IPv4 addresses");
	merged("10.0.0.128/25 10.0.2.0/24 10.9.0.0/16", &t);
	ok(mx_ival_uncovered(&s, &t, AF_INET) == 128,
	   "128 of them not held by the other (%.0f)",
	   mx_ival_uncovered(&s, &t, AF_INET));
	ok(mx_ival_uncovered(&s, &t, AF_INET6) == mx_ival_total(&s, AF_INET6),
	   "no IPv6 address held by the other");
	iv = one("2001:db8::/64");
	ok(mx_ival_size(&iv) == 18446744073709551616.0, "a /64 is 2^64");
	mx_ival_free(&t);
	merged("10.0.0.0/24 10.0.2.0/24 2001:db8::/32", &t);
	ok(s.n == t.n && mx_ival_same(&s.v[2], &t.v[2]) &&
	   !mx_ival_cmp(&s.v[0], &t.v[0]), "the same lists compare equal");
	mx_ival_free(&s);
	mx_ival_free(&t);
	return ktap_done("test_ival");
}
