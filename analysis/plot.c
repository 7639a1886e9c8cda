// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/plot.c: gnuplot data files and scripts for a table's arms, run
 * to PNG and SVG (800x500): memory over time, latency CDFs, reclaim and
 * shrinker activity. A developer can edit the .gp next to each image and
 * rerun it (gnuplot NAME.gp in that directory). Names from results reach
 * the scripts only as single-quoted strings and comments of safe
 * characters (result_char_safe()), and gnuplot runs unable to start any
 * program.
 */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "analysis/plot.h"
#include "common/err.h"
#include "common/summary_table.h"
#include "common/util.h"

#define PLOT_SIZE	"800,500"

/*
 * What the plots show, by its summary entry (common/summary_table.c):
 * the timeline plots an entry's series, the CDFs the vCPU histograms a
 * latency entry merges (they have its key).
 */
#define PLOT_SEC_PAGETABLES	"page_tables.sec_pagetables_bytes"
#define PLOT_FAULT_LATENCY	"fault_latency_ns"
#define PLOT_ACCESS_LATENCY	"access_latency_ns"

/* Okabe-Ito: told apart with most colour blindness. */
static const char *const arm_colors[] = {
	"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442",
};

static const char *arm_color(size_t arm)
{
	return arm_colors[arm % ARRAY_SIZE(arm_colors)];
}

/*
 * A gnuplot single-quoted string of safe characters, every other shown as
 * '?'. In single quotes gnuplot expands no backquote and no escape, but a
 * newline would end the string and the command; with the safe characters
 * there is neither a quote nor a newline. Returns how many were replaced.
 */
static size_t gp_str(FILE *gp, const char *s)
{
	size_t replaced = 0;

	fputc('\'', gp);
	for (s = s ? s : "-"; *s; s++) {
		if (result_char_safe((unsigned char)*s)) {
			fputc(*s, gp);
		} else {
			fputc('?', gp);
			replaced++;
		}
	}
	fputc('\'', gp);
	return replaced;
}

/*
 * Text in a comment of a script or a data file: the same characters (a
 * newline would end the comment, a trailing backslash continue it).
 */
static void gp_comment(FILE *f, const char *s)
{
	for (s = s ? s : "-"; *s; s++)
		fputc(result_char_safe((unsigned char)*s) ? *s : '?', f);
}

/* An arm's title: its label, and which characters of it were replaced. */
static void gp_arm_title(FILE *gp, const struct cmp_table *t, size_t arm, const char *suffix)
{
	size_t replaced = gp_str(gp, t->labels[arm]);

	if (t->sets && t->sets[arm]->label_note[0]) {
		fputs(" . ' (", gp);
		gp_comment(gp, t->sets[arm]->label_note);	/* safe, but not trusted */
		fputs(")'", gp);
	} else if (replaced) {
		fprintf(gp, " . ' (%zu character%s shown as ?)'", replaced, replaced == 1 ? "" : "s");
	}
	if (suffix)
		fprintf(gp, " . ' %s'", suffix);
}

/* A number for a data file: NaN when not finite, powers of ten when huge. */
static void dat_num(FILE *dat, double v, int decimals)
{
	if (!isfinite(v))
		fputs("NaN", dat);
	else if (fabs(v) >= 1e15)
		fprintf(dat, "%.9e", v);
	else
		fprintf(dat, "%.*f", decimals, v);
}

#define STEM_BASE_MAX	64

/*
 * The start of a table's file names, from its experiment: letters, digits,
 * '-', '_' and '.', not starting with '.', at most STEM_BASE_MAX bytes.
 */
