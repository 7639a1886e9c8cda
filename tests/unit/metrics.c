// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/metrics.c: the metric table (common/metrics.c): ids and
 * labels that fit the tables, paths into the summary, and results
 * written before a key was renamed still read; the summary table
 * (common/summary_table.c) well formed, every metric reading one of its
 * entries in its unit, the plots' names in the tables and SPEC.md's
 * metric table agreeing; and the JSON helpers the writers of results
 * share (common/json.c). With --json it prints the summary table and
 * the metrics as JSON instead (summary_table_json()).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "unit.h"
#include "analysis/plot.h"
#include "common/json.h"
#include "common/metrics.h"
#include "common/summary_table.h"
#include "common/util.h"

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

/* --- the summary table --- */

static void summary_table_well_formed(void)
{
	const struct summary_entry *e, *parent;
	char key[128];
	size_t i, j;

	CHECK(nr_summary_entries > 60, "only %zu summary entries", nr_summary_entries);
	for (i = 0; i < nr_summary_entries; i++) {
		e = &summary_entries[i];
		CHECK(summary_entry_find(e->key) == e, "%s given twice", e->key);
		CHECK(e->about && e->about[0], "%s: no description", e->key);
		CHECK(e->how == SUMMARY_GROUP || e->how == SUMMARY_OPEN ||
		      e->how == SUMMARY_COMPUTED || summary_series(e, 1),
		      "%s: %s of no series", e->key, summary_how_name(e->how));
		CHECK(e->scale > 0, "%s: scale %g", e->key, e->scale);
		/* every value has a unit but an object's and a yes or no */
		CHECK(!e->unit == (e->how == SUMMARY_GROUP || e->how == SUMMARY_OPEN ||
				   !strcmp(e->key, "pressure_applied") ||
				   (i + 1 < nr_summary_entries &&
				    summary_entry_under(&summary_entries[i + 1], e))),
		      "%s: unit %s", e->key, e->unit ? e->unit : "none");
		snprintf(key, sizeof(key), "%s", e->key);
		if (!strrchr(key, '.'))
			continue;
		*strrchr(key, '.') = '\0';
		parent = summary_entry_find(key);
		/* after its parent, which is an object */
		CHECK(parent && parent < e && parent->how != SUMMARY_LEVEL &&
		      parent->how != SUMMARY_DELTA && parent->how != SUMMARY_LAST &&
		      parent->how != SUMMARY_MEAN, "%s: its parent %s is no object", e->key, key);
		/* a mean needs the window its computed parent sets */
		CHECK(e->how != SUMMARY_MEAN || (parent && parent->how == SUMMARY_COMPUTED),
		      "%s: a mean outside a window", e->key);
		/* the entries of a group are together */
		for (j = parent ? (size_t)(parent - summary_entries) + 1 : i; j < i; j++)
			CHECK(!strncmp(summary_entries[j].key, key, strlen(key)) &&
			      summary_entries[j].key[strlen(key)] == '.',
			      "%s is not with the rest of %s", e->key, key);
	}
	CHECK(!strcmp(memcg_kernel_series(2), "memcg.stat.kernel") &&
	      !strcmp(memcg_kernel_series(1), "memcg.kernel_bytes"),
	      "kernel memory: v2 %s, v1 %s", memcg_kernel_series(2), memcg_kernel_series(1));
}

/* Every metric reads an entry of the summary table, in its unit. */
static void metrics_in_summary_table(void)
{
	const struct summary_entry *e;
	bool *read = calloc(nr_summary_entries, sizeof(*read));
	const char *leaf;
	size_t i;

	if (!read)
		abort();
	for (i = 0; i < nr_metrics; i++) {
		const struct metric *m = &metrics[i];

		e = metric_entry(m);
		CHECK(e && e == summary_entry_at(m->path, &leaf),
		      "%s: %s is no entry of the summary table", m->name, m->path);
		if (!e)
			continue;
		read[e - summary_entries] = true;
		CHECK(e->unit && !strcmp(e->unit, unit_raw_name(m->unit)),
		      "%s: unit %s, but summary.%s is in %s", m->name, unit_raw_name(m->unit),
		      e->key, e->unit ? e->unit : "none");
		/* a number: not a whole group, level or object of counts */
		CHECK(e->how != SUMMARY_GROUP && (e->how != SUMMARY_LEVEL || leaf) &&
		      (e->how != SUMMARY_OPEN || leaf), "%s: %s is an object", m->name, m->path);
		/* every spec of the catalog and the findings names primaries of these */
		CHECK(metric_can_be_primary(m) == e->primary, "%s: primary", m->name);
	}
	/* a number no metric reads cannot be named as primary: say so in the table */
	for (i = 0; i < nr_summary_entries; i++)
		CHECK(!summary_entries[i].primary || read[i],
		      "summary.%s may be primary, but no metric reads it", summary_entries[i].key);
	CHECK(!summary_entry_at("summary.memcg.kernel_bytes.mean", &(const char *){ NULL }),
	      "a level has a mean");
	CHECK(!summary_entry_at("memcg.kernel_bytes", &(const char *){ NULL }),
	      "a path outside the summary");
	free(read);
}

