// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/summary.c: the summary of a run (experiments/summary.c):
 * exact means where the histogram buckets hide a change, the touch
 * phase in guest time, levels under pressure as time-weighted means.
 */
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "unit.h"
#include "experiments/summary.h"
#include "vmm/hist.h"

#define KHZ_1GHZ	1000000		/* one cycle is one ns */

/* A vCPU's histogram as vm_report.c writes it. */
static struct json_object *hist_json(const struct kvmsq_hist *h, bool with_sum)
{
	struct json_object *o = json_object_new_object(), *b = json_object_new_array();
	unsigned int i;

	json_object_object_add(o, "count", json_object_new_uint64(h->count));
	json_object_object_add(o, "max", json_object_new_double(cycles_to_ns(h->max, KHZ_1GHZ)));
	if (with_sum)
		json_object_object_add(o, "sum_cycles", json_object_new_uint64(h->sum));
	for (i = 0; i < KVMSQ_HIST_BUCKETS; i++) {
		struct json_object *row;

		if (!h->buckets[i])
			continue;
		row = json_object_new_array();
		json_object_array_add(row, json_object_new_uint64(kvmsq_hist_lower(i)));
		json_object_array_add(row, json_object_new_uint64(kvmsq_hist_width(i)));
		json_object_array_add(row, json_object_new_uint64(h->buckets[i]));
		json_object_array_add(b, row);
	}
	json_object_object_add(o, "buckets", b);
	return o;
}

static struct json_object *vm_json(struct json_object *vcpus)
{
	struct json_object *vm = json_object_new_object(), *res = json_object_new_object();

	json_object_object_add(res, "tsc_khz", json_object_new_uint64(KHZ_1GHZ));
	json_object_object_add(res, "vcpus", vcpus);
	json_object_object_add(vm, "result", res);
	return vm;
}

/*
 * Two VMs of two vCPUs, each vCPU faulting @n times at @cycles (and one
 * slower fault on the last vCPU): the fault_latency_ns summary.
 */
static struct json_object *faults(uint64_t cycles, int n, bool with_sum)
{
	struct json_object *vms = json_object_new_array(), *sum;
	struct kvmsq_hist h;
	int vm, v, i;

	for (vm = 0; vm < 2; vm++) {
		struct json_object *vcpus = json_object_new_array();

		for (v = 0; v < 2; v++) {
			struct json_object *vcpu = json_object_new_object();

			kvmsq_hist_init(&h);
			for (i = 0; i < n; i++)
				kvmsq_hist_add(&h, cycles);
			if (vm == 1 && v == 1)
				kvmsq_hist_add(&h, 3 * cycles);
			json_object_object_add(vcpu, "fault_latency_ns", hist_json(&h, with_sum));
			json_object_array_add(vcpus, vcpu);
		}
		json_object_array_add(vms, vm_json(vcpus));
	}
	sum = summary_latency_json(vms, "fault_latency_ns");
	json_object_put(vms);
	return sum;
}

static double num(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NAN;
	return json_object_get_double(v);
}

/*
 * 10,000 and 10,050 cycles share a bucket (9,984 to 10,111): every
 * quantile is the same bucket midpoint, only the exact mean moves, by
 * exactly 0.5%.
 */
static void mean_sees_half_percent(void)
{
	struct json_object *a = faults(10000, 250, true), *b = faults(10050, 250, true);
	static const char *const qs[] = { "p50", "p90", "p99", "p999" };
	double want_a = (1000.0 * 10000 + 30000) / 1001, want_b = (1000.0 * 10050 + 30150) / 1001;
	size_t i;

	CHECK(a && b, "no summary");
	if (!a || !b)
		goto out;
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		CHECK(num(a, qs[i]) == num(b, qs[i]), "%s moved: %g to %g (the buckets saw it)",
		      qs[i], num(a, qs[i]), num(b, qs[i]));
	CHECK(num(a, "mean") == want_a && num(b, "mean") == want_b, "means %.6f %.6f, want %.6f %.6f",
	      num(a, "mean"), num(b, "mean"), want_a, want_b);
	CHECK(fabs(num(b, "mean") / num(a, "mean") - 1.005) < 1e-12, "change %.6f%%",
	      (num(b, "mean") / num(a, "mean") - 1) * 100);
	CHECK(num(a, "count") == 1001 && num(a, "sum_cycles") == 1000.0 * 10000 + 30000,
	      "count %g, sum_cycles %g", num(a, "count"), num(a, "sum_cycles"));
out:
	json_object_put(a);
	json_object_put(b);
}

