// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/html.c: index.html in the --plots directory of report and
 * compare, a page to browse: the command line that made it, where the
 * runs came from (kernel release, arm, the base its kernel was built on,
 * patch series hash, boot parameters, clock, machine)
 * with links to the raw result files, each table with its stars and why
 * each n/a is one, the text tables as printed, and every plot inline.
 *
 * Everything from a result is untrusted: it reaches the page only
 * through html_escape() (text) or url_put() (links), images only as
 * data: URIs in <img> (an SVG there runs no script and cannot break the
 * page's markup), and a Content-Security-Policy lets the page load or
 * run nothing at all, so it also works offline, as a mail attachment.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "analysis/format.h"
#include "analysis/html.h"
#include "common/err.h"

#define IMAGE_MAX	(64u << 20)	/* an image larger than this is linked, not inlined */

void html_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			/* control characters and bytes that may not be UTF-8 */
			fputc((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f ? '?' : c, out);
		}
	}
}

/* A relative link: every byte but unreserved ones and '/' percent-encoded. */
static void url_put(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~/", c))
			fputc(c, out);
		else
			fprintf(out, "%%%02X", c);
	}
}

static void base64_put(FILE *out, const unsigned char *p, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long v;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
		fputc(b64[v >> 18 & 63], out);
		fputc(b64[v >> 12 & 63], out);
		fputc(b64[v >> 6 & 63], out);
		fputc(b64[v & 63], out);
	}
	if (i < n) {
		v = (unsigned long)p[i] << 16 | (i + 1 < n ? (unsigned long)p[i + 1] << 8 : 0);
		fputc(b64[v >> 18 & 63], out);
		fputc(b64[v >> 12 & 63], out);
		fputc(i + 1 < n ? b64[v >> 6 & 63] : '=', out);
		fputc('=', out);
	}
}

/* A whole regular file, at most IMAGE_MAX bytes; NULL otherwise. */
static unsigned char *file_slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	struct stat st;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (unsigned long long)st.st_size <= IMAGE_MAX) {
		buf = malloc((size_t)st.st_size);
		if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)st.st_size;
	}
	fclose(f);
	return buf;
}

/* @to (a file) relative to the directory @from, both made absolute. */
static void rel_path(char *buf, size_t len, const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];
	size_t i, common = 0;
	int off = 0;

	if (!realpath(from, a) || !realpath(to, b)) {
		snprintf(buf, len, "%s", to);
		return;
	}
	for (i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			common = i;
	if (!a[i] && b[i] == '/')
		common = i;
	if (!strcmp(a, "/"))
		common = 0;
	/* one "../" per directory of @from below the common part */
	for (i = common; a[i]; i++)
		if (a[i] == '/' && a[i + 1] && off < (int)len)
			off += snprintf(buf + off, len - (size_t)off, "../");
	if (off < (int)len)
		snprintf(buf + off, len - (size_t)off, "%s", b + common + 1);
}

static const char style[] =
	"body{font:14px/1.45 sans-serif;margin:1.5em auto;max-width:70em;padding:0 1em;"
	"color:#1a1a1a;background:#fff}\n"
	"h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:2em}"
	"h3{font-size:1.05em}\n"
	"pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;overflow-x:auto;"
	"font:12.5px/1.35 monospace}\n"
	"table{border-collapse:collapse;margin:.5em 0}"
	"th,td{border:1px solid #ccc;padding:.2em .5em;vertical-align:top}\n"
	"th{background:#eef}td.n{text-align:right;white-space:nowrap}"
	"tr.sec td{background:#f3f3f3;font-style:italic}\n"
	".star{background:#ffe08a;font-weight:bold}.na{color:#a33}"
	".why{display:block;font-size:.85em;color:#666;white-space:normal;max-width:24em}\n"
	"figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}"
	"figcaption{font-size:.9em;color:#444}.note{color:#555}.warn{color:#a33}\n";

