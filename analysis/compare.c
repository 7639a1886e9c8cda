// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/compare.c: from sets of runs to the numbers of a table: one
 * value per run and metric, medians, quartiles and intervals per arm, and
 * per arm against the first a permutation test of every metric; only the
 * primaries are Holm-corrected (over the primaries) and can be
 * significant, and only above the metric's noise floor.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis/compare.h"
#include "analysis/stats.h"
#include "common/err.h"

int cmp_table_init(struct cmp_table *t, size_t nr_arms, const struct metric *const *row_metrics,
		   size_t nr_rows)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if (!row_metrics)
		nr_rows = nr_metrics;
	t->nr_arms = nr_arms;
	t->nr_rows = nr_rows;
	t->labels = calloc(nr_arms, sizeof(*t->labels));
	t->family = calloc(nr_arms, sizeof(*t->family));
	t->rows = calloc(nr_rows, sizeof(*t->rows));
	if (!t->labels || !t->family || !t->rows)
		goto nomem;
	for (i = 0; i < nr_rows; i++) {
		t->rows[i].m = row_metrics ? row_metrics[i] : &metrics[i];
		t->rows[i].floor = CMP_DEFAULT_FLOOR;
		t->rows[i].cells = calloc(nr_arms, sizeof(*t->rows[i].cells));
		if (!t->rows[i].cells)
			goto nomem;
	}
	return 0;
nomem:
	cmp_table_free(t);
	return err_set(ENOMEM, "building a table: out of memory");
}

void cmp_table_free(struct cmp_table *t)
{
	size_t i, a;

	for (i = 0; t->rows && i < t->nr_rows; i++) {
		for (a = 0; t->rows[i].cells && a < t->nr_arms; a++)
			free(t->rows[i].cells[a].values);
		free(t->rows[i].cells);
	}
	free(t->rows);
	free(t->spec_primary);
	free(t->family);
	free(t->labels);
	free(t->sets);
	memset(t, 0, sizeof(*t));
}

int cmp_cell_set(struct cmp_cell *c, const double *values, size_t n, size_t n_na)
{
	free(c->values);
	c->values = NULL;
	c->n = n;
	c->n_na = n_na;
	if (!n)
		return 0;
	c->values = malloc(n * sizeof(*values));
	if (!c->values)
		return err_set(ENOMEM, "building a table: out of memory");
	memcpy(c->values, values, n * sizeof(*values));
	return 0;
}

/* One value per run: a run where the metric is null is n/a, not 0. */
static int cell_from_set(struct cmp_cell *c, const struct metric *m, const struct result_set *s)
{
	double *values = malloc((s->nr_files ? s->nr_files : 1) * sizeof(*values));
	size_t i, n = 0, n_na = 0;
	int ret = 0;

	if (!values)
		return err_set(ENOMEM, "building a table: out of memory");
	for (i = 0; i < s->nr_files && !ret; i++) {
		ret = metric_value(m, s->files[i]->root, &values[n]);
		if (!ret) {
			n++;
		} else if (ret == -ENODATA) {
			n_na++;
			ret = 0;
		} else {
			ret = err_set(EINVAL, "%s: %s is not a number", s->files[i]->path, m->path);
		}
	}
	if (!ret)
		ret = cmp_cell_set(c, values, n, n_na);
	free(values);
	return ret;
}

int cmp_table_from_sets(struct cmp_table *t, struct result_set **sets, size_t nr_sets)
{
	size_t i, a;
	int ret;

	ret = cmp_table_init(t, nr_sets, NULL, 0);
	if (ret)
		return ret;
	t->sets = calloc(nr_sets, sizeof(*t->sets));
	if (!t->sets) {
		cmp_table_free(t);
		return err_set(ENOMEM, "building a table: out of memory");
	}
	t->experiment = sets[0]->experiment;
	for (a = 0; a < nr_sets; a++) {
		t->sets[a] = sets[a];
		t->labels[a] = sets[a]->label;
	}
	for (i = 0; i < t->nr_rows; i++) {
		for (a = 0; a < nr_sets; a++) {
			ret = cell_from_set(&t->rows[i].cells[a], t->rows[i].m, sets[a]);
			if (ret) {
				cmp_table_free(t);
				return ret;
			}
		}
	}
	return 0;
}

/* --- why a value is missing --- */

/*
 * Summary paths and the samplers behind them (experiments/RESULT.md,
 * "summary"); the longest prefix wins.
 */
