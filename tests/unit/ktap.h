/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KTAP result lines for the host unit tests of kmod/set.c: ok() prints
 * one numbered result, ktap_done() the totals and the exit status.
 */
#ifndef _MXLOCK_UNIT_KTAP_H
#define _MXLOCK_UNIT_KTAP_H

#include <stdarg.h>
#include <stdio.h>

static int nr_tests, nr_failed;

static void __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	if (!cond)
		nr_failed++;
	printf("%sok %d ", cond ? "" : "not ", nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* "# NAME: N tests, N failed"; the exit status main() returns */
static int ktap_done(const char *name)
{
	printf("# %s: %d tests, %d failed\n", name, nr_tests, nr_failed);
	return nr_failed ? 1 : 0;
}

#endif
