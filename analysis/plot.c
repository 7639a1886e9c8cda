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
		"\tset terminal pngcairo size %s font 'sans,10' enhanced background rgb 'white'\n"
		"\tset output '%s.png'\n"
		"} else {\n"
		"\tset terminal svg size %s font 'sans,10' enhanced background rgb 'white'\n"
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

/* The last time of a series, s; 0 without one. */
static double series_end(const struct result_file *f, const char *name)
{
	struct json_object *v, *t = series_get(f, name, &v);
	size_t n = t ? json_object_array_length(t) : 0;
	double end = n ? json_object_get_double(json_object_array_get_idx(t, n - 1)) : 0;

	return isfinite(end) ? end : 0;
}

/*
 * A figure's notes under it, one line each ("not shown: ..."), in the
 * bottom margin; @notes are ours, not a result's, and hold no quote.
 */
static void gp_notes(FILE *gp, const char *const *notes, size_t n, int first_label)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(gp, "set label %d '%s' at screen 0.5, screen %.3f center font ',9' tc rgb '#555555' noenhanced\n",
			first_label + (int)i, notes[i], 0.015 + 0.035 * (double)(n - 1 - i));
}

/*
 * The phases as shaded spans and their names above the top panel, each
 * name in the first row where it clears the names before it: @span_s is
 * the x range, @width_px the panel's width. Returns the rows used.
 */
static int gp_phases(FILE *gp, const struct phase_span *spans, size_t n, double span_s,
		     double width_px, bool names)
{
	double row_end[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY }, w;
	int row, rows = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isfinite(spans[i].begin) || !isfinite(spans[i].end))
			continue;
		fprintf(gp, "set object %zu rect from first %.3f, graph 0 to first %.3f, graph 1 behind fc rgb '%s' fs solid 1.0 noborder\n",
			i + 1, spans[i].begin, spans[i].end, i % 2 ? "#e4e4e4" : "#f0f0f0");
		if (!names)
			continue;
		/* about 6.5 px a character at 10 pt, and a gap */
		w = ((double)strlen(spans[i].name) * 6.5 + 10) / width_px * span_s;
		for (row = 0; row < 3 && row_end[row] > spans[i].begin; row++)
			;
		row_end[row] = spans[i].begin + w;
		rows = row + 1 > rows ? row + 1 : rows;
		fprintf(gp, "set label %zu ", i + 1);
		gp_str(gp, spans[i].name);
		fprintf(gp, " at first %.3f, graph 1 left offset 0.2, %.1f tc rgb '#555555' noenhanced\n",
			spans[i].begin, 0.6 + 1.2 * row);
	}
	return rows;
}

/* A tic step of 1, 2 or 5 times a power of ten: about @tics tics up to @most. */
static double tic_step(double most, int tics)
{
	double raw = most / tics, decade;

	if (!(raw > 0) || !isfinite(raw))
		return 1;
	decade = pow(10, floor(log10(raw)));
	if (raw <= decade)
		return decade;
	if (raw <= 2 * decade)
		return 2 * decade;
	return raw <= 5 * decade ? 5 * decade : 10 * decade;
}

/* Which panels the timeline has: kernel memory (and the limit), SecPageTables. */
enum { TL_KERNEL, TL_SEC, TL_PANELS };

struct timeline {
	const struct result_file **runs;
	double most[TL_PANELS];		/* the largest value, in the panel's unit */
	int *block[TL_PANELS];		/* per arm, -1: none */
	bool any[TL_PANELS];
	const char *unit[TL_PANELS];
	double divisor[TL_PANELS];
	int limit_block;
	double end_s;
};

