// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/drift.c: a metric that follows the run order (the host warming
 * up, another job starting) rather than the kernel: each run's value less
 * its arm's median, rank-correlated with its block or start time, the
 * runs permuted within their arms for the p-value.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/drift.h"
#include "analysis/stats.h"
#include "common/err.h"

/* The run's place in the order, or NAN. */
static double run_order(const struct result_file *f, const char *order)
{
	if (!strcmp(order, "run.block"))
		return f->block ? (double)f->block : NAN;
	return f->started_s;
}

/* run.block when any run has one, else run.started_at when any has it. */
static const char *table_order(const struct cmp_table *t, size_t *runs)
{
	bool block = false, started = false;
	size_t a, i;

	*runs = 0;
	for (a = 0; a < t->nr_arms; a++) {
		for (i = 0; i < t->sets[a]->nr_files; i++) {
			block |= t->sets[a]->files[i]->block != 0;
			started |= !isnan(t->sets[a]->files[i]->started_s);
			(*runs)++;
		}
	}
	return block ? "run.block" : started ? "run.started_at" : NULL;
}

/* A seed per metric, so adding a metric leaves the others alone. */
static uint64_t drift_seed(const struct cmp_opts *o, const struct metric *m)
{
	uint64_t h = o->seed ^ 0x84222325cbf29ce4ull;
	const char *p;

	for (p = m->name; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return h;
}

struct drift_data {
	double *x, *y;
	size_t *arm;
};

/*
 * Each run's value less its arm's median, with its place in the order:
 * halved when @half (which keeps the ranks, and keeps values near 1.7e308
 * from overflowing). Whether one did overflow.
 */
static bool row_residuals(struct drift_data *dd, size_t *n, const struct cmp_table *t,
			  const struct cmp_row *r, const char *order, bool half)
{
	double v, at, k = half ? 0.5 : 1;
	bool overflow = false;
	size_t a, i;

	*n = 0;
	for (a = 0; a < t->nr_arms; a++) {
		if (!r->cells[a].n)
			continue;
		for (i = 0; i < t->sets[a]->nr_files; i++) {
			at = run_order(t->sets[a]->files[i], order);
			if (isnan(at) || metric_value(r->m, t->sets[a]->files[i]->root, &v))
				continue;
			dd->x[*n] = at;
			dd->y[*n] = v * k - r->cells[a].median * k;
			overflow |= !isfinite(dd->y[*n]);
			dd->arm[(*n)++] = a;
		}
	}
	return overflow;
}

static int row_drift(struct drift_row *dr, const struct cmp_table *t, size_t row,
		     const char *order, struct drift_data *dd, const struct cmp_opts *o)
{
	const struct cmp_row *r = &t->rows[row];
	size_t n;
	int ret;

	dr->m = r->m;
	dr->rho = dr->p = NAN;
	if (row_residuals(dd, &n, t, r, order, false))
		row_residuals(dd, &n, t, r, order, true);
	dr->n = n;
	if (n < 3)
		return 0;
	ret = stats_spearman_test(dd->x, dd->y, dd->arm, n, drift_seed(o, r->m), &dr->rho, &dr->p);
	return ret == -ENOMEM ? err_set(ENOMEM, "drift: out of memory") : 0;
}

int drift_measure(struct drift *d, const struct cmp_table *t, bool all, const struct cmp_opts *o)
{
	struct drift_data dd = { 0 };
	size_t i, a, k, runs;
	int ret = 0;

	memset(d, 0, sizeof(*d));
	if (!t->sets)
		return err_set(EINVAL, "drift: a table without result files");
	d->order = table_order(t, &runs);
	d->runs = runs;
	for (a = 0; a < t->nr_arms; a++)
		for (i = 0; d->order && i < t->sets[a]->nr_files; i++)
			d->left_out += isnan(run_order(t->sets[a]->files[i], d->order));
	if (!d->order)
		return 0;
	d->rows = calloc(t->nr_rows, sizeof(*d->rows));
	dd.x = malloc((runs ? runs : 1) * sizeof(*dd.x));
	dd.y = malloc((runs ? runs : 1) * sizeof(*dd.y));
	dd.arm = malloc((runs ? runs : 1) * sizeof(*dd.arm));
	if (!d->rows || !dd.x || !dd.y || !dd.arm) {
		ret = err_set(ENOMEM, "drift: out of memory");
		goto out;
	}
	for (i = 0, k = 0; i < t->nr_rows && !ret; i++) {
		if (all ? cmp_row_all_na(t, i) : !t->rows[i].primary)
			continue;
		ret = row_drift(&d->rows[k++], t, i, d->order, &dd, o);
	}
	d->nr_rows = k;
out:
	free(dd.arm);
	free(dd.y);
	free(dd.x);
	if (ret)
		drift_free(d);
	return ret;
}

void drift_free(struct drift *d)
{
	free(d->rows);
	memset(d, 0, sizeof(*d));
}

int drifts_measure(struct drift **d, struct cmp_table *const *tables, size_t n, bool all,
		   const struct cmp_opts *o)
{
	size_t k;
	int ret = 0;

	*d = calloc(n ? n : 1, sizeof(**d));
	if (!*d)
		return err_set(ENOMEM, "drift: out of memory");
	for (k = 0; k < n && !ret; k++)
		ret = drift_measure(&(*d)[k], tables[k], all, o);
	if (ret) {
		drifts_free(*d, n);
		*d = NULL;
	}
	return ret;
}

void drifts_free(struct drift *d, size_t n)
{
	size_t k;

	for (k = 0; d && k < n; k++)
		drift_free(&d[k]);
	free(d);
}
