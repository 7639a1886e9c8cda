// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/summary.c: a run's summary (experiments/RESULT.md,
 * "summary"): levels and deltas of the series, the guests' latencies
 * (exact means from their cycle sums), the touch phase and what the
 * guests paid for the pressure. The entries, their order and the series
 * each is derived from are the summary table's (common/summary_table.c);
 * the code here computes those the table cannot say how to.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/summary_table.h"
#include "common/util.h"
#include "experiments/run.h"
#include "experiments/summary.h"
#include "experiments/verdict.h"
#include "vmm/hist.h"

/* --- series --- */

/*
 * Does @name match @pattern: fnmatch, plus one "{a,b,c}" group of
 * alternatives (vmstat's pgscan_* also has pgscan_direct_throttle, which
 * counts events, not pages, so the reclaim sums name their keys).
 */
static bool name_match(const char *pattern, const char *name)
{
	const char *open = strchr(pattern, '{'), *close = open ? strchr(open, '}') : NULL;
	char one[SERIES_NAME_LEN];
	const char *alt, *end;

	if (!close)
		return !fnmatch(pattern, name, 0);
	for (alt = open + 1; alt < close; alt = end + 1) {
		end = memchr(alt, ',', (size_t)(close - alt));
		if (!end)
			end = close;
		snprintf(one, sizeof(one), "%.*s%.*s%s", (int)(open - pattern), pattern,
			 (int)(end - alt), alt, close + 1);
		if (!fnmatch(one, name, 0))
			return true;
	}
	return false;
}

/*
 * Sum of every series matching @pattern (name_match): start and final are
 * the sums of their first and last points, peak the largest sum over the
 * points they share (they are sampled together; a VM that ended early
 * has fewer).
 */
struct agg series_agg(const struct series_set *set, const char *pattern)
{
	struct agg a = { 0, 0, -HUGE_VAL, false };
	const struct series *m[SPEC_MAX_VM_PROCS * 2];
	size_t i, j, k, nm = 0, n = SIZE_MAX;

	for (i = 0; i < set->n && nm < ARRAY_SIZE(m); i++) {
		if (!set->s[i].n || !name_match(pattern, set->s[i].name))
			continue;
		m[nm++] = &set->s[i];
		n = set->s[i].n < n ? set->s[i].n : n;
	}
	for (k = 0; k < nm; k++) {
		a.first += m[k]->v[0];
		a.last += m[k]->v[m[k]->n - 1];
		a.found = true;
	}
	for (j = 0; nm && j < n; j++) {
		double sum = 0;

		for (k = 0; k < nm; k++)
			sum += m[k]->v[j];
		a.peak = fmax(a.peak, sum);
	}
	a.peak = fmax(a.peak, a.last);
	return a;
}

/* Cumulative counters: their growth during the run, or null if unsampled. */
static struct json_object *delta_json(const struct series_set *set, const char *pattern,
				      double unit)
{
	struct agg a = series_agg(set, pattern);

	return a.found ? jnum((a.last - a.first) * unit) : NULL;
}

/* A high-water mark the kernel keeps: its last reading, or null. */
static struct json_object *last_json(const struct series_set *set, const char *pattern,
				     double unit)
{
	struct agg a = series_agg(set, pattern);

	return a.found ? jnum(a.last * unit) : NULL;
}

static struct json_object *level_json(const struct series_set *set, const char *pattern,
				      double unit)
{
	struct agg a = series_agg(set, pattern);
	struct json_object *o;

	if (!a.found)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "start", jnum(a.first * unit));
	json_object_object_add(o, "peak", jnum(a.peak * unit));
	json_object_object_add(o, "final", jnum(a.last * unit));
	return o;
}

/* --- the VMs' own results --- */

/* VM @i's result, or NULL (running, or it ended without one). */
static struct json_object *vm_result(struct json_object *vms, size_t i)
{
	struct json_object *res;

	if (!json_object_object_get_ex(json_object_array_get_idx(vms, i), "result", &res))
		return NULL;
	return res;
}

static uint64_t json_u64_at(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_uint64(v);
}

