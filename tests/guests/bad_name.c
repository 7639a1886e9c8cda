// SPDX-License-Identifier: GPL-2.0
/* A counter whose name is not NUL-terminated and not printable. */
#include "hostile.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	struct kvmsq_counter c;

	(void)bi;
	(void)vcpu;
	c.hdr.kind = KVMSQ_RESULT_COUNTER;
	c.hdr.size = sizeof(c);
	memset(c.hdr.name, 0x1b, sizeof(c.hdr.name));	/* ESC, no NUL */
	c.value = 1;
	hostile_send(KVMSQ_MSG_RESULT, (uint64_t)&c, sizeof(c));
	return 0;
}
