// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/export.c: the numbers of report and compare as CSV and JSON,
 * raw: a value that does not exist (n/a, not tested) is empty in CSV and
 * null in JSON, never 0.
 */
#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis/export.h"
#include "common/err.h"
#include "common/json.h"

static const char *const better_names[] = {
	[BETTER_LOWER] = "lower", [BETTER_HIGHER] = "higher", [BETTER_NEITHER] = "neither",
};

/* --- CSV --- */

/*
 * A text field. One that a spreadsheet would read as a formula (it starts
 * with = + - @ or a tab) gets a leading ' inside quotes, as OWASP advises
 * for CSV files opened in spreadsheets: an arm named "=HYPERLINK(...)"
 * stays text.
 */
static void csv_str(FILE *out, const char *s)
{
	bool formula;

	if (!s)
		s = "";
	formula = *s && strchr("=+-@\t\r", *s);
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void csv_num(FILE *out, double v)
{
	fputc(',', out);
	if (isinf(v))
		fputs(v > 0 ? "inf" : "-inf", out);
	else if (!isnan(v))
		fprintf(out, "%.17g", v);
}

void export_csv(FILE *out, struct cmp_table *const *tables, size_t n)
{
	size_t k, i, a;

	fputs("experiment,metric,unit,better,primary,arm,runs,runs_na,median,q1,q3,min,max,"
	      "ci_low,ci_high,change,p_raw,p_holm,holm_tests,floor,floor_sets,significant,mde\n", out);
	for (k = 0; k < n; k++) {
		const struct cmp_table *t = tables[k];

		for (i = 0; i < t->nr_rows; i++) {
			const struct cmp_row *r = &t->rows[i];

			for (a = 0; a < t->nr_arms; a++) {
				const struct cmp_cell *c = &r->cells[a];

				csv_str(out, t->experiment);
				fputc(',', out);
				csv_str(out, r->m->name);
				fprintf(out, ",%s,%s,%d,", unit_raw_name(r->m->unit),
					better_names[r->m->better], r->primary);
				csv_str(out, t->labels[a]);
				fprintf(out, ",%zu,%zu", c->n, c->n_na);
				csv_num(out, c->median);
				csv_num(out, c->q1);
				csv_num(out, c->q3);
				csv_num(out, c->min);
				csv_num(out, c->max);
				csv_num(out, c->ci_lo);
				csv_num(out, c->ci_hi);
				csv_num(out, c->change);
				csv_num(out, c->p_raw);
				csv_num(out, c->p_holm);
				if (a)
					fprintf(out, ",%zu", t->family[a]);
				else
					fputc(',', out);
				csv_num(out, a ? r->floor : NAN);
				fprintf(out, ",%d,%s", r->floor_sets,
					a ? (c->significant ? "1" : "0") : "");
				csv_num(out, a ? c->mde : NAN);
				fputc('\n', out);
			}
		}
	}
}

/* --- JSON --- */

/*
 * What the set's kernel was built from: the "arm" of its first run that
 * has one (the loader checked its fields), or null.
 */
static struct json_object *json_arm_desc(const struct result_set *s)
{
	size_t i;

	for (i = 0; s && i < s->nr_files; i++)
		if (result_str(s->files[i], "arm.base"))
			return json_object_get(json_path(s->files[i]->root, "arm"));
	return NULL;
}

static struct json_object *json_arm(const struct cmp_table *t, size_t a)
{
	struct json_object *o = json_object_new_object(), *files = json_object_new_array();
	const struct result_set *s = t->sets ? t->sets[a] : NULL;
	struct json_object *shift;
	size_t i;

	json_object_object_add(o, "label", jstr(t->labels[a]));
	json_object_object_add(o, "dir", jstr(s ? s->dir : NULL));
	json_object_object_add(o, "kernel_release", jstr(s ? result_str(s->files[0], "host.kernel_release") : NULL));
	json_object_object_add(o, "mmu", jstr(s ? result_str(s->files[0], "host.mmu") : NULL));
	json_object_object_add(o, "accel", jstr(s ? result_str(s->files[0], "host.accel") : NULL));
	json_object_object_add(o, "clock", jstr(s ? result_clock(s->files[0]) : NULL));
	shift = s ? json_path(s->files[0]->root, "host.icount_shift") : NULL;
	json_object_object_add(o, "icount_shift", json_object_is_type(shift, json_type_int) ?
			       json_object_new_int(json_object_get_int(shift)) : NULL);
	json_object_object_add(o, "arm", json_arm_desc(s));
	for (i = 0; s && i < s->nr_files; i++)
		json_object_array_add(files, json_object_new_string(s->files[i]->path));
	json_object_object_add(o, "files", files);
	return o;
}

/* Why a cell has no value: the unavailable source, or that it is null. */
static struct json_object *json_na_reason(const struct cmp_table *t, const struct cmp_row *r,
					  size_t a)
{
	const char *source, *why;
	char reason[768];

	if (r->cells[a].n)
		return NULL;
	if (!cmp_cell_na_source(t, (size_t)(r - t->rows), a, &source, &why))
		snprintf(reason, sizeof(reason), "source '%s' unavailable%s%s", source,
			 *why ? ": " : "", why);
	else
		snprintf(reason, sizeof(reason), "null in every run");
	return json_object_new_string(reason);
}

static struct json_object *json_cell(const struct cmp_table *t, const struct cmp_row *r, size_t a)
{
	const struct cmp_cell *c = &r->cells[a];
	struct json_object *o = json_object_new_object(), *values = json_object_new_array();
	size_t i;

	json_object_object_add(o, "arm", jstr(t->labels[a]));
	json_object_object_add(o, "runs", json_object_new_int64((int64_t)c->n));
	json_object_object_add(o, "runs_na", json_object_new_int64((int64_t)c->n_na));
	json_object_object_add(o, "na_reason", json_na_reason(t, r, a));
	for (i = 0; i < c->n; i++)
		json_object_array_add(values, json_object_new_double(c->values[i]));
	json_object_object_add(o, "values", values);
	json_object_object_add(o, "median", jnum(c->median));
	json_object_object_add(o, "q1", jnum(c->q1));
	json_object_object_add(o, "q3", jnum(c->q3));
	json_object_object_add(o, "min", jnum(c->min));
	json_object_object_add(o, "max", jnum(c->max));
	json_object_object_add(o, "ci_low", jnum(c->ci_lo));
	json_object_object_add(o, "ci_high", jnum(c->ci_hi));
	if (!a)
		return o;
	json_object_object_add(o, "change", jnum(c->change));
	json_object_object_add(o, "change_from_zero", json_object_new_boolean(isinf(c->change)));
	json_object_object_add(o, "p_raw", jnum(c->p_raw));
	json_object_object_add(o, "p_holm", jnum(c->p_holm));
	json_object_object_add(o, "significant", json_object_new_boolean(c->significant));
	if (r->primary)
		json_object_object_add(o, "mde", jnum(c->mde));
	return o;
}

static struct json_object *json_metric_ids(const struct metric *const *m, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(m[i]->name));
	return a;
}

