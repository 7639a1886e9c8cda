// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/builtin-compare.c: `kvmsqueeze compare`: sets of repetitions
 * side by side, one table per experiment and one column per arm, with
 * the changes of the primary metrics that a permutation test (Holm over
 * the primaries) and the noise floor both call real, and --drift.
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

static const char compare_usage[] =
"usage: kvmsqueeze compare DIR_A DIR_B [DIR_C...] [options]\n"
"\n"
"Compare sets of repetitions (directories written by kvmsqueeze run --out):\n"
"one table per experiment, one column per arm, the first arm the baseline.\n"
"An arm is host.arm (the lab's kernel arm), else the directory's name.\n"
"Each cell is the median over the runs (one value per run), +- half their\n"
"interquartile range as a share of the median, and the change against\n"
"the first arm: \"1.23 +-2.0% (+12.5%)\".\n"
"\n"
"Only the primary metrics (the spec's \"primary\", or --primary) are\n"
"tested for significance. A primary's change is starred, \"(*+12.5%*)\",\n"
"only when BOTH the permutation test of the medians gives p < 0.05 after\n"
"Holm's correction over the primaries AND the change exceeds the metric's\n"
"noise floor. Every other metric is exploratory: its raw p is shown, not\n"
"corrected, and it is never starred. Without primaries nothing is.\n"
"\n"
"  -f, --format text|csv|json  output (default text: 72 columns, for email)\n"
"      --primary ID[,ID...]    the primary metrics (ids: the metric column of\n"
"                              --format csv), in place of the spec's; for\n"
"                              results whose spec names none\n"
"      --drift[=primary|all]   a drift table per experiment: does a metric\n"
"                              (the primaries, or all) follow the order the\n"
"                              runs were taken in (run.block, else\n"
"                              run.started_at) rather than the arm?\n"
"      --mde                   the smallest detectable change: per primary\n"
"                              and arm, the least change of the median the\n"
"                              test would have starred with these runs'\n"
"                              spread (on the instruction clock, for times,\n"
"                              also in instructions); json: cells' \"mde\"\n"
"  -n, --noise DIR             measure the noise floors from A/A runs: DIR\n"
"                              holds two or more result directories of the\n"
"                              same experiment and arm\n"
"      --floor PERCENT         noise floor where none is measured (default 5;\n"
"                              0.5 for times and rates when every run ran on\n"
"                              the lab's instruction clock, host.clock icount)\n"
"  -p, --plots DIR             write plots there: PNG and SVG, with the data\n"
"                              and gnuplot scripts to redraw them\n"
"  -s, --seed N                seed of the bootstrap and of random\n"
"                              permutations (default 1: the same output)\n"
"      --force                 compare runs whose spec, --duration, --scale,\n"
"                              MMU mode, accel or clock (host.clock,\n"
"                              host.icount_shift) differ, and count runs\n"
"                              that did not end well or never applied\n"
"                              their pressure\n"
"  -h, --help                  this text\n"
"\n"
"A DIR may also hold result directories, one level down: each is a set.\n"
"A run given twice (the same directory or file, or a copy: the same\n"
"run.id and run.rep) is refused: it would count twice. Incomplete results\n"
"(\"complete\": false) are skipped with a warning. A run that did not end\n"
"well (run.status not \"ok\") or whose pressure was never applied\n"
"(summary.pressure_applied false) is refused. A metric that is null in a\n"
"run is n/a for that run, never 0; n/a[k] under the table says why. See\n"
"analysis/README.md. Exit status: 0 done, 1 refused or failed, 2 usage.\n";

enum { OPT_FLOOR = 256, OPT_FORCE, OPT_PRIMARY, OPT_DRIFT, OPT_MDE };

static const struct option compare_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "noise", required_argument, NULL, 'n' },
	{ "floor", required_argument, NULL, OPT_FLOOR },
	{ "plots", required_argument, NULL, 'p' },
	{ "seed", required_argument, NULL, 's' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "primary", required_argument, NULL, OPT_PRIMARY },
	{ "drift", optional_argument, NULL, OPT_DRIFT },
	{ "mde", no_argument, NULL, OPT_MDE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};


struct compare_cli {
	enum out_format format;
	const char *noise_dir;
	const char *plots_dir;
	double floor;
	bool force;
	struct metric_list primary;	/* --primary */
	enum drift_choice drift;
	bool mde;			/* --mde */
	struct cmp_opts cmp;
	char **paths;
	int nr_paths;
};

#define usage_error(fmt, arg)	cli_usage_error("compare", fmt, arg)
#define warn_line		cli_warn_line

