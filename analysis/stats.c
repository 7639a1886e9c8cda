// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/stats.c: median and quartiles, bootstrap interval of the
 * median, permutation test of two medians, Holm's correction and a rank
 * correlation test, for the handful of values a set of repetitions gives
 * (one value per run, never pooled samples).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "common/util.h"

/* --- generator --- */

void stats_rng_seed(struct stats_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

/* splitmix64: a Weyl sequence through a 64-bit finalizer. */
uint64_t stats_rng_next(struct stats_rng *rng)
{
	uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t stats_rng_below(struct stats_rng *rng, uint64_t bound)
{
	/* Reject the top values that would make some results likelier. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
	uint64_t x;

	do
		x = stats_rng_next(rng);
	while (x >= limit);
	return x % bound;
}

double stats_rng_unit(struct stats_rng *rng)
{
	return (double)(stats_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* --- order statistics --- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Halfway between @a and @b, also when a + b would overflow (1.7e308). */
static double midpoint(double a, double b)
{
	double sum = a + b;

	return isfinite(sum) ? sum / 2 : a / 2 + b / 2;
}

static double sorted_median(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : midpoint(s[n / 2 - 1], s[n / 2]);
}

#define SORTED_SMALL	64

/* @v sorted, in @small when it fits, else in memory of its own; NULL: none. */
static double *sorted_copy(const double *v, size_t n, double *small)
{
	double *s = n > SORTED_SMALL ? malloc(n * sizeof(*s)) : small;

	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

double stats_median(const double *v, size_t n)
{
	double small[SORTED_SMALL], *s, m;

	if (!n || !(s = sorted_copy(v, n, small)))
		return NAN;
	m = sorted_median(s, n);
	if (s != small)
		free(s);
	return m;
}

double stats_min(const double *v, size_t n)
{
	double m = n ? v[0] : NAN;
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

double stats_max(const double *v, size_t n)
{
	double m = n ? v[0] : NAN;
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

double stats_quantile(const double *v, size_t n, double q)
{
	double small[SORTED_SMALL], *s, h, r;
	size_t lo;

	if (!n || !(q >= 0 && q <= 1) || !(s = sorted_copy(v, n, small)))
		return NAN;
	h = (double)(n - 1) * q;
	lo = (size_t)floor(h);
	r = s[lo];
	if (lo + 1 < n) {
		h -= (double)lo;
		r = s[lo] + h * (s[lo + 1] - s[lo]);
		if (!isfinite(r))	/* the difference overflowed */
			r = s[lo] * (1 - h) + s[lo + 1] * h;
	}
	if (s != small)
		free(s);
	return r;
}

/* --- bootstrap --- */

/*
 * The median of a resample given as counts over the sorted values: walk
 * the counts to the middle one (or two) positions.
 */
static double counted_median(const double *sorted, const unsigned int *counts, size_t n)
{
	size_t lo_pos = (n - 1) / 2, hi_pos = n / 2, seen = 0, i;
	double lo = NAN;

	for (i = 0; i < n; i++) {
		if (!counts[i])
			continue;
		if (isnan(lo) && seen + counts[i] > lo_pos)
			lo = sorted[i];
		seen += counts[i];
		if (seen > hi_pos)
			return midpoint(lo, sorted[i]);
	}
	return lo;
}

int stats_bootstrap_median_ci(const double *v, size_t n, double level,
			      unsigned int resamples, uint64_t seed,
			      double *lo, double *hi)
{
	struct stats_rng rng;
	unsigned int *counts;
	double *sorted, *medians;
	size_t r, i, lo_idx, hi_idx;

	if (n < 2 || !(level > 0 && level < 1) || resamples < 1)
		return -EINVAL;
	sorted = malloc(n * sizeof(*sorted));
	counts = malloc(n * sizeof(*counts));
	medians = malloc(resamples * sizeof(*medians));
	if (!sorted || !counts || !medians) {
		free(medians);
		free(counts);
		free(sorted);
		return -ENOMEM;
	}
	memcpy(sorted, v, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	stats_rng_seed(&rng, seed);
	for (r = 0; r < resamples; r++) {
		memset(counts, 0, n * sizeof(*counts));
		for (i = 0; i < n; i++)
			counts[stats_rng_below(&rng, n)]++;
		medians[r] = counted_median(sorted, counts, n);
	}
	qsort(medians, resamples, sizeof(*medians), cmp_double);
	/* Percentile method: the (1-level)/2 and (1+level)/2 quantiles. */
	lo_idx = (size_t)floor((1 - level) / 2 * resamples);
	hi_idx = (size_t)ceil((1 + level) / 2 * resamples);
	hi_idx = hi_idx ? hi_idx - 1 : 0;
	if (lo_idx >= resamples)
		lo_idx = resamples - 1;
	if (hi_idx >= resamples)
		hi_idx = resamples - 1;
	*lo = medians[lo_idx];
	*hi = medians[hi_idx];
	free(medians);
	free(counts);
	free(sorted);
	return 0;
}

/* --- permutation test --- */

uint64_t stats_choose(unsigned int n, unsigned int k)
{
	uint64_t c = 1;
	unsigned int i;

	if (k > n)
		return 0;
	if (k > n - k)
		k = n - k;
	for (i = 1; i <= k; i++) {
		/*
		 * C(n - k + i, i) = C(n - k + i - 1, i - 1) * (n - k + i) / i,
		 * exact; the product in 128 bits, so only a result above 2^64
		 * saturates (C(64, 32) fits, though its product does not).
		 */
		unsigned __int128 next = (unsigned __int128)c * (n - k + i) / i;

		if (next > UINT64_MAX)
			return UINT64_MAX;
		c = (uint64_t)next;
	}
	return c;
}

/*
 * What a split is judged by: the difference in medians first; between
 * splits with the same one, the difference in means. Medians alone tie
 * too often: runs whose values sit in a few histogram buckets give every
 * split one of a few differences, and two groups of equal values apart
 * would get p = 1 for odd sizes.
 */
struct split_stat {
	double median_diff, mean_diff;
};

/* A split of the sorted pooled values, group a given as a mask. */
static struct split_stat split_stat(const double *sorted, const bool *in_a, size_t n,
				    size_t na, double total)
{
	size_t nb = n - na, ia = 0, ib = 0, i;
	double a_lo = 0, a_hi = 0, b_lo = 0, b_hi = 0, sum_a = 0;

	for (i = 0; i < n; i++) {
		if (in_a[i]) {
			if (ia == (na - 1) / 2)
				a_lo = sorted[i];
			if (ia == na / 2)
				a_hi = sorted[i];
			sum_a += sorted[i];
			ia++;
		} else {
			if (ib == (nb - 1) / 2)
				b_lo = sorted[i];
			if (ib == nb / 2)
				b_hi = sorted[i];
			ib++;
		}
	}
	return (struct split_stat){
		fabs(midpoint(a_lo, a_hi) - midpoint(b_lo, b_hi)),
		fabs(sum_a / (double)na - (total - sum_a) / (double)nb),
	};
}

/* At least as extreme as the observed split, up to rounding (@eps). */
static bool at_least(struct split_stat s, struct split_stat observed, double eps)
{
	if (s.median_diff > observed.median_diff + eps)
		return true;
	if (s.median_diff < observed.median_diff - eps)
		return false;
	return s.mean_diff >= observed.mean_diff - eps;
}

struct perm_data {
	const double *sorted;
	bool *in_a;
	size_t n, na;
	double total, eps;
	struct split_stat observed;
};

static uint64_t perm_exact(struct perm_data *d, uint64_t *splits)
{
	size_t idx[64], i, j, n = d->n, na = d->na;
	uint64_t hits = 0;

	for (i = 0; i < na; i++)
		idx[i] = i;
	*splits = 0;
	for (;;) {
		memset(d->in_a, 0, n * sizeof(*d->in_a));
		for (i = 0; i < na; i++)
			d->in_a[idx[i]] = true;
		hits += at_least(split_stat(d->sorted, d->in_a, n, na, d->total), d->observed,
				 d->eps);
		(*splits)++;
		/* next combination in lexicographic order */
		for (i = na; i-- > 0;)
			if (idx[i] < n - na + i)
				break;
		if (i == (size_t)-1)
			break;
		idx[i]++;
		for (j = i + 1; j < na; j++)
			idx[j] = idx[j - 1] + 1;
	}
	return hits;
}

static uint64_t perm_random(struct perm_data *d, size_t *order, uint64_t seed)
{
	struct stats_rng rng;
	uint64_t hits = 0, k;
	size_t i, j, t;

	stats_rng_seed(&rng, seed);
	for (i = 0; i < d->n; i++)
		order[i] = i;
	for (k = 0; k < STATS_PERM_RANDOM; k++) {
		/* a partial Fisher-Yates shuffle picks group a */
		memset(d->in_a, 0, d->n * sizeof(*d->in_a));
		for (i = 0; i < d->na; i++) {
			j = i + stats_rng_below(&rng, d->n - i);
			t = order[i];
			order[i] = order[j];
			order[j] = t;
			d->in_a[order[i]] = true;
		}
		hits += at_least(split_stat(d->sorted, d->in_a, d->n, d->na, d->total),
				 d->observed, d->eps);
	}
	return hits;
}

static double mean(const double *v, size_t n)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += v[i];
	return sum / (double)n;
}

/*
 * @a then @b into @pooled, times the power of two that brings the largest
 * magnitude below 1: the test only compares differences of medians and of
 * means, which a positive factor leaves in the same order, and with values
 * below 1 none of them can overflow (values near 1.7e308 would). A power of
 * two scales exactly.
 */
static void perm_pool(double *pooled, const double *a, size_t na, const double *b, size_t nb)
{
	double most = 0;
	size_t i, n = na + nb;
	int exp;

	memcpy(pooled, a, na * sizeof(*pooled));
	memcpy(pooled + na, b, nb * sizeof(*pooled));
	for (i = 0; i < n; i++)
		most = fmax(most, fabs(pooled[i]));
	if (!(most > 0))
		return;
	frexp(most, &exp);
	for (i = 0; i < n; i++)
		pooled[i] = ldexp(pooled[i], -exp);
}

int stats_perm_test_median(const double *a, size_t na, const double *b, size_t nb,
			   uint64_t seed, double *p, int *exact)
{
	struct perm_data d = { .n = na + nb, .na = na };
	uint64_t splits, hits;
	double *sorted, scale = 0;
	size_t *order, i;
	bool *in_a;

	if (!na || !nb)
		return -EINVAL;
	for (i = 0; i < na + nb; i++)
		if (!isfinite(i < na ? a[i] : b[i - na]))
			return -EINVAL;
	sorted = malloc(d.n * sizeof(*sorted));
	in_a = malloc(d.n * sizeof(*in_a));
	order = malloc(d.n * sizeof(*order));
	if (!sorted || !in_a || !order) {
		free(order);
		free(in_a);
		free(sorted);
		return -ENOMEM;
	}
	perm_pool(sorted, a, na, b, nb);
	d.observed.median_diff = fabs(stats_median(sorted, na) - stats_median(sorted + na, nb));
	d.observed.mean_diff = fabs(mean(sorted, na) - mean(sorted + na, nb));
	qsort(sorted, d.n, sizeof(*sorted), cmp_double);
	for (i = 0; i < d.n; i++) {
		d.total += sorted[i];
		scale = fmax(scale, fabs(sorted[i]));
	}
	d.sorted = sorted;
	d.in_a = in_a;
	d.eps = 1e-9 * scale;

	splits = stats_choose((unsigned int)d.n, (unsigned int)na);
	if (na <= 64 && splits <= STATS_PERM_EXACT_MAX) {
		hits = perm_exact(&d, &splits);
		*p = (double)hits / (double)splits;
		*exact = 1;
	} else {
		hits = perm_random(&d, order, seed);
		*p = (double)(hits + 1) / (double)(STATS_PERM_RANDOM + 1);
		*exact = 0;
	}
	free(order);
	free(in_a);
	free(sorted);
	return 0;
}

double stats_perm_min_p(size_t na, size_t nb)
{
	double *v = malloc((na + nb) * sizeof(*v)), p = 1;
	size_t i;
	int exact;

	if (!na || !nb || !v) {
		free(v);
		return 1;
	}
	/* two groups apart, no ties: the most extreme data there is */
	for (i = 0; i < na + nb; i++)
		v[i] = i < na ? (double)i : 1000.0 * (double)(na + nb) + (double)i;
	if (stats_perm_test_median(v, na, v + na, nb, STATS_DEFAULT_SEED, &p, &exact))
		p = 1;
	free(v);
	return p;
}

/* --- multiple comparisons --- */

/* A value and where it was: sorted by value, ties in their first order. */
struct indexed {
	double v;
	size_t index;
};

static int cmp_indexed(const void *a, const void *b)
{
	const struct indexed *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

int stats_holm(const double *p, size_t n, double *adj)
{
	struct indexed *items;
	double running = 0, v;
	size_t i;

	if (!n)
		return 0;
	items = malloc(n * sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		items[i].v = p[i];
		items[i].index = i;
	}
	qsort(items, n, sizeof(*items), cmp_indexed);
	/* the i-th smallest is scaled by n - i, and never below the one before */
	for (i = 0; i < n; i++) {
		v = items[i].v * (double)(n - i);
		if (v > 1)
			v = 1;
		if (v < running)
			v = running;
		running = v;
		adj[items[i].index] = v;
	}
	free(items);
	return 0;
}

/* --- rank correlation --- */

/* Ranks from 1, ties sharing their average rank. */
static int average_ranks(const double *v, size_t n, double *rank)
{
	struct indexed *r = malloc(n * sizeof(*r));
	size_t i, j, k;

	if (!r)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		r[i] = (struct indexed){ v[i], i };
	qsort(r, n, sizeof(*r), cmp_indexed);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		for (k = i; k < j; k++)
			rank[r[k].index] = (double)(i + j + 1) / 2;
	}
	free(r);
	return 0;
}

/* Sum of squares about the mean; the cross sum is all a permutation changes. */
static double centred_ss(const double *v, size_t n, double mean_v)
{
	double ss = 0;
	size_t i;

	for (i = 0; i < n; i++)
		ss += (v[i] - mean_v) * (v[i] - mean_v);
	return ss;
}

static double rank_rho(const double *rx, const double *ry, const size_t *perm, size_t n,
		       double mean_r, double norm)
{
	double cross = 0;
	size_t i;

	for (i = 0; i < n; i++)
		cross += (rx[i] - mean_r) * (ry[perm[i]] - mean_r);
	return cross / norm;
}

/* Shuffle @perm within each run of equal strata in @order (indices sorted by stratum). */
static void shuffle_strata(struct stats_rng *rng, size_t *perm, const size_t *order,
			   const size_t *strata, size_t n)
{
	size_t i, j, k, t;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && (!strata || strata[order[j]] == strata[order[i]]); j++)
			;
		/* Fisher-Yates over the positions order[i..j) */
		for (k = j - 1; k > i; k--) {
			size_t m = i + stats_rng_below(rng, k - i + 1);

			t = perm[order[k]];
			perm[order[k]] = perm[order[m]];
			perm[order[m]] = t;
		}
	}
}

static int cmp_stratum(const void *a, const void *b, void *arg)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const size_t *strata = arg;

	if (strata[x] != strata[y])
		return strata[x] < strata[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

int stats_spearman_test(const double *x, const double *y, const size_t *strata, size_t n,
			uint64_t seed, double *rho, double *p)
{
	double *rx = malloc(n * sizeof(*rx)), *ry = malloc(n * sizeof(*ry));
	size_t *perm = malloc(n * sizeof(*perm)), *order = malloc(n * sizeof(*order)), i, k;
	double mean_r = (double)(n + 1) / 2, norm, obs, eps;
	struct stats_rng rng;
	uint64_t hits = 0;
	int ret = 0;

	*rho = *p = NAN;
	if (n < 3) {
		ret = -EINVAL;
		goto out;
	}
	if (!rx || !ry || !perm || !order || average_ranks(x, n, rx) || average_ranks(y, n, ry)) {
		ret = -ENOMEM;
		goto out;
	}
	norm = sqrt(centred_ss(rx, n, mean_r) * centred_ss(ry, n, mean_r));
	if (!(norm > 0))
		goto out;	/* a constant: no correlation to speak of */
	for (i = 0; i < n; i++)
		perm[i] = order[i] = i;
	if (strata)
		qsort_r(order, n, sizeof(*order), cmp_stratum, (void *)strata);
	obs = rank_rho(rx, ry, perm, n, mean_r, norm);
	eps = 1e-9;
	stats_rng_seed(&rng, seed);
	for (k = 0; k < STATS_RANK_PERMS; k++) {
		shuffle_strata(&rng, perm, order, strata, n);
		hits += fabs(rank_rho(rx, ry, perm, n, mean_r, norm)) >= fabs(obs) - eps;
	}
	*rho = obs;
	*p = (double)(hits + 1) / (double)(STATS_RANK_PERMS + 1);
out:
	free(order);
	free(perm);
	free(ry);
	free(rx);
	return ret;
}
