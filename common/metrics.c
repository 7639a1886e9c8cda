// SPDX-License-Identifier: GPL-2.0
/*
 * common/metrics.c: the table of metrics, where each comes from in a
 * result file (experiments/RESULT.md, "summary") and its unit. Each
 * reads an entry of the summary table (common/summary_table.c), in that
 * entry's unit, which also says whether a spec may name it as primary;
 * tests/unit/metrics checks both, and SPEC.md's list of metrics.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "common/metrics.h"
#include "common/util.h"

#define PT	"summary.page_tables."
#define CG	"summary.memcg."
#define UP	"summary.under_pressure."
#define RC	"summary.reclaim."
#define SH	"summary.shrinker."
#define FL	"summary.fault_latency_ns."
#define DL	"summary.selftest.dirty_log."
#define DP	"summary.selftest.demand_paging."
#define AT	"summary.selftest.access_tracking."

const struct metric metrics[] = {
	{ "sec_pagetables_peak_bytes", "sec page tables peak", PT "sec_pagetables_bytes.peak",
	  UNIT_BYTES, BETTER_LOWER },
	{ "sec_pagetables_final_bytes", "sec page tables end", PT "sec_pagetables_bytes.final",
	  UNIT_BYTES, BETTER_LOWER },
	{ "pagetables_peak_bytes", "page tables peak", PT "pagetables_bytes.peak",
	  UNIT_BYTES, BETTER_LOWER },
	{ "pagetables_final_bytes", "page tables end", PT "pagetables_bytes.final",
	  UNIT_BYTES, BETTER_LOWER },
	{ "memcg_kernel_peak_bytes", "cg kernel mem peak", CG "kernel_bytes.peak",
	  UNIT_BYTES, BETTER_LOWER },
	{ "memcg_kernel_final_bytes", "cg kernel mem end", CG "kernel_bytes.final",
	  UNIT_BYTES, BETTER_LOWER },
	{ "memcg_sec_pagetables_peak_bytes", "cg sec pgtables peak",
	  CG "sec_pagetables_bytes.peak", UNIT_BYTES, BETTER_LOWER },
	/* the kernel's own high-water mark: memory.peak, max_usage_in_bytes */
	{ "memcg_peak_bytes", "cg mem HWM", CG "peak_bytes", UNIT_BYTES, BETTER_LOWER },
	{ "memcg_sampled_peak_bytes", "cg mem peak sampled", CG "current_bytes.peak",
	  UNIT_BYTES, BETTER_LOWER },
	/* time-weighted means from the first pressure event on */
	{ "memcg_under_pressure_bytes", "cg mem in pressure", UP "current_bytes",
	  UNIT_BYTES, BETTER_LOWER },
	{ "memcg_kernel_under_pressure_bytes", "cg kern in pressure", UP "kernel_bytes",
	  UNIT_BYTES, BETTER_LOWER },
	{ "idle_cache_pages_per_vcpu", "idle cache/vCPU", "summary.idle_cache_pages_per_vcpu",
	  UNIT_PAGES, BETTER_LOWER },
	/* experiments/RESULT.md names the kernel lines each of these rests on */
	{ "shrinker_kvm_count_passes", "KVM count passes", SH "kvm_count_passes", UNIT_PASSES,
	  BETTER_NEITHER },
	{ "shrinker_kvm_pass_freed", "KVM freed in passes", SH "kvm_pass_freed", UNIT_OBJECTS,
	  BETTER_NEITHER },
	{ "shrinker_kvm_scan_calls", "KVM scan calls", SH "kvm_scan_calls", UNIT_CALLS,
	  BETTER_NEITHER },
	{ "shrinker_kvm_scan_freed", "KVM scan freed", SH "kvm_scan_freed", UNIT_OBJECTS,
	  BETTER_NEITHER },
	{ "shrinker_all_count_passes", "all count passes", SH "all_count_passes", UNIT_PASSES,
	  BETTER_NEITHER },
	{ "pgsteal_pages", "reclaimed", RC "pgsteal", UNIT_PAGES, BETTER_NEITHER },
	{ "memcg_pgsteal_pages", "cg reclaimed", RC "memcg_pgsteal", UNIT_PAGES, BETTER_NEITHER },
	{ "memcg_pgpgout_pages", "cg paged out (v1)", RC "memcg_pgpgout", UNIT_PAGES,
	  BETTER_NEITHER },
	{ "workingset_refault_pages", "refaults", RC "workingset_refault", UNIT_PAGES,
	  BETTER_LOWER },
	{ "fault_mean_ns", "fault mean", FL "mean", UNIT_NS, BETTER_LOWER },
	{ "fault_p50_ns", "fault p50", FL "p50", UNIT_NS, BETTER_LOWER },
	{ "fault_p99_ns", "fault p99", FL "p99", UNIT_NS, BETTER_LOWER },
	{ "fault_p999_ns", "fault p99.9", FL "p999", UNIT_NS, BETTER_LOWER },
	{ "fault_max_ns", "fault max", FL "max", UNIT_NS, BETTER_LOWER },
	{ "access_mean_ns", "access mean", "summary.access_latency_ns.mean", UNIT_NS,
	  BETTER_LOWER },
	{ "access_p99_ns", "access p99", "summary.access_latency_ns.p99", UNIT_NS, BETTER_LOWER },
	{ "touch_pages_per_s", "touch rate", "summary.touch.pages_per_s", UNIT_PAGES_PER_S,
	  BETTER_HIGHER },
	{ "touch_guest_ns", "touch time (guest)", "summary.touch.guest_ns", UNIT_NS,
	  BETTER_LOWER },
	{ "faults_after_pressure", "faults post-pressure", "summary.faults_after_pressure",
	  UNIT_FAULTS, BETTER_LOWER },
	/* the work the guests made KVM do, and what they got done */
	{ "kvm_pf_taken", "KVM faults taken", "summary.kvm.pf_taken", UNIT_FAULTS,
	  BETTER_LOWER },
	{ "kvm_pf_fixed", "KVM faults fixed", "summary.kvm.pf_fixed", UNIT_FAULTS,
	  BETTER_LOWER },
	{ "kvm_mmu_recycled", "shadow pg recycled", "summary.kvm.mmu_recycled", UNIT_PAGES,
	  BETTER_LOWER },
	{ "guest_cr3_switches", "CR3 loads done", "summary.guest_counters.cr3_switches",
	  UNIT_LOADS, BETTER_HIGHER },
	{ "oom_killed_vms", "OOM kills", "summary.oom_killed_vms", UNIT_VMS, BETTER_LOWER },
	{ "run_s", "run time", "summary.run_s", UNIT_S, BETTER_NEITHER },
	/* what every vCPU of the run holds idle in its MMU caches, not per vCPU */
	{ "idle_cache_pages_total", "idle cache total", "summary.idle_cache_pages_total",
	  UNIT_PAGES, BETTER_LOWER },
	/* the KVM selftests' own timings (experiments/SPEC.md, "selftests") */
	{ "selftest_dirty_log_populate_s", "dl populate", DL "populate_s", UNIT_S, BETTER_LOWER },
	{ "selftest_dirty_log_enable_s", "dl enable logging", DL "enable_dirty_logging_s", UNIT_S,
	  BETTER_LOWER },
	{ "selftest_dirty_log_iter1_s", "dl dirty iter 1", DL "dirty_memory_iter1_s", UNIT_S,
	  BETTER_LOWER },
	{ "selftest_dirty_log_iter2_s", "dl dirty iter 2", DL "dirty_memory_iter2_s", UNIT_S,
	  BETTER_LOWER },
	{ "selftest_dirty_log_later_mean_s", "dl dirty iter 2+", DL "dirty_memory_later_mean_s",
	  UNIT_S, BETTER_LOWER },
	{ "selftest_dirty_log_get_s", "dl get log total", DL "get_dirty_log_total_s", UNIT_S,
	  BETTER_LOWER },
	{ "selftest_dirty_log_clear_s", "dl clear log total", DL "clear_dirty_log_total_s", UNIT_S,
	  BETTER_LOWER },
	{ "selftest_dirty_log_disable_s", "dl disable logging", DL "disable_dirty_logging_s",
	  UNIT_S, BETTER_LOWER },
	{ "selftest_demand_paging_s", "dp guest time", DP "guest_execution_s", UNIT_S,
	  BETTER_LOWER },
	{ "selftest_demand_paging_rate", "dp rate", DP "rate_pages_per_s", UNIT_PAGES_PER_S,
	  BETTER_HIGHER },
	{ "selftest_access_populate_s", "at populate", AT "populate_s", UNIT_S, BETTER_LOWER },
	{ "selftest_access_write_populated_s", "at write populated", AT "write_populated_s",
	  UNIT_S, BETTER_LOWER },
	{ "selftest_access_read_populated_s", "at read populated", AT "read_populated_s", UNIT_S,
	  BETTER_LOWER },
	{ "selftest_access_mark_idle_1_s", "at mark idle 1", AT "mark_idle_1_s", UNIT_S,
	  BETTER_LOWER },
	{ "selftest_access_write_idle_s", "at write idle", AT "write_idle_s", UNIT_S,
	  BETTER_LOWER },
	{ "selftest_access_mark_idle_2_s", "at mark idle 2", AT "mark_idle_2_s", UNIT_S,
	  BETTER_LOWER },
	{ "selftest_access_read_idle_s", "at read idle", AT "read_idle_s", UNIT_S, BETTER_LOWER },
};