/*
 * Histograms merged over vCPUs and VMs. The mean is exact only when
 * every histogram brought its cycle sum (results before there was one
 * did not): each VM's cycles to ns with its own TSC kHz, over the count.
 */
struct lat_merge {
	struct kvmsq_hist h;
	uint64_t khz;		/* for the quantiles: every VM runs on one TSC */
	uint64_t sum_cycles;
	double sum_ns;
	bool exact;
};

static void lat_add(struct lat_merge *m, struct json_object *lat, uint64_t khz)
{
	struct json_object *b, *sum, *mx;
	uint64_t count = 0;
	size_t k;

	if (!json_object_object_get_ex(lat, "buckets", &b))
		return;
	for (k = 0; k < json_object_array_length(b); k++) {
		struct json_object *row = json_object_array_get_idx(b, k);
		uint64_t lower = json_object_get_uint64(json_object_array_get_idx(row, 0));
		uint64_t n = json_object_get_uint64(json_object_array_get_idx(row, 2));

		m->h.buckets[kvmsq_hist_index(lower)] += n;
		count += n;
		m->h.min = lower < m->h.min ? lower : m->h.min;
	}
	m->h.count += count;
	if (khz && json_object_object_get_ex(lat, "max", &mx)) {
		uint64_t max = (uint64_t)(json_object_get_double(mx) * (double)khz / 1e6);

		m->h.max = max > m->h.max ? max : m->h.max;
	}
	if (!count)
		return;
	if (!khz || !json_object_object_get_ex(lat, "sum_cycles", &sum) ||
	    !json_object_is_type(sum, json_type_int) ||
	    __builtin_add_overflow(m->sum_cycles, json_object_get_uint64(sum), &m->sum_cycles)) {
		m->exact = false;
		return;
	}
	m->sum_ns += cycles_to_ns(json_object_get_uint64(sum), khz);
}

static struct json_object *lat_json(const struct lat_merge *m)
{
	const struct kvmsq_hist *h = &m->h;
	struct json_object *o = json_object_new_object();
	uint64_t khz = m->khz;

	json_object_object_add(o, "count", json_object_new_int64((int64_t)h->count));
	json_object_object_add(o, "mean", m->exact ? jnum(m->sum_ns / (double)h->count) : NULL);
	json_object_object_add(o, "sum_cycles", m->exact ?
			       json_object_new_uint64(m->sum_cycles) : NULL);
	json_object_object_add(o, "p50", jnum(cycles_to_ns(hist_quantile(h, 0.5), khz)));
	json_object_object_add(o, "p90", jnum(cycles_to_ns(hist_quantile(h, 0.9), khz)));
	json_object_object_add(o, "p99", jnum(cycles_to_ns(hist_quantile(h, 0.99), khz)));
	json_object_object_add(o, "p999", jnum(cycles_to_ns(hist_quantile(h, 0.999), khz)));
	json_object_object_add(o, "max", jnum(cycles_to_ns(h->max, khz)));
	return o;
}

struct json_object *summary_latency_json(struct json_object *vms, const char *key)
{
	struct lat_merge *m = calloc(1, sizeof(*m));
	struct json_object *o = NULL;
	size_t i, j;

	if (!m)
		return NULL;
	kvmsq_hist_init(&m->h);
	m->exact = true;
	for (i = 0; i < json_object_array_length(vms); i++) {
		struct json_object *res = vm_result(vms, i), *vcpus, *lat;
		uint64_t khz;

		if (!res || !json_object_object_get_ex(res, "vcpus", &vcpus))
			continue;
		khz = json_u64_at(res, "tsc_khz");
		if (khz)
			m->khz = khz;
		for (j = 0; j < json_object_array_length(vcpus); j++)
			if (json_object_object_get_ex(json_object_array_get_idx(vcpus, j), key, &lat))
				lat_add(m, lat, khz);
	}
	if (m->h.count && m->khz)
		o = lat_json(m);
	free(m);
	return o;
}

/*
 * One VM's phase "touch" on its guests' TSC: the first BEGIN to the last
 * END over its vCPUs, in ns; < 0 without both edges.
 */
