/* SPDX-License-Identifier: GPL-2.0 */
/* tests/guests/hostile.h: raw mailbox sends and histograms for guests that lie. */
#ifndef KVMSQ_HOSTILE_H
#define KVMSQ_HOSTILE_H

#include "rt.h"

static inline void hostile_send(uint32_t cmd, uint64_t addr, uint64_t len)
{
	struct kvmsq_msg msg = { .cmd = cmd, .addr = addr, .len = len };

	rt_outl(KVMSQ_PORT_MAILBOX, (uint32_t)(uint64_t)&msg);
}

/*
 * The histogram guests' one shape: @n values of 1000 cycles, then
 * @spoil (if any) makes the lie, and the block is sent as @name.
 */
static inline int hostile_hist(const char *name, unsigned int n,
			       void (*spoil)(struct kvmsq_hist *h))
{
	struct kvmsq_hist_block blk;
	unsigned int i;

	kvmsq_hist_init(&blk.hist);
	for (i = 0; i < n; i++)
		kvmsq_hist_add(&blk.hist, 1000);
	if (spoil)
		spoil(&blk.hist);
	rt_report_hist(name, &blk);
	return 0;
}

#endif
