// SPDX-License-Identifier: GPL-2.0
/*
 * spf.c: a domain's SPF record (RFC 7208) as allowlist entries, through
 * libunbound (see spf.h). Lookups are asynchronous only so that one
 * deadline bounds them all: libunbound alone may retry an unanswering
 * server for minutes.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unbound.h>

#include "ival.h"
#include "spf.h"

#define T_A	1
#define T_MX	15
#define T_TXT	16
#define T_AAAA	28
#define C_IN	1

#define DOMAIN_MAX	253
#define SPF_TEXT_MAX	4096	/* one record's strings, joined */

struct spf {
	struct ub_ctx *ub;
	bool require_secure;
	unsigned int timeout_ms;

	/* One spf_resolve(). */
	const char *domain;		/* the caller's: tags the entries */
	struct timespec deadline;
	struct spf_report *rep;
	struct mx_entry_list *out;
	char *why;
	size_t whylen;
	const char *stack[SPF_MAX_LOOKUPS + 2];	/* records being read */
	unsigned int depth;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct spf *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, s->whylen, fmt, ap);
	va_end(ap);
	return -1;
}

struct spf *spf_new(const struct spf_opts *o, char *why, size_t whylen)
{
	struct spf *s = calloc(1, sizeof(*s));
	size_t i;
	int err;

	if (!s) {
		mx_why(why, whylen, "%s", strerror(ENOMEM));
		return NULL;
	}
	s->require_secure = o->require_secure;
	s->timeout_ms = o->timeout_ms;
	s->ub = ub_ctx_create();
	if (!s->ub) {
		mx_why(why, whylen, "cannot create a libunbound context");
		goto fail;
	}
	/* Threads, not a forked helper: nothing outlives the command. */
	err = ub_ctx_async(s->ub, 1);
	for (i = 0; !err && i < o->nresolvers; i++) {
		err = ub_ctx_set_fwd(s->ub, o->resolvers[i]);
		if (err) {
			mx_why(why, whylen, "resolver '%s': %s",
			       o->resolvers[i], ub_strerror(err));
			goto fail;
		}
	}
	if (!err && !o->nresolvers) {
		err = ub_ctx_resolvconf(s->ub, NULL);
		if (err) {
			mx_why(why, whylen, "reading /etc/resolv.conf: %s",
			       ub_strerror(err));
			goto fail;
		}
	}
	if (!err && o->trust_anchor) {
		err = ub_ctx_add_ta_file(s->ub, o->trust_anchor);
		if (err) {
			mx_why(why, whylen, "trust anchor '%s': %s",
			       o->trust_anchor, ub_strerror(err));
			goto fail;
		}
	}
	if (err) {
		mx_why(why, whylen, "libunbound: %s", ub_strerror(err));
		goto fail;
	}
	return s;
fail:
	spf_free(s);
	return NULL;
}

void spf_free(struct spf *s)
{
	if (!s)
		return;
	if (s->ub)
		ub_ctx_delete(s->ub);
	free(s);
}

/* ---- DNS ---- */

static const char *type_name(int type)
{
	switch (type) {
	case T_A:	return "A";
	case T_MX:	return "MX";
	case T_TXT:	return "TXT";
	case T_AAAA:	return "AAAA";
	}
	return "?";
}

static const char *rcode_name(int rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED",
	};

	return rcode >= 0 && rcode < 6 ? names[rcode] : "an error rcode";
}

static long ms_left(const struct spf *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (s->deadline.tv_sec - now.tv_sec) * 1000L +
	       (s->deadline.tv_nsec - now.tv_nsec) / 1000000L;
}

struct pending {
	bool done;
	int err;
	struct ub_result *res;
};

static void answered(void *data, int err, struct ub_result *res)
{
	struct pending *p = data;

	p->done = true;
	p->err = err;
	p->res = res;
}

/*
 * Ask for name/type. 1 with *res holding data, 0 for no data (NXDOMAIN
 * or NODATA: a void lookup; *res is NULL), -1 on failure with the reason
 * in s->why. Every answer, data or not, must validate if it can: bogus
 * is a failure, insecure too when it must be secure.
 */
static int query(struct spf *s, const char *name, int type,
		 struct ub_result **res)
{
	struct pending p = { 0 };
	int id, err;