static const struct metric_source {
	const char *prefix;
	const char *source;
} metric_sources[] = {
	{ "summary.page_tables.", "meminfo" },
	{ "summary.memcg.", "memcg" },
	{ "summary.reclaim.memcg_", "memcg" },
	{ "summary.reclaim.", "vmstat" },
	{ "summary.under_pressure.", "meminfo" },
	{ "summary.under_pressure.current_", "memcg" },
	{ "summary.under_pressure.kernel_", "memcg" },
	{ "summary.shrinker.kvm_count.", "shrinker" },
	{ "summary.shrinker.kvm_scan_", "shrink_kprobe" },
	{ "summary.shrinker.", "shrink_trace" },
	{ "summary.psi.", "psi" },
};

const char *cmp_metric_source(const struct metric *m)
{
	const struct metric_source *best = NULL;
	size_t i, len;

	for (i = 0; i < sizeof(metric_sources) / sizeof(metric_sources[0]); i++) {
		len = strlen(metric_sources[i].prefix);
		if (!strncmp(m->path, metric_sources[i].prefix, len) &&
		    (!best || len > strlen(best->prefix)))
			best = &metric_sources[i];
	}
	return best ? best->source : NULL;
}

/* Why @source was unavailable in this run, or NULL when it was not. */
static const char *source_unavailable(const struct result_file *f, const char *source)
{
	struct json_object *sources = json_path(f->root, "sources"), *s, *o;
	size_t i, n = json_object_is_type(sources, json_type_array) ?
		json_object_array_length(sources) : 0;

	for (i = 0; i < n; i++) {
		s = json_object_array_get_idx(sources, i);
		o = json_path(s, "name");
		if (!o || !json_object_is_type(o, json_type_string) ||
		    strcmp(json_object_get_string(o), source))
			continue;
		o = json_path(s, "available");
		if (!o || json_object_get_boolean(o))
			return NULL;
		o = json_path(s, "why");
		return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : "";
	}
	return NULL;
}

int cmp_cell_na_source(const struct cmp_table *t, size_t row, size_t arm, const char **source,
		       const char **why)
{
	const struct metric *m = t->rows[row].m;
	const struct result_set *s;
	double v;
	size_t i;

	*source = cmp_metric_source(m);
	if (!t->sets || !*source)
		return -ENOENT;
	s = t->sets[arm];
	for (i = 0; i < s->nr_files; i++) {
		if (metric_value(m, s->files[i]->root, &v) != -ENODATA)
			continue;
		*why = source_unavailable(s->files[i], *source);
		if (*why)
			return 0;
	}
	return -ENOENT;
}

/*
 * Whether @path is absent from the result (a key missing on the way), not
 * null: a file written before kvmsqueeze recorded the value.
 */
static bool path_absent(struct json_object *root, const char *path)
{
	char key[64];
	const char *dot;
	size_t len;

	while (root && json_object_is_type(root, json_type_object)) {
		dot = strchr(path, '.');
		len = dot ? (size_t)(dot - path) : strlen(path);
		if (len >= sizeof(key))
			return false;
		memcpy(key, path, len);
		key[len] = '\0';
		if (!json_object_object_get_ex(root, key, &root))
			return true;
		if (!dot)
			return false;
		path = dot + 1;
	}
	return false;		/* null (or not an object) on the way: there, with no value */
}

/* A spec with no pressure action: "pressure" absent or empty. */
static bool spec_without_pressure(struct json_object *root)
{
	return !result_array_len(json_path(root, "spec.pressure"));
}

/*
 * Values null for a reason the result shows without a source to blame:
 * by the metric's summary path (the longest prefix wins), each checked
 * against the run by @applies (NULL: always).
 */
static const struct null_reason {
	const char *prefix;
	bool (*applies)(struct json_object *root);
	const char *why;
} null_reasons[] = {
	{ "summary.idle_cache_pages_", NULL,
	  "KVM has no mmu_cache_pages statistic upstream; only the lab kernels (their \"observe\" patch) add it" },
	{ "summary.under_pressure.", spec_without_pressure,
	  "the spec has no pressure action, so nothing marks when pressure began" },
	{ "summary.faults_after_pressure", spec_without_pressure,
	  "the spec has no pressure action, so nothing marks when pressure began" },
	{ "summary.under_pressure.", NULL, "no pressure action fired" },
	{ "summary.faults_after_pressure", NULL, "no pressure action fired" },
	{ "summary.fault_latency_ns.", NULL,
	  "no guest of these runs recorded fault latency (its guests do not fault in a timed phase)" },
	{ "summary.access_latency_ns.", NULL,
	  "no guest of these runs recorded access latency (only the access guest does)" },
	{ "summary.touch.", NULL, "no guest of these runs has a touch phase" },
};

