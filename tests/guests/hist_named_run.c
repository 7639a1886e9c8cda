// SPDX-License-Identifier: GPL-2.0
/*
 * A good histogram named "run": in the results it would be run_ns, the
 * VMM's own key for how long the vCPU ran, so the VMM refuses the name.
 */
#include "hostile.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	return hostile_hist("run", 1, NULL);
}
