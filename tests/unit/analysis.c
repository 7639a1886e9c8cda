// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/analysis.c: the statistics behind report and compare (the
 * bootstrap interval covers the true median about 95% of the time, the
 * permutation test agrees with a brute force written here, Holm on a
 * known example) and the text tables (72 columns, ASCII only, however
 * many arms and however long their names).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "analysis/compare.h"
#include "analysis/drift.h"
#include "analysis/export.h"
#include "analysis/plot.h"
#include "analysis/results.h"
#include "analysis/stats.h"
#include "analysis/text.h"
#include "common/err.h"
#include "common/util.h"

/* The tests' own generator (xorshift64*), independent of stats.c's. */
static uint64_t test_rng = 88172645463325252ull;

static double test_unit(void)
{
	test_rng ^= test_rng >> 12;
	test_rng ^= test_rng << 25;
	test_rng ^= test_rng >> 27;
	return (double)((test_rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The textbook median, by sorting a copy. */
static double test_median(const double *v, size_t n)
{
	double s[64];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_d);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void median_min_max(void)
{
	const double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 }, one[] = { 7 };

	CHECK(stats_median(odd, 3) == 2, "median %g", stats_median(odd, 3));
	CHECK(stats_median(even, 4) == 2.5, "median %g", stats_median(even, 4));
	CHECK(stats_median(one, 1) == 7, "median %g", stats_median(one, 1));
	CHECK(isnan(stats_median(odd, 0)), "median of nothing is not NAN");
	CHECK(stats_min(even, 4) == 1 && stats_max(even, 4) == 4, "min %g max %g",
	      stats_min(even, 4), stats_max(even, 4));
}

/*
 * 200 seeded trials of 10 values from an exponential distribution (true
 * median ln 2): the 95% interval must hold it in 90% to 99% of them.
 */
static void bootstrap_coverage(void)
{
	const int trials = 200, n = 10;
	double v[10], lo, hi;
	int t, i, covered = 0, ret;

	for (t = 0; t < trials; t++) {
		for (i = 0; i < n; i++)
			v[i] = -log(1 - test_unit());
		ret = stats_bootstrap_median_ci(v, n, 0.95, STATS_BOOT_RESAMPLES, 1000 + t, &lo, &hi);
		CHECK(!ret, "bootstrap failed: %d", ret);
		CHECK(lo <= hi, "interval [%g, %g] upside down", lo, hi);
		covered += lo <= M_LN2 && M_LN2 <= hi;
	}
	CHECK(covered >= 180 && covered <= 198, "covered the true median in %d of %d trials",
	      covered, trials);
	printf("# bootstrap: the 95%% interval held the true median in %d of %d trials\n",
	       covered, trials);
}

static void bootstrap_seeded(void)
{
	const double v[] = { 10, 12, 9, 14, 11, 30, 10.5 };
	double lo1, hi1, lo2, hi2, lo3, hi3;

	stats_bootstrap_median_ci(v, 7, 0.95, 10000, 42, &lo1, &hi1);
	stats_bootstrap_median_ci(v, 7, 0.95, 10000, 42, &lo2, &hi2);
	stats_bootstrap_median_ci(v, 7, 0.95, 2000, 43, &lo3, &hi3);
	CHECK(lo1 == lo2 && hi1 == hi2, "same seed, different interval");
	CHECK(lo1 <= test_median(v, 7) && test_median(v, 7) <= hi1,
	      "[%g, %g] misses the median %g", lo1, hi1, test_median(v, 7));
	CHECK(lo3 >= 9 && hi3 <= 30, "[%g, %g] outside the values", lo3, hi3);
	CHECK(stats_bootstrap_median_ci(v, 1, 0.95, 100, 1, &lo1, &hi1) == -EINVAL,
	      "an interval from one value");
}

static double test_mean(const double *v, size_t n)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += v[i];
	return sum / (double)n;
}

/*
 * Every split of a and b, counted here without stats.c: at least as
 * extreme means a larger difference in medians, or the same one and a
 * difference in means at least as large.
 */
static double brute_p(const double *a, size_t na, const double *b, size_t nb)
{
	double pooled[64], ga[64], gb[64], med, mean, obs_med, obs_mean, eps = 1e-6;
	size_t n = na + nb, i, ka, kb;
	uint64_t mask, splits = 0, hits = 0;

	memcpy(pooled, a, na * sizeof(*a));
	memcpy(pooled + na, b, nb * sizeof(*b));
	obs_med = fabs(test_median(a, na) - test_median(b, nb));
	obs_mean = fabs(test_mean(a, na) - test_mean(b, nb));
	for (mask = 0; mask < (1ull << n); mask++) {
		if ((size_t)__builtin_popcountll(mask) != na)
			continue;
		for (i = ka = kb = 0; i < n; i++) {
			if (mask & (1ull << i))
				ga[ka++] = pooled[i];
			else
				gb[kb++] = pooled[i];
		}
		splits++;
		med = fabs(test_median(ga, na) - test_median(gb, nb));
		mean = fabs(test_mean(ga, na) - test_mean(gb, nb));
		hits += med > obs_med + eps || (med > obs_med - eps && mean >= obs_mean - eps);
	}
	return (double)hits / (double)splits;
}

static void perm_exact_vs_brute(void)
{
	const double a[] = { 1.0, 2.5, 3.0, 7.0 }, b[] = { 2.0, 4.0, 5.5, 6.0, 9.0 };
	const double ta[] = { 5, 5, 5, 6, 7 }, tb[] = { 5, 6, 6, 8, 9, 9 };	/* ties */
	const double sa[] = { 1, 2, 3, 4, 5 }, sb[] = { 11, 12, 13, 14, 15 };
	const double ea[] = { 5, 5, 5, 5, 5 }, eb[] = { 6.5, 6.5, 6.5, 6.5, 6.5 };
	double p, want;
	int exact;

	CHECK(!stats_perm_test_median(a, 4, b, 5, 1, &p, &exact), "test failed");
	want = brute_p(a, 4, b, 5);
	CHECK(exact && fabs(p - want) < 1e-12, "p %g, brute force %g (exact %d)", p, want, exact);
	CHECK(!stats_perm_test_median(ta, 5, tb, 6, 1, &p, &exact), "test failed");
	want = brute_p(ta, 5, tb, 6);
	CHECK(exact && fabs(p - want) < 1e-12, "ties: p %g, brute force %g", p, want);
	/* fully apart, 5 and 5: only the split itself and its mirror */
	CHECK(!stats_perm_test_median(sa, 5, sb, 5, 1, &p, &exact), "test failed");
	want = brute_p(sa, 5, sb, 5);
	CHECK(fabs(p - want) < 1e-12 && fabs(p - 2.0 / 252) < 1e-12,
	      "apart: p %g, brute force %g, want 2/252", p, want);
	CHECK(fabs(stats_perm_min_p(5, 5) - 2.0 / 252) < 1e-12, "min p %g",
	      stats_perm_min_p(5, 5));
	/*
	 * Equal values apart (a stable p50 in one histogram bucket, then 30%
	 * more): by medians alone every split ties with the observed one.
	 */
	CHECK(!stats_perm_test_median(ea, 5, eb, 5, 1, &p, &exact), "test failed");
	want = brute_p(ea, 5, eb, 5);
	CHECK(fabs(p - want) < 1e-12 && p < 0.01, "equal values apart: p %g, brute force %g",
	      p, want);
	CHECK(!stats_perm_test_median(sa, 5, sa, 5, 1, &p, &exact) && p == 1,
	      "identical samples: p %g", p);
}

/* 11 and 11: 705432 splits, so the test samples; it must land near the truth. */
static void perm_random_vs_brute(void)
{
	double a[11], b[11], p, want;
	int i, exact;

	for (i = 0; i < 11; i++) {
		a[i] = 100 + 10 * test_unit();
		b[i] = 103 + 10 * test_unit();
	}
	CHECK(!stats_perm_test_median(a, 11, b, 11, 7, &p, &exact), "test failed");
	want = brute_p(a, 11, b, 11);
	CHECK(!exact, "705432 splits enumerated");
	CHECK(fabs(p - want) < 0.01, "Monte Carlo p %g, brute force %g", p, want);
	printf("# permutation: Monte Carlo p %.4f, every split %.4f\n", p, want);
}

static void holm_known(void)
{
	const double p[] = { 0.01, 0.04, 0.03, 0.005 };
	const double want[] = { 0.03, 0.06, 0.06, 0.02 };
	double adj[4];
	int i;

	CHECK(!stats_holm(p, 4, adj), "holm failed");
	for (i = 0; i < 4; i++)
		CHECK(fabs(adj[i] - want[i]) < 1e-12, "adjusted p[%d] %g, want %g", i, adj[i], want[i]);
	/* capped at 1 */
	{
		const double big[] = { 0.5, 0.6 };

		stats_holm(big, 2, adj);
		CHECK(adj[0] == 1 && adj[1] == 1, "not capped: %g %g", adj[0], adj[1]);
	}
}

static void quartiles(void)
{
	const double v[] = { 7, 1, 3, 5 }, one[] = { 4 };

	/* type 7: h = (n - 1) q over 1 3 5 7 */
	CHECK(stats_quantile(v, 4, 0.25) == 2.5, "q1 %g", stats_quantile(v, 4, 0.25));
	CHECK(stats_quantile(v, 4, 0.75) == 5.5, "q3 %g", stats_quantile(v, 4, 0.75));
	CHECK(stats_quantile(v, 4, 0.5) == stats_median(v, 4), "q2 %g", stats_quantile(v, 4, 0.5));
	CHECK(stats_quantile(v, 4, 0) == 1 && stats_quantile(v, 4, 1) == 7, "ends");
	CHECK(stats_quantile(one, 1, 0.25) == 4, "one value %g", stats_quantile(one, 1, 0.25));
	CHECK(isnan(stats_quantile(v, 0, 0.5)), "quantile of nothing");
}

/* A monotone trend gives rho 1 and a small p; shuffled, neither. */
static void spearman(void)
{
	double x[16], y[16], rho, p;
	size_t strata[16], i;

	for (i = 0; i < 16; i++) {
		x[i] = (double)(i / 2 + 1);		/* blocks 1..8, two arms each */
		strata[i] = i % 2;
		y[i] = 100 + 3 * (double)(i / 2) + (double)(i % 2);
	}
	CHECK(!stats_spearman_test(x, y, strata, 16, 1, &rho, &p), "test failed");
	CHECK(rho > 0.95 && p < 0.001, "planted trend: rho %g p %g", rho, p);
	for (i = 0; i < 16; i++)	/* the same values in a fixed shuffled order */
		y[i] = 100 + (double)((i * 7 + 3) % 16);
	CHECK(!stats_spearman_test(x, y, strata, 16, 1, &rho, &p), "test failed");
	CHECK(fabs(rho) < 0.3 && p > 0.2, "no trend: rho %g p %g", rho, p);
	for (i = 0; i < 16; i++)
		y[i] = 5;
	CHECK(!stats_spearman_test(x, y, NULL, 16, 1, &rho, &p) && isnan(rho) && isnan(p),
	      "constant: rho %g p %g", rho, p);
	CHECK(stats_spearman_test(x, y, NULL, 2, 1, &rho, &p) == -EINVAL, "two values tested");
	{
		/* a textbook case: ranks 1..5 against 2 1 4 3 5, rho = 0.8 */
		const double tx[] = { 1, 2, 3, 4, 5 }, ty[] = { 20, 10, 40, 30, 50 };

		stats_spearman_test(tx, ty, NULL, 5, 1, &rho, &p);
		CHECK(fabs(rho - 0.8) < 1e-12, "rho %g, want 0.8", rho);
	}
}

/* --- result files --- */

/* A directory for result files, removed by dir_remove(). */
static char *temp_dir(void)
{
	char tmpl[] = "/tmp/kvmsq-unit-XXXXXX", *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static void dir_remove(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
}

struct fake_run {
	const char *id;
	int rep;
	int block;			/* 0: null */
	const char *clock;		/* NULL: absent */
	const char *primary;		/* JSON array text, or NULL */
	double p50;
	const char *started_at;		/* NULL: a fixed time */
	bool trace_missing;		/* the shrink_trace source unavailable */
	double kvm_calls;		/* summary.shrinker.kvm_calls; NAN: null */
};

/* @text as the file @dir/@name, @dir made if need be; -1 if it cannot be written. */
static int text_write(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Write one result file, the fields report and compare read. */
static int fake_write(const char *dir, const char *name, const struct fake_run *r)
{
	char *text = NULL;
	size_t size;
	FILE *f = open_memstream(&text, &size);
	int ret;

	if (!f)
		return -1;
	fprintf(f, "{\"schema\": 1, \"complete\": true,\n"
		" \"run\": {\"id\": \"%s\", \"experiment\": \"fake\", \"rep\": %d,"
		" \"block\": ", r->id, r->rep);
	if (r->block)
		fprintf(f, "%d", r->block);
	else
		fprintf(f, "null");
	fprintf(f, ", \"started_at\": \"%s\", \"duration_s\": 1, \"scale\": 1},\n"
		" \"host\": {\"kernel_release\": \"6.12\", \"mmu\": \"tdp\", \"accel\": null",
		r->started_at ? r->started_at : "2026-01-01T00:00:00Z");
	if (r->clock)
		fprintf(f, ", \"clock\": \"%s\", \"icount_shift\": %s", r->clock,
			strcmp(r->clock, "icount") ? "null" : "2");
	fprintf(f, "},\n \"spec\": {\"name\": \"fake\"%s%s},\n",
		r->primary ? ", \"primary\": " : "", r->primary ? r->primary : "");
	fprintf(f, " \"sources\": [{\"name\": \"meminfo\", \"kind\": \"sampler\", \"available\": true}%s],\n",
		r->trace_missing ? ", {\"name\": \"shrink_trace\", \"kind\": \"sampler\", \"available\": false, \"why\": \"no tracefs here\"}" : "");
	fprintf(f, " \"summary\": {\"fault_latency_ns\": {\"p50\": %.17g, \"p99\": %.17g},",
		r->p50, r->p50 * 2);
	if (isnan(r->kvm_calls) || !r->kvm_calls)
		fprintf(f, " \"shrinker\": {\"kvm_calls\": null},");
	else
		fprintf(f, " \"shrinker\": {\"kvm_calls\": %.17g},", r->kvm_calls);
	fprintf(f, " \"reclaim\": {\"pgsteal\": null},");
	fprintf(f, " \"idle_cache_pages_per_vcpu\": null, \"run_s\": 1.0}}\n");
	ret = fclose(f) ? -1 : text_write(dir, name, text);
	free(text);
	return ret;
}

static int load(struct result_db *db, char **paths, int n)
{
	return results_load(db, paths, n, 0, NULL, NULL);
}

/* The same directory, file or run twice is refused, naming both paths. */
static void duplicates_refused(void)
{
	char *d = temp_dir(), a[256], b[256], a2[256], file[256], copy[256];
	struct fake_run r = { .id = "run-1", .rep = 1, .p50 = 5000 };
	struct result_db db;
	char *paths[2];
	int ret;

	CHECK(d, "no temp dir");
	if (!d)
		return;
	snprintf(a, sizeof(a), "%s/a", d);
	snprintf(b, sizeof(b), "%s/b", d);
	snprintf(a2, sizeof(a2), "%s/./a/", d);
	snprintf(file, sizeof(file), "%s/a/rep-1.json", d);
	snprintf(copy, sizeof(copy), "%s/b/rep-1.json", d);
	fake_write(a, "rep-1.json", &r);
	r.id = "run-2";
	fake_write(b, "rep-1.json", &r);

	paths[0] = a;
	paths[1] = b;
	CHECK(!load(&db, paths, 2), "two different runs refused: %s", err_msg());
	results_free(&db);
	paths[1] = a2;
	ret = load(&db, paths, 2);
	CHECK(ret == -EINVAL && strstr(err_msg(), a) && strstr(err_msg(), a2) &&
	      strstr(err_msg(), "same directory"), "a and ./a/: %d %s", ret, err_msg());
	paths[1] = file;
	ret = load(&db, paths, 2);
	CHECK(ret == -EINVAL && strstr(err_msg(), "same file") && strstr(err_msg(), file),
	      "a directory and its file: %d %s", ret, err_msg());
	/* a copy: another file, the same run.id and run.rep */
	r.id = "run-1";
	fake_write(b, "rep-1.json", &r);
	paths[1] = b;
	ret = load(&db, paths, 2);
	CHECK(ret == -EINVAL && strstr(err_msg(), "same run") && strstr(err_msg(), copy) &&
	      strstr(err_msg(), "run.id run-1"), "a copy: %d %s", ret, err_msg());
	/* two blocks of a plan may share an id (a lab's pid and second) */
	r.block = 2;
	fake_write(b, "rep-1.json", &r);
	r.block = 1;
	fake_write(a, "rep-1.json", &r);
	CHECK(!load(&db, paths, 2), "two blocks refused: %s", err_msg());
	results_free(&db);
	dir_remove(d);
	free(d);
}

/* Absent clock means host; icount against host is refused, either way round. */
static void clocks_checked(void)
{
	char *d = temp_dir(), a[256], b[256], c[256];
	struct fake_run r = { .id = "x", .rep = 1, .p50 = 5000 };
	struct result_set *sets[2];
	struct result_db db;
	char *paths[2];
	int ret;

	CHECK(d, "no temp dir");
	if (!d)
		return;
	snprintf(a, sizeof(a), "%s/old", d);
	snprintf(b, sizeof(b), "%s/host", d);
	snprintf(c, sizeof(c), "%s/icount", d);
	fake_write(a, "rep-1.json", &r);
	r.id = "y";
	r.clock = "host";
	fake_write(b, "rep-1.json", &r);
	r.id = "z";
	r.clock = "icount";
	fake_write(c, "rep-1.json", &r);
	paths[0] = a;
	paths[1] = b;
	CHECK(!load(&db, paths, 2), "load: %s", err_msg());
	sets[0] = &db.sets[0];
	sets[1] = &db.sets[1];
	CHECK(db.nr_sets == 2 && !results_check_sets(sets, 2), "absent and host differ: %s",
	      err_msg());
	results_free(&db);
	paths[1] = c;
	CHECK(!load(&db, paths, 2), "load: %s", err_msg());
	sets[0] = &db.sets[0];
	sets[1] = &db.sets[1];
	ret = results_check_sets(sets, 2);
	CHECK(ret == -ERR_REFUSED && strstr(err_msg(), "host.clock differs: \"host\" in"),
	      "absent and icount: %d %s", ret, err_msg());
	sets[0] = &db.sets[1];
	sets[1] = &db.sets[0];
	ret = results_check_sets(sets, 2);
	CHECK(ret == -ERR_REFUSED && strstr(err_msg(), "\"icount\" in"), "icount and absent: %d %s",
	      ret, err_msg());
	results_free(&db);
	dir_remove(d);
	free(d);
}

/*
 * On the instruction clock times and rates get the lower default floor,
 * counts keep theirs; on host time, or with --floor, every metric the same.
 */
static void floors_by_clock(void)
{
	const struct metric *p50 = metric_find("fault_p50_ns");
	const struct metric *passes = metric_find("shrinker_kvm_count_passes");
	char *d = temp_dir(), a[256], b[256];
	struct fake_run r = { .rep = 1, .p50 = 5000 };
	static const char *const clocks[] = { "icount", "host" };
	struct result_set *sets[2];
	struct cmp_table t;
	struct result_db db;
	char *paths[2] = { a, b };
	size_t i, k;

	CHECK(d && p50 && passes, "no temp dir or metric");
	if (!d || !p50 || !passes)
		return;
	for (k = 0; k < ARRAY_SIZE(clocks); k++) {
		snprintf(a, sizeof(a), "%s/%s-a", d, clocks[k]);
		snprintf(b, sizeof(b), "%s/%s-b", d, clocks[k]);
		r.clock = clocks[k];
		r.id = "a";
		fake_write(a, "rep-1.json", &r);
		r.id = "b";
		fake_write(b, "rep-1.json", &r);
		if (load(&db, paths, 2)) {
			CHECK(0, "load: %s", err_msg());
			continue;
		}
		sets[0] = &db.sets[0];
		sets[1] = &db.sets[1];
		CHECK(!cmp_table_from_sets(&t, sets, 2), "table: %s", err_msg());
		CHECK(cmp_table_icount(&t) == !k, "%s: icount %d", clocks[k], cmp_table_icount(&t));
		cmp_table_set_floors(&t, NULL, -1);
		for (i = 0; i < t.nr_rows; i++) {
			double want = !k && metric_follows_clock(t.rows[i].m) ? CMP_ICOUNT_FLOOR :
										 CMP_DEFAULT_FLOOR;

			CHECK(t.rows[i].floor == want, "%s: %s floor %g, want %g", clocks[k],
			      t.rows[i].m->name, t.rows[i].floor, want);
		}
		cmp_table_set_floors(&t, NULL, 0.02);
		for (i = 0; i < t.nr_rows; i++)
			CHECK(t.rows[i].floor == 0.02, "%s: --floor 2: %s floor %g", clocks[k],
			      t.rows[i].m->name, t.rows[i].floor);
		CHECK(cmp_min_floor(p50, !k) == (k ? CMP_MIN_FLOOR : CMP_ICOUNT_MIN_FLOOR) &&
		      cmp_min_floor(passes, !k) == CMP_MIN_FLOOR, "%s: min floors", clocks[k]);
		cmp_table_free(&t);
		results_free(&db);
	}
	dir_remove(d);
	free(d);
}

/* --- tables --- */

#define S(text)	((text) ? (text) : "(null)")

static const struct metric long_metrics[] = {
	{ "m_bytes", "an extremely long metric name for page-table memory at its peak",
	  "x", UNIT_BYTES, BETTER_LOWER },
	{ "m_ns", "fault latency p99.9 with a name that does not fit anywhere", "x", UNIT_NS,
	  BETTER_LOWER },
	{ "m_pages", "pages", "x", UNIT_PAGES, BETTER_NEITHER },
	{ "m_na", "never there", "x", UNIT_CALLS, BETTER_NEITHER },
	{ "m_rate", "rate with a long name", "x", UNIT_PAGES_PER_S, BETTER_HIGHER },
};

/*
 * Rows 0-2 are primary, 3 (n/a everywhere) and 4 exploratory; arm a is
 * (1 + shift * a) times the first, 8 runs each, 1% noise.
 */
static int build_table(struct cmp_table *t, const char *const *labels, size_t arms,
		       double shift, double floor)
{
	const struct metric *rows[ARRAY_SIZE(long_metrics)];
	const struct metric *first3[] = { &long_metrics[0], &long_metrics[1], &long_metrics[2] };
	struct metric_list primary = { first3, 3 };
	double v[8];
	size_t i, a, k;
	int ret;

	for (i = 0; i < ARRAY_SIZE(long_metrics); i++)
		rows[i] = &long_metrics[i];
	ret = cmp_table_init(t, arms, rows, ARRAY_SIZE(long_metrics));
	if (ret)
		return ret;
	t->experiment = "an-experiment-with-a-rather-long-name";
	for (a = 0; a < arms; a++) {
		t->labels[a] = labels[a];
		for (i = 0; i < t->nr_rows; i++) {
			double base = i == 0 ? 123456789.0 : i == 1 ? 12345678.0 : 1e5 + i;

			for (k = 0; k < 8; k++)
				v[k] = base * (1 + 0.01 * test_unit()) * (1 + shift * (double)a);
			if (i == 3)	/* n/a in every run */
				ret = cmp_cell_set(&t->rows[i].cells[a], v, 0, 8);
			else if (i == 4 && a == 1)	/* n/a in some runs */
				ret = cmp_cell_set(&t->rows[i].cells[a], v, 5, 3);
			else
				ret = cmp_cell_set(&t->rows[i].cells[a], v, 8, 0);
			if (ret)
				return ret;
			t->rows[i].floor = floor;
		}
	}
	return cmp_table_set_primary(t, &primary, "--primary");
}

static const struct cmp_opts test_opts = {
	.seed = 1, .resamples = 2000, .alpha = 0.05, .level = 0.95,
};

/* Render the table; 0 if every line is ASCII and at most 72 columns. */
static int render_check(const struct cmp_table *t, bool report, char **text)
{
	struct text_opts o = { .cmp = &test_opts, .default_floor = 0.05 };
	size_t len, col = 0;
	FILE *f = open_memstream(text, &len);
	const char *p;

	if (!f)
		return -1;
	if (report)
		text_report(f, t, &o);
	else
		text_compare(f, t, &o);
	fclose(f);
	for (p = *text; *p; p++) {
		if ((unsigned char)*p > 0x7e || ((unsigned char)*p < 0x20 && *p != '\n'))
			return -2;
		col = *p == '\n' ? 0 : col + 1;
		if (col > TEXT_WIDTH)
			return -3;
	}
	return 0;
}

/* The text with wrapped lines joined again, for searching. */
static void unwrap(char *text)
{
	char *in = text, *out = text;

	while (*in) {
		if (in[0] == '\n' && in[1] == ' ' && in[2] == ' ') {
			*out++ = ' ';
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
}

static void table_72_columns(void)
{
	static const char *const long_names[] = {
		"legacy-6.12-zap-oldest", "cache-shrinker-with-mutex", "no-shrinker-like-6.13",
		"inverted-zap-order-bug", "a-fifth-arm", "sixth",
	};
	static const char *const short_names[] = {
		"legacy12345", "cache-shrink", "no-shrinker", "inverted",
	};
	struct cmp_table t;
	char *text = NULL;
	int ret;

	CHECK(!build_table(&t, long_names, 4, 0.2, 0.05), "table");
	CHECK(!cmp_table_compute(&t, &test_opts), "compute");
	ret = render_check(&t, false, &text);
	CHECK(!ret, "4 long arm names: %s:\n%s", ret == -2 ? "not ASCII" : "over 72 columns",
	      text);
	CHECK(text && strstr(text, "(*+"), "no significant +20%% cell:\n%s", text);
	CHECK(text && strstr(text, " +-0.") && strstr(text, "\nexploratory (never starred):\n"),
	      "no spread or no exploratory heading:\n%s", text);
	if (text)
		unwrap(text);
	CHECK(text && strstr(text, "n/a in every run") && strstr(text, "never there"),
	      "n/a metric not named:\n%s", text);
	CHECK(text && strstr(text, "in 3 of 8 runs of"), "partly n/a metric not named:\n%s", text);
	free(text);
	cmp_table_free(&t);

	CHECK(!build_table(&t, short_names, 4, 0.2, 0.05), "table");
	CHECK(!cmp_table_compute(&t, &test_opts), "compute");
	ret = render_check(&t, false, &text);
	CHECK(!ret, "4 short arm names: %d:\n%s", ret, text);
	free(text);
	cmp_table_free(&t);

	CHECK(!build_table(&t, long_names, 6, 0.2, 0.05), "table");
	CHECK(!cmp_table_compute(&t, &test_opts), "compute");
	ret = render_check(&t, false, &text);
	CHECK(!ret, "6 arms: %d:\n%s", ret, text);
	free(text);
	cmp_table_free(&t);

	CHECK(!build_table(&t, long_names, 1, 0, 0.05), "table");
	CHECK(!cmp_table_compute(&t, &test_opts), "compute");
	ret = render_check(&t, true, &text);
	CHECK(!ret, "report: %d:\n%s", ret, text);
	free(text);
	cmp_table_free(&t);
}

/* Significant needs both: a small Holm p-value and a change above the floor. */
static void significance_needs_floor(void)
{
	static const char *const names[] = { "a", "b" };
	struct cmp_table t;
	size_t i;

	CHECK(!build_table(&t, names, 2, 0.2, 0.5), "table");
	CHECK(!cmp_table_compute(&t, &test_opts), "compute");
	for (i = 0; i < t.nr_rows; i++) {
		const struct cmp_cell *c = &t.rows[i].cells[1];

		CHECK(!c->significant, "row %zu significant under a 50%% floor", i);
		if (i < 3)
			CHECK(!isnan(c->p_holm) && c->p_holm < 0.05, "row %zu p_holm %g", i,
			      c->p_holm);
	}
	CHECK(isnan(t.rows[3].cells[1].p_raw), "an n/a row was tested");
	CHECK(t.family[1] == 3, "Holm over %zu tests, want the 3 primaries", t.family[1]);
	cmp_table_free(&t);

	CHECK(!build_table(&t, names, 2, 0.2, 0.05), "table");
	CHECK(!cmp_table_compute(&t, &test_opts), "compute");
	CHECK(t.rows[0].cells[1].significant, "+20%% not significant over a 5%% floor (p %g)",
	      t.rows[0].cells[1].p_holm);
	cmp_table_free(&t);
}

/* Two metrics, 5 runs per arm: @values[arm][metric][run]. */
static int two_row_table(struct cmp_table *t, const double values[2][2][5], bool first_primary,
			 bool second_primary)
{
	static const struct metric two[] = {
		{ "fault_p50_ns", "fault p50", "x", UNIT_NS, BETTER_LOWER },
		{ "run_s", "run time", "x", UNIT_S, BETTER_NEITHER },
	};
	static const char *const labels[] = { "base", "new" };
	const struct metric *rows[] = { &two[0], &two[1] }, *prim[2];
	struct metric_list primary = { prim, 0 };
	size_t a, i;
	int ret;

	if (first_primary)
		prim[primary.n++] = &two[0];
	if (second_primary)
		prim[primary.n++] = &two[1];
	ret = cmp_table_init(t, 2, rows, 2);
	for (a = 0; a < 2 && !ret; a++) {
		t->labels[a] = labels[a];
		for (i = 0; i < 2 && !ret; i++)
			ret = cmp_cell_set(&t->rows[i].cells[a], values[a][i], 5, 0);
	}
	if (!ret)
		ret = cmp_table_set_primary(t, &primary, "--primary");
	if (!ret)
		ret = cmp_table_compute(t, &test_opts);
	return ret;
}

static char *render(const struct cmp_table *t)
{
	struct text_opts o = { .cmp = &test_opts, .default_floor = 0.05 };
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (f) {
		text_compare(f, t, &o);
		fclose(f);
	}
	return text;
}

/* The first line of @text that starts with @label (a static copy). */
static const char *line_of(const char *text, const char *label)
{
	static char line[256];
	const char *p = text;

	line[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, label, strlen(label))) {
			snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
			break;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return line;
}

/*
 * Run time 50% longer in every run (p = 2/252, 0.0079) but exploratory:
 * tested and shown raw, never Holm-adjusted or starred; the primary
 * (no effect) is Holm's whole family.
 */
static void exploratory_never_starred(void)
{
	const double v[2][2][5] = {
		{ { 5000, 5010, 4990, 5005, 4995 }, { 1.0, 1.01, 1.02, 1.03, 1.04 } },
		{ { 5002, 5008, 4992, 5004, 4996 }, { 1.5, 1.51, 1.52, 1.53, 1.54 } },
	};
	struct cmp_table t;
	char *text;

	CHECK(!two_row_table(&t, v, true, false), "table: %s", err_msg());
	CHECK(t.rows[1].cells[1].p_raw < 0.01, "exploratory p %g", t.rows[1].cells[1].p_raw);
	CHECK(isnan(t.rows[1].cells[1].p_holm) && !t.rows[1].cells[1].significant,
	      "exploratory adjusted (%g) or starred", t.rows[1].cells[1].p_holm);
	CHECK(t.family[1] == 1, "Holm over %zu, want 1 (the primary)", t.family[1]);
	text = render(&t);
	CHECK(text && !strchr(line_of(text, "run time (s)"), '*'), "starred:\n%s", S(text));
	CHECK(text && strstr(text, "floor") && strstr(line_of(strstr(text, "floor"), "run time "),
						       "0.0079") &&
	      !strchr(line_of(strstr(text, "floor"), "run time "), '*'),
	      "raw p not shown, or starred:\n%s", S(text));
	free(text);
	cmp_table_free(&t);
	/* the same values with run time primary: starred */
	CHECK(!two_row_table(&t, v, true, true), "table: %s", err_msg());
	CHECK(t.rows[1].cells[1].significant, "a primary +50%% in every run not significant (%g)",
	      t.rows[1].cells[1].p_holm);
	CHECK(fabs(t.rows[1].cells[1].p_holm - 2 * 2.0 / 252) < 1e-12,
	      "Holm over 2: %g, want 2 x 2/252", t.rows[1].cells[1].p_holm);
	text = render(&t);
	CHECK(text && strstr(line_of(text, "run time (s)"), "(*+49.0%*)"), "not starred:\n%s",
	      text);
	free(text);
	cmp_table_free(&t);
}

/* A planted effect in a primary is starred; with no primary nothing is. */
static void primary_planted_starred(void)
{
	const double v[2][2][5] = {
		{ { 5000, 5010, 4990, 5005, 4995 }, { 1, 1, 1, 1, 1 } },
		{ { 6500, 6513, 6487, 6506, 6493 }, { 1, 1, 1, 1, 1 } },
	};
	struct cmp_table t;
	char *text;

	CHECK(!two_row_table(&t, v, true, false), "table: %s", err_msg());
	CHECK(t.rows[0].cells[1].significant, "+30%% primary not significant (%g)",
	      t.rows[0].cells[1].p_holm);
	text = render(&t);
	CHECK(text && strstr(text, "\nprimary:\nfault p50 (us)") &&
	      strstr(line_of(text, "fault p50 (us)"), "(*+30.0%*)"), "not starred:\n%s", S(text));
	free(text);
	cmp_table_free(&t);
	CHECK(!two_row_table(&t, v, false, false), "table: %s", err_msg());
	CHECK(!t.rows[0].cells[1].significant && t.rows[0].cells[1].p_raw < 0.01,
	      "no primary: significant, or not tested (%g)", t.rows[0].cells[1].p_raw);
	text = render(&t);
	if (text)
		unwrap(text);
	CHECK(text && !strstr(text, "*+") && strstr(text, "No primary metrics") &&
	      strstr(text, "--primary"), "no primaries:\n%s", S(text));
	free(text);
	cmp_table_free(&t);
}

/*
 * Why a run must not count twice: a at p 30/252 = 0.119 against b, not
 * significant; a's runs three times over make it p 0.008, a star.
 */
static void duplicates_would_star(void)
{
	const double a[] = { 5210, 5220, 5360, 5330, 5200 }, b[] = { 5560, 5330, 5580, 5650, 5010 };
	double aaa[15], p;
	int exact, i;

	CHECK(!stats_perm_test_median(a, 5, b, 5, 1, &p, &exact), "test");
	CHECK(fabs(p - 30.0 / 252) < 1e-12, "a against b: p %g, want 0.119", p);
	for (i = 0; i < 15; i++)
		aaa[i] = a[i % 5];
	CHECK(!stats_perm_test_median(aaa, 15, b, 5, 1, &p, &exact), "test");
	CHECK(p < 0.01, "a three times against b: p %g", p);
}

/*
 * Holm over K primaries: the smallest adjusted p is K x 2/C(2n, n); the
 * note says when it cannot reach alpha and how many runs would.
 */
static void power_note_family(void)
{
	static const struct metric four[] = {
		{ "m1", "m one", "x", UNIT_NS, BETTER_LOWER },
		{ "m2", "m two", "x", UNIT_NS, BETTER_LOWER },
		{ "m3", "m three", "x", UNIT_NS, BETTER_LOWER },
		{ "m4", "m four", "x", UNIT_NS, BETTER_LOWER },
	};
	static const char *const labels[] = { "base", "new" };
	const struct metric *rows[] = { &four[0], &four[1], &four[2], &four[3] };
	struct metric_list primary = { rows, 4 };
	double v[2][5] = { { 1, 2, 3, 4, 5 }, { 11, 12, 13, 14, 15 } };
	struct cmp_table t;
	size_t a, i, n;
	char *text;

	CHECK(fabs(stats_perm_min_p(5, 5) - 2.0 / 252) < 1e-12, "5 and 5: %g",
	      stats_perm_min_p(5, 5));
	CHECK(fabs(stats_perm_min_p(6, 6) - 2.0 / 924) < 1e-12, "6 and 6: %g",
	      stats_perm_min_p(6, 6));
	/* 4 and 4 runs: 2/70 = 0.029 alone, 4 x 0.029 = 0.11 with 4 primaries */
	for (n = 4; n <= 5; n++) {
		CHECK(!cmp_table_init(&t, 2, rows, 4), "init");
		for (a = 0; a < 2; a++) {
			t.labels[a] = labels[a];
			for (i = 0; i < 4; i++)
				cmp_cell_set(&t.rows[i].cells[a], v[a], n, 0);
		}
		CHECK(!cmp_table_set_primary(&t, &primary, "--primary"), "primary");
		CHECK(!cmp_table_compute(&t, &test_opts), "compute");
		text = render(&t);
		if (text)
			unwrap(text);
		if (n == 4)
			CHECK(text && strstr(text, "new: no change can be significant") &&
			      strstr(text, "is 0.0286, and Holm over 4 primaries makes it 0.1143") &&
			      strstr(text, "run 5 or more per arm"), "no note for 4 and 4:\n%s", S(text));
		else
			CHECK(text && !strstr(text, "no change can be significant") &&
			      t.rows[0].cells[1].significant, "5 and 5 with 4 primaries:\n%s", S(text));
		free(text);
		cmp_table_free(&t);
	}
}

/* A label a spreadsheet would take for a formula stays text in the CSV. */
static void csv_no_formulas(void)
{
	static const struct metric *rows[1];
	static const double v[] = { 1, 2, 3 };
	static const char *const labels[] = { "=HYPERLINK(\"http://x\")", "@SUM(A1)" };
	struct cmp_table t;
	char *text = NULL;
	size_t len, a;
	FILE *f;

	rows[0] = metric_find("fault_p50_ns");
	CHECK(rows[0] && !cmp_table_init(&t, 2, rows, 1), "init");
	if (!rows[0])
		return;
	for (a = 0; a < 2; a++) {
		t.labels[a] = labels[a];
		cmp_cell_set(&t.rows[0].cells[a], v, 3, 0);
	}
	CHECK(!cmp_table_compute(&t, &test_opts), "compute");
	f = open_memstream(&text, &len);
	if (f) {
		struct cmp_table *list[] = { &t };

		export_csv(f, list, 1);
		fclose(f);
	}
	CHECK(text && strstr(text, ",\"'=HYPERLINK(\"\"http://x\"\")\",") &&
	      strstr(text, ",\"'@SUM(A1)\",") && !strstr(text, ",=") && !strstr(text, ",@"),
	      "a formula left as is:\n%s", text ? text : "(null)");
	free(text);
	cmp_table_free(&t);
}

/* mde_table: baseline 100..105, the arm the same runs moved by @shift. */
static int mde_table(struct cmp_table *t, double shift, size_t n)
{
	static const struct metric *rows[1];
	const struct metric *prim[1];
	struct metric_list primary = { prim, 1 };
	double v[2][6];
	size_t a, j;

	rows[0] = metric_find("fault_mean_ns");
	prim[0] = rows[0];
	if (!rows[0] || cmp_table_init(t, 2, rows, 1))
		return -1;
	for (a = 0; a < 2; a++) {
		t->labels[a] = a ? "b" : "a";
		for (j = 0; j < n; j++)
			v[a][j] = 100 + (double)j + (a ? shift : 0);
		if (cmp_cell_set(&t->rows[0].cells[a], v[a], n, 0))
			return -1;
	}
	t->rows[0].floor = 0.005;
	return cmp_table_set_primary(t, &primary, "--primary");
}

/*
 * --mde: the least change that stars. Moved by a bit more than it, the
 * runs are starred; by a bit less, not; too few runs: none.
 */
static void mde_boundary(void)
{
	struct cmp_table t;
	double mde = NAN;

	CHECK(!mde_table(&t, 0, 6) && !cmp_table_compute(&t, &test_opts) &&
	      !cmp_table_mde(&t, &test_opts), "compute: %s", err_msg());
	mde = t.rows[0].cells[1].mde;
	CHECK(mde > 0.005 && mde < 0.2, "mde %g: want above the floor, below 20%%", mde);
	cmp_table_free(&t);
	CHECK(!mde_table(&t, 102.5 * mde * 1.01, 6) && !cmp_table_compute(&t, &test_opts) &&
	      t.rows[0].cells[1].significant, "moved by mde + 1%%: not starred");
	cmp_table_free(&t);
	CHECK(!mde_table(&t, 102.5 * mde * 0.99, 6) && !cmp_table_compute(&t, &test_opts) &&
	      !t.rows[0].cells[1].significant, "moved by mde - 1%%: starred");
	cmp_table_free(&t);
	/* 2 runs against 2: p is at least 1/3, nothing can be starred */
	CHECK(!mde_table(&t, 0, 2) && !cmp_table_compute(&t, &test_opts) &&
	      !cmp_table_mde(&t, &test_opts) && isnan(t.rows[0].cells[1].mde),
	      "2 runs each: mde %g, want none", t.rows[0].cells[1].mde);
	cmp_table_free(&t);
}

/*
 * An arm without a value says why under the table: the source the
 * results name unavailable, or null with none to blame.
 */
static void na_footnotes(void)
{
	char *d = temp_dir(), x[256], y[256], name[32], *text = NULL;
	struct fake_run r = { .p50 = 5000 };
	struct result_set *sets[2];
	struct cmp_table t;
	struct result_db db;
	char *paths[2];
	int i;

	CHECK(d, "no temp dir");
	if (!d)
		return;
	snprintf(x, sizeof(x), "%s/notrace", d);
	snprintf(y, sizeof(y), "%s/trace", d);
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "rep-%d.json", i);
		r.rep = i;
		r.id = "x";
		r.trace_missing = true;
		r.kvm_calls = NAN;
		fake_write(x, name, &r);
		r.id = "y";
		r.trace_missing = false;
		r.kvm_calls = 10 + i;
		fake_write(y, name, &r);
	}
	paths[0] = x;
	paths[1] = y;
	CHECK(!load(&db, paths, 2), "load: %s", err_msg());
	sets[0] = &db.sets[0];
	sets[1] = &db.sets[1];
	CHECK(!cmp_table_from_sets(&t, sets, 2) && !cmp_table_compute(&t, &test_opts), "table: %s",
	      err_msg());
	text = render(&t);
	if (text)
		unwrap(text);
	CHECK(text && strstr(line_of(text, "KVM count passes "), " n/a[1] ") &&
	      strstr(text, "n/a[1]: source 'shrink_trace' unavailable: no tracefs here."),
	      "no footnote for the n/a cell:\n%s", S(text));
	/* null with a reason the result shows: the kernel, an older file, none */
	CHECK(text && strstr(text, "idle cache/vCPU (n/a[") &&
	      strstr(text, ": KVM has no mmu_cache_pages statistic upstream; only the lab kernels"),
	      "no reason for a statistic the kernel lacks:\n%s", S(text));
	CHECK(text && strstr(text, "page tables peak") &&
	      strstr(text, ": not in these result files (written before kvmsqueeze recorded it)."),
	      "no reason for a key older files lack:\n%s", S(text));
	CHECK(text && strstr(text, "reclaimed (n/a[") &&
	      strstr(text, ": null in every run; no source of it was reported unavailable."),
	      "no footnote for a metric null with nothing to blame:\n%s", S(text));
	free(text);
	cmp_table_free(&t);
	results_free(&db);
	dir_remove(d);
	free(d);
}

/*
 * Two arms, 8 runs each, fault p50 rising 1% per block in both (arm b
 * 5% above a): drift finds it. The same values with the blocks shuffled
 * (the runs were not taken in that order): it does not. A run without a
 * block is left out; without any block, the start time orders the runs.
 */
static int drift_sets(const char *dir, const int *blocks, bool times_only, struct result_db *db)
{
	char a[256], b[256], name[32], id[32], when[32], *paths[2];
	struct fake_run r = { 0 };
	int k, arm;

	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	for (arm = 0; arm < 2; arm++) {
		for (k = 0; k < 8; k++) {
			snprintf(name, sizeof(name), "rep-%d.json", k + 1);
			snprintf(id, sizeof(id), "r%d-%d", arm, k);
			/* interleaved: a then b in each block, a minute apart */
			snprintf(when, sizeof(when), "2026-01-01T10:%02d:00Z", 2 * (blocks[k] - 1) + arm);
			r.id = id;
			r.rep = 1;
			r.block = times_only ? 0 : blocks[k];
			r.started_at = when;
			r.p50 = 5000 * (1 + 0.05 * arm) * (1 + 0.01 * k) + (k % 3);
			if (fake_write(arm ? b : a, name, &r))
				return -1;
		}
	}
	paths[0] = a;
	paths[1] = b;
	return load(db, paths, 2);
}

static void drift_case(const int *blocks, bool times_only, const struct metric *m, double *rho,
		       double *p, const char **order, size_t *left_out, char **text)
{
	char *d = temp_dir();
	struct metric_list primary = { &m, 1 };
	struct result_set *sets[2];
	struct cmp_table t;
	struct result_db db;
	struct drift dr;
	size_t len;
	FILE *f;

	*rho = *p = NAN;
	*text = NULL;
	if (!d || drift_sets(d, blocks, times_only, &db)) {
		CHECK(0, "no sets: %s", err_msg());
		free(d);
		return;
	}
	sets[0] = &db.sets[0];
	sets[1] = &db.sets[1];
	CHECK(!cmp_table_from_sets(&t, sets, 2) && !cmp_table_set_primary(&t, &primary, "x") &&
	      !cmp_table_compute(&t, &test_opts), "table: %s", err_msg());
	CHECK(!drift_measure(&dr, &t, false, &test_opts) && dr.nr_rows == 1, "drift: %s",
	      err_msg());
	if (dr.nr_rows == 1) {
		*rho = dr.rows[0].rho;
		*p = dr.rows[0].p;
		*order = dr.order;
		*left_out = dr.left_out;
		f = open_memstream(text, &len);
		if (f) {
			text_drift(f, &dr, false, 0.05);
			fclose(f);
		}
	}
	drift_free(&dr);
	cmp_table_free(&t);
	results_free(&db);
	dir_remove(d);
	free(d);
}

static void drift_planted(void)
{
	static const int in_order[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const int shuffled[8] = { 5, 2, 7, 4, 1, 8, 3, 6 };
	static const int gap[8] = { 1, 2, 3, 0, 5, 6, 7, 8 };	/* 0: no block */
	const struct metric *p50 = metric_find("fault_p50_ns");
	const char *order = NULL;
	size_t left_out = 9;
	double rho, p;
	char *text;

	CHECK(p50, "no fault_p50_ns metric");
	if (!p50)
		return;
	drift_case(in_order, false, p50, &rho, &p, &order, &left_out, &text);
	CHECK(rho > 0.9 && p < 0.001 && order && !strcmp(order, "run.block") && !left_out,
	      "planted trend: rho %g p %g order %s left out %zu", rho, p, order, left_out);
	CHECK(text && strstr(line_of(text, "fault p50 "), "follows the run order"),
	      "not flagged:\n%s", S(text));
	free(text);
	drift_case(shuffled, false, p50, &rho, &p, &order, &left_out, &text);
	CHECK(fabs(rho) < 0.5 && p > 0.1, "shuffled blocks: rho %g p %g", rho, p);
	CHECK(text && !strstr(text, "follows the run order"), "flagged:\n%s", S(text));
	free(text);
	drift_case(in_order, true, p50, &rho, &p, &order, &left_out, &text);
	CHECK(rho > 0.9 && p < 0.001 && order && !strcmp(order, "run.started_at"),
	      "by start time: rho %g p %g order %s", rho, p, order);
	free(text);
	drift_case(gap, false, p50, &rho, &p, &order, &left_out, &text);
	if (text)
		unwrap(text);
	CHECK(left_out == 2 && text && strstr(text, "Left out: 2 of 16 runs without run.block.") &&
	      strstr(line_of(text, "fault p50 "), " 14 "), "a run without a block:\n%s", S(text));
	free(text);
}

/* --- untrusted results --- */

/*
 * The fields the loader reads have one type each: "schema" the integer 1,
 * "complete" true or false, a summary object; a run that did not end well
 * or never applied its pressure is refused unless RESULTS_FORCE.
 */
static void result_fields_strict(void)
{
	static const struct {
		const char *schema, *complete, *rep, *run_extra, *summary;
		unsigned int flags;
		int ret;
		const char *msg;
	} cases[] = {
		{ "1", "true", "1", "", "{}", 0, 0, NULL },
		{ "\"1\"", "true", "1", "", "{}", 0, -EINVAL, "\"schema\" is \"1\", not the integer 1" },
		{ "1.9", "true", "1", "", "{}", 0, -EINVAL, "\"schema\" is 1.9, not the integer 1" },
		{ "true", "true", "1", "", "{}", 0, -EINVAL, "\"schema\" is true, not the integer 1" },
		{ "2", "true", "1", "", "{}", 0, -EINVAL, "result schema 2, this kvmsqueeze reads schema 1" },
		{ "1", "\"false\"", "1", "", "{}", 0, -EINVAL, "\"complete\" is \"false\", not true or false" },
		{ "1", "1", "1", "", "{}", 0, -EINVAL, "\"complete\" is 1, not true or false" },
		{ "1", "true", "1", "", NULL, 0, -EINVAL, "no summary" },
		{ "1", "true", "1", "", "[]", 0, -EINVAL, "summary is [], not an object" },
		{ "1", "true", "\"1\"", "", "{}", 0, -EINVAL, "run.rep is \"1\", not a whole number" },
		{ "1", "true", "0", "", "{}", 0, -EINVAL, "run.rep is 0, not a whole number" },
		{ "1", "true", "1", ", \"block\": 1.5", "{}", 0, -EINVAL, "run.block is 1.5" },
		{ "1", "true", "1", ", \"status\": \"ok\", \"problems\": []",
		  "{\"pressure_applied\": true}", 0, 0, NULL },
		{ "1", "true", "1", ", \"status\": \"failed\", \"problems\": [\"vm0: exit 3\\nnext\"]", "{}",
		  0, -ERR_REFUSED, "the run did not end well (run.status \"failed\"): vm0: exit 3?next" },
		{ "1", "true", "1", ", \"status\": \"failed\"", "{}", RESULTS_FORCE, 0, NULL },
		{ "1", "true", "1", ", \"status\": \"\"", "{}", RESULTS_FORCE, -EINVAL,
		  "run.status is \"\", not a non-empty string" },
		{ "1", "true", "1", ", \"problems\": [1]", "{}", 0, -EINVAL,
		  "run.problems is [1], not an array of strings" },
		{ "1", "true", "1", "", "{\"pressure_applied\": false}", 0, -ERR_REFUSED,
		  "refusing %s: pressure that was never applied" },
		{ "1", "true", "1", "", "{\"pressure_applied\": false}", RESULTS_FORCE, 0, NULL },
		{ "1", "true", "1", "", "{\"pressure_applied\": \"false\"}", RESULTS_FORCE, -EINVAL,
		  "summary.pressure_applied is \"false\", not true or false" },
		{ "1", "true", "1", ", \"id\": \"a\\u0000b\"", "{}", 0, -EINVAL, "run.id is \"a\\u0000b\"" },
	};
	char *d = temp_dir(), text[1024], file[256], want[512];
	struct result_db db;
	char *paths[1] = { file };
	size_t i;
	int ret;

	CHECK(d, "no temp dir");
	if (!d)
		return;
	snprintf(file, sizeof(file), "%s/rep-1.json", d);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text),
			 "{\"schema\": %s, \"complete\": %s, \"run\": {\"experiment\": \"e\", \"rep\": %s%s},"
			 " \"host\": {\"arm\": null}, \"spec\": {\"name\": \"e\"}%s%s}\n",
			 cases[i].schema, cases[i].complete, cases[i].rep, cases[i].run_extra,
			 cases[i].summary ? ", \"summary\": " : "",
			 cases[i].summary ? cases[i].summary : "");
		text_write(d, "rep-1.json", text);
		ret = results_load(&db, paths, 1, cases[i].flags, NULL, NULL);
		snprintf(want, sizeof(want), cases[i].msg ? cases[i].msg : "", file);
		CHECK(ret == cases[i].ret && (!cases[i].msg || strstr(err_msg(), want)) &&
		      !strchr(ret ? err_msg() : "", '\n'),
		      "case %zu: %d, want %d: %s", i, ret, cases[i].ret, ret ? err_msg() : "loaded");
		CHECK(ret || db.nr_forced == (cases[i].flags && strstr(text, "\"ok\"") == NULL),
		      "case %zu: %zu forced", i, db.nr_forced);
		if (!ret)
			results_free(&db);
	}
	/* a FIFO where a result should be: refused at once, not read forever */
	unlink(file);
	CHECK(!mkfifo(file, 0644), "mkfifo");
	ret = results_load(&db, paths, 1, 0, NULL, NULL);
	CHECK(ret == -EINVAL && strstr(err_msg(), "not a regular file"), "FIFO: %d %s", ret,
	      err_msg());
	dir_remove(d);
	free(d);
}

/* Arms and directory names with newlines, quotes or backquotes show as '?'. */
static void labels_made_safe(void)
{
	char *d = temp_dir(), dir_a[256], dir_b[256];
	struct result_db db;
	char *paths[2] = { dir_a, dir_b };
	int ret;

	CHECK(d, "no temp dir");
	if (!d)
		return;
	snprintf(dir_a, sizeof(dir_a), "%s/a", d);
	snprintf(dir_b, sizeof(dir_b), "%s/b'`\n$(x)", d);
	text_write(dir_a, "rep-1.json",
		   "{\"schema\": 1, \"complete\": true, \"run\": {\"id\": \"1\", \"experiment\": \"e\\n`x`\"},"
		   " \"host\": {\"arm\": \"x\\n`touch /tmp/PWNED`\"}, \"spec\": {}, \"summary\": {}}\n");
	text_write(dir_b, "rep-1.json",
		   "{\"schema\": 1, \"complete\": true, \"run\": {\"id\": \"2\", \"experiment\": \"e\\n`x`\"},"
		   " \"host\": {\"arm\": null}, \"spec\": {}, \"summary\": {}}\n");
	ret = results_load(&db, paths, 2, 0, NULL, NULL);
	CHECK(!ret, "load: %s", err_msg());
	if (!ret) {
		CHECK(db.nr_sets == 2, "%zu sets", db.nr_sets);
		CHECK(!strcmp(db.sets[0].label, "x??touch /tmp/PWNED?") &&
		      !strcmp(db.sets[0].label_note, "3 characters shown as ?: newline, backquote"),
		      "arm label '%s' (%s)", db.sets[0].label, db.sets[0].label_note);
		CHECK(!strcmp(db.sets[1].label, "b?\?\?\?(x)") &&
		      !strcmp(db.sets[1].label_note,
			      "4 characters shown as ?: quote, backquote, newline, dollar sign"),
		      "directory label '%s' (%s)", db.sets[1].label, db.sets[1].label_note);
		CHECK(!strcmp(db.sets[0].experiment, "e??x?"), "experiment '%s'",
		      db.sets[0].experiment);
		results_free(&db);
	}
	dir_remove(d);
	free(d);
}

/* Finite values at the edge of a double: medians, tests and text, no overflow. */
static void huge_values(void)
{
	const double big[] = { 1.7e308, 1.7e308 }, apart[] = { -1.7e308, 1.7e308 };
	const double v[2][2][5] = {
		{ { 1e308, 1.1e308, 1.2e308, 1.3e308, 1.4e308 }, { 5000, 5010, 4990, 5005, 4995 } },
		{ { -1.7e308, -1.6e308, -1.5e308, -1.4e308, -1.3e308 },
		  { 1.7e308, 1.6e308, 1.7e308, 1.7e308, 1.7e308 } },
	};
	double p;
	struct cmp_table t;
	char *text, *line;
	int exact;

	CHECK(stats_median(big, 2) == 1.7e308, "median %g", stats_median(big, 2));
	CHECK(stats_median(apart, 2) == 0, "median %g", stats_median(apart, 2));
	CHECK(fabs(stats_quantile(apart, 2, 0.25) + 0.85e308) < 1e295, "q1 %g",
	      stats_quantile(apart, 2, 0.25));
	CHECK(!stats_perm_test_median(v[0][0], 5, v[1][0], 5, 1, &p, &exact) &&
	      fabs(p - 2.0 / 252) < 1e-12, "p %g, want 2/252", p);
	CHECK(!two_row_table(&t, v, true, true), "table: %s", err_msg());
	CHECK(isfinite(t.rows[0].cells[1].change) && t.rows[0].cells[1].change < -2,
	      "change %g: -inf or +inf means from 0", t.rows[0].cells[1].change);
	CHECK(isfinite(t.rows[1].cells[1].change) && t.rows[1].cells[1].change > 1e300,
	      "change %g", t.rows[1].cells[1].change);
	/* a floor measured from medians 10^300 apart: a short cell all the same */
	t.rows[0].floor = 8.9e298;
	text = render(&t);
	for (line = text; line && *line; line += strcspn(line, "\n") + !!line[strcspn(line, "\n")])
		CHECK(strcspn(line, "\n") <= TEXT_WIDTH, "a line of %zu columns:\n%s",
		      strcspn(line, "\n"), text);
	CHECK(text && strstr(text, " 8.9e+300% "), "the floor:\n%s", S(text));
	CHECK(text && strstr(line_of(text, "run time (s)"), " 5000 ") &&
	      strstr(line_of(text, "run time (s)"), " 1.7e+308 ") &&
	      strstr(line_of(text, "fault p50 (s)"), "(*-225.0%*)"), "huge rows:\n%s", S(text));
	free(text);
	cmp_table_free(&t);
}

/* The permutation test does not depend on the scale of the values. */
static void perm_scale_invariant(void)
{
	double a[7], b[6], a2[7], b2[6], p1, p2;
	int e1, e2, i, trial;

	for (trial = 0; trial < 20; trial++) {
		for (i = 0; i < 7; i++) {
			a[i] = floor(test_unit() * 20);
			a2[i] = ldexp(a[i], 1000);
		}
		for (i = 0; i < 6; i++) {
			b[i] = floor(test_unit() * 20) + 3;
			b2[i] = ldexp(b[i], 1000);
		}
		stats_perm_test_median(a, 7, b, 6, 5, &p1, &e1);
		stats_perm_test_median(a2, 7, b2, 6, 5, &p2, &e2);
		CHECK(p1 == p2, "trial %d: p %g, and %g times 2^1000", trial, p1, p2);
	}
}

/* A word longer than a line (a path) is cut, never past 72 columns. */
static void wrap_long_words(void)
{
	char words[300], *text = NULL, *line;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	memset(words, 'x', sizeof(words) - 1);
	words[sizeof(words) - 1] = '\0';
	words[1] = ' ';		/* "x xxxx...": a short word, then a long one */
	CHECK(f, "open_memstream");
	if (!f)
		return;
	text_wrap(f, words, 4, TEXT_WIDTH);
	fclose(f);
	for (line = text; line && *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0))
		CHECK(strcspn(line, "\n") <= TEXT_WIDTH, "line of %zu columns", strcspn(line, "\n"));
	free(text);
}