static double vm_touch_guest_ns(struct json_object *res)
{
	uint64_t first = UINT64_MAX, last = 0, khz = json_u64_at(res, "tsc_khz");
	struct json_object *vcpus, *phases, *ph, *name, *edge;
	bool begun = false, ended = false;
	size_t j, k;

	if (!khz || !json_object_object_get_ex(res, "vcpus", &vcpus))
		return -1;
	for (j = 0; j < json_object_array_length(vcpus); j++) {
		if (!json_object_object_get_ex(json_object_array_get_idx(vcpus, j), "phases", &phases))
			continue;
		for (k = 0; k < json_object_array_length(phases); k++) {
			uint64_t tsc;

			ph = json_object_array_get_idx(phases, k);
			if (!json_object_object_get_ex(ph, "name", &name) ||
			    strcmp(json_object_get_string(name), "touch") ||
			    !json_object_object_get_ex(ph, "edge", &edge))
				continue;
			tsc = json_u64_at(ph, "tsc");
			if (!strcmp(json_object_get_string(edge), "begin")) {
				first = tsc < first ? tsc : first;
				begun = true;
			} else {
				last = tsc > last ? tsc : last;
				ended = true;
			}
		}
	}
	if (!begun || !ended || last <= first)
		return -1;
	return cycles_to_ns(last - first, khz);
}

double summary_touch_guest_ns(struct json_object *vms)
{
	double ns = -1;
	size_t i;

	for (i = 0; i < json_object_array_length(vms); i++) {
		struct json_object *res = vm_result(vms, i);

		if (res)
			ns = fmax(ns, vm_touch_guest_ns(res));
	}
	return ns;
}

/*
 * Pages touched in all, over the wall time from the first touch to the
 * last; and the same phase in guest time.
 */
static struct json_object *touch_json(const struct run *r, struct json_object *vms)
{
	double first = HUGE_VAL, last = -HUGE_VAL, pages = 0, guest_ns;
	struct json_object *o;
	size_t i, j;
	int v;

	for (v = 0; v < r->nr_vms; v++) {
		for (j = 0; j < (size_t)r->vms[v].nr_phases; j++) {
			const struct vmproc_phase *ph = &r->vms[v].phases[j];
			double t = run_seconds(r, ph->host_ns);

			if (strcmp(ph->name, "touch"))
				continue;
			if (ph->edge == KVMSQ_PHASE_BEGIN)
				first = fmin(first, t);
			else
				last = fmax(last, t);
		}
	}
	for (i = 0; i < json_object_array_length(vms); i++) {
		struct json_object *res = vm_result(vms, i), *vcpus;

		if (!res || !json_object_object_get_ex(res, "vcpus", &vcpus))
			continue;
		for (j = 0; j < json_object_array_length(vcpus); j++)
			pages += (double)json_u64_at(json_object_array_get_idx(vcpus, j),
						     "pages_touched");
	}
	if (!(last > first) || !pages)
		return NULL;
	guest_ns = summary_touch_guest_ns(vms);
	o = json_object_new_object();
	json_object_object_add(o, "pages", jnum(pages));
	json_object_object_add(o, "seconds", jnum(last - first));
	json_object_object_add(o, "pages_per_s", jnum(pages / (last - first)));
	json_object_object_add(o, "guest_ns", guest_ns >= 0 ? jnum(guest_ns) : NULL);
	return o;
}

/* --- pressure --- */

/* When the first event of @type fired at or after @after_s, s; < 0: none. */
static double event_time(struct json_object *events, const char *type, double after_s)
{
	struct json_object *e, *t, *ty;
	size_t i;

	for (i = 0; i < json_object_array_length(events); i++) {
		e = json_object_array_get_idx(events, i);
		if (json_object_object_get_ex(e, "type", &ty) &&
		    !strcmp(json_object_get_string(ty), type) &&
		    json_object_object_get_ex(e, "t_s", &t) &&
		    json_object_get_double(t) >= after_s)
			return json_object_get_double(t);
	}
	return -1;
}

/* A series time as the result file writes it: whole milliseconds. */
static double series_t_s(const struct series *s, size_t j)
{
	return (double)((s->t_ns[j] + 500000) / 1000000) / 1e3;
}

