/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sync.h: what `mxlockctl sync` (sync.c) shares with `mxlockctl check`
 * (check.c): sync.conf, the local entries it merges in, and the record
 * of each sync's outcome in the state directory.
 *
 * The state directory (state-dir, /var/lib/mxlock) holds, after a sync
 * that is not a dry run:
 *   sync.list     the provider's ranges last loaded; rewritten by every
 *                 sync that succeeds (applied or unchanged), so its
 *                 modification time is the time of the last good sync
 *   sync.state    the live list's hit counts at the last sync (preview.h)
 *   sync.fetched  the provider's ranges as last fetched, loaded or not
 *                 (a sync the guard refused leaves them here only)
 *   sync.result   the outcome of the last sync: "time UNIX-SECONDS",
 *                 "result applied|unchanged|refused|failed" and, unless
 *                 it succeeded, "why TEXT"
 */
#ifndef MXLOCKCTL_SYNC_H
#define MXLOCKCTL_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "mxlockctl.h"

#define SYNC_CONF	"/etc/mxlock/sync.conf"
#define SYNC_FETCHED	"sync.fetched"
#define SYNC_RESULT	"sync.result"

struct strv {
	char **v;
	size_t n;
};

struct sync_conf {
	struct strv providers, extras, resolvers;
	bool extras_set;
	char *trust_anchor;		/* NULL: the default; "none": no DNSSEC */
	bool require_secure;
	unsigned int timeout_s;
	unsigned int max_shrink;	/* percent */
	char *state_dir;
};

/*
 * Read sync.conf into c, with the defaults for what it leaves out
 * (state_dir included). dflt: path is the default, and a missing file
 * is no error. Every bad line is reported. 0, or -1 (reported; with
 * errno of the open when the file could not be opened, else 0).
 */
int sync_conf_read(const struct cmd *cmd, const char *path, bool dflt,
		   struct sync_conf *c);
void sync_conf_free(struct sync_conf *c);

/*
 * Append the local entries sync merges in to l: the extra files, or
 * allow.conf if there is one and none is named. 0, or -1 (reported).
 */
int sync_read_extras(const struct cmd *cmd, const struct sync_conf *c,
		     struct mx_entry_list *l);

#endif /* MXLOCKCTL_SYNC_H */