/*
 * gnuplot as plots run it can start no program, whatever the script says:
 * backquotes, system, a '<' data file, a '|' print file, '!'. A plain
 * script still draws.
 */
static void gnuplot_runs_no_command(void)
{
	static const char *const tries[] = {
		"print `touch %s/ran-0`\n",
		"system \"touch %s/ran-1\"\n",
		"x = system(\"touch %s/ran-2\")\n",
		"set print '| touch %s/ran-3'\nprint 1\nunset print\n",
		"set terminal svg\nset output '/dev/null'\nplot '< touch %s/ran-4' using 1:2\n",
		"! touch %s/ran-5\n",
	};
	char *d = temp_dir(), text[512], name[32], path[512];
	struct stat st;
	size_t i;

	CHECK(d, "no temp dir");
	if (!d)
		return;
	if (system("command -v gnuplot >/dev/null 2>&1")) {
		dir_remove(d);
		free(d);
		SKIP("gnuplot is not installed");
	}
	text_write(d, "draws.gp", "set terminal svg\nset output 'draws.svg'\nplot x\n");
	CHECK(!plot_gnuplot_run(d, "draws"), "a plain script: %s", err_msg());
	snprintf(path, sizeof(path), "%s/draws.svg", d);
	CHECK(!stat(path, &st) && st.st_size > 0, "no image from a plain script");
	for (i = 0; i < ARRAY_SIZE(tries); i++) {
		snprintf(name, sizeof(name), "try-%zu.gp", i);
		snprintf(text, sizeof(text), tries[i], d);
		text_write(d, name, text);
		snprintf(name, sizeof(name), "try-%zu", i);
		plot_gnuplot_run(d, name);
		snprintf(path, sizeof(path), "%s/ran-%zu", d, i);
		CHECK(stat(path, &st), "gnuplot ran a command: %s", text);
	}
	dir_remove(d);
	free(d);
}

