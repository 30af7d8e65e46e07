// SPDX-License-Identifier: GPL-2.0
/*
 * mxlockctl: control the mxlock allowlist of the network namespace it runs
 * in (use `ip netns exec NS mxlockctl ...` for another one).
 *
 * Exit status: 0 success; 1 only for `test` when a SYN from the address
 * would be refused (or is outside the list in monitor mode); 2 for usage,
 * input and kernel errors.
 *
 * check is a monitoring plugin and has its own: 0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN (check.c).
 *
 * With -j, list, stats, denied, test, monitor, sync, check and replace
 * --dry-run print JSON instead, as
 * `ip -j` does: compact, one document on stdout (monitor: one a line, an
 * object per event); numbers are numbers, armed and log are booleans.
 *
 * This file is the dispatcher: options, the command table and help. The
 * commands live in files named after what they do (see mxlockctl.h).
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>

#include "mxlockctl.h"

#ifndef MXLOCKCTL_VERSION
#error "MXLOCKCTL_VERSION comes from ../VERSION (see Makefile)"
#endif

bool json;
struct mx_json jw;

/* ---- help ---- */

static int cmd_help(const struct cmd *cmd, int argc, char **argv);

static const struct cmd cmds[] = {
	{ "replace", cmd_replace, "[--dry-run] [-f|-F FILE]... [ENTRY]...",
	  "replace the whole list atomically", true },
	{ "add", cmd_add, "[ENTRY]... [-f FILE|-]...",
	  "add entries (~3000 IPv4/1500 IPv6 at most)", false },
	{ "del", cmd_del, "[ENTRY]... [-f FILE|-]...",
	  "remove the addresses entries cover", false },
	{ "flush", cmd_flush, "",
	  "drop the list: unarmed, all SYNs pass", false },
	{ "sync", cmd_sync, "[-c FILE] [--dry-run] [--force] [DOMAIN]...",
	  "load the provider's ranges from its SPF records", true },
	{ "list", cmd_list, "",
	  "print the list, with hit counts", true },
	{ "stats", cmd_stats, "",
	  "print settings, state and counters", true },
	{ "test", cmd_test, "ADDR",
	  "what would a SYN from ADDR meet?", true },
	{ "denied", cmd_denied, "[flush]",
	  "print refused sources, or forget them", true },
	{ "mode", cmd_mode, "[enforce|monitor]",
	  "print the mode, or set it", false },
	{ "action", cmd_action, "[drop|reject]",
	  "print how enforce refuses, or set it", false },
	{ "log", cmd_log, "[on|off]",
	  "print if refusals are logged, or set it", false },
	{ "ports", cmd_ports, "[PORT[,PORT]...]",
	  "print the guarded TCP ports, or set them", false },
	{ "load", cmd_load, "",
	  "modprobe mxlock; if it fails, say why", false },
	{ "monitor", cmd_monitor, "[--count N]",
	  "print each change as it happens", true },
	{ "check", cmd_check,
	  "[-c FILE] [--sync-age S] [--sync-age-critical S]",
	  "monitoring plugin: exit 0 OK ... 3 UNKNOWN", true },
	{ "help", cmd_help, "[COMMAND]",
	  "this help, or a command's", false },
	{ NULL, NULL, NULL, NULL, false }
};