static void stem_base(char *buf, size_t len, const char *experiment)
{
	size_t i;

	snprintf(buf, len, "%.*s", STEM_BASE_MAX, experiment && *experiment ? experiment : "results");
	for (i = 0; buf[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", buf[i]))
			buf[i] = '_';
	if (buf[0] == '.')
		buf[0] = '_';
}

static void file_stem(char *buf, size_t len, const char *base, const char *what)
{
	snprintf(buf, len, "%s-%s", base, what);
}

/* DIR/STEM.EXT into @path: -ENAMETOOLONG rather than a path cut short. */
static int plot_path(char *path, size_t len, const char *dir, const char *stem, const char *ext)
{
	if ((size_t)snprintf(path, len, "%s/%s.%s", dir, stem, ext) >= len)
		return err_set(ENAMETOOLONG, "plots: %s/%s.%s: path too long", dir, stem, ext);
	return 0;
}

static int plot_fopen(const char *dir, const char *stem, const char *ext, FILE **f)
{
	char path[PATH_MAX];
	int ret = plot_path(path, sizeof(path), dir, stem, ext);

	*f = NULL;
	if (ret)
		return ret;
	*f = fopen(path, "w");
	return *f ? 0 : err_sys(errno, "writing %s", path);
}

static int plot_fclose(FILE *f, const char *dir, const char *stem, const char *ext)
{
	int bad = ferror(f);

	if (fclose(f) || bad)
		return err_sys(errno ? errno : EIO, "writing %s/%s.%s", dir, stem, ext);
	return 0;
}

/* The script's frame: one pass per output format, same plot (@stem is safe). */
static void gp_begin(FILE *gp, const char *stem)
{
	fprintf(gp, "# %s.gp: written by kvmsqueeze; edit and rerun here: gnuplot %s.gp\n",
		stem, stem);
	fprintf(gp, "do for [fmt = 1:2] {\n");
	fprintf(gp, "if (fmt == 1) {\n"
		"\tset terminal pngcairo size %s font 'sans,10' noenhanced background rgb 'white'\n"
		"\tset output '%s.png'\n"
		"} else {\n"
		"\tset terminal svg size %s font 'sans,10' noenhanced background rgb 'white'\n"
		"\tset output '%s.svg'\n"
		"}\n"
		"reset\n", PLOT_SIZE, stem, PLOT_SIZE, stem);
}

static void gp_end(FILE *gp)
{
	fprintf(gp, "unset output\n}\n");
}

/* --- runs and their series --- */

static struct json_object *series_get(const struct result_file *f, const char *name,
				      struct json_object **v)
{
	struct json_object *series = json_path(f->root, "series"), *s, *t = NULL;

	*v = NULL;
	if (series && json_object_object_get_ex(series, name, &s) && s &&
	    json_object_object_get_ex(s, "t_s", &t) && json_object_object_get_ex(s, "v", v) &&
	    json_object_is_type(t, json_type_array) && json_object_is_type(*v, json_type_array))
		return t;
	*v = NULL;
	return NULL;
}

/*
 * Write one series as a data block ("t value" lines), its last value held
 * to @hold_to_s when that is later (NAN: not); false if it has no point.
 */
static bool block_series(FILE *dat, const struct result_file *f, const char *name,
			 double factor, const char *comment, double hold_to_s)
{
	struct json_object *v, *t = series_get(f, name, &v);
	double y = NAN, t_s = 0;
	size_t i, n;

	if (!t)
		return false;
	n = json_object_array_length(t);
	if (n > json_object_array_length(v))
		n = json_object_array_length(v);
	if (!n)
		return false;
	fputs("# ", dat);
	gp_comment(dat, comment);
	fputs(", ", dat);
	gp_comment(dat, f->path);
	fprintf(dat, ": t_s, %s\n", name);
	for (i = 0; i < n; i++) {
		y = json_object_get_double(json_object_array_get_idx(v, i));
		y = y < 0 ? NAN : y * factor;	/* -1: no limit */
		t_s = json_object_get_double(json_object_array_get_idx(t, i));
		dat_num(dat, t_s, 3);
		fputc(' ', dat);
		dat_num(dat, y, 6);
		fputc('\n', dat);
	}
	if (hold_to_s > t_s) {
		dat_num(dat, hold_to_s, 3);
		fputc(' ', dat);
		dat_num(dat, y, 6);
		fputc('\n', dat);
	}
	fprintf(dat, "\n\n");
	return true;
}

static int cmp_value_index(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/*
 * The run to draw for an arm: the median run by peak cgroup kernel
 * memory (the lower of the middle two), or the first run without it.
 */
static const struct result_file *median_run(const struct result_set *s)
{
	const struct metric *m = metric_find("memcg_kernel_peak_bytes");
	double (*pairs)[2] = calloc(s->nr_files, sizeof(*pairs));
	const struct result_file *f = s->files[0];
	size_t i, n = 0;

	if (!pairs)
		return f;
	for (i = 0; i < s->nr_files; i++) {
		if (metric_value(m, s->files[i]->root, &pairs[n][0]))
			continue;
		pairs[n++][1] = (double)i;
	}
	if (n) {
		qsort(pairs, n, sizeof(*pairs), cmp_value_index);
		f = s->files[(size_t)pairs[(n - 1) / 2][1]];
	}
	free(pairs);
	return f;
}

/* The largest value of a series, in bytes after @factor. */
static double series_max(const struct result_file *f, const char *name, double factor)
{
	struct json_object *v;
	double most = 0, y;
	size_t i;

	if (!series_get(f, name, &v))
		return 0;
	for (i = 0; i < json_object_array_length(v); i++) {
		y = json_object_get_double(json_object_array_get_idx(v, i)) * factor;
		if (y > most && isfinite(y))
			most = y;
	}
	return most;
}

/* --- (a) memory over time --- */

struct phase_span {
	char name[32];
	double begin, end;
};

/* Each phase name's span: its first begin to its last end, over every vCPU. */
static size_t phase_spans(const struct result_file *f, struct phase_span *spans, size_t max)
{
	struct json_object *phases = json_path(f->root, "phases");
	size_t i, j, n = 0, len = result_array_len(phases);
	char key[sizeof(spans->name)];

	for (i = 0; i < len; i++) {
		struct json_object *p = json_object_array_get_idx(phases, i);
		const char *name = json_object_get_string(json_path(p, "name"));
		const char *edge = json_object_get_string(json_path(p, "edge"));
		double t = json_object_get_double(json_path(p, "t_s"));

		if (!name || !edge || !isfinite(t))
			continue;
		/* as long as a span's name may be, so that a long one is found again */
		snprintf(key, sizeof(key), "%s", name);
		for (j = 0; j < n; j++)
			if (!strcmp(spans[j].name, key))
				break;
		if (j == n) {
			if (n == max)
				continue;
			snprintf(spans[n].name, sizeof(spans[n].name), "%s", key);
			spans[n].begin = INFINITY;
			spans[n].end = -INFINITY;
			n++;
		}
		if (!strcmp(edge, "begin"))
			spans[j].begin = fmin(spans[j].begin, t);
		else
			spans[j].end = fmax(spans[j].end, t);
	}
	return n;
}

/* A result of cgroup v2 has its kernel memory series. */
static const char *kernel_series(const struct result_file *f)
{
	struct json_object *v;

	return memcg_kernel_series(series_get(f, memcg_kernel_series(2), &v) ? 2 : 1);
}

/* The series of the host's secondary page tables, and its scale to bytes. */
static const struct summary_entry *sec_pagetables(void)
{
	return summary_entry_find(PLOT_SEC_PAGETABLES);
}

static int plot_timeline(const char *dir, const struct cmp_table *t, const char *base,
			 char *stem, size_t len)
{
	const struct result_file **runs = calloc(t->nr_arms, sizeof(*runs));
	struct phase_span spans[16];
	int *sec_block = calloc(t->nr_arms, sizeof(int)), *kern_block = calloc(t->nr_arms, sizeof(int));
	int block = 0, limit_block = -1, ret, clauses = 0;
	double most = 0, divisor, end_s;
	const char *unit;
	size_t a, i, nr_spans;
	FILE *dat, *gp;

	file_stem(stem, len, base, "timeline");
	if (!runs || !sec_block || !kern_block) {
		ret = err_set(ENOMEM, "plots: out of memory");
		goto out;
	}
	for (a = 0; a < t->nr_arms; a++) {
		runs[a] = median_run(t->sets[a]);
		most = fmax(most, series_max(runs[a], sec_pagetables()->series,
					     sec_pagetables()->scale));
		most = fmax(most, series_max(runs[a], kernel_series(runs[a]), 1));
	}
	unit_scale(UNIT_BYTES, most, &unit, &divisor);
	ret = plot_fopen(dir, stem, "dat", &dat);
	if (ret)
		goto out;
	fputs("# ", dat);
	gp_comment(dat, t->experiment);
	fprintf(dat, ": memory over time, %s; two blank lines separate blocks (gnuplot index)\n",
		unit);
	for (a = 0; a < t->nr_arms; a++) {
		sec_block[a] = block_series(dat, runs[a], sec_pagetables()->series,
					    sec_pagetables()->scale / divisor, t->labels[a], NAN) ?
			       block++ : -1;
		kern_block[a] = block_series(dat, runs[a], kernel_series(runs[a]), 1 / divisor,
					     t->labels[a], NAN) ? block++ : -1;
	}
	/* the limit holds from its last write to the end of the run */
	end_s = json_object_get_double(json_path(runs[0]->root, "run.run_s"));
	if (!isfinite(end_s))
		end_s = NAN;
	if (block_series(dat, runs[0], "cgroup.limit_bytes", 1 / divisor, t->labels[0], end_s))
		limit_block = block++;
	ret = plot_fclose(dat, dir, stem, "dat");
	if (ret)
		goto out;

	ret = plot_fopen(dir, stem, "gp", &gp);
	if (ret)
		goto out;
	gp_begin(gp, stem);
	fprintf(gp, "set title ");
	gp_str(gp, t->experiment);
	fprintf(gp, " . ': page-table and cgroup kernel memory%s' . \"\\n\" . 'the median run of each arm by peak kernel memory'\n",
		limit_block < 0 ? " (no cgroup limit)" : "");
	fprintf(gp, "set xlabel 'time since the start of the run (s)'\n");
	fprintf(gp, "set ylabel 'memory (%s)'\nset ytics nomirror\nset grid\n", unit);
	fprintf(gp, "set key below\nset yrange [0:*]\nset offsets 0, 0, graph 0.1, 0\n");
	if (limit_block >= 0)
		fprintf(gp, "set y2label 'cgroup limit (%s)'\nset y2tics\nset y2range [0:*]\n", unit);
	nr_spans = phase_spans(runs[0], spans, ARRAY_SIZE(spans));
	for (i = 0; i < nr_spans; i++) {
		if (!isfinite(spans[i].begin) || !isfinite(spans[i].end))
			continue;
		fprintf(gp, "set object %zu rect from first %.3f, graph 0 to first %.3f, graph 1 behind fc rgb '%s' fs solid 1.0 noborder\n",
			i + 1, spans[i].begin, spans[i].end, i % 2 ? "#e4e4e4" : "#f0f0f0");
		fprintf(gp, "set label %zu ", i + 1);
		gp_str(gp, spans[i].name);
		/* staggered, so phases close together keep readable names */
		fprintf(gp, " at first %.3f, graph %.2f left front offset 0.3,0 tc rgb '#555555'\n",
			spans[i].begin, 0.97 - 0.05 * (double)(i % 3));
	}
	fputs("# shaded: the guests' phases in the run of ", gp);
	gp_comment(gp, t->labels[0]);
	fputs(" (first begin to last end)\n", gp);
	/* nothing to draw: gnuplot cannot autoscale an empty plot */
	if (!block)
		fprintf(gp, "set xrange [0:1]\nset yrange [0:1]\n");
	fprintf(gp, "plot \\\n");
	for (a = 0; a < t->nr_arms; a++) {
		if (sec_block[a] >= 0) {
			fprintf(gp, "%s'%s.dat' index %d using 1:2 with lines lw 2 lc rgb '%s' dt 1 title ",
				clauses++ ? ", \\\n" : "", stem, sec_block[a], arm_color(a));
			gp_arm_title(gp, t, a, "SecPageTables");
		}
		if (kern_block[a] >= 0) {
			fprintf(gp, "%s'%s.dat' index %d using 1:2 with lines lw 2 lc rgb '%s' dt 2 title ",
				clauses++ ? ", \\\n" : "", stem, kern_block[a], arm_color(a));
			gp_arm_title(gp, t, a, "cgroup kernel memory");
		}
	}
	if (limit_block >= 0)
		fprintf(gp, "%s'%s.dat' index %d using 1:2 axes x1y2 with steps lw 1.5 lc rgb '#777777' dt 3 title 'cgroup limit (right axis)'",
			clauses++ ? ", \\\n" : "", stem, limit_block);
	if (!clauses)
		fprintf(gp, "NaN title 'no memory series in these runs'");
	fprintf(gp, "\n");
	gp_end(gp);
	ret = plot_fclose(gp, dir, stem, "gp");
out:
	free(kern_block);
	free(sec_block);
	free(runs);
	return ret;
}

/* --- (b) latency CDFs --- */

struct bucket {
	double upper_ns, lower_ns, count;
};

struct buckets {
	struct bucket *v;
	size_t n, cap;
};

static int buckets_add(struct buckets *b, double lower_ns, double upper_ns, double count)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1024;
		struct bucket *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return err_set(ENOMEM, "plots: out of memory");
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = (struct bucket){ upper_ns, lower_ns, count };
	return 0;
}

/* Every bucket of histogram @name of every vCPU of every VM of the file. */
static int buckets_from_file(struct buckets *b, const struct result_file *f, const char *name)
{
	struct json_object *vms = json_path(f->root, "vms");
	size_t i, j, k;
	int ret;

	for (i = 0; i < result_array_len(vms); i++) {
		struct json_object *res = json_path(json_object_array_get_idx(vms, i), "result");
		struct json_object *vcpus = json_path(res, "vcpus");
		double khz = json_object_get_double(json_path(res, "tsc_khz"));

		if (!(khz > 0) || !isfinite(khz))
			continue;
		for (j = 0; j < result_array_len(vcpus); j++) {
			struct json_object *h = json_path(json_object_array_get_idx(vcpus, j), name);
			struct json_object *rows = json_path(h, "buckets");

			for (k = 0; k < result_array_len(rows); k++) {
				struct json_object *row = json_object_array_get_idx(rows, k);
				double lo, hi, n;

				if (result_array_len(row) != 3)
					continue;
				/* cycles to ns: cycles * 10^6 / kHz */
				lo = json_object_get_double(json_object_array_get_idx(row, 0));
				hi = (lo + json_object_get_double(json_object_array_get_idx(row, 1))) *
				     1e6 / khz;
				lo = lo * 1e6 / khz;
				n = json_object_get_double(json_object_array_get_idx(row, 2));
				if (!(n > 0) || !isfinite(n) || !isfinite(lo) || !isfinite(hi))
					continue;
				ret = buckets_add(b, lo, hi, n);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

static int cmp_bucket(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;

	return x->upper_ns < y->upper_ns ? -1 : x->upper_ns > y->upper_ns;
}

/*
 * A block "ns cdf ccdf": the CDF at each bucket's upper bound, widening
 * [*lo_ns, *hi_ns] to its range; false if empty.
 */
static bool block_cdf(FILE *dat, struct buckets *b, const char *label, size_t runs,
		      double *lo_ns, double *hi_ns)
{
	double total = 0, below = 0, lowest = INFINITY, most = 0, samples = 0;
	size_t i;

	if (!b->n)
		return false;
	qsort(b->v, b->n, sizeof(*b->v), cmp_bucket);
	/* fractions of counts relative to the largest, which cannot overflow */
	for (i = 0; i < b->n; i++) {
		most = fmax(most, b->v[i].count);
		samples += b->v[i].count;
		lowest = fmin(lowest, b->v[i].lower_ns);
	}
	for (i = 0; i < b->n; i++)
		total += b->v[i].count / most;
	fputs("# ", dat);
	gp_comment(dat, label);
	fprintf(dat, ", %zu run%s merged: ns, fraction <= ns, fraction > ns (%.0f samples)\n", runs,
		runs == 1 ? "" : "s", samples);
	dat_num(dat, lowest, 3);
	fputs(" 0 1\n", dat);
	*lo_ns = fmin(*lo_ns, lowest);
	*hi_ns = fmax(*hi_ns, b->v[b->n - 1].upper_ns);
	for (i = 0; i < b->n; i++) {
		below += b->v[i].count / most;
		if (i + 1 < b->n && b->v[i + 1].upper_ns == b->v[i].upper_ns)
			continue;
		dat_num(dat, b->v[i].upper_ns, 3);
		fprintf(dat, " %.9g %.9g\n", fmin(below / total, 1), fmax((total - below) / total, 0));
	}
	fprintf(dat, "\n\n");
	return true;
}

static int plot_cdf(const char *dir, const struct cmp_table *t, const char *base,
		    const char *hist, const char *what, const char *whats, char *stem, size_t len,
		    bool *made)
{
	int *blocks = calloc(t->nr_arms, sizeof(int)), block = 0, ret = 0, clauses;
	double lo_ns = INFINITY, hi_ns = 0;
	struct buckets b = { 0 };
	size_t a, i, pass;
	FILE *dat, *gp;

	*made = false;
	file_stem(stem, len, base, what);
	if (!blocks)
		return err_set(ENOMEM, "plots: out of memory");
	ret = plot_fopen(dir, stem, "dat", &dat);
	if (ret)
		goto out;
	fputs("# ", dat);
	gp_comment(dat, t->experiment);
	fprintf(dat, ": %s histograms merged over every vCPU, VM and run of each arm\n", hist);
	for (a = 0; a < t->nr_arms && !ret; a++) {
		b.n = 0;
		for (i = 0; i < t->sets[a]->nr_files && !ret; i++)
			ret = buckets_from_file(&b, t->sets[a]->files[i], hist);
		blocks[a] = !ret && block_cdf(dat, &b, t->labels[a], t->sets[a]->nr_files,
							 &lo_ns, &hi_ns) ?
			block++ : -1;
	}
	free(b.v);
	if (ret) {
		fclose(dat);
		goto out;
	}
	ret = plot_fclose(dat, dir, stem, "dat");
	if (ret || !block) {
		if (!block) {
			char path[PATH_MAX];

			if (!plot_path(path, sizeof(path), dir, stem, "dat"))
				unlink(path);
		}
		goto out;
	}
	ret = plot_fopen(dir, stem, "gp", &gp);
	if (ret)
		goto out;
	gp_begin(gp, stem);
	fprintf(gp, "set multiplot layout 1,2 title ");
	gp_str(gp, t->experiment);
	fprintf(gp, " . ': %s latency, every run of each arm merged'\n", what);
	for (pass = 0; pass < 2; pass++) {
		fprintf(gp, "set logscale x\nset format x '10^%%T'\nset grid\n");
		/* a tic every other decade when there are many */
		if (hi_ns > lo_ns * 1e6)
			fprintf(gp, "set xtics 100\n");
		fprintf(gp, "set xlabel '%s latency (ns, log scale)'\n", what);
		if (pass == 0)
			fprintf(gp, "set ylabel 'fraction of %s <= x'\nset yrange [0:1]\nset key bottom right box opaque width 2\n",
				whats);
		else
			fprintf(gp, "set ylabel 'fraction of %s > x (tail)'\nset logscale y\nset format y '10^%%T'\nset yrange [*:1]\nunset key\n",
				whats);
		fprintf(gp, "plot \\\n");
		for (a = 0, clauses = 0; a < t->nr_arms; a++) {
			if (blocks[a] < 0)
				continue;
			fprintf(gp, "%s'%s.dat' index %d using 1:%s with steps lw 2 lc rgb '%s' title ",
				clauses++ ? ", \\\n" : "", stem, blocks[a],
				pass ? "($3 > 0 ? $3 : NaN)" : "2", arm_color(a));
			gp_arm_title(gp, t, a, NULL);
		}
		fprintf(gp, "\n");
	}
	fprintf(gp, "unset multiplot\n");
	gp_end(gp);
	ret = plot_fclose(gp, dir, stem, "gp");
	*made = !ret;
out:
	free(blocks);
	return ret;
}

/* --- (c) reclaim and shrinker activity --- */

struct bar_panel {
	const char *title, *ylabel;
	const char *metrics[4];
};

static const struct bar_panel bar_panels[] = {
	{ "reclaim", "pages (log scale)",
	  { "pgsteal_pages", "memcg_pgsteal_pages", "memcg_pgpgout_pages",
	    "workingset_refault_pages" } },
	{ "shrinkers", "passes, calls or objects (log scale)",
	  { "shrinker_kvm_count_passes", "shrinker_kvm_scan_calls", "shrinker_kvm_scan_freed",
	    "shrinker_all_count_passes" } },
};

const char *plot_unknown_name(void)
{
	static const char *const entries[] = {
		PLOT_SEC_PAGETABLES, PLOT_FAULT_LATENCY, PLOT_ACCESS_LATENCY,
	};
	const struct summary_entry *e;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(entries); i++) {
		e = summary_entry_find(entries[i]);
		if (!e || (e == sec_pagetables() && !e->series))
			return entries[i];
	}
	for (i = 0; i < ARRAY_SIZE(bar_panels); i++)
		for (j = 0; j < ARRAY_SIZE(bar_panels[i].metrics) && bar_panels[i].metrics[j]; j++)
			if (!metric_find(bar_panels[i].metrics[j]))
				return bar_panels[i].metrics[j];
	return NULL;
}

static const struct cmp_row *table_row(const struct cmp_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nr_rows; i++)
		if (!strcmp(t->rows[i].m->name, name))
			return &t->rows[i];
	return NULL;
}

/* The panel's rows that have a value somewhere, in @rows. */
static size_t panel_rows(const struct cmp_table *t, const struct bar_panel *p,
			 const struct cmp_row **rows)
{
	size_t i, a, n = 0;

	for (i = 0; i < ARRAY_SIZE(p->metrics) && p->metrics[i]; i++) {
		const struct cmp_row *r = table_row(t, p->metrics[i]);

		for (a = 0; r && a < t->nr_arms; a++) {
			if (r->cells[a].n) {
				rows[n++] = r;
				break;
			}
		}
	}
	return n;
}

static void bar_panel_script(FILE *gp, const struct cmp_table *t, const struct bar_panel *p,
			     const char *stem, int first_block)
{
	const struct cmp_row *rows[4];
	size_t n = panel_rows(t, p, rows), i, a;
	double width = 0.8 / (double)t->nr_arms, top = 1;
	int clauses = 0;

	fprintf(gp, "set title '%s: median of the runs, bars from min to max'\n", p->title);
	fprintf(gp, "set ylabel '%s'\nset grid ytics\nset style fill solid 0.8 noborder\n", p->ylabel);
	fprintf(gp, "set boxwidth %.4f absolute\nset xrange [-0.6:%.1f]\n", width, n ? n - 0.4 : 0.6);
	if (!n) {
		fprintf(gp, "unset xtics\nunset ytics\nset yrange [0:1]\n");
		fprintf(gp, "set label 1 'n/a: not measured in these runs' at graph 0.5, graph 0.5 center\n");
		fprintf(gp, "plot NaN notitle\nunset label 1\n");
		return;
	}
	/* room above the bars for the key */
	for (i = 0; i < n; i++)
		for (a = 0; a < t->nr_arms; a++)
			if (rows[i]->cells[a].n && isfinite(rows[i]->cells[a].max))
				top = fmax(top, rows[i]->cells[a].max);
	fprintf(gp, "set logscale y\nset yrange [0.5:%g]\nset xtics rotate by -20 (",
		fmin(top * 50, DBL_MAX));
	for (i = 0; i < n; i++) {
		fprintf(gp, "%s", i ? ", " : "");
		gp_str(gp, rows[i]->m->label);
		fprintf(gp, " %zu", i);
	}
	fprintf(gp, ")\nset key top left box opaque width 2\n");
	fprintf(gp, "# columns: x, median, min, max, median as text; the dot is the median; zero bars cannot show on a log scale, their label says 0\n");
	fprintf(gp, "plot \\\n");
	for (a = 0; a < t->nr_arms; a++) {
		fprintf(gp, "%s'%s.dat' index %d using 1:($2 > 0 ? $2 : NaN) with boxes lc rgb '%s' title ",
			clauses++ ? ", \\\n" : "", stem, first_block + (int)a, arm_color(a));
		gp_arm_title(gp, t, a, NULL);
		fprintf(gp, ", \\\n'%s.dat' index %d using 1:($2 > 0 ? $2 : NaN):($3 > 0 ? $3 : 0.5):4 with yerrorbars lc rgb '#333333' pt 7 ps 0.4 notitle",
			stem, first_block + (int)a);
		fprintf(gp, ", \\\n'%s.dat' index %d using 1:($2 > 0.7 ? $2 : 0.7):5 with labels offset 0,0.7 font ',8' notitle",
			stem, first_block + (int)a);
	}
	fprintf(gp, "\n");
}

/* A bar's label: "5", "130k", "2.1M", "3.4e+12". */
static const char *short_count(char *buf, size_t len, double v)
{
	if (fabs(v) < 1e4)
		snprintf(buf, len, "%.3g", v);
	else if (fabs(v) < 1e6)
		snprintf(buf, len, "%.0fk", v / 1e3);
	else if (fabs(v) < 1e9)
		snprintf(buf, len, "%.1fM", v / 1e6);
	else
		snprintf(buf, len, "%.2g", v);
	return buf;
}

static void bar_panel_data(FILE *dat, const struct cmp_table *t, const struct bar_panel *p,
			   int *block)
{
	const struct cmp_row *rows[4];
	size_t n = panel_rows(t, p, rows), i, a;
	char text[32];
	double x;

	if (!n)
		return;
	for (a = 0; a < t->nr_arms; a++) {
		fprintf(dat, "# %s, ", p->title);
		gp_comment(dat, t->labels[a]);
		fprintf(dat, ": x, median, min, max, label\n");
		for (i = 0; i < n; i++) {
			const struct cmp_cell *c = &rows[i]->cells[a];

			x = (double)i + ((double)a - (double)(t->nr_arms - 1) / 2) * 0.8 / (double)t->nr_arms;
			if (c->n && isfinite(c->median))
				fprintf(dat, "%.4f %.17g %.17g %.17g \"%s\"\n", x, c->median, c->min,
					c->max, short_count(text, sizeof(text), c->median));
			else
				fprintf(dat, "%.4f NaN NaN NaN \"n/a\"\n", x);
		}
		fprintf(dat, "\n\n");
		(*block)++;
	}
}

static int plot_bars(const char *dir, const struct cmp_table *t, const char *base, char *stem,
		     size_t len)
{
	int block = 0, first[ARRAY_SIZE(bar_panels)], ret;
	FILE *dat, *gp;
	size_t i;

	file_stem(stem, len, base, "reclaim");
	ret = plot_fopen(dir, stem, "dat", &dat);
	if (ret)
		return ret;
	fputs("# ", dat);
	gp_comment(dat, t->experiment);
	fprintf(dat, ": reclaim and shrinker activity, one value per run\n");
	for (i = 0; i < ARRAY_SIZE(bar_panels); i++) {
		first[i] = block;
		bar_panel_data(dat, t, &bar_panels[i], &block);
	}
	ret = plot_fclose(dat, dir, stem, "dat");
	if (ret)
		return ret;
	ret = plot_fopen(dir, stem, "gp", &gp);
	if (ret)
		return ret;
	gp_begin(gp, stem);
	fprintf(gp, "set multiplot layout 1,2 title ");
	gp_str(gp, t->experiment);
	fprintf(gp, " . ': reclaim and shrinker activity per arm'\n");
	for (i = 0; i < ARRAY_SIZE(bar_panels); i++) {
		if (i)
			fprintf(gp, "reset\n");
		bar_panel_script(gp, t, &bar_panels[i], stem, first[i]);
	}
	fprintf(gp, "unset multiplot\n");
	gp_end(gp);
	return plot_fclose(gp, dir, stem, "gp");
}

/* --- gnuplot --- */

/* gnuplot's path in @buf, from PATH; false when it is not there. */
static bool gnuplot_find(char *buf, size_t len)
{
	const char *path = getenv("PATH");
	size_t n;

	for (; path && *path; path += n + (path[n] == ':')) {
		n = strcspn(path, ":");
		if (n && (size_t)snprintf(buf, len, "%.*s/gnuplot", (int)n, path) < len &&
		    !access(buf, X_OK))
			return true;
	}
	return false;
}

#if defined(__x86_64__)
#define PLOT_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define PLOT_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#endif

#define BPF_RET_ERRNO(e)	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e))
#define BPF_RET_ALLOW		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define BPF_LOAD(field)		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))

/*
 * In gnuplot's process, before it starts: no program may be started from
 * then on but gnuplot itself, from @fd. Every way a script runs a command
 * (backquotes, system(), a '<' data file, a '|' output or print file, the
 * shell command '!') ends in execve(), which now fails with EPERM;
 * execveat() passes only for @fd with AT_EMPTY_PATH. Arguments are read
 * as their low 32 bits (little-endian): an fd and flags are ints.
 */
static int gnuplot_no_exec(int fd)
{
#ifdef PLOT_AUDIT_ARCH
	struct sock_filter filter[] = {
		BPF_LOAD(arch),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PLOT_AUDIT_ARCH, 1, 0),
		BPF_RET_ERRNO(EPERM),		/* another ABI (int 0x80): nothing */
		BPF_LOAD(nr),
#ifdef __x86_64__
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
		BPF_RET_ERRNO(EPERM),		/* x32 */
#endif
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execve, 0, 1),
		BPF_RET_ERRNO(EPERM),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execveat, 1, 0),
		BPF_RET_ALLOW,
		BPF_LOAD(args[0]),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)fd, 0, 3),
		BPF_LOAD(args[4]),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AT_EMPTY_PATH, 0, 1),
		BPF_RET_ALLOW,
		BPF_RET_ERRNO(EPERM),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(filter), .filter = filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
		return -errno;
	return 0;
