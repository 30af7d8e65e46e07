/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guarded TCP ports as text: "25,465,587", or the same split over
 * several arguments ("25 465 587", "25,465 587").
 */
#ifndef MXLOCKCTL_PORTS_H
#define MXLOCKCTL_PORTS_H

#include <stddef.h>
#include <stdint.h>

/* Big enough for MXLOCK_MAX_PORTS ports of 5 digits with commas. */
#define MX_PORTS_TEXT_MAX	(16 * 6 + 1)

/* Big enough for any reason mx_ports_parse() gives. */
#define MX_PORTS_WHY_MAX	96

/*
 * Parse the ports in argv[0..argc): each decimal 1..65535 without
 * leading zeros, 1 to max in all, none twice. Returns the number of
 * ports put in ports[], or -1 with a one-line reason in why.
 */
int mx_ports_parse(int argc, char *const *argv, uint16_t *ports,
		   unsigned int max, char *why, size_t whylen);

/* Write n ports as "25,465,587". 0, or -1 if buf is too small. */
int mx_ports_format(const uint16_t *ports, unsigned int n, char *buf,
		    size_t size);

#endif /* MXLOCKCTL_PORTS_H */
