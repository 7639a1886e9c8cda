/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analysis/plot.h: plots with gnuplot, one arm per line or bar: memory
 * over time with the cgroup limit and the guests' phases, latency CDFs
 * from the merged histograms, reclaim and shrinker activity. The data
 * files and .gp scripts stay next to the PNG and SVG images. Nothing
 * from a result reaches gnuplot but safe characters in single quotes.
 */
#ifndef KVMSQ_ANALYSIS_PLOT_H
#define KVMSQ_ANALYSIS_PLOT_H

#include <stddef.h>

#include "analysis/compare.h"

/*
 * Write every plot of every table into @dir (created if missing) and run
 * gnuplot on the scripts; @written gets how many images (PNG + SVG) were
 * made. Without gnuplot the data and scripts are still written and the
 * error says so.
 */
int plot_tables(const char *dir, struct cmp_table *const *tables, size_t n, int *written);

/* Only the data files and the scripts, without running gnuplot. */
int plot_scripts(const char *dir, struct cmp_table *const *tables, size_t n);

/*
 * Run gnuplot STEM.gp in @dir, its messages to STEM.log (kept on failure),
 * in a process that can start no other program (a seccomp filter on
 * execve): a script that tries gets an error, never a command run.
 */
int plot_gnuplot_run(const char *dir, const char *stem);

/*
 * A summary entry or metric id the plots name that the tables
 * (common/summary_table.c, common/metrics.c) lack, or NULL: for the tests.
 */
const char *plot_unknown_name(void);

#endif