#else
	(void)fd;
	return -ENOSYS;
#endif
}

/*
 * In the child: gnuplot @script in @dir, its output to @log, unable to
 * start any program. Where the kernel has no seccomp filters the scripts'
 * safe strings are the only guard, and the log says so.
 */
static void gnuplot_exec(const char *gnuplot, const char *dir, const char *script,
			 const char *log)
{
	char *const argv[] = { "gnuplot", (char *)script, NULL };
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), exe;

	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 || chdir(dir))
		_exit(126);
	exe = open(gnuplot, O_PATH);
	if (exe < 0)
		_exit(127);
	if (!gnuplot_no_exec(exe))
		syscall(SYS_execveat, exe, "", argv, environ, AT_EMPTY_PATH);
	else
		dprintf(STDERR_FILENO, "kvmsqueeze: no seccomp filter here: gnuplot runs unconfined\n");
	execv(gnuplot, argv);
	_exit(127);
}

int plot_gnuplot_run(const char *dir, const char *stem)
{
	char gnuplot[PATH_MAX], log[PATH_MAX], script[NAME_MAX + 1];
	char buf[256], line[256] = "", first[256] = "";
	int status, ret;
	char *p;
	FILE *f;
	pid_t pid;

	if (!gnuplot_find(gnuplot, sizeof(gnuplot)))
		return err_set(ENOENT, "gnuplot is not installed");
	ret = plot_path(log, sizeof(log), dir, stem, "log");
	if (!ret && (size_t)snprintf(script, sizeof(script), "%s.gp", stem) >= sizeof(script))
		ret = err_set(ENAMETOOLONG, "plots: %s.gp: name too long", stem);
	if (ret)
		return ret;
	pid = fork();
	if (pid < 0)
		return err_sys(errno, "starting gnuplot");
	if (pid == 0)
		gnuplot_exec(gnuplot, dir, script, log);
	if (waitpid(pid, &status, 0) < 0)
		return err_sys(errno, "waiting for gnuplot");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		unlink(log);
		return 0;
	}
	f = fopen(log, "r");
	/* the line that says "error", else the first one */
	if (f) {
		while (fgets(buf, sizeof(buf), f)) {
			if (!first[0])
				snprintf(first, sizeof(first), "%s", buf);
			if (strstr(buf, "rror")) {
				snprintf(line, sizeof(line), "%s", buf);
				break;
			}
		}
		fclose(f);
	}
	if (!line[0])
		snprintf(line, sizeof(line), "%s", first);
	line[strcspn(line, "\n")] = '\0';
	for (p = line; *p; p++)
		*p = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
	return err_set(EIO, "gnuplot %s/%s.gp failed: %s (see %s)", dir, stem,
		       line[0] ? line : "no message", log);
}

