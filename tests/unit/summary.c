// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/summary.c: the summary of a run (experiments/summary.c):
 * exact means where the histogram buckets hide a change, the touch
 * phase in guest time.
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

UNIT_MAIN(T(mean_sees_half_percent), T(mean_needs_every_sum), T(touch_guest_time))
