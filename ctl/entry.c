// SPDX-License-Identifier: GPL-2.0
/*
 * Allowlist entries: a.b.c.d, a.b.c.d/len and a.b.c.d-e.f.g.h, and the
 * same in IPv6 (2001:db8::/32, 2001:db8::1, 2001:db8::1-2001:db8::ff).
 *
 * Parsing is strict on purpose: a mistyped allowlist locks mail out, so
 * anything that could be read two ways (leading zeros: octal or decimal?),
 * any stray character and any host bits set are refused with a reason,
 * never guessed at.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "entry.h"

/* Longest piece of user text quoted inside a reason. */
#define QUOTE_MAX	24
/* Longest piece of user text echoed in a report line. */
#define ECHO_MAX	120

size_t mx_addr_len(int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	}
	return 0;
}

int mx_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

static int quote_len(size_t n)
{
	return n > QUOTE_MAX ? QUOTE_MAX : (int)n;
}

/*
 * Up to QUOTE_MAX bytes of s[0..n) for a reason, escaped as echo() does:
 * a reason is printed as it is, and a line of a binary file must not
 * reach the terminal raw. buf has QUOTE_BUF bytes.
 */
#define QUOTE_BUF	(4 * QUOTE_MAX + 1)

static const char *quote(char *buf, const char *s, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < (size_t)quote_len(n); i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			len += snprintf(buf + len, QUOTE_BUF - len, "\\x%02x", c);
		else
			buf[len++] = c;
	}
	buf[len] = '\0';
	return buf;
}

/*
 * The value of n (at most 3) checked decimal digits. Not atoi(): its
 * locale-aware strtol() was the costliest call in a 1M-line parse.
 */
static unsigned int digits_value(const char *s, size_t n)
{
	unsigned int v = 0;

	while (n--)
		v = v * 10 + (unsigned int)(*s++ - '0');
	return v;
}

/*
 * Parse s[0..len) as a dotted quad. The checks before inet_pton() are
 * there to say what is wrong; inet_pton() stays the final judge.
 * role prefixes the reason ("range end: ...") when there are two addresses.
 */
static int parse_v4(const char *s, size_t len, unsigned char *out,
		    const char *role, char *why, size_t whylen)
{
	char buf[INET_ADDRSTRLEN];
	size_t i, start, n, octets = 1;

	if (!len)
		return mx_why(why, whylen, "%smissing address", role);
	for (i = 0; i < len; i++) {
		if (s[i] == '.')
			octets++;
		else if (s[i] < '0' || s[i] > '9')
			return mx_why(why, whylen,
				    "%snot a dotted-quad IPv4 address", role);
	}
	if (octets != 4)
		return mx_why(why, whylen, "%swant 4 octets a.b.c.d, got %zu",
			    role, octets);

	for (start = 0, i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		n = i - start;
		if (!n)
			return mx_why(why, whylen, "%sempty octet", role);
		if (n > 1 && s[start] == '0')
			return mx_why(why, whylen,
				    "%soctet '%.*s' has a leading zero (octal or decimal?)",
				    role, quote_len(n), s + start);
		if (n > 3 || digits_value(s + start, n) > 255)
			return mx_why(why, whylen, "%soctet '%.*s' is above 255",
				    role, quote_len(n), s + start);
		start = i + 1;
	}

	/* 4 octets of at most 3 digits: it fits. */
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, out) != 1)
		return mx_why(why, whylen, "%snot a dotted-quad IPv4 address",
			    role);
	return 0;
}

/*
 * Parse s[0..len) as an IPv6 address; inet_pton() is the judge, the checks
 * before it only say what is wrong. An embedded IPv4 part
 * (::ffff:192.0.2.1) is held to inet_pton()'s rules: no leading zeros.
 */