static int image_check(const char *dir, const char *stem, const char *ext)
{
	char path[PATH_MAX];
	struct stat st;
	int ret = plot_path(path, sizeof(path), dir, stem, ext);

	if (ret)
		return ret;
	if (stat(path, &st) || !st.st_size)
		return err_set(EIO, "gnuplot wrote no %s", path);
	return 0;
}

#define MAX_SCRIPTS	4

static int table_scripts(const char *dir, const struct cmp_table *t, const char *base,
			 char stems[MAX_SCRIPTS][NAME_MAX], size_t *n)
{
	bool made;
	int ret;

	*n = 0;
	ret = plot_timeline(dir, t, base, stems[*n], NAME_MAX);
	if (ret)
		return ret;
	(*n)++;
	ret = plot_cdf(dir, t, base, PLOT_FAULT_LATENCY, "fault", "faults", stems[*n], NAME_MAX,
		       &made);
	if (ret)
		return ret;
	*n += made;
	ret = plot_cdf(dir, t, base, PLOT_ACCESS_LATENCY, "access", "accesses", stems[*n],
		       NAME_MAX, &made);
	if (ret)
		return ret;
	*n += made;
	ret = plot_bars(dir, t, base, stems[*n], NAME_MAX);
	if (ret)
		return ret;
	(*n)++;
	return 0;
}

