// SPDX-License-Identifier: GPL-2.0
/*
 * sync.c: `mxlockctl sync`: the provider's relays from its SPF records
 * (spf.c), merged with the local entries, shown as a change to the live
 * list (preview.c), guarded, and loaded atomically (set.c).
 *
 * Nothing is changed unless every provider domain resolved completely:
 * a DNS failure, a bogus signature or a term past RFC 7208's limits
 * leaves the live list as it is (exit 2). The guard refuses (exit 3) a
 * change that would refuse a range that admitted SYNs since the last
 * sync, or shrink either family by more than max-shrink; --force
 * overrides it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "preview.h"
#include "spf.h"
#include "sync.h"

#define ALLOW_CONF	"/etc/mxlock/allow.conf"
#define ROOT_KEY	"/usr/share/dns/root.key"
#define EXIT_GUARD	3

static int strv_push(struct strv *s, const char *v)
{
	char **n = reallocarray(s->v, s->n + 1, sizeof(*n));

	if (!n)
		return -1;
	s->v = n;
	s->v[s->n] = strdup(v);
	if (!s->v[s->n])
		return -1;
	s->n++;
	return 0;
}

static void strv_free(struct strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

void sync_conf_free(struct sync_conf *c)
{
	strv_free(&c->providers);
	strv_free(&c->extras);
	strv_free(&c->resolvers);
	free(c->trust_anchor);
	free(c->state_dir);
}

static int number(const char *v, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (end == v || errno || n > max)
		return -1;
	if (*end == '%' && end[1] == 0)
		end++;
	if (*end)
		return -1;
	*out = n;
	return 0;
}

/* One "key value" line; the value is one word. */
static int conf_line(struct sync_conf *c, const char *key, const char *v,
		     char *why, size_t whylen)
{
	struct strv *list = NULL;
	char **one = NULL;

	if (!strcmp(key, "provider"))
		list = &c->providers;
	else if (!strcmp(key, "extra"))
		list = &c->extras, c->extras_set = true;
	else if (!strcmp(key, "resolver"))
		list = &c->resolvers;
	else if (!strcmp(key, "trust-anchor"))
		one = &c->trust_anchor;
	else if (!strcmp(key, "state-dir"))
		one = &c->state_dir;
	else if (!strcmp(key, "dnssec")) {
		if (strcmp(v, "require") && strcmp(v, "prefer"))
			return mx_why(why, whylen,
				      "dnssec is 'require' or 'prefer', not '%s'",
				      v);
		c->require_secure = !strcmp(v, "require");
		return 0;
	} else if (!strcmp(key, "timeout")) {
		if (number(v, 3600, &c->timeout_s) || !c->timeout_s)
			return mx_why(why, whylen,
				      "timeout is 1 to 3600 seconds, not '%s'", v);
		return 0;
	} else if (!strcmp(key, "max-shrink")) {
		if (number(v, 100, &c->max_shrink))
			return mx_why(why, whylen,
				      "max-shrink is 0 to 100 (percent), not '%s'",
				      v);
		return 0;
	} else {
		return mx_why(why, whylen, "unknown setting '%s'", key);
	}
	if (list)
		return strv_push(list, v) ? mx_why(why, whylen, "%s",
						   strerror(ENOMEM)) : 0;
	free(*one);
	*one = strdup(v);
	return *one ? 0 : mx_why(why, whylen, "%s", strerror(ENOMEM));
}

/* Read the file; a missing one is no error when it is the default. */
int sync_conf_read(const struct cmd *cmd, const char *path, bool dflt,
		   struct sync_conf *c)
{
	char line[1024], why[256];
	unsigned int no = 0;
	int bad = 0, err;
	FILE *f;

