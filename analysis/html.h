/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analysis/html.h: index.html next to the plots of report and compare:
 * the tables, the plots inline, the command line, where the runs came
 * from, and links to the raw result files; one self-contained page that
 * loads nothing from anywhere.
 */
#ifndef KVMSQ_ANALYSIS_HTML_H
#define KVMSQ_ANALYSIS_HTML_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/compare.h"
#include "analysis/drift.h"
#include "analysis/text.h"

struct html_page {
	const char *cmd;		/* "report" or "compare" */
	int argc;
	char **argv;			/* the command line as given */
	struct cmp_table *const *list;	/* the tables the text shows */
	size_t n;
	const struct text_opts *to;
	int (*one)(FILE *out, const struct cmp_table *t, const struct text_opts *o);
	const struct drift *drifts;	/* per table, or NULL */
	bool drift_all;
	const char *plots_note;		/* why the plots are missing (err_msg()), or NULL */
};

/* @dir/index.html (through a temporary file: never half written). */
int html_write(const char *dir, const struct html_page *p);

/* @s for HTML text or a quoted attribute: nothing in it is markup. */
void html_escape(FILE *out, const char *s);

#endif
