// SPDX-License-Identifier: GPL-2.0
/*
 * Buckets that add up to the count, min and max in range, but 2^64 - 1
 * values of which all but one are 20e9 cycles "adding up" to 3: a p50 of
 * seconds with a mean below a nanosecond. The VMM refuses the sum.
 */
#include "hostile.h"

static void spoil(struct kvmsq_hist *h)
{
	h->buckets[0] = 1;
	h->buckets[kvmsq_hist_index(20000000000ull)] = ~0ull - 1;
	h->count = ~0ull;
	h->min = 0;
	h->max = 20000000000ull;
	h->sum = 3;
}

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	return hostile_hist("fault_latency", 0, spoil);
}
