// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/hist.c: the guests' log-linear histograms: whether one is
 * consistent, percentiles, merging.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "common/err.h"
#include "vmm/hist.h"

/* Largest value bucket @idx holds; the last one takes everything above. */
static uint64_t hist_upper(unsigned int idx)
{
	if (idx == KVMSQ_HIST_BUCKETS - 1)
		return UINT64_MAX;
	return kvmsq_hist_lower(idx) + kvmsq_hist_width(idx) - 1;
}

static uint64_t u64_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t u64_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* For messages: a 128-bit bound, or "above 2^64". */
static const char *u128_text(unsigned __int128 v, char *buf, size_t len)
{
	if (v > UINT64_MAX)
		return "above 2^64";
	snprintf(buf, len, "%" PRIu64, (uint64_t)v);
	return buf;
}

int hist_check(const struct kvmsq_hist *h)
{
	unsigned int i, first = KVMSQ_HIST_BUCKETS, last = 0;
	unsigned __int128 low = 0, high = 0;
	char low_text[24], high_text[24];
	uint64_t count = 0;

	for (i = 0; i < KVMSQ_HIST_BUCKETS; i++) {
		if (!h->buckets[i])
			continue;
		if (__builtin_add_overflow(count, h->buckets[i], &count))
			return err_set(EINVAL, "buckets add up to more than 2^64 (count says %" PRIu64 ")",
				       h->count);
		if (first == KVMSQ_HIST_BUCKETS)
			first = i;
		last = i;
	}
	if (count != h->count)
		return err_set(EINVAL, "buckets add up to %" PRIu64 ", count says %" PRIu64,
			       count, h->count);
	if (!count) {
		if (h->sum || h->max || (h->min && h->min != UINT64_MAX))
			return err_set(EINVAL, "empty but sum %" PRIu64 ", min %" PRIu64 ", max %" PRIu64 " (empty: sum 0, max 0, min 0 or 2^64-1)",
				       h->sum, h->min, h->max);
		return 0;
	}
	if (h->min > h->max)
		return err_set(EINVAL, "min %" PRIu64 " > max %" PRIu64, h->min, h->max);
	if (kvmsq_hist_index(h->min) != first || kvmsq_hist_index(h->max) != last)
		return err_set(EINVAL, "min %" PRIu64 " and max %" PRIu64 " are not in the first and last non-empty buckets (%" PRIu64 "-%" PRIu64 ", %" PRIu64 "-%" PRIu64 ")",
			       h->min, h->max, kvmsq_hist_lower(first), hist_upper(first),
			       kvmsq_hist_lower(last), hist_upper(last));
	/*
	 * The sum of count values, each in its bucket and within [min, max],
	 * one of them min and one max: exactly the integers in [low, high].
	 */
	for (i = first; i <= last; i++) {
		low += (unsigned __int128)h->buckets[i] * u64_max(kvmsq_hist_lower(i), h->min);
		high += (unsigned __int128)h->buckets[i] * u64_min(hist_upper(i), h->max);
	}
	low += h->max - u64_max(kvmsq_hist_lower(last), h->min);
	high -= u64_min(hist_upper(first), h->max) - h->min;
	if (h->sum < low || h->sum > high)
		return err_set(EINVAL, "sum %" PRIu64 " does not fit %" PRIu64 " values from %" PRIu64 " to %" PRIu64 " in their buckets (%s to %s)",
			       h->sum, count, h->min, h->max,
			       u128_text(low, low_text, sizeof(low_text)),
			       u128_text(high, high_text, sizeof(high_text)));
	return 0;
}

uint64_t hist_quantile(const struct kvmsq_hist *h, double q)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;
	double r;


	if (!h->count)
		return 0;
	/* (double)count may round up to 2^64, past what uint64_t holds */
	r = ceil(q * (double)h->count);
	if (!(r >= 1))
		rank = 1;
	else if (r >= (double)h->count)
		rank = h->count;
	else
		rank = (uint64_t)r;
	for (i = 0; i < KVMSQ_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	if (i == KVMSQ_HIST_BUCKETS)
		return h->max;
	v = kvmsq_hist_lower(i) + (kvmsq_hist_width(i) - 1) / 2;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

void hist_merge(struct kvmsq_hist *into, const struct kvmsq_hist *from)
{
	unsigned int i;

	if (!from->count)
		return;
	for (i = 0; i < KVMSQ_HIST_BUCKETS; i++)
		into->buckets[i] += from->buckets[i];
	if (!into->count || from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
	into->count += from->count;
	into->sum += from->sum;
}

double cycles_to_ns(uint64_t cycles, uint64_t tsc_khz)
{
	return tsc_khz ? (double)cycles * 1e6 / (double)tsc_khz : 0;
}
