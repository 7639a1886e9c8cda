/* SPDX-License-Identifier: GPL-2.0 */
/* tests/guests/hostile.h: raw mailbox sends for guests that lie. */
#ifndef KVMSQ_HOSTILE_H
#define KVMSQ_HOSTILE_H

#include "rt.h"

static inline void hostile_send(uint32_t cmd, uint64_t addr, uint64_t len)
{
	struct kvmsq_msg msg = { .cmd = cmd, .addr = addr, .len = len };

	rt_outl(KVMSQ_PORT_MAILBOX, (uint32_t)(uint64_t)&msg);
}

#endif