static void page_head(FILE *out, const struct html_page *p)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", out);
	/* nothing to load and nothing to run: offline, and inert whatever a result holds */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "img-src data:; style-src 'unsafe-inline'\">\n", out);
	fprintf(out, "<title>kvmsqueeze %s</title>\n<style>\n%s</style>\n</head>\n<body>\n",
		p->cmd, style);
	fprintf(out, "<h1>kvmsqueeze %s</h1>\n", p->cmd);
}

/* The command line, shell-quoted as the text output has it, and where it ran. */
static void page_command(FILE *out, const struct html_page *p)
{
	char cwd[PATH_MAX], *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	fputs("<h2 id=\"command\">Command</h2>\n", out);
	if (m) {
		text_command(m, p->argc, p->argv);
		fclose(m);
		fputs("<pre>", out);
		html_escape(out, buf);
		fputs("</pre>\n", out);
		free(buf);
	}
	if (getcwd(cwd, sizeof(cwd))) {
		fputs("<p>Run in <code>", out);
		html_escape(out, cwd);
		fputs("</code>; ", out);
	} else {
		fputs("<p>", out);
	}
	fprintf(out, "seed %llu, %u bootstrap resamples.</p>\n",
		(unsigned long long)p->to->cmp->seed, p->to->cmp->resamples);
}

/* Every distinct value of a host field over the runs of a set, escaped. */
static void set_values(FILE *out, const struct result_set *s, const char *path)
{
	size_t i, j, shown = 0;
	const char *v, *w;

	for (i = 0; i < s->nr_files; i++) {
		v = result_str(s->files[i], path);
		if (!v)
			continue;
		for (j = 0; j < i; j++) {
			w = result_str(s->files[j], path);
			if (w && !strcmp(v, w))
				break;
		}
		if (j < i)
			continue;
		fputs(shown++ ? "<br>" : "", out);
		html_escape(out, v);
	}
	if (!shown)
		fputs("-", out);
}

/* A number of a host field of the first run, or "-". */
static void host_num(FILE *out, const struct result_set *s, const char *path,
		     const char *fmt, double div)
{
	struct json_object *o = s->nr_files ? json_path(s->files[0]->root, path) : NULL;

	if (o && (json_object_is_type(o, json_type_int) ||
		  json_object_is_type(o, json_type_double)))
		fprintf(out, fmt, json_object_get_double(o) / div);
	else
		fputs("-", out);
}

/*
 * The patch series hash of the lab's kernels: the arm's description says
 * it (arm.series_hash); older results only in the release, where build.sh
 * sets LOCALVERSION to "-kvmsq-<arm>-<hash>", so it ends the release.
 */
static void series_hash(FILE *out, const struct result_set *s)
{
	const char *rel = s->nr_files ? result_str(s->files[0], "host.kernel_release") : NULL;
	const char *tag = rel ? strstr(rel, "-kvmsq-") : NULL;
	const char *h = tag ? strrchr(tag + 7, '-') : NULL;
	const char *arm = result_set_arm(s, "arm.series_hash");
	size_t n;

	if (arm && *arm) {
		html_escape(out, arm);
		return;
	}
	if (h && (n = strspn(h + 1, "0123456789abcdef")) >= 6 && !h[1 + n]) {
		html_escape(out, h + 1);
		return;
	}
	fputs("-", out);
}

static void clock_cell(FILE *out, const struct result_set *s)
{
	struct json_object *sh;

	if (!s->nr_files) {
		fputs("-", out);
		return;
	}
	html_escape(out, result_clock(s->files[0]));
	sh = json_path(s->files[0]->root, "host.icount_shift");
	if (sh && json_object_is_type(sh, json_type_int))
		fprintf(out, " (shift %lld)", (long long)json_object_get_int64(sh));
}

static void file_links(FILE *out, const char *dir, const struct result_set *s)
{
	char rel[PATH_MAX * 2];
	size_t i;

	for (i = 0; i < s->nr_files; i++) {
		rel_path(rel, sizeof(rel), dir, s->files[i]->path);
		fputs(i ? " " : "", out);
		fputs("<a href=\"", out);
		url_put(out, rel);
		fputs("\">", out);
		html_escape(out, strrchr(s->files[i]->path, '/') ?
			    strrchr(s->files[i]->path, '/') + 1 : s->files[i]->path);
		fputs("</a>", out);
	}
}