static struct json_object *json_primary(const struct cmp_table *t)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < t->nr_primary; i++)
		json_object_array_add(a, json_object_new_string(t->rows[i].m->name));
	return a;
}

static struct json_object *json_drift(const struct drift *d)
{
	struct json_object *o = json_object_new_object(), *rows = json_object_new_array();
	size_t i;

	json_object_object_add(o, "order", jstr(d->order));
	json_object_object_add(o, "runs", json_object_new_int64((int64_t)d->runs));
	json_object_object_add(o, "left_out", json_object_new_int64((int64_t)d->left_out));
	for (i = 0; i < d->nr_rows; i++) {
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "name", jstr(d->rows[i].m->name));
		json_object_object_add(r, "runs", json_object_new_int64((int64_t)d->rows[i].n));
		json_object_object_add(r, "rho", jnum(d->rows[i].rho));
		json_object_object_add(r, "p", jnum(d->rows[i].p));
		json_object_array_add(rows, r);
	}
	json_object_object_add(o, "metrics", rows);
	return o;
}

static struct json_object *json_table(const struct cmp_table *t)
{
	struct json_object *o = json_object_new_object(), *arms = json_object_new_array();
	struct json_object *rows = json_object_new_array(), *family = json_object_new_array();
	size_t i, a;

