// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of ctl/spf.c: its record splitting (spf_terms), and
 * spf_resolve() on records that libunbound answers from its own
 * local-data (spf.c is included for its context), so that syntax and
 * limit cases need no DNS server. The real lookups are tested in the VM
 * against a real DNS server (tests/sync.sh).
 */
#include <stdio.h>
#include <string.h>

#include "../../ctl/spf.c"
#include "ktap.h"

/* Each term as "QUAL name SEP value;" */
static int collect(char qual, const char *name, char sep, const char *value,
		   void *data)
{
	char *buf = data;

	snprintf(buf + strlen(buf), 1024 - strlen(buf), "%c%s%c%s;", qual,
		 name, sep ? sep : '.', value ? value : "");
	return 0;
}

static void expect_terms(const char *record, int want_ret, const char *want)
{
	char got[1024] = "";
	int ret = spf_terms(record, collect, got);

	ok(ret == want_ret && !strcmp(got, want), "'%s' -> %d '%s' (got %d '%s')",
	   record, want_ret, want, ret, got);
}

/*
 * Resolve "t.test" with the TXT records zone ("name. TXT \"...\"", NULL
 * ended; everything else under test. is NXDOMAIN). The return, and the
 * entries (as text, ';'-separated) or the reason in out.
 */
static int resolve(const char *const *zone, char *out, size_t outlen,
		   struct spf_report *rep)
{
	/* A forwarder, never asked: resolv.conf need not exist. */
	static const char *const fwd[] = { "127.0.0.1" };
	struct spf_opts o = { .resolvers = fwd, .nresolvers = 1,
			      .timeout_ms = 5000 };
	struct mx_entry_list l = { 0 };
	char why[SPF_WHY_MAX];
	struct spf *s = spf_new(&o, why, sizeof(why));
	int ret;
	size_t i;

	if (!s) {
		snprintf(out, outlen, "spf_new: %s", why);
		return -2;
	}
	ub_ctx_set_option(s->ub, "local-zone:", "test. static");
	for (; *zone; zone++)
		if (ub_ctx_set_option(s->ub, "local-data:", *zone))
			printf("# bad local-data '%s'\n", *zone);
	ret = spf_resolve(s, "t.test", &l, rep, why, sizeof(why));
	out[0] = 0;
	if (ret)
		snprintf(out, outlen, "%s", why);
	for (i = 0; !ret && i < l.n; i++) {
		char text[64];

		mx_entry_format(&l.v[i], text, sizeof(text));
		snprintf(out + strlen(out), outlen - strlen(out), "%s;", text);
	}
	mx_entry_list_free(&l);
	spf_free(s);
	return ret;
}

/* t.test's record is rec: resolving it must fail, naming want in why. */
static void expect_permerror(const char *rec, const char *want)
{
	char txt[600], got[SPF_WHY_MAX + 64];
	const char *zone[] = { txt, "h.test. A 192.0.2.7", NULL };
	struct spf_report rep;
	int ret;

	snprintf(txt, sizeof(txt), "t.test. TXT \"%s\"", rec);
	ret = resolve(zone, got, sizeof(got), &rep);
	ok(ret == -1 && strstr(got, want), "'%s' fails naming '%s' (got %d '%s')",
	   rec, want, ret, got);
}

/* t.test's record is rec: it resolves to exactly the entries want. */
static void expect_entries(const char *rec, const char *want,
			   struct spf_report *rep)
{
	char txt[600], got[SPF_WHY_MAX + 64];
	const char *zone[] = { txt, "h.test. A 192.0.2.7", NULL };
	int ret;

	snprintf(txt, sizeof(txt), "t.test. TXT \"%s\"", rec);
	ret = resolve(zone, got, sizeof(got), rep);
	ok(ret == 0 && !strcmp(got, want), "'%s' -> '%s' (got %d '%s')",
	   rec, want, ret, got);
}

/* Eleven DNS-querying terms, none of them pass: over the limit. */
static void expect_lookup_limit(const char *term)
{
	char rec[400] = "v=spf1";
	int i;

	for (i = 0; i < 11; i++)
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " %s", term);
	strcat(rec, " ip4:192.0.2.1 -all");
	expect_permerror(rec, "more than 10 DNS-querying terms");
}

