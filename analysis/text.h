/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analysis/text.h: report and compare tables as plain text for email:
 * fixed width, at most TEXT_WIDTH columns, ASCII only.
 */
#ifndef KVMSQ_ANALYSIS_TEXT_H
#define KVMSQ_ANALYSIS_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/compare.h"
#include "analysis/drift.h"

#define TEXT_WIDTH	72

/*
 * A grid of cells: row 0 is the header, column 0 the row labels (left
 * aligned, the rest right aligned). Too wide, it is printed in blocks of
 * columns, each repeating the first @sticky ones. A heading row is one
 * line of text across the columns (it does not widen them).
 */
struct grid {
	size_t nr_rows, nr_cols, sticky;
	char **cells;
	bool *heading;			/* per row */
};

int grid_init(struct grid *g, size_t nr_rows, size_t nr_cols, size_t sticky);
/* Out of memory, the cell stays empty (and -ENOMEM says so). */
int grid_set(struct grid *g, size_t row, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Make @row a heading with this text. */
int grid_heading(struct grid *g, size_t row, const char *text);
void grid_print(FILE *out, const struct grid *g, size_t width);
void grid_free(struct grid *g);

/* @text wrapped at @width, continuation lines indented by @indent. */
void text_wrap(FILE *out, const char *text, size_t indent, size_t width);
/* The command line, shell-quoted and wrapped with backslashes. */
void text_command(FILE *out, int argc, char **argv);

struct text_opts {
	const struct cmp_opts *cmp;
	const char *floors_from;	/* --noise DIR, or NULL */
	double default_floor;		/* --floor; < 0: the default, by clock and metric */
	bool forced;			/* --force: differences were overridden */
	size_t forced_runs;		/* --force: refused runs counted */
	bool mde;			/* --mde: the smallest detectable changes */
};

int text_report(FILE *out, const struct cmp_table *t, const struct text_opts *o);
int text_compare(FILE *out, const struct cmp_table *t, const struct text_opts *o);
/* The drift section of a table: --drift (@all: --drift=all). */
int text_drift(FILE *out, const struct drift *d, bool all, double alpha);

/*
 * What report and compare print: the head ("kvmsqueeze CMD (seed ...)"
 * and the command line), then per table @one's table and, with
 * @drifts, its drift table.
 */
int text_tables(FILE *out, const char *cmd, struct cmp_table *const *list, size_t n,
		const struct text_opts *o,
		int (*one)(FILE *out, const struct cmp_table *t, const struct text_opts *o),
		const struct drift *drifts, bool drift_all, int argc, char **argv);

#endif