static int timeline_data(FILE *dat, const struct cmp_table *t, struct timeline *tl)
{
	const struct summary_entry *sec = sec_pagetables();
	double most[TL_PANELS] = { 0, 0 }, run_s;
	int block = 0;
	size_t a;

	for (a = 0; a < t->nr_arms; a++) {
		tl->runs[a] = median_run(t->sets[a]);
		most[TL_SEC] = fmax(most[TL_SEC], series_max(tl->runs[a], sec->series, sec->scale));
		most[TL_KERNEL] = fmax(most[TL_KERNEL],
				       series_max(tl->runs[a], kernel_series(tl->runs[a]), 1));
		run_s = json_object_get_double(json_path(tl->runs[a]->root, "run.run_s"));
		tl->end_s = fmax(tl->end_s, isfinite(run_s) ? run_s : 0);
		tl->end_s = fmax(tl->end_s, series_end(tl->runs[a], sec->series));
		tl->end_s = fmax(tl->end_s, series_end(tl->runs[a], kernel_series(tl->runs[a])));
	}
	unit_scale(UNIT_BYTES, most[TL_KERNEL], &tl->unit[TL_KERNEL], &tl->divisor[TL_KERNEL]);
	unit_scale(UNIT_BYTES, most[TL_SEC], &tl->unit[TL_SEC], &tl->divisor[TL_SEC]);
	tl->most[TL_KERNEL] = most[TL_KERNEL] / tl->divisor[TL_KERNEL];
	tl->most[TL_SEC] = most[TL_SEC] / tl->divisor[TL_SEC];
	fputs("# ", dat);
	gp_comment(dat, t->experiment);
	fprintf(dat, ": memory over time: cgroup kernel memory and the limit in %s, SecPageTables in %s; two blank lines separate blocks (gnuplot index)\n",
		tl->unit[TL_KERNEL], tl->unit[TL_SEC]);
	for (a = 0; a < t->nr_arms; a++) {
		tl->block[TL_SEC][a] = block_series(dat, tl->runs[a], sec->series,
						    sec->scale / tl->divisor[TL_SEC], t->labels[a],
						    NAN) ? block++ : -1;
		tl->block[TL_KERNEL][a] = block_series(dat, tl->runs[a],
						       kernel_series(tl->runs[a]),
						       1 / tl->divisor[TL_KERNEL], t->labels[a],
						       NAN) ? block++ : -1;
		tl->any[TL_SEC] |= tl->block[TL_SEC][a] >= 0;
		tl->any[TL_KERNEL] |= tl->block[TL_KERNEL][a] >= 0;
	}
	/* the limit holds from its last write to the end of the run */
	run_s = json_object_get_double(json_path(tl->runs[0]->root, "run.run_s"));
	tl->limit_block = -1;
	if (block_series(dat, tl->runs[0], "cgroup.limit_bytes", 1 / tl->divisor[TL_KERNEL],
			 t->labels[0], isfinite(run_s) ? run_s : NAN))
		tl->limit_block = block++;
	return block;
}

/*
 * The key's columns under the timeline: as many arms' names (about 7.5 px
 * a character, 90 px for the line sample, as gnuplot counts) as fit 760 px, at most 3.
 */
static int key_cols(const struct cmp_table *t)
{
	size_t a, most = 1, len;
	int cols;

	for (a = 0; a < t->nr_arms; a++) {
		len = strlen(t->labels[a]) +
		      (t->sets && t->sets[a]->label_note[0] ? strlen(t->sets[a]->label_note) + 3 : 0);
		most = len > most ? len : most;
	}
	cols = (int)(760 / ((double)most * 7.5 + 90));
	return cols < 1 ? 1 : cols > 3 ? 3 : cols;
}

/* The key's rows: the arms in key_cols() columns, and the limit's line. */
static int key_rows(const struct cmp_table *t, bool limit)
{
	size_t cols = (size_t)key_cols(t);

	return (int)((t->nr_arms + cols - 1) / cols) + limit;
}

/* How many tics a panel @height of the screen tall has room for. */
static int panel_tics(double height)
{
	return height < 0.25 ? 3 : 5;
}

/*
 * One panel of the timeline between screen @bottom and @top: the arms'
 * lines, titled when @key (the key sits under the figure).
 */
