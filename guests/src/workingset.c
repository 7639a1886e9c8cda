// SPDX-License-Identifier: GPL-2.0
/*
 * guests/src/workingset.c: steady access over a working set until told
 * to stop. How often, and how badly, does a squeezed guest refault? Each
 * access is timed; an access slower than threshold_ns counts as slow.
 * With cold=SIZE it first touches a page in every 2 MiB of SIZE bytes it
 * never comes back to, so the host has older page tables (one per 2 MiB)
 * the guest does not need: a shrinker that
 * zaps the oldest costs it nothing, one that zaps the newest costs it
 * refaults of its working set.
 */
#include "rt.h"

/*
 * Accesses between looks at stop and clock: few enough that a guest whose
 * every access refaults (a squeezed cgroup in the TCG lab: a millisecond
 * or more each) still stops well within the runner's 5 s.
 */
#define CHECK_EVERY	256

struct ws {
	uint64_t start, pages;
	int random, write;
	uint64_t slow_cycles, deadline_tsc;
	uint64_t accesses, slow, passes;
	uint64_t rng;
	struct kvmsq_hist_block blk;
};

static inline void ws_access(struct ws *ws, uint64_t page)
{
	volatile uint64_t *p = (volatile uint64_t *)(ws->start + page * RT_PAGE);
	uint64_t t0, dt;

	t0 = rt_rdtsc();
	if (ws->write)
		*p += 1;
	else
		(void)*p;
	dt = rt_rdtsc() - t0;
	kvmsq_hist_add(&ws->blk.hist, dt);
	ws->slow += dt > ws->slow_cycles;
}

static int ws_done(const struct ws *ws, const struct kvmsq_boot_info *bi)
{
	return rt_stop_requested(bi) ||
	       (ws->deadline_tsc && rt_rdtsc() >= ws->deadline_tsc);
}

static void ws_steady(struct ws *ws, const struct kvmsq_boot_info *bi)
{
	uint64_t i, page;

	for (;;) {
		for (i = 0; i < ws->pages; i++) {
			page = ws->random ? rt_rand(&ws->rng) % ws->pages : i;
			ws_access(ws, page);
			ws->accesses++;
			if (ws->accesses % CHECK_EVERY == 0 && ws_done(ws, bi))
				return;
		}
		ws->passes++;
		if (ws_done(ws, bi))
			return;
	}
}

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	struct ws ws_local, *ws = &ws_local;
	const char *pattern = rt_param_text(bi, "pattern");
	uint64_t start, end, size, cold, duration, threshold, i;

	rt_share(bi, vcpu, &start, &end);
	size = rt_param_bytes(bi, vcpu, "size");
	cold = rt_param_num(bi, "cold");
	duration = rt_param_num(bi, "duration");
	threshold = rt_param_num(bi, "threshold_ns");
	memset(ws, 0, sizeof(*ws) - sizeof(ws->blk));
	ws->write = rt_param_num(bi, "write") != 0;
	ws->random = !strcmp(pattern, "random");
	if (cold == RT_PARAM_BAD || size + cold > end - start || size < RT_PAGE ||
	    duration == RT_PARAM_BAD ||
	    threshold == RT_PARAM_BAD || (!ws->random && strcmp(pattern, "seq"))) {
		rt_printf("workingset: need size + cold <= %lu (this vCPU's share), pattern seq|random, numeric duration and threshold_ns\n",
			  end - start);
		return 1;
	}
	ws->start = start;
	ws->pages = size / RT_PAGE;
	ws->slow_cycles = rt_ns_to_cycles(bi, threshold);
	ws->rng = 0x9e3779b97f4a7c15ull * (vcpu + 1);
	kvmsq_hist_init(&ws->blk.hist);

	rt_barrier(bi);
	/*
	 * One page per 2 MiB is enough for the host to build a page table
	 * for each 2 MiB of the cold region, without faulting all of it in.
	 */
	if (cold) {
		rt_phase_begin("cold");
		for (i = 0; i < cold; i += 2 << 20)
			*(volatile uint64_t *)(start + size + i) = i;
		rt_phase_end("cold");
	}
	rt_phase_begin("populate");
	for (i = 0; i < ws->pages; i++) {
		*(volatile uint64_t *)(start + i * RT_PAGE) = i;
		if (i % CHECK_EVERY == 0 && rt_stop_requested(bi))
			break;	/* a slow host: still report, do not get killed */
	}
	rt_phase_end("populate");
	rt_report_counter("populated_pages", i < ws->pages ? i + 1 : i);

	if (duration)
		ws->deadline_tsc = rt_rdtsc() + duration * bi->tsc_khz * 1000;
	rt_phase_begin("steady");
	ws_steady(ws, bi);
	rt_phase_end("steady");

	rt_report_counter("accesses", ws->accesses);
	rt_report_counter("slow_accesses", ws->slow);
	rt_report_counter("passes", ws->passes);
	rt_report_hist("access_latency", &ws->blk);
	return 0;
}