static const char *null_reason(const struct metric *m, struct json_object *root)
{
	const struct null_reason *r, *best = NULL;
	const char *version = NULL;
	size_t i;

	for (i = 0; i < sizeof(null_reasons) / sizeof(null_reasons[0]); i++) {
		r = &null_reasons[i];
		if (strncmp(m->path, r->prefix, strlen(r->prefix)) ||
		    (r->applies && !r->applies(root)))
			continue;
		if (!best || strlen(r->prefix) > strlen(best->prefix))
			best = r;
	}
	if (best)
		return best->why;
	/* the cgroup's own counts: which version has which (RESULT.md, "memcg") */
	if (json_path(root, "cgroup.version") &&
	    json_object_is_type(json_path(root, "cgroup.version"), json_type_string))
		version = json_object_get_string(json_path(root, "cgroup.version"));
	if (!strcmp(m->path, "summary.reclaim.memcg_pgpgout"))
		return version && !strcmp(version, "v2") ? "a cgroup v1 count; this run's cgroup was v2" : NULL;
	if ((!strncmp(m->path, "summary.memcg.", 14) ||
	     !strncmp(m->path, "summary.reclaim.memcg_", 22)) && version && !strcmp(version, "v1"))
		return "not in cgroup v1's memory files; this run's cgroup was v1 (cgroup v2 has it)";
	return NULL;
}

int cmp_cell_na_why(const struct cmp_table *t, size_t row, size_t arm, const char **why)
{
	const struct metric *m = t->rows[row].m;
	const struct result_set *s;
	double v;
	size_t i;

	if (!t->sets)
		return -ENOENT;
	s = t->sets[arm];
	for (i = 0; i < s->nr_files; i++) {
		if (metric_value(m, s->files[i]->root, &v) != -ENODATA)
			continue;
		if (path_absent(s->files[i]->root, m->path) &&
		    (!metric_old_path(m) || path_absent(s->files[i]->root, metric_old_path(m)))) {
			*why = "not in these result files (written before kvmsqueeze recorded it)";
			return 0;
		}
		*why = null_reason(m, s->files[i]->root);
		if (*why)
			return 0;
	}
	return -ENOENT;
}

bool cmp_row_all_na(const struct cmp_table *t, size_t row)
{
	size_t a;

	for (a = 0; a < t->nr_arms; a++)
		if (t->rows[row].cells[a].n)
			return false;
	return true;
}

/* A seed per row and arm, so adding a metric leaves the others alone. */
static uint64_t cell_seed(const struct cmp_opts *o, const struct cmp_row *r, size_t arm)
{
	uint64_t h = o->seed ^ 0xcbf29ce484222325ull;
	const char *p;

	for (p = r->m->name; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return h + arm;
}

static int cell_describe(struct cmp_cell *c, const struct cmp_opts *o, uint64_t seed)
{
	int ret;

	c->median = stats_median(c->values, c->n);
	c->min = stats_min(c->values, c->n);
	c->max = stats_max(c->values, c->n);
	c->q1 = stats_quantile(c->values, c->n, 0.25);
	c->q3 = stats_quantile(c->values, c->n, 0.75);
	c->ci_lo = c->ci_hi = NAN;
	c->change = c->p_raw = c->p_holm = c->mde = NAN;
	c->significant = false;
	if (c->n < 2)
		return 0;
	ret = stats_bootstrap_median_ci(c->values, c->n, o->level, o->resamples, seed, &c->ci_lo,
					&c->ci_hi);
	if (ret)
		return err_set(-ret, "bootstrap: %s", -ret == ENOMEM ? "out of memory" :
			       "bad level or number of resamples");
	return 0;
}

/*
 * (v - base) / |base|; +-INFINITY only from a base of 0. Where v - base
 * overflows (values near 1.7e308) it is taken apart; a change too large
 * for a double is DBL_MAX, not infinity, which means "from 0".
 */
static double relative_change(double base, double v)
{
	double change;

	if (base == 0)
		return v == 0 ? 0 : v > 0 ? INFINITY : -INFINITY;
	change = (v - base) / fabs(base);
	if (!isfinite(change))
		change = v / fabs(base) - copysign(1, base);
	if (!isfinite(change))
		change = copysign(DBL_MAX, change);
	return change;
}

/* Whether every value of both cells is the same: no test can tell them apart. */
static bool all_equal(const struct cmp_cell *a, const struct cmp_cell *b)
{
	double first = a->values[0];
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->values[i] != first)
			return false;
	for (i = 0; i < b->n; i++)
		if (b->values[i] != first)
			return false;
	return true;
}

