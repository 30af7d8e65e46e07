/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The impact of loading a list, before it is loaded: what it adds,
 * removes and keeps of the live list; which live ranges that admitted
 * SYNs recently it would refuse; which refused sources it would admit;
 * and the guard that sync applies to it.
 *
 * "Recently" is since the previous sync: every sync that is not a dry
 * run, applied or refused, keeps the live list's hit counts in a state
 * file; without one, since each range was loaded.
 */
#ifndef MXLOCKCTL_PREVIEW_H
#define MXLOCKCTL_PREVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ival.h"
#include "mxlockctl.h"

#define STATE_DIR	"/var/lib/mxlock"
#define STATE_FILE	"sync.state"	/* the hit counts at the last sync */
#define SYNC_LIST	"sync.list"	/* the provider's entries last loaded */

/* A live range the new list would refuse all or part of. */
struct cut {
	const struct mx_ival *iv;	/* in live */
	uint64_t recent;		/* SYNs it admitted since the last sync */
	bool part;			/* the new list keeps part of it */
};

struct preview {
	const struct mx_ival_list *next;	/* the list to load */
	struct mx_ival_list live;		/* the kernel's, with hits */
	struct source_list denied;		/* refused sources */
	struct mx_ival_list prev;		/* hits at the last sync */
	bool have_prev;

	size_t added, removed, unchanged;	/* intervals */
	struct cut *cuts;			/* recent > 0 only */
	size_t ncuts;
	const struct source **admit;		/* sources next admits */
	size_t nadmit;
	double shrink[2];	/* share of IPv4, IPv6 addresses removed */
};

/*
 * Read the live list, the refused sources and the state file (state_dir
 * may be NULL: no state), and work out the impact of loading next.
 * EXIT_OK or EXIT_ERR (reported).
 */
int preview_read(const struct cmd *cmd, struct preview *p,
		 const struct mx_ival_list *next, const char *state_dir);

/* next is what the kernel holds already. */
bool preview_same(const struct preview *p);

/*
 * Print the diff and the impact: text on stdout, or with -j the keys
 * into the JSON object the caller has open.
 */
void preview_print(const struct preview *p);

/*
 * The guard: the reasons to refuse loading next (a range that admitted
 * SYNs since the last sync would be refused; more than max_shrink of a
 * family's addresses removed). Each is printed to stderr (with -j also
 * as "guard" in the open object). Returns how many there are.
 */
int preview_guard(const struct cmd *cmd, const struct preview *p,
		  double max_shrink);

void preview_free(struct preview *p);

/* The intervals as `list` prints them, with their hits if asked. */
void write_intervals(FILE *f, const struct mx_ival_list *l, bool hits);

/* Write path by way of path.tmp and rename: never half a file. 0/-1. */
int write_atomic(const char *path, void (*fn)(FILE *f, const void *data),
		 const void *data);

/* Make the state directory if it is missing. 0, or -1 (reported). */
int state_dir_make(const struct cmd *cmd, const char *dir);

/* Save the live list's hit counts as state_dir/sync.state. 0 or -1. */
int state_save(const struct cmd *cmd, const char *state_dir);

#endif /* MXLOCKCTL_PREVIEW_H */
