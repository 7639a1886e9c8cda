/* SPDX-License-Identifier: GPL-2.0 */
/* vmm/hist.h: reading guest histograms: checks, percentiles and merging. */
#ifndef KVMSQ_VMM_HIST_H
#define KVMSQ_VMM_HIST_H

#include <stdint.h>

#include "abi/hist.h"

/*
 * Could kvmsq_hist_add() have made @h? count is the sum of the buckets,
 * min and max lie in the first and last non-empty buckets, and sum is
 * what count values in those buckets between min and max can add up to.
 * 0, or -EINVAL with err_msg() saying what disagrees.
 */
int hist_check(const struct kvmsq_hist *h);
/* The value at quantile @q (0 < q <= 1): its bucket's middle, within [min, max]. */
uint64_t hist_quantile(const struct kvmsq_hist *h, double q);
void hist_merge(struct kvmsq_hist *into, const struct kvmsq_hist *from);
double cycles_to_ns(uint64_t cycles, uint64_t tsc_khz);

#endif
