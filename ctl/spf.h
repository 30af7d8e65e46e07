/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A provider's outbound relays, read from its SPF record (RFC 7208) and
 * turned into allowlist entries, through libunbound: a validating
 * resolver, so that a forged answer cannot widen the list when the
 * provider signs its zone.
 *
 * Only what can become address ranges is taken: ip4, ip6, a, mx, and
 * the ranges of include and redirect targets. A pass term that cannot
 * (ptr, exists, a macro, +all) fails the whole resolution, as does any
 * DNS failure or a term past RFC 7208's limits: a partial answer must
 * never replace a list.
 */
#ifndef MXLOCKCTL_SPF_H
#define MXLOCKCTL_SPF_H

#include <stdbool.h>
#include <stddef.h>

#include "entry.h"

#define SPF_WHY_MAX		512
#define SPF_MAX_LOOKUPS		10	/* RFC 7208 4.6.4: DNS-querying terms */
#define SPF_MAX_VOID		2	/* ... and lookups that found nothing */
#define SPF_MAX_MX		10	/* MX names one mx term may look up */

struct spf_opts {
	const char *const *resolvers;	/* forward to these; NULL: resolv.conf */
	size_t nresolvers;
	const char *trust_anchor;	/* file; NULL: validate nothing */
	bool require_secure;		/* refuse an unsigned (insecure) answer */
	unsigned int timeout_ms;	/* for all of one domain's lookups */
};

/* What resolving one domain found out, besides its entries. */
struct spf_report {
	unsigned int lookups;		/* DNS-querying terms used */
	unsigned int voids;
	unsigned int queries;		/* DNS queries asked */
	bool secure;			/* every answer validated */
	size_t entries;			/* entries it gave */
	unsigned int skipped;		/* fail/softfail/neutral terms left out */
	unsigned int mapped;		/* ip6 ranges in ::ffff:0:0/96 left out */
};

struct spf;

/* A resolver for opts. NULL with a reason in why. */
struct spf *spf_new(const struct spf_opts *opts, char *why, size_t whylen);

void spf_free(struct spf *s);

/*
 * Append the entries domain's SPF record authorizes to out, each tagged
 * (src) with domain itself, which must outlive them: a refusal by the
 * kernel then names the provider. 0, or -1 with the reason in why; out
 * may then hold part of them: discard it.
 */
int spf_resolve(struct spf *s, const char *domain, struct mx_entry_list *out,
		struct spf_report *rep, char *why, size_t whylen);

/*
 * Split one SPF record into its terms and check each without asking DNS
 * (for tests and for spf_resolve). Calls fn for each term: qualifier
 * ('+', '-', '~', '?'), name (lowercase: "ip4", "include", "redirect",
 * ...), the character that ended the name (':', '=' for a modifier, '/'
 * as in a/24, or 0) and the value after ':' or '=', or from the '/' on
 * (NULL if none). -1 if the record is not SPF ("v=spf1") or a term is
 * too long; a non-zero return from fn stops the walk and is returned.
 */
int spf_terms(const char *record,
	      int (*fn)(char qual, const char *name, char sep,
			const char *value, void *data),
	      void *data);

#endif /* MXLOCKCTL_SPF_H */
