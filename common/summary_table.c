// SPDX-License-Identifier: GPL-2.0
/*
 * common/summary_table.c: the table of a result's summary entries
 * (experiments/RESULT.md, "summary"), in the order a result has them,
 * and the lookups that tie the metrics (common/metrics.c) to it.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "common/json.h"
#include "common/metrics.h"
#include "common/summary_table.h"
#include "common/util.h"

#define GROUP(key, about) \
	{ key, SUMMARY_GROUP, NULL, 1, NULL, false, about }
#define LEVEL(key, series, scale, unit, primary, about) \
	{ key, SUMMARY_LEVEL, series, scale, unit, primary, about }
#define DELTA(key, series, unit, primary, about) \
	{ key, SUMMARY_DELTA, series, 1, unit, primary, about }
#define MEAN(key, series, scale, unit, primary, about) \
	{ key, SUMMARY_MEAN, series, scale, unit, primary, about }
#define COMPUTED(key, series, unit, primary, about) \
	{ key, SUMMARY_COMPUTED, series, 1, unit, primary, about }

/* A selftest's phase in seconds, as it printed it: each may be primary. */
#define SELFTEST_S(key, about) \
	COMPUTED("selftest." key, NULL, "s", true, about)

#define RECLAIM_KEYS	"{kswapd,direct,khugepaged,proactive}"

/* The leaves of a latency summary (summary_latency_json()). */
#define LATENCY(key, what, mean_primary, p50_primary, p99_primary, p999_primary, max_primary) \
	COMPUTED(key, NULL, NULL, false, "the " what " histograms of every vCPU of every VM, " \
		 "merged; null without one"), \
	COMPUTED(key ".count", NULL, "samples", false, "how many " what "s they hold"), \
	COMPUTED(key ".mean", NULL, "ns", mean_primary, \
		 "exact, from the guests' cycle sums; null when a histogram has none"), \
	COMPUTED(key ".sum_cycles", NULL, "cycles", false, "the guests' cycle sums, added"), \
	COMPUTED(key ".p50", NULL, "ns", p50_primary, "the merged buckets' median (midpoint)"), \
	COMPUTED(key ".p90", NULL, "ns", false, "90th percentile"), \
	COMPUTED(key ".p99", NULL, "ns", p99_primary, "99th percentile"), \
	COMPUTED(key ".p999", NULL, "ns", p999_primary, "99.9th percentile"), \
	COMPUTED(key ".max", NULL, "ns", max_primary, "the largest vCPU max")