const size_t nr_metrics = ARRAY_SIZE(metrics);

/*
 * Keys renamed since results were first written, where the number kept
 * its meaning: the old key's mm_shrink_slab_start "calls" were always
 * count passes and its _end "freed" the objects freed in them.
 */
static const struct metric_rename {
	const char *name;
	const char *old_path;
} metric_renames[] = {
	{ "shrinker_kvm_count_passes", SH "kvm_calls" },
	{ "shrinker_kvm_pass_freed", SH "kvm_freed" },
	{ "shrinker_all_count_passes", SH "all_calls" },
};

const char *metric_old_path(const struct metric *m)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(metric_renames); i++)
		if (!strcmp(metric_renames[i].name, m->name))
			return metric_renames[i].old_path;
	return NULL;
}

const struct metric *metric_find(const char *name)
{
	size_t i;

	for (i = 0; i < nr_metrics; i++)
		if (!strcmp(metrics[i].name, name))
			return &metrics[i];
	return NULL;
}

bool metric_follows_clock(const struct metric *m)
{
	return m->unit == UNIT_NS || m->unit == UNIT_S || m->unit == UNIT_PAGES_PER_S;
}

struct json_object *json_path(struct json_object *root, const char *path)
{
	struct json_object *o = root;
	char key[128];
	const char *p = path;
	size_t len;

