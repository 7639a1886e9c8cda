// SPDX-License-Identifier: GPL-2.0
/*
 * guests/src/churn.c: rewrite page tables and reload CR3 in a loop. Under
 * shadow paging every write to a shadowed guest page table is trapped,
 * and tables that turn back into data get unsynced or zapped: this guest
 * makes the host create and throw away shadow pages as fast as it can.
 *
 * The window is mapped by one PD whose entries point at one of SETS sets
 * of page-table pages. Each iteration fills the next set with a rotated
 * mapping, points the PD at it, wipes the set it leaves (now plain data
 * to the guest), reloads CR3 and reads every page of the window.
 */
#include "rt.h"

#define SETS		4
#define MAX_PTS		512		/* a window of at most 1 GiB */

struct churn {
	uint64_t bytes, data, pages, nr_pts;
	uint64_t *pd;			/* the window's PD */
	uint64_t sets[SETS];		/* GPA of each set's first PT page */
	uint64_t root;
	uint64_t pte_writes, cr3_loads;
	struct kvmsq_hist_block blk;
};

static void churn_fill(struct churn *c, int set, uint64_t rot)
{
	uint64_t *pte = (uint64_t *)c->sets[set];
	uint64_t i;

	for (i = 0; i < c->nr_pts * 512; i++) {
		uint64_t page = i < c->pages ? (i + rot) % c->pages : 0;

		pte[i] = i < c->pages ? (c->data + page * RT_PAGE) |
			 X86_PTE_PRESENT | X86_PTE_WRITE | X86_PTE_USER : 0;
	}
	c->pte_writes += c->nr_pts * 512;
	for (i = 0; i < c->nr_pts; i++)
		c->pd[i] = (c->sets[set] + i * RT_PAGE) | X86_PTE_PRESENT |
			   X86_PTE_WRITE | X86_PTE_USER;
}

static void churn_wipe(struct churn *c, int set)
{
	memset((void *)c->sets[set], 0, c->nr_pts * RT_PAGE);
}

static int churn_setup(struct churn *c, const struct kvmsq_boot_info *bi,
		       uint64_t pool, uint64_t pool_end)
{
	struct x86_pt pt;
	uint64_t *pdpt;
	int ret, s;

	ret = rt_space_init(bi, &pt, pool, pool_end);
	if (!ret)	/* creates the PDPT and PD; the PTs are ours */
		ret = x86_pt_map(&pt, RT_WINDOW_VA, 0, X86_PAGE_2M, X86_PAGE_2M,
				 X86_PTE_WRITE | X86_PTE_USER);
	if (ret)
		return ret;
	pdpt = (uint64_t *)(*x86_pt_entry(&pt, pt.root, 255) & X86_PTE_ADDR_MASK);
	c->pd = (uint64_t *)(pdpt[0] & X86_PTE_ADDR_MASK);
	c->pd[0] = 0;
	c->root = pt.root;
	for (s = 0; s < SETS; s++) {
		if (pt.end - pt.next < c->nr_pts * RT_PAGE)
			return -X86_PT_ENOMEM;
		c->sets[s] = pt.next;
		pt.next += c->nr_pts * RT_PAGE;
	}
	return 0;
}

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	struct churn c;
	uint64_t start, end, iterations, duration, deadline = 0, it, off, t0;
	uint64_t done = 0;

	rt_share(bi, vcpu, &start, &end);
	memset(&c, 0, sizeof(c) - sizeof(c.blk));
	c.bytes = rt_param_bytes(bi, vcpu, "size");
	iterations = rt_param_num(bi, "iterations");
	duration = rt_param_num(bi, "duration");
	c.pages = c.bytes / RT_PAGE;
	c.nr_pts = (c.pages + 511) / 512;
	if (!c.pages || c.bytes % RT_PAGE || c.nr_pts > MAX_PTS ||
	    iterations == RT_PARAM_BAD || duration == RT_PARAM_BAD ||
	    c.bytes + (SETS * c.nr_pts + 4) * RT_PAGE > end - start) {
		rt_printf("churn: need a page-multiple size of at most 1 GiB that fits this vCPU's share (%lu bytes) with its tables, numeric iterations and duration\n",
			  end - start);
		return 1;
	}
	c.data = start;
	if (churn_setup(&c, bi, start + c.bytes, end)) {
		rt_printf("churn: no room for page tables in the share\n");
		return 1;
	}
	kvmsq_hist_init(&c.blk.hist);
	if (duration)
		deadline = rt_rdtsc() + duration * bi->tsc_khz * 1000;

	rt_barrier(bi);
	rt_phase_begin("churn");
	for (it = 0; duration ? rt_rdtsc() < deadline : it < iterations; it++) {
		int set = (int)(it % SETS);

		t0 = rt_rdtsc();
		churn_fill(&c, set, it);
		if (it)
			churn_wipe(&c, (set + SETS - 1) % SETS);
		rt_write_cr3(c.root);
		c.cr3_loads++;
		for (off = 0; off < c.bytes; off += RT_PAGE)
			(void)*(volatile uint64_t *)(RT_WINDOW_VA + off);
		kvmsq_hist_add(&c.blk.hist, rt_rdtsc() - t0);
		done++;
		if (rt_stop_requested(bi))
			break;
	}
	rt_write_cr3(bi->cr3);
	rt_phase_end("churn");

	rt_report_counter("iterations", done);
	rt_report_counter("cr3_loads", c.cr3_loads);
	rt_report_counter("pte_writes", c.pte_writes);
	rt_report_hist("iteration_latency", &c.blk);
	return 0;
}