static double series_at(const struct series *s, size_t j, double t)
{
	double t0 = series_t_s(s, j), t1 = series_t_s(s, j + 1);

	return s->v[j] + (s->v[j + 1] - s->v[j]) * (t - t0) / (t1 - t0);
}

double series_time_mean(const struct series *s, double from_s, double to_s)
{
	double a, b, lo, hi, area = 0;
	size_t j;

	if (!s || s->n < 2)
		return NAN;
	a = fmax(from_s, series_t_s(s, 0));
	b = fmin(to_s, series_t_s(s, s->n - 1));
	if (!(b > a))
		return NAN;
	for (j = 0; j + 1 < s->n; j++) {
		lo = fmax(a, series_t_s(s, j));
		hi = fmin(b, series_t_s(s, j + 1));
		if (hi <= lo)
			continue;
		area += (series_at(s, j, lo) + series_at(s, j, hi)) / 2 * (hi - lo);
	}
	return area / (b - a);
}

static struct json_object *mean_json(const struct series_set *set, const char *name,
				     double unit, double from_s, double to_s)
{
	const struct series *found = NULL;
	double mean;
	size_t i;

	for (i = 0; i < set->n && !found; i++)
		if (!strcmp(set->s[i].name, name))
			found = &set->s[i];
	mean = series_time_mean(found, from_s, to_s);

	return isfinite(mean) ? jnum(mean * unit) : NULL;
}

/*
 * Guest page faults the host fixed after the first pressure action fired,
 * summed over the VMs: what the guests paid for it (a zap of the pages
 * they use shows here). Null when no pressure action fired.
 */
static struct json_object *faults_after_pressure(const struct run *r, const char *pattern)
{
	struct json_object *e, *t, *type;
	double t0 = -1, sum = 0;
	bool found = false;
	size_t i, j;

	for (i = 0; t0 < 0 && i < json_object_array_length(r->events); i++) {
		e = json_object_array_get_idx(r->events, i);
		if (json_object_object_get_ex(e, "type", &type) &&
		    !strcmp(json_object_get_string(type), "pressure") &&
		    json_object_object_get_ex(e, "t_s", &t))
			t0 = json_object_get_double(t);
	}
	if (t0 < 0)
		return NULL;
	for (i = 0; i < r->series.n; i++) {
		const struct series *s = &r->series.s[i];
		double before = 0;	/* a VM started after it: all its faults */

		if (fnmatch(pattern, s->name, 0) || !s->n)
			continue;
		for (j = 0; j < s->n && (double)s->t_ns[j] / 1e9 <= t0; j++)
			before = s->v[j];
		sum += s->v[s->n - 1] - before;
		found = true;
	}
	return found ? jnum(sum) : NULL;
}

/*
 * Every counter the guests reported (vms[].result.vcpus[].counters),
 * summed over vCPUs and VMs: what the guests got done.
 */
static struct json_object *guest_counters_json(struct json_object *vms)
{
	struct json_object *o = json_object_new_object(), *vcpus, *counters, *have;
	size_t i, j;

	for (i = 0; i < json_object_array_length(vms); i++) {
		struct json_object *res = vm_result(vms, i);

		if (!res || !json_object_object_get_ex(res, "vcpus", &vcpus))
			continue;
		for (j = 0; j < json_object_array_length(vcpus); j++) {
			if (!json_object_object_get_ex(json_object_array_get_idx(vcpus, j),
						       "counters", &counters) ||
			    !json_object_is_type(counters, json_type_object))
				continue;
			json_object_object_foreach(counters, name, v) {
				uint64_t sum = json_object_get_uint64(v);

				if (json_object_object_get_ex(o, name, &have))
					sum += json_object_get_uint64(have);
				json_object_object_add(o, name, json_object_new_uint64(sum));
			}
		}
	}
	return o;
}

static int count_events(const struct run *r, const char *type)
{
	size_t i;
	int n = 0;

	for (i = 0; i < json_object_array_length(r->events); i++) {
		struct json_object *t;

		if (json_object_object_get_ex(json_object_array_get_idx(r->events, i), "type", &t) &&
		    !strcmp(json_object_get_string(t), type))
			n++;
	}
	return n;
}