	*res = NULL;
	s->rep->queries++;
	err = ub_resolve_async(s->ub, name, type, C_IN, &p, answered, &id);
	if (err)
		return fail(s, "%s %s: %s", name, type_name(type),
			    ub_strerror(err));
	while (!p.done) {
		struct pollfd pfd = { .fd = ub_fd(s->ub), .events = POLLIN };
		long ms = ms_left(s);
		int n;

		if (ms <= 0) {
			ub_cancel(s->ub, id);
			return fail(s, "%s %s: no answer within %u s", name,
				    type_name(type), s->timeout_ms / 1000);
		}
		n = poll(&pfd, 1, ms > 1000 ? 1000 : (int)ms);
		if (n < 0 && errno != EINTR)
			return fail(s, "poll: %s", strerror(errno));
		if (n > 0) {
			err = ub_process(s->ub);
			if (err)
				return fail(s, "%s %s: %s", name,
					    type_name(type), ub_strerror(err));
		}
	}
	if (p.err)
		return fail(s, "%s %s: %s", name, type_name(type),
			    ub_strerror(p.err));
	if (p.res->bogus) {
		fail(s, "%s %s: DNSSEC validation failed (bogus): %s", name,
		     type_name(type),
		     p.res->why_bogus ? p.res->why_bogus : "no reason given");
		ub_resolve_free(p.res);
		return -1;
	}
	if (p.res->rcode && p.res->rcode != 3) {
		fail(s, "%s %s: %s", name, type_name(type),
		     rcode_name(p.res->rcode));
		ub_resolve_free(p.res);
		return -1;
	}
	if (!p.res->secure) {
		s->rep->secure = false;
		if (s->require_secure) {
			fail(s, "%s %s: the answer is not signed (insecure), and sync.conf has 'dnssec require'",
			     name, type_name(type));
			ub_resolve_free(p.res);
			return -1;
		}
	}
	if (p.res->rcode == 3 || !p.res->havedata) {
		ub_resolve_free(p.res);
		return 0;
	}
	*res = p.res;
	return 1;
}

/* A lookup that found nothing: RFC 7208 4.6.4 allows two. */
static int count_void(struct spf *s, const char *what)
{
	if (++s->rep->voids > SPF_MAX_VOID)
		return fail(s, "'%s' in %s: more than %d lookups found nothing (RFC 7208 4.6.4)",
			    what, s->stack[s->depth - 1], SPF_MAX_VOID);
	return 0;
}

/* A DNS-querying term: RFC 7208 4.6.4 allows ten. */
static int count_lookup(struct spf *s, const char *term)
{
	if (++s->rep->lookups > SPF_MAX_LOOKUPS)
		return fail(s, "'%s' in %s: more than %d DNS-querying terms (RFC 7208 4.6.4)",
			    term, s->stack[s->depth - 1], SPF_MAX_LOOKUPS);
	return 0;
}

/* ---- entries ---- */

/* addr/plen (host bits cleared, as SPF allows them) as an entry. */
static int add(struct spf *s, int family, const unsigned char *addr,
	       unsigned int plen, const char *from)
{
	unsigned char net[MX_ADDR_MAX] = { 0 };
	char text[INET6_ADDRSTRLEN + 5], why[MX_ENTRY_WHY_MAX];
	static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	size_t len = mx_addr_len(family), i;
	struct mx_entry e;

	for (i = 0; i < len; i++) {
		unsigned int bits = plen > i * 8 ? plen - i * 8 : 0;

		net[i] = addr[i] & (bits >= 8 ? 0xff : (0xff00 >> bits) & 0xff);
	}
	/*
	 * Inside ::ffff:0:0/96 an ip6 prefix would become IPv4 (entry.c), yet
	 * check_host() gets an IPv4 client's IPv4 address and ip6 never
	 * matches it (RFC 7208 5.6; pyspf also maps a v4-mapped client to
	 * IPv4 first): such a prefix admits no one, so it is left out.
	 */
	if (family == AF_INET6 && plen >= 96 &&
	    !memcmp(net, v4mapped, sizeof(v4mapped))) {
		s->rep->mapped++;
		return 0;
	}
	inet_ntop(family, net, text, INET6_ADDRSTRLEN);
	sprintf(text + strlen(text), "/%u", plen);
	if (mx_entry_parse(text, &e, why, sizeof(why)))
		return fail(s, "%s: '%s': %s", from, text, why);
	e.src = s->domain;
	e.line = 0;
	if (mx_entry_list_push(s->out, &e))
		return fail(s, "%s", strerror(ENOMEM));
	s->rep->entries++;
	return 0;
}