static void timeline_panel(FILE *gp, const struct cmp_table *t, const struct timeline *tl,
			   int panel, const char *stem, double bottom, double top, bool xlabel,
			   bool key)
{
	int clauses = 0;
	size_t a;

	fprintf(gp, "set tmargin at screen %.3f\nset bmargin at screen %.3f\n", top, bottom);
	fprintf(gp, "set lmargin at screen 0.10\nset rmargin at screen 0.90\n");
	if (tl->end_s > 0)
		fprintf(gp, "set xrange [0:%.3f]\n", tl->end_s);
	/* few tics on a short panel */
	fprintf(gp, "set yrange [0:*]\nset offsets 0, 0, graph 0.08, 0\nset ytics nomirror %g\nset grid\n",
		tic_step(tl->most[panel], panel_tics(top - bottom)));
	if (xlabel)
		fprintf(gp, "set xlabel 'time since the start of the run (s)'\n");
	else
		fprintf(gp, "unset xlabel\nset format x ''\n");
	if (panel == TL_KERNEL)
		fprintf(gp, "set ylabel 'cgroup kernel memory (%s)'\n", tl->unit[panel]);
	else
		fprintf(gp, "set ylabel 'SecPageTables (%s)'\n", tl->unit[panel]);
	if (panel == TL_KERNEL && tl->limit_block >= 0)
		fprintf(gp, "set y2label 'cgroup limit (%s, dotted)'\nset y2tics\nset y2range [0:*]\n",
			tl->unit[panel]);
	if (key)
		fprintf(gp, "set key at screen 0.5, screen %.3f center top horizontal maxcols %d maxrows %d\n",
			bottom - (xlabel ? 0.115 : 0.02), key_cols(t),
			key_rows(t, tl->limit_block >= 0));
	else
		fprintf(gp, "unset key\n");
	fprintf(gp, "plot \\\n");
	for (a = 0; a < t->nr_arms; a++) {
		if (tl->block[panel][a] < 0)
			continue;
		fprintf(gp, "%s'%s.dat' index %d using 1:2 with lines lw 2 lc rgb '%s' title ",
			clauses++ ? ", \\\n" : "", stem, tl->block[panel][a], arm_color(a));
		gp_arm_title(gp, t, a, NULL);
		fputs(" noenhanced", gp);
	}
	if (panel == TL_KERNEL && tl->limit_block >= 0)
		fprintf(gp, "%s'%s.dat' index %d using 1:2 axes x1y2 with steps lw 1.5 lc rgb '#777777' dt 3 title 'cgroup limit (right axis)' noenhanced",
			clauses++ ? ", \\\n" : "", stem, tl->limit_block);
	fprintf(gp, "\n");
	/* the next panel starts clean */
	fprintf(gp, "unset label\nunset object\nunset y2label\nunset y2tics\nset format x '%%g'\n");
}

/*
 * Memory over time, the median run of each arm: cgroup kernel memory (and
 * the limit) on top, the host's SecPageTables below on its own axis (a
 * few hundred KiB under MiB of kernel memory would lie flat at 0). A
 * panel without a series in any run is left out, and a note says so.
 */