static void usage(FILE *f)
{
	const struct cmd *cmd;

	fputs("usage: mxlockctl [-j|--json] COMMAND [ARG]...\n"
	      "       mxlockctl -h|--help|--version\n"
	      "\n"
	      "Control mxlock in the current network namespace (ip netns exec NS\n"
	      "mxlockctl ... for another one): SYNs to the guarded TCP ports (25 by\n"
	      "default) are let in only from the addresses on the allowlist.\n"
	      "\n"
	      "Commands:\n", f);
	for (cmd = cmds; cmd->name; cmd++) {
		char synopsis[64];

		snprintf(synopsis, sizeof(synopsis), "%s%s%s", cmd->name,
			 *cmd->args ? " " : "", cmd->args);
		if (strlen(synopsis) > 33)	/* its help on a line of its own */
			fprintf(f, "  %s\n  %-33s  %s\n", synopsis, "", cmd->help);
		else
			fprintf(f, "  %-33s  %s\n", synopsis, cmd->help);
	}
	fputs("\n"
	      "ENTRY is ADDR/LEN (no host bits set), ADDR (one address) or\n"
	      "ADDR-ADDR (inclusive range, one family), IPv4 or IPv6. IPv4-mapped\n"
	      "IPv6 (::ffff:a.b.c.d) is taken as the IPv4 it maps. FILE has one\n"
	      "ENTRY a line; '#' starts a comment; '-' is standard input; -f may be\n"
	      "repeated. list prints valid FILE lines. If any entry is bad, each is\n"
	      "reported and nothing is sent.\n"
	      "\n"
	      "PORT is 1..65535; 1 to 16 ports, split by commas or spaces.\n"
	      "\n"
	      "-j prints JSON for list, stats, denied, test, monitor (one object\n"
	      "a line per event), sync, check and replace --dry-run.\n"
	      "\n"
	      "sync reads the provider's relays from its SPF records (DNSSEC-\n"
	      "validated), adds /etc/mxlock/allow.conf, shows the change and its\n"
	      "impact, and loads it unless the guard refuses: it would refuse a\n"
	      "range that admitted SYNs since the last sync, or shrink the list by\n"
	      "more than max-shrink (/etc/mxlock/sync.conf). --dry-run only shows;\n"
	      "--force overrides the guard. replace --dry-run shows the same for\n"
	      "a file; -F FILE is -f FILE where a missing FILE counts as empty.\n"
	      "\n"
	      "Exit status: 0 success; 1 'test': the address is not in the list\n"
	      "(refused, or passed only because of monitor mode); 2 usage, input\n"
	      "or kernel error. check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	      "(the monitoring-plugin convention; see mxlockctl(8)).\n", f);
}

static int cmd_help(const struct cmd *cmd, int argc, char **argv)
{
	const struct cmd *c;

	if (!argc) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 1)
		return usage_error(cmd, "unexpected argument '%s'", argv[1]);
	for (c = cmds; c->name; c++) {
		if (!strcmp(c->name, argv[0])) {
			cmd_usage(stdout, c);
			printf("%s\n", c->help);
			return EXIT_OK;
		}
	}
	return usage_error(cmd, "unknown command '%s'", argv[0]);
}

/* Output that never made it (full disk, closed pipe) is an error too. */
static int finish(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "mxlockctl: write error: %s\n",
			strerror(errno));
		return EXIT_ERR;
	}
	return ret;
}

int main(int argc, char **argv)
{
	const struct cmd *cmd;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return finish(EXIT_OK);
		} else if (!strcmp(argv[i], "--version")) {
			printf("mxlockctl %s (mxlock generic netlink version %d)\n",
			       MXLOCKCTL_VERSION, MXLOCK_GENL_VERSION);
			return finish(EXIT_OK);
		} else {
			fprintf(stderr, "mxlockctl: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return EXIT_ERR;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_ERR;
	}

	for (cmd = cmds; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[i]))
			break;
	if (!cmd->name) {
		fprintf(stderr, "mxlockctl: unknown command '%s'\n", argv[i]);
		usage(stderr);
		return EXIT_ERR;
	}
	if (argc > i + 1 && (!strcmp(argv[i + 1], "-h") ||
			     !strcmp(argv[i + 1], "--help"))) {
		cmd_usage(stdout, cmd);
		printf("%s\n", cmd->help);
		return finish(EXIT_OK);
	}
	/* Text where JSON was asked for would break whoever parses it. */
	if (json && !cmd->json) {
		fprintf(stderr,
			"mxlockctl: %s: no JSON output; -j is for list, stats, denied, test, monitor, sync, check and replace --dry-run\n",
			cmd->name);
		return EXIT_ERR;
	}
	mx_json_init(&jw, stdout);
	return finish(cmd->run(cmd, argc - i - 1, argv + i + 1));
}

