// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/builtin-compare.c: `kvmsqueeze compare`: sets of repetitions
 * side by side, one table per experiment and one column per arm, with
 * the changes of the primary metrics that a permutation test (Holm over
 * the primaries) and the noise floor both call real, and --drift.
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
"      --label NAME            name a set NAME in place of its arm or\n"
"                              directory; repeated, the first names the\n"
"                              first set, the next the second: sets in the\n"
"                              order of the operands (a DIR's own result\n"
"                              directories in name order)\n"
"  -n, --noise DIR             measure the noise floors from A/A runs: DIR\n"
"                              holds two or more result directories of the\n"
"                              same experiment and arm\n"
"      --floor PERCENT         noise floor where none is measured (default 5;\n"
"                              0.5 for times and rates when every run ran on\n"
"                              the lab's instruction clock, host.clock icount)\n"
"  -p, --plots DIR             write plots there: PNG and SVG, with the data\n"
"                              and gnuplot scripts to redraw them, and\n"
"                              index.html: tables, plots and runs to browse\n"
"  -s, --seed N                seed of the bootstrap and of random\n"
"                              permutations (default 1: the same output)\n"
"      --force                 compare runs whose kernel base (arm.base,\n"
"                              arm.kernel_version), spec, --duration,\n"
"                              --scale, MMU mode, accel or clock\n"
"                              (host.clock, host.icount_shift) differ, and\n"
"                              count runs that did not end well or never\n"
"                              applied their pressure\n"
"  -h, --help                  this text\n"
"\n"
"A DIR may also hold result directories, one level down: each is a set.\n"
"Arms whose kernels were built on different bases (arm.base in the\n"
"results, from run --arm: debian-6.12, debian-6.1, git:<tree>@<commit>)\n"
"or base versions (arm.kernel_version) are refused; runs without an arm\n"
"are compared, with a note. A run given twice (the same directory or\n"
"file, or a copy: the same run.id and run.rep) is refused: it would count\n"
"twice. Incomplete results (\"complete\": false) are skipped with a\n"
"warning. A run that did not end well (run.status not \"ok\") or whose\n"
"pressure was never applied (summary.pressure_applied false) is refused.\n"
"A metric that is null in a run is n/a for that run, never 0; n/a[k]\n"
"under the table says why. See analysis/README.md (in the source tree,\n"
"and installed in\n"
KVMSQ_DATADIR ").\n"
"Exit status: 0 done, 1 refused or failed, 2 usage.\n";

enum { OPT_FLOOR = CLI_OPT_OWN, OPT_MDE };

static const struct option compare_options[] = {
	CLI_OPTION_FORMAT,
	{ "noise", required_argument, NULL, 'n' },
	{ "floor", required_argument, NULL, OPT_FLOOR },
	CLI_OPTION_PLOTS,
	CLI_OPTION_SEED,
	CLI_OPTION_FORCE,
	CLI_OPTION_PRIMARY,
	CLI_OPTION_DRIFT,
	CLI_OPTION_LABEL,
	{ "mde", no_argument, NULL, OPT_MDE },
	CLI_OPTION_HELP,
	{ NULL, 0, NULL, 0 },
};

/* What only compare has; the shared options are in struct cli. */
struct compare_cli {
	const char *noise_dir;
	double floor;
	bool mde;			/* --mde */
};

