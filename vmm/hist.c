// SPDX-License-Identifier: GPL-2.0
/* vmm/hist.c: percentiles of the guests' log-linear histograms. */
#include <math.h>

#include "hist.h"

uint64_t hist_quantile(const struct kvmsq_hist *h, double q)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;

	if (!h->count)
		return 0;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
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
