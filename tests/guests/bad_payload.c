// SPDX-License-Identifier: GPL-2.0
/*
 * A result block that runs past the end of RAM (vCPU 0), and one whose
 * address plus length wraps around 2^64 (the others): the VMM must refuse
 * whichever comes first and stop the VM.
 */
#include "hostile.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	if (vcpu == 0)
		hostile_send(KVMSQ_MSG_RESULT, bi->mem_bytes - 16,
			     sizeof(struct kvmsq_counter));
	else
		hostile_send(KVMSQ_MSG_RESULT, ~0ull - 8, 64);	/* wraps */
	return 0;
}
