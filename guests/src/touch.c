// SPDX-License-Identifier: GPL-2.0
/*
 * guests/src/touch.c: first touch of every page, each fault timed.
 * What does a guest page fault cost, end to end, when every page is new
 * to the host? Each vCPU writes the first word of every page of its share
 * of free RAM once, between two rdtsc, into a log-linear histogram.
 */
#include "rt.h"

static uint64_t touch_timed(uint64_t start, uint64_t end, uint64_t stride,
			    uint64_t mark, struct kvmsq_hist *h)
{
	uint64_t addr, t0, n = 0;

	for (addr = start; addr < end; addr += stride, n++) {
		t0 = rt_rdtsc();
		*(volatile uint64_t *)addr = mark;
		kvmsq_hist_add(h, rt_rdtsc() - t0);
	}
	return n;
}

static uint64_t touch_plain(uint64_t start, uint64_t end, uint64_t stride,
			    uint64_t mark)
{
	uint64_t addr, n = 0;

	for (addr = start; addr < end; addr += stride, n++)
		*(volatile uint64_t *)addr = mark;
	return n;
}

/*
 * The whole share, a chunk of about 2 MiB (a whole number of strides) at
 * a time, so that a guest asked to stop (the run's duration is over)
 * stops within a chunk and still reports what it touched and timed.
 */
#define CHUNK_BYTES	(2ull << 20)

static uint64_t touch_chunks(const struct kvmsq_boot_info *bi, uint64_t start,
			     uint64_t end, uint64_t stride, uint64_t mark,
			     struct kvmsq_hist *h)
{
	uint64_t chunk = stride < CHUNK_BYTES ? CHUNK_BYTES / stride * stride : stride;
	uint64_t addr, stop, n = 0;

	for (addr = start; addr < end && !rt_stop_requested(bi); addr = stop) {
		stop = end - addr > chunk ? addr + chunk : end;
		n += h ? touch_timed(addr, stop, stride, mark, h) :
			 touch_plain(addr, stop, stride, mark);
	}
	return n;
}

/*
 * timing=2: what does the timing itself cost? Alternate 2 MiB chunks
 * between the timed and the plain loop and time each chunk as a whole,
 * so both see the same host at the same moments.
 */
static uint64_t touch_alternate(const struct kvmsq_boot_info *bi, uint64_t start,
				uint64_t end, uint64_t stride, uint64_t mark,
				struct kvmsq_hist *h)
{
	uint64_t addr, stop, t0, cycles[2] = { 0, 0 }, pages[2] = { 0, 0 };
	int timed = 0;

	for (addr = start; addr < end && !rt_stop_requested(bi); addr = stop, timed = !timed) {
		stop = addr + CHUNK_BYTES < end ? addr + CHUNK_BYTES : end;
		t0 = rt_rdtsc();
		if (timed)
			pages[1] += touch_timed(addr, stop, stride, mark, h);
		else
			pages[0] += touch_plain(addr, stop, stride, mark);
		cycles[timed] += rt_rdtsc() - t0;
	}
	rt_report_counter("untimed_pages", pages[0]);
	rt_report_counter("untimed_cycles", cycles[0]);
	rt_report_counter("timed_pages", pages[1]);
	rt_report_counter("timed_cycles", cycles[1]);
	return pages[0] + pages[1];
}

/* vCPU 0, after everyone is done: every free page carries its owner's mark. */
static void verify_marks(const struct kvmsq_boot_info *bi)
{
	uint64_t addr, end = bi->free_end & ~(RT_PAGE - 1), pages = 0, bad = 0;

	for (addr = bi->free_start; addr < end; addr += RT_PAGE, pages++)
		if (*(volatile uint64_t *)addr != rt_share_owner(bi, addr) + 1ull)
			bad++;
	rt_report_counter("pages_verified", pages);
	rt_report_counter("pages_verified_bad", bad);
}

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	struct kvmsq_hist_block blk;
	uint64_t start, end, size, stride, timing, verify, n, stopped;

	rt_share(bi, vcpu, &start, &end);
	size = rt_param_bytes(bi, vcpu, "size");
	stride = rt_param_num(bi, "stride");
	timing = rt_param_num(bi, "timing");
	verify = rt_param_num(bi, "verify");
	if (size > end - start) {
		rt_printf("touch: size=%lu exceeds vCPU %u's share of %lu bytes\n",
			  size, vcpu, end - start);
		return 1;
	}
	if (stride == RT_PARAM_BAD || stride < 8 || stride % 8) {
		rt_printf("touch: stride must be a multiple of 8 bytes\n");
		return 1;
	}
	if (timing > 2 || verify > 1 || (verify && (stride != RT_PAGE || size != end - start))) {
		rt_printf("touch: timing is 0, 1 or 2, verify 0 or 1; verify needs the default size and stride\n");
		return 1;
	}

	kvmsq_hist_init(&blk.hist);
	rt_barrier(bi);
	rt_phase_begin("touch");
	if (timing == 2)
		n = touch_alternate(bi, start, start + size, stride, vcpu + 1, &blk.hist);
	else
		n = touch_chunks(bi, start, start + size, stride, vcpu + 1,
				 timing ? &blk.hist : NULL);
	rt_phase_end("touch");

	stopped = rt_stop_requested(bi) && n < (size + stride - 1) / stride;
	rt_report_counter("pages_touched", n);
	rt_report_counter("stopped", stopped);
	if (timing)
		rt_report_hist("fault_latency", &blk);
	if (verify && !stopped) {
		rt_barrier(bi);
		if (vcpu == 0)
			verify_marks(bi);
	}
	return 0;
}
