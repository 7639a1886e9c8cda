// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/text.c: report, compare and drift tables for people and
 * email: at most 72 columns (too many arms wrap into blocks that repeat
 * the first arm), ASCII only, units scaled per metric row, mmtests-style
 * cells "value +-spread (+x.x%)" with "*" around a significant change of
 * a primary metric, the primaries and the exploratory metrics under their
 * own headings, n/a cells with their reasons as footnotes.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis/format.h"
#include "analysis/stats.h"
#include "analysis/text.h"
#include "common/err.h"
#include "common/util.h"

#define CELL_MAX	96
#define HEADER_MAX	12	/* longer arm names become letters */

/* --- grid --- */

int grid_init(struct grid *g, size_t nr_rows, size_t nr_cols, size_t sticky)
{
	g->nr_rows = nr_rows;
	g->nr_cols = nr_cols;
	g->sticky = sticky;
	g->cells = calloc(nr_rows * nr_cols, sizeof(*g->cells));
	g->heading = calloc(nr_rows, sizeof(*g->heading));
	if (g->cells && g->heading)
		return 0;
	grid_free(g);
	return err_set(ENOMEM, "table: out of memory");
}

/* Printable ASCII only: anything else becomes '?'. */
static void ascii_only(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

int grid_set(struct grid *g, size_t row, size_t col, const char *fmt, ...)
{
	char **cell = &g->cells[row * g->nr_cols + col];
	va_list ap;
	int ret;

	free(*cell);
	va_start(ap, fmt);
	ret = vasprintf(cell, fmt, ap);
	va_end(ap);
	if (ret < 0) {
		*cell = NULL;
		return err_set(ENOMEM, "table: out of memory");
	}
	ascii_only(*cell);
	return 0;
}

int grid_heading(struct grid *g, size_t row, const char *text)
{
	g->heading[row] = true;
	return grid_set(g, row, 0, "%s", text);
}

void grid_free(struct grid *g)
{
	size_t i;

	for (i = 0; g->cells && i < g->nr_rows * g->nr_cols; i++)
		free(g->cells[i]);
	free(g->cells);
	free(g->heading);
	g->cells = NULL;
	g->heading = NULL;
}

static const char *grid_get(const struct grid *g, size_t row, size_t col)
{
	const char *s = g->cells[row * g->nr_cols + col];

	return s ? s : "";
}

static void grid_block(FILE *out, const struct grid *g, const size_t *widths,
		       size_t first, size_t last)
{
	size_t r, c;
	int w;

	for (r = 0; r < g->nr_rows; r++) {
		char line[1024];
		size_t used = 0;

		if (g->heading[r]) {
			fprintf(out, "%.*s\n", TEXT_WIDTH, grid_get(g, r, 0));
			continue;
		}
		for (c = 0; c < g->nr_cols; c++) {
			if (c >= g->sticky && (c < first || c >= last))
				continue;
			w = (int)widths[c];
			if (c == 0)
				used += snprintf(line + used, sizeof(line) - used, "%-*.*s", w, w,
						 grid_get(g, r, c));
			else
				used += snprintf(line + used, sizeof(line) - used, "  %*.*s", w, w,
						 grid_get(g, r, c));
			if (used >= sizeof(line))
				used = sizeof(line) - 1;
		}
		while (used && line[used - 1] == ' ')
			line[--used] = '\0';
		fprintf(out, "%s\n", line);
	}
}

void grid_print(FILE *out, const struct grid *g, size_t width)
{
	size_t *widths = calloc(g->nr_cols, sizeof(*widths));
	size_t r, c, fixed = 0, first, used;

	if (!widths)
		return;
	for (c = 0; c < g->nr_cols; c++)
		for (r = 0; r < g->nr_rows; r++)
			if (!g->heading[r] && strlen(grid_get(g, r, c)) > widths[c])
				widths[c] = strlen(grid_get(g, r, c));
	/* the labels give way so that the sticky columns and one more fit */
	for (c = 1; c < g->sticky && c < g->nr_cols; c++)
		fixed += widths[c] + 2;
	for (c = g->sticky, used = 0; c < g->nr_cols; c++)
		if (widths[c] + 2 > used)
			used = widths[c] + 2;
	if (widths[0] + fixed + used > width && fixed + used + 8 < width)
		widths[0] = width - fixed - used;
	fixed += widths[0];
	/* a column that cannot fit even alone is cut */
	for (c = g->sticky; c < g->nr_cols; c++)
		if (fixed + 2 + widths[c] > width)
			widths[c] = fixed + 2 < width ? width - fixed - 2 : 1;
	first = g->sticky;
	do {
		used = fixed;
		for (c = first; c < g->nr_cols; c++) {
			if (c > first && used + 2 + widths[c] > width)
				break;
			used += 2 + widths[c];
		}
		if (first > g->sticky)
			fprintf(out, "\n");
		grid_block(out, g, widths, first, c);
		first = c;
	} while (first < g->nr_cols);
	free(widths);
}

/* --- lines of text --- */

void text_wrap(FILE *out, const char *text, size_t indent, size_t width)
{
	size_t col = 0, len;
	const char *p = text;

	while (*p) {
		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (!len)
			break;
		if (col && col + 1 + len > width) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col) {
			fputc(' ', out);
			col++;
		}
		/* a word longer than a line (a path, a name) is cut across lines */
		while (col + len > width && width > col) {
			fprintf(out, "%.*s\n%*s", (int)(width - col), p, (int)indent, "");
			p += width - col;
			len -= width - col;
			col = indent;
		}
		fprintf(out, "%.*s", (int)len, p);
		col += len;
		p += len;
	}
	fputc('\n', out);
}

