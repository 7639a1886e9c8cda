/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/summary_table.h: every entry of a result's summary
 * (experiments/RESULT.md, "summary") described once: its key, the series
 * it is derived from and how, its unit, what it means and whether a spec
 * may name it as a primary metric. experiments/summary.c writes the
 * summary from this table, the metric table (common/metrics.c) and the
 * plots (analysis/plot.c) are checked against it (tests/unit/metrics,
 * tests/unit/summary), and `build/tests/unit/metrics --json` dumps it.
 */
#ifndef KVMSQ_COMMON_SUMMARY_TABLE_H
#define KVMSQ_COMMON_SUMMARY_TABLE_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;
struct metric;

enum summary_how {
	SUMMARY_GROUP,		/* an object of the entries under it, never null */
	SUMMARY_LEVEL,		/* {start, peak, final} of the series summed, or null */
	SUMMARY_DELTA,		/* a cumulative counter's growth, final - start, or null */
	SUMMARY_LAST,		/* the last point: a high-water mark the kernel keeps */
	SUMMARY_MEAN,		/* the time-weighted mean under pressure, or null */
	SUMMARY_COMPUTED,	/* by its own code in experiments/summary.c */
	SUMMARY_OPEN,		/* an object of counts whose keys the guests choose */
};

struct summary_entry {
	const char *key;	/* under "summary", dotted: "memcg.kernel_bytes" */
	enum summary_how how;
	/*
	 * The series it is derived from: a pattern (fnmatch, plus one {a,b}
	 * group), SUMMARY_SERIES_MEMCG_KERNEL, or NULL.
	 */
	const char *series;
	double scale;		/* series values times this: 1024 for kB */
	const char *unit;	/* "bytes", "ns", ... as unit_raw_name() where a metric reads it */
	bool primary;		/* a spec may name a metric of it as primary */
	const char *about;
};

extern const struct summary_entry summary_entries[];
extern const size_t nr_summary_entries;

/*
 * The cgroup's kernel memory: a series that depends on the cgroup
 * version (summary_series()).
 */
#define SUMMARY_SERIES_MEMCG_KERNEL	"@memcg_kernel"

/*
 * The series names of the cgroup's kernel memory: v2 has it in
 * memory.stat "kernel" (5.18 on), v1 in memory.kmem.usage_in_bytes.
 * experiments/samplers_memcg.c names the series so.
 */
#define MEMCG_STAT_PREFIX		"memcg.stat."
#define MEMCG_V2_KERNEL_STAT_KEY	"kernel"
#define MEMCG_V1_KERNEL_SERIES		"memcg.kernel_bytes"

/* The series of the cgroup's kernel memory on cgroup @version (1 or 2). */
const char *memcg_kernel_series(int version);

/* The series pattern @e is derived from on cgroup @version, or NULL. */
const char *summary_series(const struct summary_entry *e, int version);

/* The entry of @key ("memcg.kernel_bytes", no "summary."), or NULL. */
const struct summary_entry *summary_entry_find(const char *key);

/* Its last component: "kernel_bytes" of "memcg.kernel_bytes". */
const char *summary_entry_name(const struct summary_entry *e);

/* Is @e directly under @parent (NULL: at the top of the summary)? */
bool summary_entry_under(const struct summary_entry *e, const struct summary_entry *parent);

/*
 * The entry a dotted @path in a result reads ("summary.memcg.kernel_bytes.peak"),
 * or NULL: an entry's own path, a level's start, peak or final, or a
 * key of an open object. *@leaf is what follows the entry's key, or NULL.
 */
const struct summary_entry *summary_entry_at(const char *path, const char **leaf);

/* The entry metric @m reads, or NULL (tests/unit/metrics checks there is one). */
const struct summary_entry *metric_entry(const struct metric *m);

/* May a spec name @m as a primary metric? */
bool metric_can_be_primary(const struct metric *m);

/* "group", "level", "delta", ... */
const char *summary_how_name(enum summary_how how);

/*
 * The table as JSON, for people and for checking a schema against it:
 * { "summary": [ {path, how, series, scale, unit, primary, about,
 * [leaves], metrics: [...]} ], "metrics": [ {id, label, path, unit,
 * better, primary, old_path} ] }.
 */
struct json_object *summary_table_json(void);

#endif