/* VM results from before the sums: quantiles still, the mean null, not made up. */
static void mean_needs_every_sum(void)
{
	struct json_object *a = faults(10000, 10, false), *v;

	CHECK(a && num(a, "count") == 41 && isfinite(num(a, "p50")), "quantiles lost");
	CHECK(a && json_object_object_get_ex(a, "mean", &v) && !v, "a mean without sums");
	CHECK(a && json_object_object_get_ex(a, "sum_cycles", &v) && !v, "sum_cycles without sums");
	json_object_put(a);
}

static void phase(struct json_object *phases, const char *name, const char *edge,
		  uint64_t tsc)
{
	struct json_object *ph = json_object_new_object();

	json_object_object_add(ph, "name", json_object_new_string(name));
	json_object_object_add(ph, "edge", json_object_new_string(edge));
	json_object_object_add(ph, "tsc", json_object_new_uint64(tsc));
	json_object_array_add(phases, ph);
}

/* A VM of two vCPUs whose touch phases run on the TSC from @b0/@b1 to @e0/@e1. */
static struct json_object *touch_vm(uint64_t b0, uint64_t e0, uint64_t b1, uint64_t e1)
{
	struct json_object *vcpus = json_object_new_array();
	const uint64_t t[2][2] = { { b0, e0 }, { b1, e1 } };
	int v;

	for (v = 0; v < 2; v++) {
		struct json_object *vcpu = json_object_new_object();
		struct json_object *phases = json_object_new_array();

		phase(phases, "touch", "begin", t[v][0]);
		if (t[v][1])
			phase(phases, "touch", "end", t[v][1]);
		phase(phases, "idle", "begin", t[v][1] + 7000);
		json_object_object_add(vcpu, "phases", phases);
		json_object_array_add(vcpus, vcpu);
	}
	return vm_json(vcpus);
}

/* Per VM the first BEGIN to the last END over its vCPUs; the longest VM. */
static void touch_guest_time(void)
{
	struct json_object *vms = json_object_new_array();
	double ns;

	json_object_array_add(vms, touch_vm(1000, 5000, 1500, 9000));		/* 8000 */
	json_object_array_add(vms, touch_vm(20000, 26000, 20500, 30000));	/* 10000 */
	ns = summary_touch_guest_ns(vms);
	CHECK(ns == 10000, "guest touch %g ns, want 10000", ns);
	json_object_put(vms);

	vms = json_object_new_array();
	json_object_array_add(vms, touch_vm(1000, 0, 1500, 0));	/* never ended */
	ns = summary_touch_guest_ns(vms);
	CHECK(ns < 0, "guest touch %g ns without an END", ns);
	json_object_put(vms);
}

/* (0 s, 0) (1 s, 10) (2 s, 10) (3 s, 0): a ramp up, a plateau, a ramp down. */
static void trapezoid_series(struct series_set *set, const char *name, double scale)
{
	static const double v[] = { 0, 10, 10, 0 };
	size_t i;

	for (i = 0; i < 4; i++)
		series_add(set, name, (uint64_t)i * 1000000000, v[i] * scale);
}

