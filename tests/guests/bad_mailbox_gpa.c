// SPDX-License-Identifier: GPL-2.0
/* Mailbox message pointer past the end of RAM: the VMM must stop the VM. */
#include "rt.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	(void)bi;
	if (vcpu == 0)
		rt_outl(KVMSQ_PORT_MAILBOX, 0xfffff000u);
	return 0;
}