/* ---- terms ---- */

/*
 * A CIDR length as RFC 7208 4.6.1 spells it: "0", or 1-9 and at most two
 * more digits; no sign, space or leading zero, and at most max. Read
 * digit by digit so that nothing is narrowed before its range is known
 * (strtoul took /4294967296 for /0). The length, or -1; *end after it.
 */
static int cidr_len(const char *p, unsigned int max, const char **end)
{
	const char *q = p;
	unsigned int n = 0;

	if (*q == '0')
		q++;
	else
		while (isdigit((unsigned char)*q) && q - p < 3)
			n = n * 10 + (*q++ - '0');
	if (q == p || isdigit((unsigned char)*q) || n > max)
		return -1;
	*end = q;
	return n;
}

/* "[domain][/c4][//c6]": the parts; domain "" means the current one. */
static int split_cidr(struct spf *s, const char *term, const char *v,
		      char *domain, unsigned int *c4, unsigned int *c6)
{
	const char *slash = v ? strchr(v, '/') : NULL;
	size_t dlen = v ? (slash ? (size_t)(slash - v) : strlen(v)) : 0;
	const char *end;
	int n;

	*c4 = 32;
	*c6 = 128;
	if (dlen > DOMAIN_MAX)
		return fail(s, "'%s': domain too long", term);
	memcpy(domain, v ? v : "", dlen);
	domain[dlen] = 0;
	if (!slash)
		return 0;
	if (slash[1] != '/') {
		n = cidr_len(slash + 1, 32, &end);
		if (n < 0)
			return fail(s, "'%s': bad IPv4 prefix length", term);
		*c4 = n;
		slash = end;
		if (!*slash)
			return 0;
	}
	if (slash[0] != '/' || slash[1] != '/')
		return fail(s, "'%s': bad prefix lengths", term);
	n = cidr_len(slash + 2, 128, &end);
	if (n < 0 || *end)
		return fail(s, "'%s': bad IPv6 prefix length", term);
	*c6 = n;
	return 0;
}

/*
 * A domain-spec as a name to look up: lowercase, no trailing dot, no
 * macro (a macro expands per connection: it has no ranges to give).
 */
static int target(struct spf *s, const char *term, const char *spec,
		  const char *current, char *out)
{
	size_t i, len;

	if (!*spec)
		spec = current;
	if (strchr(spec, '%'))
		return fail(s, "'%s' in %s: a macro depends on each connection and cannot become address ranges",
			    term, current);
	len = strlen(spec);
	if (len && spec[len - 1] == '.')
		len--;
	if (!len || len > DOMAIN_MAX)
		return fail(s, "'%s' in %s: bad domain", term, current);
	for (i = 0; i < len; i++) {
		unsigned char c = spec[i];

		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return fail(s, "'%s' in %s: bad domain", term,
				    current);
		out[i] = tolower(c);
	}
	out[len] = 0;
	return 0;
}

/* Every A and AAAA record of name, as prefixes of c4 and c6 bits. */
static int addresses(struct spf *s, const char *name, unsigned int c4,
		     unsigned int c6, const char *from, bool *found)
{
	static const int types[] = { T_A, T_AAAA };
	size_t t, i;

	for (t = 0; t < 2; t++) {
		struct ub_result *res;
		int fam = types[t] == T_A ? AF_INET : AF_INET6;
		int n = query(s, name, types[t], &res);

		if (n < 0)
			return -1;
		if (!n)
			continue;
		*found = true;
		for (i = 0; res->data[i]; i++) {
			if ((size_t)res->len[i] != mx_addr_len(fam)) {
				ub_resolve_free(res);
				return fail(s, "%s %s: malformed record", name,
					    type_name(types[t]));
			}
			if (add(s, fam, (unsigned char *)res->data[i],
				fam == AF_INET ? c4 : c6, from)) {
				ub_resolve_free(res);
				return -1;
			}
		}
		ub_resolve_free(res);
	}
	return 0;
}