static int parse_v6(const char *s, size_t len, unsigned char *out,
		    const char *role, char *why, size_t whylen)
{
	char buf[INET6_ADDRSTRLEN];
	size_t i, digits = 0, dcolons = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == ':' || s[i] == '.') {
			digits = 0;
			continue;
		}
		if (s[i] == '%')
			return mx_why(why, whylen,
				    "%sa zone index ('%%...') has no place in an allowlist",
				    role);
		if (!isxdigit((unsigned char)s[i]))
			return mx_why(why, whylen, "%snot an IPv6 address", role);
		if (++digits > 4)
			return mx_why(why, whylen,
				    "%sa group has more than 4 hex digits", role);
	}
	/* ":::" is no second "::": inet_pton() refuses it below. */
	for (i = 0; i + 1 < len; i++) {
		if (s[i] == ':' && s[i + 1] == ':') {
			dcolons++;
			i++;
		}
	}
	if (dcolons > 1)
		return mx_why(why, whylen, "%s'::' may appear only once", role);

	if (len >= sizeof(buf))
		return mx_why(why, whylen, "%snot an IPv6 address", role);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, out) != 1)
		return mx_why(why, whylen, "%snot an IPv6 address", role);
	return 0;
}

/* Either family: a colon makes it IPv6. */
static int parse_addr(const char *s, size_t len, int *family,
		      unsigned char *out, const char *role,
		      char *why, size_t whylen)
{
	if (memchr(s, ':', len)) {
		*family = AF_INET6;
		return parse_v6(s, len, out, role, why, whylen);
	}
	*family = AF_INET;
	return parse_v4(s, len, out, role, why, whylen);
}

/* ::ffff:0:0/96, where the kernel keeps IPv4 sources that come as IPv6. */
static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };

static bool is_v4mapped(const unsigned char *a)
{
	return !memcmp(a, v4mapped, sizeof(v4mapped));
}

/* ::ffff:a.b.c.d to a.b.c.d, in place. */
static void unmap(unsigned char *a)
{
	memmove(a, a + 12, 4);
	memset(a + 4, 0, MX_ADDR_MAX - 4);
}

static int parse_prefixlen(const char *s, unsigned int max,
			   unsigned int *out, char *why, size_t whylen)
{
	size_t i, n = strlen(s);
	char q[QUOTE_BUF];

	if (!n)
		return mx_why(why, whylen, "missing prefix length after '/'");
	/* Only here is the quoted text not known to be digits and dots. */
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return mx_why(why, whylen,
				    "prefix length '%s' is not a decimal number",
				    quote(q, s, n));
	if (n > 1 && s[0] == '0')
		return mx_why(why, whylen,
			    "prefix length '%.*s' has a leading zero",
			    quote_len(n), s);
	/* Length first: a long digit string must not overflow. */
	if (n > 3 || digits_value(s, n) > max)
		return mx_why(why, whylen,
			    "prefix length '%.*s' is out of range 0..%u",
			    quote_len(n), s, max);
	*out = digits_value(s, n);
	return 0;
}

/* Copy addr to net with the bits past prefixlen cleared (or set). */
static void apply_mask(unsigned char *net, const unsigned char *addr,
		       size_t alen, unsigned int prefixlen, int set)
{
	size_t i;

	for (i = 0; i < alen; i++) {
		unsigned int bits = prefixlen > i * 8 ? prefixlen - i * 8 : 0;
		unsigned char mask = bits >= 8 ? 0xff :
				     bits ? 0xff << (8 - bits) : 0;

		net[i] = set ? addr[i] | (unsigned char)~mask : addr[i] & mask;
	}
}