const struct summary_entry summary_entries[] = {
	GROUP("page_tables", "the host's page-table memory (meminfo)"),
	LEVEL("page_tables.sec_pagetables_bytes", "meminfo.SecPageTables_kb", 1024, "bytes", true,
	      "secondary (KVM) page tables, the whole host"),
	LEVEL("page_tables.pagetables_bytes", "meminfo.PageTables_kb", 1024, "bytes", true,
	      "process page tables, the whole host"),
	GROUP("memcg", "the VMs' cgroup"),
	LEVEL("memcg.current_bytes", "memcg.current_bytes", 1, "bytes", true,
	      "memory charged to the cgroup, sampled"),
	LEVEL("memcg.kernel_bytes", SUMMARY_SERIES_MEMCG_KERNEL, 1, "bytes", true,
	      "kernel memory charged to the cgroup, sampled"),
	LEVEL("memcg.sec_pagetables_bytes", "memcg.stat.sec_pagetables", 1, "bytes", true,
	      "secondary page tables charged to the cgroup (v2), sampled"),
	{ "memcg.peak_bytes", SUMMARY_LAST, "memcg.peak_bytes", 1, "bytes", true,
	  "the kernel's high-water mark of the cgroup's memory" },
	GROUP("reclaim", "reclaim over the run, deltas"),
	DELTA("reclaim.pgscan", "vmstat.pgscan_" RECLAIM_KEYS, "pages", false,
	      "pages scanned by reclaim"),
	DELTA("reclaim.pgsteal", "vmstat.pgsteal_" RECLAIM_KEYS, "pages", true,
	      "pages reclaimed"),
	DELTA("reclaim.allocstall", "vmstat.allocstall_*", "stalls", false,
	      "entries into direct reclaim"),
	DELTA("reclaim.pgscan_kswapd", "vmstat.pgscan_kswapd", "pages", false,
	      "pages kswapd scanned"),
	DELTA("reclaim.pgsteal_kswapd", "vmstat.pgsteal_kswapd", "pages", false,
	      "pages kswapd reclaimed"),
	DELTA("reclaim.pgscan_direct", "vmstat.pgscan_direct", "pages", false,
	      "pages direct reclaim scanned"),
	DELTA("reclaim.pgsteal_direct", "vmstat.pgsteal_direct", "pages", false,
	      "pages direct reclaim reclaimed"),
	DELTA("reclaim.slabs_scanned", "vmstat.slabs_scanned", "objects", false,
	      "slab objects the shrinkers scanned"),
	DELTA("reclaim.workingset_refault", "vmstat.workingset_refault_*", "pages", true,
	      "refaults, anon and file"),
	DELTA("reclaim.memcg_pgscan", "memcg.stat.pgscan", "pages", false,
	      "pages scanned in the cgroup (v2)"),
	DELTA("reclaim.memcg_pgsteal", "memcg.stat.pgsteal", "pages", true,
	      "pages reclaimed in the cgroup (v2)"),
	DELTA("reclaim.memcg_refault", "memcg.stat.workingset_refault_*", "pages", false,
	      "refaults in the cgroup (v2)"),
	DELTA("reclaim.memcg_pgpgout", "memcg.stat.pgpgout", "pages", true,
	      "pages leaving the cgroup (v1, which has no pgscan)"),
	GROUP("shrinker", "shrinker activity over the run, deltas"),
	DELTA("shrinker.kvm_count_passes", "shrink.mmu_shrink_scan.count_passes", "passes", true,
	      "do_shrink_slab() passes over KVM's shrinker whose count was not 0"),
	DELTA("shrinker.kvm_pass_freed", "shrink.mmu_shrink_scan.pass_freed", "objects", true,
	      "objects those passes freed"),
	DELTA("shrinker.kvm_scan_calls", "kprobe.mmu_shrink_scan.calls", "calls", true,
	      "calls of mmu_shrink_scan(), debugfs scans included"),
	DELTA("shrinker.kvm_scan_freed", "kprobe.mmu_shrink_scan.freed", "objects", true,
	      "what those calls returned as freed"),
	DELTA("shrinker.all_count_passes", "shrink.all.count_passes", "passes", true,
	      "passes over every shrinker"),
	DELTA("shrinker.all_pass_freed", "shrink.all.pass_freed", "objects", false,
	      "objects those passes freed"),
	LEVEL("shrinker.kvm_count", "shrinker.x86-mmu*.count", 1, "objects", false,
	      "what KVM's shrinker counted (debugfs)"),
	COMPUTED("idle_cache_pages_per_vcpu", "kvm.vm*.vcpus.mmu_cache_pages", "pages", true,
		 "pages idle in the MMU memory caches at the end, per vCPU"),
	COMPUTED("idle_cache_pages_total", "kvm.vm*.vcpus.mmu_cache_pages", "pages", true,
		 "the same, summed over every vCPU of every VM"),
	LATENCY("fault_latency_ns", "fault", true, true, true, true, true),
	LATENCY("access_latency_ns", "access", true, false, true, false, false),
	COMPUTED("touch", NULL, NULL, false, "the guests' touch phase; null without one"),
	COMPUTED("touch.pages", NULL, "pages", false, "pages the guests touched"),
	COMPUTED("touch.seconds", NULL, "s", false, "the phase on the host clock"),
	COMPUTED("touch.pages_per_s", NULL, "pages/s", true, "pages over seconds"),
	COMPUTED("touch.guest_ns", NULL, "ns", true, "the phase on the guests' TSC"),
	COMPUTED("under_pressure", NULL, NULL, false,
		 "time-weighted means while pressure acts; null without pressure"),
	COMPUTED("under_pressure.from_s", NULL, "s", false, "the first pressure event"),
	COMPUTED("under_pressure.to_s", NULL, "s", false, "the end of the pressure or the run"),
	MEAN("under_pressure.current_bytes", "memcg.current_bytes", 1, "bytes", true,
	     "memory charged to the cgroup"),
	MEAN("under_pressure.kernel_bytes", SUMMARY_SERIES_MEMCG_KERNEL, 1, "bytes", true,
	     "kernel memory charged to the cgroup"),
	MEAN("under_pressure.pagetables_bytes", "meminfo.PageTables_kb", 1024, "bytes", false,
	     "process page tables, the whole host"),
	MEAN("under_pressure.sec_pagetables_bytes", "meminfo.SecPageTables_kb", 1024, "bytes",
	     false, "secondary page tables, the whole host"),
	COMPUTED("faults_after_pressure", "kvm.vm*.vcpus.pf_fixed", "faults", true,
		 "guest faults the host fixed after the first pressure event"),
	GROUP("kvm", "KVM's own counts over the run, deltas summed over the VMs"),
	DELTA("kvm.pf_taken", "kvm.vm*.vcpus.pf_taken", "faults", true,
	      "page-fault exits KVM handled"),
	DELTA("kvm.pf_fixed", "kvm.vm*.vcpus.pf_fixed", "faults", true,
	      "the ones that installed a mapping"),
	DELTA("kvm.mmu_recycled", "kvm.vm[0-9]*.mmu_recycled", "pages", true,
	      "shadow pages kvm_mmu_zap_oldest_mmu_pages() zapped"),
	DELTA("kvm.mmu_shadow_zapped", "kvm.vm[0-9]*.mmu_shadow_zapped", "pages", false,
	      "shadow pages zapped for any reason"),
	{ "guest_counters", SUMMARY_OPEN, NULL, 1, NULL, false,
	  "every counter the guests reported, summed over vCPUs and VMs" },
	COMPUTED("guest_counters.cr3_switches", NULL, "loads", true,
		 "the alias guest's CR3 loads"),
	COMPUTED("oom_killed_vms", NULL, "VMs", true, "VMs the OOM killer killed"),
	DELTA("memcg_oom_kill", "memcg.events.oom_kill", "kills", false,
	      "the cgroup's own count of OOM kills"),
	COMPUTED("run_s", NULL, "s", true, "as run.run_s"),
	COMPUTED("pressure_applied", NULL, NULL, false,
		 "did every limit and pressure source the spec asked for take effect; "
		 "null when it asked for none"),
	COMPUTED("selftest", NULL, NULL, false,
		 "the KVM selftests the spec ran, each phase parsed from its log (the first "
		 "guest mode's); null without selftests"),
	COMPUTED("selftest.dirty_log", NULL, NULL, false,
		 "dirty_log_perf_test's phases; null when it did not run"),
	SELFTEST_S("dirty_log.populate_s", "Populate memory time"),
	SELFTEST_S("dirty_log.enable_dirty_logging_s", "Enabling dirty logging time"),
	SELFTEST_S("dirty_log.dirty_memory_iter1_s",
		   "Iteration 1 dirty memory time: the pass that faults on write protection"),
	SELFTEST_S("dirty_log.dirty_memory_iter2_s", "Iteration 2 dirty memory time"),
	SELFTEST_S("dirty_log.dirty_memory_later_mean_s",
		   "the mean dirty memory time of iterations 2 and on"),
	SELFTEST_S("dirty_log.get_dirty_log_total_s", "Get dirty log over all iterations"),
	SELFTEST_S("dirty_log.clear_dirty_log_total_s",
		   "Clear dirty log over all iterations (with manual protect)"),
	SELFTEST_S("dirty_log.disable_dirty_logging_s", "Disabling dirty logging time"),
	COMPUTED("selftest.demand_paging", NULL, NULL, false,
		 "demand_paging_test's; null when it did not run"),
	SELFTEST_S("demand_paging.guest_execution_s", "Total guest execution time"),
	COMPUTED("selftest.demand_paging.rate_pages_per_s", NULL, "pages/s", true,
		 "Overall demand paging rate"),
	COMPUTED("selftest.access_tracking", NULL, NULL, false,
		 "access_tracking_perf_test's phases; null when it did not run"),
	SELFTEST_S("access_tracking.populate_s", "Populating memory"),
	SELFTEST_S("access_tracking.write_populated_s", "Writing to populated memory"),
	SELFTEST_S("access_tracking.read_populated_s", "Reading from populated memory"),
	SELFTEST_S("access_tracking.mark_idle_1_s", "the first Mark memory idle"),
	SELFTEST_S("access_tracking.write_idle_s", "Writing to idle memory"),
	SELFTEST_S("access_tracking.mark_idle_2_s", "the second Mark memory idle"),
	SELFTEST_S("access_tracking.read_idle_s", "Reading from idle memory"),
};