	*c = (struct sync_conf){ .timeout_s = 30, .max_shrink = 50 };
	f = fopen(path, "r");
	if (!f) {
		err = errno;
		if (dflt && err == ENOENT)
			goto dflt_dir;
		fprintf(stderr, "mxlockctl: %s: cannot open '%s': %s\n",
			cmd->name, path, strerror(err));
		errno = err;
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *key, *v, *rest;

		no++;
		line[strcspn(line, "#")] = 0;
		key = strtok(line, " \t\r\n");
		if (!key)
			continue;
		v = strtok(NULL, " \t\r\n");
		rest = v ? strtok(NULL, " \t\r\n") : NULL;
		if (!v || rest) {
			fprintf(stderr, "mxlockctl: %s: %s:%u: '%s' takes one value\n",
				cmd->name, path, no, key);
			bad++;
			continue;
		}
		if (conf_line(c, key, v, why, sizeof(why))) {
			fprintf(stderr, "mxlockctl: %s: %s:%u: %s\n",
				cmd->name, path, no, why);
			bad++;
		}
	}
	fclose(f);
	errno = 0;
	if (bad)
		return -1;
dflt_dir:
	if (!c->state_dir && !(c->state_dir = strdup(STATE_DIR))) {
		fprintf(stderr, "mxlockctl: %s: %s\n", cmd->name,
			strerror(ENOMEM));
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* ---- the lists ---- */

/* One file of local entries; optional: a missing one is no error. */
static int read_extra(const struct cmd *cmd, const char *name, bool optional,
		      struct mx_entry_list *l)
{
	int bad = read_file(cmd, name, l, optional);

	if (bad > 0)
		fprintf(stderr, "mxlockctl: %s: '%s' has bad entries; nothing changed\n",
			cmd->name, name);
	else if (bad < 0)
		fprintf(stderr, "mxlockctl: %s: nothing changed\n", cmd->name);
	return bad ? -1 : 0;
}

/* The extra files, or allow.conf if there is one and none is named. */
int sync_read_extras(const struct cmd *cmd, const struct sync_conf *c,
		     struct mx_entry_list *l)
{
	size_t i;

	if (!c->extras_set)
		return read_extra(cmd, ALLOW_CONF, true, l);
	for (i = 0; i < c->extras.n; i++)
		if (read_extra(cmd, c->extras.v[i], false, l))
			return -1;
	return 0;
}

struct sync_list {
	const struct mx_ival_list *l;
	const struct strv *domains;
};

static void sync_lines(FILE *f, const void *data)
{
	const struct sync_list *s = data;
	size_t i;

	fputs("# Written by mxlockctl sync: the provider's ranges last loaded,\n"
	      "# from the SPF records of:", f);
	for (i = 0; i < s->domains->n; i++)
		fprintf(f, " %s", s->domains->v[i]);
	fputs("\n# mxlock.service loads it at boot with allow.conf. Do not edit:\n"
	      "# the next sync rewrites it.\n", f);
	write_intervals(f, s->l, false);
}

/* After a sync: the provider's ranges, and the hit counts now. */
static int save(const struct cmd *cmd, const struct sync_conf *c,
		const struct strv *domains, const struct mx_entry_list *spf)
{
	struct mx_ival_list merged = { 0 };
	struct sync_list s = { &merged, domains };
	char path[4096];
	int ret;

	if (state_dir_make(cmd, c->state_dir))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", c->state_dir, SYNC_LIST);
	ret = mx_ival_from_entries(spf, &merged);
	if (!ret)
		ret = write_atomic(path, sync_lines, &s);
	if (ret)
		fprintf(stderr, "mxlockctl: %s: writing '%s': %s\n",
			cmd->name, path, strerror(errno));
	mx_ival_free(&merged);
	return ret ? -1 : state_save(cmd, c->state_dir);
}

/* ---- the command ---- */

struct found {
	const char *domain;
	struct spf_report rep;
};

static void print_sources(const struct found *f, size_t n)
{
	size_t i;

	if (json) {
		mx_json_key(&jw, "sources");
		mx_json_arr_open(&jw);
	}
	for (i = 0; i < n; i++) {
		const struct spf_report *r = &f[i].rep;
		const char *sec = r->secure ? "secure" : "insecure";

		if (json) {
			mx_json_obj_open(&jw);
			mx_json_kstr(&jw, "domain", f[i].domain);
			mx_json_kstr(&jw, "dnssec", sec);
			mx_json_ku64(&jw, "entries", r->entries);
			mx_json_ku64(&jw, "lookups", r->lookups);
			mx_json_ku64(&jw, "void_lookups", r->voids);
			mx_json_ku64(&jw, "queries", r->queries);
			mx_json_ku64(&jw, "skipped", r->skipped);
			mx_json_ku64(&jw, "mapped_skipped", r->mapped);
			mx_json_obj_close(&jw);
			continue;
		}
		printf("spf: %s: %zu entr%s, %u of %d DNS-querying terms, %s",
		       f[i].domain, r->entries, r->entries == 1 ? "y" : "ies",
		       r->lookups, SPF_MAX_LOOKUPS, sec);
		if (r->skipped)
			printf(", %u non-pass term%s left out", r->skipped,
			       r->skipped == 1 ? "" : "s");
		if (r->mapped)
			printf(", %u IPv4-mapped ip6 range%s left out (never matched)",
			       r->mapped, r->mapped == 1 ? "" : "s");
		printf("\n");
	}
	if (json)
		mx_json_arr_close(&jw);
}

static int resolve(const struct cmd *cmd, const struct sync_conf *c,
		   const struct strv *domains, struct found *found,
		   struct mx_entry_list *spf, char *fail, size_t faillen)
{
	const char *ta = c->trust_anchor;
	struct spf_opts o = {
		.resolvers = (const char *const *)c->resolvers.v,
		.nresolvers = c->resolvers.n,
		.require_secure = c->require_secure,
		.timeout_ms = c->timeout_s * 1000,
	};
	char why[SPF_WHY_MAX];
	struct spf *s;
	bool named;
	size_t i;

	if (!ta)
		ta = access(ROOT_KEY, R_OK) ? NULL : ROOT_KEY;
	else if (!strcmp(ta, "none"))
		ta = NULL;
	if (!ta && c->require_secure) {
		fprintf(stderr,
			"mxlockctl: %s: 'dnssec require' needs a trust anchor: 'trust-anchor FILE', or %s (package dns-root-data)\n",
			cmd->name, ROOT_KEY);
		snprintf(fail, faillen, "'dnssec require' needs a trust anchor");
		return -1;
	}
	o.trust_anchor = ta;
	s = spf_new(&o, why, sizeof(why));
	if (!s) {
		fprintf(stderr, "mxlockctl: %s: %s\n", cmd->name, why);
		snprintf(fail, faillen, "%s", why);
		return -1;
	}
	for (i = 0; i < domains->n; i++) {
		size_t before = spf->n;

		found[i].domain = domains->v[i];
		if (spf_resolve(s, domains->v[i], spf, &found[i].rep, why,
				sizeof(why))) {
			fprintf(stderr,
				"mxlockctl: %s: %s: %s; nothing changed\n",
				cmd->name, domains->v[i], why);
			/* The reason names the domain, or it is added. */
			named = !strncmp(why, domains->v[i],
					 strlen(domains->v[i]));
			snprintf(fail, faillen, "%s%s%s",
				 named ? "" : domains->v[i], named ? "" : ": ",
				 why);
			goto fail;
		}
		if (spf->n == before) {
			fprintf(stderr,
				"mxlockctl: %s: %s: its SPF record authorizes no address; nothing changed\n",
				cmd->name, domains->v[i]);
			snprintf(fail, faillen,
				 "%s: its SPF record authorizes no address",
				 domains->v[i]);
			goto fail;
		}
	}
	spf_free(s);
	return 0;
fail:
	spf_free(s);
	return -1;
}

struct result {
	const char *result;		/* applied, unchanged, refused, failed */
	const char *why;		/* unless applied or unchanged */
};

static void result_lines(FILE *f, const void *data)
{
	const struct result *r = data;

	fprintf(f, "# mxlockctl sync: the outcome of the last sync (mxlockctl check reads it)\n"
		"time %lld\nresult %s\n", (long long)time(NULL), r->result);
	if (r->why && *r->why) {
		const char *p;

		/* One line, whatever the reason says. */
		fputs("why ", f);
		for (p = r->why; *p; p++)
			fputc(*p == '\n' || *p == '\r' ? ' ' : *p, f);
		fputc('\n', f);
	}
}

static void fetched_lines(FILE *f, const void *data)
{
	fputs("# Written by mxlockctl sync: the provider's ranges as last fetched,\n"
	      "# loaded or not (mxlockctl check reads it). Do not edit.\n", f);
	write_intervals(f, data, false);
}

/*
 * After a sync that is not a dry run: what the provider's records said
 * (spf, when they resolved) and the outcome, in the state directory.
 * 0, or -1 (reported).
 */
static int record(const struct cmd *cmd, const struct sync_conf *c,
		  const struct mx_entry_list *spf, const char *result,
		  const char *why)
{
	struct result r = { result, why };
	struct mx_ival_list merged = { 0 };
	char path[4096];
	int ret = 0;

	if (state_dir_make(cmd, c->state_dir))
		return -1;
	if (spf) {
		snprintf(path, sizeof(path), "%s/%s", c->state_dir,
			 SYNC_FETCHED);
		ret = mx_ival_from_entries(spf, &merged);
		if (!ret)
			ret = write_atomic(path, fetched_lines, &merged);
		mx_ival_free(&merged);
	}
	if (!ret) {
		snprintf(path, sizeof(path), "%s/%s", c->state_dir,
			 SYNC_RESULT);
		ret = write_atomic(path, result_lines, &r);
	}
	if (ret)
		fprintf(stderr, "mxlockctl: %s: writing '%s': %s\n",
			cmd->name, path, strerror(errno));
	return ret ? -1 : 0;
}

int cmd_sync(const struct cmd *cmd, int argc, char **argv)
{
	struct mx_entry_list spf = { 0 }, all = { 0 };
	struct mx_ival_list next = { 0 };
	const char *conf = SYNC_CONF;
	bool dry_run = false, force = false, dflt = true, same;
	bool resolved = false, conf_ok = false;
	struct strv args = { 0 };
	const struct strv *domains;
	struct found *found = NULL;
	struct sync_conf c = { 0 };
	struct preview p = { 0 };
	const char *result = "failed";
	char why[SPF_WHY_MAX + 256] = "";
	int ret = EXIT_ERR, i, refused;
	size_t k;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run")) {
			dry_run = true;
		} else if (!strcmp(argv[i], "--force")) {
			force = true;
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			conf = argv[++i];
			dflt = false;
		} else if (argv[i][0] == '-') {
			if (!strcmp(argv[i], "-c"))
				ret = usage_error(cmd, "-c needs a FILE");
			else
				ret = usage_error(cmd, "unknown option '%s'",
						  argv[i]);
			goto out;
		} else if (strv_push(&args, argv[i])) {
			goto out;
		}
	}
	if (sync_conf_read(cmd, conf, dflt, &c))
		goto out;
	domains = args.n ? &args : &c.providers;
	if (!domains->n) {
		ret = usage_error(cmd,
				  "no provider domain: name one in %s ('provider DOMAIN') or on the command line",
				  conf);
		goto out;
	}
	/* From here on, every outcome is recorded (unless a dry run). */
	conf_ok = true;
	found = calloc(domains->n, sizeof(*found));
	if (!found) {
		snprintf(why, sizeof(why), "%s", strerror(ENOMEM));
		goto out;
	}
	if (resolve(cmd, &c, domains, found, &spf, why, sizeof(why)))
		goto out;
	resolved = true;

