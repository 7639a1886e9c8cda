/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/fuzz/rng.h: the fuzzers' generator, splitmix64: one per case,
 * seeded from the run's seed and the case number, so a case reruns alone.
 */
#ifndef KVMSQ_FUZZ_RNG_H
#define KVMSQ_FUZZ_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t state;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform enough below @n (0 when n is 0). */
static inline size_t rng_below(struct rng *r, size_t n)
{
	return n ? (size_t)(rng_next(r) % n) : 0;
}

#endif