/* One word of a command line, single-quoted if the shell would need it. */
static void shell_word(const char *w, char *buf, size_t len)
{
	size_t used = 0;
	const char *p;

	if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+%@") == strlen(w)) {
		snprintf(buf, len, "%s", w);
		return;
	}
	used += snprintf(buf, len, "'");
	for (p = w; *p && used + 5 < len; p++)
		used += *p == '\'' ? snprintf(buf + used, len - used, "'\\''") :
			snprintf(buf + used, len - used, "%c", *p);
	snprintf(buf + used, len - used, "'");
}

void text_command(FILE *out, int argc, char **argv)
{
	char word[512];
	size_t col, len;
	int i;

	fprintf(out, "$ kvmsqueeze");
	col = 12;
	for (i = 0; i < argc; i++) {
		shell_word(argv[i], word, sizeof(word));
		ascii_only(word);
		len = strlen(word);
		if (col + 1 + len + 2 > TEXT_WIDTH) {
			fprintf(out, " \\\n    ");
			col = 4;
		} else {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%s", word);
		col += len;
	}
	fputc('\n', out);
}

/* --- numbers --- */

static const char *fmt_floor(char *buf, size_t len, const struct cmp_row *r)
{
	if (isinf(r->floor))
		snprintf(buf, len, "inf");
	else if (r->floor * 100 < 9999.95)
		snprintf(buf, len, "%.1f%%", r->floor * 100);
	else	/* measured from medians far apart: a number too long for a cell */
		snprintf(buf, len, "%.2g%%", r->floor * 100);
	return buf;
}

/* A metric's name cut to fit, without a trailing space. */
static void short_label(char *buf, size_t len, const struct cmp_row *r)
{
	size_t n;

	snprintf(buf, len, "%.*s", METRIC_LABEL_MAX, r->m->label);
	n = strlen(buf);
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
}

static void row_label(char *buf, size_t len, const struct cmp_row *r, const struct row_fmt *f)
{
	char name[METRIC_LABEL_MAX + 1];

	short_label(name, sizeof(name), r);
	snprintf(buf, len, "%s (%s)", name, f->unit);
}

/* --- arms --- */

static const char *set_str(const struct cmp_table *t, size_t arm, const char *path)
{
	const char *s;

	if (!t->sets)
		return "-";
	s = result_str(t->sets[arm]->files[0], path);
	return s && *s ? s : "-";
}

/* Whether the column headers are the arms' names or letters. */
static bool use_letters(const struct cmp_table *t)
{
	size_t a;

	for (a = 0; a < t->nr_arms; a++)
		if (strlen(t->labels[a]) > HEADER_MAX)
			return true;
	return false;
}

static void arm_header(char *buf, size_t len, const struct cmp_table *t, size_t arm)
{
	if (use_letters(t))
		snprintf(buf, len, "%c", (char)('A' + arm % 26));
	else
		snprintf(buf, len, "%s", t->labels[arm]);
}

static size_t arm_runs(const struct cmp_table *t, size_t arm)
{
	size_t i, most = 0;

	if (t->sets)
		return t->sets[arm]->nr_files;
	for (i = 0; i < t->nr_rows; i++)
		if (t->rows[i].cells[arm].n + t->rows[i].cells[arm].n_na > most)
			most = t->rows[i].cells[arm].n + t->rows[i].cells[arm].n_na;
	return most;
}

/* "icount (shift 2)", "host" */
static void clock_str(char *buf, size_t len, const struct cmp_table *t, size_t arm)
{
	const struct result_file *f = t->sets ? t->sets[arm]->files[0] : NULL;
	struct json_object *shift = f ? json_path(f->root, "host.icount_shift") : NULL;

	if (!f)
		snprintf(buf, len, "-");
	else if (json_object_is_type(shift, json_type_int))
		snprintf(buf, len, "%s (shift %d)", result_clock(f), json_object_get_int(shift));
	else
		snprintf(buf, len, "%s", result_clock(f));
}

/*
 * ", base debian-6.12, series 1a2b3c4d, params kvm.eager_page_split=N":
 * what the arm's kernel was built from (arm), so that a table pasted
 * alone still says what was compared; "" for runs without it.
 */
static void arm_desc(char *buf, size_t len, const struct cmp_table *t, size_t arm)
{
	const struct result_set *s = t->sets ? t->sets[arm] : NULL;
	const char *base = s ? result_set_arm(s, "arm.base") : NULL;
	const char *hash, *params;

	buf[0] = '\0';
	if (!base)
		return;
	hash = result_set_arm(s, "arm.series_hash");
	params = result_set_arm(s, "arm.params");
	snprintf(buf, len, ", base %.300s, series %.80s, params %.600s", base,
		 hash && *hash ? hash : "-", params && *params ? params : "none");
}

/*
 * "a1: 5 runs, kernel 6.12.57, base debian-6.12, series 1a2b3c4d, params
 * none, mmu tdp, accel -, clock host, in /tmp/a1"
 */
static void arm_legend(FILE *out, const struct cmp_table *t, size_t arm)
{
	char line[2048], name[64], clock[64], note[200] = "", desc[1024];
	size_t n = arm_runs(t, arm);

	if (use_letters(t))
		snprintf(name, sizeof(name), "%c = ", (char)('A' + arm % 26));
	else
		name[0] = '\0';
	clock_str(clock, sizeof(clock), t, arm);
	arm_desc(desc, sizeof(desc), t, arm);
	if (t->sets && t->sets[arm]->label_note[0])
		snprintf(note, sizeof(note), " (%s)", t->sets[arm]->label_note);
	snprintf(line, sizeof(line), "%s%s%s: %zu run%s, kernel %s%s, mmu %s, accel %s, clock %s%s%s",
		 name, t->labels[arm], note, n, n == 1 ? "" : "s",
		 set_str(t, arm, "host.kernel_release"), desc,
		 set_str(t, arm, "host.mmu"), set_str(t, arm, "host.accel"), clock,
		 t->sets ? ", in " : "", t->sets ? t->sets[arm]->dir : "");
	ascii_only(line);
	text_wrap(out, line, 4, TEXT_WIDTH);
}

/*
 * Under the arms' legends: --force put kernels of different bases side by
 * side (the first two runs that differ), or some runs do not say which
 * base they ran on.
 */
static void arm_base_lines(FILE *out, const struct cmp_table *t)
{
	char line[1024], va[128], vb[128], missing[512];
	struct arm_diff d;
	size_t n;

	if (!t->sets)
		return;
	if (results_arms_differ(t->sets, t->nr_arms, &d)) {
		snprintf(va, sizeof(va), "%s", result_str(d.a, d.field));
		snprintf(vb, sizeof(vb), "%s", result_str(d.b, d.field));
		snprintf(line, sizeof(line), "FORCED: the kernels' bases differ (--force): %s %s in %s, %s in %s; a change is the bases' as much as the arms'.",
			 d.field, va, d.set_a->label, vb, d.set_b->label);
		ascii_only(line);
		text_wrap(out, line, 0, TEXT_WIDTH);
	}
	n = results_arms_missing(t->sets, t->nr_arms, missing, sizeof(missing));
	if (n) {
		snprintf(line, sizeof(line), "Note: runs of %s do not say which kernel base they ran on (no arm: an older result, or a run off the lab); their base is not checked against the others'.",
			 missing);
		ascii_only(line);
		text_wrap(out, line, 0, TEXT_WIDTH);
	}
}

/* --- notes under a table --- */

struct note {
	char *text;
	size_t len, cap;
};

static void note_add(struct note *n, const char *sep, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note_add(struct note *n, const char *sep, const char *fmt, ...)
{
	char *item;
	size_t need;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&item, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	need = n->len + strlen(sep) + (size_t)len + 1;
	if (need > n->cap) {
		char *p = realloc(n->text, need * 2);

		if (!p) {
			free(item);
			return;
		}
		n->text = p;
		n->cap = need * 2;
	}
	n->len += sprintf(n->text + n->len, "%s%s", n->len ? sep : "", item);
	free(item);
}

static void note_print(FILE *out, struct note *n, const char *head, const char *tail)
{
	char *line;

	if (!n->len)
		return;
	if (asprintf(&line, "%s%s%s", head, n->text, tail) >= 0) {
		ascii_only(line);
		text_wrap(out, line, 2, TEXT_WIDTH);
		free(line);
	}
	free(n->text);
	memset(n, 0, sizeof(*n));
}

/*
 * Why a cell is n/a, numbered under the table: "n/a[1]: source
 * 'shrink_trace' unavailable: <why>" from the runs' sources[], else that
 * the metric is null with no source to blame.
 */
#define FOOTNOTES_MAX	26

struct footnotes {
	char *reason[FOOTNOTES_MAX];
	size_t n;
};

static void na_reason(char *buf, size_t len, const struct cmp_table *t, size_t row, size_t arm)
{
	const char *source, *why;

	if (!cmp_cell_na_source(t, row, arm, &source, &why))
		snprintf(buf, len, "source '%s' unavailable%s%s", source, *why ? ": " : "", why);
	else if (!cmp_cell_na_why(t, row, arm, &why))
		snprintf(buf, len, "%s", why);
	else
		snprintf(buf, len, "null in every run; no source of it was reported unavailable");
}

/* The reason's number from 1, added if new; 0 when there are too many. */
static size_t footnote_ref(struct footnotes *fn, const struct cmp_table *t, size_t row,
			   size_t arm)
{
	char reason[768];
	size_t i;

	na_reason(reason, sizeof(reason), t, row, arm);
	for (i = 0; i < fn->n; i++)
		if (!strcmp(fn->reason[i], reason))
			return i + 1;
	if (fn->n == FOOTNOTES_MAX || !(fn->reason[fn->n] = strdup(reason)))
		return 0;
	return ++fn->n;
}

static void footnotes_free(struct footnotes *fn)
{
	size_t i;

	for (i = 0; i < fn->n; i++)
		free(fn->reason[i]);
	fn->n = 0;
}

static void footnotes_print(FILE *out, struct footnotes *fn)
{
	char line[1024];
	size_t i;

	for (i = 0; i < fn->n; i++) {
		snprintf(line, sizeof(line), "n/a[%zu]: %s.", i + 1, fn->reason[i]);
		ascii_only(line);
		text_wrap(out, line, 2, TEXT_WIDTH);
	}
	footnotes_free(fn);
}

/* "[1]", "[1,2]": the reasons of the arms without a value of @row. */
static void row_refs(char *buf, size_t len, struct footnotes *fn, const struct cmp_table *t,
		     size_t row)
{
	size_t a, b, ref, used = 0, refs[FOOTNOTES_MAX + 1] = { 0 }, n = 0;

	buf[0] = '\0';
	for (a = 0; a < t->nr_arms; a++) {
		if (t->rows[row].cells[a].n)
			continue;
		ref = footnote_ref(fn, t, row, a);
		for (b = 0; b < n && refs[b] != ref; b++)
			;
		if (ref && b == n && n < FOOTNOTES_MAX)
			refs[n++] = ref;
	}
	for (a = 1; a < n; a++)		/* in order: few, so insertion */
		for (b = a; b > 0 && refs[b - 1] > refs[b]; b--) {
			ref = refs[b];
			refs[b] = refs[b - 1];
			refs[b - 1] = ref;
		}
	for (b = 0; b < n && used < len; b++)
		used += snprintf(buf + used, len - used, "%s%zu", b ? "," : "[", refs[b]);
	if (n && used < len)
		snprintf(buf + used, len - used, "]");
}

/*
 * The rows n/a in every run of every arm, grouped by their reasons:
 * "page tables peak, refaults (n/a[1]); KVM shrinker calls (n/a[2])".
 */
static void hidden_rows(struct note *all, struct footnotes *fn, const struct cmp_table *t)
{
	char (*refs)[64] = calloc(t->nr_rows, sizeof(*refs));
	struct note group = { 0 };
	size_t i, j;

	if (!refs)
		return;
	for (i = 0; i < t->nr_rows; i++)
		if (cmp_row_all_na(t, i))
			row_refs(refs[i], sizeof(refs[i]), fn, t, i);
	for (i = 0; i < t->nr_rows; i++) {
		if (!cmp_row_all_na(t, i))
			continue;
		for (j = 0; j < i; j++)
			if (cmp_row_all_na(t, j) && !strcmp(refs[j], refs[i]))
				break;
		if (j < i)
			continue;	/* its group is listed */
		for (j = i; j < t->nr_rows; j++)
			if (cmp_row_all_na(t, j) && !strcmp(refs[j], refs[i]))
				note_add(&group, ", ", "%s", t->rows[j].m->label);
		note_add(all, "; ", "%s%s%s%s", group.text ? group.text : "", *refs[i] ? " (n/a" : "",
			 refs[i], *refs[i] ? ")" : "");
		free(group.text);
		memset(&group, 0, sizeof(group));
	}
	free(refs);
}

/* Under a table: the metrics left out or partly n/a, then the footnotes. */
static void na_notes(FILE *out, const struct cmp_table *t, struct footnotes *fn)
{
	struct note all = { 0 }, some = { 0 };
	size_t i, a;

	hidden_rows(&all, fn, t);
	for (i = 0; i < t->nr_rows; i++) {
		const struct cmp_row *r = &t->rows[i];

		for (a = 0; a < t->nr_arms; a++)
			if (r->cells[a].n_na && r->cells[a].n)
				note_add(&some, "; ", "%s in %zu of %zu runs of %s", r->m->label,
					 r->cells[a].n_na, r->cells[a].n + r->cells[a].n_na,
					 t->labels[a]);
	}
	note_print(out, &all, "n/a in every run (null in the results, not 0), not shown: ", ".");
	note_print(out, &some, "n/a in some runs (left out of their medians): ", ".");
	footnotes_print(out, fn);
}

/* Repetitions per arm that would let the smallest p-value pass Holm. */
static size_t runs_needed(size_t family, double alpha)
{
	size_t n;

	for (n = 2; n < 100; n++)
		if (stats_perm_min_p(n, n) * (double)family < alpha)
			return n;
	return n;
}

/*
 * Holm multiplies the smallest p by the number of primaries tested: with
 * too few runs even two arms apart in every run cannot get below alpha.
 */
static void power_notes(FILE *out, const struct cmp_table *t, double alpha)
{
	char line[512];
	double min_p;
	size_t a, k;

	for (a = 1; a < t->nr_arms; a++) {
		k = cmp_family(t, a);
		if (!k)
			continue;
		min_p = cmp_min_p(t, a);
		if (min_p * (double)k < alpha)
			continue;
		snprintf(line, sizeof(line),
			 "%s: no change can be significant: the smallest p-value %zu and %zu runs can give is %.4f, and Holm over %zu primar%s makes it %.4f, not below %.2f (run %zu or more per arm%s).",
			 t->labels[a], arm_runs(t, 0), arm_runs(t, a), min_p, k, k == 1 ? "y" : "ies",
			 fmin(1, min_p * (double)k), alpha, runs_needed(k, alpha),
			 k > 1 ? ", or name fewer primaries" : "");
		ascii_only(line);
		text_wrap(out, line, 2, TEXT_WIDTH);
	}
}

static void primary_line(FILE *out, const struct cmp_table *t);

static void forced_runs_line(FILE *out, const struct text_opts *o)
{
	char line[256];

	if (!o->forced_runs)
		return;
	snprintf(line, sizeof(line), "FORCED: %zu run%s that did not end well or never applied %s pressure %s counted (--force).",
		 o->forced_runs, o->forced_runs == 1 ? "" : "s", o->forced_runs == 1 ? "its" : "their",
		 o->forced_runs == 1 ? "is" : "are");
	text_wrap(out, line, 0, TEXT_WIDTH);
}

/* --- report --- */

int text_report(FILE *out, const struct cmp_table *t, const struct text_opts *o)
{
	struct footnotes fn = { 0 };
	char buf[CELL_MAX], lo[CELL_MAX], hi[CELL_MAX];
	struct grid g;
	struct row_fmt f;
	size_t i, row = 1, shown = 0;
	int ret;

	for (i = 0; i < t->nr_rows; i++)
		shown += !cmp_row_all_na(t, i);
	ret = grid_init(&g, shown + 1, 6, 1);
	if (ret)
		return ret;
	grid_set(&g, 0, 0, "metric (unit)");
	grid_set(&g, 0, 1, "runs");
	grid_set(&g, 0, 2, "median");
	grid_set(&g, 0, 3, "min");
	grid_set(&g, 0, 4, "max");
	grid_set(&g, 0, 5, "%.0f%% CI", o->cmp->level * 100);
	for (i = 0; i < t->nr_rows; i++) {
		const struct cmp_row *r = &t->rows[i];
		const struct cmp_cell *c = &r->cells[0];

		if (cmp_row_all_na(t, i))
			continue;
		row_fmt(&f, t, r);
		row_label(buf, sizeof(buf), r, &f);
		grid_set(&g, row, 0, "%s", buf);
		if (c->n_na)
			grid_set(&g, row, 1, "%zu/%zu", c->n, c->n + c->n_na);
		else
			grid_set(&g, row, 1, "%zu", c->n);
		grid_set(&g, row, 2, "%s", fmt_value(buf, sizeof(buf), &f, c->median));
		grid_set(&g, row, 3, "%s", fmt_value(buf, sizeof(buf), &f, c->min));
		grid_set(&g, row, 4, "%s", fmt_value(buf, sizeof(buf), &f, c->max));
		if (isnan(c->ci_lo))
			grid_set(&g, row, 5, "-");
		else
			grid_set(&g, row, 5, "%s..%s", fmt_value(lo, sizeof(lo), &f, c->ci_lo),
				 fmt_value(hi, sizeof(hi), &f, c->ci_hi));
		row++;
	}
	snprintf(buf, sizeof(buf), "== %s, %s ==", t->experiment ? t->experiment : "-",
		 t->labels[0]);
	ascii_only(buf);
	text_wrap(out, buf, 3, TEXT_WIDTH);
	arm_legend(out, t, 0);
	arm_base_lines(out, t);
	if (o->forced)
		text_wrap(out, "FORCED: the runs of some set differ in kernel base, spec, MMU mode, accel or clock, or sets of different kernel bases are plotted together (--force).",
			  0, TEXT_WIDTH);
	forced_runs_line(out, o);
	if (t->nr_primary)
		primary_line(out, t);
	fprintf(out, "\n");
	grid_print(out, &g, TEXT_WIDTH);
	grid_free(&g);
	fprintf(out, "\n");
	text_wrap(out, "One value per run; median, range and a bootstrap interval of the median (percentile method) over the runs; runs: with a value/all.",
		  0, TEXT_WIDTH);
	na_notes(out, t, &fn);
	return 0;
}

/* --- compare --- */

/*
 * The primaries first, under a heading, then the exploratory metrics under
 * theirs; without primaries, no headings. Rows n/a everywhere are left out.
 */
enum section { SECTION_PRIMARY, SECTION_EXPLORATORY, NR_SECTIONS };

static bool row_in(const struct cmp_table *t, size_t i, enum section s)
{
	return !cmp_row_all_na(t, i) && t->rows[i].primary == (s == SECTION_PRIMARY);
}

/* Lines a grid needs for the rows and headings of @t. */
static size_t section_lines(const struct cmp_table *t)
{
	size_t i, lines = 0, in[NR_SECTIONS] = { 0 };
	int s;

	for (i = 0; i < t->nr_rows; i++)
		for (s = 0; s < NR_SECTIONS; s++)
			in[s] += row_in(t, i, (enum section)s);
	for (s = 0; s < NR_SECTIONS; s++)
		lines += in[s] + (t->nr_primary && in[s]);
	return lines;
}

typedef void (*row_fill_fn)(struct grid *g, size_t line, const struct cmp_table *t,
			    size_t row, struct footnotes *fn);

/* Fill the grid from line @line on, section by section. */
static void sections_fill(struct grid *g, size_t line, const struct cmp_table *t,
			  const char *const *headings, row_fill_fn fill, struct footnotes *fn)
{
	size_t i, shown;
	int s;

	for (s = 0; s < NR_SECTIONS; s++) {
		for (i = 0, shown = 0; i < t->nr_rows; i++)
			shown += row_in(t, i, (enum section)s);
		if (!shown)
			continue;
		if (t->nr_primary)
			grid_heading(g, line++, headings[s]);
		for (i = 0; i < t->nr_rows; i++)
			if (row_in(t, i, (enum section)s))
				fill(g, line++, t, i, fn);
	}
}

/* "5.00 +-1.2%", "6.50 +-0.8% (*+30.0%*)", "n/a[1]" */
static void compare_cell(char *buf, size_t len, const struct row_fmt *f,
			 const struct cmp_cell *c, bool baseline, size_t ref)
{
	char val[40], spread[16], chg[16], sep[2] = "";

	if (!c->n) {
		if (ref)
			snprintf(buf, len, "n/a[%zu]", ref);
		else
			snprintf(buf, len, "n/a");
		return;
	}
	fmt_value(val, sizeof(val), f, c->median);
	fmt_spread(spread, sizeof(spread), f, c);
	if (*spread)
		sep[0] = ' ';
	if (baseline || isnan(c->change))
		snprintf(buf, len, "%s%s%s", val, sep, spread);
	else
		snprintf(buf, len, "%s%s%s (%s%s%s)", val, sep, spread, c->significant ? "*" : "",
			 fmt_change(chg, sizeof(chg), c->change), c->significant ? "*" : "");
}

static void compare_row(struct grid *g, size_t line, const struct cmp_table *t, size_t row,
			struct footnotes *fn)
{
	const struct cmp_row *r = &t->rows[row];
	char buf[CELL_MAX];
	struct row_fmt f;
	size_t a;

	row_fmt(&f, t, r);
	row_label(buf, sizeof(buf), r, &f);
	grid_set(g, line, 0, "%s", buf);
	for (a = 0; a < t->nr_arms; a++) {
		compare_cell(buf, sizeof(buf), &f, &r->cells[a], a == 0,
			     r->cells[a].n ? 0 : footnote_ref(fn, t, row, a));
		grid_set(g, line, a + 1, "%s", buf);
	}
}

static const char *const value_headings[NR_SECTIONS] = {
	[SECTION_PRIMARY] = "primary:",
	[SECTION_EXPLORATORY] = "exploratory (never starred):",
};

static int compare_grid(struct grid *g, const struct cmp_table *t, struct footnotes *fn)
{
	char head[CELL_MAX];
	size_t a;
	int ret;

	ret = grid_init(g, section_lines(t) + 1, t->nr_arms + 1, 2);
	if (ret)
		return ret;
	grid_set(g, 0, 0, "metric (unit)");
	for (a = 0; a < t->nr_arms; a++) {
		arm_header(head, sizeof(head), t, a);
		grid_set(g, 0, a + 1, "%s", head);
	}
	sections_fill(g, 1, t, value_headings, compare_row, fn);
	return 0;
}

static void pvalue_row(struct grid *g, size_t line, const struct cmp_table *t, size_t row,
		       struct footnotes *fn)
{
	const struct cmp_row *r = &t->rows[row];
	char buf[CELL_MAX], p[CELL_MAX], holm[CELL_MAX];
	size_t a;

	short_label(buf, sizeof(buf), r);
	grid_set(g, line, 0, "%s", buf);
	grid_set(g, line, 1, "%s", fmt_floor(buf, sizeof(buf), r));
	for (a = 1; a < t->nr_arms; a++) {
		const struct cmp_cell *c = &r->cells[a];

		fmt_p(p, sizeof(p), c->p_raw);
		if (r->primary)
			grid_set(g, line, a + 1, "%7s %7s%c", p, fmt_p(holm, sizeof(holm), c->p_holm),
				 c->significant ? '*' : ' ');
		else
			grid_set(g, line, a + 1, "%7s %8s", p, "");
	}
}

static const char *const pvalue_headings[NR_SECTIONS] = {
	[SECTION_PRIMARY] = "primary (Holm over these):",
	[SECTION_EXPLORATORY] = "exploratory (raw p, not corrected, never starred):",
};

/* Two header rows: the arm, then "p" and "Holm" in one cell per arm. */
static int pvalue_grid(struct grid *g, const struct cmp_table *t)
{
	char head[CELL_MAX];
	size_t a;
	int ret;

	ret = grid_init(g, section_lines(t) + 2, t->nr_arms + 1, 2);
	if (ret)
		return ret;
	grid_set(g, 1, 0, "metric");
	grid_set(g, 1, 1, "floor");
	for (a = 1; a < t->nr_arms; a++) {
		arm_header(head, sizeof(head), t, a);
		grid_set(g, 0, a + 1, "%s", head);
		grid_set(g, 1, a + 1, "%7s %8s", "p", "Holm");
	}
	sections_fill(g, 2, t, pvalue_headings, pvalue_row, NULL);
	return 0;
}

/* The labels of a list of metrics, "fault p50, fault p99". */
static void labels_of(char *buf, size_t len, const struct metric *const *m, size_t n)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", m[i]->label);
}

/* Which metrics are primary and where that came from, or that none is. */
static void primary_line(FILE *out, const struct cmp_table *t)
{
	const struct metric *p[64];
	char names[1024], spec[1024], line[2304];
	const char *end;
	size_t i, n = 0;

	if (!t->nr_primary) {
		text_wrap(out, "No primary metrics: the spec names none, so nothing is tested for significance and nothing is starred; every p below is raw. Name them with --primary ID[,ID...] (the ids of the metric column of --format csv).",
			  0, TEXT_WIDTH);
		return;
	}
	for (i = 0; i < t->nr_primary && n < ARRAY_SIZE(p); i++)
		p[n++] = t->rows[i].m;
	labels_of(names, sizeof(names), p, n);
	/* a label may end in a full stop ("faults after press.") */
	end = names[0] && names[strlen(names) - 1] == '.' ? "" : ".";
	if (t->nr_spec_primary) {
		labels_of(spec, sizeof(spec), t->spec_primary, t->nr_spec_primary);
		snprintf(line, sizeof(line), "Primary (%s, in place of the spec's: %s): %s%s",
			 t->primary_from, spec, names, end);
	} else {
		snprintf(line, sizeof(line), "Primary (%s): %s%s", t->primary_from, names, end);
	}
	ascii_only(line);
	text_wrap(out, line, 0, TEXT_WIDTH);
}

static void floors_line(FILE *out, const struct cmp_table *t, const struct text_opts *o)
{
	bool icount = cmp_table_icount(t);
	char line[1024], dflt[160], least[96] = "";
	size_t i, measured = 0;

	if (o->default_floor >= 0)
		snprintf(dflt, sizeof(dflt), "%.1f%%", o->default_floor * 100);
	else if (icount)
		snprintf(dflt, sizeof(dflt), "%.1f%% for times and rates (every run on the instruction clock), %.0f%% for the rest",
			 CMP_ICOUNT_FLOOR * 100, CMP_DEFAULT_FLOOR * 100);
	else
		snprintf(dflt, sizeof(dflt), "%.0f%%", CMP_DEFAULT_FLOOR * 100);
	if (icount)
		snprintf(least, sizeof(least), ", %.1f%% for times and rates on the instruction clock",
			 CMP_ICOUNT_MIN_FLOOR * 100);
	for (i = 0; i < t->nr_rows; i++)
		measured += !cmp_row_all_na(t, i) && t->rows[i].floor_sets;
	if (!o->floors_from)
		snprintf(line, sizeof(line), "Floors: the default %s (--noise DIR measures them from A/A runs).",
			 dflt);
	else
		snprintf(line, sizeof(line), "Floors: measured from the A/A sets in %s for %zu metrics (the largest relative difference between their medians, at least %.0f%%%s); %s for the others.",
			 o->floors_from, measured, CMP_MIN_FLOOR * 100, least, dflt);
	ascii_only(line);
	text_wrap(out, line, 0, TEXT_WIDTH);
}

/* The experiment, or every experiment of a table --force put together. */
static void table_title(char *buf, size_t len, const struct cmp_table *t)
{
	size_t a, b, used = 0;

	snprintf(buf, len, "%s", t->experiment ? t->experiment : "-");
	for (a = 0; t->sets && a < t->nr_arms; a++) {
		for (b = 0; b < a; b++)
			if (!strcmp(t->sets[b]->experiment, t->sets[a]->experiment))
				break;
		if (b < a)
			continue;
		used += snprintf(buf + used, len > used ? len - used : 0, "%s%s",
				 a ? " vs " : "", t->sets[a]->experiment);
	}
}

/* The instruction clock's ns per instruction, or 0 when not every run is on it. */
static double ns_per_insn(const struct cmp_table *t)
{
	struct json_object *shift;

	if (!cmp_table_icount(t))
		return 0;
	shift = json_path(t->sets[0]->files[0]->root, "host.icount_shift");
	if (!json_object_is_type(shift, json_type_int) || json_object_get_int(shift) < 0 ||
	    json_object_get_int(shift) > 10)
		return 0;
	return (double)(1 << json_object_get_int(shift));
}

/* --mde: per primary and arm, the smallest change it could have starred. */
static int mde_notes(FILE *out, const struct cmp_table *t, double alpha)
{
	double insn = ns_per_insn(t);
	char head[CELL_MAX], line[768];
	struct grid g;
	size_t a, i;
	int ret;

	if (!t->nr_primary || t->nr_arms < 2)
		return 0;
	ret = grid_init(&g, t->nr_primary + 2, t->nr_arms, 1);
	if (ret)
		return ret;
	grid_set(&g, 1, 0, "metric");
	for (a = 1; a < t->nr_arms; a++) {
		arm_header(head, sizeof(head), t, a);
		grid_set(&g, 0, a, "%s", head);
		grid_set(&g, 1, a, "%8s %11s", "change", insn ? "insns" : "");
	}
	for (i = 0; i < t->nr_primary; i++) {
		const struct cmp_row *r = &t->rows[i];

		grid_set(&g, i + 2, 0, "%s", r->m->label);
		for (a = 1; a < t->nr_arms; a++) {
			const struct cmp_cell *c = &r->cells[a];
			double d = c->mde * fabs(r->cells[0].median);

			if (isnan(c->mde))
				grid_set(&g, i + 2, a, "%8s %11s", "-", "");
			else if (insn && r->m->unit == UNIT_NS)
				grid_set(&g, i + 2, a, "%7.2f%% %11.0f", c->mde * 100, d / insn);
			else
				grid_set(&g, i + 2, a, "%7.2f%% %11s", c->mde * 100, "");
		}
	}
	fprintf(out, "\n");
	snprintf(line, sizeof(line), "Smallest detectable change (--mde): for each primary, the least change of the median that would have been starred, either way: the arm's runs, keeping their own spread, moved against the baseline's median until p times the primaries tested is below %.2f and the change clears the floor. \"-\": none could be, with these runs.",
		 alpha);
	if (insn)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " insns: a time's change in the lab's instructions (every run is on the instruction clock, %.0f ns an instruction); for a mean per event (a fault, an access), the instructions each event would have had to gain.",
			 insn);
	ascii_only(line);
	text_wrap(out, line, 0, TEXT_WIDTH);
	fprintf(out, "\n");
	grid_print(out, &g, TEXT_WIDTH);
	grid_free(&g);
	return 0;
}

