/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analysis/compare.h: the numbers behind a report or a compare table: per
 * metric and arm the runs' values, their median, quartiles, range and
 * bootstrap interval; per arm against the first, the change of the
 * medians and the permutation test; for the primary metrics only, Holm's
 * correction and the noise floor a significant change must clear.
 */
#ifndef KVMSQ_ANALYSIS_COMPARE_H
#define KVMSQ_ANALYSIS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/results.h"
#include "common/metrics.h"

#define CMP_ALPHA		0.05
#define CMP_LEVEL		0.95
#define CMP_DEFAULT_FLOOR	0.05
#define CMP_MIN_FLOOR		0.01
/*
 * Times and rates of runs that all ran on the lab's instruction clock
 * (host.clock "icount") repeat to a fraction of a percent between A/A
 * runs, so their floors are lower (README, "The lab clock").
 */
#define CMP_ICOUNT_FLOOR	0.005
#define CMP_ICOUNT_MIN_FLOOR	0.001

struct cmp_opts {
	uint64_t seed;
	unsigned int resamples;		/* bootstrap */
	double alpha;			/* after Holm */
	double level;			/* of the interval */
};

/* One metric in one arm. */
struct cmp_cell {
	double *values;			/* one per run that has the metric */
	size_t n, n_na;			/* runs with a value, runs where it is n/a */
	double median, min, max;	/* NAN when n == 0 */
	double q1, q3;			/* quartiles; NAN when n == 0 */
	double ci_lo, ci_hi;		/* NAN when n < 2 */
	/* against the first arm; NAN in the first arm or without data */
	double change;			/* (median - first) / |first|; +-INFINITY from 0 */
	double p_raw;			/* NAN: not tested */
	double p_holm;			/* primaries only; NAN: not tested */
	bool significant;		/* primaries only */
	/*
	 * Primaries, with cmp_table_mde(): the smallest relative change of
	 * the median (either way) this arm's runs, moved as a block, would
	 * have been starred at; NAN: not computed or never (too few runs).
	 */
	double mde;
};

struct cmp_row {
	const struct metric *m;
	bool primary;			/* tested for significance */
	double floor;			/* relative change it must exceed */
	int floor_sets;			/* measured from this many A/A sets; 0: default */
	struct cmp_cell *cells;		/* one per arm */
};

struct cmp_table {
	const char *experiment;
	size_t nr_arms, nr_rows;
	const char **labels;		/* per arm; not owned */
	struct result_set **sets;	/* per arm, or NULL (a table built by hand) */
	struct cmp_row *rows;		/* the primaries first */
	size_t *family;			/* per arm: how many tests Holm adjusted over */
	size_t nr_primary;		/* rows[0..nr_primary) are the primaries */
	const char *primary_from;	/* "spec.primary", "--primary" or NULL */
	/* the spec's primaries when --primary replaced them; owned */
	const struct metric **spec_primary;
	size_t nr_spec_primary;
};

/* A list of metrics: primaries, or what --drift looks at. */
struct metric_list {
	const struct metric **v;
	size_t n;
};

/* Rows for @metrics (NULL: every metric of metrics.h), cells empty. */
int cmp_table_init(struct cmp_table *t, size_t nr_arms, const struct metric *const *row_metrics,
		   size_t nr_rows);
/* A table of these sets (one per arm, the first is the baseline). */
int cmp_table_from_sets(struct cmp_table *t, struct result_set **sets, size_t nr_sets);
/* Give a cell its values (copied). */
int cmp_cell_set(struct cmp_cell *c, const double *values, size_t n, size_t n_na);
/* Medians, intervals, changes, tests and significance. */
int cmp_table_compute(struct cmp_table *t, const struct cmp_opts *o);
void cmp_table_free(struct cmp_table *t);

/*
 * The metrics of a comma-separated list of ids ("fault_p50_ns,run_s"):
 * -EINVAL naming an unknown or repeated id, -ENOMEM.
 */
