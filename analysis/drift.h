/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analysis/drift.h: whether a metric follows the order the runs were taken
 * in rather than their arm: Spearman's rank correlation of each run's
 * value, less its arm's median, with its block of a blocked plan (else its
 * start time), and a permutation p-value.
 */
#ifndef KVMSQ_ANALYSIS_DRIFT_H
#define KVMSQ_ANALYSIS_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/compare.h"

struct drift_row {
	const struct metric *m;
	size_t n;			/* runs with a value and a place in the order */
	double rho, p;			/* NAN: not tested (under 3 runs, or constant) */
};

struct drift {
	const char *order;		/* "run.block", "run.started_at"; NULL: neither */
	size_t runs, left_out;		/* runs of the table; those without the order */
	struct drift_row *rows;
	size_t nr_rows;
};

/*
 * The drift of a table's primaries, or of every metric with a value when
 * @all; the runs are ordered by run.block when any run has one, else by
 * run.started_at. The table must be computed (cmp_table_compute) and
 * built from sets.
 */
int drift_measure(struct drift *d, const struct cmp_table *t, bool all, const struct cmp_opts *o);
void drift_free(struct drift *d);

/* The drift of each of @n tables into a new array @d (free: drifts_free). */
int drifts_measure(struct drift **d, struct cmp_table *const *tables, size_t n, bool all,
		   const struct cmp_opts *o);
void drifts_free(struct drift *d, size_t n);

#endif
