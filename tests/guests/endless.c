// SPDX-License-Identifier: GPL-2.0
/* Spin forever without an exit: the VMM's --timeout must stop it. */
#include "rt.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	(void)bi;
	(void)vcpu;
	for (;;)
		__asm__ volatile("" : : : "memory");
}