/*
 * Arm @arm against the first: the change of every row and, where both
 * have two runs or more and their values are not all equal (a filter that
 * ignores which run is whose, so it keeps the test valid), a permutation
 * test. Holm adjusts over the primaries tested; only they can be
 * significant. The rest is exploratory: a raw p, never significant.
 */
static int arm_compare(struct cmp_table *t, size_t arm, const struct cmp_opts *o)
{
	double *p = malloc(t->nr_rows * sizeof(*p)), *adj = malloc(t->nr_rows * sizeof(*adj));
	size_t *rows = malloc(t->nr_rows * sizeof(*rows)), m = 0, i;
	int exact, ret = 0;

	if (!p || !adj || !rows) {
		ret = err_set(ENOMEM, "comparing: out of memory");
		goto out;
	}
	for (i = 0; i < t->nr_rows; i++) {
		struct cmp_cell *base = &t->rows[i].cells[0], *c = &t->rows[i].cells[arm];

		if (base->n && c->n)
			c->change = relative_change(base->median, c->median);
		if (base->n < 2 || c->n < 2 || all_equal(base, c))
			continue;
		ret = stats_perm_test_median(base->values, base->n, c->values, c->n,
					     cell_seed(o, &t->rows[i], arm) + 7919, &c->p_raw, &exact);
		if (ret) {
			ret = err_set(-ret, "permutation test of %s: %s", t->rows[i].m->name,
				      ret == -ENOMEM ? "out of memory" : "a value is not finite");
			goto out;
		}
		if (!t->rows[i].primary)
			continue;
		p[m] = c->p_raw;
		rows[m++] = i;
	}
	t->family[arm] = m;
	if (stats_holm(p, m, adj)) {
		ret = err_set(ENOMEM, "Holm correction: out of memory");
		goto out;
	}
	for (i = 0; i < m; i++) {
		struct cmp_row *r = &t->rows[rows[i]];
		struct cmp_cell *c = &r->cells[arm];

		c->p_holm = adj[i];
		c->significant = c->p_holm < o->alpha && fabs(c->change) > r->floor;
	}
out:
	free(rows);
	free(adj);
	free(p);
	return ret;
}

int cmp_table_compute(struct cmp_table *t, const struct cmp_opts *o)
{
	size_t i, a;
	int ret;

	for (i = 0; i < t->nr_rows; i++) {
		for (a = 0; a < t->nr_arms; a++) {
			ret = cell_describe(&t->rows[i].cells[a], o, cell_seed(o, &t->rows[i], a));
			if (ret)
				return ret;
		}
	}
	for (a = 1; a < t->nr_arms; a++) {
		ret = arm_compare(t, a, o);
		if (ret)
			return ret;
	}
	return 0;
}

double cmp_min_p(const struct cmp_table *t, size_t arm)
{
	size_t na = 0, nb = 0, i, rows = t->nr_primary ? t->nr_primary : t->nr_rows;

	/* the most runs any metric has in each arm */
	for (i = 0; i < rows; i++) {
		if (t->rows[i].cells[0].n > na)
			na = t->rows[i].cells[0].n;
		if (t->rows[i].cells[arm].n > nb)
			nb = t->rows[i].cells[arm].n;
	}
	return stats_perm_min_p(na, nb);
}

/*
 * Would the runs @c, centred on @base's median and moved by @d of it,
 * be starred against @base? 1 yes, 0 no, < 0 an error.
 */
static int mde_starred(const struct cmp_cell *base, const struct cmp_cell *c, double d,
		       double *moved, size_t family, uint64_t seed, double alpha)
{
	double p, to = base->median + d * fabs(base->median);
	int exact, ret;
	size_t j;

	for (j = 0; j < c->n; j++)
		moved[j] = c->values[j] - c->median + to;
	ret = stats_perm_test_median(base->values, base->n, moved, c->n, seed, &p, &exact);
	if (ret)
		return ret;
	return p * (double)family < alpha;
}