static void arm_row(FILE *out, const char *dir, const struct cmp_table *t, size_t a)
{
	const struct result_set *s = t->sets[a];

	fputs("<tr><td>", out);
	html_escape(out, t->labels[a]);
	if (s->label_replaced) {
		fputs("<span class=\"why\">", out);
		html_escape(out, s->label_note);
		fputs("</span>", out);
	}
	fprintf(out, "</td><td class=\"n\">%zu</td><td>", s->nr_files);
	set_values(out, s, "host.kernel_release");
	fputs("</td><td>", out);
	set_values(out, s, "host.arm");
	fputs("</td><td>", out);
	set_values(out, s, "arm.base");
	fputs("</td><td>", out);
	series_hash(out, s);
	fputs("</td><td>", out);
	set_values(out, s, "arm.params");
	fputs("</td><td>", out);
	set_values(out, s, "host.mmu");
	fputs("</td><td>", out);
	set_values(out, s, "host.accel");
	fputs("</td><td>", out);
	clock_cell(out, s);
	fputs("</td><td>", out);
	set_values(out, s, "host.cpu_model");
	fputs("; ", out);
	host_num(out, s, "host.nr_cpus", "%.0f CPUs", 1);
	fputs(", ", out);
	host_num(out, s, "host.mem_total_bytes", "%.1f GiB", 1024.0 * 1024 * 1024);
	fputs("</td><td>", out);
	html_escape(out, s->dir);
	fputs("<br>", out);
	file_links(out, dir, s);
	fputs("</td></tr>\n", out);
}

/* Kernels of different bases put side by side (--force), or runs that do not say. */
static void base_notes(FILE *out, const struct cmp_table *t)
{
	char missing[512];
	struct arm_diff d;

	if (results_arms_differ(t->sets, t->nr_arms, &d)) {
		fputs("<p class=\"warn\">FORCED: the kernels' bases differ (--force): ", out);
		html_escape(out, d.field);
		fputs(" ", out);
		html_escape(out, result_str(d.a, d.field));
		fputs(" in ", out);
		html_escape(out, d.set_a->label);
		fputs(", ", out);
		html_escape(out, result_str(d.b, d.field));
		fputs(" in ", out);
		html_escape(out, d.set_b->label);
		fputs("; a change is the bases' as much as the arms'.</p>\n", out);
	}
	if (results_arms_missing(t->sets, t->nr_arms, missing, sizeof(missing))) {
		fputs("<p class=\"note\">Runs of ", out);
		html_escape(out, missing);
		fputs(" do not say which kernel base they ran on (no arm: an older result, or a "
		      "run off the lab); their base is not checked against the others'.</p>\n", out);
	}
}

static void page_provenance(FILE *out, const char *dir, const struct cmp_table *t)
{
	size_t a;

	if (!t->sets)
		return;
	fputs("<h3>Runs</h3>\n<table>\n<tr><th>arm</th><th>runs</th><th>kernel release</th>"
	      "<th>host.arm</th><th>base</th><th>series hash</th><th>parameters</th><th>MMU</th>"
	      "<th>accel</th><th>clock</th><th>machine</th><th>directory and result files</th>"
	      "</tr>\n", out);
	for (a = 0; a < t->nr_arms; a++)
		arm_row(out, dir, t, a);
	fputs("</table>\n", out);
	base_notes(out, t);
}

/* --- the values --- */

/* A number as the text tables show it, "-" for none. */
static void num(FILE *out, const struct row_fmt *f, double v)
{
	char buf[64];

	fputs(isnan(v) ? "-" : fmt_value(buf, sizeof(buf), f, v), out);
}

static void na_why(FILE *out, const struct cmp_table *t, size_t row, size_t arm)
{
	const char *source, *why;

	if (!cmp_cell_na_source(t, row, arm, &source, &why)) {
		fputs("source '", out);
		html_escape(out, source);
		fputs("' unavailable", out);
		if (*why) {
			fputs(": ", out);
			html_escape(out, why);
		}
	} else if (!cmp_cell_na_why(t, row, arm, &why)) {
		html_escape(out, why);
	} else {
		fputs("null in every run; no source of it was reported unavailable", out);
	}
}