	json_object_object_add(o, "experiment", jstr(t->experiment));
	json_object_object_add(o, "primary", json_primary(t));
	json_object_object_add(o, "primary_from", jstr(t->primary_from));
	json_object_object_add(o, "spec_primary_replaced",
			       t->nr_spec_primary ? json_metric_ids(t->spec_primary, t->nr_spec_primary) : NULL);
	for (a = 0; a < t->nr_arms; a++) {
		json_object_array_add(arms, json_arm(t, a));
		json_object_array_add(family, json_object_new_int64((int64_t)t->family[a]));
	}
	json_object_object_add(o, "arms", arms);
	json_object_object_add(o, "holm_tests", family);
	for (i = 0; i < t->nr_rows; i++) {
		const struct cmp_row *r = &t->rows[i];
		struct json_object *row = json_object_new_object(), *cells = json_object_new_array();

		json_object_object_add(row, "name", jstr(r->m->name));
		json_object_object_add(row, "label", jstr(r->m->label));
		json_object_object_add(row, "primary", json_object_new_boolean(r->primary));
		json_object_object_add(row, "unit", jstr(unit_raw_name(r->m->unit)));
		json_object_object_add(row, "better", jstr(better_names[r->m->better]));
		json_object_object_add(row, "path", jstr(r->m->path));
		json_object_object_add(row, "floor", jnum(r->floor));
		json_object_object_add(row, "floor_sets", json_object_new_int(r->floor_sets));
		for (a = 0; a < t->nr_arms; a++)
			json_object_array_add(cells, json_cell(t, r, a));
		json_object_object_add(row, "arms", cells);
		json_object_array_add(rows, row);
	}
	json_object_object_add(o, "metrics", rows);
	return o;
}

int export_json(FILE *out, struct cmp_table *const *tables, size_t n,
		const struct export_head *h)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	struct json_object *argv = json_object_new_array();
	size_t k;
	int i;

	if (!o || !arr || !argv)
		return err_set(ENOMEM, "JSON output: out of memory");
	json_object_object_add(o, "tool", jstr("kvmsqueeze"));
	json_object_object_add(o, "command", jstr(h->command));
	for (i = 0; i < h->argc; i++)
		json_object_array_add(argv, json_object_new_string(h->argv[i]));
	json_object_object_add(o, "argv", argv);
	json_object_object_add(o, "seed", json_object_new_int64((int64_t)h->cmp->seed));
	json_object_object_add(o, "bootstrap_resamples", json_object_new_int((int)h->cmp->resamples));
	json_object_object_add(o, "ci_level", jnum(h->cmp->level));
	json_object_object_add(o, "alpha", jnum(h->cmp->alpha));
	json_object_object_add(o, "floors_from", jstr(h->floors_from));
	json_object_object_add(o, "forced", json_object_new_boolean(h->forced || h->forced_runs));
	json_object_object_add(o, "forced_runs", json_object_new_int64((int64_t)h->forced_runs));
	for (k = 0; k < n; k++) {
		struct json_object *tj = json_table(tables[k]);

		if (h->drifts)
			json_object_object_add(tj, "drift", json_drift(&h->drifts[k]));
		json_object_array_add(arr, tj);
	}
	json_object_object_add(o, "tables", arr);
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}
