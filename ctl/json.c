// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming JSON writer: see json.h. Strings are escaped per RFC 8259;
 * what mxlockctl writes is its own ASCII text, but a writer that could
 * emit invalid JSON for some input would be a trap for whoever reuses it.
 */
#include <assert.h>
#include <inttypes.h>

#include "json.h"

void mx_json_init(struct mx_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->keyed = false;
	j->more[0] = false;
}

/* Length of the well-formed UTF-8 sequence at s, or 0 if there is none. */
static unsigned int utf8_len(const unsigned char *s)
{
	unsigned int n, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	/* The terminating NUL fails this test: no read past the end. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, and past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void mx_json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned int n;

	fputc('"', f);
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(f, "\\u%04x", *s);
			} else if (*s < 0x80) {
				fputc(*s, f);
			} else {
				n = utf8_len(s);
				if (!n) {
					fputs("\\ufffd", f);
					break;
				}
				fwrite(s, 1, n, f);
				s += n;
				continue;
			}
		}
		s++;
	}
	fputc('"', f);
}

/* Before any value or key: the comma, unless it is a key's value. */
static void sep(struct mx_json *j)
{
	if (j->keyed) {
		j->keyed = false;
		return;
	}
	if (j->more[j->depth])
		fputc(',', j->f);
	j->more[j->depth] = true;
}

static void nest_open(struct mx_json *j, char c)
{
	sep(j);
	fputc(c, j->f);
	assert(j->depth + 1 < MX_JSON_DEPTH);
	j->more[++j->depth] = false;
}

static void nest_close(struct mx_json *j, char c)
{
	assert(j->depth > 0 && !j->keyed);
	j->depth--;
	fputc(c, j->f);
}

void mx_json_obj_open(struct mx_json *j)
{
	nest_open(j, '{');
}

void mx_json_obj_close(struct mx_json *j)
{
	nest_close(j, '}');
}

void mx_json_arr_open(struct mx_json *j)
{
	nest_open(j, '[');
}

void mx_json_arr_close(struct mx_json *j)
{
	nest_close(j, ']');
}

void mx_json_key(struct mx_json *j, const char *key)
{
	assert(!j->keyed);
	sep(j);
	mx_json_string(j->f, key);
	fputc(':', j->f);
	j->keyed = true;
}

void mx_json_str(struct mx_json *j, const char *s)
{
	sep(j);
	mx_json_string(j->f, s);
}

void mx_json_u64(struct mx_json *j, uint64_t v)
{
	sep(j);
	fprintf(j->f, "%" PRIu64, v);
}

void mx_json_bool(struct mx_json *j, bool v)
{
	sep(j);
	fputs(v ? "true" : "false", j->f);
}

void mx_json_kstr(struct mx_json *j, const char *key, const char *s)
{
	mx_json_key(j, key);
	mx_json_str(j, s);
}

void mx_json_ku64(struct mx_json *j, const char *key, uint64_t v)
{
	mx_json_key(j, key);
	mx_json_u64(j, v);
}

void mx_json_kbool(struct mx_json *j, const char *key, bool v)
{
	mx_json_key(j, key);
	mx_json_bool(j, v);
}

void mx_json_end(struct mx_json *j)
{
	assert(!j->depth && !j->keyed);
	fputc('\n', j->f);
	j->more[0] = false;
}