/* The least d in (@floor, @limit] (signed by @dir) that stars; NAN if none. */
static int mde_one(const struct cmp_cell *base, const struct cmp_cell *c, double floor,
		   double dir, double limit, double *moved, size_t family, uint64_t seed,
		   double alpha, double *out)
{
	double lo = floor, hi = fmax(floor * 2, 1e-3);
	int ret, i;

	*out = NAN;
	for (;;) {
		ret = mde_starred(base, c, dir * hi, moved, family, seed, alpha);
		if (ret < 0)
			return ret;
		if (ret)
			break;
		if (hi >= limit)
			return 0;
		lo = hi;
		hi = fmin(hi * 2, limit);
	}
	for (i = 0; i < 40 && hi - lo > 1e-4; i++) {
		double mid = (lo + hi) / 2;

		ret = mde_starred(base, c, dir * mid, moved, family, seed, alpha);
		if (ret < 0)
			return ret;
		if (ret)
			hi = mid;
		else
			lo = mid;
	}
	*out = hi;
	return 0;
}

int cmp_table_mde(struct cmp_table *t, const struct cmp_opts *o)
{
	size_t i, a;
	int ret = 0;

	for (a = 1; a < t->nr_arms && !ret; a++) {
		size_t family = cmp_family(t, a);

		for (i = 0; i < t->nr_primary && !ret; i++) {
			const struct cmp_row *r = &t->rows[i];
			struct cmp_cell *base = &r->cells[0], *c = &r->cells[a];
			double up, down, *moved;
			uint64_t seed = cell_seed(o, r, a) + 104729;

			c->mde = NAN;
			if (base->n < 2 || c->n < 2 || !family || base->median == 0 ||
			    stats_perm_min_p(base->n, c->n) * (double)family >= o->alpha)
				continue;
			moved = malloc(c->n * sizeof(*moved));
			if (!moved)
				return err_set(ENOMEM, "smallest detectable change: out of memory");
			ret = mde_one(base, c, r->floor, 1, 100, moved, family, seed, o->alpha, &up);
			if (!ret)
				ret = mde_one(base, c, r->floor, -1, 0.999, moved, family, seed,
					      o->alpha, &down);
			free(moved);
			if (ret)
				return err_set(-ret, "smallest detectable change of %s: %s", r->m->name,
					       ret == -ENOMEM ? "out of memory" : "a value is not finite");
			if (!isnan(up) && !isnan(down))
				c->mde = fmax(up, down);
		}
	}
	return ret;
}

size_t cmp_family(const struct cmp_table *t, size_t arm)
{
	return t->family[arm] ? t->family[arm] : t->nr_primary;
}

/* --- primary metrics --- */

/* An id as an error shows it: on one line, at most 64 bytes. */
static const char *id_shown(char *buf, size_t len, const char *id)
{
	char *p;

	snprintf(buf, len, "%.64s", id);
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return buf;
}

static int list_add(struct metric_list *l, const char *id, const char *what_to_do)
{
	const struct metric *m = metric_find(id), **v;
	char shown[72];
	size_t i;

	if (!m)
		return err_set(EINVAL, "'%s' is not a metric id%s",
			       id_shown(shown, sizeof(shown), id), what_to_do);
	for (i = 0; i < l->n; i++)
		if (l->v[i] == m)
			return err_set(EINVAL, "'%s' named twice", id);
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return err_set(ENOMEM, "out of memory");
	l->v = v;
	v[l->n++] = m;
	return 0;
}

int metric_list_parse(struct metric_list *l, const char *ids)
{
	char id[128];
	const char *p = ids;
	size_t len;
	int ret = 0;

	l->v = NULL;
	l->n = 0;
	while (!ret && *p) {
		len = strcspn(p, ",");
		snprintf(id, sizeof(id), "%.*s", (int)(len < sizeof(id) ? len : sizeof(id) - 1), p);
		ret = len ? list_add(l, id, "") : 0;
		p += len + (p[len] == ',');
	}
	if (!ret && !l->n)
		ret = err_set(EINVAL, "no metric id in '%s'", ids);
	if (ret)
		metric_list_free(l);
	return ret;
}

