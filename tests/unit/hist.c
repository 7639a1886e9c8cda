// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/hist.c: the log-linear histogram: buckets tile the range
 * without gaps, each is at most 3% wide relative to its values,
 * percentiles agree with a sorted array of the same samples, and
 * hist_check() takes what the guests make and nothing inconsistent.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "common/err.h"
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

/* Every histogram kvmsq_hist_add() makes passes hist_check(). */
static void check_accepts_real(void)
{
	static struct kvmsq_hist h;
	unsigned int round, i, n;
	uint64_t v;

	for (round = 0; round < 300; round++) {
		kvmsq_hist_init(&h);
		CHECK(!hist_check(&h), "empty: %s", err_msg());
		n = 1 + (unsigned int)(rng() % 50);
		for (i = 0; i < n; i++) {
			/* small, medium, clamp-bucket and extreme values */
			switch (rng() % 4) {
			case 0: v = rng() % 100; break;
			case 1: v = rng() % 100000000; break;
			case 2: v = (1ull << 34) + rng() % (1ull << 40); break;
			default: v = UINT64_MAX - rng() % 3; break;
			}
			/* sum wraps like the guest's; keep it from wrapping here */
			if (h.sum > UINT64_MAX - v)
				break;
			kvmsq_hist_add(&h, v);
		}
		CHECK(!hist_check(&h), "round %u (%llu values): %s", round,
		      (unsigned long long)h.count, err_msg());
	}
}

static void hist_of(struct kvmsq_hist *h, const uint64_t *v, unsigned int n)
{
	unsigned int i;

	kvmsq_hist_init(h);
	for (i = 0; i < n; i++)
		kvmsq_hist_add(h, v[i]);
}

/* Every way count, sum, min, max and buckets can disagree is refused. */
static void check_refuses_inconsistent(void)
{
	static const uint64_t v[] = { 100, 101, 5000, 5001, 70000 };
	static struct kvmsq_hist h;
	unsigned int b100 = kvmsq_hist_index(100);

	hist_of(&h, v, 5);
	CHECK(!hist_check(&h), "the base case: %s", err_msg());
	h.count++;
	CHECK(hist_check(&h) < 0, "count above the buckets' sum");
	hist_of(&h, v, 5);
	h.buckets[b100] = UINT64_MAX;
	h.count = UINT64_MAX;
	CHECK(hist_check(&h) < 0, "buckets overflowing 2^64");
	hist_of(&h, v, 5);
	h.min = 99;
	CHECK(hist_check(&h) < 0, "min below its bucket");
	hist_of(&h, v, 5);
	h.min = 5000;
	CHECK(hist_check(&h) < 0, "min above the first non-empty bucket");
	hist_of(&h, v, 5);
	h.max = 5002;
	CHECK(hist_check(&h) < 0, "max below the last non-empty bucket");
	hist_of(&h, v, 5);
	h.max = 1ull << 40;
	CHECK(hist_check(&h) < 0, "max above the last non-empty bucket");
	hist_of(&h, v, 5);
	h.min = 6000;
	h.max = 5000;
	CHECK(hist_check(&h) < 0, "min above max");
	/* the sum: exactly what 100 + 101 + 5000 + 5001 + 70000 can be */
	hist_of(&h, v, 5);
	h.sum--;
	CHECK(!hist_check(&h), "sum one below the real one is still possible: %s", err_msg());
	h.sum = 100 + 101 + kvmsq_hist_lower(kvmsq_hist_index(5000)) * 2 + 70000 - 1;
	CHECK(hist_check(&h) < 0, "sum one below the least possible");
	h.sum = 100 + 101 + (kvmsq_hist_lower(kvmsq_hist_index(5000)) + kvmsq_hist_width(kvmsq_hist_index(5000)) - 1) * 2 + 70000 + 1;
	CHECK(hist_check(&h) < 0, "sum one above the most possible");
	hist_of(&h, v, 1);
	h.sum = 101;
	CHECK(hist_check(&h) < 0, "one value whose sum is not it");
	hist_of(&h, v, 2);
	h.sum = 0;
	CHECK(hist_check(&h) < 0, "mean below min");
	hist_of(&h, v, 2);
	h.sum = UINT64_MAX;
	CHECK(hist_check(&h) < 0, "mean above max");
	/* empty, but not quite */
	kvmsq_hist_init(&h);
	h.sum = 1;
	CHECK(hist_check(&h) < 0, "empty with a sum");
	kvmsq_hist_init(&h);
	h.max = 7;
	CHECK(hist_check(&h) < 0, "empty with a max");
	/* the outside testers' case: 2^64-1 values, most of them 6.6 s */
	kvmsq_hist_init(&h);
	h.buckets[0] = 1;
	h.buckets[kvmsq_hist_index(20000000000ull)] = UINT64_MAX - 1;
	h.count = UINT64_MAX;
	h.min = 0;
	h.max = 20000000000ull;
	h.sum = 3;
	CHECK(hist_check(&h) < 0, "2^64-1 values adding up to 3");
}

/* Percentiles of 2^64 - 1 values: (double)count rounds to 2^64. */
static void quantile_huge_count(void)
{
	static struct kvmsq_hist h;

	kvmsq_hist_init(&h);
	h.buckets[10] = UINT64_MAX;
	h.count = UINT64_MAX;
	h.min = h.max = 10;
	h.sum = 10;	/* wrapped; hist_check is not the point here */
	CHECK(hist_quantile(&h, 1.0) == 10 && hist_quantile(&h, 0.5) == 10 &&
	      hist_quantile(&h, 1e-30) == 10, "quantiles of 2^64-1 tens");
}

static void cycles_to_ns_uses_khz(void)
{
	CHECK(fabs(cycles_to_ns(3000, 3000000) - 1000.0) < 1e-9, "3000 cycles at 3 GHz");
	CHECK(cycles_to_ns(5, 0) == 0, "no khz");
}

UNIT_MAIN(T(buckets_tile), T(bucket_error_at_most_3_percent), T(range_1_to_1e10),
	  T(percentiles_match_sorted), T(small_values_exact), T(merge_adds_up),
	  T(check_accepts_real), T(check_refuses_inconsistent), T(quantile_huge_count),
	  T(cycles_to_ns_uses_khz))