int main(void)
{
	struct spf_report rep;

	printf("KTAP version 1\n1..38\n");
	expect_terms("v=spf1 ip4:192.0.2.0/24 -all", 0,
		     "+ip4:192.0.2.0/24;-all.;");
	expect_terms("V=SPF1 IP6:2001:DB8::/32  ~ALL", 0,
		     "+ip6:2001:DB8::/32;~all.;");
	expect_terms("v=spf1 a mx/24 a:relay.example/28//64 ?include:x.example", 0,
		     "+a.;+mx//24;+a:relay.example/28//64;?include:x.example;");
	expect_terms("v=spf1 redirect=_spf.example exp=explain.example foo=bar", 0,
		     "+redirect=_spf.example;+exp=explain.example;+foo=bar;");
	expect_terms("v=spf1", 0, "");
	expect_terms("v=spf10 ip4:192.0.2.1", -1, "");
	expect_terms("spf2.0/pra ip4:192.0.2.1", -1, "");
	expect_terms("v=spf1 ptr exists:%{i}.x.example", 0,
		     "+ptr.;+exists:%{i}.x.example;");
	expect_terms("v=spf1 a/24//64", 0, "+a//24//64;");
	expect_terms("v=spf1 +all", 0, "+all.;");

	/* CIDR lengths as RFC 7208 4.6.1 spells them, else a permerror. */
	expect_permerror("v=spf1 ip4:192.0.2.1/4294967296 -all",
			 "'ip4:192.0.2.1/4294967296' in t.test: bad prefix length");
	expect_permerror("v=spf1 ip4:192.0.2.1/-0 -all", "'ip4:192.0.2.1/-0'");
	expect_permerror("v=spf1 ip4:192.0.2.0/+24 -all", "'ip4:192.0.2.0/+24'");
	expect_permerror("v=spf1 ip4:192.0.2.0/024 -all", "'ip4:192.0.2.0/024'");
	expect_permerror("v=spf1 ip4:192.0.2.0/08 -all", "'ip4:192.0.2.0/08'");
	expect_permerror("v=spf1 ip4:192.0.2.0/\t24 -all", "bad prefix length");
	expect_permerror("v=spf1 ip4:192.0.2.0/33 -all", "'ip4:192.0.2.0/33'");
	expect_permerror("v=spf1 ip6:2001:db8::/4294967424 -all",
			 "'ip6:2001:db8::/4294967424'");
	expect_permerror("v=spf1 ip6:2001:db8::/032 -all", "'ip6:2001:db8::/032'");
	expect_permerror("v=spf1 a:h.test/4294967320 -all",
			 "'a:h.test/4294967320': bad IPv4 prefix length");
	expect_permerror("v=spf1 a:h.test/+24 -all", "'a:h.test/+24'");
	expect_permerror("v=spf1 a:h.test/24//-0 -all",
			 "'a:h.test/24//-0': bad IPv6 prefix length");
	expect_permerror("v=spf1 a:h.test//064 -all", "'a:h.test//064'");
	expect_permerror("v=spf1 -a:h.test/08 -all", "'a:h.test/08'");
	expect_entries("v=spf1 -ip4:192.0.2.0/0 -a:h.test/0//0 ip4:192.0.2.9/32 -all",
		       "192.0.2.9/32;", &rep);
	expect_entries("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/128 a:h.test/28 -all",
		       "192.0.2.0/24;2001:db8::/128;192.0.2.0/28;", &rep);

	/* The lookup limit counts terms of every qualifier (4.6.4). */
	expect_lookup_limit("-include:x.test");
	expect_lookup_limit("?a");
	expect_lookup_limit("~mx:h.test");
	expect_lookup_limit("-exists:h.test");

	/* A pass set of a whole family is +all. */
	expect_permerror("v=spf1 ip4:0.0.0.0/0 -all",
			 "t.test: its record admits every IPv4 address");
	expect_permerror("v=spf1 ip4:0.0.0.0/1 ip4:128.0.0.0/1 -all",
			 "every IPv4 address");
	expect_permerror("v=spf1 ip6:::/0 -all", "every IPv6 address");
	expect_permerror("v=spf1 a:h.test/0 -all", "every IPv4 address");
	expect_entries("v=spf1 ip4:0.0.0.0/1 ip6:::/1 -all", "0.0.0.0/1;::/1;",
		       &rep);
	/* An ip6 range in ::ffff:0:0/96 matches no client: left out. */
	expect_entries("v=spf1 ip6:::ffff:0.0.0.0/96 ip4:192.0.2.1 -all",
		       "192.0.2.1/32;", &rep);
	ok(rep.mapped == 1, "the mapped range is counted (got %u)", rep.mapped);
	expect_entries("v=spf1 ip6:::ffff:192.0.2.0/120 -all", "", &rep);
	return ktap_done("test_spf");
}