int metric_list_from_spec(struct metric_list *l, const struct result_file *f)
{
	struct json_object *a = json_path(f->root, "spec.primary"), *o;
	size_t i, n;
	int ret = 0;

	l->v = NULL;
	l->n = 0;
	if (!a)
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return err_set(EINVAL, "%s: spec.primary is not an array of metric ids (give --primary)",
			       f->path);
	n = json_object_array_length(a);
	for (i = 0; i < n && !ret; i++) {
		o = json_object_array_get_idx(a, i);
		ret = json_object_is_type(o, json_type_string) ?
			list_add(l, json_object_get_string(o),
				 " this kvmsqueeze knows (update it, or give --primary)") :
			err_set(EINVAL, "[%zu] is not a metric id", i);
	}
	if (ret) {
		metric_list_free(l);
		err_wrap(ret, "%s: spec.primary", f->path);
	}
	return ret;
}

void metric_list_free(struct metric_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static size_t row_of(const struct cmp_table *t, const struct metric *m)
{
	size_t i;

	for (i = 0; i < t->nr_rows; i++)
		if (t->rows[i].m == m)
			return i;
	return t->nr_rows;
}

int cmp_table_set_primary(struct cmp_table *t, const struct metric_list *primary,
			  const char *from)
{
	struct cmp_row *rows = malloc(t->nr_rows * sizeof(*rows));
	size_t i, k, n = 0;

	if (!rows)
		return err_set(ENOMEM, "primary metrics: out of memory");
	for (i = 0; i < t->nr_rows; i++)
		t->rows[i].primary = false;
	for (k = 0; k < primary->n; k++) {
		i = row_of(t, primary->v[k]);
		if (i == t->nr_rows) {
			free(rows);
			return err_set(EINVAL, "primary metric %s is not in the table",
				       primary->v[k]->name);
		}
		t->rows[i].primary = true;
		rows[n++] = t->rows[i];
	}
	for (i = 0; i < t->nr_rows; i++)
		if (!t->rows[i].primary)
			rows[n++] = t->rows[i];
	memcpy(t->rows, rows, t->nr_rows * sizeof(*rows));
	free(rows);
	t->nr_primary = primary->n;
	t->primary_from = primary->n ? from : NULL;
	return 0;
}

static bool same_metrics(const struct metric_list *a, const struct metric_list *b)
{
	size_t i, j;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n && b->v[j] != a->v[i]; j++)
			;
		if (j == b->n)
			return false;
	}
	return true;
}

int cmp_table_choose_primary(struct cmp_table *t, const struct metric_list *given)
{
	struct metric_list spec = { 0 };
	int ret = 0;

	if (t->sets)
		ret = metric_list_from_spec(&spec, t->sets[0]->files[0]);
	if (!given || !given->n) {
		if (!ret)
			ret = cmp_table_set_primary(t, &spec, "spec.primary");
		metric_list_free(&spec);
		return ret;
	}
	/* --primary: the spec's, broken or not, are replaced */
	ret = cmp_table_set_primary(t, given, "--primary");
	if (!ret && spec.n && !same_metrics(&spec, given)) {
		t->spec_primary = spec.v;
		t->nr_spec_primary = spec.n;
		spec.v = NULL;
	}
	metric_list_free(&spec);
	return ret;
}

/* --- noise floors --- */

static int floor_add(struct noise_floors *nf, const char *experiment, const struct metric *m,
		     double floor, int sets)
{
	struct noise_floor *v = realloc(nf->v, (nf->n + 1) * sizeof(*v));

	if (!v)
		return err_set(ENOMEM, "noise floors: out of memory");
	nf->v = v;
	v[nf->n++] = (struct noise_floor){ experiment, m, floor, sets };
	return 0;
}

/* The floor of one metric over the sets of one experiment, from their medians. */
static int floor_measure(struct noise_floors *nf, const struct result_db *db,
			 const char *experiment, const struct metric *m)
{
	double lo = INFINITY, hi = -INFINITY, spread, med;
	struct cmp_cell c = { 0 };
	int sets = 0, ret = 0;
	bool icount = true;
	size_t s, i;

	for (s = 0; s < db->nr_sets && !ret; s++) {
		if (strcmp(db->sets[s].experiment, experiment))
			continue;
		for (i = 0; i < db->sets[s].nr_files; i++)
			icount &= !strcmp(result_clock(db->sets[s].files[i]), "icount");
		ret = cell_from_set(&c, m, &db->sets[s]);
		if (ret || !c.n)
			continue;
		med = stats_median(c.values, c.n);
		lo = fmin(lo, med);
		hi = fmax(hi, med);
		sets++;
	}
	free(c.values);
	if (ret || sets < 2)
		return ret;
	if (hi == lo)
		spread = 0;
	else if (fmin(fabs(lo), fabs(hi)) == 0 || (lo < 0 && hi > 0))
		spread = INFINITY;
	else
		spread = (hi - lo) / fmin(fabs(lo), fabs(hi));
	return floor_add(nf, experiment, m, fmax(spread, cmp_min_floor(m, icount)), sets);
}

