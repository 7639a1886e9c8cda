// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/hist.c: the log-linear histogram: buckets tile the range
 * without gaps, each is at most 3% wide relative to its values, and
 * percentiles agree with a sorted array of the same samples.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "vmm/hist.h"

static void buckets_tile(void)
{
	unsigned int i;

	CHECK(kvmsq_hist_lower(0) == 0, "bucket 0 starts at %llu",
	      (unsigned long long)kvmsq_hist_lower(0));
	for (i = 0; i + 1 < KVMSQ_HIST_BUCKETS; i++) {
		uint64_t lo = kvmsq_hist_lower(i), w = kvmsq_hist_width(i);

		CHECK(kvmsq_hist_lower(i + 1) == lo + w, "gap after bucket %u", i);
		CHECK(kvmsq_hist_index(lo) == i, "index(lower(%u)) = %u", i,
		      kvmsq_hist_index(lo));
		CHECK(kvmsq_hist_index(lo + w - 1) == i, "index(upper(%u)) = %u", i,
		      kvmsq_hist_index(lo + w - 1));
	}
}

static void bucket_error_at_most_3_percent(void)
{
	unsigned int i;

	for (i = 1; i < KVMSQ_HIST_BUCKETS; i++) {
		double rel = (double)(kvmsq_hist_width(i) - 1) / (double)kvmsq_hist_lower(i);

		CHECK(rel <= 0.03, "bucket %u: width %llu at %llu (%.2f%%)", i,
		      (unsigned long long)kvmsq_hist_width(i),
		      (unsigned long long)kvmsq_hist_lower(i), rel * 100);
	}
}

static void range_1_to_1e10(void)
{
	unsigned int last = KVMSQ_HIST_BUCKETS - 1;
	uint64_t top = kvmsq_hist_lower(last) + kvmsq_hist_width(last);

	CHECK(kvmsq_hist_index(1) == 1, "1 cycle");
	CHECK(top > 10000000000ull, "resolved range ends at %llu", (unsigned long long)top);
	CHECK(kvmsq_hist_index(10000000000ull) < last, "1e10 in the clamp bucket");
	CHECK(kvmsq_hist_index(UINT64_MAX) == last, "huge value not clamped");
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void percentiles_match_sorted(void)
{
	static const double qs[] = { 0.01, 0.5, 0.9, 0.99, 0.999, 1.0 };
	static struct kvmsq_hist h;
	enum { N = 100000 };
	static uint64_t v[N];
	unsigned int i;

	kvmsq_hist_init(&h);
	for (i = 0; i < N; i++) {
		/* log-uniform over 1 .. 1e10 */
		v[i] = (uint64_t)exp((double)(rng() % 1000000) / 1e6 * log(1e10));
		kvmsq_hist_add(&h, v[i]);
	}
	qsort(v, N, sizeof(v[0]), cmp_u64);
	CHECK(h.count == N && h.min == v[0] && h.max == v[N - 1], "count/min/max");
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		uint64_t exact = v[(size_t)ceil(qs[i] * N) - 1];
		uint64_t got = hist_quantile(&h, qs[i]);
		double rel = fabs((double)got - (double)exact) / (double)exact;

		CHECK(rel <= 1.0 / 64, "q%.3f: histogram %llu, sorted %llu (%.2f%%)",
		      qs[i], (unsigned long long)got, (unsigned long long)exact, rel * 100);
	}
}

static void small_values_exact(void)
{
	static struct kvmsq_hist h;
	unsigned int i;

	kvmsq_hist_init(&h);
	for (i = 1; i <= 50; i++)
		kvmsq_hist_add(&h, i);
	CHECK(hist_quantile(&h, 0.5) == 25, "p50 of 1..50 = %llu",
	      (unsigned long long)hist_quantile(&h, 0.5));
	CHECK(hist_quantile(&h, 1.0) == 50, "p100 = %llu",
	      (unsigned long long)hist_quantile(&h, 1.0));
}

static void merge_adds_up(void)
{
	static struct kvmsq_hist a, b;

	kvmsq_hist_init(&a);
	kvmsq_hist_init(&b);
	kvmsq_hist_add(&a, 100);
	kvmsq_hist_add(&b, 5);
	kvmsq_hist_add(&b, 1000000);
	hist_merge(&a, &b);
	CHECK(a.count == 3 && a.min == 5 && a.max == 1000000 && a.sum == 1000105,
	      "count %llu min %llu max %llu", (unsigned long long)a.count,
	      (unsigned long long)a.min, (unsigned long long)a.max);
}

static void cycles_to_ns_uses_khz(void)
{
	CHECK(fabs(cycles_to_ns(3000, 3000000) - 1000.0) < 1e-9, "3000 cycles at 3 GHz");
	CHECK(cycles_to_ns(5, 0) == 0, "no khz");
}

UNIT_MAIN(T(buckets_tile), T(bucket_error_at_most_3_percent), T(range_1_to_1e10),
	  T(percentiles_match_sorted), T(small_values_exact), T(merge_adds_up),
	  T(cycles_to_ns_uses_khz))
