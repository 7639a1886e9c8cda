// SPDX-License-Identifier: GPL-2.0
/* A histogram whose buckets do not add up to its count. */
#include "hostile.h"

static void spoil(struct kvmsq_hist *h)
{
	h->buckets[7] = ~0ull;	/* would overflow a naive sum */
}

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	return hostile_hist("fault_latency", 1, spoil);
}
