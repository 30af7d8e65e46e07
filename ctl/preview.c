// SPDX-License-Identifier: GPL-2.0
/*
 * preview.c: the impact of loading a list (see preview.h), replace
 * --dry-run, and the state file sync keeps the hit counts in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preview.h"

/* ---- the state file ---- */

/* `list` lines ("RANGE # hits N"), in the kernel's order. */
static int state_read(const char *dir, struct mx_ival_list *prev)
{
	char path[4096], line[MX_LINE_TEXT_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 1 : -1;
	while (fgets(line, sizeof(line), f)) {
		struct mx_ival iv = { .has_hits = true };
		char why[MX_ENTRY_WHY_MAX], *text, *hits, *end;
		struct mx_entry e;

		if (line[0] == '#')
			continue;
		text = strtok(line, " \n");
		hits = strtok(NULL, "\n");
		if (!text || !hits || strncmp(hits, "# hits ", 7))
			continue;
		hits += 7;
		errno = 0;
		iv.hits = strtoull(hits, &end, 10);
		/* A damaged line: its range counts as new. */
		if (*end || errno || mx_entry_parse(text, &e, why, sizeof(why)))
			continue;
		iv.family = e.family;
		mx_entry_bounds(&e, iv.first, iv.last);
		if (mx_ival_push(prev, &iv)) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* Write path by way of a temporary file: never half a file. */
int write_atomic(const char *path, void (*fn)(FILE *f, const void *data),
		 const void *data)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fn(f, data);
	if (fflush(f) || ferror(f) || fsync(fileno(f))) {
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

void write_intervals(FILE *f, const struct mx_ival_list *l, bool hits)
{
	char text[MX_LINE_TEXT_MAX];
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!mx_interval_line(l->v[i].family, l->v[i].first,
				      l->v[i].last, hits ? &l->v[i].hits : NULL,
				      text, sizeof(text)))
			fprintf(f, "%s\n", text);
}

static void state_lines(FILE *f, const void *data)
{
	fputs("# mxlockctl sync: the live list's hit counts at the last sync\n"
	      "# (do not edit; delete it to count every hit as recent)\n", f);
	write_intervals(f, data, true);
}

int state_dir_make(const struct cmd *cmd, const char *dir)
{
	if (!mkdir(dir, 0755) || errno == EEXIST)
		return 0;
	fprintf(stderr, "mxlockctl: %s: cannot make '%s': %s\n", cmd->name,
		dir, strerror(errno));
	return -1;
}

int state_save(const struct cmd *cmd, const char *dir)
{
	struct mx_ival_list live = { 0 };
	char path[4096];
	int ret = -1;

	if (state_dir_make(cmd, dir) || read_list(cmd, &live))
		goto out;
	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	ret = write_atomic(path, state_lines, &live);
	if (ret)
		fprintf(stderr, "mxlockctl: %s: writing '%s': %s\n",
			cmd->name, path, strerror(errno));
out:
	mx_ival_free(&live);
	return ret;
}

/* ---- the impact ---- */

/* SYNs iv admitted since the last sync (since it was loaded, if new). */
static uint64_t recent(const struct preview *p, const struct mx_ival *iv)
{
	size_t lo = 0, hi = p->prev.n;

	if (!iv->has_hits)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = mx_ival_cmp(&p->prev.v[mid], iv);

		if (!c) {
			uint64_t was = p->prev.v[mid].hits;

			/* Fewer now: counted again from zero (a new module). */
			return iv->hits >= was ? iv->hits - was : iv->hits;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return iv->hits;
}

/* The diff: fn on each interval with '+', '-' or ' '. */
static void diff(const struct preview *p,
		 void (*fn)(char mark, const struct mx_ival *iv, void *data),
		 void *data)
{
	const struct mx_ival_list *next = p->next, *live = &p->live;
	size_t i = 0, j = 0;

	while (i < live->n || j < next->n) {
		int c = i == live->n ? 1 : j == next->n ? -1 :
			mx_ival_cmp(&live->v[i], &next->v[j]);

		if (c < 0)
			fn('-', &live->v[i++], data);
		else if (c > 0)
			fn('+', &next->v[j++], data);
		else
			fn(' ', &next->v[j++], data), i++;
	}
}

static void count(char mark, const struct mx_ival *iv, void *data)
{
	struct preview *p = data;

	(void)iv;
	if (mark == '+')
		p->added++;
	else if (mark == '-')
		p->removed++;
	else
		p->unchanged++;
}

static int compute(struct preview *p)
{
	const struct mx_ival_list *next = p->next, *live = &p->live;
	size_t i;
	int f;

	diff(p, count, p);
	p->cuts = calloc(live->n ? live->n : 1, sizeof(*p->cuts));
	p->admit = calloc(p->denied.n ? p->denied.n : 1, sizeof(*p->admit));
	if (!p->cuts || !p->admit)
		return -1;
	for (i = 0; i < live->n; i++) {
		const struct mx_ival *iv = &live->v[i];
		int cov = mx_ival_covered(next, iv);
		uint64_t n = recent(p, iv);

		if (cov == 2 || !n)
			continue;
		p->cuts[p->ncuts++] = (struct cut){ iv, n, cov == 1 };
	}
	for (i = 0; i < p->denied.n; i++) {
		const struct source *s = &p->denied.v[i];

		if (mx_ival_has_addr(next, s->family, s->addr))
			p->admit[p->nadmit++] = s;
	}
	for (f = 0; f < 2; f++) {
		int fam = f ? AF_INET6 : AF_INET;
		double total = mx_ival_total(live, fam);

		p->shrink[f] = total > 0 ?
			mx_ival_uncovered(live, next, fam) / total : 0;
	}
	return 0;
}

int preview_read(const struct cmd *cmd, struct preview *p,
		 const struct mx_ival_list *next, const char *state_dir)
{
	*p = (struct preview){ .next = next };
	if (read_list(cmd, &p->live) || read_denied(cmd, &p->denied))
		return EXIT_ERR;
	if (state_dir) {
		int ret = state_read(state_dir, &p->prev);

		if (ret < 0) {
			fprintf(stderr,
				"mxlockctl: %s: reading %s/%s: %s\n",
				cmd->name, state_dir, STATE_FILE,
				strerror(errno));
			return EXIT_ERR;
		}
		p->have_prev = !ret;
	}
	if (compute(p)) {
		fprintf(stderr, "mxlockctl: %s: %s\n", cmd->name,
			strerror(ENOMEM));
		return EXIT_ERR;
	}
	return EXIT_OK;
}

bool preview_same(const struct preview *p)
{
	return !p->added && !p->removed;
}

void preview_free(struct preview *p)
{
	mx_ival_free(&p->live);
	mx_ival_free(&p->prev);
	free(p->denied.v);
	free(p->cuts);
	free(p->admit);
}

/* ---- printing ---- */

static void text_of(const struct mx_ival *iv, char *buf, size_t size)
{
	if (mx_interval_format(iv->family, iv->first, iv->last, buf, size))
		snprintf(buf, size, "?");
}

static void diff_line(char mark, const struct mx_ival *iv, void *data)
{
	char text[MX_ENTRY_TEXT_MAX];

	(void)data;
	text_of(iv, text, sizeof(text));
	printf("%c %s\n", mark, text);
}

static void diff_json(char mark, const struct mx_ival *iv, void *data)
{
	char text[MX_ENTRY_TEXT_MAX];

	if (mark != *(const char *)data)
		return;
	text_of(iv, text, sizeof(text));
	mx_json_str(&jw, text);
}

static const char *since(const struct preview *p)
{
	return p->have_prev ? "since the last sync" : "since it was loaded";
}

static unsigned int percent(double share)
{
	return (unsigned int)(share * 100 + 0.5);
}

static void print_json(const struct preview *p)
{
	static const char marks[] = "+- ";
	static const char *const keys[] = { "added", "removed", "unchanged" };
	char text[MX_ENTRY_TEXT_MAX], a[INET6_ADDRSTRLEN], t[32];
	size_t i;

	for (i = 0; i < 3; i++) {
		mx_json_key(&jw, keys[i]);
		mx_json_arr_open(&jw);
		diff(p, diff_json, (void *)&marks[i]);
		mx_json_arr_close(&jw);
	}
	mx_json_kstr(&jw, "hits_since", p->have_prev ? "sync" : "load");
	mx_json_key(&jw, "refused");
	mx_json_arr_open(&jw);
	for (i = 0; i < p->ncuts; i++) {
		text_of(p->cuts[i].iv, text, sizeof(text));
		mx_json_obj_open(&jw);
		mx_json_kstr(&jw, "entry", text);
		mx_json_ku64(&jw, "hits", p->cuts[i].recent);
		mx_json_kbool(&jw, "part", p->cuts[i].part);
		mx_json_obj_close(&jw);
	}
	mx_json_arr_close(&jw);
	mx_json_key(&jw, "admitted");
	mx_json_arr_open(&jw);
	for (i = 0; i < p->nadmit; i++) {
		const struct source *s = p->admit[i];

		inet_ntop(s->family, s->addr, a, sizeof(a));
		format_time(s->last, t, sizeof(t));
		mx_json_obj_open(&jw);
		mx_json_kstr(&jw, "addr", a);
		mx_json_ku64(&jw, "count", s->count);
		mx_json_kstr(&jw, "last", t);
		mx_json_obj_close(&jw);
	}
	mx_json_arr_close(&jw);
	mx_json_key(&jw, "shrink_percent");
	mx_json_obj_open(&jw);
	mx_json_ku64(&jw, "inet", percent(p->shrink[0]));
	mx_json_ku64(&jw, "inet6", percent(p->shrink[1]));
	mx_json_obj_close(&jw);
}

void preview_print(const struct preview *p)
{
	char text[MX_ENTRY_TEXT_MAX], a[INET6_ADDRSTRLEN], t[32];
	size_t i;

	if (json) {
		print_json(p);
		return;
	}
	printf("change: %zu added, %zu removed, %zu unchanged\n",
	       p->added, p->removed, p->unchanged);
	diff(p, diff_line, NULL);
	if (!p->ncuts)
		printf("impact: no range that admitted SYNs %s is refused\n",
		       since(p));
	for (i = 0; i < p->ncuts; i++) {
		text_of(p->cuts[i].iv, text, sizeof(text));
		printf("impact: refused from now: %s%s, which admitted %" PRIu64 " SYN%s %s\n",
		       p->cuts[i].part ? "part of " : "", text,
		       p->cuts[i].recent, p->cuts[i].recent == 1 ? "" : "s",
		       since(p));
	}
	if (!p->nadmit)
		printf("impact: no refused source is admitted\n");
	for (i = 0; i < p->nadmit; i++) {
		const struct source *s = p->admit[i];

		inet_ntop(s->family, s->addr, a, sizeof(a));
		format_time(s->last, t, sizeof(t));
		printf("impact: admitted from now: %s, refused %" PRIu64 " time%s, last at %s\n",
		       a, s->count, s->count == 1 ? "" : "s", t);
	}
}

int preview_guard(const struct cmd *cmd, const struct preview *p,
		  double max_shrink)
{
	static const char *const fam[] = { "IPv4", "IPv6" };
	char text[MX_ENTRY_TEXT_MAX], why[256];
	int n = 0;
	size_t i;

	if (json) {
		mx_json_key(&jw, "guard");
		mx_json_arr_open(&jw);
	}
	for (i = 0; i < p->ncuts + 2; i++) {
		if (i < p->ncuts) {
			text_of(p->cuts[i].iv, text, sizeof(text));
			snprintf(why, sizeof(why),
				 "it would refuse %s%s, which admitted %" PRIu64 " SYN%s %s",
				 p->cuts[i].part ? "part of " : "", text,
				 p->cuts[i].recent,
				 p->cuts[i].recent == 1 ? "" : "s", since(p));
		} else if (p->shrink[i - p->ncuts] > max_shrink) {
			snprintf(why, sizeof(why),
				 "it would remove %u%% of the %s addresses the list admits (max-shrink %u%%)",
				 percent(p->shrink[i - p->ncuts]),
				 fam[i - p->ncuts], percent(max_shrink));
		} else {
			continue;
		}
		n++;
		fprintf(stderr, "mxlockctl: %s: guard: %s\n", cmd->name, why);
		if (json)
			mx_json_str(&jw, why);
	}
	if (json)
		mx_json_arr_close(&jw);
	return n;
}

/* ---- replace --dry-run ---- */

int preview_replace(const struct cmd *cmd, struct mx_entry_list *l)
{
	struct mx_ival_list next = { 0 };
	struct preview p;
	int ret;

	if (!l->n) {
		fprintf(stderr,
			"mxlockctl: %s: an empty list would be refused: it would refuse all mail\n",
			cmd->name);
		return EXIT_ERR;
	}
	if (mx_ival_from_entries(l, &next)) {
		fprintf(stderr, "mxlockctl: %s: %s\n", cmd->name,
			strerror(ENOMEM));
		return EXIT_ERR;
	}
	ret = preview_read(cmd, &p, &next, STATE_DIR);
	if (!ret) {
		if (json)
			mx_json_obj_open(&jw);
		preview_print(&p);
		if (json) {
			mx_json_obj_close(&jw);
			mx_json_end(&jw);
		}
	}
	preview_free(&p);
	mx_ival_free(&next);
	return ret;
}
