// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/builtin-report.c: `kvmsqueeze report`: per set of repetitions
 * (one arm, one experiment) and metric, the runs' median, range and a
 * bootstrap interval of the median, and --drift.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/cli.h"
#include "analysis/compare.h"
#include "analysis/text.h"
#include "common/command.h"
#include "common/err.h"

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
"      --label NAME            name a set NAME in place of its arm or\n"
"                              directory; repeated, the first names the\n"
"                              first set, the next the second: sets in the\n"
"                              order of the operands (a DIR's own result\n"
"                              directories in name order)\n"
"  -p, --plots DIR             write plots there: PNG and SVG, with the data\n"
"                              and gnuplot scripts to redraw them, and\n"
"                              index.html: tables, plots and runs to browse\n"
"  -s, --seed N                seed of the bootstrap (default 1: the same\n"
"                              output every time)\n"
"      --force                 summarise sets whose runs differ in kernel\n"
"                              base (arm.base, arm.kernel_version), spec,\n"
"                              --duration, --scale, MMU mode, accel or\n"
"                              clock, plot sets of different bases\n"
"                              together, and count runs that did not end\n"
"                              well or never applied their pressure\n"
"  -h, --help                  this text\n"
"\n"
"A DIR may also hold result directories, one level down: each is a set.\n"
"A run given twice (the same directory or file, or a copy: the same\n"
"run.id and run.rep) is refused. Incomplete results (\"complete\": false)\n"
"are skipped with a warning. A run that did not end well (run.status not\n"
"\"ok\") or whose pressure was never applied (summary.pressure_applied\n"
"false) is refused. A metric that is null in a run is n/a for that run,\n"
"never 0. See analysis/README.md (in the source tree, and installed in\n"
KVMSQ_DATADIR ").\n"
"Exit status: 0 done, 1 refused or failed, 2 usage.\n";

static const struct option report_options[] = {
	CLI_OPTION_FORMAT,
	CLI_OPTION_PLOTS,
	CLI_OPTION_SEED,
	CLI_OPTION_FORCE,
	CLI_OPTION_PRIMARY,
	CLI_OPTION_DRIFT,
	CLI_OPTION_LABEL,
	CLI_OPTION_HELP,
	{ NULL, 0, NULL, 0 },
};

static const struct cli_spec report_spec = {
	.cmd = "report", .usage = report_usage, .short_opts = CLI_SHORT_OPTS,
	.options = report_options, .no_paths = "give result files or directories",
};

/* One table per set; the runs of a set must be alike unless --force. */
static int tables_build(struct cmp_table *tables, struct result_db *db,
			const struct cli *c, bool *forced)
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

/*
 * When set @k is the first of its experiment, the sets of that experiment
 * in the order given (what the plots put in one figure) in @sets, which
 * has room for every set, and how many in *@nr; else false.
 */
static bool experiment_sets(struct result_db *db, size_t k, struct result_set **sets, size_t *nr)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (!strcmp(db->sets[i].experiment, db->sets[k].experiment))
			return false;
	for (i = k, *nr = 0; i < db->nr_sets; i++)
		if (!strcmp(db->sets[i].experiment, db->sets[k].experiment))
			sets[(*nr)++] = &db->sets[i];
	return true;
}

/*
 * --plots draws the sets of an experiment side by side: not sets whose
 * kernels were built on different bases, unless --force (then a warning).
 */
static int plots_check(struct result_db *db, const struct cli *c, bool *forced)
{
	struct result_set **sets = calloc(db->nr_sets, sizeof(*sets));
	size_t k, nr;
	int ret = 0;

	if (!sets)
		return err_set(ENOMEM, "report: out of memory");
	for (k = 0; k < db->nr_sets && !ret; k++) {
		if (!experiment_sets(db, k, sets, &nr))
			continue;
		ret = results_check_arms(sets, nr);
		if (ret && !c->force) {
			ret = err_wrap(ret, "refusing to plot the sets of %s together",
				       db->sets[k].experiment);
			break;
		}
		if (ret)
			fprintf(stderr, "kvmsqueeze: warning: %s: plotted together anyway (--force)\n",
				err_msg());
		*forced |= ret != 0;
		ret = 0;
	}
	free(sets);
	return ret;
}

/* Plots put every set of an experiment in one figure, one line per set. */
static int plots(struct result_db *db, const char *dir, const struct cmp_opts *o)
{
	struct cmp_table *tables = calloc(db->nr_sets, sizeof(*tables));
	struct cmp_table **list = calloc(db->nr_sets, sizeof(*list));
	struct result_set **sets = calloc(db->nr_sets, sizeof(*sets));
	size_t k, n = 0, nr;
	int ret = 0;

	if (!tables || !list || !sets) {
		ret = err_set(ENOMEM, "report: out of memory");
		goto out;
	}
	for (k = 0; k < db->nr_sets && !ret; k++) {
		if (!experiment_sets(db, k, sets, &nr))
			continue;
		ret = cmp_table_from_sets(&tables[n], sets, nr);
		if (ret)
			break;
		list[n] = &tables[n];
		ret = cmp_table_compute(&tables[n++], o);
	}
	if (!ret)
		ret = cli_plots(dir, list, n);
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
	struct cmp_table *tables = NULL, **list = NULL;
	struct text_opts to = { .default_floor = -1 };
	struct result_db db;
	bool forced = false;
	struct cli c;
	size_t k;
	int ret;

	if (!cli_start(&c, &report_spec, argc, argv, &ret))
		return ret;
	ret = cli_load(&c, &db, c.paths, c.nr_paths);
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
	if (!ret && c.plots_dir)
		ret = plots_check(&db, &c, &forced);
	to.forced = forced;
	to.forced_runs = db.nr_forced;
	if (!ret)
		ret = cli_output(&c, list, db.nr_sets, &to, text_report);
	if (!ret && c.plots_dir)
		ret = cli_html(&c, list, db.nr_sets, &to, text_report,
			       plots(&db, c.plots_dir, &c.cmp));
out:
	for (k = 0; tables && k < db.nr_sets; k++)
		cmp_table_free(&tables[k]);
	free(list);
	free(tables);
	results_free(&db);
fail:
	return cli_end(&c, ret, " (--force summarises them anyway)");
}
