// SPDX-License-Identifier: GPL-2.0
/*
 * guests/src/idle.c: touch a little, then halt until stopped. The
 * baseline for per-vCPU overhead: after the touch each vCPU's MMU memory
 * caches are topped up, and they stay that way while it idles.
 */
#include "rt.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	uint64_t start, end, bytes, addr, pages = 0, halts = 0;

	rt_share(bi, vcpu, &start, &end);
	bytes = rt_param_num(bi, "touch");
	if (bytes > end - start) {
		rt_printf("idle: touch=%lu exceeds vCPU %u's share of %lu bytes\n",
			  bytes, vcpu, end - start);
		return 1;
	}
	rt_phase_begin("touch");
	for (addr = start; addr < start + bytes; addr += RT_PAGE, pages++)
		*(volatile uint64_t *)addr = addr;
	rt_phase_end("touch");

	rt_phase_begin("idle");
	while (!rt_stop_requested(bi)) {
		rt_hlt();
		halts++;
	}
	rt_phase_end("idle");
	rt_report_counter("pages_touched", pages);
	rt_report_counter("halts", halts);
	return 0;
}
