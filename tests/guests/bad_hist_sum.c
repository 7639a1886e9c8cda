// SPDX-License-Identifier: GPL-2.0
/*
 * A histogram whose buckets, count, min and max agree but whose exact
 * sum cannot be: two values of 1000 cycles that add up to 5.
 */
#include "rt.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	struct kvmsq_hist_block blk;

	(void)bi;
	(void)vcpu;
	kvmsq_hist_init(&blk.hist);
	kvmsq_hist_add(&blk.hist, 1000);
	kvmsq_hist_add(&blk.hist, 1000);
	blk.hist.sum = 5;	/* the means would be off by a factor of 400 */
	rt_report_hist("fault_latency", &blk);
	return 0;
}