static int opt_parse(struct compare_cli *c, int argc, char **argv)
{
	char *end;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:n:p:s:h", compare_options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (out_format_parse(optarg, &c->format))
				return -usage_error("--format '%s': use text, csv or json", optarg);
			break;
		case 'n':
			c->noise_dir = optarg;
			break;
		case OPT_FLOOR:
			c->floor = strtod(optarg, &end);
			if (*end || end == optarg || !(c->floor >= 0 && c->floor < 100))
				return -usage_error("--floor '%s': expected a percentage from 0 to below 100, e.g. 5", optarg);
			c->floor /= 100;
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
		case OPT_MDE:
			c->mde = true;
			break;
		case 'h':
			fputs(compare_usage, stdout);
			return 1;
		default:
			return -EXIT_USAGE;
		}
	}
	if (c->drift && c->format == FORMAT_CSV)
		return -usage_error("%s", "--drift: the CSV has one line per metric and arm; use --format text or json");
	if (optind >= argc)
		return -usage_error("%s", "give two or more result directories");
	c->paths = argv + optind;
	c->nr_paths = argc - optind;
	return 0;
}

struct compare_plan {
	struct result_set ***groups;	/* per table: its sets, one per arm */
	size_t *nr_arms;
	size_t nr_tables;
	bool forced;
	size_t forced_runs;		/* refused runs counted (--force) */
};

static void plan_free(struct compare_plan *p)
{
	size_t k;

	for (k = 0; k < p->nr_tables; k++)
		free(p->groups[k]);
	free(p->groups);
	free(p->nr_arms);
	memset(p, 0, sizeof(*p));
}

/* A new table of every set whose experiment is @experiment (NULL: every set). */
static int plan_add(struct compare_plan *p, struct result_db *db, const char *experiment)
{
	struct result_set ***groups = realloc(p->groups, (p->nr_tables + 1) * sizeof(*groups));
	size_t *nr = realloc(p->nr_arms, (p->nr_tables + 1) * sizeof(*nr)), i, n = 0;
	struct result_set **sets;

	if (groups)
		p->groups = groups;
	if (nr)
		p->nr_arms = nr;
	sets = calloc(db->nr_sets, sizeof(*sets));
	if (!groups || !nr || !sets) {
		free(sets);
		return err_set(ENOMEM, "compare: out of memory");
	}
	for (i = 0; i < db->nr_sets; i++)
		if (!experiment || !strcmp(db->sets[i].experiment, experiment))
			sets[n++] = &db->sets[i];
	p->groups[p->nr_tables] = sets;
	p->nr_arms[p->nr_tables++] = n;
	return 0;
}

static size_t sets_of(const struct result_db *db, const char *experiment)
{
	size_t i, n = 0;

	for (i = 0; i < db->nr_sets; i++)
		n += !strcmp(db->sets[i].experiment, experiment);
	return n;
}

/*
 * One table per experiment. An experiment only one directory has cannot
 * be compared: refuse, naming how its spec differs from the first set's,
 * unless --force, which puts every set in one table when each directory
 * holds one experiment.
 */