const size_t nr_summary_entries = ARRAY_SIZE(summary_entries);

const char *memcg_kernel_series(int version)
{
	return version == 2 ? MEMCG_STAT_PREFIX MEMCG_V2_KERNEL_STAT_KEY : MEMCG_V1_KERNEL_SERIES;
}

const char *summary_series(const struct summary_entry *e, int version)
{
	if (e->series && !strcmp(e->series, SUMMARY_SERIES_MEMCG_KERNEL))
		return memcg_kernel_series(version);
	return e->series;
}

const struct summary_entry *summary_entry_find(const char *key)
{
	size_t i;

	for (i = 0; i < nr_summary_entries; i++)
		if (!strcmp(summary_entries[i].key, key))
			return &summary_entries[i];
	return NULL;
}

const char *summary_entry_name(const struct summary_entry *e)
{
	const char *dot = strrchr(e->key, '.');

	return dot ? dot + 1 : e->key;
}

bool summary_entry_under(const struct summary_entry *e, const struct summary_entry *parent)
{
	size_t len;

	if (!parent)
		return !strchr(e->key, '.');
	len = strlen(parent->key);
	return !strncmp(e->key, parent->key, len) && e->key[len] == '.' &&
	       !strchr(e->key + len + 1, '.');
}

static const char *const level_leaves[] = { "start", "peak", "final" };