	while (o && *p) {
		len = strcspn(p, ".");
		if (len >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		p += len + (p[len] == '.');
	}
	return o;
}

/* Is the key there at all (null included)? */
static bool json_path_present(struct json_object *root, const char *path)
{
	const char *dot = strrchr(path, '.');
	char parent[128];
	struct json_object *o = root;

	if (dot) {
		if ((size_t)(dot - path) >= sizeof(parent))
			return false;
		memcpy(parent, path, (size_t)(dot - path));
		parent[dot - path] = '\0';
		o = json_path(root, parent);
	}
	return o && json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, dot ? dot + 1 : path, NULL);
}

int metric_value(const struct metric *m, struct json_object *result, double *value)
{
	struct json_object *o = json_path(result, m->path);
	const char *old = metric_old_path(m);

	if (!o && old && !json_path_present(result, m->path))
		o = json_path(result, old);
	if (!o)		/* null or absent */
		return -ENODATA;
	if (!json_object_is_type(o, json_type_double) && !json_object_is_type(o, json_type_int))
		return -EINVAL;
	*value = json_object_get_double(o);
	return isfinite(*value) ? 0 : -EINVAL;
}

const char *unit_raw_name(enum metric_unit unit)
{
	static const char *const names[] = {
		[UNIT_BYTES] = "bytes", [UNIT_NS] = "ns", [UNIT_S] = "s",
		[UNIT_PAGES] = "pages", [UNIT_PAGES_PER_S] = "pages/s",
		[UNIT_CALLS] = "calls", [UNIT_OBJECTS] = "objects", [UNIT_VMS] = "VMs",
		[UNIT_FAULTS] = "faults", [UNIT_PASSES] = "passes", [UNIT_LOADS] = "loads",
	};

	return names[unit];
}