static int compare_option(void *data, int opt, const char *arg)
{
	struct compare_cli *c = data;
	char *end;

	switch (opt) {
	case 'n':
		c->noise_dir = arg;
		return 0;
	case OPT_FLOOR:
		c->floor = strtod(arg, &end);
		if (*end || end == arg || !(c->floor >= 0 && c->floor < 100))
			return -cli_usage_error("compare", "--floor '%s': expected a percentage from 0 to below 100, e.g. 5",
						arg);
		c->floor /= 100;
		return 0;
	case OPT_MDE:
		c->mde = true;
		return 0;
	}
	return -EXIT_USAGE;
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

/*
 * Runs that do not say which kernel base they ran on (older results, runs
 * off the lab) are compared with those that do, with a warning: their
 * base cannot be checked. Between themselves they are as before.
 */
static void arms_missing_warn(struct result_set *const *sets, size_t n)
{
	char missing[512];

	if (results_arms_missing(sets, n, missing, sizeof(missing)))
		fprintf(stderr, "kvmsqueeze: warning: runs of %s do not say which kernel base they ran on (no arm in the result): their base is not checked\n",
			missing);
}

static int plan_check(struct compare_plan *p, bool force)
{
	size_t k;
	int ret;

	for (k = 0; k < p->nr_tables; k++) {
		arms_missing_warn(p->groups[k], p->nr_arms[k]);
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
			const struct cli *c, const struct compare_cli *cc,
			const struct noise_floors *nf)
{
	size_t k;
	int ret;

	for (k = 0; k < p->nr_tables; k++) {
		ret = cmp_table_from_sets(&tables[k], p->groups[k], p->nr_arms[k]);
		if (ret)
			return ret;
		cmp_table_set_floors(&tables[k], nf, cc->floor);
		ret = cmp_table_choose_primary(&tables[k], &c->primary);
		if (!ret)
			ret = cmp_table_compute(&tables[k], &c->cmp);
		if (!ret && cc->mde)
			ret = cmp_table_mde(&tables[k], &c->cmp);
		if (ret)
			return ret;
	}
	return 0;
}

/* The tables, then per table an entry of @list, which output and plots take. */
static int tables_alloc(struct cmp_table **tables, struct cmp_table ***list, size_t n)
{
	size_t k;

	*tables = calloc(n, sizeof(**tables));
	*list = calloc(n, sizeof(**list));
	if (!*tables || !*list)
		return err_set(ENOMEM, "compare: out of memory");
	for (k = 0; k < n; k++)
		(*list)[k] = &(*tables)[k];
	return 0;
}

/* The A/A runs of --noise DIR and the floors they give. */
static int noise_load(struct noise_floors *nf, struct result_db *noise_db,
		      const struct cli *c, const char *dir)
{
	int ret = cli_load(c, noise_db, (char **)&dir, 1);

	if (!ret)
		ret = noise_floors_measure(nf, noise_db);
	return ret ? err_wrap(ret, "--noise %s", dir) : 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_cli cc = { .floor = -1 };	/* the default: by clock and metric */
	const struct cli_spec spec = {
		.cmd = "compare", .usage = compare_usage, .short_opts = CLI_SHORT_OPTS "n:",
		.options = compare_options, .no_paths = "give two or more result directories",
		.own_option = compare_option, .data = &cc,
	};
	struct cmp_table *tables = NULL, **list = NULL;
	struct noise_floors nf = { 0 };
	struct result_db db, noise_db = { 0 };
	struct compare_plan plan = { 0 };
	struct text_opts to;
	struct cli c;
	size_t k;
	int ret;

	if (!cli_start(&c, &spec, argc, argv, &ret))
		return ret;
	ret = cli_load(&c, &db, c.paths, c.nr_paths);
	if (ret)
		goto fail;
	if (cc.noise_dir)
		ret = noise_load(&nf, &noise_db, &c, cc.noise_dir);
	if (ret)
		goto out;
	plan.forced_runs = db.nr_forced;
	ret = plan_tables(&plan, &db, c.force);
	if (!ret)
		ret = plan_check(&plan, c.force);
	if (!ret)
		ret = tables_alloc(&tables, &list, plan.nr_tables);
	if (!ret)
		ret = tables_build(tables, &plan, &c, &cc, cc.noise_dir ? &nf : NULL);
	to = (struct text_opts){
		.floors_from = cc.noise_dir, .default_floor = cc.floor, .forced = plan.forced,
		.forced_runs = plan.forced_runs, .mde = cc.mde,
	};
	if (!ret)
		ret = cli_output(&c, list, plan.nr_tables, &to, text_compare);
	if (!ret && c.plots_dir)
		ret = cli_html(&c, list, plan.nr_tables, &to, text_compare,
			       cli_plots(c.plots_dir, list, plan.nr_tables));
out:
	for (k = 0; tables && k < plan.nr_tables; k++)
		cmp_table_free(&tables[k]);
	free(list);
	free(tables);
	plan_free(&plan);
	noise_floors_free(&nf);
	results_free(&noise_db);
	results_free(&db);
fail:
	return cli_end(&c, ret, " (--force compares them anyway)");
}
