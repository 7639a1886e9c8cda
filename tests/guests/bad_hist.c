// SPDX-License-Identifier: GPL-2.0
/* A histogram whose buckets do not add up to its count. */
#include "rt.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	struct kvmsq_hist_block blk;

	(void)bi;
	(void)vcpu;
	kvmsq_hist_init(&blk.hist);
	kvmsq_hist_add(&blk.hist, 1000);
	blk.hist.buckets[7] = ~0ull;	/* would overflow a naive sum */
	rt_report_hist("fault_latency", &blk);
	return 0;
}