int text_compare(FILE *out, const struct cmp_table *t, const struct text_opts *o)
{
	struct footnotes fn = { 0 };
	char title[256];
	char line[1024];
	struct grid g;
	size_t a;
	int ret;

	ret = compare_grid(&g, t, &fn);
	if (ret)
		return ret;
	table_title(title, sizeof(title), t);
	snprintf(line, sizeof(line), "== %s ==", title);
	ascii_only(line);
	text_wrap(out, line, 3, TEXT_WIDTH);
	for (a = 0; a < t->nr_arms; a++)
		arm_legend(out, t, a);
	arm_base_lines(out, t);
	if (o->forced)
		text_wrap(out, "FORCED: these runs differ in kernel base, spec, MMU mode, accel or clock (--force).",
			  0, TEXT_WIDTH);
	forced_runs_line(out, o);
	if (t->nr_arms > 1)
		primary_line(out, t);
	fprintf(out, "\n");
	grid_print(out, &g, TEXT_WIDTH);
	grid_free(&g);
	fprintf(out, "\n");
	snprintf(line, sizeof(line), "Cells: the median over the runs, +- half their interquartile range as a share of the median (in the row's unit where the median is 0; a spread of the runs, not an interval), and the change of the medians against %s. *x%%*: significant: a primary metric whose permutation test gives p < %.2f after Holm over the primaries, with a change above the metric's noise floor.",
		 t->labels[0], o->cmp->alpha);
	ascii_only(line);
	text_wrap(out, line, 0, TEXT_WIDTH);
	if (t->nr_arms < 2) {
		na_notes(out, t, &fn);
		return 0;
	}
	ret = pvalue_grid(&g, t);
	if (ret) {
		footnotes_free(&fn);
		return ret;
	}
	fprintf(out, "\n");
	grid_print(out, &g, TEXT_WIDTH);
	grid_free(&g);
	fprintf(out, "\n");
	text_wrap(out, "p: two-sided permutation test of the difference in medians (splits with equal medians ordered by their means; every split of the runs when there are at most 100000, else 100000 random ones; \"-\": not tested: fewer than 2 runs, or every value equal). Holm: adjusted over the primaries tested in that column. An exploratory p is raw: of many metrics, about 1 in 20 falls below 0.05 by chance.",
		  0, TEXT_WIDTH);
	floors_line(out, t, o);
	na_notes(out, t, &fn);
	power_notes(out, t, o->cmp->alpha);
	return o->mde ? mde_notes(out, t, o->cmp->alpha) : 0;
}

