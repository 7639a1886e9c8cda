/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analysis/export.h: report and compare numbers for machines: CSV (one
 * line per table, metric and arm) and JSON, every number raw (bytes, ns,
 * pages, a change as a fraction).
 */
#ifndef KVMSQ_ANALYSIS_EXPORT_H
#define KVMSQ_ANALYSIS_EXPORT_H

#include <stdio.h>

#include "analysis/compare.h"
#include "analysis/drift.h"

struct export_head {
	const char *command;		/* "report" or "compare" */
	int argc;
	char **argv;
	const struct cmp_opts *cmp;
	const char *floors_from;	/* --noise DIR or NULL */
	bool forced;
	size_t forced_runs;		/* runs refused but counted (--force) */
	const struct drift *drifts;	/* one per table (--drift), or NULL */
};

void export_csv(FILE *out, struct cmp_table *const *tables, size_t n);
int export_json(FILE *out, struct cmp_table *const *tables, size_t n,
		const struct export_head *h);

/* How report and compare print: people, or machines. */
enum out_format { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON };

/* "kvmsqueeze: CMD: <fmt with arg> (see kvmsqueeze CMD --help)"; EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);
/* A warning line from the result loader, on stderr, on one line. */
void cli_warn_line(const char *line, void *arg);
/*
 * "kvmsqueeze: CMD: <err_msg()><hint>" on stderr, on one line (a name
 * from a result may hold a newline); the hint only when @ret is
 * -ERR_REFUSED (common/err.h), a refusal that --force overrides.
 */
void cli_error_line(const char *cmd, int ret, const char *refused_hint);

/* "text", "csv" or "json"; -EINVAL otherwise. */
int out_format_parse(const char *name, enum out_format *format);

/* What --drift looks at. */
enum drift_choice { DRIFT_NONE, DRIFT_PRIMARY, DRIFT_ALL };

/* --drift's argument: none (the primaries), "primary" or "all"; -EINVAL. */
int drift_choice_parse(const char *arg, enum drift_choice *choice);

#endif
