// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of ctl/spf.c's record splitting (spf_terms): what each
 * SPF term is taken for before any DNS is asked. The lookups themselves
 * are tested in the VM against a real DNS server (tests/sync.sh).
 */
#include <stdio.h>
#include <string.h>

#include "spf.h"
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

int main(void)
{
	printf("KTAP version 1\n1..10\n");
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
	return ktap_done("test_spf");
}
