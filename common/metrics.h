/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/metrics.h: the metrics report and compare show, each ONE value
 * per result file (per run), read from the file's summary, and how their
 * units scale for people.
 */
#ifndef KVMSQ_COMMON_METRICS_H
#define KVMSQ_COMMON_METRICS_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

enum metric_unit {
	UNIT_BYTES,
	UNIT_NS,
	UNIT_S,
	UNIT_PAGES,
	UNIT_PAGES_PER_S,
	UNIT_CALLS,
	UNIT_OBJECTS,
	UNIT_VMS,
	UNIT_FAULTS,
	UNIT_PASSES,	/* do_shrink_slab() passes, not calls */
	UNIT_LOADS,	/* CR3 loads a guest did */
};

enum metric_better {
	BETTER_LOWER,
	BETTER_HIGHER,
	BETTER_NEITHER,		/* an activity count: neither way is good */
};

struct metric {
	const char *name;	/* stable id for csv/json: "fault_p50_ns" */
	const char *label;	/* for tables, at most METRIC_LABEL_MAX */
	/* dotted path in a result: "summary.fault_latency_ns.p50" (metric_entry()) */
	const char *path;
	enum metric_unit unit;
	enum metric_better better;
};

#define METRIC_LABEL_MAX	20

extern const struct metric metrics[];
extern const size_t nr_metrics;

const struct metric *metric_find(const char *name);

/*
 * Whether the metric is a time or a rate, so it follows the clock the run
 * had: real time, or the lab's instruction count (host.clock "icount").
 */
bool metric_follows_clock(const struct metric *m);

/*
 * The metric's value in one result: 0 and *value, or -ENODATA when it is
 * null or absent there (n/a for that run: never read as 0), -EINVAL when
 * it is there but not a number. A result written before the metric's key
 * was renamed is read at the key it had then (metric_old_path()).
 */
int metric_value(const struct metric *m, struct json_object *result, double *value);

/* Where results older than the metric's @path keep it, or NULL. */
const char *metric_old_path(const struct metric *m);

/* The object at a dotted path ("run.experiment"), or NULL. */
struct json_object *json_path(struct json_object *root, const char *path);

/* The unit's raw name: "bytes", "ns", "pages", ... */
const char *unit_raw_name(enum metric_unit unit);

/*
 * A unit for people, chosen for values around @magnitude: its name
 * ("MiB", "us", "k pages") and what raw values are divided by.
 */
void unit_scale(enum metric_unit unit, double magnitude, const char **name,
		double *divisor);

#endif