static void na_cell(FILE *out, const struct cmp_table *t, size_t row, size_t arm, int span)
{
	fprintf(out, "<td class=\"n na\" colspan=\"%d\">n/a<span class=\"why\">", span);
	na_why(out, t, row, arm);
	fputs("</span></td>", out);
}

/* Metrics n/a in every run of every arm: not in the table, listed with why. */
static void all_na(FILE *out, const struct cmp_table *t)
{
	size_t i, shown = 0;

	for (i = 0; i < t->nr_rows; i++) {
		if (!cmp_row_all_na(t, i))
			continue;
		if (!shown++)
			fputs("<p class=\"note\">n/a in every run (null in the results, not 0), "
			      "not shown:</p>\n<ul>\n", out);
		fputs("<li>", out);
		html_escape(out, t->rows[i].m->label);
		fputs(": <span class=\"na\">", out);
		na_why(out, t, i, 0);
		fputs("</span></li>\n", out);
	}
	if (shown)
		fputs("</ul>\n", out);
}

/* " +-3.2%", as the text tables show it; nothing below 2 runs. */
static void spread(FILE *out, const struct row_fmt *f, const struct cmp_cell *c)
{
	char buf[64];

	if (*fmt_spread(buf, sizeof(buf), f, c))
		fprintf(out, " &plusmn;%s", buf + 2);
}

static void p_cell(FILE *out, double p, bool star)
{
	char buf[32];

	fprintf(out, "<td class=\"n%s\">", star ? " star" : "");
	html_escape(out, fmt_p(buf, sizeof(buf), p));
	fprintf(out, "%s</td>", star ? "*" : "");
}

/* The change against the baseline, starred like the text: "*+12.5%*". */
static void change_cell(FILE *out, const struct cmp_cell *c)
{
	const char *star = c->significant ? "*" : "";
	char buf[64];

	if (isnan(c->change)) {
		fputs("<td class=\"n\">-</td>", out);
		return;
	}
	fprintf(out, "<td class=\"n%s\">%s", *star ? " star" : "", star);
	fprintf(out, "%s%s</td>", fmt_change(buf, sizeof(buf), c->change), star);
}

static void compare_cells(FILE *out, const struct cmp_table *t, size_t row, const struct row_fmt *f)
{
	const struct cmp_row *r = &t->rows[row];
	size_t a;

	for (a = 0; a < t->nr_arms; a++) {
		const struct cmp_cell *c = &r->cells[a];

		if (!c->n) {
			na_cell(out, t, row, a, a ? 3 : 1);
			continue;
		}
		fputs("<td class=\"n\">", out);
		num(out, f, c->median);
		spread(out, f, c);
		fputs("</td>", out);
		if (!a)
			continue;
		change_cell(out, c);
		p_cell(out, r->primary ? c->p_holm : c->p_raw, c->significant);
	}
}

static void report_cells(FILE *out, const struct cmp_table *t, size_t row, const struct row_fmt *f)
{
	const struct cmp_cell *c = &t->rows[row].cells[0];

	if (!c->n) {
		na_cell(out, t, row, 0, 5);
		return;
	}
	fprintf(out, "<td class=\"n\">%zu%s</td><td class=\"n\">", c->n, c->n_na ? "+n/a" : "");
	num(out, f, c->median);
	fputs("</td><td class=\"n\">", out);
	num(out, f, c->min);
	fputs("</td><td class=\"n\">", out);
	num(out, f, c->max);
	fputs("</td><td class=\"n\">", out);
	num(out, f, c->ci_lo);
	fputs(" &ndash; ", out);
	num(out, f, c->ci_hi);
	fputs("</td>", out);
}

