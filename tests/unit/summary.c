// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/summary.c: the summary of a run (experiments/summary.c):
 * exact means where the histogram buckets hide a change, the touch
 * phase in guest time, levels under pressure as time-weighted means;
 * and a whole summary against the summary table (common/summary_table.c):
 * every key written is in the table, every entry of the table written.
 * SUMMARY_DUMP=1 prints those whole summaries (every entry, none null
 * but pressure_applied on v1), to check a result schema against.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "unit.h"
#include "common/metrics.h"
#include "common/summary_table.h"
#include "experiments/run.h"
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

/* --- a whole summary against the table --- */

/*
 * A series name that @pattern matches: "*" as nothing, "[0-9]" as 0 and
 * a "{a,b}" group as its first alternative.
 */
static void concrete_name(char *out, size_t len, const char *pattern)
{
	size_t n = 0;
	const char *p;

	for (p = pattern; *p && n + 1 < len; p++) {
		if (*p == '*') {
			continue;
		} else if (*p == '[') {
			out[n++] = '0';
			p = strchr(p, ']');
		} else if (*p == '{') {
			for (p++; *p != ',' && *p != '}' && n + 1 < len; p++)
				out[n++] = *p;
			p = strchr(p, '}');
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

/* Three points a second apart, rising then falling, distinct per series. */
static void add_series(struct series_set *set, const char *name, double base)
{
	static const double v[] = { 1, 5, 3 };
	size_t i;

	if (series_find(set, name))
		return;
	for (i = 0; i < 3; i++)
		CHECK(!series_add(set, name, (uint64_t)i * 1000000000, base * v[i]),
		      "series %s", name);
}

/* Every series the table names (both cgroup versions' kernel memory). */
static void table_series(struct series_set *set)
{
	char name[SERIES_NAME_LEN];
	size_t i;
	int v;

	for (i = 0; i < nr_summary_entries; i++) {
		for (v = 1; v <= 2; v++) {
			const char *pattern = summary_series(&summary_entries[i], v);

			if (!pattern)
				continue;
			concrete_name(name, sizeof(name), pattern);
			CHECK(!fnmatch(pattern, name, 0) || strchr(pattern, '{'),
			      "%s does not match %s", name, pattern);
			add_series(set, name, 100.0 * (double)(i + 1) + v);
		}
	}
}

/* VM @vm's result: two vCPUs with both histograms, a touch phase and counters. */
static struct json_object *full_vm(int vm)
{
	struct json_object *vcpus = json_object_new_array();
	struct kvmsq_hist h;
	int v, i;

	for (v = 0; v < 2; v++) {
		struct json_object *vcpu = json_object_new_object();
		struct json_object *phases = json_object_new_array();
		struct json_object *counters = json_object_new_object();

		kvmsq_hist_init(&h);
		for (i = 0; i < 50; i++)
			kvmsq_hist_add(&h, 1000 + 37 * (uint64_t)(i + vm + v));
		json_object_object_add(vcpu, "fault_latency_ns", hist_json(&h, true));
		kvmsq_hist_add(&h, 90000);
		json_object_object_add(vcpu, "access_latency_ns", hist_json(&h, true));
		phase(phases, "touch", "begin", 1000 + 10 * (uint64_t)v);
		phase(phases, "touch", "end", 900000 + 1000 * (uint64_t)(vm + v));
		json_object_object_add(vcpu, "phases", phases);
		json_object_object_add(vcpu, "pages_touched", json_object_new_uint64(512));
		json_object_object_add(counters, "cr3_switches", json_object_new_uint64(7 + vm));
		json_object_object_add(counters, "spaces", json_object_new_uint64(4));
		json_object_object_add(vcpu, "counters", counters);
		json_object_array_add(vcpus, vcpu);
	}
	return vm_json(vcpus);
}

struct full_run {
	struct spec spec;
	struct run r;
	struct vmproc vms[2];
	struct vmproc_phase phases[2][2];
	struct json_object *vm_results, *limit_missed;
};

/* One of each selftest, their logs the fixtures (from the repository root). */
static void full_selftests(struct full_run *f)
{
	static const char *const logs[NR_SELFTEST_PROGS] = {
		"tests/fixtures/selftests/dirty_log_perf_test-6.1.txt",
		"tests/fixtures/selftests/demand_paging_test-6.12.txt",
		"tests/fixtures/selftests/access_tracking_perf_test-6.12.txt",
	};
	int i;

	f->spec.nr_selftests = NR_SELFTEST_PROGS;
	f->r.nr_selftests = NR_SELFTEST_PROGS;
	for (i = 0; i < NR_SELFTEST_PROGS; i++) {
		f->spec.selftests[i].prog = (enum selftest_prog)i;
		f->r.selftests[i].st = &f->spec.selftests[i];
		f->r.selftests[i].state = SELFTEST_ENDED;
		snprintf(f->r.selftests[i].log_path, sizeof(f->r.selftests[i].log_path), "%s",
			 logs[i]);
	}
}

/* Two VMs of two vCPUs under pressure, on cgroup @version; and selftests. */
static void full_run_init(struct full_run *f, enum cg_version version)
{
	int v;

	memset(f, 0, sizeof(*f));
	f->r.s = &f->spec;
	f->r.cg_host.version = version;
	f->r.t0_ns = 1;
	f->r.end_ns = 2000000001;
	f->r.events = json_object_new_array();
	event(f->r.events, 0.2, "limit");
	event(f->r.events, 0.5, "pressure");
	event(f->r.events, 0.9, "oom_kill");
	event(f->r.events, 1.8, "end");
	table_series(&f->r.series);
	/* v2 with a limit that took effect: pressure_applied true, v1 none asked: null */
	f->limit_missed = json_object_new_array();
	f->r.limit_missed = f->limit_missed;
	if (version == CG_V2)
		f->spec.cg.schedule = SCHED_STATIC;
	f->vm_results = json_object_new_array();
	f->r.nr_vms = 2;
	f->r.vms = f->vms;
	for (v = 0; v < 2; v++) {
		f->vms[v].nr_vcpus = 2;
		f->vms[v].nr_phases = 2;
		f->vms[v].phases = f->phases[v];
		f->phases[v][0] = (struct vmproc_phase){ 0, KVMSQ_PHASE_BEGIN, 100000001, "touch" };
		f->phases[v][1] = (struct vmproc_phase){ 0, KVMSQ_PHASE_END,
							 400000001 + 1000000 * (uint64_t)v,
							 "touch" };
		json_object_array_add(f->vm_results, full_vm(v));
	}
	full_selftests(f);
}

static void full_run_free(struct full_run *f)
{
	series_set_free(&f->r.series);
	json_object_put(f->r.events);
	json_object_put(f->vm_results);
	json_object_put(f->limit_missed);
}

/* Every key under @o (at @path) is in the table: its own entry, a level's leaf, an open key. */
static void keys_in_table(struct json_object *o, const char *path, bool *seen)
{
	const struct summary_entry *e;
	const char *leaf;
	char sub[256];

	json_object_object_foreach(o, key, v) {
		snprintf(sub, sizeof(sub), "%s.%s", path, key);
		e = summary_entry_at(sub, &leaf);
		CHECK(e, "%s is written but not in the summary table", sub);
		if (!e)
			continue;
		seen[e - summary_entries] = true;
		if (leaf)
			continue;
		/* null: not sampled */
		if (e->how == SUMMARY_LEVEL)
			CHECK(!v || (json_object_is_type(v, json_type_object) &&
				     json_object_object_length(v) == 3), "%s: not a level", sub);
		else if (e->how == SUMMARY_GROUP || e->how == SUMMARY_OPEN)
			CHECK(json_object_is_type(v, json_type_object), "%s: not an object", sub);
		else if (e->how == SUMMARY_DELTA || e->how == SUMMARY_LAST ||
			 e->how == SUMMARY_MEAN)
			CHECK(!v || json_object_is_type(v, json_type_double) ||
			      json_object_is_type(v, json_type_int), "%s: not a number", sub);
		if (json_object_is_type(v, json_type_object) && e->how != SUMMARY_LEVEL)
			keys_in_table(v, sub, seen);
	}
}

static void summary_matches_table(void)
{
	struct full_run *f = calloc(1, sizeof(*f));
	bool *seen = calloc(nr_summary_entries, sizeof(*seen));
	const struct series *kernel;
	enum cg_version version;
	struct json_object *o;
	size_t i;

	if (!f || !seen)
		abort();
	CHECK(!summary_computed_unknown(), "summary.c computes %s, which the table does not",
	      summary_computed_unknown());
	for (version = CG_V1; version <= CG_V2; version++) {
		full_run_init(f, version);
		o = summary_json(&f->r, f->vm_results);
		memset(seen, 0, nr_summary_entries * sizeof(*seen));
		keys_in_table(o, "summary", seen);
		for (i = 0; i < nr_summary_entries; i++)
			CHECK(seen[i], "cgroup v%d: summary.%s is in the table but not written",
			      version, summary_entries[i].key);
		/* the cgroup's kernel memory from its version's series */
		kernel = series_find(&f->r.series, memcg_kernel_series(version));
		CHECK(kernel && json_object_get_double(json_path(o, "memcg.kernel_bytes.final")) ==
				kernel->v[kernel->n - 1], "v%d: kernel memory from another series",
		      version);
		if (getenv("SUMMARY_DUMP"))
			printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
		full_run_free(f);
	}
	free(seen);
	free(f);
}

/* A real result of `kvmsqueeze run baseline` (trimmed): every key it has is in the table. */
static void real_result_in_table(void)
{
	static const char path[] = "tests/fixtures/analysis/host-baseline.json";
	struct json_object *d = json_object_from_file(path), *sm;
	bool *seen = calloc(nr_summary_entries, sizeof(*seen));

	if (!d || !seen) {
		free(seen);
		json_object_put(d);
		SKIP("tests/fixtures/analysis/host-baseline.json not readable (run from the repository root)");
	}
	CHECK(json_object_object_get_ex(d, "summary", &sm) && json_object_object_length(sm) > 10,
	      "%s has no summary", path);
	keys_in_table(sm, "summary", seen);
	free(seen);
	json_object_put(d);
}

UNIT_MAIN(T(mean_sees_half_percent), T(mean_needs_every_sum), T(touch_guest_time),
	  T(time_mean), T(under_pressure), T(summary_matches_table), T(real_result_in_table))