static int plot_timeline(const char *dir, const struct cmp_table *t, const char *base,
			 char *stem, size_t len)
{
	struct timeline tl = { .runs = calloc(t->nr_arms, sizeof(*tl.runs)) };
	struct phase_span spans[16];
	const char *notes[2];
	size_t nr_spans, nr_notes = 0;
	double top, split, bottom;
	int ret, rows, p, last;
	FILE *dat, *gp;

	tl.block[TL_KERNEL] = calloc(t->nr_arms, sizeof(int));
	tl.block[TL_SEC] = calloc(t->nr_arms, sizeof(int));
	file_stem(stem, len, base, "timeline");
	if (!tl.runs || !tl.block[TL_KERNEL] || !tl.block[TL_SEC]) {
		ret = err_set(ENOMEM, "plots: out of memory");
		goto out;
	}
	ret = plot_fopen(dir, stem, "dat", &dat);
	if (ret)
		goto out;
	timeline_data(dat, t, &tl);
	ret = plot_fclose(dat, dir, stem, "dat");
	if (ret)
		goto out;

	ret = plot_fopen(dir, stem, "gp", &gp);
	if (ret)
		goto out;
	gp_begin(gp, stem);
	if (!tl.any[TL_KERNEL])
		notes[nr_notes++] = "not shown: cgroup kernel memory, not sampled in these runs";
	if (!tl.any[TL_SEC])
		notes[nr_notes++] = "not shown: SecPageTables, not in the meminfo of these runs";
	fprintf(gp, "set multiplot title ");
	gp_str(gp, t->experiment);
	fprintf(gp, " . ': page-table and cgroup kernel memory%s' . \"\\n\" . 'the median run of each arm by peak kernel memory' noenhanced\n",
		tl.limit_block < 0 ? " (no cgroup limit)" : "");
	/* drawn with the first panel, cleared after it */
	gp_notes(gp, notes, nr_notes, 100);
	nr_spans = phase_spans(tl.runs[0], spans, ARRAY_SIZE(spans));
	fputs("# shaded: the guests' phases in the run of ", gp);
	gp_comment(gp, t->labels[0]);
	fputs(" (first begin to last end); their names above the top panel\n", gp);
	/* room under the panels for the x label, the key's rows and the notes */
	bottom = 0.135 + 0.034 * (double)key_rows(t, tl.limit_block >= 0) +
		 0.035 * (double)nr_notes;
	top = split = 0;
	last = tl.any[TL_SEC] ? TL_SEC : TL_KERNEL;
	if (!tl.any[TL_KERNEL] && !tl.any[TL_SEC])
		fprintf(gp, "unset border\nunset tics\nset xrange [0:1]\nset yrange [0:1]\nplot NaN notitle\n");
	for (p = 0; p < TL_PANELS; p++) {
		if (!tl.any[p])
			continue;
		/* the phases' names above the first panel, in as many rows as they need */
		rows = gp_phases(gp, spans, nr_spans, tl.end_s > 0 ? tl.end_s : 1, 640, !top);
		if (!top) {
			top = 0.86 - 0.04 * (double)(rows > 1 ? rows - 1 : 0);
			split = bottom + (top - bottom) * 0.36;
		}
		if (p == TL_KERNEL)
			timeline_panel(gp, t, &tl, p, stem, tl.any[TL_SEC] ? split + 0.03 : bottom,
				       top, p == last, p == last);
		else
			timeline_panel(gp, t, &tl, p, stem, bottom,
				       tl.any[TL_KERNEL] ? split - 0.03 : top, true, true);
	}
	fprintf(gp, "unset multiplot\n");
	gp_end(gp);
	ret = plot_fclose(gp, dir, stem, "gp");
out:
	free(tl.block[TL_SEC]);
	free(tl.block[TL_KERNEL]);
	free(tl.runs);
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
	fprintf(gp, " . ': %s latency, every run of each arm merged' noenhanced\n", what);
	for (pass = 0; pass < 2; pass++) {
		/* powers of ten as 10 with a superscript (enhanced text) */
		fprintf(gp, "set logscale x\nset format x '10^{%%T}'\nset grid\n");
		/* a tic every other decade when there are many */
		if (hi_ns > lo_ns * 1e6)
			fprintf(gp, "set xtics 100\n");
		fprintf(gp, "set xlabel '%s latency (ns, log scale)'\n", what);
		if (pass == 0)
			fprintf(gp, "set ylabel 'fraction of %s <= x'\nset yrange [0:1]\nset key bottom right box opaque width 2\n",
				whats);
		else
			fprintf(gp, "set ylabel 'fraction of %s > x (tail)'\nset logscale y\nset format y '10^{%%T}'\nset yrange [*:1]\nunset key\n",
				whats);
		fprintf(gp, "plot \\\n");
		for (a = 0, clauses = 0; a < t->nr_arms; a++) {
			if (blocks[a] < 0)
				continue;
			fprintf(gp, "%s'%s.dat' index %d using 1:%s with steps lw 2 lc rgb '%s' title ",
				clauses++ ? ", \\\n" : "", stem, blocks[a],
				pass ? "($3 > 0 ? $3 : NaN)" : "2", arm_color(a));
			gp_arm_title(gp, t, a, NULL);
			fputs(" noenhanced", gp);
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

/* Whether every run of every arm of these rows is 0: no bar on a log scale. */
static bool panel_all_zero(const struct cmp_table *t, const struct cmp_row *const *rows, size_t n)
{
	size_t i, a;

	for (i = 0; i < n; i++)
		for (a = 0; a < t->nr_arms; a++)
			if (rows[i]->cells[a].n && (rows[i]->cells[a].min != 0 ||
						    rows[i]->cells[a].max != 0))
				return false;
	return true;
}

/*
 * A count the way the axes write it (gnuplot's "%.0s%c"): "5", "800",
 * "1.1k", "38k", "2.1M", "3.4G"; one format in every figure.
 */
static const char *short_count(char *buf, size_t len, double v)
{
	static const char prefixes[] = " kMGTPE";
	double x = fabs(v);
	size_t p = 0;

	if (x < 1000) {
		/* a median of counts may end in .5: whole from 10 on, "%g" of it never 1e+02 */
		snprintf(buf, len, x >= 10 || x == floor(x) ? "%.0f" : "%.2g", v);
		return buf;
	}
	while (x >= 999.5 && p + 1 < sizeof(prefixes) - 1) {
		x /= 1000;
		v /= 1000;
		p++;
	}
	if (x >= 999.5)
		snprintf(buf, len, "%.1e", v * pow(1000, (double)p));
	else
		snprintf(buf, len, x < 9.95 ? "%.1f%c" : "%.0f%c", v, prefixes[p]);
	return buf;
}

/* The widest bar label of these rows, in characters. */
static size_t labels_width(const struct cmp_table *t, const struct cmp_row *const *rows, size_t n)
{
	size_t i, a, most = 1, w;
	char text[32];

	for (i = 0; i < n; i++) {
		for (a = 0; a < t->nr_arms; a++) {
			if (!rows[i]->cells[a].n || !isfinite(rows[i]->cells[a].median))
				continue;
			w = strlen(short_count(text, sizeof(text), rows[i]->cells[a].median));
			most = w > most ? w : most;
		}
	}
	return most;
}

/*
 * One panel of bars in @width_px of the figure: median bars, min-max
 * whiskers, the median written over each bar, upright where it fits the
 * bar's width, else turned (labels side by side would run into each
 * other).
 */
static void bar_panel_script(FILE *gp, const struct cmp_table *t, const struct bar_panel *p,
			     const char *stem, int first_block, double width_px)
{
	const struct cmp_row *rows[4];
	size_t n = panel_rows(t, p, rows), i, a;
	double width = 0.8 / (double)t->nr_arms, top = 1, bar_px;
	bool turned;
	int clauses = 0;

	/* a group per row, 1.2 groups of margins; about 5 px a character at 8 pt */
	bar_px = width_px / ((double)n + 0.2) * width;
	turned = (double)labels_width(t, rows, n) * 5.2 + 4 > bar_px;
	fprintf(gp, "set title '%s: median of the runs, bars from min to max'\n", p->title);
	fprintf(gp, "set ylabel '%s'\nset grid ytics\nset style fill solid 0.8 noborder\n", p->ylabel);
	fprintf(gp, "set boxwidth %.4f absolute\nset xrange [-0.6:%.1f]\n", width, n - 0.4);
	for (i = 0; i < n; i++)
		for (a = 0; a < t->nr_arms; a++)
			if (rows[i]->cells[a].n && isfinite(rows[i]->cells[a].max))
				top = fmax(top, rows[i]->cells[a].max);
	/* room above the bars for the key and the labels; counts as the labels write them */
	fprintf(gp, "set logscale y\nset yrange [0.5:%g]\nset format y '%%.0s%%c'\n",
		fmin(top * (turned ? 300 : 50), DBL_MAX));
	fprintf(gp, "set xtics noenhanced rotate by -20 (");
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
		fputs(" noenhanced", gp);
		fprintf(gp, ", \\\n'%s.dat' index %d using 1:($2 > 0 ? $2 : NaN):($3 > 0 ? $3 : 0.5):4 with yerrorbars lc rgb '#333333' pt 7 ps 0.4 notitle",
			stem, first_block + (int)a);
		if (turned)
			fprintf(gp, ", \\\n'%s.dat' index %d using 1:($4 > 0.7 ? $4 : ($2 > 0.7 ? $2 : 0.7)):5 with labels rotate by 90 left offset 0,0.5 font ',8' notitle",
				stem, first_block + (int)a);
		else
			fprintf(gp, ", \\\n'%s.dat' index %d using 1:($4 > 0.7 ? $4 : ($2 > 0.7 ? $2 : 0.7)):5 with labels offset 0,0.7 font ',8' notitle",
				stem, first_block + (int)a);
	}
	fprintf(gp, "\n");
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

/*
 * What a panel left out says under the figure: "not shown: reclaim, 0 in
 * every run (reclaimed, refaults)", "not shown: shrinkers, not measured in
 * these runs". Our text: metric labels and panel titles.
 */
static void bar_panel_note(char *buf, size_t len, const struct cmp_table *t,
			   const struct bar_panel *p)
{
	const struct cmp_row *rows[4];
	size_t n = panel_rows(t, p, rows), i, used;

	if (!n) {
		snprintf(buf, len, "not shown: %s, not measured in these runs (n/a)", p->title);
		return;
	}
	used = (size_t)snprintf(buf, len, "not shown: %s, 0 in every run (", p->title);
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 rows[i]->m->label);
	if (used < len)
		snprintf(buf + used, len - used, ")");
}

static int plot_bars(const char *dir, const struct cmp_table *t, const char *base, char *stem,
		     size_t len)
{
	int block = 0, first[ARRAY_SIZE(bar_panels)], ret;
	char note_text[ARRAY_SIZE(bar_panels)][160];
	const char *notes[ARRAY_SIZE(bar_panels)];
	const struct cmp_row *rows[4];
	bool shown[ARRAY_SIZE(bar_panels)];
	size_t i, n, nr_shown = 0, nr_notes = 0, k = 0;
	double bottom, left;
	FILE *dat, *gp;

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
		n = panel_rows(t, &bar_panels[i], rows);
		/* a panel of nothing, or of bars all 0 (none shows on a log scale) */
		shown[i] = n && !panel_all_zero(t, rows, n);
		nr_shown += shown[i];
		if (!shown[i]) {
			bar_panel_note(note_text[nr_notes], sizeof(note_text[0]), t, &bar_panels[i]);
			notes[nr_notes] = note_text[nr_notes];
			nr_notes++;
		}
	}
	ret = plot_fclose(dat, dir, stem, "dat");
	if (ret)
		return ret;
	ret = plot_fopen(dir, stem, "gp", &gp);
	if (ret)
		return ret;
	gp_begin(gp, stem);
	fprintf(gp, "set multiplot title ");
	gp_str(gp, t->experiment);
	fprintf(gp, " . ': reclaim and shrinker activity per arm' noenhanced\n");
	gp_notes(gp, notes, nr_notes, 100);
	bottom = 0.12 + 0.035 * (double)nr_notes;
	if (!nr_shown)
		fprintf(gp, "unset border\nunset tics\nset xrange [0:1]\nset yrange [0:1]\nplot NaN notitle\n");
	for (i = 0; i < ARRAY_SIZE(bar_panels); i++) {
		if (!shown[i])
			continue;
		if (k)
			fprintf(gp, "reset\n");
		left = (double)k / (double)nr_shown;
		fprintf(gp, "set lmargin at screen %.3f\nset rmargin at screen %.3f\n",
			left + 0.10 / (double)nr_shown * 1.2, left + 1.0 / (double)nr_shown - 0.02);
		fprintf(gp, "set tmargin at screen 0.88\nset bmargin at screen %.3f\n", bottom);
		bar_panel_script(gp, t, &bar_panels[i], stem, first[i],
				 800.0 * (1.0 / (double)nr_shown - 0.14));
		fprintf(gp, "unset label\n");
		k++;
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