int metric_list_parse(struct metric_list *l, const char *ids);
/*
 * A result's spec.primary: an empty list when it has none, -EINVAL when
 * it is not an array of known metric ids (naming the file), -ENOMEM.
 */
int metric_list_from_spec(struct metric_list *l, const struct result_file *f);
void metric_list_free(struct metric_list *l);

/*
 * Make these metrics the table's primaries, in this order, ahead of the
 * other rows (before cmp_table_compute). -EINVAL if one has no row.
 */
int cmp_table_set_primary(struct cmp_table *t, const struct metric_list *primary,
			  const char *from);

/*
 * The primaries of a table of sets: @given (--primary) when it has any,
 * noting the spec's when they differ, else the baseline's spec.primary.
 */
int cmp_table_choose_primary(struct cmp_table *t, const struct metric_list *given);

/*
 * The sampler a metric's summary value comes from ("shrink_trace"), by
 * its path, or NULL (guests' histograms, KVM statistics, the runner).
 */
const char *cmp_metric_source(const struct metric *m);
/*
 * Why arm @arm has no value of row @row in some run: the first of its
 * runs where the metric's source was unavailable, its name and why
 * (pointing into the result). -ENOENT when none was.
 */
int cmp_cell_na_source(const struct cmp_table *t, size_t row, size_t arm, const char **source,
		       const char **why);
/*
 * Why arm @arm has no value of row @row in some run when no source was
 * unavailable, as the result shows it: a key older files lack, a cgroup
 * version without the count, a spec without pressure, a kernel without
 * the statistic. A static string in *@why; -ENOENT when nothing says.
 */
int cmp_cell_na_why(const struct cmp_table *t, size_t row, size_t arm, const char **why);

/* Whether a row has a value in no run of any arm. */
bool cmp_row_all_na(const struct cmp_table *t, size_t row);

/*
 * The smallest p-value arm @arm could reach against the first arm, from
 * the runs of its primaries (of every row when there are none).
 */
double cmp_min_p(const struct cmp_table *t, size_t arm);

/*
 * After cmp_table_compute(): per primary and arm, cells[].mde, the
 * smallest change the comparison could have starred. The arm's runs are
 * centred on the baseline's median and moved by a share d of it, keeping
 * their own spread; d is the least (found by bisection, to 1e-4 of the
 * median) with which the permutation test's p, times the number of
 * primaries tested (Holm's first step, its most lenient), is below
 * alpha and d exceeds the row's floor; the larger of the two directions.
 * -ENOMEM.
 */
int cmp_table_mde(struct cmp_table *t, const struct cmp_opts *o);
/* Holm's family for arm @arm: the primaries tested, else all primaries. */
size_t cmp_family(const struct cmp_table *t, size_t arm);

/* --- noise floors from A/A runs --- */

struct noise_floor {
	const char *experiment;		/* points into the db it was measured from */
	const struct metric *m;
	double floor;			/* at least CMP_MIN_FLOOR; INFINITY possible */
	int sets;
};

struct noise_floors {
	struct noise_floor *v;
	size_t n;
};

/*
 * Floors per experiment and metric from two or more sets of repetitions
 * of the same experiment: the largest relative difference between their
 * medians, (max - min) / |min|, at least CMP_MIN_FLOOR.
 */
int noise_floors_measure(struct noise_floors *nf, const struct result_db *db);
void noise_floors_free(struct noise_floors *nf);
/*
 * Every row's floor: measured when @nf has it, else @default_floor, or
 * with @default_floor < 0 the default: CMP_DEFAULT_FLOOR, and
 * CMP_ICOUNT_FLOOR for times and rates when every run ran on icount.
 */
void cmp_table_set_floors(struct cmp_table *t, const struct noise_floors *nf,
			  double default_floor);
/* Whether every run of the table's sets ran on the lab's instruction clock. */
bool cmp_table_icount(const struct cmp_table *t);
/* The smallest floor a measurement may give this row's metric. */
double cmp_min_floor(const struct metric *m, bool icount);

#endif