int mx_entry_parse(const char *text, struct mx_entry *e,
		   char *why, size_t whylen)
{
	const char *slash, *dash;
	size_t alen;

	memset(e, 0, sizeof(*e));
	if (!*text)
		return mx_why(why, whylen, "empty entry");

	slash = strchr(text, '/');
	dash = strchr(text, '-');
	/* "a/-1" is a bad prefix length; "a/24-b" and "a-b/24" are mixes. */
	if (slash && dash && (dash < slash || strpbrk(dash, ".:")))
		return mx_why(why, whylen,
			    "cannot mix a prefix length and a range");

	if (slash) {
		unsigned char net[MX_ADDR_MAX];

		e->kind = MX_ENTRY_PREFIX;
		if (parse_addr(text, slash - text, &e->family, e->addr, "",
			       why, whylen))
			return -1;
		alen = mx_addr_len(e->family);
		if (parse_prefixlen(slash + 1, alen * 8, &e->prefixlen,
				    why, whylen))
			return -1;
		apply_mask(net, e->addr, alen, e->prefixlen, 0);
		if (memcmp(net, e->addr, alen)) {
			char netbuf[INET6_ADDRSTRLEN];

			inet_ntop(e->family, net, netbuf, sizeof(netbuf));
			return mx_why(why, whylen,
				    "host bits set (did you mean %s/%u?)",
				    netbuf, e->prefixlen);
		}
		/* Below /96 a clean prefix holds the mapped block or misses it. */
		if (e->family == AF_INET6 && e->prefixlen >= 96 &&
		    is_v4mapped(e->addr)) {
			e->family = AF_INET;
			e->prefixlen -= 96;
			unmap(e->addr);
		}
		return 0;
	}

	if (dash) {
		int end_family;
		bool m_start, m_end;

		e->kind = MX_ENTRY_RANGE;
		if (parse_addr(text, dash - text, &e->family, e->addr,
			       "range start: ", why, whylen) ||
		    parse_addr(dash + 1, strlen(dash + 1), &end_family, e->end,
			       "range end: ", why, whylen))
			return -1;
		if (end_family != e->family)
			return mx_why(why, whylen,
				    "a range cannot mix IPv4 and IPv6");
		alen = mx_addr_len(e->family);
		if (memcmp(e->end, e->addr, alen) < 0) {
			char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

			inet_ntop(e->family, e->addr, a, sizeof(a));
			inet_ntop(e->family, e->end, b, sizeof(b));
			return mx_why(why, whylen,
				    "range end %s is below its start %s", b, a);
		}
		if (e->family == AF_INET)
			return 0;
		m_start = is_v4mapped(e->addr);
		m_end = is_v4mapped(e->end);
		if (m_start != m_end)
			/* The kernel would leave the mapped part out. */
			return mx_why(why, whylen,
				    "range is partly IPv4-mapped (::ffff:0:0/96): give that part as IPv4");
		if (m_start) {
			e->family = AF_INET;
			unmap(e->addr);
			unmap(e->end);
		}
		return 0;
	}

	e->kind = MX_ENTRY_ADDR;
	if (parse_addr(text, strlen(text), &e->family, e->addr, "",
		       why, whylen))
		return -1;
	if (e->family == AF_INET6 && is_v4mapped(e->addr)) {
		e->family = AF_INET;
		unmap(e->addr);
	}
	return 0;
}

int mx_addr_parse(const char *text, int *family, unsigned char *addr,
		  char *why, size_t whylen)
{
	if (!*text)
		return mx_why(why, whylen, "empty address");
	if (strpbrk(text, "/-"))
		return mx_why(why, whylen,
			    "want a single address, not a prefix or range");
	return parse_addr(text, strlen(text), family, addr, "", why, whylen);
}

int mx_entry_format(const struct mx_entry *e, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(e->family, e->addr, a, sizeof(a)))
		return -1;
	switch (e->kind) {
	case MX_ENTRY_ADDR:
		n = snprintf(buf, size, "%s", a);
		break;
	case MX_ENTRY_PREFIX:
		n = snprintf(buf, size, "%s/%u", a, e->prefixlen);
		break;
	case MX_ENTRY_RANGE:
		if (!inet_ntop(e->family, e->end, b, sizeof(b)))
			return -1;
		n = snprintf(buf, size, "%s-%s", a, b);
		break;
	default:
		return -1;
	}
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

void mx_entry_bounds(const struct mx_entry *e,
		     unsigned char *first, unsigned char *last)
{
	size_t alen = mx_addr_len(e->family);

	memcpy(first, e->addr, alen);
	switch (e->kind) {
	case MX_ENTRY_ADDR:
		memcpy(last, e->addr, alen);
		break;
	case MX_ENTRY_PREFIX:
		apply_mask(last, e->addr, alen, e->prefixlen, 1);
		break;
	case MX_ENTRY_RANGE:
		memcpy(last, e->end, alen);
		break;
	}
}

