/* SPDX-License-Identifier: GPL-2.0 */
/* analysis/format.h: a table cell's numbers as text and html show them. */
#ifndef KVMSQ_ANALYSIS_FORMAT_H
#define KVMSQ_ANALYSIS_FORMAT_H

#include <stddef.h>

#include "analysis/compare.h"

/* The unit and precision of every number of one row. */
struct row_fmt {
	const char *unit;
	double divisor;
	int decimals;
};

/* A unit and a precision for every number of a row, from its medians. */
void row_fmt(struct row_fmt *f, const struct cmp_table *t, const struct cmp_row *r);
/*
 * A value in the row's unit; in powers of ten where that unit would show
 * it as 0 or in more than 9 digits; "n/a" for NaN.
 */
const char *fmt_value(char *buf, size_t len, const struct row_fmt *f, double v);
/* "+12.5%", "+1234%"; "from 0" for a change from a baseline of 0. */
const char *fmt_change(char *buf, size_t len, double change);
/*
 * Half the interquartile range of a cell's runs relative to the median,
 * "+-3.2%"; in the row's unit around a median of 0; "" below 2 runs.
 */
const char *fmt_spread(char *buf, size_t len, const struct row_fmt *f, const struct cmp_cell *c);
/* "0.0123", "<0.0001", "-" for none. */
const char *fmt_p(char *buf, size_t len, double p);

#endif