/* A spec's primary that is not a metric id: named on one line. */
static void primary_id_one_line(void)
{
	struct metric_list l;

	CHECK(metric_list_parse(&l, "fault_p50_ns,x\ny\x7f") == -EINVAL &&
	      strstr(err_msg(), "'x?y?' is not a metric id") && !strchr(err_msg(), '\n'),
	      "%s", err_msg());
}

/* The text of @dir/@name, or NULL (free it). */
static char *slurp(const char *dir, const char *name)
{
	char path[512], *text = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

/* Whether every line of @text holding @needle also holds @also. */
static bool lines_with_have(const char *text, const char *needle, const char *also)
{
	const char *line, *end;
	char buf[4096];

	for (line = text; line && *line; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		snprintf(buf, sizeof(buf), "%.*s", (int)(end - line), line);
		if (strstr(buf, needle) && !strstr(buf, also))
			return false;
	}
	return true;
}

/*
 * The scripts: PNG and SVG from each, on an enhanced terminal (for 10^{n}),
 * every name from a result noenhanced; a panel of
 * nothing left out and named under the figure; bar labels in the axes'
 * format ("1.1k", not "1.07e+03"); no timeline panel without its series.
 */
static void plot_scripts_shape(void)
{
	char *d = temp_dir(), x[256], y[256], plots[256], name[32], *gp;
	struct fake_run r = { .p50 = 5000 };
	struct result_set *sets[2];
	struct cmp_table t, *list[1] = { &t };
	struct result_db db;
	char *paths[2];
	int i;

	CHECK(d, "no temp dir");
	if (!d)
		return;
	snprintf(x, sizeof(x), "%s/x_sub^a", d);
	snprintf(y, sizeof(y), "%s/y", d);
	snprintf(plots, sizeof(plots), "%s/plots", d);
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "rep-%d.json", i);
		r.rep = i;
		r.id = "x";
		r.kvm_calls = 1069 + i;
		fake_write(x, name, &r);
		r.id = "y";
		r.kvm_calls = 10 + i;
		fake_write(y, name, &r);
	}
	paths[0] = x;
	paths[1] = y;
	CHECK(!load(&db, paths, 2), "load: %s", err_msg());
	sets[0] = &db.sets[0];
	sets[1] = &db.sets[1];
	CHECK(!cmp_table_from_sets(&t, sets, 2) && !cmp_table_compute(&t, &test_opts), "table: %s",
	      err_msg());
	CHECK(!plot_scripts(plots, list, 1), "plot_scripts: %s", err_msg());
	gp = slurp(plots, "fake-reclaim.gp");
	CHECK(gp && strstr(gp, "set terminal svg ") && strstr(gp, "set output 'fake-reclaim.svg'") &&
	      strstr(gp, " enhanced "), "no SVG, or not enhanced:\n%s", S(gp));
	CHECK(gp && strstr(gp, "'not shown: reclaim, not measured in these runs (n/a)'") &&
	      !strstr(gp, "set title 'reclaim") && strstr(gp, "set title 'shrinkers") &&
	      !strstr(gp, "n/a: not measured"), "a panel of nothing drawn:\n%s", S(gp));
	CHECK(gp && strstr(gp, "set format y '%.0s%c'"), "the count axis format:\n%s", S(gp));
	CHECK(gp && lines_with_have(gp, "x_sub^a", "noenhanced") &&
	      lines_with_have(gp, "set multiplot title", "noenhanced"),
	      "a name from a result, enhanced:\n%s", S(gp));
	free(gp);
	gp = slurp(plots, "fake-reclaim.dat");
	CHECK(gp && strstr(gp, " \"1.1k\"") && strstr(gp, " \"12\"") && !strstr(gp, "e+"),
	      "bar labels:\n%s", S(gp));
	free(gp);
	/* no histograms in these files: no CDF (tests/analysis.sh checks one) */
	snprintf(name, sizeof(name), "plots/fake-fault.gp");
	CHECK(!(gp = slurp(d, name)), "a CDF of no histogram");
	free(gp);
	/* no memory series in these files: no panel, and the notes say so */
	gp = slurp(plots, "fake-timeline.gp");
	CHECK(gp && strstr(gp, "'not shown: cgroup kernel memory, not sampled in these runs'") &&
	      strstr(gp, "'not shown: SecPageTables, not in the meminfo of these runs'") &&
	      !strstr(gp, "set ylabel"), 
	      "timeline panels:\n%s", S(gp));
	free(gp);
	cmp_table_free(&t);
	results_free(&db);
	dir_remove(d);
	free(d);
}