static void table_header(FILE *out, const struct cmp_table *t, bool compare)
{
	size_t a;

	fputs("<tr><th>metric (unit)</th>", out);
	if (!compare) {
		fputs("<th>runs</th><th>median</th><th>min</th><th>max</th><th>95% CI of the "
		      "median</th></tr>\n", out);
		return;
	}
	for (a = 0; a < t->nr_arms; a++) {
		fprintf(out, "<th%s>", a ? " colspan=\"3\"" : "");
		html_escape(out, t->labels[a]);
		fputs(a ? "</th>" : " (baseline)</th>", out);
	}
	fputs("</tr>\n<tr><th></th><th>median &plusmn;IQR/2</th>", out);
	for (a = 1; a < t->nr_arms; a++)
		fputs("<th>median &plusmn;IQR/2</th><th>change</th><th>p (Holm / raw)</th>", out);
	fputs("</tr>\n", out);
}

static void page_values(FILE *out, const struct cmp_table *t, bool compare)
{
	size_t i, cols = compare ? 1 + 3 * t->nr_arms - 2 : 6;
	struct row_fmt f;

	fputs("<table>\n", out);
	table_header(out, t, compare);
	for (i = 0; i < t->nr_rows; i++) {
		const struct cmp_row *r = &t->rows[i];

		if (i == 0 && t->nr_primary)
			fprintf(out, "<tr class=\"sec\"><td colspan=\"%zu\">primary%s</td></tr>\n",
				cols, compare ? " (Holm over these)" : "");
		if (i == t->nr_primary)
			fprintf(out, "<tr class=\"sec\"><td colspan=\"%zu\">exploratory%s"
				"</td></tr>\n", cols, compare ? " (raw p, never starred)" : "");
		if (cmp_row_all_na(t, i))
			continue;
		row_fmt(&f, t, r);
		fputs("<tr><td>", out);
		html_escape(out, r->m->label);
		fputs(" (", out);
		html_escape(out, f.unit);
		fputs(")</td>", out);
		if (compare)
			compare_cells(out, t, i, &f);
		else
			report_cells(out, t, i, &f);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
	all_na(out, t);
}

static void page_stars(FILE *out, const struct html_page *p, bool compare)
{
	if (!compare) {
		fputs("<p class=\"note\">One value per run; the interval is a bootstrap interval "
		      "of the median. n/a: null in the results (never 0), with the reason.</p>\n",
		      out);
		return;
	}
	fprintf(out, "<p class=\"note\">Cells: the median over the runs, &plusmn; half their "
		"interquartile range as a share of the median, and the change of the medians "
		"against the baseline. <span class=\"star\">*x%%*</span>: significant: a primary "
		"metric whose permutation test gives p &lt; %g after Holm over the primaries, "
		"with a change above the metric's noise floor. p is Holm's for primaries and "
		"raw (not corrected) for exploratory metrics; \"-\": not tested. n/a: null in "
		"the results (never 0), with the reason under it.</p>\n", p->to->cmp->alpha);
}

/* The text output, as report.txt has it: the notes, footnotes and drift tables too. */
static void page_text(FILE *out, const struct html_page *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int ret;

	if (!m)
		return;
	ret = text_tables(m, p->cmd, p->list, p->n, p->to, p->one, p->drifts, p->drift_all,
			  p->argc, p->argv);
	fclose(m);
	if (!ret) {
		fputs("<h2 id=\"text\">As text</h2>\n<pre>", out);
		html_escape(out, buf);
		fputs("</pre>\n", out);
	}
	free(buf);
}

/* --- the plots --- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The stems of the gnuplot scripts in @dir, sorted; each image is STEM.svg or .png. */
static char **plot_stems(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL, **nv;
	size_t len;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".gp"))
			continue;
		nv = realloc(v, (*n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[*n] = strndup(e->d_name, len - 3);
		if (v[*n])
			(*n)++;
	}
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), name_cmp);
	return v;
}

