// SPDX-License-Identifier: GPL-2.0
/* A one-byte write to the mailbox, which takes 32-bit GPAs only. */
#include "rt.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	(void)bi;
	(void)vcpu;
	rt_outb(KVMSQ_PORT_MAILBOX, 1);
	return 0;
}