static void time_mean(void)
{
	struct series_set set = { 0 };
	const struct series *s;
	double m;

	trapezoid_series(&set, "x", 1);
	s = series_find(&set, "x");
	m = series_time_mean(s, 0.5, 2.5);	/* 3.75 + 10 + 3.75 over 2 s */
	CHECK(fabs(m - 8.75) < 1e-12, "mean over [0.5, 2.5]: %g, want 8.75", m);
	m = series_time_mean(s, 0, 3);		/* 5 + 10 + 5 over 3 s */
	CHECK(fabs(m - 20.0 / 3) < 1e-12, "mean over [0, 3]: %g", m);
	m = series_time_mean(s, 2.5, 10);	/* clipped to [2.5, 3]: 1.25 over 0.5 s */
	CHECK(fabs(m - 2.5) < 1e-12, "mean over [2.5, 10]: %g, want 2.5", m);
	CHECK(isnan(series_time_mean(s, 4, 5)), "a window after the samples has a mean");
	CHECK(isnan(series_time_mean(s, 1, 1)), "an empty window has a mean");
	CHECK(isnan(series_time_mean(NULL, 0, 1)), "no series has a mean");
	series_set_free(&set);
}

static void event(struct json_object *events, double t_s, const char *type)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "t_s", json_object_new_double(t_s));
	json_object_object_add(e, "type", json_object_new_string(type));
	json_object_object_add(e, "detail", json_object_new_string(""));
	json_object_array_add(events, e);
}

/* From the first pressure event to a hog's end, the loop's end or now. */
static void under_pressure(void)
{
	struct json_object *events = json_object_new_array(), *o, *v;
	struct series_set set = { 0 };

	trapezoid_series(&set, "memcg.current_bytes", 1 << 20);
	trapezoid_series(&set, "memcg.kernel_bytes", 1 << 10);
	trapezoid_series(&set, "meminfo.PageTables_kb", 1);
	event(events, 0.01, "limit");
	o = summary_under_pressure_json(&set, events, CG_V1, 3);
	CHECK(!o, "under pressure without a pressure event");
	json_object_put(o);

	event(events, 1, "pressure");
	event(events, 1.5, "pressure");
	event(events, 2.5, "end");
	o = summary_under_pressure_json(&set, events, CG_V1, 9);
	CHECK(o && num(o, "from_s") == 1 && num(o, "to_s") == 2.5, "window [%g, %g]",
	      num(o, "from_s"), num(o, "to_s"));
	/* [1, 2.5]: the plateau (10) and half the ramp down (3.75), over 1.5 s */
	CHECK(o && fabs(num(o, "current_bytes") - 13.75 / 1.5 * (1 << 20)) < 1e-6,
	      "current %g", num(o, "current_bytes"));
	CHECK(o && fabs(num(o, "kernel_bytes") - 13.75 / 1.5 * (1 << 10)) < 1e-9,
	      "v1 kernel %g", num(o, "kernel_bytes"));
	CHECK(o && fabs(num(o, "pagetables_bytes") - 13.75 / 1.5 * 1024) < 1e-9,
	      "page tables %g (kB to bytes)", num(o, "pagetables_bytes"));
	CHECK(o && json_object_object_get_ex(o, "sec_pagetables_bytes", &v) && !v,
	      "sec page tables without a series");
	json_object_put(o);
	/* v2 reads its kernel memory from memory.stat: not sampled here */
	o = summary_under_pressure_json(&set, events, CG_V2, 9);
	CHECK(o && json_object_object_get_ex(o, "kernel_bytes", &v) && !v, "v2 kernel");
	json_object_put(o);

	event(events, 2, "pressure_end");	/* the hog died: pressure over */
	o = summary_under_pressure_json(&set, events, CG_V1, 9);
	CHECK(o && num(o, "to_s") == 2 && num(o, "current_bytes") == 10 * (1 << 20),
	      "to %g, current %g", num(o, "to_s"), num(o, "current_bytes"));
	json_object_put(o);
	json_object_put(events);
	series_set_free(&set);
}

UNIT_MAIN(T(mean_sees_half_percent), T(mean_needs_every_sum), T(touch_guest_time),
	  T(time_mean), T(under_pressure))
