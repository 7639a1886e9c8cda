// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/builtin-report.c: `kvmsqueeze report`: per set of repetitions
 * (one arm, one experiment) and metric, the runs' median, range and a
 * bootstrap interval of the median, and --drift.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/export.h"
#include "analysis/plot.h"
#include "analysis/stats.h"
#include "analysis/text.h"
#include "common/command.h"
#include "common/err.h"
#include "common/util.h"

static const char report_usage[] =
"usage: kvmsqueeze report RESULT.json|DIR... [options]\n"
"\n"
"Summarise result files of kvmsqueeze run: for each set of repetitions\n"
"(one arm, one experiment; the arm is host.arm in the lab, else the\n"
"directory's name) and each metric, the number of runs, the median, min\n"
"and max over the runs (one value per run) and a 95% bootstrap\n"
"confidence interval of the median. The spec's primary metrics come\n"
"first.\n"
"\n"
"  -f, --format text|csv|json  output (default text: 72 columns, for email)\n"
"      --primary ID[,ID...]    the primary metrics, in place of the spec's\n"
"      --drift[=primary|all]   a drift table per set: does a metric (the\n"
"                              primaries, or all) follow the order the runs\n"
"                              were taken in (run.block, else run.started_at)?\n"
"  -p, --plots DIR             write plots there: PNG and SVG, with the data\n"
"                              and gnuplot scripts to redraw them\n"
"  -s, --seed N                seed of the bootstrap (default 1: the same\n"
"                              output every time)\n"
"      --force                 summarise sets whose runs differ in spec,\n"
"                              --duration, --scale, MMU mode, accel or\n"
"                              clock, and count runs that did not end well\n"
"                              or never applied their pressure\n"
"  -h, --help                  this text\n"
"\n"
"A DIR may also hold result directories, one level down: each is a set.\n"
"A run given twice (the same directory or file, or a copy: the same\n"
"run.id and run.rep) is refused. Incomplete results (\"complete\": false)\n"
"are skipped with a warning. A run that did not end well (run.status not\n"
"\"ok\") or whose pressure was never applied (summary.pressure_applied\n"
"false) is refused. A metric that is null in a run is n/a for that run,\n"
"never 0. See analysis/README.md. Exit status: 0 done, 1 refused or\n"
"failed, 2 usage.\n";

enum { OPT_FORCE = 256, OPT_PRIMARY, OPT_DRIFT };

static const struct option report_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "plots", required_argument, NULL, 'p' },
	{ "seed", required_argument, NULL, 's' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "primary", required_argument, NULL, OPT_PRIMARY },
	{ "drift", optional_argument, NULL, OPT_DRIFT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};


struct report_cli {
	enum out_format format;
	const char *plots_dir;
	bool force;
	struct metric_list primary;	/* --primary */
	enum drift_choice drift;
	struct cmp_opts cmp;
	char **paths;
	int nr_paths;
};

#define usage_error(fmt, arg)	cli_usage_error("report", fmt, arg)
#define warn_line		cli_warn_line

static int opt_parse(struct report_cli *c, int argc, char **argv)
{
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:p:s:h", report_options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (out_format_parse(optarg, &c->format))
				return -usage_error("--format '%s': use text, csv or json", optarg);
			break;
		case 'p':
			c->plots_dir = optarg;
			break;
		case 's':
			if (parse_u64(optarg, &c->cmp.seed))
				return -usage_error("--seed '%s': expected a whole number", optarg);
			break;
		case OPT_FORCE:
			c->force = true;
			break;
		case OPT_PRIMARY:
			metric_list_free(&c->primary);
			if (metric_list_parse(&c->primary, optarg))
				return -usage_error("--primary: %s", err_msg());
			break;
		case OPT_DRIFT:
			if (drift_choice_parse(optarg, &c->drift))
				return -usage_error("--drift='%s': use --drift, --drift=primary or --drift=all",
						    optarg);
			break;
		case 'h':
			fputs(report_usage, stdout);
			return 1;
		default:
			return -EXIT_USAGE;
		}
	}
	if (c->drift && c->format == FORMAT_CSV)
		return -usage_error("%s", "--drift: the CSV has one line per metric and arm; use --format text or json");
	if (optind >= argc)
		return -usage_error("%s", "give result files or directories");
	c->paths = argv + optind;
	c->nr_paths = argc - optind;
	return 0;
}

/* One table per set; the runs of a set must be alike unless --force. */
static int tables_build(struct cmp_table *tables, struct result_db *db,
			const struct report_cli *c, bool *forced)
{
	struct result_set *set;
	size_t k;
	int ret;

	for (k = 0; k < db->nr_sets; k++) {
		set = &db->sets[k];
		ret = results_check_sets(&set, 1);
		if (ret && !c->force)
			return err_wrap(ret, "refusing to summarise %s", set->dir);
		if (ret) {
			fprintf(stderr, "kvmsqueeze: warning: %s: summarised anyway (--force)\n",
				err_msg());
			*forced = true;
		}
		ret = cmp_table_from_sets(&tables[k], &set, 1);
		if (!ret)
			ret = cmp_table_choose_primary(&tables[k], &c->primary);
		if (!ret)
			ret = cmp_table_compute(&tables[k], &c->cmp);
		if (ret)
			return ret;
	}
	return 0;
}

