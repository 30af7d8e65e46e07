// SPDX-License-Identifier: GPL-2.0
/*
 * state.c: GET_STATE's reply and events, parsed into struct state, and
 * the intervals of dumps and events; the names of the u8 settings' values.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/mxlock.h>

#include "mxlockctl.h"

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct state *st = data;
	int type = mnl_attr_get_type(attr);

	/* Newer counters are skipped: old tools keep working. */
	if (type <= MXLOCK_STATS_A_PAD || type > MXLOCK_STATS_A_MAX)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return MNL_CB_ERROR;
	st->stats[type] = mnl_attr_get_u64(attr);
	st->have_stats |= HAVE(type);
	return MNL_CB_OK;
}

static int ports_attr_cb(const struct nlattr *attr, void *data)
{
	struct state *st = data;

	if (mnl_attr_get_type(attr) != MXLOCK_A_PORT)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
		return MNL_CB_ERROR;
	if (st->nr_ports == MXLOCK_MAX_PORTS) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	st->ports[st->nr_ports++] = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

/*
 * One MXLOCK_A_ENTRY of a dump or an event, as an interval: 0, or -1 with
 * errno set (EBADMSG: not an interval).
 */
int parse_interval(const struct nlattr *nest, struct mx_ival *iv)
{
	const struct nlattr *attr, *addr = NULL, *end = NULL, *plen = NULL;
	struct mx_entry e = { 0 };
	size_t alen;

	memset(iv, 0, sizeof(*iv));
	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case MXLOCK_ENTRY_A_ADDR:
			addr = attr;
			break;
		case MXLOCK_ENTRY_A_ADDR_END:
			end = attr;
			break;
		case MXLOCK_ENTRY_A_PREFIXLEN:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return -1;
			plen = attr;
			break;
		case MXLOCK_ENTRY_A_HITS:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				return -1;
			iv->hits = mnl_attr_get_u64(attr);
			iv->has_hits = true;
			break;
		}
	}
	if (!addr || (end && plen))
		goto bad;
	alen = mnl_attr_get_payload_len(addr);
	e.family = alen == 4 ? AF_INET : alen == 16 ? AF_INET6 : AF_UNSPEC;
	if (e.family == AF_UNSPEC)
		goto bad;
	memcpy(e.addr, mnl_attr_get_payload(addr), alen);
	if (end) {
		if (mnl_attr_get_payload_len(end) != alen)
			goto bad;
		memcpy(e.end, mnl_attr_get_payload(end), alen);
		if (memcmp(e.end, e.addr, alen) < 0)
			goto bad;
		e.kind = MX_ENTRY_RANGE;
	} else if (plen) {
		e.prefixlen = mnl_attr_get_u8(plen);
		if (e.prefixlen > alen * 8)
			goto bad;
		e.kind = MX_ENTRY_PREFIX;
	} else {
		e.kind = MX_ENTRY_ADDR;
	}
	iv->family = e.family;
	mx_entry_bounds(&e, iv->first, iv->last);
	return 0;

bad:
	errno = EBADMSG;
	return -1;
}

/* An event's intervals added or removed: at most MXLOCK_EVENT_ENTRIES. */
static int delta_attr_cb(const struct nlattr *attr, void *data)
{
	struct delta *d = data;

	if (mnl_attr_get_type(attr) != MXLOCK_A_ENTRY)
		return MNL_CB_OK;
	if (d->n == MXLOCK_EVENT_ENTRIES) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (parse_interval(attr, &d->v[d->n]))
		return MNL_CB_ERROR;
	d->n++;
	return MNL_CB_OK;
}

