// SPDX-License-Identifier: GPL-2.0
/*
 * Buckets that add up to the count, min and max in range, but 2^64 - 1
 * values of which all but one are 20e9 cycles "adding up" to 3: a p50 of
 * seconds with a mean below a nanosecond. The VMM refuses the sum.
 */
#include "rt.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	struct kvmsq_hist_block blk;

	(void)bi;
	(void)vcpu;
	kvmsq_hist_init(&blk.hist);
	blk.hist.buckets[0] = 1;
	blk.hist.buckets[kvmsq_hist_index(20000000000ull)] = ~0ull - 1;
	blk.hist.count = ~0ull;
	blk.hist.min = 0;
	blk.hist.max = 20000000000ull;
	blk.hist.sum = 3;
	rt_report_hist("fault_latency", &blk);
	return 0;
}