/* --- drift --- */

static int drift_grid(struct grid *g, const struct drift *d, double alpha)
{
	char name[METRIC_LABEL_MAX + 1], p[CELL_MAX];
	size_t i;
	int ret;

	ret = grid_init(g, d->nr_rows + 1, 5, 1);
	if (ret)
		return ret;
	grid_set(g, 0, 0, "metric");
	grid_set(g, 0, 1, "runs");
	grid_set(g, 0, 2, "rho");
	grid_set(g, 0, 3, "p");
	for (i = 0; i < d->nr_rows; i++) {
		const struct drift_row *r = &d->rows[i];

		snprintf(name, sizeof(name), "%s", r->m->label);
		grid_set(g, i + 1, 0, "%s", name);
		grid_set(g, i + 1, 1, "%zu", r->n);
		if (isnan(r->rho))
			grid_set(g, i + 1, 2, "-");
		else
			grid_set(g, i + 1, 2, "%+.2f", r->rho);
		grid_set(g, i + 1, 3, "%s", fmt_p(p, sizeof(p), r->p));
		if (r->p < alpha)
			grid_set(g, i + 1, 4, "follows the run order");
	}
	return 0;
}

/* "fault p50, fault p99": the metrics that follow the run order. */
static void drift_verdict(FILE *out, const struct drift *d, double alpha)
{
	struct note followers = { 0 };
	size_t i, n = 0;
	char tail[256];

	for (i = 0; i < d->nr_rows; i++) {
		if (!(d->rows[i].p < alpha))
			continue;
		note_add(&followers, ", ", "%s", d->rows[i].m->label);
		n++;
	}
	snprintf(tail, sizeof(tail), " follow%s the order the runs were taken in (p < %.2f): differences between arms there may be drift, not the kernel.",
		 n == 1 ? "s" : "", alpha);
	note_print(out, &followers, "", tail);
}