/* An MX record's exchange name, from wire format, as text. */
static int mx_name(const unsigned char *d, int len, char *out)
{
	int i = 2, o = 0;

	if (len < 3)
		return -1;
	while (i < len && d[i]) {
		int l = d[i++];

		if (l > 63 || i + l > len || o + l + 1 > DOMAIN_MAX)
			return -1;
		if (o)
			out[o++] = '.';
		memcpy(out + o, d + i, l);
		o += l;
		i += l;
	}
	if (i >= len)
		return -1;
	out[o] = 0;
	return o ? 0 : -1;	/* the root: "no mail", nothing to admit */
}

/*
 * A pass set that holds a whole family admits everyone, as +all does
 * (ip4:0.0.0.0/0, a/0, two /1s): refused. Judged on the merged set the
 * kernel would hold, so IPv6 counts as whole without the mapped block.
 */
static int whole_family(struct spf *s, size_t from)
{
	struct mx_entry_list l = { .v = s->out->v + from,
				   .n = s->out->n - from };
	struct mx_ival_list set = { 0 };
	struct mx_ival all[3] = {
		{ .family = AF_INET, .last = { 0xff, 0xff, 0xff, 0xff } },
		{ .family = AF_INET6, .last = { [10] = 0xff, [11] = 0xfe,
						[12 ... 15] = 0xff } },
		{ .family = AF_INET6, .first = { [9] = 0x01 },
		  .last = { [0 ... 15] = 0xff } },
	};
	int v4, v6, ret = 0;

	if (mx_ival_from_entries(&l, &set))
		return fail(s, "%s", strerror(ENOMEM));
	v4 = mx_ival_covered(&set, &all[0]) == 2;
	v6 = mx_ival_covered(&set, &all[1]) == 2 &&
	     mx_ival_covered(&set, &all[2]) == 2;
	if (v4 || v6)
		ret = fail(s, "%s: its record admits every %s address (%s), as +all would",
			   s->domain, v4 ? "IPv4" : "IPv6",
			   v4 ? "0.0.0.0/0" : "::/0");
	mx_ival_free(&set);
	return ret;
}

static int eval(struct spf *s, const char *domain);

struct walk {
	struct spf *s;
	const char *domain;
	char redirect[DOMAIN_MAX + 1];
	bool has_redirect;
	bool done;			/* an `all` was met */
};

