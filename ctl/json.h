/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer for `mxlockctl -j`, in the manner of
 * iproute2's json_writer: values go out as they are given, so a list of
 * millions of intervals is never held as a document in memory. Output is
 * compact (no whitespace); the caller ends each document with
 * mx_json_end(), which writes the newline.
 *
 * Nesting is the caller's to get right; deeper than MX_JSON_DEPTH is a
 * bug, caught by assert().
 */
#ifndef MXLOCKCTL_JSON_H
#define MXLOCKCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MX_JSON_DEPTH	8

struct mx_json {
	FILE *f;
	unsigned int depth;
	bool keyed;			/* a key is out: its value comes next */
	bool more[MX_JSON_DEPTH];	/* this level has a member already */
};

void mx_json_init(struct mx_json *j, FILE *f);

/*
 * Write s as a JSON string: quoted; '"', '\\' and control characters
 * escaped; bytes that are not well-formed UTF-8 written as U+FFFD.
 */
void mx_json_string(FILE *f, const char *s);

void mx_json_obj_open(struct mx_json *j);
void mx_json_obj_close(struct mx_json *j);
void mx_json_arr_open(struct mx_json *j);
void mx_json_arr_close(struct mx_json *j);

/* An object member's name: the next value is its value. */
void mx_json_key(struct mx_json *j, const char *key);

void mx_json_str(struct mx_json *j, const char *s);
void mx_json_u64(struct mx_json *j, uint64_t v);
void mx_json_bool(struct mx_json *j, bool v);

/* A key and its value. */
void mx_json_kstr(struct mx_json *j, const char *key, const char *s);
void mx_json_ku64(struct mx_json *j, const char *key, uint64_t v);
void mx_json_kbool(struct mx_json *j, const char *key, bool v);

/* End a top-level document: a newline; the next value starts anew. */
void mx_json_end(struct mx_json *j);

#endif /* MXLOCKCTL_JSON_H */
