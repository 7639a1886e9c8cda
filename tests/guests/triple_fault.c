// SPDX-License-Identifier: GPL-2.0
/*
 * Wipe the IDT (sidt works at CPL3; all RAM is writable), then #UD: the
 * CPU cannot deliver it, nor the #DF that follows, and shuts down. The
 * VMM must report a triple fault with the registers.
 */
#include "rt.h"

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	struct desc_ptr idtr;

	(void)bi;
	(void)vcpu;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	memset((void *)idtr.base, 0, idtr.limit + 1u);
	__asm__ volatile("ud2");
	return 0;
}