struct unit_step {
	double divisor;
	const char *name;
};

static const struct unit_step byte_steps[] = {
	{ 1, "B" }, { 1024.0, "KiB" }, { 1048576.0, "MiB" }, { 1073741824.0, "GiB" },
};
static const struct unit_step ns_steps[] = {
	{ 1, "ns" }, { 1e3, "us" }, { 1e6, "ms" }, { 1e9, "s" },
};
/* below a second, as the selftests' dirty-log phases are: not "3e-05 s" */
static const struct unit_step s_steps[] = {
	{ 1e-6, "us" }, { 1e-3, "ms" }, { 1, "s" },
};

/* Counts: plain up to 99999, then thousands, then millions. */
static const struct count_unit {
	enum metric_unit unit;
	const char *thousands, *millions;
} count_units[] = {
	{ UNIT_PAGES, "k pages", "M pages" },
	{ UNIT_PAGES_PER_S, "k pages/s", "M pages/s" },
	{ UNIT_CALLS, "k calls", "M calls" },
	{ UNIT_OBJECTS, "k objects", "M objects" },
	{ UNIT_FAULTS, "k faults", "M faults" },
	{ UNIT_PASSES, "k passes", "M passes" },
	{ UNIT_LOADS, "k loads", "M loads" },
};

static void count_scale(enum metric_unit unit, double magnitude, const char **name,
			double *divisor)
{
	size_t i;

	*name = unit_raw_name(unit);
	*divisor = 1;
	for (i = 0; i < ARRAY_SIZE(count_units); i++) {
		if (count_units[i].unit != unit)
			continue;
		if (magnitude >= 1e7) {
			*name = count_units[i].millions;
			*divisor = 1e6;
		} else if (magnitude >= 1e5) {
			*name = count_units[i].thousands;
			*divisor = 1e3;
		}
	}
}

static void step_scale(const struct unit_step *steps, size_t n, double magnitude,
		       const char **name, double *divisor)
{
	size_t i = 0;

	/* the largest unit that keeps the value at 1 or more */
	while (i + 1 < n && magnitude >= steps[i + 1].divisor)
		i++;
	*name = steps[i].name;
	*divisor = steps[i].divisor;
}

void unit_scale(enum metric_unit unit, double magnitude, const char **name,
		double *divisor)
{
	magnitude = fabs(magnitude);
	if (isnan(magnitude))
		magnitude = 0;
	switch (unit) {
	case UNIT_BYTES:
		step_scale(byte_steps, ARRAY_SIZE(byte_steps), magnitude, name, divisor);
		break;
	case UNIT_NS:
		step_scale(ns_steps, ARRAY_SIZE(ns_steps), magnitude, name, divisor);
		break;
	case UNIT_S:
		step_scale(s_steps, ARRAY_SIZE(s_steps), magnitude, name, divisor);
		break;
	default:
		count_scale(unit, magnitude, name, divisor);
		break;
	}
}
