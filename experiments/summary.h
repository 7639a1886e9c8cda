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

#include "experiments/series.h"

struct run;

/* Series summed point by point (summary.c says how). */
struct agg {
	double first, last, peak;
	bool found;
};

struct agg series_agg(const struct series_set *set, const char *pattern);

struct json_object *summary_json(const struct run *r, struct json_object *vms);

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

#endif