/* The plots name entries and metrics of the tables. */
static void plot_names_in_tables(void)
{
	CHECK(!plot_unknown_name(), "analysis/plot.c names %s", plot_unknown_name());
}

/* Fields of a row of a markdown table, trimmed: "| a | b |" */
static size_t md_fields(char *row, char **fields, size_t max)
{
	size_t n = 0;
	char *p = row, *end;

	while (n < max && (p = strchr(p, '|')) && (end = strchr(p + 1, '|'))) {
		*end = '\0';
		p++;
		while (*p == ' ')
			p++;
		fields[n] = p;
		for (p = end; p > fields[n] && p[-1] == ' '; p--)
			p[-1] = '\0';
		n++;
		*end = '|';
		p = end;
	}
	return n;
}

/*
 * experiments/SPEC.md's table of metrics (where the error of an unknown
 * primary sends people) says what the table says: label, path, unit,
 * which way is better.
 */
static void spec_md_agrees(void)
{
	static const char *const better[] = {
		[BETTER_LOWER] = "lower", [BETTER_HIGHER] = "higher", [BETTER_NEITHER] = "neither",
	};
	FILE *f = fopen("experiments/SPEC.md", "r");
	char line[2048], want[128], *fields[8];
	size_t i, n, rows = 0;

	if (!f)
		SKIP("experiments/SPEC.md not found (run from the repository root)");
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < nr_metrics; i++) {
			const struct metric *m = &metrics[i];

			snprintf(want, sizeof(want), "| `%s` |", m->name);
			if (strncmp(line, want, strlen(want)))
				continue;
			rows++;
			n = md_fields(line, fields, ARRAY_SIZE(fields));
			snprintf(want, sizeof(want), "`%s`", m->path);
			CHECK(n == 5 && !strcmp(fields[1], m->label) &&
			      !strncmp(fields[2], want, strlen(want)) &&
			      !strcmp(fields[3], unit_raw_name(m->unit)) &&
			      !strcmp(fields[4], better[m->better]),
			      "SPEC.md's row of %s is not label '%s', path %s, unit %s, %s better",
			      m->name, m->label, m->path, unit_raw_name(m->unit),
			      better[m->better]);
		}
	}
	fclose(f);
	CHECK(rows == nr_metrics, "SPEC.md has %zu rows for %zu metrics", rows, nr_metrics);
}

/* The dump: every entry and metric, each once. */
static void table_json(void)
{
	struct json_object *o = summary_table_json(), *sm, *ms, *e;
	const char *s = json_object_to_json_string(o);
	struct json_object *back = json_tokener_parse(s);

	CHECK(back && json_object_object_get_ex(back, "summary", &sm) &&
	      json_object_object_get_ex(back, "metrics", &ms) &&
	      json_object_array_length(sm) == nr_summary_entries &&
	      json_object_array_length(ms) == nr_metrics, "dump of %zu entries, %zu metrics",
	      nr_summary_entries, nr_metrics);
	e = json_object_array_get_idx(sm, 0);
	CHECK(e && !strcmp(json_object_get_string(json_path(e, "path")), "summary.page_tables"),
	      "first entry %s", json_object_get_string(json_path(e, "path")));
	json_object_put(back);
	json_object_put(o);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		T(table_well_formed), T(old_keys_read), T(peaks_apart), T(json_helpers),
		T(summary_table_well_formed), T(metrics_in_summary_table),
		T(plot_names_in_tables), T(spec_md_agrees), T(table_json),
	};

	if (argc == 2 && !strcmp(argv[1], "--json")) {
		struct json_object *o = summary_table_json();

		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: %s [--json]\n", argv[0]);
		return 2;
	}
	return unit_main(tests, ARRAY_SIZE(tests));
}
