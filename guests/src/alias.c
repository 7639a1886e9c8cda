// SPDX-License-Identifier: GPL-2.0
/*
 * guests/src/alias.c: many address spaces mapping the same memory. With
 * shadow paging every guest page table is shadowed per address space, so
 * page-table memory grows with the number of CR3s, not with the RAM the
 * guest uses. Each vCPU builds `spaces` roots that map one shared window
 * through private tables, then switches among them touching every page.
 */
#include "rt.h"

#define MAX_SPACES	4096

struct alias {
	uint64_t window, bytes, spaces, passes;
	uint64_t *roots;		/* in the table pool */
	uint64_t pool, pool_end, table_pages;
	struct kvmsq_hist_block blk;
};

static int alias_build(struct alias *a, const struct kvmsq_boot_info *bi)
{
	struct x86_pt pt;
	uint64_t next = a->pool, k;
	int ret;

	for (k = 0; k < a->spaces; k++) {
		ret = rt_space_init(bi, &pt, next, a->pool_end);
		if (!ret)
			ret = x86_pt_map(&pt, RT_WINDOW_VA, a->window, a->bytes,
					 X86_PAGE_4K, X86_PTE_WRITE | X86_PTE_USER);
		if (ret)
			return ret;
		a->roots[k] = pt.root;
		next = pt.next;
	}
	a->table_pages = (next - a->pool) / RT_PAGE;
	return 0;
}

static uint64_t alias_run(struct alias *a, const struct kvmsq_boot_info *bi)
{
	uint64_t pass, k, off, t0, switches = 0;

	for (pass = 0; pass < a->passes; pass++) {
		for (k = 0; k < a->spaces; k++) {
			rt_write_cr3(a->roots[k]);
			switches++;
			for (off = 0; off < a->bytes; off += RT_PAGE) {
				t0 = rt_rdtsc();
				*(volatile uint64_t *)(RT_WINDOW_VA + off) += 1;
				kvmsq_hist_add(&a->blk.hist, rt_rdtsc() - t0);
			}
			if (rt_stop_requested(bi))
				goto out;
		}
	}
out:
	rt_write_cr3(bi->cr3);
	return switches;
}

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	struct alias a;
	uint64_t start, end, roots_bytes, switches;
	int ret;

	rt_share(bi, vcpu, &start, &end);
	a.spaces = rt_param_num(bi, "spaces");
	a.bytes = rt_param_bytes(bi, vcpu, "size");
	a.passes = rt_param_num(bi, "passes");
	if (a.spaces < 1 || a.spaces > MAX_SPACES || a.passes == RT_PARAM_BAD ||
	    a.bytes < RT_PAGE || a.bytes % RT_PAGE || a.bytes >= end - start) {
		rt_printf("alias: need 1 <= spaces <= %u, a page-multiple size below the share (%lu bytes), numeric passes\n",
			  MAX_SPACES, end - start);
		return 1;
	}
	roots_bytes = (a.spaces * 8 + RT_PAGE - 1) & ~(RT_PAGE - 1);
	a.window = start;
	a.roots = (uint64_t *)(start + a.bytes);
	a.pool = start + a.bytes + roots_bytes;
	a.pool_end = end;
	kvmsq_hist_init(&a.blk.hist);

	rt_phase_begin("build");
	ret = alias_build(&a, bi);
	rt_phase_end("build");
	if (ret) {
		rt_printf("alias: %lu spaces of %lu bytes need more page-table memory than the share has (error %d); give more --mem or fewer spaces\n",
			  a.spaces, a.bytes, ret);
		return 1;
	}
	rt_barrier(bi);
	rt_phase_begin("alias");
	switches = alias_run(&a, bi);
	rt_phase_end("alias");

	rt_report_counter("spaces", a.spaces);
	rt_report_counter("cr3_switches", switches);
	rt_report_counter("pages_per_space", a.bytes / RT_PAGE);
	rt_report_counter("table_pages", a.table_pages);
	rt_report_hist("access_latency", &a.blk);
	return 0;
}