int state_attr_cb(const struct nlattr *attr, void *data)
{
	struct state *st = data;
	int type = mnl_attr_get_type(attr);
	struct delta *d;
	int ret = 0;

	switch (type) {
	case MXLOCK_A_MODE:
	case MXLOCK_A_ACTION:
	case MXLOCK_A_LOG:
	case MXLOCK_A_ARMED:
		ret = mnl_attr_validate(attr, MNL_TYPE_U8);
		st->u8[type] = ret ? 0 : mnl_attr_get_u8(attr);
		break;
	case MXLOCK_A_RANGES:
		ret = mnl_attr_validate(attr, MNL_TYPE_U32);
		st->ranges = ret ? 0 : mnl_attr_get_u32(attr);
		break;
	case MXLOCK_A_GENERATION:
		ret = mnl_attr_validate(attr, MNL_TYPE_U32);
		st->generation = ret ? 0 : mnl_attr_get_u32(attr);
		break;
	case MXLOCK_A_PORTID:
		ret = mnl_attr_validate(attr, MNL_TYPE_U32);
		st->portid = ret ? 0 : mnl_attr_get_u32(attr);
		break;
	case MXLOCK_A_PORTS:
		ret = mnl_attr_validate(attr, MNL_TYPE_NESTED);
		st->nr_ports = 0;
		if (!ret && mnl_attr_parse_nested(attr, ports_attr_cb,
						  st) < 0)
			ret = -1;
		break;
	case MXLOCK_A_STATS:
		ret = mnl_attr_validate(attr, MNL_TYPE_NESTED);
		if (!ret && mnl_attr_parse_nested(attr, stats_attr_cb,
						  st) < 0)
			ret = -1;
		break;
	case MXLOCK_A_ADDED:
	case MXLOCK_A_REMOVED:
		d = type == MXLOCK_A_ADDED ? &st->added : &st->removed;
		ret = mnl_attr_validate(attr, MNL_TYPE_U32);
		d->count = ret ? 0 : mnl_attr_get_u32(attr);
		break;
	case MXLOCK_A_ADDED_ENTRIES:
	case MXLOCK_A_REMOVED_ENTRIES:
		d = type == MXLOCK_A_ADDED_ENTRIES ? &st->added : &st->removed;
		ret = mnl_attr_validate(attr, MNL_TYPE_NESTED);
		d->n = 0;
		if (!ret && mnl_attr_parse_nested(attr, delta_attr_cb, d) < 0)
			ret = -1;
		break;
	default:
		return MNL_CB_OK;
	}
	if (ret < 0)
		return MNL_CB_ERROR;
	st->have |= HAVE(type);
	return MNL_CB_OK;
}

static int state_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), state_attr_cb,
			      data);
}

/* GET_STATE; on success the reply has at least the attributes in need. */
int get_state(const struct cmd *cmd, struct state *st,
		     unsigned int need)
{
	struct mx_genl g;
	int err;

	memset(st, 0, sizeof(*st));
	if (open_genl(cmd, &g))
		return EXIT_ERR;
	err = mx_genl_doit(&g, mx_genl_msg(&g, MXLOCK_CMD_GET_STATE),
			   state_cb, st);
	if (err)
		fail_request(cmd, &g, err);
	mx_genl_close(&g);
	if (err)
		return EXIT_ERR;
	if ((st->have & need) != need) {
		fprintf(stderr,
			"mxlockctl: %s: the kernel's reply lacks attributes (module of another version?)\n",
			cmd->name);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

const struct choice mode_choice = {
	MXLOCK_A_MODE, "mode", { "enforce", "monitor" }, "enforce or monitor"
};
const struct choice action_choice = {
	MXLOCK_A_ACTION, "action", { "drop", "reject" }, "drop or reject"
};
const struct choice log_choice = {
	MXLOCK_A_LOG, "log setting", { "off", "on" }, "on or off"
};

const char *choice_name(const struct choice *c, uint8_t v)
{
	return v < 2 ? c->names[v] : "unknown";
}

void json_ports(const struct state *st)
{
	unsigned int i;

	mx_json_key(&jw, "ports");
	mx_json_arr_open(&jw);
	for (i = 0; i < st->nr_ports; i++)
		mx_json_u64(&jw, st->ports[i]);
	mx_json_arr_close(&jw);
}