int text_drift(FILE *out, const struct drift *d, bool all, double alpha)
{
	char line[512];
	struct grid g;
	int ret;

	fprintf(out, "\n");
	if (!d->order) {
		text_wrap(out, "Drift: no run has run.block or run.started_at: no order to test against.",
			  0, TEXT_WIDTH);
		return 0;
	}
	if (!d->nr_rows) {
		text_wrap(out, all ? "Drift: no metric has a value." :
			  "Drift: no primary metrics to test (--drift=all tests every metric).",
			  0, TEXT_WIDTH);
		return 0;
	}
	snprintf(line, sizeof(line), "Drift: Spearman's rho of each run's value, less its arm's median, against its %s, and p from %d permutations of the runs within each arm (raw, not corrected).",
		 strcmp(d->order, "run.block") ? "start time (run.started_at; no run has run.block)" :
		 "block of the plan (run.block)", STATS_RANK_PERMS);
	text_wrap(out, line, 0, TEXT_WIDTH);
	fprintf(out, "\n");
	ret = drift_grid(&g, d, alpha);
	if (ret)
		return ret;
	grid_print(out, &g, TEXT_WIDTH);
	grid_free(&g);
	if (d->left_out) {
		snprintf(line, sizeof(line), "Left out: %zu of %zu runs without %s.", d->left_out,
			 d->runs, d->order);
		text_wrap(out, line, 0, TEXT_WIDTH);
	}
	drift_verdict(out, d, alpha);
	return 0;
}

int text_tables(FILE *out, const char *cmd, struct cmp_table *const *list, size_t n,
		const struct text_opts *o,
		int (*one)(FILE *out, const struct cmp_table *t, const struct text_opts *o),
		const struct drift *drifts, bool drift_all, int argc, char **argv)
{
	size_t k;
	int ret = 0;

	fprintf(out, "kvmsqueeze %s (seed %llu, %u bootstrap resamples)\n", cmd,
		(unsigned long long)o->cmp->seed, o->cmp->resamples);
	text_command(out, argc, argv);
	for (k = 0; k < n && !ret; k++) {
		fprintf(out, "\n");
		ret = one(out, list[k], o);
		if (!ret && drifts)
			ret = text_drift(out, &drifts[k], drift_all, o->cmp->alpha);
	}
	return ret;
}