	/* The new list: the local entries and the provider's. */
	if (sync_read_extras(cmd, &c, &all)) {
		snprintf(why, sizeof(why), "the local entries could not be read");
		goto out;
	}
	for (k = 0; k < spf.n; k++)
		if (mx_entry_list_push(&all, &spf.v[k]))
			goto out;
	if (mx_ival_from_entries(&all, &next))
		goto out;
	if (preview_read(cmd, &p, &next, c.state_dir)) {
		snprintf(why, sizeof(why), "the live list could not be read");
		goto out;
	}

	if (json)
		mx_json_obj_open(&jw);
	print_sources(found, domains->n);
	preview_print(&p);
	same = preview_same(&p);
	refused = same ? 0 : preview_guard(cmd, &p, c.max_shrink / 100.0);
	if (same)
		result = "unchanged";
	else if (refused && !force)
		result = dry_run ? "would be refused" : "refused";
	else
		result = dry_run ? "would apply" : "applied";
	if (!dry_run && !strcmp(result, "applied") &&
	    load_list(cmd, &all)) {
		result = "failed";
		snprintf(why, sizeof(why), "the kernel did not take the list");
	}
	if (json) {
		mx_json_kbool(&jw, "forced", force && refused);
		mx_json_kstr(&jw, "result", result);
		mx_json_obj_close(&jw);
		mx_json_end(&jw);
	} else {
		printf("sync: %s%s\n", result,
		       force && refused && strcmp(result, "failed") ?
		       " (guard overridden by --force)" : "");
	}
	if (!strcmp(result, "failed"))
		goto out;
	if (refused && !force) {
		ret = EXIT_GUARD;
		if (dry_run)
			goto out;
		fprintf(stderr,
			"mxlockctl: %s: refused by the guard: nothing changed (--force applies it)\n",
			cmd->name);
		snprintf(why, sizeof(why),
			 "the guard refused the change (%d reason%s; --force applies it)",
			 refused, refused == 1 ? "" : "s");
		/*
		 * Count hits from now: a range that admits nothing until the
		 * next sync is quiet then, and the change goes through.
		 */
		if (state_save(cmd, c.state_dir))
			ret = EXIT_ERR;
		goto out;
	}
	ret = EXIT_OK;
	if (!dry_run && save(cmd, &c, domains, &spf)) {
		ret = EXIT_ERR;
		result = "failed";
		snprintf(why, sizeof(why), "the state could not be written");
	}
out:
	if (conf_ok && !dry_run &&
	    record(cmd, &c, resolved ? &spf : NULL, result, why) &&
	    ret == EXIT_OK)
		ret = EXIT_ERR;
	preview_free(&p);
	mx_ival_free(&next);
	mx_entry_list_free(&all);
	mx_entry_list_free(&spf);
	free(found);
	strv_free(&args);
	sync_conf_free(&c);
	return ret;
}