/* --- the whole, entry by entry of the summary table --- */

struct summary_ctx {
	const struct run *r;		/* NULL: only levels under pressure */
	struct json_object *vms;
	const struct series_set *set;
	struct json_object *events;
	int cg_version;
	double now_s;
	double from_s, to_s;		/* the window of SUMMARY_MEAN */
};

static void add_entries(struct summary_ctx *c, const struct summary_entry *parent,
			struct json_object *o);

static int run_vcpus(const struct run *r)
{
	int vcpus = 0, i;

	for (i = 0; i < r->nr_vms; i++)
		vcpus += r->vms[i].nr_vcpus;
	return vcpus;
}

static struct json_object *idle_cache_per_vcpu_json(struct summary_ctx *c,
						    const struct summary_entry *e)
{
	struct agg cache = series_agg(c->set, e->series);
	int vcpus = run_vcpus(c->r);

	return cache.found && vcpus ? jnum(cache.last / vcpus) : NULL;
}

/* Null exactly when the per-vCPU value is. */
static struct json_object *idle_cache_total_json(struct summary_ctx *c,
						 const struct summary_entry *e)
{
	struct agg cache = series_agg(c->set, e->series);

	return cache.found && run_vcpus(c->r) ? jnum(cache.last) : NULL;
}

/* The vCPUs' histograms have the summary's key. */
static struct json_object *latency_json(struct summary_ctx *c, const struct summary_entry *e)
{
	return summary_latency_json(c->vms, e->key);
}

static struct json_object *touch_entry_json(struct summary_ctx *c,
					    const struct summary_entry *e)
{
	(void)e;
	return touch_json(c->r, c->vms);
}

/* The window, then the levels over it (SUMMARY_MEAN entries). */
static struct json_object *under_pressure_json(struct summary_ctx *c,
					       const struct summary_entry *e)
{
	double from = event_time(c->events, "pressure", 0), to;
	struct json_object *o;

	if (from < 0)
		return NULL;
	to = event_time(c->events, "pressure_end", from);
	if (to < 0)
		to = event_time(c->events, "end", from);
	if (to < 0)
		to = c->now_s;	/* a partial file: so far */
	c->from_s = from;
	c->to_s = to;
	o = json_object_new_object();
	json_object_object_add(o, "from_s", jnum(from));
	json_object_object_add(o, "to_s", jnum(to));
	add_entries(c, e, o);
	return o;
}

static struct json_object *faults_after_pressure_json(struct summary_ctx *c,
						      const struct summary_entry *e)
{
	return faults_after_pressure(c->r, e->series);
}

static struct json_object *guest_counters_entry_json(struct summary_ctx *c,
						     const struct summary_entry *e)
{
	(void)e;
	return guest_counters_json(c->vms);
}

static struct json_object *oom_killed_json(struct summary_ctx *c, const struct summary_entry *e)
{
	(void)e;
	return json_object_new_int(count_events(c->r, "oom_kill"));
}

static struct json_object *run_s_json(struct summary_ctx *c, const struct summary_entry *e)
{
	(void)e;
	return jnum(run_seconds(c->r, c->r->end_ns ? c->r->end_ns : now_ns()));
}

/*
 * Each program's values parsed from its log: summary.selftest.<key>, null
 * for a program the run did not run; the whole entry null without one.
 */
static struct json_object *selftest_entry_json(struct summary_ctx *c,
					       const struct summary_entry *e)
{
	struct json_object *o, *per[NR_SELFTEST_PROGS] = { NULL };
	struct selftest_out *out;
	int i;

	(void)e;
	if (!c->r->nr_selftests)
		return NULL;
	out = malloc(sizeof(*out));
	for (i = 0; out && i < c->r->nr_selftests; i++) {
		const struct selftest_proc *p = &c->r->selftests[i];

		selftest_out_init(out, p->st->prog);
		if (!selftest_out_file(out, p->log_path))
			per[p->st->prog] = selftest_out_summary(out);
	}
	free(out);
	o = json_object_new_object();
	for (i = 0; i < NR_SELFTEST_PROGS; i++)
		json_object_object_add(o, selftest_progs[i].key, per[i]);
	return o;
}

