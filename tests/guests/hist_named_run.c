// SPDX-License-Identifier: GPL-2.0
/*
 * A good histogram named "run": in the results it would be run_ns, the
 * VMM's own key for how long the vCPU ran, so the VMM refuses the name.
 */
#include "rt.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	struct kvmsq_hist_block blk;

	(void)bi;
	(void)vcpu;
	kvmsq_hist_init(&blk.hist);
	kvmsq_hist_add(&blk.hist, 1000);
	rt_report_hist("run", &blk);
	return 0;
}
