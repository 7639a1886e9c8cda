// SPDX-License-Identifier: GPL-2.0
/*
 * For guest RAM on a filesystem that fills up while the guest runs
 * (tests/vm_space.sh): say "ready", wait for the stop request (by then
 * the test has filled the filesystem), then with --param mode=mailbox
 * send a message from the middle of free RAM, a page never touched, or
 * with mode=touch write to pages never touched.
 */
#include "hostile.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	uint64_t page = (bi->free_start + (bi->free_end - bi->free_start) / 2) & ~(RT_PAGE - 1);
	const char *mode = rt_param_str(bi, "mode", "mailbox");
	uint64_t addr;

	if (vcpu)
		return 0;
	rt_printf("ready\n");
	while (!rt_stop_requested(bi))
		rt_pause();
	if (!strcmp(mode, "mailbox")) {
		rt_outl(KVMSQ_PORT_MAILBOX, (uint32_t)page);
	} else {
		for (addr = page; addr < bi->free_end; addr += RT_PAGE)
			*(volatile uint64_t *)addr = addr;
	}
	rt_printf("no_space: survived mode %s\n", mode);
	return 1;
}
