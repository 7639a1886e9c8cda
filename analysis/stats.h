/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analysis/stats.h: statistics over a few repetitions: median and
 * quartiles, a seeded bootstrap confidence interval of the median, a
 * permutation test of the difference in medians, Holm's correction, and
 * Spearman's rank correlation with a permutation test (drift). Pure
 * functions, no I/O.
 */
#ifndef KVMSQ_ANALYSIS_STATS_H
#define KVMSQ_ANALYSIS_STATS_H

#include <stddef.h>
#include <stdint.h>

#define STATS_DEFAULT_SEED		1
#define STATS_BOOT_RESAMPLES		10000
/* Enumerate every split up to this many; beyond, sample this many. */
#define STATS_PERM_EXACT_MAX		100000
#define STATS_PERM_RANDOM		100000
/* Random permutations behind a rank correlation's p-value. */
#define STATS_RANK_PERMS		10000

/* A small seeded generator (splitmix64), so results are reproducible. */
struct stats_rng {
	uint64_t state;
};

void stats_rng_seed(struct stats_rng *rng, uint64_t seed);
uint64_t stats_rng_next(struct stats_rng *rng);
/* Uniform in [0, bound), bound > 0, without modulo bias. */
uint64_t stats_rng_below(struct stats_rng *rng, uint64_t bound);
/* Uniform in [0, 1). */
double stats_rng_unit(struct stats_rng *rng);

/* NAN for n == 0 (the median of an even count is the mean of the middle two). */
double stats_median(const double *v, size_t n);
double stats_min(const double *v, size_t n);
double stats_max(const double *v, size_t n);
/*
 * The @q quantile (0 <= q <= 1) by linear interpolation between the
 * sorted values (R's default, type 7): q 0.25 and 0.75 are the quartiles.
 * NAN for n == 0.
 */
double stats_quantile(const double *v, size_t n, double q);

/*
 * The @level (0.95) percentile-bootstrap interval of the median of @v,
 * from @resamples resamples drawn with @seed. -EINVAL for n < 2 or a bad
 * level, -ENOMEM.
 */
int stats_bootstrap_median_ci(const double *v, size_t n, double level,
			      unsigned int resamples, uint64_t seed,
			      double *lo, double *hi);

/* How many ways to choose k of n, saturating at UINT64_MAX. */
uint64_t stats_choose(unsigned int n, unsigned int k);

/*
 * Two-sided permutation test of the difference in medians: the fraction
 * of the splits of the pooled values into groups of na and nb whose
 * |median(a) - median(b)| is at least the observed one; splits with the
 * same difference in medians are ordered by |mean(a) - mean(b)| (medians
 * of a few runs tie often, quantised values more so). Every split when
 * there are at most STATS_PERM_EXACT_MAX of them (then *exact is 1),
 * else STATS_PERM_RANDOM random splits drawn with @seed, p = (hits + 1) /
 * (draws + 1). -EINVAL if a group has no value, -ENOMEM.
 */
int stats_perm_test_median(const double *a, size_t na, const double *b, size_t nb,
			   uint64_t seed, double *p, int *exact);

/*
 * The p-value of stats_perm_test_median() for two groups of these sizes
 * that do not overlap and have no ties: about the smallest it gives.
 */
double stats_perm_min_p(size_t na, size_t nb);

/*
 * Holm-Bonferroni: adjusted p-values in @adj (may alias @p), in the order
 * of @p. -ENOMEM.
 */
int stats_holm(const double *p, size_t n, double *adj);

/*
 * Spearman's rank correlation of @x and @y (ties get their average rank)
 * and a two-sided permutation p-value: the fraction of STATS_RANK_PERMS
 * random permutations of @y, each within its stratum (@strata: one id
 * per value, NULL: one stratum), whose |rho| is at least the observed
 * one, p = (hits + 1) / (permutations + 1). *rho and *p are NAN when @x
 * or @y is constant. -EINVAL for n < 3, -ENOMEM.
 */
int stats_spearman_test(const double *x, const double *y, const size_t *strata, size_t n,
			uint64_t seed, double *rho, double *p);

#endif