static int term(char qual, const char *name, char sep, const char *v,
		void *data)
{
	struct walk *w = data;
	struct spf *s = w->s;
	char full[DOMAIN_MAX + 64], dom[DOMAIN_MAX + 1], tgt[DOMAIN_MAX + 1];
	unsigned int c4, c6;
	bool pass = qual == '+', found = false;

	snprintf(full, sizeof(full), "%s%.1s%s", name,
		 sep == ':' || sep == '=' ? &sep : "", v ? v : "");
	if (sep == '=') {
		/* A modifier: redirect; exp and unknown ones change nothing. */
		if (strcmp(name, "redirect"))
			return 0;
		if (w->has_redirect)
			return fail(s, "%s: two redirect modifiers", w->domain);
		if (!*v || target(s, full, v, w->domain, w->redirect))
			return *v ? -1 : fail(s, "%s: redirect= without a domain",
					      w->domain);
		w->has_redirect = true;
		return 0;
	}
	if (w->done)
		return 0;	/* no mechanism after `all` is ever reached */
	if (!strcmp(name, "all")) {
		w->done = true;
		if (pass)
			return fail(s, "'%call' in %s: it authorizes every address",
				    qual, w->domain);
		return 0;
	}
	if (!strcmp(name, "ip4") || !strcmp(name, "ip6")) {
		int fam = name[2] == '4' ? AF_INET : AF_INET6;
		unsigned int max = fam == AF_INET ? 32 : 128, plen = max;
		unsigned char addr[MX_ADDR_MAX];
		char a[INET6_ADDRSTRLEN];
		const char *slash, *end;
		size_t alen;

		if (!v || *v == '/')
			return fail(s, "'%s' in %s: no address", full,
				    w->domain);
		slash = strchr(v, '/');
		alen = slash ? (size_t)(slash - v) : strlen(v);
		if (alen >= sizeof(a))
			return fail(s, "'%s' in %s: bad address", full,
				    w->domain);
		memcpy(a, v, alen);
		a[alen] = 0;
		if (inet_pton(fam, a, addr) != 1)
			return fail(s, "'%s' in %s: bad address", full,
				    w->domain);
		if (slash) {
			int n = cidr_len(slash + 1, max, &end);

			if (n < 0 || *end)
				return fail(s, "'%s' in %s: bad prefix length",
					    full, w->domain);
			plen = n;
		}
		if (!pass) {
			s->rep->skipped++;
			return 0;
		}
		return add(s, fam, addr, plen, w->domain);
	}
	/*
	 * Every DNS-querying term counts towards the limit, whatever its
	 * qualifier (RFC 7208 4.6.4): a non-pass one is left out only after.
	 */
	if (!strcmp(name, "ptr") || !strcmp(name, "exists")) {
		if (count_lookup(s, full))
			return -1;
		if (!pass) {
			s->rep->skipped++;
			return 0;
		}
		return fail(s, "'%s' in %s: it depends on each connection and cannot become address ranges",
			    full, w->domain);
	}
	if (strcmp(name, "include") && strcmp(name, "a") && strcmp(name, "mx"))
		return fail(s, "'%s' in %s: unknown mechanism", full,
			    w->domain);

	/* include, a, mx: they look things up. */
	if (count_lookup(s, full))
		return -1;
	/* A bad CIDR length is a permerror whatever the qualifier. */
	if (strcmp(name, "include") && split_cidr(s, full, v, dom, &c4, &c6))
		return -1;
	if (!pass) {
		s->rep->skipped++;
		return 0;
	}
	if (!strcmp(name, "include")) {
		if (!v || !*v || *v == '/')
			return fail(s, "'%s' in %s: no domain", full,
				    w->domain);
		if (target(s, full, v, w->domain, tgt))
			return -1;
		return eval(s, tgt);
	}
	if (target(s, full, dom, w->domain, tgt))
		return -1;
	if (!strcmp(name, "a")) {
		if (addresses(s, tgt, c4, c6, w->domain, &found))
			return -1;
		return found ? 0 : count_void(s, full);
	} else {
		struct ub_result *res;
		char host[DOMAIN_MAX + 1];
		int n = query(s, tgt, T_MX, &res), i;

		if (n < 0)
			return -1;
		if (!n)
			return count_void(s, full);
		for (i = 0; res->data[i]; i++)
			;
		if (i > SPF_MAX_MX) {
			ub_resolve_free(res);
			return fail(s, "'%s' in %s: %d MX records, more than %d (RFC 7208 4.6.4)",
				    full, w->domain, i, SPF_MAX_MX);
		}
		for (i = 0; res->data[i]; i++) {
			if (mx_name((unsigned char *)res->data[i], res->len[i],
				    host))
				continue;
			if (addresses(s, host, c4, c6, w->domain, &found)) {
				ub_resolve_free(res);
				return -1;
			}
		}
		ub_resolve_free(res);
		return found ? 0 : count_void(s, full);
	}
}

int spf_terms(const char *record,
	      int (*fn)(char qual, const char *name, char sep,
			const char *value, void *data),
	      void *data)
{
	const char *p = record;
	char buf[SPF_TEXT_MAX + 1];

	/* "v=spf1" then a space or the end (RFC 7208 4.5). */
	if (strncasecmp(p, "v=spf1", 6) || (p[6] && p[6] != ' '))
		return -1;
	p += 6;
	for (;;) {
		char *name, *value = NULL, qual = '+', sep;
		size_t len, i;
		int ret;

		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		len = strcspn(p, " ");
		if (len >= sizeof(buf) - 1)
			return -1;
		name = buf + 1;	/* room to keep a '/' before its value */
		memcpy(name, p, len);
		name[len] = 0;
		p += len;
		if (strchr("+-~?", *name))
			qual = *name++;
		/* The name ends at ':', '=' or '/' (a/24); case-insensitive. */
		for (i = 0; name[i] && !strchr(":=/", name[i]); i++)
			name[i] = tolower((unsigned char)name[i]);
		sep = name[i];
		if (sep == '/') {
			/* The value keeps its '/': shift the name left. */
			memmove(name - 1, name, i);
			name--;
			name[i] = 0;
			value = name + i + 1;
		} else if (sep) {
			name[i] = 0;
			value = name + i + 1;
		}
		ret = fn(qual, name, sep, value, data);
		if (ret)
			return ret;
	}
}

