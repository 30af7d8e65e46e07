// SPDX-License-Identifier: GPL-2.0
/*
 * config.c: the settings: mode, action, log and ports (SET_CONFIG),
 * each printed when given no value.
 */
#include <stdio.h>
#include <string.h>
#include <linux/mxlock.h>

#include "mxlockctl.h"
#include "ports.h"

/*
 * SET_CONFIG with one setting: the u8 attr = val, or for MXLOCK_A_PORTS
 * the n ports. The kernel applies all or nothing.
 */
static int set_config(const struct cmd *cmd, uint16_t attr, uint8_t val,
		      const uint16_t *ports, unsigned int n)
{
	struct nlmsghdr *nlh;
	struct mx_genl g;
	int err;

	if (open_genl(cmd, &g))
		return EXIT_ERR;
	nlh = mx_genl_msg(&g, MXLOCK_CMD_SET_CONFIG);
	if (attr == MXLOCK_A_PORTS) {
		struct nlattr *nest;
		unsigned int i;

		/* 16 u16s: no chance of overflowing the request buffer. */
		nest = mnl_attr_nest_start(nlh, MXLOCK_A_PORTS);
		for (i = 0; i < n; i++)
			mnl_attr_put_u16(nlh, MXLOCK_A_PORT, ports[i]);
		mnl_attr_nest_end(nlh, nest);
	} else {
		mnl_attr_put_u8(nlh, attr, val);
	}
	err = mx_genl_doit(&g, nlh, NULL, NULL);
	if (err)
		fail_request(cmd, &g, err);
	mx_genl_close(&g);
	return err ? EXIT_ERR : EXIT_OK;
}

/* mode, action, log: print the setting, or set it. */
static int choose(const struct cmd *cmd, const struct choice *c, int argc,
		  char **argv)
{
	struct state st;
	uint8_t v;

	if (argc > 1)
		return usage_error(cmd, "unexpected argument '%s'", argv[1]);
	if (!argc) {
		if (get_state(cmd, &st, HAVE(c->attr)))
			return EXIT_ERR;
		printf("%s\n", choice_name(c, st.u8[c->attr]));
		return EXIT_OK;
	}
	for (v = 0; v < 2; v++)
		if (!strcmp(argv[0], c->names[v]))
			break;
	if (v == 2)
		return usage_error(cmd, "unknown %s '%s' (want %s)", c->what,
				   argv[0], c->want);
	return set_config(cmd, c->attr, v, NULL, 0);
}

int cmd_mode(const struct cmd *cmd, int argc, char **argv)
{
	return choose(cmd, &mode_choice, argc, argv);
}

int cmd_action(const struct cmd *cmd, int argc, char **argv)
{
	return choose(cmd, &action_choice, argc, argv);
}

int cmd_log(const struct cmd *cmd, int argc, char **argv)
{
	return choose(cmd, &log_choice, argc, argv);
}

int cmd_ports(const struct cmd *cmd, int argc, char **argv)
{
	uint16_t ports[MXLOCK_MAX_PORTS];
	char why[MX_PORTS_WHY_MAX];
	int n;

	if (!argc) {
		char text[MX_PORTS_TEXT_MAX];
		struct state st;

		if (get_state(cmd, &st, HAVE(MXLOCK_A_PORTS)))
			return EXIT_ERR;
		mx_ports_format(st.ports, st.nr_ports, text, sizeof(text));
		printf("%s\n", text);
		return EXIT_OK;
	}
	n = mx_ports_parse(argc, argv, ports, MXLOCK_MAX_PORTS, why,
			   sizeof(why));
	if (n < 0)
		return usage_error(cmd, "%s", why);
	return set_config(cmd, MXLOCK_A_PORTS, 0, ports, n);
}
