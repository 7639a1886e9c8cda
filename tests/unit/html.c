// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/html.c: analysis/html.c: every byte escaped to something
 * that is not markup, and a page of a table built by hand whose names are
 * markup: written whole, their names as text, the star, no plots.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/html.h"
#include "unit.h"

static const struct cmp_opts opts = {
	.seed = 1, .resamples = 1000, .alpha = 0.05, .level = 0.95,
};

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	html_escape(f, s);
	fclose(f);
	return buf;
}

/* Printable ASCII, newline or tab; '&' only to start an entity html_escape writes. */
static const char *not_inert(const char *s)
{
	static const char *const entities[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };
	size_t i;

	for (; *s; s++) {
		if (strchr("<>\"'", *s) || ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') ||
		    (unsigned char)*s >= 0x7f)
			return s;
		if (*s != '&')
			continue;
		for (i = 0; i < 5; i++)
			if (!strncmp(s, entities[i], strlen(entities[i])))
				break;
		if (i == 5)
			return s;
	}
	return NULL;
}

static void escape_every_byte(void)
{
	char in[4] = "a?b", *out;
	const char *bad;
	int c;

	for (c = 1; c < 256; c++) {
		in[1] = (char)c;
		out = escaped(in);
		CHECK(out, "out of memory");
		if (!out)
			return;
		bad = not_inert(out);
		CHECK(!bad, "byte 0x%02x came out as '%s'", c, out);
		CHECK(out[0] == 'a' && out[strlen(out) - 1] == 'b', "byte 0x%02x: '%s'", c, out);
		free(out);
	}
	out = escaped("<script>alert('x')</script>&");
	CHECK(out && !strcmp(out, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"),
	      "'%s'", out ? out : "(null)");
	free(out);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (f) {
		FILE *m = open_memstream(&buf, &len);
		int c;

		while (m && (c = fgetc(f)) != EOF)
			fputc(c, m);
		if (m)
			fclose(m);
		fclose(f);
	}
	return buf;
}

/* Two arms named with markup, fault p50 apart in every run: starred. */
static int hostile_table(struct cmp_table *t)
{
	static const struct metric fault = {
		"fault_p50_ns", "fault p50", "x", UNIT_NS, BETTER_LOWER,
	};
	static const char *const labels[] = {
		"<script>document.title=1</script>", "x\"><img src=x onerror=alert(1)>",
	};
	static const double values[2][5] = {
		{ 1000, 1010, 1020, 1030, 1040 }, { 2000, 2010, 2020, 2030, 2040 },
	};
	const struct metric *rows[] = { &fault }, *prim[] = { &fault };
	struct metric_list primary = { prim, 1 };
	size_t a;
	int ret = cmp_table_init(t, 2, rows, 1);

	t->experiment = "</h3><b>exp</b>";
	for (a = 0; a < 2 && !ret; a++) {
		t->labels[a] = labels[a];
		ret = cmp_cell_set(&t->rows[0].cells[a], values[a], 5, 0);
	}
	if (!ret)
		ret = cmp_table_set_primary(t, &primary, "--primary");
	if (!ret)
		ret = cmp_table_compute(t, &opts);
	return ret;
}

static void page_hostile_names(void)
{
	char dir[] = "/tmp/kvmsq-html-XXXXXX", path[64], *page;
	char *argv[] = { "compare", "<i>dir</i>", NULL };
	struct text_opts to = { .cmp = &opts, .default_floor = 0.05 };
	struct cmp_table t, *list[] = { &t };
	struct html_page p = {
		.cmd = "compare", .argc = 2, .argv = argv, .list = list, .n = 1, .to = &to,
		.one = text_compare,
	};

	CHECK(mkdtemp(dir), "mkdtemp");
	CHECK(!hostile_table(&t), "table");
	if (unit_failed_now)
		return;
	CHECK(!html_write(dir, &p), "html_write");
	snprintf(path, sizeof(path), "%s/index.html", dir);
	page = slurp(path);
	CHECK(page, "no %s", path);
	if (page) {
		CHECK(!strstr(page, "<script") && !strstr(page, "<img") && !strstr(page, "<b>") &&
		      !strstr(page, "<i>"), "markup from a name");
		CHECK(strstr(page, "&lt;script&gt;document.title=1&lt;/script&gt;"),
		      "arm not shown");
		CHECK(strstr(page, "&lt;/h3&gt;&lt;b&gt;exp&lt;/b&gt;"), "experiment not shown");
		CHECK(strstr(page, "$ kvmsqueeze compare &#39;&lt;i&gt;dir&lt;/i&gt;&#39;"),
		      "command line not shown");
		CHECK(strstr(page, "<td class=\"n star\">*+98.0%*</td>"), "no starred change");
		CHECK(strstr(page, "No plots in this directory."), "plots");
		CHECK(strstr(page, "</html>\n"), "not whole");
		free(page);
	}
	unlink(path);
	rmdir(dir);
	cmp_table_free(&t);
}

UNIT_MAIN(T(escape_every_byte), T(page_hostile_names))