/* The SPF record of name: exactly one TXT record that starts "v=spf1". */
static int record(struct spf *s, const char *name, char *text)
{
	struct ub_result *res;
	int n = query(s, name, T_TXT, &res), i, found = 0;

	if (n < 0)
		return -1;
	if (!n)
		return fail(s, "%s: no SPF record (no TXT record at all)", name);
	for (i = 0; res->data[i]; i++) {
		const unsigned char *d = (unsigned char *)res->data[i];
		char buf[SPF_TEXT_MAX];
		int at = 0, o = 0;

		/* The record's strings, joined with nothing between. */
		while (at < res->len[i]) {
			int l = d[at++];

			if (at + l > res->len[i] || o + l >= SPF_TEXT_MAX)
				break;
			memcpy(buf + o, d + at, l);
			o += l;
			at += l;
		}
		buf[o] = 0;
		if (strncasecmp(buf, "v=spf1", 6) ||
		    (buf[6] && buf[6] != ' '))
			continue;
		if (at != res->len[i] || strlen(buf) != (size_t)o) {
			ub_resolve_free(res);
			return fail(s, "%s: malformed SPF record", name);
		}
		if (found++) {
			ub_resolve_free(res);
			return fail(s, "%s: more than one SPF record (RFC 7208 4.5)",
				    name);
		}
		memcpy(text, buf, o + 1);
	}
	ub_resolve_free(res);
	if (!found)
		return fail(s, "%s: no SPF record (no TXT record starts with v=spf1)",
			    name);
	return 0;
}

/* domain is one of the records being read: an include loop. */
static int looped(struct spf *s, const char *domain)
{
	char chain[SPF_WHY_MAX] = "";
	unsigned int i;

	for (i = 0; i < s->depth && strcmp(s->stack[i], domain); i++)
		;
	if (i == s->depth)
		return 0;
	for (; i < s->depth; i++)
		snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain),
			 "%s -> ", s->stack[i]);
	return fail(s, "include loop: %s%s", chain, domain);
}

static int eval(struct spf *s, const char *domain)
{
	struct walk w = { .s = s, .domain = domain };
	char text[SPF_TEXT_MAX];
	int ret;

	if (looped(s, domain))
		return -1;
	if (s->depth == sizeof(s->stack) / sizeof(s->stack[0]))
		return fail(s, "%s: includes nested too deep", domain);
	if (record(s, domain, text))
		return -1;
	s->stack[s->depth++] = domain;
	ret = spf_terms(text, term, &w);
	if (ret > 0 || (ret && !s->why[0]))
		fail(s, "%s: malformed SPF record", domain);
	if (!ret && w.has_redirect && !w.done) {
		if (count_lookup(s, "redirect"))
			ret = -1;
		else
			ret = eval(s, w.redirect);
	}
	s->depth--;
	return ret ? -1 : 0;
}

int spf_resolve(struct spf *s, const char *domain, struct mx_entry_list *out,
		struct spf_report *rep, char *why, size_t whylen)
{
	char name[DOMAIN_MAX + 1];
	struct timespec now;
	size_t from;

	*rep = (struct spf_report){ .secure = true };
	s->rep = rep;
	s->out = out;
	s->domain = domain;
	s->why = why;
	s->whylen = whylen;
	why[0] = 0;
	s->depth = 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	s->deadline.tv_sec = now.tv_sec + s->timeout_ms / 1000;
	s->deadline.tv_nsec = now.tv_nsec + (s->timeout_ms % 1000) * 1000000L;
	if (s->deadline.tv_nsec >= 1000000000L) {
		s->deadline.tv_sec++;
		s->deadline.tv_nsec -= 1000000000L;
	}
	if (target(s, domain, domain, domain, name))
		return -1;
	from = out->n;
	if (eval(s, name))
		return -1;
	return whole_family(s, from);
}