/* One image inline: the SVG when there is one (it scales), else the PNG. */
static bool plot_inline(FILE *out, const char *dir, const char *stem)
{
	static const char *const kinds[][2] = {
		{ "svg", "image/svg+xml" }, { "png", "image/png" },
	};
	char path[PATH_MAX];
	unsigned char *buf;
	size_t i, len;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.%s", dir, stem, kinds[i][0]);
		buf = file_slurp(path, &len);
		if (!buf)
			continue;
		fprintf(out, "<img alt=\"%s\" src=\"data:%s;base64,", kinds[i][0], kinds[i][1]);
		base64_put(out, buf, len);
		fputs("\">\n", out);
		free(buf);
		return true;
	}
	return false;
}

static void file_link(FILE *out, const char *dir, const char *stem, const char *ext)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.%s", dir, stem, ext);
	if (access(path, R_OK))
		return;
	fputs(" <a href=\"", out);
	url_put(out, stem);
	fprintf(out, ".%s\">.%s</a>", ext, ext);
}

static void page_plots(FILE *out, const char *dir, const struct html_page *p)
{
	char **stems;
	size_t i, n;

	fputs("<h2 id=\"plots\">Plots</h2>\n", out);
	if (p->plots_note) {
		fputs("<p class=\"warn\">", out);
		html_escape(out, p->plots_note);
		fputs("</p>\n", out);
	}
	stems = plot_stems(dir, &n);
	if (!n)
		fputs("<p class=\"note\">No plots in this directory.</p>\n", out);
	for (i = 0; i < n; i++) {
		fprintf(out, "<figure id=\"plot-%zu\">\n", i);
		if (!plot_inline(out, dir, stems[i])) {
			fputs("<p class=\"warn\">not drawn (no image; see ", out);
			html_escape(out, stems[i]);
			fputs(".log, or run gnuplot on the script)</p>\n", out);
		}
		fputs("<figcaption>", out);
		html_escape(out, stems[i]);
		file_link(out, dir, stems[i], "png");
		file_link(out, dir, stems[i], "svg");
		file_link(out, dir, stems[i], "gp");
		file_link(out, dir, stems[i], "dat");
		fputs("</figcaption>\n</figure>\n", out);
		free(stems[i]);
	}
	free(stems);
}

static void page_tables(FILE *out, const char *dir, const struct html_page *p)
{
	bool compare = !strcmp(p->cmd, "compare");
	size_t k;

	fputs("<h2 id=\"tables\">Tables</h2>\n", out);
	if (p->to->forced)
		fputs("<p class=\"warn\">FORCED: runs that are not alike are put side by side "
		      "(--force).</p>\n", out);
	if (p->to->forced_runs)
		fprintf(out, "<p class=\"warn\">FORCED: %zu runs that did not end well or never "
			"applied their pressure are counted.</p>\n", p->to->forced_runs);
	page_stars(out, p, compare);
	for (k = 0; k < p->n; k++) {
		const struct cmp_table *t = p->list[k];

		fprintf(out, "<h3 id=\"table-%zu\">", k);
		html_escape(out, t->experiment);
		if (!compare && t->nr_arms)
			fputs(": ", out);
		if (!compare && t->nr_arms)
			html_escape(out, t->labels[0]);
		fputs("</h3>\n", out);
		page_provenance(out, dir, t);
		page_values(out, t, compare);
	}
}

static int page_write(FILE *out, const char *dir, const struct html_page *p)
{
	page_head(out, p);
	fputs("<p><a href=\"#command\">command</a> &middot; <a href=\"#tables\">tables</a> "
	      "&middot; <a href=\"#plots\">plots</a> &middot; <a href=\"#text\">as text</a></p>\n",
	      out);
	page_command(out, p);
	page_tables(out, dir, p);
	page_plots(out, dir, p);
	page_text(out, p);
	fputs("</body>\n</html>\n", out);
	return ferror(out) ? -EIO : 0;
}

int html_write(const char *dir, const struct html_page *p)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *out;
	int ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/index.html", dir) >= sizeof(path))
		return err_set(ENAMETOOLONG, "%s/index.html: name too long", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	out = fopen(tmp, "w");
	if (!out)
		return err_set(errno, "%s: %s", tmp, strerror(errno));
	ret = page_write(out, dir, p);
	if (fclose(out) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return err_set(-ret, "%s: %s", path, strerror(-ret));
	}
	return 0;
}
