// SPDX-License-Identifier: GPL-2.0
/*
 * Guarded ports as text. As strict as entries: a port list that reads
 * two ways would guard the wrong port and let mail bypass the lock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "entry.h"
#include "ports.h"

/* Longest piece of user text quoted inside a reason. */
#define QUOTE_MAX	16

static int quote_len(size_t n)
{
	return n > QUOTE_MAX ? QUOTE_MAX : (int)n;
}

/* One port, s[0..n); 0 or -1. */
static int parse_port(const char *s, size_t n, uint16_t *port,
		      char *why, size_t whylen)
{
	unsigned long v = 0;
	size_t i;

	if (!n)
		return mx_why(why, whylen, "empty port (stray comma?)");
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return mx_why(why, whylen,
				    "port '%.*s' is not a decimal number",
				    quote_len(n), s);
	if (n > 1 && s[0] == '0')
		return mx_why(why, whylen, "port '%.*s' has a leading zero",
			    quote_len(n), s);
	/* Length first: a long digit string must not overflow v. */
	for (i = 0; i < n && n <= 5; i++)
		v = v * 10 + (s[i] - '0');
	if (n > 5 || !v || v > 65535)
		return mx_why(why, whylen,
			    "port '%.*s' is out of range 1..65535",
			    quote_len(n), s);
	*port = v;
	return 0;
}

int mx_ports_parse(int argc, char *const *argv, uint16_t *ports,
		   unsigned int max, char *why, size_t whylen)
{
	unsigned int n = 0, j;
	const char *s, *comma;
	uint16_t port = 0;	/* gcc cannot see parse_port() set it */
	int i;

	for (i = 0; i < argc; i++) {
		for (s = argv[i];; s = comma + 1) {
			comma = strchr(s, ',');
			if (parse_port(s, comma ? (size_t)(comma - s) : strlen(s),
				       &port, why, whylen))
				return -1;
			for (j = 0; j < n; j++)
				if (ports[j] == port)
					return mx_why(why, whylen,
						    "port %u is listed twice",
						    port);
			if (n == max)
				return mx_why(why, whylen,
					    "too many ports: at most %u can be guarded",
					    max);
			ports[n++] = port;
			if (!comma)
				break;
		}
	}
	if (!n)
		return mx_why(why, whylen, "no port given");
	return n;
}

int mx_ports_format(const uint16_t *ports, unsigned int n, char *buf,
		    size_t size)
{
	size_t len = 0;
	unsigned int i;

	if (!size)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int r = snprintf(buf + len, size - len, "%s%u", i ? "," : "",
				 ports[i]);

		if (r < 0 || (size_t)r >= size - len)
			return -1;
		len += r;
	}
	return 0;
}
