// SPDX-License-Identifier: GPL-2.0
/*
 * A histogram whose buckets, count, min and max agree but whose exact
 * sum cannot be: two values of 1000 cycles that add up to 5.
 */
#include "hostile.h"

static void spoil(struct kvmsq_hist *h)
{
	h->sum = 5;	/* the means would be off by a factor of 400 */
}

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	return hostile_hist("fault_latency", 2, spoil);
}