/*
 * Each table's file names start from its experiment; two experiments that
 * would give the same start ("a b" and "a_b") get the table's number too,
 * so that no table's files replace another's.
 */
static void table_base(char (*bases)[STEM_BASE_MAX + 24], struct cmp_table *const *tables,
		       size_t k)
{
	char first[STEM_BASE_MAX + 1];
	size_t j, m = k;

	stem_base(first, sizeof(first), tables[k]->experiment);
	snprintf(bases[k], sizeof(bases[k]), "%s", first);
	for (j = 0; j < k; j++) {
		if (strcmp(bases[j], bases[k]))
			continue;
		snprintf(bases[k], sizeof(bases[k]), "%s-%zu", first, ++m);
		j = (size_t)-1;		/* each number once: check them all again */
	}
}

static int plots_write(const char *dir, struct cmp_table *const *tables, size_t n, bool run,
		       int *written)
{
	char stems[MAX_SCRIPTS][NAME_MAX], (*bases)[STEM_BASE_MAX + 24];
	size_t k, i, nr;
	int ret;

	*written = 0;
	bases = calloc(n ? n : 1, sizeof(*bases));
	if (!bases)
		return err_set(ENOMEM, "plots: out of memory");
	ret = mkdir_p(dir);
	for (k = 0; k < n && !ret; k++) {
		table_base(bases, tables, k);
		if (!tables[k]->sets)
			continue;
		ret = table_scripts(dir, tables[k], bases[k], stems, &nr);
		for (i = 0; i < nr && !ret && run; i++) {
			ret = plot_gnuplot_run(dir, stems[i]);
			if (!ret)
				ret = image_check(dir, stems[i], "png");
			if (!ret)
				ret = image_check(dir, stems[i], "svg");
			*written += ret ? 0 : 2;
		}
	}
	free(bases);
	return ret;
}

int plot_scripts(const char *dir, struct cmp_table *const *tables, size_t n)
{
	int written;

	return plots_write(dir, tables, n, false, &written);
}

int plot_tables(const char *dir, struct cmp_table *const *tables, size_t n, int *written)
{
	char gnuplot[PATH_MAX];
	bool have_gnuplot = gnuplot_find(gnuplot, sizeof(gnuplot));
	int ret = plots_write(dir, tables, n, have_gnuplot, written);

	if (!ret && !have_gnuplot)
		ret = err_set(ENOENT, "gnuplot is not installed, so %s holds the data and scripts but no images (scripts/deps analysis installs gnuplot-nox)",
			      dir);
	return ret;
}