static int output_text(struct cmp_table **list, size_t n, const struct report_cli *c,
		       bool forced, size_t forced_runs, const struct drift *drifts, int argc,
		       char **argv)
{
	struct text_opts to = { .cmp = &c->cmp, .default_floor = -1,
				.forced = forced, .forced_runs = forced_runs };

	return text_tables(stdout, "report", list, n, &to, text_report, drifts,
			   c->drift == DRIFT_ALL, argc, argv);
}

static int output(struct cmp_table **list, size_t n, const struct report_cli *c,
		  bool forced, size_t forced_runs, int argc, char **argv)
{
	struct export_head h = { .command = "report", .argc = argc, .argv = argv,
				 .cmp = &c->cmp, .forced = forced, .forced_runs = forced_runs };
	struct drift *drifts = NULL;
	int ret = 0;

	if (c->drift)
		ret = drifts_measure(&drifts, list, n, c->drift == DRIFT_ALL, &c->cmp);
	if (ret)
		return ret;
	h.drifts = drifts;
	switch (c->format) {
	case FORMAT_CSV:
		export_csv(stdout, list, n);
		break;
	case FORMAT_JSON:
		ret = export_json(stdout, list, n, &h);
		break;
	case FORMAT_TEXT:
		ret = output_text(list, n, c, forced, forced_runs, drifts, argc, argv);
		break;
	}
	drifts_free(drifts, n);
	return ret;
}

/* Plots put every set of an experiment in one figure, one line per set. */
static int plots(struct result_db *db, const char *dir, const struct cmp_opts *o)
{
	struct cmp_table *tables = calloc(db->nr_sets, sizeof(*tables));
	struct cmp_table **list = calloc(db->nr_sets, sizeof(*list));
	struct result_set **sets = calloc(db->nr_sets, sizeof(*sets));
	size_t k, i, j, n = 0, nr;
	int written = 0, ret = 0;

	if (!tables || !list || !sets) {
		ret = err_set(ENOMEM, "report: out of memory");
		goto out;
	}
	for (k = 0; k < db->nr_sets && !ret; k++) {
		for (j = 0; j < k; j++)
			if (!strcmp(db->sets[j].experiment, db->sets[k].experiment))
				break;
		if (j < k)
			continue;
		for (i = k, nr = 0; i < db->nr_sets; i++)
			if (!strcmp(db->sets[i].experiment, db->sets[k].experiment))
				sets[nr++] = &db->sets[i];
		ret = cmp_table_from_sets(&tables[n], sets, nr);
		if (ret)
			break;
		list[n] = &tables[n];
		ret = cmp_table_compute(&tables[n++], o);
	}
	if (!ret)
		ret = plot_tables(dir, list, n, &written);
	if (!ret)
		fprintf(stderr, "kvmsqueeze: %d plot images in %s\n", written, dir);
out:
	for (k = 0; tables && k < n; k++)
		cmp_table_free(&tables[k]);
	free(sets);
	free(list);
	free(tables);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	struct report_cli c = {
		.cmp = { .seed = STATS_DEFAULT_SEED, .resamples = STATS_BOOT_RESAMPLES,
			 .alpha = CMP_ALPHA, .level = CMP_LEVEL },
	};
	struct cmp_table *tables = NULL, **list = NULL;
	struct result_db db;
	bool forced = false;
	size_t k;
	char **given = calloc((size_t)argc + 1, sizeof(*given));
	int ret;

	/* getopt reorders argv: keep the command line as given for the output */
	if (!given) {
		fprintf(stderr, "kvmsqueeze: %s: out of memory\n", argv[0]);
		return EXIT_FAILURE_SETUP;
	}
	memcpy(given, argv, (size_t)argc * sizeof(*given));
	ret = opt_parse(&c, argc, argv);
	if (ret) {
		metric_list_free(&c.primary);
		free(given);
		return ret > 0 ? EXIT_OK : -ret;
	}
	ret = results_load(&db, c.paths, c.nr_paths, c.force ? RESULTS_FORCE : 0, warn_line,
			   NULL);
	if (ret)
		goto fail;
	tables = calloc(db.nr_sets, sizeof(*tables));
	list = calloc(db.nr_sets, sizeof(*list));
	if (!tables || !list) {
		ret = err_set(ENOMEM, "report: out of memory");
		goto out;
	}
	for (k = 0; k < db.nr_sets; k++)
		list[k] = &tables[k];
	ret = tables_build(tables, &db, &c, &forced);
	if (!ret)
		ret = output(list, db.nr_sets, &c, forced, db.nr_forced, argc, given);
	if (!ret && c.plots_dir)
		ret = plots(&db, c.plots_dir, &c.cmp);
out:
	for (k = 0; tables && k < db.nr_sets; k++)
		cmp_table_free(&tables[k]);
	free(list);
	free(tables);
	results_free(&db);
fail:
	metric_list_free(&c.primary);
	free(given);
	if (!ret)
		return EXIT_OK;
	cli_error_line("report", ret, " (--force summarises them anyway)");
	return EXIT_FAILURE_SETUP;
}