/* A change from a baseline median of 0 says so, not "+inf%"; its spread too. */
static void change_from_zero(void)
{
	const double v[2][2][5] = {
		{ { 0, 0, 0, 2000, 4000 }, { 1, 1, 1, 1, 1 } },
		{ { 4000, 4000, 4000, 4000, 4000 }, { 1, 1, 1, 1, 1 } },
	};
	struct cmp_table t;
	char *text;

	CHECK(!two_row_table(&t, v, false, false), "table: %s", err_msg());
	CHECK(isinf(t.rows[0].cells[1].change), "change %g", t.rows[0].cells[1].change);
	text = render(&t);
	/* and the spread around a median of 0 in the row's unit, not +-inf% */
	CHECK(text && strstr(line_of(text, "fault p50 (us)"), " 4 +-0% (from 0)") &&
	      strstr(line_of(text, "fault p50 (us)"), " 0 +-1 ") && !strstr(text, "inf%"),
	      "from 0:\n%s", S(text));
	free(text);
	cmp_table_free(&t);
}

UNIT_MAIN(
	T(median_min_max),
	T(bootstrap_coverage),
	T(bootstrap_seeded),
	T(perm_exact_vs_brute),
	T(perm_random_vs_brute),
	T(holm_known),
	T(quartiles),
	T(spearman),
	T(duplicates_refused),
	T(clocks_checked),
	T(floors_by_clock),
	T(csv_no_formulas),
	T(table_72_columns),
	T(significance_needs_floor),
	T(exploratory_never_starred),
	T(primary_planted_starred),
	T(duplicates_would_star),
	T(power_note_family),
	T(na_footnotes),
	T(mde_boundary),
	T(drift_planted),
	T(result_fields_strict),
	T(labels_made_safe),
	T(huge_values),
	T(perm_scale_invariant),
	T(wrap_long_words),
	T(gnuplot_runs_no_command),
	T(primary_id_one_line),
	T(change_from_zero),
	T(plot_scripts_shape),
)
