/* SPDX-License-Identifier: GPL-2.0 */
/*
 * abi/hist.h: log-linear latency histogram, filled by guests, read by
 * the VMM. Freestanding and header-only.
 *
 * Values below 64 get a bucket each. Above, every power of two
 * [2^m, 2^(m+1)) is cut into 64 equal buckets, so a bucket is at most
 * 1/64 (1.6%) of its lower bound wide. The last octave is m = 33, so
 * values up to 2^34 - 1 (1.7e10 cycles) are resolved; larger ones land
 * in the last bucket and only max keeps them exactly.
 */
#ifndef KVMSQ_HIST_H
#define KVMSQ_HIST_H

#include <stdint.h>

#define KVMSQ_HIST_SUB_BITS	6
#define KVMSQ_HIST_SUB		(1u << KVMSQ_HIST_SUB_BITS)
#define KVMSQ_HIST_MAX_MSB	33
#define KVMSQ_HIST_BUCKETS \
	((KVMSQ_HIST_MAX_MSB - KVMSQ_HIST_SUB_BITS + 2) * KVMSQ_HIST_SUB)

struct kvmsq_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint64_t buckets[KVMSQ_HIST_BUCKETS];
};

static inline unsigned int kvmsq_hist_index(uint64_t v)
{
	unsigned int msb;

	if (v < KVMSQ_HIST_SUB)
		return (unsigned int)v;
	msb = 63 - (unsigned int)__builtin_clzll(v);
	if (msb > KVMSQ_HIST_MAX_MSB)
		return KVMSQ_HIST_BUCKETS - 1;
	return (msb - KVMSQ_HIST_SUB_BITS + 1) * KVMSQ_HIST_SUB +
	       (unsigned int)(v >> (msb - KVMSQ_HIST_SUB_BITS)) - KVMSQ_HIST_SUB;
}

/* Smallest value that lands in bucket @idx. */
static inline uint64_t kvmsq_hist_lower(unsigned int idx)
{
	unsigned int shift;

	if (idx < KVMSQ_HIST_SUB)
		return idx;
	shift = idx / KVMSQ_HIST_SUB - 1;
	return (uint64_t)(KVMSQ_HIST_SUB + idx % KVMSQ_HIST_SUB) << shift;
}

/* Number of distinct values bucket @idx holds. */
static inline uint64_t kvmsq_hist_width(unsigned int idx)
{
	if (idx < KVMSQ_HIST_SUB)
		return 1;
	return 1ull << (idx / KVMSQ_HIST_SUB - 1);
}

static inline void kvmsq_hist_init(struct kvmsq_hist *h)
{
	unsigned int i;

	h->count = 0;
	h->sum = 0;
	h->min = ~0ull;
	h->max = 0;
	for (i = 0; i < KVMSQ_HIST_BUCKETS; i++)
		h->buckets[i] = 0;
}

static inline void kvmsq_hist_add(struct kvmsq_hist *h, uint64_t v)
{
	h->buckets[kvmsq_hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

#endif
