// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/metrics.c: the metric table (common/metrics.c): ids and
 * labels that fit the tables, paths into the summary, and results
 * written before a key was renamed still read; and the JSON helpers the
 * writers of results share (common/json.c).
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "unit.h"
#include "common/json.h"
#include "common/metrics.h"

static void table_well_formed(void)
{
	size_t i, j;

	CHECK(nr_metrics > 20, "only %zu metrics", nr_metrics);
	for (i = 0; i < nr_metrics; i++) {
		const struct metric *m = &metrics[i];

		CHECK(strlen(m->label) <= METRIC_LABEL_MAX, "%s: label '%s' is %zu chars",
		      m->name, m->label, strlen(m->label));
		CHECK(strspn(m->name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(m->name),
		      "id '%s' is not [a-z0-9_]", m->name);
		CHECK(!strncmp(m->path, "summary.", 8), "%s: path %s", m->name, m->path);
		CHECK(metric_find(m->name) == m, "%s not found by its id", m->name);
		CHECK(unit_raw_name(m->unit), "%s: unit without a name", m->name);
		for (j = 0; j < i; j++)
			CHECK(strcmp(metrics[j].name, m->name) && strcmp(metrics[j].label, m->label),
			      "%s and %s share an id or a label", metrics[j].name, m->name);
	}
	CHECK(!metric_find("shrinker_kvm_calls"), "the old, misleading id is still there");
}

static double value_of(const char *id, const char *json, int *ret)
{
	struct json_object *o = json_tokener_parse(json);
	double v = -1;

	*ret = metric_value(metric_find(id), o, &v);
	json_object_put(o);
	return v;
}

/* A result from before the shrinker split: its "kvm_calls" were count passes. */
static void old_keys_read(void)
{
	int ret;
	double v;

	v = value_of("shrinker_kvm_count_passes",
		     "{ \"summary\": { \"shrinker\": { \"kvm_calls\": 12, \"kvm_freed\": 5 } } }", &ret);
	CHECK(!ret && v == 12, "old kvm_calls: %d %g", ret, v);
	v = value_of("shrinker_kvm_pass_freed",
		     "{ \"summary\": { \"shrinker\": { \"kvm_calls\": 12, \"kvm_freed\": 5 } } }", &ret);
	CHECK(!ret && v == 5, "old kvm_freed: %d %g", ret, v);
	/* a new file's own key wins, null included: never the old one */
	v = value_of("shrinker_kvm_count_passes",
		     "{ \"summary\": { \"shrinker\": { \"kvm_count_passes\": 3, \"kvm_calls\": 9 } } }",
		     &ret);
	CHECK(!ret && v == 3, "new key: %d %g", ret, v);
	v = value_of("shrinker_kvm_count_passes",
		     "{ \"summary\": { \"shrinker\": { \"kvm_count_passes\": null, \"kvm_calls\": 9 } } }",
		     &ret);
	CHECK(ret == -ENODATA, "null new key read as %g (%d)", v, ret);
	/* scan calls were never counted before: n/a, not the old passes */
	v = value_of("shrinker_kvm_scan_calls",
		     "{ \"summary\": { \"shrinker\": { \"kvm_calls\": 12 } } }", &ret);
	CHECK(ret == -ENODATA, "scan calls from an old file: %d %g", ret, v);
}

/* The kernel's HWM and the sampled maximum are two metrics, two paths. */
static void peaks_apart(void)
{
	static const char json[] =
		"{ \"summary\": { \"memcg\": { \"peak_bytes\": 4096000,"
		" \"current_bytes\": { \"start\": 1, \"peak\": 3000000, \"final\": 2 } } } }";
	int ret;
	double v;

	v = value_of("memcg_peak_bytes", json, &ret);
	CHECK(!ret && v == 4096000, "HWM: %d %g", ret, v);
	v = value_of("memcg_sampled_peak_bytes", json, &ret);
	CHECK(!ret && v == 3000000, "sampled: %d %g", ret, v);
}

/* A number that is not finite, and a missing string, are JSON null. */
static void json_helpers(void)
{
	struct json_object *o = jnum(1.5), *t = jstr("x");

	CHECK(json_object_is_type(o, json_type_double) && json_object_get_double(o) == 1.5,
	      "jnum(1.5) is not 1.5");
	CHECK(!jnum(NAN) && !jnum(INFINITY) && !jnum(-INFINITY), "a non-finite number is not null");
	CHECK(json_object_is_type(t, json_type_string) && !strcmp(json_object_get_string(t), "x"),
	      "jstr(\"x\") is not \"x\"");
	CHECK(!jstr(NULL), "jstr(NULL) is not null");
	json_object_put(o);
	json_object_put(t);
}

UNIT_MAIN(T(table_well_formed), T(old_keys_read), T(peaks_apart), T(json_helpers))
