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

#endif
