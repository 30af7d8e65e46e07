// SPDX-License-Identifier: GPL-2.0
/*
 * denied.c: the refused-sources table (GET_DENIED), or forgetting it
 * (FLUSH_DENIED).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/mxlock.h>

#include "entry.h"
#include "mxlockctl.h"

/* ---- GET_DENIED, FLUSH_DENIED ---- */

/* One MXLOCK_A_DENIED_SOURCE; every attribute is required. */
static int denied_source(const struct nlattr *nest, void *data)
{
	struct source_list *l = data;
	const struct nlattr *attr;
	struct source s = { 0 };
	unsigned int have = 0;
	size_t len;

	mnl_attr_for_each_nested(attr, nest) {
		int type = mnl_attr_get_type(attr);

		switch (type) {
		case MXLOCK_DENIED_A_ADDR:
			len = mnl_attr_get_payload_len(attr);
			if (len != 4 && len != 16)
				goto bad;
			s.family = len == 4 ? AF_INET : AF_INET6;
			memcpy(s.addr, mnl_attr_get_payload(attr), len);
			break;
		case MXLOCK_DENIED_A_COUNT:
		case MXLOCK_DENIED_A_FIRST:
		case MXLOCK_DENIED_A_LAST:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				return -1;
			*(type == MXLOCK_DENIED_A_COUNT ? &s.count :
			  type == MXLOCK_DENIED_A_FIRST ? &s.first : &s.last) =
				mnl_attr_get_u64(attr);
			break;
		default:
			continue;
		}
		have |= HAVE(type);
	}
	if (have != (HAVE(MXLOCK_DENIED_A_ADDR) | HAVE(MXLOCK_DENIED_A_COUNT) |
		     HAVE(MXLOCK_DENIED_A_FIRST) | HAVE(MXLOCK_DENIED_A_LAST)))
		goto bad;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct source *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;

bad:
	errno = EBADMSG;
	return -1;
}

static int denied_cb(const struct nlmsghdr *nlh, void *data)
{
	return each_item(nlh, MXLOCK_A_DENIED, MXLOCK_A_DENIED_SOURCE,
			 denied_source, data);
}

static void denied_reset(void *data)
{
	struct source_list *l = data;

	l->n = 0;
}

/* The refused sources, one consistent dump. EXIT_OK or EXIT_ERR. */
int read_denied(const struct cmd *cmd, struct source_list *l)
{
	return dump(cmd, MXLOCK_CMD_GET_DENIED, denied_cb, denied_reset, l);
}

/* Unix seconds as ISO 8601 UTC; a time gmtime() can't take as a number. */
void format_time(uint64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((uint64_t)tt != t || tt < 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "%" PRIu64, t);
}

int cmd_denied(const struct cmd *cmd, int argc, char **argv)
{
	char a[INET6_ADDRSTRLEN], first[32], last[32];
	struct source_list l = { 0 };
	int ret = EXIT_ERR;
	size_t i;

	if (argc == 1 && !strcmp(argv[0], "flush"))
		return simple(cmd, MXLOCK_CMD_FLUSH_DENIED);
	if (argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[0]);

	if (read_denied(cmd, &l))
		goto free_list;
	/* The kernel sends them most recently seen first. */
	if (json)
		mx_json_arr_open(&jw);
	for (i = 0; i < l.n; i++) {
		const struct source *s = &l.v[i];

		inet_ntop(s->family, s->addr, a, sizeof(a));
		if (json) {
			mx_json_obj_open(&jw);
			mx_json_kstr(&jw, "address", a);
			mx_json_ku64(&jw, "count", s->count);
			mx_json_ku64(&jw, "first", s->first);
			mx_json_ku64(&jw, "last", s->last);
			mx_json_obj_close(&jw);
			continue;
		}
		format_time(s->first, first, sizeof(first));
		format_time(s->last, last, sizeof(last));
		printf("%s count %" PRIu64 " first %s last %s\n", a, s->count,
		       first, last);
	}
	if (json) {
		mx_json_arr_close(&jw);
		mx_json_end(&jw);
	}
	ret = EXIT_OK;

free_list:
	free(l.v);
	return ret;
}