const struct summary_entry *summary_entry_at(const char *path, const char **leaf)
{
	const struct summary_entry *e;
	const char *dot;
	char key[128];
	size_t i;

	*leaf = NULL;
	if (strncmp(path, "summary.", 8) || strlen(path + 8) >= sizeof(key))
		return NULL;
	strcpy(key, path + 8);
	e = summary_entry_find(key);
	if (e)
		return e;
	dot = strrchr(key, '.');
	if (!dot)
		return NULL;
	key[dot - key] = '\0';
	e = summary_entry_find(key);
	if (!e)
		return NULL;
	*leaf = path + 8 + (dot - key) + 1;
	if (e->how == SUMMARY_OPEN)
		return e;
	for (i = 0; e->how == SUMMARY_LEVEL && i < ARRAY_SIZE(level_leaves); i++)
		if (!strcmp(*leaf, level_leaves[i]))
			return e;
	*leaf = NULL;
	return NULL;
}

const struct summary_entry *metric_entry(const struct metric *m)
{
	const char *leaf;

	return summary_entry_at(m->path, &leaf);
}

bool metric_can_be_primary(const struct metric *m)
{
	const struct summary_entry *e = metric_entry(m);

	return e && e->primary;
}

const char *summary_how_name(enum summary_how how)
{
	static const char *const names[] = {
		[SUMMARY_GROUP] = "group", [SUMMARY_LEVEL] = "level", [SUMMARY_DELTA] = "delta",
		[SUMMARY_LAST] = "last", [SUMMARY_MEAN] = "mean",
		[SUMMARY_COMPUTED] = "computed", [SUMMARY_OPEN] = "open",
	};

	return names[how];
}

static struct json_object *entry_series_json(const struct summary_entry *e)
{
	struct json_object *o;

	if (!e->series || strcmp(e->series, SUMMARY_SERIES_MEMCG_KERNEL))
		return jstr(e->series);
	o = json_object_new_object();
	json_object_object_add(o, "v1", jstr(memcg_kernel_series(1)));
	json_object_object_add(o, "v2", jstr(memcg_kernel_series(2)));
	return o;
}

static struct json_object *entry_json(const struct summary_entry *e)
{
	struct json_object *o = json_object_new_object(), *ids = json_object_new_array();
	char path[160];
	size_t i;

	snprintf(path, sizeof(path), "summary.%s", e->key);
	json_object_object_add(o, "path", jstr(path));
	json_object_object_add(o, "how", jstr(summary_how_name(e->how)));
	json_object_object_add(o, "series", entry_series_json(e));
	json_object_object_add(o, "scale", jnum(e->scale));
	json_object_object_add(o, "unit", jstr(e->unit));
	json_object_object_add(o, "primary", json_object_new_boolean(e->primary));
	json_object_object_add(o, "about", jstr(e->about));
	if (e->how == SUMMARY_LEVEL) {
		struct json_object *leaves = json_object_new_array();

		for (i = 0; i < ARRAY_SIZE(level_leaves); i++)
			json_object_array_add(leaves, jstr(level_leaves[i]));
		json_object_object_add(o, "leaves", leaves);
	}
	for (i = 0; i < nr_metrics; i++)
		if (metric_entry(&metrics[i]) == e)
			json_object_array_add(ids, jstr(metrics[i].name));
	json_object_object_add(o, "metrics", ids);
	return o;
}

static struct json_object *metric_json(const struct metric *m)
{
	static const char *const better[] = {
		[BETTER_LOWER] = "lower", [BETTER_HIGHER] = "higher", [BETTER_NEITHER] = "neither",
	};
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", jstr(m->name));
	json_object_object_add(o, "label", jstr(m->label));
	json_object_object_add(o, "path", jstr(m->path));
	json_object_object_add(o, "unit", jstr(unit_raw_name(m->unit)));
	json_object_object_add(o, "better", jstr(better[m->better]));
	json_object_object_add(o, "primary", json_object_new_boolean(metric_can_be_primary(m)));
	json_object_object_add(o, "old_path", jstr(metric_old_path(m)));
	return o;
}

struct json_object *summary_table_json(void)
{
	struct json_object *o = json_object_new_object();
	struct json_object *entries = json_object_new_array(), *ms = json_object_new_array();
	size_t i;

	for (i = 0; i < nr_summary_entries; i++)
		json_object_array_add(entries, entry_json(&summary_entries[i]));
	for (i = 0; i < nr_metrics; i++)
		json_object_array_add(ms, metric_json(&metrics[i]));
	json_object_object_add(o, "summary", entries);
	json_object_object_add(o, "metrics", ms);
	return o;
}