static struct json_object *pressure_applied_json(struct summary_ctx *c,
						 const struct summary_entry *e)
{
	int applied = run_pressure_applied(c->r, NULL);

	(void)e;
	return applied < 0 ? NULL : json_object_new_boolean(applied);
}

/*
 * The entries the table marks computed, or open, that their own code
 * writes; those under them (touch.pages, ...) that code writes too.
 */
static const struct summary_computed {
	const char *key;
	struct json_object *(*fn)(struct summary_ctx *c, const struct summary_entry *e);
} summary_computed[] = {
	{ "idle_cache_pages_per_vcpu", idle_cache_per_vcpu_json },
	{ "idle_cache_pages_total", idle_cache_total_json },
	{ "fault_latency_ns", latency_json },
	{ "access_latency_ns", latency_json },
	{ "touch", touch_entry_json },
	{ "under_pressure", under_pressure_json },
	{ "faults_after_pressure", faults_after_pressure_json },
	{ "guest_counters", guest_counters_entry_json },
	{ "oom_killed_vms", oom_killed_json },
	{ "run_s", run_s_json },
	{ "pressure_applied", pressure_applied_json },
	{ "selftest", selftest_entry_json },
};

static const struct summary_computed *computed_find(const struct summary_entry *e)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(summary_computed); i++)
		if (!strcmp(summary_computed[i].key, e->key))
			return &summary_computed[i];
	return NULL;
}

const char *summary_computed_unknown(void)
{
	const struct summary_entry *e;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(summary_computed); i++) {
		e = summary_entry_find(summary_computed[i].key);
		if (!e || (e->how != SUMMARY_COMPUTED && e->how != SUMMARY_OPEN))
			return summary_computed[i].key;
	}
	return NULL;
}

static struct json_object *entry_json(struct summary_ctx *c, const struct summary_entry *e)
{
	const char *series = summary_series(e, c->cg_version);
	struct json_object *o;

	switch (e->how) {
	case SUMMARY_GROUP:
		o = json_object_new_object();
		add_entries(c, e, o);
		return o;
	case SUMMARY_LEVEL:
		return level_json(c->set, series, e->scale);
	case SUMMARY_DELTA:
		return delta_json(c->set, series, e->scale);
	case SUMMARY_LAST:
		return last_json(c->set, series, e->scale);
	case SUMMARY_MEAN:
		return mean_json(c->set, series, e->scale, c->from_s, c->to_s);
	case SUMMARY_COMPUTED:
	case SUMMARY_OPEN:
		break;
	}
	return computed_find(e)->fn(c, e);
}

/*
 * The entries directly under @parent (NULL: the top), in the table's
 * order, into @o; but not those the code of a computed entry writes.
 */
static void add_entries(struct summary_ctx *c, const struct summary_entry *parent,
			struct json_object *o)
{
	const struct summary_entry *e;
	size_t i;

	for (i = 0; i < nr_summary_entries; i++) {
		e = &summary_entries[i];
		if (!summary_entry_under(e, parent) ||
		    ((e->how == SUMMARY_COMPUTED || e->how == SUMMARY_OPEN) && !computed_find(e)))
			continue;
		json_object_object_add(o, summary_entry_name(e), entry_json(c, e));
	}
}

struct json_object *summary_under_pressure_json(const struct series_set *set,
						struct json_object *events,
						enum cg_version version, double now_s)
{
	struct summary_ctx c = {
		.set = set, .events = events, .cg_version = version, .now_s = now_s,
	};
	const struct summary_entry *e = summary_entry_find("under_pressure");

	return e ? under_pressure_json(&c, e) : NULL;
}

struct json_object *summary_json(const struct run *r, struct json_object *vms)
{
	struct summary_ctx c = {
		.r = r, .vms = vms, .set = &r->series, .events = r->events,
		.cg_version = r->cg_host.version,
		.now_s = run_seconds(r, r->end_ns ? r->end_ns : now_ns()),
	};
	struct json_object *o = json_object_new_object();

	add_entries(&c, NULL, o);
	return o;
}
