/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/summary.h: a run's summary (experiments/RESULT.md,
 * "summary"): one number per question, derived from the series, the
 * events, the phases and the VMs' own results when the file is written.
 */
#ifndef KVMSQ_SUMMARY_H
#define KVMSQ_SUMMARY_H

#include <stdbool.h>
#include <json-c/json.h>

#include "experiments/cgroup.h"
#include "experiments/series.h"

struct run;

/* Series summed point by point (summary.c says how). */
struct agg {
	double first, last, peak;
	bool found;
};

struct agg series_agg(const struct series_set *set, const char *pattern);

/* The summary: the entries of the summary table (common/summary_table.c). */
struct json_object *summary_json(const struct run *r, struct json_object *vms);
/*
 * A key this file computes that the summary table has not as a computed
 * entry (NULL: none), for the tests.
 */
const char *summary_computed_unknown(void);

/*
 * The pieces, for the tests. @vms is the result's "vms" array.
 *
 * summary_latency_json: the histograms named @key ("fault_latency_ns")
 * of every vCPU of every VM: quantiles from the merged buckets, the mean
 * exact from the guests' cycle sums.
 */
struct json_object *summary_latency_json(struct json_object *vms, const char *key);
/* The touch phase on the guests' TSC, ns: the longest VM's; < 0: none. */
double summary_touch_guest_ns(struct json_object *vms);
/*
 * The time-weighted mean of @s over [@from_s, @to_s]: trapezoids between
 * its points (times in whole ms, as the file has them), interpolated at
 * both edges, over the part of the window it was sampled in; NAN when it
 * covers none of it.
 */
double series_time_mean(const struct series *s, double from_s, double to_s);
/*
 * Levels under pressure: from the first "pressure" event to a hog's
 * early end, the "end" event or @now_s; null when no pressure fired.
 */
struct json_object *summary_under_pressure_json(const struct series_set *set,
						struct json_object *events,
						enum cg_version version, double now_s);

#endif
