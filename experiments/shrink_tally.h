/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/shrink_tally.h: do_shrink_slab() passes and the objects
 * they freed, counted per scan function address as the shrink_trace
 * sampler reads them, kept for every sample, and turned into series named
 * by function only at the end of the run. Naming needs /proc/kallsyms
 * (experiments/kallsyms.h), whose reading in the lab would be counted in
 * the guests' times if done while they run.
 */
#ifndef KVMSQ_SHRINK_TALLY_H
#define KVMSQ_SHRINK_TALLY_H

#include <stddef.h>
#include <stdint.h>

struct kallsyms;
struct series_set;

/* Distinct scan functions kept; a kernel has a few dozen shrinkers. */
#define SHRINK_TALLY_MAX_FNS	1024

struct shrink_fn {
	uint64_t addr;
	uint64_t passes;		/* mm_shrink_slab_start */
	uint64_t freed;			/* mm_shrink_slab_end: freed in the pass */
};

struct shrink_tally {
	struct shrink_fn *fns;		/* in the order first seen */
	size_t nr_fns, cap_fns;
	uint64_t passes, freed;		/* every function */
	/* each sample: fns[i], i < nr, had the counts hist[at + i] then */
	struct shrink_snap {
		uint64_t t_ns;
		size_t at, nr;
	} *snaps;
	size_t nr_snaps, cap_snaps;
	struct shrink_count {
		uint64_t passes, freed;
	} *hist;
	size_t nr_hist, cap_hist;
};

/* A pass of the function at @addr began. 0 or -errno (err_msg()). */
int shrink_tally_pass(struct shrink_tally *t, uint64_t addr);
/* A pass ended, having freed @freed objects (below 0: none). */
int shrink_tally_freed(struct shrink_tally *t, uint64_t addr, int64_t freed);
/* Keep every function's counts as of @t_ns. 0 or -ENOMEM. */
int shrink_tally_snap(struct shrink_tally *t, uint64_t t_ns);
/*
 * Into @out, for every sample kept: "shrink.<function>.count_passes" and
 * ".pass_freed", the functions named by @k (addresses that name the same
 * function summed: "foo" and "foo.isra.0"), and the same, all zero, for
 * each name of @always (NULL-terminated) that no address had.
 */
int shrink_tally_emit(const struct shrink_tally *t, const struct kallsyms *k,
		      const char *const *always, struct series_set *out);
void shrink_tally_free(struct shrink_tally *t);

#endif
