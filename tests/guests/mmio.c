// SPDX-License-Identifier: GPL-2.0
/*
 * Map a page at 1 TiB, far beyond RAM, and write to it: KVM exits with
 * MMIO and the VMM must stop the VM naming the address.
 */
#include "rt.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	struct x86_pt pt = { .host_base = 0, .root = bi->cr3 };
	uint64_t start, end;

	rt_share(bi, vcpu, &start, &end);
	pt.next = start;
	pt.end = end;
	if (vcpu == 0) {
		if (x86_pt_map(&pt, RT_WINDOW_VA, 1ull << 40, RT_PAGE, X86_PAGE_4K,
			       X86_PTE_WRITE | X86_PTE_USER))
			return 2;
		rt_write_cr3(bi->cr3);
		*(volatile uint64_t *)RT_WINDOW_VA = 1;
	}
	return 0;
}