/*
 * What the sort compares: an entry's bounds, worked out once per entry
 * rather than twice per comparison (20 million of them for 1M entries).
 * An IPv4-only list, the usual long one, sorts on one integer an entry.
 */
struct key4 {
	uint64_t bounds;	/* first << 32 | last, host order */
	size_t i;
};

struct key {
	unsigned char first[MX_ADDR_MAX];	/* zero-padded */
	unsigned char last[MX_ADDR_MAX];
	int family;
	size_t i;
};

/* LSD radix sort on bounds, 16 bits a pass: linear, and stable. */
static int radix_sort4(struct key4 *k, size_t n)
{
	struct key4 *tmp = malloc(n * sizeof(*tmp)), *src = k, *dst = tmp, *t;
	size_t *count = calloc(1 << 16, sizeof(*count)), i, sum, c;
	unsigned int shift;

	if (!tmp || !count) {
		free(tmp);
		free(count);
		return -1;
	}
	for (shift = 0; shift < 64; shift += 16) {
		memset(count, 0, (1 << 16) * sizeof(*count));
		for (i = 0; i < n; i++)
			count[src[i].bounds >> shift & 0xffff]++;
		for (i = 0, sum = 0; i < 1 << 16; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[src[i].bounds >> shift & 0xffff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	/* Four passes: the sorted keys are back in k. */
	free(tmp);
	free(count);
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	c = memcmp(x->first, y->first, sizeof(x->first));
	return c ? c : memcmp(x->last, y->last, sizeof(x->last));
}

/* Sort l's entries into v (l->n of them), by their IPv4 bounds. */
static int sort_v4(const struct mx_entry_list *l, struct mx_entry *v)
{
	unsigned char f[MX_ADDR_MAX], t[MX_ADDR_MAX];
	struct key4 *k = malloc(l->n * sizeof(*k));
	uint32_t a, b;
	size_t i;

	if (!k)
		return -1;
	for (i = 0; i < l->n; i++) {
		mx_entry_bounds(&l->v[i], f, t);
		memcpy(&a, f, 4);
		memcpy(&b, t, 4);
		k[i].bounds = (uint64_t)ntohl(a) << 32 | ntohl(b);
		k[i].i = i;
	}
	if (radix_sort4(k, l->n)) {
		free(k);
		return -1;
	}
	/* Into a new array: these reads overlap, moves in place would not. */
	for (i = 0; i < l->n; i++)
		v[i] = l->v[k[i].i];
	free(k);
	return 0;
}

/* Sort l's entries into v, any family. */
static int sort_any(const struct mx_entry_list *l, struct mx_entry *v)
{
	struct key *k = calloc(l->n, sizeof(*k));
	size_t i;

	if (!k)
		return -1;
	for (i = 0; i < l->n; i++) {
		mx_entry_bounds(&l->v[i], k[i].first, k[i].last);
		k[i].family = l->v[i].family;
		k[i].i = i;
	}
	qsort(k, l->n, sizeof(*k), key_cmp);
	for (i = 0; i < l->n; i++)
		v[i] = l->v[k[i].i];
	free(k);
	return 0;
}

int mx_entry_list_sort(struct mx_entry_list *l)
{
	struct mx_entry *v;
	bool v4 = true;
	size_t i;

	if (l->n < 2)
		return 0;
	v = malloc(l->n * sizeof(*v));
	for (i = 0; i < l->n && v4; i++)
		v4 = l->v[i].family == AF_INET;
	if (!v || (v4 ? sort_v4(l, v) : sort_any(l, v))) {
		free(v);
		return -1;
	}
	free(l->v);
	l->v = v;
	l->cap = l->n;
	return 0;
}

static int bit(const unsigned char *a, unsigned int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

int mx_interval_format(int family, const void *first, const void *last,
		       char *buf, size_t size)
{
	const unsigned char *f = first, *l = last;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned int bits = mx_addr_len(family) * 8, plen, i;
	int n;

	if (!bits || !inet_ntop(family, f, a, sizeof(a)) ||
	    !inet_ntop(family, l, b, sizeof(b)))
		return -1;

	/*
	 * A CIDR block: first and last share a prefix, then first is all
	 * zeros and last all ones.
	 */
	for (plen = 0; plen < bits && bit(f, plen) == bit(l, plen); plen++)
		;
	for (i = plen; i < bits; i++)
		if (bit(f, i) != 0 || bit(l, i) != 1)
			break;

	if (i == bits)
		n = snprintf(buf, size, "%s/%u", a, plen);
	else
		n = snprintf(buf, size, "%s-%s", a, b);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int mx_interval_line(int family, const void *first, const void *last,
		     const uint64_t *hits, char *buf, size_t size)
{
	size_t len;
	int n;

	if (mx_interval_format(family, first, last, buf, size))
		return -1;
	if (!hits)
		return 0;
	len = strlen(buf);
	n = snprintf(buf + len, size - len, " # hits %" PRIu64, *hits);
	return n < 0 || (size_t)n >= size - len ? -1 : 0;
}

int mx_entry_list_push(struct mx_entry_list *l, const struct mx_entry *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct mx_entry *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *e;
	return 0;
}

void mx_entry_list_free(struct mx_entry_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Echo user text safely: a binary file must not garble the terminal. */
static void echo(FILE *err, const char *text, size_t len)
{
	size_t i, n = len > ECHO_MAX ? ECHO_MAX : len;

	/*
	 * cppcheck 2.10 takes len to be 0, the only value it sees at one
	 * call site (an empty entry), and calls both conditions always false.
	 */
	/* cppcheck-suppress knownConditionTrueFalse */
	for (i = 0; i < n; i++) {
		unsigned char c = text[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			fprintf(err, "\\x%02x", c);
		else
			fputc(c, err);
	}
	/* cppcheck-suppress knownConditionTrueFalse ; see above */
	if (n < len)
		fputs("...", err);
}

static void report(FILE *err, const char *src, unsigned int line,
		   const char *text, size_t len, const char *why)
{
	fprintf(err, "%s:%u: '", src, line);
	echo(err, text, len);
	fprintf(err, "': %s\n", why);
}

int mx_entry_list_add_text(struct mx_entry_list *l, const char *text,
			   const char *src, unsigned int line, FILE *err)
{
	struct mx_entry e;
	char why[MX_ENTRY_WHY_MAX];

	if (mx_entry_parse(text, &e, why, sizeof(why))) {
		report(err, src, line, text, strlen(text), why);
		return 1;
	}
	e.src = src;
	e.line = line;
	return mx_entry_list_push(l, &e);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\v' || c == '\f';
}

/* Cut the comment and surrounding whitespace (CR included) in place. */
static char *trim(char *s)
{
	char *end, *hash = strchr(s, '#');

	if (hash)
		*hash = '\0';
	while (is_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		end--;
	*end = '\0';
	return s;
}

int mx_entry_list_read(struct mx_entry_list *l, FILE *f, const char *src,
		       FILE *err)
{
	char *buf = NULL, *text;
	size_t cap = 0;
	ssize_t len;
	unsigned int line = 0;
	int bad = 0, ret, saved;

	while ((len = getline(&buf, &cap, f)) >= 0) {
		line++;
		if (memchr(buf, '\0', len)) {
			/* The newline is not part of what is echoed. */
			while (len && (buf[len - 1] == '\n' ||
				       buf[len - 1] == '\r'))
				len--;
			report(err, src, line, buf, len,
			       "line contains a NUL byte (not a text file?)");
			bad++;
			continue;
		}
		text = trim(buf);
		if (!*text)
			continue;
		ret = mx_entry_list_add_text(l, text, src, line, err);
		if (ret < 0)
			goto free_buf;
		bad += ret;
	}
	if (ferror(f))
		goto free_buf;
	free(buf);
	return bad;

free_buf:
	saved = errno ? errno : EIO;
	free(buf);
	errno = saved;
	return -1;
}
