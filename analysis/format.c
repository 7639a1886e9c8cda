// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/format.c: how a cell of a table shows its numbers, the same
 * in the text tables (text.c) and the page to browse (html.c): a unit
 * and a precision per row, values, spreads, changes and p-values.
 */
#include <math.h>
#include <stdio.h>

#include "analysis/format.h"

static bool integral(double v)
{
	return v == floor(v);
}

/* Whether every number a row shows is whole in the row's unit. */
static bool row_whole(const struct cmp_table *t, const struct cmp_row *r, double divisor)
{
	size_t a, i;

	for (a = 0; a < t->nr_arms; a++) {
		const struct cmp_cell *c = &r->cells[a];

		for (i = 0; i < c->n; i++)
			if (!integral(c->values[i] / divisor))
				return false;
		if (c->n && !integral(c->median / divisor))
			return false;
		if (!isnan(c->ci_lo) && (!integral(c->ci_lo / divisor) ||
					 !integral(c->ci_hi / divisor)))
			return false;
	}
	return true;
}

/* A unit and a precision for every number of a row, from its medians. */
void row_fmt(struct row_fmt *f, const struct cmp_table *t, const struct cmp_row *r)
{
	double mag = 0, scaled;
	size_t a;

	for (a = 0; a < t->nr_arms; a++)
		if (r->cells[a].n && fabs(r->cells[a].median) > mag)
			mag = fabs(r->cells[a].median);
	/* medians of 0: the unit of the largest value instead */
	for (a = 0; a < t->nr_arms && mag == 0; a++)
		if (r->cells[a].n)
			mag = fmax(fabs(r->cells[a].min), fabs(r->cells[a].max));
	unit_scale(r->m->unit, mag, &f->unit, &f->divisor);
	scaled = mag / f->divisor;
	if (row_whole(t, r, f->divisor) || scaled >= 1000)
		f->decimals = 0;
	else if (scaled >= 100)
		f->decimals = 1;
	else if (scaled >= 1 || scaled == 0)
		f->decimals = 2;
	else
		f->decimals = 3;
}

/*
 * A value in the row's unit; in powers of ten where that unit would show
 * it as 0 or in more than 9 digits (a row that spans 5 us and 1.7e308 s).
 */
const char *fmt_value(char *buf, size_t len, const struct row_fmt *f, double v)
{
	double x = v / f->divisor;

	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (fabs(x) >= 1e9 || (x != 0 && fabs(x) < 0.5 * pow(10, -f->decimals)))
		snprintf(buf, len, "%.3g", x);
	else
		snprintf(buf, len, "%.*f", f->decimals, x);
	return buf;
}

/*
 * "+12.5%", "+1234%"; "from 0" for a change from a baseline of 0, which
 * no percentage can say (+inf% read as an overflow).
 */
const char *fmt_change(char *buf, size_t len, double change)
{
	double pct = change * 100;

	if (isinf(change))
		snprintf(buf, len, "from 0");
	else if (fabs(pct) < 999.95)
		snprintf(buf, len, "%+.1f%%", pct);
	else if (fabs(pct) < 99999.5)
		snprintf(buf, len, "%+.0f%%", pct);
	else
		snprintf(buf, len, "%c>1e5%%", pct > 0 ? '+' : '-');
	return buf;
}

/*
 * The spread of a cell's runs: half the interquartile range relative to
 * the median, "+-3.2%", "+-18%"; in the row's unit around a median of 0,
 * "+-4" (no share of 0 is finite); "" for fewer than 2 runs.
 */
const char *fmt_spread(char *buf, size_t len, const struct row_fmt *f,
			      const struct cmp_cell *c)
{
	double half = (c->q3 - c->q1) / 2, pct;
	char val[40];

	if (c->n < 2 || isnan(half))
		snprintf(buf, len, "%s", "");
	else if (half == 0)
		snprintf(buf, len, "+-0%%");
	else if (c->median == 0)
		snprintf(buf, len, "+-%s", fmt_value(val, sizeof(val), f, half));
	else if ((pct = half / fabs(c->median) * 100) < 9.95)
		snprintf(buf, len, "+-%.1f%%", pct);
	else if (pct < 999.5)
		snprintf(buf, len, "+-%.0f%%", pct);
	else
		snprintf(buf, len, "+->999%%");
	return buf;
}

const char *fmt_p(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 0.0001)
		snprintf(buf, len, "<0.0001");
	else
		snprintf(buf, len, "%.4f", p);
	return buf;
}