/* A/A sets: one arm, one spec, one MMU mode and accel. */
static int noise_sets_check(const struct result_db *db, const char *experiment)
{
	struct result_set **sets = calloc(db->nr_sets, sizeof(*sets));
	size_t i, n = 0;
	int ret = 0;

	if (!sets)
		return err_set(ENOMEM, "noise floors: out of memory");
	for (i = 0; i < db->nr_sets; i++)
		if (!strcmp(db->sets[i].experiment, experiment))
			sets[n++] = &db->sets[i];
	for (i = 1; i < n && !ret; i++) {
		const char *a = sets[0]->files[0]->arm, *b = sets[i]->files[0]->arm;

		if ((a || b) && (!a || !b || strcmp(a, b)))
			ret = err_set(EINVAL, "A/A sets of different arms: %s in %s, %s in %s",
				      a ? a : "none", sets[0]->dir, b ? b : "none", sets[i]->dir);
	}
	if (!ret)
		ret = results_check_sets(sets, n);
	free(sets);
	/* --force does not make A/A sets that differ measure a floor */
	return ret == -ERR_REFUSED ? -EINVAL : ret;
}

int noise_floors_measure(struct noise_floors *nf, const struct result_db *db)
{
	size_t s, t, i;
	int ret = 0, found = 0;

	nf->v = NULL;
	nf->n = 0;
	for (s = 0; s < db->nr_sets && !ret; s++) {
		/* each experiment once, at its first set */
		for (t = 0; t < s; t++)
			if (!strcmp(db->sets[t].experiment, db->sets[s].experiment))
				break;
		if (t < s)
			continue;
		for (t = s + 1; t < db->nr_sets; t++)
			if (!strcmp(db->sets[t].experiment, db->sets[s].experiment))
				break;
		if (t == db->nr_sets)
			continue;	/* one set: nothing to measure */
		ret = noise_sets_check(db, db->sets[s].experiment);
		if (ret)
			break;
		found++;
		for (i = 0; i < nr_metrics && !ret; i++)
			ret = floor_measure(nf, db, db->sets[s].experiment, &metrics[i]);
	}
	if (!ret && !found)
		ret = err_set(EINVAL, "no experiment with two or more sets of repetitions (give a directory holding two or more result directories of the same experiment and arm)");
	if (ret)
		noise_floors_free(nf);
	return ret;
}

void noise_floors_free(struct noise_floors *nf)
{
	free(nf->v);
	nf->v = NULL;
	nf->n = 0;
}

bool cmp_table_icount(const struct cmp_table *t)
{
	size_t a, i;

	if (!t->sets)
		return false;
	for (a = 0; a < t->nr_arms; a++)
		for (i = 0; i < t->sets[a]->nr_files; i++)
			if (strcmp(result_clock(t->sets[a]->files[i]), "icount"))
				return false;
	return t->nr_arms > 0;
}

double cmp_min_floor(const struct metric *m, bool icount)
{
	return icount && metric_follows_clock(m) ? CMP_ICOUNT_MIN_FLOOR : CMP_MIN_FLOOR;
}

void cmp_table_set_floors(struct cmp_table *t, const struct noise_floors *nf,
			  double default_floor)
{
	bool icount = cmp_table_icount(t);
	size_t i, j;

	for (i = 0; i < t->nr_rows; i++) {
		struct cmp_row *r = &t->rows[i];

		r->floor = default_floor;
		if (default_floor < 0)
			r->floor = icount && metric_follows_clock(r->m) ? CMP_ICOUNT_FLOOR :
									  CMP_DEFAULT_FLOOR;
		r->floor_sets = 0;
		for (j = 0; nf && t->experiment && j < nf->n; j++) {
			if (nf->v[j].m == r->m && !strcmp(nf->v[j].experiment, t->experiment)) {
				r->floor = nf->v[j].floor;
				r->floor_sets = nf->v[j].sets;
			}
		}
	}
}