static int plan_tables(struct compare_plan *p, struct result_db *db, bool force)
{
	size_t i, j, lone = 0, first_lone = 0;
	struct result_set *pair[2];
	int ret;

	for (i = 0; i < db->nr_sets; i++) {
		if (sets_of(db, db->sets[i].experiment) < 2 && !lone++)
			first_lone = i;
	}
	if (db->nr_sets < 2)
		return err_set(EINVAL, "nothing to compare: one set of runs (%s in %s); give two or more result directories",
			       db->sets[0].experiment, db->sets[0].dir);
	if (lone) {
		/* the first set, and the first of another experiment */
		pair[0] = &db->sets[0];
		for (i = 1; i < db->nr_sets; i++)
			if (strcmp(db->sets[i].experiment, pair[0]->experiment))
				break;
		pair[1] = &db->sets[i < db->nr_sets ? i : first_lone];
		if (!force) {
			ret = results_check_sets(pair, 2);
			return ret ? err_wrap(ret, "refusing to compare %s with %s", pair[0]->dir,
					      pair[1]->dir) :
				err_set(EINVAL, "%s has no other set to compare with", pair[1]->dir);
		}
		if (lone != db->nr_sets)
			return err_set(EINVAL, "--force compares different experiments only when every directory holds one experiment (%s holds %s alone)",
				       pair[1]->dir, pair[1]->experiment);
		p->forced = true;
		return plan_add(p, db, NULL);
	}
	for (i = 0; i < db->nr_sets; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(db->sets[j].experiment, db->sets[i].experiment))
				break;
		if (j == i) {
			ret = plan_add(p, db, db->sets[i].experiment);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int plan_check(struct compare_plan *p, bool force)
{
	size_t k;
	int ret;

	for (k = 0; k < p->nr_tables; k++) {
		ret = results_check_sets(p->groups[k], p->nr_arms[k]);
		if (!ret)
			continue;
		if (!force)
			return err_wrap(ret, "refusing to compare");	/* see cmd_compare */
		fprintf(stderr, "kvmsqueeze: warning: %s: compared anyway (--force)\n", err_msg());
		p->forced = true;
	}
	return 0;
}

static int tables_build(struct cmp_table *tables, const struct compare_plan *p,
			const struct compare_cli *c, const struct noise_floors *nf)
{
	size_t k;
	int ret;

	for (k = 0; k < p->nr_tables; k++) {
		ret = cmp_table_from_sets(&tables[k], p->groups[k], p->nr_arms[k]);
		if (ret)
			return ret;
		cmp_table_set_floors(&tables[k], nf, c->floor);
		ret = cmp_table_choose_primary(&tables[k], &c->primary);
		if (!ret)
			ret = cmp_table_compute(&tables[k], &c->cmp);
		if (!ret && c->mde)
			ret = cmp_table_mde(&tables[k], &c->cmp);
		if (ret)
			return ret;
	}
	return 0;
}

static int output_text(struct cmp_table *const *list, size_t n, const struct compare_cli *c,
		       const struct compare_plan *p, const struct drift *drifts, int argc,
		       char **argv)
{
	struct text_opts to = {
		.cmp = &c->cmp, .floors_from = c->noise_dir, .default_floor = c->floor,
		.forced = p->forced, .forced_runs = p->forced_runs, .mde = c->mde,
	};

	return text_tables(stdout, "compare", list, n, &to, text_compare, drifts,
			   c->drift == DRIFT_ALL, argc, argv);
}

static int output(struct cmp_table *tables, size_t n, const struct compare_cli *c,
		  const struct compare_plan *p, int argc, char **argv)
{
	struct export_head h = {
		.command = "compare", .argc = argc, .argv = argv, .cmp = &c->cmp,
		.floors_from = c->noise_dir, .forced = p->forced, .forced_runs = p->forced_runs,
	};
	struct cmp_table **list = calloc(n, sizeof(*list));
	struct drift *drifts = NULL;
	size_t k;
	int ret = 0;

	if (!list)
		return err_set(ENOMEM, "compare: out of memory");
	for (k = 0; k < n; k++)
		list[k] = &tables[k];
	if (c->drift)
		ret = drifts_measure(&drifts, list, n, c->drift == DRIFT_ALL, &c->cmp);
	if (ret)
		goto out;
	h.drifts = drifts;
	switch (c->format) {
	case FORMAT_CSV:
		export_csv(stdout, list, n);
		break;
	case FORMAT_JSON:
		ret = export_json(stdout, list, n, &h);
		break;
	case FORMAT_TEXT:
		ret = output_text(list, n, c, p, drifts, argc, argv);
		break;
	}
out:
	drifts_free(drifts, n);
	free(list);
	return ret;
}

static int plots(struct cmp_table *tables, size_t n, const char *dir)
{
	struct cmp_table **list = calloc(n, sizeof(*list));
	int written = 0, ret;
	size_t k;

	if (!list)
		return err_set(ENOMEM, "compare: out of memory");
	for (k = 0; k < n; k++)
		list[k] = &tables[k];
	ret = plot_tables(dir, list, n, &written);
	free(list);
	if (!ret)
		fprintf(stderr, "kvmsqueeze: %d plot images in %s\n", written, dir);
	return ret;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_cli c = {
		.floor = -1,		/* the default: by clock and metric */
		.cmp = { .seed = STATS_DEFAULT_SEED, .resamples = STATS_BOOT_RESAMPLES,
			 .alpha = CMP_ALPHA, .level = CMP_LEVEL },
	};
	struct noise_floors nf = { 0 };
	struct result_db db, noise_db = { 0 };
	struct compare_plan plan = { 0 };
	struct cmp_table *tables = NULL;
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
	if (c.noise_dir) {
		ret = results_load(&noise_db, (char **)&c.noise_dir, 1,
				   c.force ? RESULTS_FORCE : 0, warn_line, NULL);
		if (!ret)
			ret = noise_floors_measure(&nf, &noise_db);
		if (ret) {
			err_wrap(ret, "--noise %s", c.noise_dir);
			goto out;
		}
	}
	plan.forced_runs = db.nr_forced;
	ret = plan_tables(&plan, &db, c.force);
	if (!ret)
		ret = plan_check(&plan, c.force);
	if (ret)
		goto out;
	tables = calloc(plan.nr_tables, sizeof(*tables));
	ret = tables ? tables_build(tables, &plan, &c, c.noise_dir ? &nf : NULL) :
		err_set(ENOMEM, "compare: out of memory");
	if (!ret)
		ret = output(tables, plan.nr_tables, &c, &plan, argc, given);
	if (!ret && c.plots_dir)
		ret = plots(tables, plan.nr_tables, c.plots_dir);
out:
	for (k = 0; tables && k < plan.nr_tables; k++)
		cmp_table_free(&tables[k]);
	free(tables);
	plan_free(&plan);
	noise_floors_free(&nf);
	results_free(&noise_db);
	results_free(&db);
fail:
	metric_list_free(&c.primary);
	free(given);
	if (!ret)
		return EXIT_OK;
	cli_error_line("compare", ret, " (--force compares them anyway)");
	return EXIT_FAILURE_SETUP;
}
